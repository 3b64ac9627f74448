//! `explain`: why would AWS refuse (or accept) this GitLab ID token for this role? Decodes the
//! token's claims (the signature is not verified; AWS does that), then checks the issuer, audience
//! and expiry against the provider and evaluates every trust-policy condition with IAM's semantics.
//! The token itself is never logged or stored.

pub mod reasons;

use crate::plan::input::Answer;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::aws::{Aws, OidcProvider};
use crate::engine::{EngineError, Step};
use crate::iam::{Context, Decided, Request, evaluate};
use crate::plan::input::InputError;
use crate::plan::trust_view::{TrustView, provider_host, supported_claims, texts};
use crate::verdict::Check;
pub use reasons::ConditionResult;

/// The claims of a token (or of a claims file).
pub type Claims = Map<String, Value>;

/// Decode a JWT's payload without verifying it. Errors name `--token`.
pub fn decode_token(token: &str) -> Result<Claims, InputError> {
    let err = |rule: &str| InputError::new(Answer::Token, "(the token, not shown)", rule);
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
    /// Whether the statement speaks of this request at all: its principal is this provider (or
    /// everyone) and its action covers `sts:AssumeRoleWithWebIdentity`.
    pub applies: bool,
    /// Why it does not, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_applying: Option<String>,
    pub conditions: Vec<ConditionResult>,
    /// It applies and all its conditions hold.
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
    /// The statement that decided the trust policy's verdict (a Deny that applies, else an Allow
    /// that applies, else none).
    pub decided_by: Decided,
    /// Whether AWS would let this token assume the role (as far as claims tell). Where the trust
    /// policy reads more than one way, whether some reading does.
    pub allowed: bool,
    /// The trust policy repeats a key in one object, and its readings disagree on this token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ambiguous: Option<Ambiguous>,
}

/// Which reading of an ambiguous trust policy the explanation is of, and what the usual one says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ambiguous {
    /// The reading explained (1: each repeated key's last value, what most parsers keep).
    pub reading: usize,
    /// How many readings were compared.
    pub readings: usize,
    /// There were more readings than were compared.
    pub cut: bool,
    /// The verdict of reading 1.
    pub usual_allowed: bool,
    /// Every reading compared gives the same verdict (said only when not all were compared).
    pub compared_agree: bool,
}

fn as_list(v: Option<&Value>) -> Vec<String> {
    v.map(texts).unwrap_or_default()
}

/// The request context IAM builds from a token of the issuer at `host`: one `host:claim` key per
/// claim IAM offers for that issuer (the others never reach a policy), and the global time keys.
pub fn context_of(claims: &Claims, host: &str, now: u64) -> Context {
    let mut context = Context::new();
    for claim in supported_claims(host) {
        if let Some(v) = claims.get(*claim).filter(|v| !v.is_null()) {
            context.insert(&format!("{host}:{claim}"), texts(v));
        }
    }
    context.insert("aws:EpochTime", vec![now.to_string()]);
    context.insert("aws:CurrentTime", vec![iso_time(now)]);
    // STS answers over TLS only, and the job calls it directly ("AWS global condition context
    // keys", IAM User Guide).
    context.insert("aws:SecureTransport", vec!["true".to_string()]);
    context.insert("aws:ViaAWSService", vec!["false".to_string()]);
    context
}

pub fn iso_time(epoch: u64) -> String {
    let days = (epoch / 86_400) as i64;
    let rem = epoch % 86_400;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Explain `claims` against a role's trust policy. `provider`: the account's OIDC provider for the
/// token's issuer (or, when there is none, one the trust names, to say how the issuer differs).
/// Pure: `now` is given.
pub fn explain(
    role: &str,
    trust_policy: &Value,
    provider: Option<&OidcProvider>,
    claims: &Claims,
    now: u64,
) -> Explanation {
    explain_with(
        role,
        trust_policy,
        provider,
        claims,
        now,
        &RequestKeys::new(),
    )
}

/// Keys of the request that the caller or AWS sets (`aws:SourceIp`, `aws:RequestedRegion`,
/// `aws:CurrentTime` …), as `--context KEY=VALUE` gives them. `aws:CurrentTime` also moves the
/// time the token's expiry is read at.
pub type RequestKeys = std::collections::BTreeMap<String, String>;

/// `explain`, with request keys beyond what the token carries.
pub fn explain_with(
    role: &str,
    trust_policy: &Value,
    provider: Option<&OidcProvider>,
    claims: &Claims,
    now: u64,
    request_keys: &RequestKeys,
) -> Explanation {
    let now = request_keys
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("aws:CurrentTime"))
        .and_then(|(_, v)| crate::iam::condition::date(v))
        .map_or(now, |t| t.max(0.0) as u64);
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
            detail: format!("the account has no OIDC provider for {iss:?}: AWS refuses the token (InvalidIdentityToken)"),
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
    // GitLab writes `exp` as an integer; a float is still a number of seconds.
    checks.push(match claims.get("exp").and_then(Value::as_f64) {
        Some(exp) if exp > now as f64 => Check {
            name: "exp",
            passed: true,
            detail: format!("valid for {} more", duration_words((exp - now as f64) as u64)),
        },
        Some(exp) => Check {
            name: "exp",
            passed: false,
            detail: format!(
                "expired {} ago (GitLab tokens live as long as the job; use one from a running job)",
                duration_words((now as f64 - exp) as u64)
            ),
        },
        None => Check {
            name: "exp",
            passed: false,
            detail: "the token has no exp claim (a number of seconds)".to_string(),
        },
    });

    let host = host_path.clone().unwrap_or_else(|| {
        claims
            .get("iss")
            .and_then(Value::as_str)
            .and_then(|i| i.strip_prefix("https://"))
            .unwrap_or_default()
            .to_string()
    });
    let supported = supported_claims(&host);
    let claim_of = |key: &str| -> Option<String> {
        let (key_host, claim) = key.rsplit_once(':')?;
        let claim = claim.to_lowercase();
        (key_host.eq_ignore_ascii_case(&host) && supported.contains(&claim.as_str()))
            .then_some(claim)
    };

    let view = TrustView::read(trust_policy);
    let variables = view.version.as_deref() == Some("2012-10-17");
    let mut context = context_of(claims, &host, now);
    for (k, v) in request_keys {
        if !k.eq_ignore_ascii_case("aws:CurrentTime") {
            context.insert(k, vec![v.clone()]);
        }
    }
    let provider_arn = provider.map(|p| p.arn.clone()).unwrap_or_default();
    let request = Request::web_identity(&provider_arn, context);
    let decision = evaluate(&view, &request);
    let statements: Vec<StatementResult> = view
        .statements
        .iter()
        .zip(&decision.statements)
        .map(|(s, e)| {
            let conditions: Vec<ConditionResult> = s
                .conditions
                .iter()
                .zip(&e.conditions)
                .map(|(c, verdict)| {
                    reasons::describe(c, &request.context, variables, *verdict, claim_of(&c.key))
                })
                .collect();
            let not_applying = match (e.invalid, e.principal, e.action) {
                (Some(why), _, _) => Some(format!("IAM does not accept it: {why}")),
                (None, false, _) => Some("its principal is not this provider".to_string()),
                (None, true, false) => Some(format!(
                    "its action does not cover {}",
                    crate::iam::WEB_IDENTITY
                )),
                (None, true, true) => None,
            };
            StatementResult {
                index: s.index,
                effect: s.effect.as_str().to_string(),
                applies: not_applying.is_none(),
                not_applying,
                matched: e.applies,
                conditions,
            }
        })
        .collect();
    let allowed = decision.allowed && checks.iter().all(|c| c.passed);
    Explanation {
        role: role.to_string(),
        provider_arn: provider.map(|p| p.arn.clone()),
        provider_url,
        signature_verified: false,
        checks,
        statements,
        decided_by: decision.decided_by,
        allowed,
        ambiguous: None,
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

/// Read the role and the account's provider for the token's issuer (two read-only calls), then
/// explain. IAM finds the provider by the issuer among the role account's providers, so that is the
/// one looked up; when the account has none for it, a provider the trust names is read instead, to
/// say how the issuer differs from it.
pub async fn explain_live<A: Aws>(
    aws: &A,
    role: &str,
    claims: &Claims,
    request_keys: &RequestKeys,
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
    // No verdict on a trust that could not be read: "refused" would be a guess.
    if let Some(why) = &found.trust_ambiguity.unreadable {
        return Err(EngineError::Aws {
            step: Step::Role,
            error: crate::aws::AwsError::new(
                "GetRole",
                crate::aws::ErrorKind::Other(format!(
                    "the trust policy of {role} could not be read ({why}): no verdict can be given"
                )),
            ),
        });
    }
    let issuer_arn = claims
        .get("iss")
        .and_then(Value::as_str)
        .and_then(|iss| iss.strip_prefix("https://"))
        .filter(|host| !host.is_empty())
        .and_then(|host| provider_arn_in_account(&found.arn, host));
    let named = TrustView::read(&found.trust_policy).oidc_providers();
    let mut provider = None;
    for arn in issuer_arn.iter().chain(
        named
            .iter()
            .filter(|n| Some(*n) != issuer_arn.as_ref())
            .take(1),
    ) {
        provider = aws
            .get_oidc_provider(arn)
            .await
            .map_err(EngineError::aws(Step::Provider))?;
        if provider.is_some() {
            break;
        }
    }
    let now = now();
    let usual = explain_with(
        role,
        &found.trust_policy,
        provider.as_ref(),
        claims,
        now,
        request_keys,
    );
    Ok(read_every_way(usual, &found.trust_ambiguity, |trust| {
        explain_with(role, trust, provider.as_ref(), claims, now, request_keys)
    }))
}

/// An ambiguous trust policy is explained by the first reading that disagrees with the usual one
/// (`usual`), preferring one that admits the token: a verdict of "refused" holds only if every
/// reading refuses.
pub fn read_every_way(
    usual: Explanation,
    ambiguity: &crate::iam::document::Ambiguity,
    explain: impl Fn(&Value) -> Explanation,
) -> Explanation {
    let readings = ambiguity.readings.len() + 1;
    let differing = ambiguity
        .readings
        .iter()
        .enumerate()
        .map(|(i, r)| (i + 2, explain(r)))
        .find(|(_, e)| e.allowed != usual.allowed);
    let compared_agree = differing.is_none();
    let note = |reading| Ambiguous {
        reading,
        readings,
        cut: ambiguity.cut,
        usual_allowed: usual.allowed,
        compared_agree,
    };
    match differing {
        Some((reading, other)) if other.allowed => Explanation {
            ambiguous: Some(note(reading)),
            ..other
        },
        Some(_) => Explanation {
            ambiguous: Some(note(1)),
            ..usual.clone()
        },
        None if ambiguity.cut => Explanation {
            ambiguous: Some(note(1)),
            ..usual.clone()
        },
        None => usual,
    }
}

/// `arn:PARTITION:iam::ACCOUNT:oidc-provider/HOST` in the role's account and partition.
fn provider_arn_in_account(role_arn: &str, host: &str) -> Option<String> {
    let mut parts = role_arn.split(':');
    let (Some("arn"), Some(partition), _, _, Some(account)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    Some(format!(
        "arn:{partition}:iam::{account}:oidc-provider/{host}"
    ))
}

/// The explanation for people.
pub fn text(e: &Explanation) -> String {
    use std::fmt::Write as _;
    // Each field through `inline`: nothing of the account starts or ends a line.
    use crate::sanitize::inline;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Role {} · provider {}",
        inline(&e.role),
        inline(e.provider_arn.as_deref().unwrap_or("(none found)"))
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
            inline(c.name),
            inline(&c.detail)
        );
    }
    for st in &e.statements {
        let _ = writeln!(
            s,
            "\nStatement {} ({}){}",
            st.index,
            inline(&st.effect),
            match &st.not_applying {
                None => String::new(),
                Some(why) => format!(": does not apply ({})", inline(why)),
            }
        );
        for c in &st.conditions {
            let _ = writeln!(
                s,
                "  {} {} {}: {}",
                if c.passed { "✓" } else { "✗" },
                inline(&c.operator),
                inline(&c.key),
                inline(&c.reason)
            );
        }
        if st.conditions.is_empty() && st.applies {
            let _ = writeln!(s, "  ! no conditions: any token from this provider matches");
        }
    }
    let _ = writeln!(s, "\n{}", inline(&verdict(e)));
    if let Some(a) = &e.ambiguous {
        let _ = writeln!(s, "{}", inline(&ambiguity_words(a)));
    }
    s
}

/// What an ambiguous trust policy means for the verdict, in one paragraph.
fn ambiguity_words(a: &Ambiguous) -> String {
    let word = |allowed: bool| if allowed { "accept" } else { "refuse" };
    let cut = if a.cut {
        " Not every reading was compared: there were too many."
    } else {
        ""
    };
    let head = "Ambiguous: the trust policy repeats a key in one JSON object, and IAM does not document which value it keeps.";
    if a.compared_agree {
        format!(
            "{head} The {} readings compared all {} this token.{cut}",
            a.readings,
            word(a.usual_allowed)
        )
    } else if a.reading == 1 {
        format!(
            "{head} Read with each repeated key's last value, AWS would {} this token; another reading would refuse it.{cut}",
            word(a.usual_allowed)
        )
    } else {
        format!(
            "{head} This is reading {} of {}; read with each repeated key's last value, AWS would {} this token.{cut}",
            a.reading,
            a.readings,
            word(a.usual_allowed)
        )
    }
}

/// The verdict in one line, naming what decided it.
pub fn verdict(e: &Explanation) -> String {
    let failed_checks: Vec<&str> = e
        .checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.name)
        .collect();
    if e.allowed {
        let by = match e.decided_by {
            Decided::Allow(n) => format!(": statement {n} (Allow) applies and no Deny does"),
            _ => String::new(),
        };
        return format!(
            "Verdict: AWS would accept this token for {}{by} (signature and timing permitting).",
            e.role
        );
    }
    let policy = match e.decided_by {
        Decided::Deny(n) => format!("statement {n} (Deny) applies to it"),
        Decided::NoAllow => {
            let near: Vec<String> = e
                .statements
                .iter()
                .filter(|s| s.applies && s.effect == "Allow")
                .map(|s| {
                    let keys: Vec<&str> = s
                        .conditions
                        .iter()
                        .filter(|c| !c.passed)
                        .map(|c| c.key.as_str())
                        .collect();
                    format!("statement {} fails on {}", s.index, keys.join(", "))
                })
                .collect();
            if near.is_empty() {
                "no Allow statement applies to this provider's web-identity sign-in".to_string()
            } else {
                format!("no Allow statement applies ({})", near.join("; "))
            }
        }
        Decided::Allow(n) => format!("statement {n} (Allow) would apply"),
    };
    match (failed_checks.is_empty(), e.decided_by) {
        (true, _) => format!("Verdict: AWS would refuse this token (AccessDenied): {policy}."),
        (false, Decided::Allow(_)) => format!(
            "Verdict: AWS would refuse this token (InvalidIdentityToken or ExpiredToken): the token's {} failed; {policy}.",
            failed_checks.join(", ")
        ),
        (false, _) => format!(
            "Verdict: AWS would refuse this token: the token's {} failed, and {policy}.",
            failed_checks.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests;
