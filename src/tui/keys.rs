//! Every key binding, in one place: the footer shows the main ones, `?` lists all for the screen.

use super::app::{ActionState, App, Element, Screen};

type Keys = Vec<(&'static str, &'static str)>;

/// The keys of a dialog: shown in it and in the footer.
pub fn confirm(c: &super::app::Confirm) -> Keys {
    use super::app::Confirm;
    if c.changes() {
        let mut k: Keys = Vec::new();
        if c.name_to_type().is_some() {
            k.push(("type", "the name"));
        }
        k.extend([("←/→", "choose"), ("Enter", "press it"), ("Esc", "cancel")]);
        return k;
    }
    match c {
        Confirm::Resume { .. } => vec![
            ("c/Enter", "continue (to Review; applies nothing)"),
            ("s", "start over"),
        ],
        Confirm::ExportFormat => vec![
            ("t", "Terraform"),
            ("c", "CloudFormation"),
            ("Esc", "neither"),
        ],
        _ => vec![("y", "yes"), ("n", "no")],
    }
}

/// The few keys shown at the bottom.
pub fn footer(app: &App) -> Keys {
    if let Some(c) = &app.confirm {
        return confirm(c);
    }
    let mut k: Keys = Vec::new();
    match app.screen {
        Screen::Account if app.focused() == Element::Setups => {
            k.extend([
                ("↑/↓", "choose"),
                ("c", "copy ARN"),
                ("Enter", "print ARN, quit"),
                ("Tab", "fields"),
            ]);
        }
        Screen::Account => {
            k.extend([("Enter", "next"), ("r", "retry")]);
            if app.can_try_demo() {
                k.push(("d", "demo"));
            }
            k.push(("Tab", "profile/region"));
        }
        Screen::Review => {
            k.push(("a", "apply"));
            if app.projects_trusted_now().is_some() {
                k.push(("+", "add only"));
            }
            k.extend([("Enter", "list changes"), ("r", "re-read"), ("Esc", "back")]);
        }
        Screen::Apply => {
            if app
                .apply
                .rows
                .iter()
                .any(|r| matches!(r.state, ActionState::Failed(_)))
                && !app.apply.running
            {
                let cancelled = app.apply.rows.iter().any(
                    |r| matches!(&r.state, ActionState::Failed(e) if e.code == super::app::CANCELLED),
                );
                let r = if cancelled {
                    "read again"
                } else {
                    "retry failed step"
                };
                k.extend([("r", r), ("Esc", "back to review")]);
            } else if app.apply.running {
                k.push(("Esc", "cancel"));
            }
        }
        Screen::Done => k.extend([
            ("c", "copy ARN"),
            ("y", "copy job"),
            ("g", "to GitLab"),
            ("x", "export"),
            ("Enter", "quit"),
        ]),
        Screen::Check => k.extend([("r", "check again"), ("j/k", "scroll"), ("Esc", "back")]),
        Screen::Explain | Screen::Remove => {
            k.extend([("Tab", "next field"), ("Enter", "go"), ("Esc", "back")]);
            if app.screen == Screen::Remove && app.remove_can_force() {
                k.push(("f", "remove anyway"));
            }
        }
        _ => {
            k.extend([("Tab", "next field"), ("Enter", "next"), ("Esc", "back")]);
            match app.focused() {
                Element::PolicyList => k.push(("Space", "select")),
                Element::ProjectIds => k.push(("Ctrl-L", "look the ids up")),
                Element::Filter if !app.permissions.filter.value.is_empty() => {
                    k[1] = ("Enter", "select highlighted")
                }
                Element::ProviderKind | Element::RefType | Element::RefProtected => {
                    k.push(("←/→", "change"))
                }
                _ => {}
            }
        }
    }
    k.extend([("?", "help"), ("q", "quit")]);
    k
}

/// All keys of the current screen, for the help overlay.
pub fn help(app: &App) -> Keys {
    let mut k: Keys = vec![
        ("Tab / ↓", "next field"),
        ("Shift-Tab / ↑", "previous field"),
        ("Enter", "go on (screen complete), else next field"),
        ("Esc", "back to the previous step"),
        ("mouse click", "a step in the list: go back to it"),
    ];
    match app.screen {
        Screen::Account => k.extend([
            (
                "↑/↓ ←/→ (Task)",
                "set up, check, explain a failure, or remove",
            ),
            ("r", "read the account again (on Next)"),
            (
                "d",
                "when the account cannot be read: a demo account to look around (in memory)",
            ),
            ("Enter in field", "use this profile / region"),
            (
                "↓ from Next",
                "the setups made here: c copies a role's ARN, Enter prints it and quits",
            ),
            (
                "Ctrl-N / Ctrl-P",
                "pick the next / previous profile or region",
            ),
        ]),
        Screen::Provider => k.push(("←/→ Space", "GitLab.com or self-managed")),
        Screen::Trust => k.extend([
            ("Ctrl-L", "look the project ids up (GitLab token)"),
            ("←/→ Space", "change ref type / toggle protected"),
            (", or space", "separate several projects or refs"),
        ]),
        Screen::Permissions => k.extend([
            ("typing", "filter the policies (Filter field)"),
            ("↑/↓ j/k", "move in the list"),
            ("PgUp/PgDn", "move by ten"),
            ("g / G", "first / last"),
            (
                "Enter (Filter)",
                "select the highlighted one, clear the filter",
            ),
            ("Space / x", "select or unselect"),
            ("/", "back to the filter"),
            ("Enter (ARN)", "add a custom ARN (checked), or remove it"),
        ]),
        Screen::Review => k.extend([
            ("a", "apply the changes listed"),
            ("Enter", "list the changes, then y applies"),
            ("r", "read the current state again"),
            (
                "+",
                "an existing role trusting other projects: keep them and add these",
            ),
        ]),
        Screen::Apply => k.extend([
            ("r", "re-run the failed step and what follows"),
            ("Esc (running)", "stop waiting for the call in flight"),
        ]),
        Screen::Done => k.extend([
            ("c", "copy the role ARN (OSC 52 and system clipboard)"),
            ("y", "copy the .gitlab-ci.yml job"),
            (
                "g",
                "store the ARN as ROLE_ARN in each project (GitLab token)",
            ),
            (
                "x",
                "write the setup as gitlab-oidc.tf or gitlab-oidc.yaml here",
            ),
        ]),
        Screen::Role => k.push(("Ctrl-U", "clear the field")),
        Screen::Check => k.extend([("r / Enter", "check again"), ("j/k ↑/↓", "scroll")]),
        Screen::Explain => k.extend([
            ("Ctrl-N / Ctrl-P", "pick a GitLab role of the account"),
            (
                "Enter (Next)",
                "explain: decode the claims, check every condition",
            ),
            ("j/k ↑/↓", "scroll the explanation"),
        ]),
        Screen::Remove => k.extend([
            ("Ctrl-N / Ctrl-P", "pick a GitLab role of the account"),
            (
                "Enter (Next)",
                "show what will be removed; again: remove (asks)",
            ),
            ("f", "a role this tool did not make: remove anyway (asks)"),
            ("j/k ↑/↓", "scroll"),
        ]),
    }
    k.extend([
        ("? / F1", "this help"),
        ("m", "mouse: to the terminal (select text) or back"),
        ("q / Ctrl-C", "quit (asks when something would be lost)"),
    ]);
    k
}
