//! `ci-job`: print (or write) the .gitlab-ci.yml job that assumes the role. No AWS call.

use super::{CiJobArgs, CliError, Outcome, OutputFormat, json_body};
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
    Ok(crate::ci_job::rules(&refs, ref_type, protected))
}

pub fn run(
    audience: Option<&str>,
    provider_url: Option<&str>,
    ci: &CiJobArgs,
    rules: &[String],
    region: &str,
    output: OutputFormat,
) -> Result<Outcome, CliError> {
    let url = ProviderUrl::parse(provider_url.unwrap_or(crate::plan::DEFAULT_PROVIDER_URL))?;
    let audience = Audience::parse(audience.unwrap_or(url.as_str()))?;
    let variable = crate::ci_job::parse_variable(&ci.ci_variable)?;
    let job = crate::ci_job::job_with_rules(
        ci.ci_job_style,
        audience.as_str(),
        &variable,
        crate::ci_job::DEFAULT_DURATION,
        rules,
        region,
    );
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
