//! The `.gitlab-ci.yml` jobs a user adds, from the templates in `assets/`: the token-file way (the
//! default: any AWS SDK or CLI in the job assumes the role itself and refreshes) or the explicit
//! `aws sts assume-role-with-web-identity` export. Neither installs the AWS CLI: the `amazon/aws-cli`
//! image already has it (and is not Alpine).

use crate::plan::input::InputError;

const TOKEN_FILE: &str = include_str!("../assets/gitlab-ci-token-file.yml");
const ASSUME_ROLE: &str = include_str!("../assets/gitlab-ci-assume-role.yml");

/// The variable the role ARN is stored in, by default.
pub const DEFAULT_VARIABLE: &str = "ROLE_ARN";

/// The session length the explicit job asks for, at most the role's maximum.
pub const DEFAULT_DURATION: i32 = 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CiStyle {
    /// AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE: the SDKs and the CLI assume the role themselves.
    #[default]
    TokenFile,
    /// Export the credentials of `aws sts assume-role-with-web-identity`.
    AssumeRole,
}

/// A GitLab CI/CD variable name: letters, digits and `_`, 1–255 characters.
pub fn parse_variable(raw: &str) -> Result<String, InputError> {
    let ok = !raw.is_empty()
        && raw.len() <= 255
        && raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(raw.to_string())
    } else {
        Err(InputError::new(
            "--ci-variable",
            raw,
            "must be a GitLab variable name: letters, digits and _ (1 to 255)",
        ))
    }
}

/// The job, filled in. The audience is written as a quoted YAML string, whatever it contains.
pub fn job(style: CiStyle, audience: &str, variable: &str, role_max_session: i32) -> String {
    let template = match style {
        CiStyle::TokenFile => TOKEN_FILE,
        CiStyle::AssumeRole => ASSUME_ROLE,
    };
    let quoted = serde_json::to_string(audience).unwrap_or_else(|_| format!("\"{audience}\""));
    template
        .replace("{{AUDIENCE}}", &quoted)
        .replace("{{VARIABLE}}", variable)
        .replace(
            "{{DURATION}}",
            &DEFAULT_DURATION.min(role_max_session).to_string(),
        )
}

/// The token-file job (the default).
pub fn token_file_job(audience: &str, variable: &str) -> String {
    job(CiStyle::TokenFile, audience, variable, DEFAULT_DURATION)
}

/// What writing the job to `path` would do: nothing if it is already there, else write; a
/// different existing file needs `overwrite`.
pub fn write(
    path: &std::path::Path,
    content: &str,
    overwrite: bool,
) -> Result<&'static str, String> {
    match std::fs::read_to_string(path) {
        Ok(existing) if existing == content => Ok("unchanged"),
        Ok(_) if !overwrite => Err(format!(
            "{} exists with other content: not overwritten (--yes overwrites it)",
            path.display()
        )),
        _ => std::fs::write(path, content)
            .map(|()| "written")
            .map_err(|e| format!("{}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yaml_rust2::YamlLoader;

    fn aud_of(yaml: &str) -> String {
        let docs = YamlLoader::load_from_str(yaml).expect("valid YAML");
        docs[0]["deploy"]["id_tokens"]["GITLAB_OIDC_TOKEN"]["aud"]
            .as_str()
            .expect("aud")
            .to_string()
    }

    #[test]
    fn both_jobs_parse_and_carry_the_audience() {
        for style in [CiStyle::TokenFile, CiStyle::AssumeRole] {
            for aud in [
                "https://gitlab.com",
                "sts.amazonaws.com",
                "https://git.example.com/gitlab",
                "weird: #aud",
            ] {
                let yaml = job(style, aud, "ROLE_ARN", 3600);
                assert_eq!(aud_of(&yaml), aud, "{style:?}");
                assert!(!yaml.contains("{{"));
                assert!(!yaml.contains("apk"), "never installs the CLI with apk");
            }
        }
    }

    #[test]
    fn the_explicit_job_uses_the_variable_and_a_duration_within_the_role_maximum() {
        let yaml = job(
            CiStyle::AssumeRole,
            "https://gitlab.com",
            "DEPLOY_ROLE",
            7200,
        );
        let docs = YamlLoader::load_from_str(&yaml).unwrap();
        let script = docs[0]["deploy"]["script"][0].as_str().unwrap().to_string();
        assert!(script.contains("--role-arn \"$DEPLOY_ROLE\""), "{script}");
        assert!(script.contains("--duration-seconds 3600"));
        assert!(script.contains("--role-session-name \"gitlab-$CI_PROJECT_ID-$CI_PIPELINE_ID\""));
        let token = job(
            CiStyle::TokenFile,
            "https://gitlab.com",
            "DEPLOY_ROLE",
            3600,
        );
        let docs = YamlLoader::load_from_str(&token).unwrap();
        assert_eq!(
            docs[0]["deploy"]["variables"]["AWS_ROLE_ARN"].as_str(),
            Some("$DEPLOY_ROLE")
        );
    }

    #[test]
    fn variable_names() {
        assert!(parse_variable("ROLE_ARN").is_ok());
        assert!(parse_variable("role-arn").is_err());
        assert!(parse_variable("").is_err());
    }

    #[test]
    fn writing_never_overwrites_without_consent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".gitlab-ci.yml");
        assert_eq!(write(&path, "a", false), Ok("written"));
        assert_eq!(write(&path, "a", false), Ok("unchanged"));
        assert!(write(&path, "b", false).unwrap_err().contains("--yes"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a");
        assert_eq!(write(&path, "b", true), Ok("written"));
    }
}
