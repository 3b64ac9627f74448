//! Every key binding, in one place: the footer shows the main ones, `?` lists all for the screen.

use super::app::{App, Binding, Command, Key, Nav};

type Keys = Vec<(&'static str, String)>;

/// The keys of a dialog: shown in it and in the footer.
pub fn confirm(c: &super::app::Confirm) -> Keys {
    confirm_keys(c)
        .into_iter()
        .map(|(k, what)| (k, what.to_string()))
        .collect()
}

fn confirm_keys(c: &super::app::Confirm) -> Vec<(&'static str, &'static str)> {
    use super::app::Confirm;
    if c.changes() {
        let mut k = Vec::new();
        if c.name_to_type().is_some() {
            k.push(("type", "the name"));
        }
        k.extend([("←/→", "choose"), ("Enter", "press it"), ("Esc", "cancel")]);
        return k;
    }
    match c {
        Confirm::Resume { .. } => vec![
            ("c/Enter", "continue (to Review; applies nothing)"),
            ("s", "start over (asks)"),
        ],
        Confirm::ExportFormat => vec![
            ("t", "Terraform"),
            ("c", "CloudFormation"),
            ("Esc", "neither"),
        ],
        _ => vec![("y", "yes"), ("n", "no")],
    }
}

/// The keys shown at the bottom: those of the screen's bindings that act now and have footer
/// words, each once (a binding whose keys an earlier one takes never acts, so it is not shown).
pub fn footer(app: &App) -> Keys {
    if let Some(c) = &app.confirm {
        return confirm(c);
    }
    // The help covers the screen: only what closes it acts.
    if app.help {
        return vec![("Esc/?/q", "close the help".to_string())];
    }
    let in_text = app.field(app.focused()).is_some();
    let mut taken: Vec<Key> = Vec::new();
    let mut shown: Keys = Vec::new();
    for b in app.bindings() {
        let live = b.live_keys(in_text);
        let fresh = live.iter().any(|k| !taken.contains(k)) || (b.keys.is_empty() && b.active);
        if let (Some(short), true) = (&b.short, fresh && !live.is_empty())
            && !shown.iter().any(|(l, _)| *l == b.label)
        {
            shown.push((b.label, short.clone()));
        }
        taken.extend(live);
    }
    shown
}

/// All keys of the current screen, for the help overlay: navigation first, then the screen's
/// own, then help, mouse and quit; each binding with help words, once.
pub fn help(app: &App) -> Keys {
    let in_text = app.field(app.focused()).is_some();
    let shared = |b: &Binding| {
        matches!(
            b.action,
            Command::Nav(
                Nav::NextField
                    | Nav::PreviousField
                    | Nav::Enter
                    | Nav::Back
                    | Nav::Help
                    | Nav::Mouse
                    | Nav::Quit
            )
        ) && !b.keys.is_empty()
    };
    // In a text field, a key that is text there is not listed: it types.
    let all: Vec<Binding> = app
        .bindings()
        .into_iter()
        .filter(|b| !(in_text && b.text_only()))
        .collect();
    let (nav, screen): (Vec<&Binding>, Vec<&Binding>) = all.iter().partition(|b| shared(b));
    let (head, tail): (Vec<&Binding>, Vec<&Binding>) = nav
        .into_iter()
        .filter(|b| b.active)
        .partition(|b| !matches!(b.action, Command::Nav(Nav::Help | Nav::Mouse | Nav::Quit)));
    let order = |b: &&Binding| match b.action {
        Command::Nav(Nav::NextField) => 0,
        Command::Nav(Nav::PreviousField) => 1,
        Command::Nav(Nav::Enter) => 2,
        _ => 3,
    };
    let mut head = head;
    head.sort_by_key(order);
    let mut k: Keys = Vec::new();
    let mut push = |label: &'static str, what: &str| {
        if !what.is_empty() && !k.iter().any(|(l, w)| *l == label || w == what) {
            k.push((label, what.to_string()));
        }
    };
    // A screen's own words for a shared key (Enter on Done quits) stand where the shared ones would.
    for b in head {
        let own = screen
            .iter()
            .find(|s| s.label == b.label && s.active && !s.long.is_empty());
        push(b.label, own.map_or(b.long, |s| s.long));
    }
    for b in screen.into_iter().chain(tail) {
        push(b.label, b.long);
    }
    k
}
