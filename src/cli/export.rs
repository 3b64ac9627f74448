//! `export`: the setup as a Terraform module or a CloudFormation template, on stdout. The same
//! validation and refusals as `apply` (done by `setup::prepare`), its warnings on stderr, and no
//! AWS call.

use super::{CliError, Outcome, OutputFormat, json_line};
use crate::export::Format;
use crate::plan::Setup;
use crate::plan::input::is_admin_policy_arn;

pub fn run(setup: &Setup, format: Format, output: OutputFormat) -> Result<Outcome, CliError> {
    let trust = setup.trust("aws", "000000000000")?;
    for w in &trust.warnings {
        eprintln!("warning: {w}");
    }
    for p in setup
        .policies
        .iter()
        .filter(|p| is_admin_policy_arn(&p.likely_arn("aws")))
    {
        eprintln!(
            "warning: {} is admin-level: every pipeline allowed by the trust policy gets (nearly) full control of the account",
            p.name()
        );
    }
    let (name, text) = match format {
        Format::Terraform => ("terraform", crate::export::terraform(setup)?),
        Format::Cloudformation => ("cloudformation", crate::export::cloudformation(setup)?),
    };
    Ok(Outcome::success(match output {
        OutputFormat::Text => text,
        OutputFormat::Json => json_line(&serde_json::json!({"format": name, "content": text})),
    }))
}
