//! Logs go to a file, never to the screen. `--log-file PATH` or `AWS_OIDC_WIZARD_LOG=<level>` turns
//! them on (level default `info`; file default `$XDG_STATE_HOME/aws-oidc-wizard/wizard.log`). Only
//! this program's own events are logged: the SDK's, which could carry request headers, are not.

use std::path::PathBuf;

use tracing_subscriber::EnvFilter;

pub const LEVEL_VAR: &str = "AWS_OIDC_WIZARD_LOG";

fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(base.join("aws-oidc-wizard").join("wizard.log"))
}

/// Start logging if asked to. Returns where to, or why not.
pub fn init(log_file: Option<PathBuf>) -> Result<Option<PathBuf>, String> {
    let level = std::env::var(LEVEL_VAR).ok().filter(|l| !l.is_empty());
    if log_file.is_none() && level.is_none() {
        return Ok(None);
    }
    let path = log_file
        .or_else(default_path)
        .ok_or("no place for the log file: set --log-file")?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| format!("cannot open the log file {}: {e}", path.display()))?;
    let level = level.unwrap_or_else(|| "info".to_string());
    let filter = EnvFilter::try_new(format!("aws_oidc_wizard={level}"))
        .map_err(|e| format!("{LEVEL_VAR}={level:?} is not a log level: {e}"))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init()
        .map_err(|e| e.to_string())?;
    Ok(Some(path))
}
