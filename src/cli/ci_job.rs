//! `ci-job`: print (or write) the .gitlab-ci.yml job that assumes the role. No AWS call.

use super::{CiJobArgs, CliError, GateArgs, Outcome, OutputFormat, json_body};
use crate::ci_job::CiStyle;
use crate::ci_job::gate::{self, AuditSource};
use crate::plan::input::{Audience, ProviderUrl};

/// The rules for the refs given (validated as apply validates them).
pub fn rules(
    refs: &[String],
    ref_type: crate::plan::input::RefType,
    protected: bool,
) -> Result<Vec<String>, CliError> {
    let refs = refs
        .iter()
        .map(|r| crate::plan::input::RefName::parse(r))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(r) = refs.iter().find(|r| r.as_str().contains(['"', '\''])) {
        return Err(CliError::usage(format!(
            "--ref {}: a ref with a quote cannot be written into the job's rules: safely; write the rules yourself, or leave the quoted ref out",
            crate::sanitize::inline(r.as_str())
        )));
    }
    Ok(crate::ci_job::rules(&refs, ref_type, protected))
}

pub fn run(
    audience: Option<&str>,
    provider_url: Option<&str>,
    ci: &CiJobArgs,
    gate: &GateArgs,
    rules: &[String],
    region: &str,
    output: OutputFormat,
) -> Result<Outcome, CliError> {
    let url = ProviderUrl::parse(provider_url.unwrap_or(crate::plan::DEFAULT_PROVIDER_URL))?;
    let audience = Audience::parse(audience.unwrap_or(url.as_str()))?;
    let variable = crate::ci_job::parse_variable(&ci.ci_variable)?;
    let style = ci.ci_job_style;
    let audit_files = [&gate.terraform_plan, &gate.trust_file, &gate.cloudformation];
    if audience.as_str().contains('$') {
        return Err(CliError::usage(
            "--audience: GitLab expands $ in a job's id_tokens; give the audience without it",
        ));
    }
    let misplaced = if gate.component && audit_files.iter().any(|f| f.is_some()) {
        Some(
            "--component is the job with inputs: set the file with its path input, not --terraform-plan, --trust-file or --cloudformation",
        )
    } else if style != CiStyle::SecretsManager && !gate.secret.is_empty() {
        Some("--secret is for --style secrets-manager")
    } else if style != CiStyle::Audit && (gate.component || audit_files.iter().any(|f| f.is_some()))
    {
        Some(
            "--component, --terraform-plan, --trust-file and --cloudformation are for --style audit",
        )
    } else if style == CiStyle::SecretsManager && gate.secret.is_empty() {
        Some(
            "--style secrets-manager needs a --secret VARIABLE=SECRET_ID (or VARIABLE=SECRET_ID#FIELD)",
        )
    } else {
        None
    };
    if let Some(why) = misplaced {
        return Err(CliError::usage(why));
    }
    let job = match style {
        CiStyle::TokenFile | CiStyle::AssumeRole => crate::ci_job::job_with_rules(
            style,
            audience.as_str(),
            &variable,
            crate::ci_job::DEFAULT_DURATION,
            rules,
            region,
        ),
        CiStyle::SecretsManager => {
            let secrets = gate
                .secret
                .iter()
                .map(|s| gate::parse_secret(s))
                .collect::<Result<Vec<_>, _>>()
                .map_err(CliError::usage)?;
            if let Some(s) = secrets
                .iter()
                .enumerate()
                .find(|(i, s)| secrets[..*i].iter().any(|o| o.variable == s.variable))
                .map(|(_, s)| s)
            {
                return Err(CliError::usage(format!(
                    "--secret {}: the variable is named twice",
                    s.variable
                )));
            }
            gate::secrets_job(audience.as_str(), &variable, region, rules, &secrets)
        }
        CiStyle::Audit if gate.component => gate::audit_component(),
        CiStyle::Audit => {
            let path = |flag: &str, p: &String| {
                gate::parse_repo_path(p).map_err(|e| CliError::usage(format!("{flag} {e}")))
            };
            let source = match (&gate.terraform_plan, &gate.trust_file, &gate.cloudformation) {
                (Some(p), _, _) => AuditSource::TerraformPlan(path("--terraform-plan", p)?),
                (_, Some(p), _) => AuditSource::TrustFile(path("--trust-file", p)?),
                (_, _, Some(p)) => AuditSource::CloudFormation(path("--cloudformation", p)?),
                _ => AuditSource::Account,
            };
            // The audit reads through a role of its own, not the deploy role, unless one is named.
            let role = if variable == crate::ci_job::DEFAULT_VARIABLE {
                gate::AUDIT_ROLE_VARIABLE
            } else {
                &variable
            };
            gate::audit_job(&source, audience.as_str(), role, region, gate.fail_on)
        }
    };
    let written = match &ci.write_ci_job {
        Some(path) => {
            let what = crate::ci_job::plan_write(path, &job, ci.overwrite)
                .and_then(|w| crate::ci_job::write(&w))
                .map_err(CliError::failed)?;
            say!("{what}");
            Some(path.display().to_string())
        }
        None => None,
    };
    Ok(Outcome::success(match (output, written) {
        // JSON: the job and where it went (null: printed only).
        (OutputFormat::Json, path) => json_body(&serde_json::json!({"path": path, "yaml": job})),
        (OutputFormat::Text, Some(_)) => String::new().into(),
        (OutputFormat::Text, None) => job.into(),
    }))
}
