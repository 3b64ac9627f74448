//! The `.gitlab-ci.yml` jobs a user adds, from the templates in `assets/`.

const TOKEN_FILE: &str = include_str!("../assets/gitlab-ci-token-file.yml");
const ASSUME_ROLE: &str = include_str!("../assets/gitlab-ci-assume-role.yml");

/// The variable the role ARN is stored in, by default.
pub const DEFAULT_VARIABLE: &str = "ROLE_ARN";

fn fill(template: &str, audience: &str, variable: &str, duration: i32) -> String {
    template
        .replace("{{AUDIENCE}}", audience)
        .replace("{{VARIABLE}}", variable)
        .replace("{{DURATION}}", &duration.to_string())
}

/// The token-file way: any AWS SDK or CLI in the job assumes the role itself and refreshes.
pub fn token_file_job(audience: &str, variable: &str) -> String {
    fill(TOKEN_FILE, audience, variable, 3600)
}

/// The explicit way: export the credentials of `aws sts assume-role-with-web-identity`.
pub fn assume_role_job(audience: &str, variable: &str, duration: i32) -> String {
    fill(ASSUME_ROLE, audience, variable, duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_filled_and_never_install_the_cli_with_apk() {
        let a = token_file_job("https://gitlab.example.com", "ROLE_ARN");
        assert!(a.contains("aud: https://gitlab.example.com"));
        assert!(a.contains("AWS_ROLE_ARN: $ROLE_ARN"));
        let b = assume_role_job("sts.amazonaws.com", "DEPLOY_ROLE", 7200);
        assert!(b.contains("--role-arn \"$DEPLOY_ROLE\""));
        assert!(b.contains("--duration-seconds 7200"));
        for job in [a, b] {
            assert!(!job.contains("{{"));
            assert!(!job.contains("apk"));
        }
    }
}
