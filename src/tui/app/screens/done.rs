//! Done: the role ARN, the CI job, copying, exporting and storing the ARN in GitLab.

use super::super::Request;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DoneState {
    /// AWS calls made in this session (all, and those that changed something).
    pub calls: Option<(usize, usize)>,
    /// The last copy: what was copied, and how (or why not).
    pub copied: Option<(&'static str, Result<crate::tui::clipboard::Copied, String>)>,
    /// What was stored on each project.
    pub stored: Request<Vec<String>>,
}
