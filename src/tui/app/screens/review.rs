//! Review: the plan made from the answers, before anything is applied.

use super::super::Request;
use crate::engine::Plan;
use crate::plan::SetupInput;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReviewState {
    pub plan: Request<Box<Plan>>,
    /// The plan is made once the pre-flight of the self-managed instance has answered.
    pub(in crate::tui::app) waits_for_preflight: bool,
    /// The plan is made once the namespace lookup has answered (what is applied is what is shown).
    pub(in crate::tui::app) waits_for_namespaces: bool,
    /// The answers the plan on Review was made from.
    pub(in crate::tui::app) planned_answers: Option<SetupInput>,
}
