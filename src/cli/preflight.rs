//! `preflight`: check a self-managed instance the way AWS will.

use super::{CliError, Outcome, OutputFormat, json_body};
use crate::plan::input::ProviderUrl;

pub async fn run(provider_url: &str, output: OutputFormat) -> Result<Outcome, CliError> {
    let url = ProviderUrl::parse(provider_url)?;
    let report = crate::preflight::run(&url, crate::preflight::public_roots(), 443).await;
    let stdout = match output {
        OutputFormat::Text => (report.text() + &next_step(&report).unwrap_or_default()).into(),
        OutputFormat::Json => json_body(&report),
    };
    Ok(if report.passed() {
        Outcome::success(stdout)
    } else {
        Outcome::negative(stdout)
    })
}

/// The flags that carry a private CA's thumbprint into a setup.
fn next_step(report: &crate::preflight::Report) -> Option<String> {
    report.needed_thumbprint().map(|t| {
        format!("To set it up: plan or apply with --thumbprint auto (or --thumbprint {t}).\n")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_private_ca_gets_the_flags_that_carry_its_thumbprint() {
        let t = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280";
        let report = crate::preflight::Report::private_ca("https://git.example.com", t);
        assert_eq!(
            next_step(&report).as_deref(),
            Some(
                "To set it up: plan or apply with --thumbprint auto (or --thumbprint 9e99a48a9960b14926bb7f3b02e22da2b0ab7280).\n"
            )
        );
        let public = crate::preflight::Report {
            tls: None,
            ..report
        };
        assert_eq!(next_step(&public), None);
    }
}
