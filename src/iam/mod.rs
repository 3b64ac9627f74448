//! IAM's policy evaluation for role trust policies, as the IAM User Guide documents it: the one
//! evaluator `explain` asks about a token and `check` asks about every token an attacker or a
//! colleague could bring. Pure and total: any document, any request, never a panic.
//!
//! `pattern` reads policy values (variables, special characters, wildcards), `condition` one
//! condition operator, `eval` the statements and the decision.

pub mod condition;
pub mod document;
pub mod eval;
pub mod pattern;

use std::collections::BTreeMap;

pub use condition::Rule;
pub use eval::{Caller, Decided, Decision, Request, StatementEval, evaluate};

/// The action a GitLab job's `aws sts assume-role-with-web-identity` asks for.
pub const WEB_IDENTITY: &str = "sts:AssumeRoleWithWebIdentity";
/// The action an AWS principal asks for.
pub const ASSUME_ROLE: &str = "sts:AssumeRole";

/// The request context: condition keys (case-insensitive, stored lowercased) and their values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    values: BTreeMap<String, Vec<String>>,
}

impl Context {
    pub fn new() -> Context {
        Context::default()
    }

    pub fn insert(&mut self, key: &str, values: Vec<String>) {
        self.values.insert(key.to_lowercase(), values);
    }

    pub fn with(mut self, key: &str, value: &str) -> Context {
        self.insert(key, vec![value.to_string()]);
        self
    }

    /// Set a key already written in lower case to one value, reusing its storage (the probe
    /// sets keys many thousand times).
    pub fn set_one(&mut self, lower_key: &str, value: &str) {
        match self.values.get_mut(lower_key) {
            Some(v) => {
                v.clear();
                v.push(value.to_string());
            }
            None => {
                self.values
                    .insert(lower_key.to_string(), vec![value.to_string()]);
            }
        }
    }

    pub fn remove(&mut self, key: &str) {
        self.values.remove(&key.to_lowercase());
    }

    /// Every key (lower case) and its values.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Vec<String>)> {
        self.values.iter()
    }

    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.values.get(&key.to_lowercase()).map(Vec::as_slice)
    }
}

#[cfg(test)]
mod tests;
