//! The config file on the command line: its values go into the parsed arguments wherever the
//! line did not give the flag (built-in default < config file < flag), and `config show` prints
//! the merge.

use clap::parser::ValueSource;
use serde_json::{Value, json};

use super::args::{CiJobArgs, Command, GitLabArgs, SetupArgs};
use super::{Body, CliError, Outcome, OutputFormat};
use crate::config::{Config, Loaded};

/// The arguments (clap ids) a config key stands for. A flag among them given on the command
/// line wins over the file.
pub const IDS: [&str; 11] = [
    "provider_url",
    "audience",
    "policies",
    "role_path",
    "permissions_boundary",
    "max_session_duration",
    "ci_variable",
    "variable_protected",
    "variable_masked",
    "variable_environment_scope",
    "ci_job_style",
];

/// The ids of `IDS` the subcommand's line gave as flags.
pub fn given(matches: &clap::ArgMatches) -> Vec<&'static str> {
    let Some((_, sub)) = matches.subcommand() else {
        return Vec::new();
    };
    IDS.into_iter()
        .filter(|id| {
            sub.try_contains_id(id).is_ok()
                && sub.value_source(id) == Some(ValueSource::CommandLine)
        })
        .collect()
}

/// Fill in from the file what the line did not give.
pub fn merge(command: &mut Command, given: &[&str], config: &Config) {
    let take = |id: &str| !given.contains(&id);
    match command {
        Command::Plan { setup, .. }
        | Command::Export {
            setup,
            from_role: None,
            ..
        } => setup_args(setup, &take, config),
        Command::Apply {
            setup,
            ci,
            gitlab,
            from_journal: false,
            ..
        } => {
            setup_args(setup, &take, config);
            ci_args(ci, &take, config);
            gitlab_args(gitlab, &take, config);
        }
        Command::CiJob {
            audience,
            provider_url,
            ci,
            ..
        } => {
            if take("audience") && audience.is_none() {
                audience.clone_from(&config.audience);
            }
            if take("provider_url") && provider_url.is_none() {
                provider_url.clone_from(&config.provider_url);
            }
            ci_args(ci, &take, config);
        }
        // A journal's answers and a role read from AWS are whole: no defaults go into them.
        _ => {}
    }
}

fn setup_args(s: &mut SetupArgs, take: &impl Fn(&str) -> bool, c: &Config) {
    let fill = |id: &str, field: &mut Option<String>, value: &Option<String>| {
        if take(id) && field.is_none() && value.is_some() {
            field.clone_from(value);
        }
    };
    fill("provider_url", &mut s.provider_url, &c.provider_url);
    fill("audience", &mut s.audience, &c.audience);
    fill("role_path", &mut s.role_path, &c.role_path);
    fill(
        "permissions_boundary",
        &mut s.permissions_boundary,
        &c.permissions_boundary,
    );
    fill(
        "max_session_duration",
        &mut s.max_session_duration,
        &c.max_session_duration.map(|n| n.to_string()),
    );
    if take("policies")
        && s.policies.is_empty()
        && let Some(p) = &c.policies
    {
        s.policies.clone_from(p);
    }
}

fn ci_args(ci: &mut CiJobArgs, take: &impl Fn(&str) -> bool, c: &Config) {
    if take("ci_variable")
        && let Some(name) = &c.variable.name
    {
        ci.ci_variable.clone_from(name);
    }
}

fn gitlab_args(g: &mut GitLabArgs, take: &impl Fn(&str) -> bool, c: &Config) {
    let v = &c.variable;
    if take("variable_protected")
        && let Some(b) = v.protected
    {
        g.variable_protected = b;
    }
    if take("variable_masked")
        && let Some(b) = v.masked
    {
        g.variable_masked = b;
    }
    if take("variable_environment_scope")
        && let Some(scope) = &v.environment_scope
    {
        g.variable_environment_scope.clone_from(scope);
    }
}

/// `config show`: every key, its value after the merge, and where it comes from.
pub fn show(
    loaded: &Loaded,
    default_path: Option<&std::path::Path>,
    output: OutputFormat,
) -> Result<Outcome, CliError> {
    let c = &loaded.config;
    let v = &c.variable;
    let rows: Vec<(&str, Value, Option<Value>)> = vec![
        (
            "provider_url",
            json!(crate::plan::DEFAULT_PROVIDER_URL),
            c.provider_url.as_ref().map(|x| json!(x)),
        ),
        (
            "audience",
            json!("(the provider URL)"),
            c.audience.as_ref().map(|x| json!(x)),
        ),
        ("policies", json!([]), c.policies.as_ref().map(|x| json!(x))),
        (
            "role_path",
            json!("/"),
            c.role_path.as_ref().map(|x| json!(x)),
        ),
        (
            "permissions_boundary",
            json!("(none)"),
            c.permissions_boundary.as_ref().map(|x| json!(x)),
        ),
        (
            "max_session_duration",
            json!(3600),
            c.max_session_duration.map(|x| json!(x)),
        ),
        (
            "variable.name",
            json!(crate::ci_job::DEFAULT_VARIABLE),
            v.name.as_ref().map(|x| json!(x)),
        ),
        (
            "variable.protected",
            json!(false),
            v.protected.map(|x| json!(x)),
        ),
        ("variable.masked", json!(false), v.masked.map(|x| json!(x))),
        (
            "variable.environment_scope",
            json!("*"),
            v.environment_scope.as_ref().map(|x| json!(x)),
        ),
    ];
    let path = loaded
        .path
        .as_deref()
        .or(default_path)
        .map(|p| p.display().to_string());
    match output {
        OutputFormat::Json => {
            let mut values = serde_json::Map::new();
            for (key, default, from_file) in rows {
                let source = if from_file.is_some() {
                    "config"
                } else {
                    "default"
                };
                values.insert(
                    key.to_string(),
                    json!({"value": from_file.unwrap_or(default), "source": source}),
                );
            }
            Ok(Outcome::success(Body::Json(json!({
                "path": path,
                "read": loaded.path.is_some(),
                "values": values,
            }))))
        }
        OutputFormat::Text => {
            let mut out = match (&loaded.path, &path) {
                (Some(p), _) => format!("# config file: {}\n", p.display()),
                (None, Some(p)) => {
                    format!("# no config file ({p} does not exist): built-in defaults\n")
                }
                (None, None) => "# no config file: built-in defaults\n".to_string(),
            };
            out.push_str("# flags given to a command win over these\n");
            for (key, default, from_file) in rows {
                let (value, source) = match from_file {
                    Some(v) => (v, "config file"),
                    None => (default, "default"),
                };
                out.push_str(&format!(
                    "{:<28} {:<40} # {source}\n",
                    format!("{key} ="),
                    value.to_string()
                ));
            }
            Ok(Outcome::success(Body::Text(out)))
        }
    }
}
