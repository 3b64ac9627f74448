//! The first screen: the account (profile, region), the task, and the setups already made.

use super::super::{Field, Request};

#[derive(Debug, Clone, PartialEq)]
pub struct AccountState {
    pub profile: Field,
    pub region: Field,
    /// The profiles of the AWS config files (Ctrl-N/P in the Profile field picks one).
    pub known_profiles: Vec<String>,
    /// The setups this tool made in the account, and the one highlighted.
    pub setups: Request<Vec<crate::setups::SetupSummary>>,
    pub setups_cursor: usize,
}

impl AccountState {
    pub fn new(profile: Option<&str>, region: Option<&str>) -> Self {
        AccountState {
            profile: Field::new("Profile", profile.unwrap_or("")).with_placeholder("default chain"),
            region: Field::new("Region", region.unwrap_or(""))
                .with_placeholder("from profile, or us-east-1"),
            known_profiles: Vec::new(),
            setups: Request::default(),
            setups_cursor: 0,
        }
    }
}
