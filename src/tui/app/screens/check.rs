//! Check: the account's GitLab roles audited, as the `check` command does.

use super::super::Request;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CheckState {
    pub result: Request<Vec<crate::check::RoleReport>>,
}

use super::super::keymap::{Binding, Command as Do, ENTER, back, ch, scroll};
use super::super::{App, Effect, ErrorView};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Run,
}

pub(in crate::tui::app) fn keys(_app: &App) -> Vec<Binding> {
    let mut keys = vec![
        Binding::new(
            &[ch('r'), ENTER],
            "r",
            "check again",
            "check again (r or Enter)",
        )
        .does(Do::Check(Action::Run)),
    ];
    keys.extend(scroll(true, "scroll"));
    keys.push(back());
    keys
}

pub(in crate::tui::app) fn act(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Run => app.run_check(),
    }
}

pub(in crate::tui::app) fn on_checked(
    app: &mut App,
    attempt: u64,
    result: Result<Vec<crate::check::RoleReport>, ErrorView>,
) -> Vec<Effect> {
    app.check.result.accept(attempt, result);
    vec![]
}

impl App {
    pub(in crate::tui::app) fn run_check(&mut self) -> Vec<Effect> {
        vec![Effect::Check {
            attempt: self.check.result.start(),
        }]
    }
}
