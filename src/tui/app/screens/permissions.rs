//! Permissions: the account's managed policies to pick from, and custom ARNs.

use std::collections::BTreeSet;

use super::super::{Field, PolicyItem, Request};
use crate::aws::ManagedPolicy;

#[derive(Debug, Clone, PartialEq)]
pub struct PermissionsState {
    pub policies: Request<Vec<PolicyItem>>,
    pub filter: Field,
    pub filtered: Vec<usize>,
    pub cursor: usize,
    pub selected: BTreeSet<String>,
    /// Attached to the existing role and unticked: Apply detaches them (the plan says so).
    pub detach: BTreeSet<String>,
    /// Ticked by the wizard because the existing role has them, not by the user.
    pub(in crate::tui::app) preselected: BTreeSet<String>,
    /// The role whose attached policies the list shows ticked.
    pub(in crate::tui::app) adopted_for: Option<String>,
    pub custom_policy: Field,
    /// The check of a custom ARN before it is selected.
    pub(in crate::tui::app) custom_check: Request<Option<ManagedPolicy>>,
}

impl Default for PermissionsState {
    fn default() -> Self {
        PermissionsState {
            policies: Request::default(),
            filter: Field::new("Filter", "").with_placeholder("type to filter"),
            filtered: Vec::new(),
            cursor: 0,
            selected: BTreeSet::new(),
            detach: BTreeSet::new(),
            preselected: BTreeSet::new(),
            adopted_for: None,
            custom_policy: Field::new("Custom ARN", "")
                .with_placeholder("arn:aws:iam::…:policy/name"),
            custom_check: Request::default(),
        }
    }
}
