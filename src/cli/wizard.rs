//! No command: the interactive wizard, drawn on the terminal; the ARN goes to stdout on quit.

use std::io::IsTerminal;

use super::{CliError, Outcome};
use crate::aws::sdk::ConnectOptions;
use crate::tui::app::End;

pub async fn run(
    options: ConnectOptions,
    gitlab_url: Option<String>,
    defaults: &crate::config::Config,
    json: bool,
) -> (Result<Outcome, CliError>, bool) {
    let demo = options.demo;
    if !std::io::stdin().is_terminal() || !super::exit::stderr_is_terminal() {
        return (
            Err(CliError::usage(
                "the wizard needs a terminal; in scripts use `aws-oidc-wizard plan` or `apply` (see --help)",
            )),
            demo,
        );
    }
    tracing::info!("wizard started");
    let (end, demo) = match crate::tui::run(options, gitlab_url, defaults).await {
        Ok((end, demo)) => (end, demo),
        Err(e) => {
            return (
                Err(CliError::failed(format!("the terminal failed: {e}"))),
                demo,
            );
        }
    };
    let result = match end {
        End::Arn(arn) if json => Ok(Outcome::success(serde_json::json!({"role_arn": arn}))),
        End::Arn(arn) => Ok(Outcome::success(format!("{arn}\n"))),
        End::Arns(arns) if json => Ok(Outcome::success(serde_json::json!({"role_arns": arns}))),
        End::Arns(arns) => Ok(Outcome::success(
            arns.iter().map(|a| format!("{a}\n")).collect::<String>(),
        )),
        End::TaskDone => Ok(Outcome::success("")),
        End::Nothing => Err(CliError::no_result(
            "quit before a setup was finished: nothing to print",
        )),
        End::NotApplied(why) => Err(CliError::no_result(why)),
        End::Interrupted(None) => Err(CliError::interrupted()),
        End::Interrupted(Some(why)) => Err(CliError::interrupted_because(why)),
    };
    (result, demo)
}
