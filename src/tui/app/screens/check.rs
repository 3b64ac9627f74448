//! Check: the account's GitLab roles audited, as the `check` command does.

use super::super::Request;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CheckState {
    pub result: Request<Vec<crate::check::RoleReport>>,
}
