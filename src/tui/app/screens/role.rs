//! Role: its name, path, description, session length and boundary, and whether it exists.

use super::super::{ExistingRole, Field, Request};

#[derive(Debug, Clone, PartialEq)]
pub struct RoleState {
    pub name: Field,
    pub(in crate::tui::app) name_edited: bool,
    pub path: Field,
    pub description: Field,
    pub max_session: Field,
    pub boundary: Field,
    /// Whether the role named exists, looked up as it is typed.
    pub existing: Request<Option<ExistingRole>>,
    pub(in crate::tui::app) lookup_due: Option<u8>,
    /// The name the last look-up was for.
    pub(in crate::tui::app) lookup_for: Option<String>,
}

impl Default for RoleState {
    fn default() -> Self {
        RoleState {
            name: Field::new("Role name", ""),
            name_edited: false,
            path: Field::new("Role path", "/"),
            description: Field::new("Description", "")
                .with_placeholder("generated from the projects"),
            max_session: Field::new("Max session (s)", "3600"),
            boundary: Field::new("Boundary ARN", "").with_placeholder("none"),
            existing: Request::default(),
            lookup_due: None,
            lookup_for: None,
        }
    }
}
