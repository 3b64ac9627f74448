//! The jobs that do not assume the role for a deploy:
//! - the merge request audit (`ci-job --style audit`, `assets/gitlab-ci-audit.yml`): `check` on a
//!   Terraform plan, a trust file, a CloudFormation template or the account, with the Code Quality
//!   report uploaded; the same job as a CI/CD component (`spec: inputs:`, then the job);
//! - the secrets job (`ci-job --style secrets-manager`, `assets/gitlab-ci-secrets.yml`): the
//!   runner reads AWS Secrets Manager through the ID token (`secrets: aws_secrets_manager`).

const AUDIT: &str = include_str!("../../assets/gitlab-ci-audit.yml");
const SECRETS: &str = include_str!("../../assets/gitlab-ci-secrets.yml");

/// The image the audit job builds the tool in when its image does not have it: the toolchain the
/// tool is built with (`rust-version`).
pub const AUDIT_IMAGE: &str = "rust:1.95-slim";

/// The CI/CD variable the audit job takes its (read-only) role from, unless one is named.
pub const AUDIT_ROLE_VARIABLE: &str = "AWS_OIDC_AUDIT_ROLE_ARN";

/// What the audit job audits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditSource {
    TerraformPlan(String),
    TrustFile(String),
    CloudFormation(String),
    /// Every role of the account, read through a role the job assumes.
    Account,
}

impl AuditSource {
    /// `check`'s flag for it (without `--`), and the file.
    fn parts(&self) -> (&'static str, &str) {
        match self {
            AuditSource::TerraformPlan(p) => ("terraform-plan", p),
            AuditSource::TrustFile(p) => ("trust-file", p),
            AuditSource::CloudFormation(p) => ("cloudformation", p),
            AuditSource::Account => ("account", ""),
        }
    }
}

/// A path in the repository a job reads: relative, no `$` (GitLab would expand it), no control
/// character, no `..` step out of the checkout.
pub fn parse_repo_path(raw: &str) -> Result<String, String> {
    let bad = |why: &str| Err(format!("{}: {why}", crate::sanitize::json(&raw)));
    if raw.is_empty() || raw.len() > 1024 {
        return bad("must be a path in the repository (1 to 1024 characters)");
    }
    if raw.starts_with('/') || raw.split('/').any(|s| s == "..") {
        return bad("must be a path inside the repository (relative, without ..)");
    }
    if raw.contains('$') || raw.chars().any(char::is_control) {
        return bad("must not hold $ (GitLab expands variables in it) or control characters");
    }
    Ok(raw.to_string())
}

fn quoted(s: &str) -> String {
    crate::sanitize::yaml_quoted(s)
}

/// The audit job, filled in. `role_arn_variable`: the CI/CD variable with the (read-only) role the
/// account audit assumes.
pub fn audit_job(
    source: &AuditSource,
    audience: &str,
    role_arn_variable: &str,
    region: &str,
    fail_on: crate::check::Severity,
) -> String {
    let (flag, path) = source.parts();
    let fail_on = format!("{fail_on:?}").to_lowercase();
    AUDIT
        .replace("{{STAGE}}", "test")
        .replace("{{IMAGE}}", &quoted(AUDIT_IMAGE))
        .replace("{{AUDIENCE}}", &quoted(audience))
        .replace("{{SOURCE}}", flag)
        .replace("{{PATH}}", &quoted(path))
        .replace("{{FAIL_ON}}", &fail_on)
        .replace("{{ROLE_ARN}}", &format!("${role_arn_variable}"))
        .replace("{{REGION}}", region)
        .replace("{{VERSION}}", env!("CARGO_PKG_VERSION"))
}

/// The audit job as a CI/CD component: a `spec: inputs:` header, `---`, then the very job of
/// [`audit_job`] with each setting an input. `assets/component/templates/aws-oidc-audit.yml` is
/// this text (a test holds it).
pub fn audit_component() -> String {
    let input = |name: &str| format!("$[[ inputs.{name} ]]");
    let job = AUDIT
        .replace("{{STAGE}}", &input("stage"))
        .replace("{{IMAGE}}", &input("image"))
        .replace("{{AUDIENCE}}", &input("audience"))
        .replace("{{SOURCE}}", &input("source"))
        .replace("{{PATH}}", &quoted(&input("path")))
        .replace("{{FAIL_ON}}", &input("fail_on"))
        .replace("{{ROLE_ARN}}", &input("role_arn"))
        .replace("{{REGION}}", &input("region"))
        .replace("{{VERSION}}", &input("version"));
    let version = env!("CARGO_PKG_VERSION");
    format!(
        "# Made by aws-oidc-wizard {version} (`aws-oidc-wizard ci-job --style audit --component`).
spec:
  description: \"Audit the IAM roles GitLab CI/CD assumes through OIDC in merge requests, before apply: findings in the Code Quality widget (aws-oidc-wizard check)\"
  inputs:
    stage:
      default: test
    source:
      description: \"terraform-plan, trust-file or cloudformation (the file at path, read before apply, without AWS), or account (every role, read through role_arn)\"
      default: terraform-plan
      options: [terraform-plan, trust-file, cloudformation, account]
    path:
      description: \"The file to audit, from the repository's root (for terraform-plan: the output of terraform show -json PLANFILE, e.g. an artifact of the plan job)\"
      default: plan.json
    fail_on:
      description: The job fails on a finding at or above this severity.
      default: medium
      options: [critical, high, medium, low]
    audience:
      description: \"The ID token's audience (account only): the one the role's trust asks for\"
      default: {audience}
    role_arn:
      description: \"account only: a role that may read IAM and nothing else\"
      default: \"${AUDIT_ROLE_VARIABLE}\"
    region:
      default: {region}
    image:
      description: \"An image with aws-oidc-wizard on PATH, or one with cargo to build it in\"
      default: {image}
    version:
      description: The aws-oidc-wizard version built when the image does not have it.
      default: \"{version}\"
---
{job}",
        audience = quoted(crate::plan::DEFAULT_PROVIDER_URL),
        region = super::DEFAULT_REGION,
        image = quoted(AUDIT_IMAGE),
    )
}

/// One secret the secrets job reads: the variable it lands in, the secret's ARN or name, and the
/// JSON field of it, if one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    pub variable: String,
    pub id: String,
    pub field: Option<String>,
}

/// `VARIABLE=SECRET_ID` or `VARIABLE=SECRET_ID#FIELD` (a secret's name or ARN never holds `#`).
pub fn parse_secret(raw: &str) -> Result<Secret, String> {
    let bad = |why: &str| Err(format!("--secret {}: {why}", crate::sanitize::json(&raw)));
    let Some((variable, rest)) = raw.split_once('=') else {
        return bad("must be VARIABLE=SECRET_ID (or VARIABLE=SECRET_ID#FIELD)");
    };
    if super::parse_variable(variable).is_err() {
        return bad(
            "the variable must be a GitLab variable name (letters, digits and _, 1 to 255), none the job or GitLab sets itself",
        );
    }
    let (id, field) = match rest.split_once('#') {
        Some((id, field)) => (id, Some(field)),
        None => (rest, None),
    };
    // Secrets Manager's names: letters, digits and /_+=.@- (an ARN adds : ); 1 to 2048.
    let ok_id = !id.is_empty()
        && id.len() <= 2048
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_+=.@-:".contains(c));
    if !ok_id {
        return bad("the secret must be its name or ARN: letters, digits and /_+=.@-:");
    }
    if let Some(f) = field
        && (f.is_empty() || f.contains('$') || f.chars().any(char::is_control))
    {
        return bad("the field must be a JSON key of the secret, without $");
    }
    Ok(Secret {
        variable: variable.to_string(),
        id: id.to_string(),
        field: field.map(str::to_string),
    })
}

/// The secrets job, filled in (at least one secret).
pub fn secrets_job(
    audience: &str,
    variable: &str,
    region: &str,
    rules: &[String],
    secrets: &[Secret],
) -> String {
    let mut listed = String::new();
    let mut files = String::new();
    for s in secrets {
        listed.push_str(&format!(
            "    {}:\n      aws_secrets_manager:\n        secret_id: {}\n",
            s.variable,
            quoted(&s.id)
        ));
        if let Some(f) = &s.field {
            listed.push_str(&format!("        field: {}\n", quoted(f)));
        }
        listed.push_str("      token: $AWS_ID_TOKEN\n");
        if !files.is_empty() {
            files.push_str(" && ");
        }
        files.push_str(&format!("test -s \"${}\"", s.variable));
    }
    SECRETS
        .replace("  {{RULES}}\n", &super::rules_block(rules))
        .replace("{{AUDIENCE}}", &quoted(audience))
        .replace("{{VARIABLE}}", variable)
        .replace("{{REGION}}", region)
        .replace("{{SECRETS}}\n", &listed)
        .replace("{{SECRET_FILES}}", &files)
}

#[cfg(test)]
#[path = "gate_tests.rs"]
mod tests;
