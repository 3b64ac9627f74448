//! `arn`: the role ARN of a setup this tool made, for a paste or a script
//! (`ROLE_ARN=$(aws-oidc-wizard arn)`). With one setup in the account no name is needed.

use super::{CliError, Outcome, OutputFormat, json_body};
use crate::aws::Aws;

pub async fn run<A: Aws>(
    aws: &A,
    role: Option<&str>,
    output: OutputFormat,
) -> Result<Outcome, CliError> {
    let arn = match role {
        // One GetRole: the name is known.
        Some(name) => {
            let found = aws
                .get_role(name)
                .await
                .map_err(crate::engine::EngineError::aws(crate::engine::Step::Role))?;
            let Some(found) = found else {
                return Err(CliError::failed(format!(
                    "there is no role {name} in this account"
                )));
            };
            if !crate::plan::is_managed(&found.tags) {
                say!("note: {name} was not made by aws-oidc-wizard (it has no managed-by tag)");
            }
            found.arn
        }
        None => {
            let setups = crate::setups::list(aws).await?;
            match &setups[..] {
                [] => {
                    return Err(CliError::failed(
                        "this account has no setup made by aws-oidc-wizard: run aws-oidc-wizard (or apply) to make one",
                    ));
                }
                [one] => one.arn.clone(),
                many => {
                    let names: Vec<&str> = many.iter().map(|s| s.role.as_str()).collect();
                    return Err(CliError::usage(format!(
                        "{} setups in this account ({}): name one with --role-name",
                        many.len(),
                        names.join(", ")
                    )));
                }
            }
        }
    };
    Ok(Outcome::success(match output {
        OutputFormat::Json => json_body(&serde_json::json!({ "role_arn": arn })),
        OutputFormat::Text => format!("{arn}\n").into(),
    }))
}
