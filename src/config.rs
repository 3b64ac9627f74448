//! The config file: defaults a team repeats (provider, audience, policies, role path, boundary,
//! session length, the CI/CD variable's options), read from `--config PATH` or
//! `$XDG_CONFIG_HOME/aws-oidc-wizard/config.toml` (`~/.config/…`). A flag given on the command
//! line wins over the file, and the file over the built-in defaults. Parsing only: where the
//! values go is the command line's business (`cli::config`).

use crate::plan::input::Answer;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The file's keys. An unknown key is an error (a typo must not be silently ignored).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// As `--provider-url`.
    pub provider_url: Option<String>,
    /// As `--audience`.
    pub audience: Option<String>,
    /// As `--policy`, each (used when no `--policy` is given).
    pub policies: Option<Vec<String>>,
    /// As `--role-path`.
    pub role_path: Option<String>,
    /// As `--permissions-boundary`.
    pub permissions_boundary: Option<String>,
    /// As `--max-session-duration`, in seconds.
    pub max_session_duration: Option<u32>,
    /// The GitLab CI/CD variable.
    #[serde(default)]
    pub variable: VariableConfig,
}

/// `[variable]`: the CI/CD variable the ARN is stored in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VariableConfig {
    /// As `--ci-variable`.
    pub name: Option<String>,
    /// As `--variable-protected`.
    pub protected: Option<bool>,
    /// As `--variable-masked`.
    pub masked: Option<bool>,
    /// As `--variable-environment-scope`.
    pub environment_scope: Option<String>,
}

/// Where the file is looked for when `--config` is not given.
pub fn default_path(env: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let base = env("XDG_CONFIG_HOME")
        .filter(|d| Path::new(d).is_absolute())
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| Path::new(&h).join(".config")))?;
    Some(base.join("aws-oidc-wizard").join("config.toml"))
}

/// The file that was read, and what it holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Loaded {
    /// `None`: no file (the default path does not exist); the defaults stand.
    pub path: Option<PathBuf>,
    pub config: Config,
}

/// Read the config. `given`: `--config PATH`, which must exist; without it, the default path,
/// which may be absent. An error is one line naming the file.
pub fn load(given: Option<&Path>, default: Option<PathBuf>) -> Result<Loaded, String> {
    let (path, required) = match given {
        Some(p) => (p.to_path_buf(), true),
        None => match default {
            Some(p) => (p, false),
            None => return Ok(Loaded::default()),
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
            return Ok(Loaded::default());
        }
        Err(e) => return Err(format!("config file {}: {e}", path.display())),
    };
    let config = parse(&text).map_err(|e| format!("config file {}: {e}", path.display()))?;
    if let Err((key, rule)) = check_values(&config) {
        let line = text
            .lines()
            .position(|l| l.trim_start().starts_with(key))
            .map(|i| format!(" (line {})", i + 1))
            .unwrap_or_default();
        return Err(format!(
            "config file {}: {key}{line}: {rule}",
            path.display()
        ));
    }
    if let Some(name) = &config.variable.name
        && crate::ci_job::parse_variable(name).is_err()
    {
        return Err(format!(
            "config file {}: [variable] name {name:?}: must be a GitLab variable name: letters, digits and _ (1 to 255)",
            path.display()
        ));
    }
    Ok(Loaded {
        path: Some(path),
        config,
    })
}

/// The values held to the rules their flags have, when the file is read: a bad one is named by
/// its key (not by a flag the user never typed). The error: the key and the rule broken.
fn check_values(c: &Config) -> Result<(), (&'static str, String)> {
    let input = crate::plan::SetupInput {
        provider_url: c.provider_url.clone(),
        audience: c.audience.clone(),
        policies: c.policies.clone().unwrap_or_default(),
        role_path: c.role_path.clone(),
        permissions_boundary: c.permissions_boundary.clone(),
        max_session_duration: c.max_session_duration.map(|n| n.to_string()),
        // Stand-ins for what a setup needs and a config file does not hold.
        projects: vec!["group/project".to_string()],
        role_name: Some("role".to_string()),
        ..Default::default()
    };
    let Err(e) = input.validate() else {
        return Ok(());
    };
    let key = match e.answer {
        Answer::ProviderUrl => "provider_url",
        Answer::Audience => "audience",
        Answer::Policy => "policies",
        Answer::RolePath => "role_path",
        Answer::PermissionsBoundary => "permissions_boundary",
        Answer::MaxSessionDuration => "max_session_duration",
        _ => return Ok(()),
    };
    Err((key, format!("{:?}: {}", e.value, e.rule)))
}

/// Parse the file's text; the error is one line (TOML's own message, folded).
pub fn parse(text: &str) -> Result<Config, String> {
    toml::from_str(text).map_err(|e| {
        e.message()
            .lines()
            .next()
            .unwrap_or("not valid TOML")
            .to_string()
            + &e.span()
                .map(|s| {
                    let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                    let shown = text.lines().nth(line - 1).unwrap_or_default().trim();
                    format!(" (line {line}: {shown})")
                })
                .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_team_file_parses_and_a_typo_is_an_error_with_its_line() {
        let c = parse(
            "provider_url = \"https://gitlab.example.com\"\npolicies = [\"ReadOnlyAccess\"]\nrole_path = \"/ci/\"\nmax_session_duration = 7200\n[variable]\nname = \"DEPLOY_ROLE\"\nprotected = true\n",
        )
        .unwrap();
        assert_eq!(
            c.provider_url.as_deref(),
            Some("https://gitlab.example.com")
        );
        assert_eq!(c.policies, Some(vec!["ReadOnlyAccess".to_string()]));
        assert_eq!(c.max_session_duration, Some(7200));
        assert_eq!(c.variable.name.as_deref(), Some("DEPLOY_ROLE"));
        assert_eq!(c.variable.protected, Some(true));
        let e = parse("audience = \"x\"\npolicy = [\"ReadOnlyAccess\"]\n").unwrap_err();
        assert!(e.contains("policy") && e.contains("line 2"), "{e}");
        let e = parse("max_session_duration = \"long\"\n").unwrap_err();
        assert!(e.contains("line 1"), "{e}");
        assert_eq!(parse("").unwrap(), Config::default());
    }

    #[test]
    fn the_default_path_follows_xdg_then_home() {
        let env = |k: &str| match k {
            "XDG_CONFIG_HOME" => Some("/x/conf".to_string()),
            "HOME" => Some("/home/u".to_string()),
            _ => None,
        };
        assert_eq!(
            default_path(env),
            Some(PathBuf::from("/x/conf/aws-oidc-wizard/config.toml"))
        );
        let home = |k: &str| (k == "HOME").then(|| "/home/u".to_string());
        assert_eq!(
            default_path(home),
            Some(PathBuf::from("/home/u/.config/aws-oidc-wizard/config.toml"))
        );
        // A relative XDG_CONFIG_HOME is ignored, as the spec says.
        let relative = |k: &str| Some(if k == "HOME" { "/home/u" } else { "rel" }.to_string());
        assert_eq!(
            default_path(relative),
            Some(PathBuf::from("/home/u/.config/aws-oidc-wizard/config.toml"))
        );
    }

    #[test]
    fn a_missing_default_file_is_no_config_but_a_missing_given_one_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let absent = dir.path().join("nope.toml");
        assert_eq!(load(None, Some(absent.clone())).unwrap(), Loaded::default());
        let e = load(Some(&absent), None).unwrap_err();
        assert!(e.contains("nope.toml"), "{e}");
        // A value that breaks its flag's rule is named by its key and line.
        let path = dir.path().join("path.toml");
        std::fs::write(&path, "audience = \"x\"\nrole_path = \"ci\"\n").unwrap();
        let e = load(Some(&path), None).unwrap_err();
        assert!(e.contains("role_path (line 2): \"ci\""), "{e}");
        assert!(!e.contains("--role-path"), "{e}");
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, "[variable]\nname = \"ROLE-ARN\"\n").unwrap();
        let e = load(Some(&bad), None).unwrap_err();
        assert!(e.contains("[variable] name \"ROLE-ARN\""), "{e}");
    }
}
