//! aws-oidc-wizard: trust GitLab CI/CD in AWS through OpenID Connect.
//!
//! `plan` holds the desired setup and its validation (pure), `aws` the only code that talks to AWS,
//! `engine` the idempotent steps, `cli` the scripted face and `output` its rendering, `tui` the
//! interactive wizard.
#![deny(clippy::unwrap_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::panic))]

pub mod aws;
pub mod check;
pub mod ci_job;
pub mod cli;
pub mod config;
pub mod destroy;
pub mod engine;
pub mod explain;
pub mod export;
pub mod files;
pub mod flow;
pub mod gitlab;
pub mod iam;
pub mod interrupt;
pub mod journal;
pub mod logging;
pub mod output;
pub mod plan;
pub mod preflight;
pub mod rollout;
pub mod sanitize;
pub mod setups;
pub mod tui;
pub mod verbosity;
pub mod verdict;

/// When the process started, for the startup-to-first-frame measurement.
pub fn started() -> std::time::Instant {
    static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    *STARTED.get_or_init(std::time::Instant::now)
}
