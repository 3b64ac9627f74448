//! Apply: the plan's actions as they run, and the outcome of the last finished apply.

use super::super::ApplyRow;
use crate::engine::Outcome;
use crate::plan::SetupInput;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ApplyState {
    pub rows: Vec<ApplyRow>,
    pub(in crate::tui::app) attempt: u64,
    pub running: bool,
    pub outcome: Option<Outcome>,
    /// The answers the last finished apply carried out: the ARN is handed out only while the
    /// answers on screen are still these.
    pub(in crate::tui::app) applied_answers: Option<SetupInput>,
}
