//! Navigation, the same on every screen: the focus, Enter, Esc, quitting, help, choices and
//! picking a known value. Screens' own keys are in `screens/<screen>.rs`.

use super::keymap::Nav;
use super::*;

pub(super) fn run(app: &mut App, nav: Nav, key: KeyEvent) -> Vec<Effect> {
    let focused = app.focused();
    match nav {
        Nav::NextField => {
            app.focus = (app.focus + 1) % app.elements().len();
            on_blur(app, focused)
        }
        Nav::PreviousField => {
            let n = app.elements().len();
            app.focus = (app.focus + n - 1) % n;
            on_blur(app, focused)
        }
        Nav::Enter if focused == Element::Next => go_on(app),
        Nav::Enter => enter_on(app, focused),
        Nav::Back => back(app),
        Nav::Help => {
            app.help = true;
            vec![]
        }
        Nav::Mouse => {
            app.mouse_capture = !app.mouse_capture;
            app.notice = Some(if app.mouse_capture {
                "mouse: clicks go to the wizard (m gives it back to the terminal)".into()
            } else {
                "mouse: the terminal selects text (m gives clicks back to the wizard)".into()
            });
            vec![]
        }
        Nav::Quit => ask_quit(app),
        Nav::Choose => choose(app, focused, key),
        Nav::Pick => pick(app, focused, key),
        Nav::Scroll(by) => {
            app.scroll = if by > 0 {
                app.scroll
                    .saturating_add(by.unsigned_abs())
                    .min(app.scroll_max.get())
            } else {
                app.scroll.saturating_sub(by.unsigned_abs())
            };
            vec![]
        }
    }
}

pub(super) fn ask_quit(app: &mut App) -> Vec<Effect> {
    if app.apply.running {
        app.ask(Confirm::Quit);
        vec![]
    } else if app.has_answers() && !app.applied_is_current() {
        app.ask(Confirm::QuitDraft);
        vec![]
    } else {
        app.quit_now()
    }
}

fn back(app: &mut App) -> Vec<Effect> {
    // A call that hangs is given up on: the step shows as cancelled, and nothing after it runs.
    if app.apply.running {
        app.notice = Some("cancelling: the call in flight is dropped…".into());
        return vec![Effect::CancelApply {
            attempt: app.apply.attempt,
        }];
    }
    match app.screen {
        Screen::Account => vec![],
        // From a finished setup, Esc goes to the review of what now exists.
        Screen::Done | Screen::Apply => app.go_to(Screen::Review),
        // A task screen (not one of the setup's) goes back to the first screen.
        s if !Screen::ALL.contains(&s) => app.go_to(Screen::Account),
        s => app.go_to(s.prev()),
    }
}

/// Leaving an element: some answers take effect now.
fn on_blur(app: &mut App, left: Element) -> Vec<Effect> {
    if let Some(f) = app.field_mut(left) {
        f.touched = true;
    }
    if !matches!(left, Element::Profile | Element::Region) {
        return vec![];
    }
    // A changed profile or region takes effect on leaving the field.
    let wanted = (
        non_empty(&app.account.profile.value),
        non_empty(&app.account.region.value),
    );
    // A malformed region is said next to the field; no call is made with it.
    if wanted == app.connected_with || app.error(Element::Region).is_some() {
        return vec![];
    }
    vec![app.connect()]
}

/// ←/→ on a choice (↑/↓ on the vertical Task list): only these change it, never a printable key
/// (Space included: text typed on a choice, meant for a field, would flip it).
fn choose(app: &mut App, e: Element, key: KeyEvent) -> Vec<Effect> {
    let forward = !matches!(key.code, KeyCode::Left | KeyCode::Up | KeyCode::Char('k'));
    match e {
        Element::Task => {
            let i = Task::ALL.iter().position(|t| *t == app.task).unwrap_or(0);
            let n = Task::ALL.len();
            app.task = Task::ALL[if forward {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            }];
        }
        Element::ProviderKind => screens::provider::switch_kind(app),
        Element::RefType => {
            let order = [RefType::Branch, RefType::Tag, RefType::Any];
            let i = order
                .iter()
                .position(|t| *t == app.trust.ref_type)
                .unwrap_or(0);
            app.trust.ref_type = order[if forward { (i + 1) % 3 } else { (i + 2) % 3 }];
        }
        Element::RefProtected => app.trust.ref_protected = !app.trust.ref_protected,
        _ => {}
    }
    vec![]
}

/// Ctrl-N/Ctrl-P: the configured profiles, the known regions, the account's GitLab roles.
fn pick(app: &mut App, e: Element, key: KeyEvent) -> Vec<Effect> {
    let choices: Vec<String> = match e {
        Element::Profile => app.account.known_profiles.clone(),
        Element::Region => crate::plan::input::REGIONS
            .iter()
            .map(|r| r.to_string())
            .collect(),
        Element::TargetRole => app.gitlab_roles.loaded().cloned().unwrap_or_default(),
        _ => vec![],
    };
    let forward = key.code == KeyCode::Char('n');
    let Some(field) = app.field_mut(e).filter(|_| !choices.is_empty()) else {
        return vec![];
    };
    let at = choices.iter().position(|c| *c == field.value.trim());
    let n = choices.len();
    let next = match (forward, at) {
        (true, Some(i)) => (i + 1) % n,
        (false, Some(i)) => (i + n - 1) % n,
        (false, None) => n - 1,
        (true, None) => 0,
    };
    field.set(&choices[next]);
    vec![]
}

/// Enter on a field, a choice or the list of a setup screen: a complete screen goes on, as Enter
/// on its Next does; otherwise the focus moves to the next element. A changed profile or region
/// reconnects first and stays.
pub(super) fn enter_on(app: &mut App, e: Element) -> Vec<Effect> {
    // On a field marked ✗ Enter stays and says so: typing on would land in the next field.
    if let Some(why) = app.error(e) {
        app.notice = Some(format!(
            "{}: {why}",
            app.field(e).map_or("this field", |f| f.label)
        ));
        return vec![];
    }
    let effects = on_blur(app, e);
    let setup_screen = matches!(
        app.screen,
        Screen::Account | Screen::Provider | Screen::Trust | Screen::Permissions | Screen::Role
    );
    if effects.is_empty() && setup_screen && app.blocker().is_none() {
        return go_on(app);
    }
    app.focus = (app.focus + 1).min(app.elements().len().saturating_sub(1));
    effects
}

/// Enter on Next: go on if the screen is complete, else say why and focus the culprit.
pub(super) fn go_on(app: &mut App) -> Vec<Effect> {
    if let Some(why) = app.blocker() {
        // Going on was tried: every field's message shows, "required" ones too.
        for e in app.elements() {
            if let Some(f) = app.field_mut(e) {
                f.touched = true;
            }
        }
        if let Some(i) = app.elements().iter().position(|e| app.error(*e).is_some()) {
            app.focus = i;
        }
        app.notice = Some(why);
        return vec![];
    }
    match app.screen {
        Screen::Review => screens::review::open_apply(app),
        Screen::Account => {
            let next = app.task.screen();
            app.go_to(next)
        }
        // Only the setup's screens follow one another; a task screen's Enter is its own.
        s if Screen::ALL.contains(&s) => app.go_to(s.next()),
        _ => vec![],
    }
}
