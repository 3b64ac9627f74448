//! `explain`: why AWS would refuse (or accept) a GitLab ID token for a role.

use super::{CliError, ExplainArgs, Outcome, OutputFormat, json_body};
use crate::aws::Aws;
use crate::explain::{Claims, RequestKeys};
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

/// `--context KEY=VALUE`: only keys the caller or AWS sets, each value held to its key's form.
/// Checked before AWS is touched.
pub fn request_keys(args: &ExplainArgs) -> Result<RequestKeys, CliError> {
    let mut out = RequestKeys::new();
    for pair in &args.context {
        let bad = |why: &str| CliError::usage(format!("--context {pair:?}: {why}"));
        let Some((key, value)) = pair.split_once('=') else {
            return Err(bad("write it as KEY=VALUE, e.g. aws:SourceIp=203.0.113.7"));
        };
        let Some(known) = crate::check::REQUEST_KEYS
            .iter()
            .find(|k| k.eq_ignore_ascii_case(key.trim()))
        else {
            return Err(bad(&format!(
                "not a key the caller or AWS sets (one of {})",
                crate::check::REQUEST_KEYS.join(", ")
            )));
        };
        let ok = match *known {
            "aws:SourceIp" => value.parse::<std::net::IpAddr>().is_ok(),
            "aws:CurrentTime" => crate::iam::condition::date(value).is_some(),
            _ => !value.is_empty() && !value.chars().any(char::is_control),
        };
        if !ok {
            return Err(bad(&format!("{value:?} is not a value {known} can take")));
        }
        out.insert(known.to_string(), value.to_string());
    }
    Ok(out)
}

pub async fn run<A: Aws>(
    aws: &A,
    role: &str,
    claims: &Claims,
    request_keys: &RequestKeys,
    output: OutputFormat,
) -> Result<Outcome, CliError> {
    let explanation = crate::explain::explain_live(aws, role, claims, request_keys).await?;
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
