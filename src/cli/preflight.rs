//! `preflight`: check a self-managed instance the way AWS will.

use super::{CliError, Outcome, OutputFormat, json_line};
use crate::plan::input::ProviderUrl;

pub async fn run(provider_url: &str, output: OutputFormat) -> Result<Outcome, CliError> {
    let url = ProviderUrl::parse(provider_url)?;
    let report = crate::preflight::run(&url, crate::preflight::public_roots(), 443).await;
    let stdout = match output {
        OutputFormat::Text => report.text(),
        OutputFormat::Json => json_line(&report),
    };
    Ok(if report.passed() {
        Outcome::success(stdout)
    } else {
        Outcome::negative(stdout)
    })
}
