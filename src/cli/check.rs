//! `check`: audit one role, or every GitLab OIDC role of the account.

use super::{CliError, Outcome, OutputFormat, json_line};
use crate::aws::Aws;
use crate::plan::input::RoleName;

pub fn validate(role: Option<&str>) -> Result<(), CliError> {
    if let Some(role) = role {
        RoleName::parse(role)?;
    }
    Ok(())
}

pub async fn run<A: Aws>(
    aws: &A,
    role: Option<&str>,
    offline: bool,
    output: OutputFormat,
) -> Result<Outcome, CliError> {
    let reports = if offline {
        crate::check::check_with(aws, role, |_| async { None }).await?
    } else {
        crate::check::check(aws, role).await?
    };
    let stdout = match output {
        OutputFormat::Text => crate::check::text(&reports),
        OutputFormat::Json => json_line(&reports),
    };
    Ok(if reports.iter().all(|r| r.findings.is_empty()) {
        Outcome::success(stdout)
    } else {
        Outcome::negative(stdout)
    })
}
