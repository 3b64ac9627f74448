//! `explain`: why AWS would refuse (or accept) a GitLab ID token for a role.

use super::{CliError, ExplainArgs, Outcome, OutputFormat, json_body};
use crate::aws::Aws;
use crate::explain::Claims;
use crate::flow::claims::{ClaimsError, ClaimsSource, read_claims};
use crate::plan::input::RoleName;

/// The claims from `--claims FILE` or `--token JWT|-` (stdin: not in the process list); bad input
/// is exit code 2. Checked before AWS is touched.
pub fn claims(args: &ExplainArgs) -> Result<Claims, CliError> {
    RoleName::parse(&args.role_name)?;
    let source = match (&args.claims, args.token.as_deref()) {
        (Some(path), _) => ClaimsSource::File(path.clone()),
        (None, Some("-")) => {
            let mut token = String::new();
            std::io::stdin()
                .read_line(&mut token)
                .map_err(|e| CliError::usage(format!("--token -: cannot read stdin: {e}")))?;
            ClaimsSource::Token(token)
        }
        (None, Some(token)) => ClaimsSource::Token(token.to_string()),
        (None, None) => return Err(CliError::usage("give --claims FILE or --token JWT")),
    };
    read_claims(&source).map_err(|e| {
        let flag = match e {
            ClaimsError::NotAToken { .. } => "--token",
            _ => "--claims",
        };
        CliError::usage(format!("{flag} {e}"))
    })
}

pub async fn run<A: Aws>(
    aws: &A,
    role: &str,
    claims: &Claims,
    output: OutputFormat,
) -> Result<Outcome, CliError> {
    let explanation = crate::explain::explain_live(aws, role, claims).await?;
    let stdout = match output {
        OutputFormat::Text => crate::explain::text(&explanation).into(),
        OutputFormat::Json => json_body(&explanation),
    };
    Ok(if explanation.allowed {
        Outcome::success(stdout)
    } else {
        Outcome::negative(stdout)
    })
}
