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
