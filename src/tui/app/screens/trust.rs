//! Who may assume: the projects, the refs, and the namespace ids pinned for them.

use super::super::{Field, NamespacePins, Request};
use crate::plan::input::RefType;

#[derive(Debug, Clone, PartialEq)]
pub struct TrustState {
    pub projects: Field,
    pub ref_type: RefType,
    pub refs: Field,
    pub ref_protected: bool,
    pub project_ids: Field,
    /// A project-id look-up asked for a GitLab token: its field is shown.
    pub token_for_lookup: bool,
    /// The project-id look-up (Ctrl-L).
    pub ids: Request<Vec<String>>,
    /// Namespace ids to pin, with the projects they were found for.
    pub namespace_pins: NamespacePins,
    /// The namespace lookup (its answer goes to `namespace_pins`), and the projects it was for
    /// and whether with a token.
    pub(in crate::tui::app) namespaces: Request<()>,
    pub(in crate::tui::app) namespace_lookup_for: Option<(Vec<String>, bool)>,
}

impl Default for TrustState {
    fn default() -> Self {
        TrustState {
            projects: Field::new("Projects", "").with_placeholder("group/project, group/other"),
            ref_type: RefType::Branch,
            refs: Field::new("Refs", "main"),
            ref_protected: false,
            project_ids: Field::new("Project IDs", "")
                .with_placeholder("optional; Ctrl-L looks them up"),
            token_for_lookup: false,
            ids: Request::default(),
            namespace_pins: NamespacePins::default(),
            namespaces: Request::default(),
            namespace_lookup_for: None,
        }
    }
}
