//! Remove: what removing a setup's role would do, then removing it, as `destroy` does.

use super::super::Request;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct RemoveState {
    pub plan: Request<Option<crate::destroy::DestroyPlan>>,
    pub removed: Request<Vec<String>>,
}
