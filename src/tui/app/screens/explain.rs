//! Explain: why a role refuses a pipeline's token, as the `explain` command says.

use super::super::{Field, Request};

#[derive(Debug, Clone, PartialEq)]
pub struct ExplainState {
    pub claims_file: Field,
    pub token: Field,
    pub result: Request<Box<crate::explain::Explanation>>,
}

impl Default for ExplainState {
    fn default() -> Self {
        ExplainState {
            claims_file: Field::new("Claims file", "").with_placeholder("a JSON file of claims"),
            token: Field {
                secret: true,
                ..Field::new("or ID token", "").with_placeholder("paste it; never shown or stored")
            },
            result: Request::default(),
        }
    }
}
