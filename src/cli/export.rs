//! `export`: the setup as a Terraform module or a CloudFormation template, on stdout. The same
//! validation and refusals as `apply` (done by `setup::prepare`), its warnings on stderr, and no
//! AWS call.

use super::{CliError, Outcome, OutputFormat, SetupArgs, json_body};
use crate::aws::Aws;
use crate::engine::{EngineError, Step};
use crate::export::Format;
use crate::plan::Setup;
use crate::plan::input::{RoleName, is_admin_policy_arn};
use crate::plan::trust_view::TrustView;

/// `--from-role` reads the setup from the account: Terraform only, and no setup flags beside it.
pub fn validate_from_role(role: &str, format: Format, args: &SetupArgs) -> Result<(), CliError> {
    RoleName::parse(role)?;
    if format != Format::Terraform {
        return Err(CliError::usage(
            "--from-role writes Terraform (with import blocks); use --format terraform",
        ));
    }
    let input = args.to_input();
    if !input.projects.is_empty()
        || !input.refs.is_empty()
        || !input.policies.is_empty()
        || input.role_name.is_some()
        || input.provider_url.is_some()
        || input.audience.is_some()
    {
        return Err(CliError::usage(
            "--from-role reads the setup from the account: give no setup flags with it",
        ));
    }
    Ok(())
}

/// Read the role, its attached policies and the OIDC provider it trusts; print the module.
pub async fn from_role<A: Aws>(
    aws: &A,
    name: &str,
    output: OutputFormat,
) -> Result<Outcome, CliError> {
    // Side by side: one round trip for all (a missing role makes the others fail, unused).
    let (role, attached, inline) = tokio::join!(
        aws.get_role(name),
        aws.list_attached_policies(name),
        aws.list_inline_policies(name)
    );
    let Some(role) = role.map_err(EngineError::aws(Step::Role))? else {
        return Err(EngineError::RoleNotFound {
            name: name.to_string(),
        }
        .into());
    };
    let attached = attached.map_err(EngineError::aws(Step::Permissions))?;
    let inline = inline.map_err(EngineError::aws(Step::Permissions))?;
    if !inline.is_empty() {
        say!(
            "warning: role {name} has inline policies ({}): the module does not hold them, so the role it describes has fewer permissions than this one",
            inline.join(", ")
        );
    }
    let mut provider = None;
    for arn in TrustView::read(&role.trust_policy).oidc_providers() {
        if let Some(p) = aws
            .get_oidc_provider(&arn)
            .await
            .map_err(EngineError::aws(Step::Provider))?
        {
            provider = Some(p);
            break;
        }
    }
    let Some(provider) = provider else {
        return Err(CliError::failed(format!(
            "role {name} trusts no OIDC provider of this account: there is no GitLab setup to export"
        )));
    };
    // `jsonencode` writes one reading: say which, where IAM's own is not documented.
    if role.trust_ambiguity.is_ambiguous() {
        say!(
            "warning: role {name}'s trust policy repeats a key in one JSON object; the module writes it with each repeated key's last value, which IAM does not document as its reading (`check --role-name {name}` shows what each reading admits)"
        );
    }
    let text = crate::export::terraform_of(&role, &attached, Some(&provider));
    Ok(Outcome::success(match output {
        OutputFormat::Text => text.into(),
        OutputFormat::Json => {
            json_body(&serde_json::json!({"format": "terraform", "content": text}))
        }
    }))
}

pub fn run(setup: &Setup, format: Format, output: OutputFormat) -> Result<Outcome, CliError> {
    let trust = setup.trust("aws", "000000000000")?;
    for w in &trust.warnings {
        say!("warning: {w}");
    }
    for p in setup
        .policies
        .iter()
        .filter(|p| is_admin_policy_arn(&p.likely_arn("aws")))
    {
        say!("warning: {}", crate::plan::input::admin_warning(p.name()));
    }
    let (name, text) = match format {
        Format::Terraform => ("terraform", crate::export::terraform(setup)?),
        Format::Cloudformation => ("cloudformation", crate::export::cloudformation(setup)?),
    };
    Ok(Outcome::success(match output {
        OutputFormat::Text => text.into(),
        OutputFormat::Json => json_body(&serde_json::json!({"format": name, "content": text})),
    }))
}
