//! `destroy`: remove a setup, after showing what goes and getting a yes.

use super::{CliError, Outcome, OutputFormat, json_body, prompt};
use crate::aws::Aws;
use crate::engine::EngineError;
use crate::plan::input::RoleName;

/// What the user allowed up front.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Consent {
    /// Remove without asking.
    pub yes: bool,
    /// Also a role this tool did not create.
    pub force: bool,
}

pub fn validate(role: &str) -> Result<(), CliError> {
    RoleName::parse(role)?;
    Ok(())
}

pub async fn run<A: Aws>(
    aws: &A,
    role: &str,
    consent: Consent,
    output: OutputFormat,
) -> Result<Outcome, CliError> {
    let json = output == OutputFormat::Json;
    let Some(plan) = crate::destroy::plan(aws, role, consent.force).await? else {
        note!("Role {role} does not exist: nothing to remove.");
        let stdout = if json {
            json_body(&serde_json::json!({"role": role, "removed": false, "reason": "not found"}))
        } else {
            String::new().into()
        };
        return Ok(Outcome::success(stdout));
    };
    say_raw!("{}", crate::destroy::text(&plan));
    let reason = format!("role {role} and what is listed above will be removed");
    if !consent.yes && !prompt::confirm(std::slice::from_ref(&reason)) {
        return Err(EngineError::ConfirmationRequired {
            reasons: vec![reason],
        }
        .into());
    }
    crate::destroy::apply(aws, &plan, |line| note!("{line}")).await?;
    let stdout = if json {
        json_body(&serde_json::json!({"role": role, "removed": true, "plan": plan}))
    } else {
        String::new().into()
    };
    Ok(Outcome::success(stdout))
}
