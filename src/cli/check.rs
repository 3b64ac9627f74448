//! `check`: audit one role, or every GitLab OIDC role of the account.

use super::{CliError, Outcome, OutputFormat, json_body};
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
    fail_on: crate::check::Severity,
    output: OutputFormat,
) -> Result<Outcome, CliError> {
    // The way the account was read, once; progress only on a terminal, after a second.
    let started = std::time::Instant::now();
    let terminal = super::exit::stderr_is_terminal();
    let note = |n: crate::check::Note| match n {
        crate::check::Note::Progress { done, total } => {
            if terminal && started.elapsed() > std::time::Duration::from_secs(1) {
                super::exit::redraw(&format!("reading roles: {done} of {total}"));
                if done == total {
                    say!();
                }
            }
        }
        other => {
            if let Some(line) = other.line() {
                say!("{line}");
            }
        }
    };
    let reports = if offline {
        crate::check::check_with(aws, role, |_| async { None }, note).await?
    } else {
        crate::check::check_with(
            aws,
            role,
            |host: String| async move { Some(crate::preflight::tls(&host, 443).await) },
            note,
        )
        .await?
    };
    let stdout = match output {
        OutputFormat::Text => crate::check::text(&reports).into(),
        OutputFormat::Json => json_body(&reports),
    };
    // Severities are ordered most severe first.
    let failing = reports
        .iter()
        .flat_map(|r| &r.findings)
        .any(|f| f.severity <= fail_on);
    Ok(if !failing {
        Outcome::success(stdout)
    } else {
        Outcome::negative(stdout)
    })
}
