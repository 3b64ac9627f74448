//! `explain`: why would AWS refuse (or accept) this GitLab ID token for this role? Decodes the
//! token's claims (the signature is not verified; AWS does that), then checks the issuer, audience
//! and expiry against the provider and evaluates every trust-policy condition with IAM's semantics.
//! The token itself is never logged or stored.

pub mod eval;

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::aws::{Aws, OidcProvider};
use crate::engine::{EngineError, Step};
use crate::plan::input::InputError;
use crate::plan::trust_view::{Effect, Statement, TrustView, provider_host, supported_claims};
use crate::verdict::Check;
pub use eval::ConditionResult;

/// The claims of a token (or of a claims file).
pub type Claims = Map<String, Value>;

/// Decode a JWT's payload without verifying it. Errors name `--token`.
pub fn decode_token(token: &str) -> Result<Claims, InputError> {
    let err = |rule: &str| InputError::new("--token", "(the token, not shown)", rule);
    let token = token.trim();
    let mut parts = token.split('.');
    let (Some(_header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(err(
            "is not a JWT: expected three base64url parts separated by '.'",
        ));
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| err("has a payload that is not base64url"))?;
    parse_claims(&bytes).map_err(|e| err(&e))
}

/// Parse a claims object (JSON).
pub fn parse_claims(bytes: &[u8]) -> Result<Claims, String> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("the claims are not a JSON object".to_string()),
        Err(e) => Err(format!("the claims are not valid JSON: {e}")),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementResult {
    pub index: usize,
    pub effect: String,
    /// Whether the statement applies to web-identity role assumption through this provider.
    pub applies: bool,
    pub conditions: Vec<ConditionResult>,
    /// All its conditions hold.
    pub matched: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub role: String,
    pub provider_arn: Option<String>,
    pub provider_url: Option<String>,
    pub signature_verified: bool,
    pub checks: Vec<Check>,
    pub statements: Vec<StatementResult>,
    /// Whether AWS would let this token assume the role (as far as claims tell).
    pub allowed: bool,
}

fn as_list(v: Option<&Value>) -> Vec<String> {
    v.map(eval::claim_values).unwrap_or_default()
}

fn statement_applies(s: &Statement, provider_arn: &str) -> bool {
    let action_ok = !s.actions.negated
        && s.actions
            .patterns
            .iter()
            .any(|a| a == "sts:AssumeRoleWithWebIdentity" || a == "sts:*" || a == "*");
    action_ok
        && s.principal
            .federated
            .iter()
            .any(|f| f == provider_arn || f == "*")
}

/// Explain `claims` against a role's trust policy and its provider. Pure: `now` is given.
pub fn explain(
    role: &str,
    trust_policy: &Value,
    provider: Option<&OidcProvider>,
    claims: &Claims,
    now: u64,
) -> Explanation {
    let mut checks = Vec::new();
    let host_path = provider.map(|p| provider_host(&p.arn).to_string());
    let provider_url = host_path.as_ref().map(|h| format!("https://{h}"));

    match (&provider_url, claims.get("iss").and_then(Value::as_str)) {
        (Some(url), Some(iss)) if iss == url => checks.push(Check {
            name: "iss",
            passed: true,
            detail: format!("{iss:?} equals the provider URL"),
        }),
        (Some(url), Some(iss)) => checks.push(Check {
            name: "iss",
            passed: false,
            detail: format!(
                "{iss:?} is not the provider URL {url:?}: IAM matches the issuer exactly (scheme, host, path, trailing slash)"
            ),
        }),
        (_, None) => checks.push(Check {
            name: "iss",
            passed: false,
            detail: "the token has no iss claim".to_string(),
        }),
        (None, Some(iss)) => checks.push(Check {
            name: "iss",
            passed: false,
            detail: format!("no OIDC provider for {iss:?} is named by the role's trust policy, or it does not exist"),
        }),
    }
    if let Some(p) = provider {
        let auds = as_list(claims.get("aud"));
        let registered = auds.iter().find(|a| p.client_ids.contains(a));
        checks.push(match registered {
            Some(a) => Check {
                name: "aud",
                passed: true,
                detail: format!("{a:?} is one of the provider's audiences"),
            },
            None => Check {
                name: "aud",
                passed: false,
                detail: format!(
                    "{} is not among the provider's audiences ({}): add it to the provider, or set id_tokens aud to one of them",
                    if auds.is_empty() { "(no aud)".to_string() } else { format!("{:?}", auds.join(", ")) },
                    p.client_ids.join(", ")
                ),
            },
        });
    }
    checks.push(match claims.get("exp").and_then(Value::as_u64) {
        Some(exp) if exp > now => Check {
            name: "exp",
            passed: true,
            detail: format!("valid for {} more", duration_words(exp - now)),
        },
        Some(exp) => Check {
            name: "exp",
            passed: false,
            detail: format!(
                "expired {} ago (GitLab tokens live as long as the job; use one from a running job)",
                duration_words(now - exp)
            ),
        },
        None => Check {
            name: "exp",
            passed: false,
            detail: "the token has no exp claim".to_string(),
        },
    });

    let supported = supported_claims(host_path.as_deref().unwrap_or(""));
    let prefix = host_path.as_ref().map(|h| format!("{h}:"));
    let claim_of = |key: &str| -> Option<String> {
        let claim = key.strip_prefix(prefix.as_deref()?)?;
        supported.contains(&claim).then(|| claim.to_string())
    };

    let provider_arn = provider.map(|p| p.arn.clone()).unwrap_or_default();
    let statements: Vec<StatementResult> = TrustView::read(trust_policy)
        .statements
        .iter()
        .map(|s| {
            let applies = statement_applies(s, &provider_arn);
            let conditions: Vec<ConditionResult> = s
                .conditions
                .iter()
                .map(|c| eval::evaluate(c, claims, &claim_of))
                .collect();
            StatementResult {
                index: s.index,
                effect: s.effect.as_str().to_string(),
                applies,
                matched: applies && conditions.iter().all(|c| c.passed),
                conditions,
            }
        })
        .collect();
    let allowed_by_policy = statements
        .iter()
        .any(|s| s.matched && s.effect == Effect::Allow.as_str())
        && !statements
            .iter()
            .any(|s| s.matched && s.effect == Effect::Deny.as_str());
    let allowed = allowed_by_policy && checks.iter().all(|c| c.passed);
    Explanation {
        role: role.to_string(),
        provider_arn: provider.map(|p| p.arn.clone()),
        provider_url,
        signature_verified: false,
        checks,
        statements,
        allowed,
    }
}

fn duration_words(seconds: u64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Read the role and its provider (two read-only calls), then explain.
pub async fn explain_live<A: Aws>(
    aws: &A,
    role: &str,
    claims: &Claims,
) -> Result<Explanation, EngineError> {
    let found = aws
        .get_role(role)
        .await
        .map_err(EngineError::aws(Step::Role))?;
    let Some(found) = found else {
        return Err(EngineError::RoleNotFound {
            name: role.to_string(),
        });
    };
    let provider_arn = TrustView::read(&found.trust_policy)
        .oidc_providers()
        .into_iter()
        .next();
    let provider = match &provider_arn {
        Some(arn) => aws
            .get_oidc_provider(arn)
            .await
            .map_err(EngineError::aws(Step::Provider))?,
        None => None,
    };
    Ok(explain(
        role,
        &found.trust_policy,
        provider.as_ref(),
        claims,
        now(),
    ))
}

/// The explanation for people.
pub fn text(e: &Explanation) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Role {} · provider {}",
        e.role,
        e.provider_arn.as_deref().unwrap_or("(none found)")
    );
    let _ = writeln!(
        s,
        "The token's signature is NOT verified here (AWS verifies it); this explains the claims and conditions only.\n"
    );
    for c in &e.checks {
        let _ = writeln!(
            s,
            "{} {:<4} {}",
            if c.passed { "✓" } else { "✗" },
            c.name,
            c.detail
        );
    }
    for st in &e.statements {
        let _ = writeln!(
            s,
            "\nStatement {} ({}){}",
            st.index,
            st.effect,
            if st.applies {
                ""
            } else {
                ": does not apply to this provider's web-identity sign-in"
            }
        );
        for c in &st.conditions {
            let _ = writeln!(
                s,
                "  {} {} {}: {}",
                if c.passed { "✓" } else { "✗" },
                c.operator,
                c.key,
                c.reason
            );
        }
        if st.conditions.is_empty() {
            let _ = writeln!(s, "  ! no conditions: any token from this provider matches");
        }
    }
    let failed = e
        .statements
        .iter()
        .flat_map(|s| &s.conditions)
        .filter(|c| !c.passed)
        .count()
        + e.checks.iter().filter(|c| !c.passed).count();
    if e.allowed {
        let _ = writeln!(
            s,
            "\nVerdict: AWS would accept this token for {} (signature and timing permitting).",
            e.role
        );
    } else {
        let _ = writeln!(
            s,
            "\nVerdict: AWS would refuse this token (AccessDenied or InvalidIdentityToken): {failed} check{} failed.",
            if failed == 1 { "" } else { "s" }
        );
    }
    s
}

#[cfg(test)]
mod tests;
