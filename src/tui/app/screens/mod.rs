//! Each screen of the wizard as a unit: its state, its fields, its keys and what it does with
//! the answers to its requests. `App` holds one of each (see `App`'s fields), the view of each
//! lives beside it under `view/screens/`.

pub mod account;
pub mod apply;
pub mod check;
pub mod done;
pub mod explain;
pub mod permissions;
pub mod provider;
pub mod remove;
pub mod review;
pub mod role;
pub mod trust;
pub mod units;

pub use account::AccountState;
pub use apply::ApplyState;
pub use check::CheckState;
pub use done::DoneState;
pub use explain::ExplainState;
pub use permissions::PermissionsState;
pub use provider::ProviderState;
pub use remove::RemoveState;
pub use review::ReviewState;
pub use role::RoleState;
pub use trust::TrustState;

use super::keymap::{Binding, Command};
use super::{App, Effect, Screen};

// The registrations of the screens: each screen's keys, its actions, and whether a task screen
// has run to its result. A new screen adds one arm to each.

/// The shown screen's own key bindings (navigation is added after them).
pub(super) fn keys(app: &App) -> Vec<Binding> {
    match app.screen {
        Screen::Account => account::keys(app),
        Screen::Provider => provider::keys(app),
        Screen::Trust => trust::keys(app),
        Screen::Permissions => permissions::keys(app),
        Screen::Role => role::keys(app),
        Screen::Review => review::keys(app),
        Screen::Apply => apply::keys(app),
        Screen::Done => done::keys(app),
        Screen::Check => check::keys(app),
        Screen::Explain => explain::keys(app),
        Screen::Remove => remove::keys(app),
    }
}

/// A screen's own action (navigation is `nav::run`).
pub(super) fn act(app: &mut App, command: Command) -> Vec<Effect> {
    match command {
        Command::Nav(_) => vec![],
        Command::Account(a) => account::act(app, a),
        Command::Provider(a) => provider::act(app, a),
        Command::Trust(a) => trust::act(app, a),
        Command::Permissions(a) => permissions::act(app, a),
        Command::Review(a) => review::act(app, a),
        Command::Units(a) => units::act(app, a),
        Command::Apply(a) => apply::act(app, a),
        Command::Done(a) => done::act(app, a),
        Command::Check(a) => check::act(app, a),
        Command::Explain(a) => explain::act(app, a),
        Command::Remove(a) => remove::act(app, a),
    }
}

/// A task screen (not the setup's) has run to its result: quitting there is a success.
pub(super) fn task_finished(app: &App) -> bool {
    match app.screen {
        Screen::Check => app.check.result.loaded().is_some(),
        Screen::Explain => app.explain.result.loaded().is_some(),
        Screen::Remove => app.remove.removed.loaded().is_some(),
        Screen::Account
        | Screen::Provider
        | Screen::Trust
        | Screen::Permissions
        | Screen::Role
        | Screen::Review
        | Screen::Apply
        | Screen::Done => false,
    }
}

/// A look-up that waits until typing pauses: counted down once a tick, due when it reaches zero.
pub(in crate::tui::app) fn due_now(due: &mut Option<u8>) -> bool {
    match *due {
        Some(0) => {
            *due = None;
            true
        }
        Some(n) => {
            *due = Some(n - 1);
            false
        }
        None => false,
    }
}
