//! `check`: audit the roles web-identity tokens can reach. Each finding has a severity, a one-line
//! explanation and the fix. The verdicts are the IAM evaluator's (`crate::iam`), asked by `probe`
//! which tokens the role admits; `rules` turns the answers and the typed trust view into findings.
//! Read-only: `ListRoles` (or `GetRole`), each named provider once, each role's attached policies.

use std::collections::BTreeMap;

mod code;
pub mod reason;
pub mod route;

pub use code::Code;
pub mod files;
pub mod org;
mod read;
pub mod report;
mod rules;

use crate::aws::{AttachedPolicy, Aws, OidcProvider, Role};
use crate::engine::{EngineError, Step};
use crate::plan::input::is_admin_policy_arn;
use crate::plan::trust_view::{Effect, TrustView, provider_host};
pub use read::{Note, check, check_with, concurrency, gitlab_role_names, read_each};
use route::Route;
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    pub fix: String,
    /// For a finding that says someone gets in: a token that does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counterexample: Option<Counterexample>,
}

/// A token (and request) the role admits, as `explain` reads it: `explain ROLE --claims FILE`
/// with `claims` in FILE, and `--context KEY=VALUE` for each of `request`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counterexample {
    /// The Allow statement that admits it (1-based).
    pub statement: usize,
    pub claims: serde_json::Map<String, serde_json::Value>,
    /// Keys of the request that AWS or the caller sets and the trust reads.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub request: BTreeMap<String, String>,
    /// The claims the trust reads besides `sub`, shown in text.
    #[serde(skip)]
    pub read: Vec<String>,
}

/// The request keys a caller or AWS sets, as IAM writes them.
pub const REQUEST_KEYS: [&str; 9] = [
    "aws:SourceIp",
    "aws:RequestedRegion",
    "aws:CurrentTime",
    "aws:UserAgent",
    "aws:Referer",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:VpcSourceIp",
    "sts:RoleSessionName",
];

impl Counterexample {
    pub fn of(route: &Route, w: &reason::Witness, now: u64) -> Counterexample {
        use serde_json::Value;
        let mut claims = serde_json::Map::new();
        claims.insert(
            "iss".into(),
            Value::String(format!("https://{}", route.host)),
        );
        for (claim, value) in &w.claims {
            claims.insert(claim.to_string(), Value::String(value.clone()));
        }
        if let Some(sub) = w.sub().and_then(route::parse_sub)
            && !sub.by_id
        {
            claims.insert("project_path".into(), Value::String(sub.project.into()));
            if let Some((ns, _)) = sub.project.rsplit_once('/') {
                claims.insert("namespace_path".into(), Value::String(ns.into()));
            }
            claims.insert("ref_type".into(), Value::String(sub.ref_type.into()));
            claims.insert("ref".into(), Value::String(sub.git_ref.into()));
        }
        let at = w.time.max(now);
        claims.insert("iat".into(), Value::from(at));
        claims.insert("exp".into(), Value::from(at + 3600));
        let mut request = BTreeMap::new();
        for key in REQUEST_KEYS {
            let lower = key.to_lowercase();
            if lower == "aws:currenttime" {
                if w.time != now {
                    request.insert(key.to_string(), crate::explain::iso_time(w.time));
                }
                continue;
            }
            if let Some(v) = w.values.get(&lower).filter(|_| w.read.contains(&lower)) {
                request.insert(key.to_string(), v.clone());
            }
        }
        let read = w
            .claims
            .keys()
            .filter(|c| **c != "sub" && **c != "aud")
            .filter(|c| {
                w.read
                    .contains(&format!("{}:{c}", route.host).to_lowercase())
            })
            .map(|c| c.to_string())
            .collect();
        Counterexample {
            statement: w.statement,
            claims,
            request,
            read,
        }
    }

    /// The token in one line: its `sub`, the claims and request keys the trust reads.
    pub fn line(&self) -> String {
        let claim = |k: &str| {
            self.claims
                .get(k)
                .map(|v| format!("{k} {}", v))
                .unwrap_or_default()
        };
        let mut parts = vec![claim("sub")];
        parts.extend(self.read.iter().map(|k| claim(k)));
        parts.extend(self.request.iter().map(|(k, v)| format!("{k} {v:?}")));
        parts.retain(|p| !p.is_empty());
        parts.join(", ")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleReport {
    pub role: String,
    /// Empty for a role a file plans (it has no ARN before apply).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub arn: String,
    pub provider: Option<String>,
    pub findings: Vec<Finding>,
    /// Where the trust was read from, when it was a file (`check --trust-file`,
    /// `--terraform-plan`, `--cloudformation`); absent for a role read from AWS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

/// A file a trust was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// As given on the command line.
    pub path: String,
    /// The line of the statement, or of the resource (1-based).
    pub line: usize,
    /// What in the file it is: the Terraform address, the CloudFormation logical id, or the
    /// file's own name for a trust policy document.
    pub resource: String,
    /// The line of each statement of the trust, where the file shows it (1-based lines, in the
    /// statements' order); a finding about statement N is placed there.
    #[serde(skip)]
    pub statements: Vec<usize>,
}

/// The usual CI job asks for one hour.
pub(crate) const USUAL_SESSION: i32 = 3600;

fn finding(code: Code, message: String, fix: &str) -> Finding {
    Finding {
        severity: code.severity(),
        code,
        message,
        fix: fix.to_string(),
        counterexample: None,
    }
}

/// Federated principals that are web-identity issuers without an IAM OIDC provider ARN.
const WEB_IDENTITY_NAMES: [&str; 4] = [
    "cognito-identity.amazonaws.com",
    "accounts.google.com",
    "graph.facebook.com",
    "www.amazon.com",
];

/// The issuer of "any other OIDC provider": what `Principal: "*"` also lets in.
const ANY_OTHER_ISSUER: &str = "another-issuer.example";

/// Every way a web-identity token can reach the role: each OIDC provider (or web-identity issuer)
/// the trust names, and, where an Allow names every principal, the issuers its keys speak of and
/// any other. `providers`: what was read of the named OIDC providers (`None`: does not exist).
pub fn routes(
    view: &TrustView,
    role_arn: &str,
    providers: &BTreeMap<String, Option<OidcProvider>>,
) -> Vec<Route> {
    let mut out: Vec<Route> = Vec::new();
    let mut add = |route: Route| {
        if !out.iter().any(|r| r.provider_arn == route.provider_arn) {
            out.push(route);
        }
    };
    for s in &view.statements {
        for f in &s.principal.federated {
            if f.contains(":oidc-provider/") {
                add(Route {
                    provider_arn: f.clone(),
                    host: provider_host(f).to_string(),
                    client_ids: providers
                        .get(f)
                        .and_then(|p| p.as_ref().map(|p| p.client_ids.clone())),
                });
            } else if WEB_IDENTITY_NAMES.contains(&f.as_str()) {
                add(Route {
                    provider_arn: f.clone(),
                    host: f.clone(),
                    client_ids: None,
                });
            }
        }
    }
    let account = role_arn.split(':').nth(4).unwrap_or("123456789012");
    let partition = role_arn.split(':').nth(1).unwrap_or("aws");
    if view.statements.iter().any(|s| {
        s.effect == Effect::Allow
            && (s.principal.anyone || s.principal.federated.iter().any(|f| f == "*"))
    }) {
        // Every issuer any statement speaks of, gitlab.com (the issuer this tool is about,
        // whether or not a key names it), and any other.
        let mut hosts: Vec<String> = view
            .statements
            .iter()
            .flat_map(|s| &s.conditions)
            .filter_map(|c| c.key.rsplit_once(':').map(|(h, _)| h.to_lowercase()))
            .filter(|h| h != "aws" && h != "sts" && !h.contains("://"))
            .collect();
        hosts.push("gitlab.com".to_string());
        // Every provider that was read and exists (the account's, as far as the caller knows): a
        // `"*"` lets each one's tokens in, whether or not a condition names its host.
        hosts.extend(
            providers
                .iter()
                .filter(|(_, p)| p.is_some())
                .map(|(arn, _)| provider_host(arn).to_string()),
        );
        hosts.push(ANY_OTHER_ISSUER.to_string());
        for host in hosts {
            let arn = format!("arn:{partition}:iam::{account}:oidc-provider/{host}");
            let client_ids = providers
                .get(&arn)
                .and_then(|p| p.as_ref().map(|p| p.client_ids.clone()));
            add(Route {
                provider_arn: arn,
                host,
                client_ids,
            });
        }
    }
    out
}

/// Can a web-identity token reach this role at all (some valid Allow names its issuer, or
/// everyone, for `sts:AssumeRoleWithWebIdentity`)? What `check --all` lists.
pub fn is_web_identity_role(role: &Role) -> bool {
    // Unknown is listed: a role whose trust could not be read may be one.
    if role.trust_ambiguity.unreadable.is_some() {
        return true;
    }
    let view = TrustView::read(&role.trust_policy);
    !reachable_routes(&view, &role.arn).is_empty()
}

/// Can a token of the OIDC provider `provider` (`None`: not read) satisfy the role's trust, in
/// any principal form (`Federated` naming it, `"*"`, `{"Federated": "*"}`) and under any reading
/// of a trust that repeats a key? The reading `check --all` audits by; what `destroy` asks
/// before it deletes a provider. Undecided counts as yes: a provider is kept when in doubt.
pub fn depends_on(
    role: &Role,
    provider_arn: &str,
    provider: Option<&OidcProvider>,
    now: u64,
) -> bool {
    let providers = BTreeMap::from([(provider_arn.to_string(), provider.cloned())]);
    let cut = role.trust_ambiguity.cut || role.trust_ambiguity.unreadable.is_some();
    cut || std::iter::once(&role.trust_policy)
        .chain(&role.trust_ambiguity.readings)
        .any(|doc| {
            let view = TrustView::read(doc);
            routes(&view, &role.arn, &providers)
                .into_iter()
                .filter(|r| r.provider_arn == provider_arn)
                .filter(|r| {
                    view.statements
                        .iter()
                        .any(|s| s.effect == Effect::Allow && route::in_play(s, r))
                })
                .any(|r| {
                    !matches!(
                        reason::admits(&view, &r, reason::Who::Anyone, now),
                        reason::Verdict::Refused
                    )
                })
        })
}

/// The routes some Allow statement IAM would evaluate lets a web-identity token take.
fn reachable_routes(view: &TrustView, role_arn: &str) -> Vec<Route> {
    routes(view, role_arn, &BTreeMap::new())
        .into_iter()
        .filter(|r| {
            view.statements
                .iter()
                .any(|s| s.effect == Effect::Allow && route::in_play(s, r))
        })
        .collect()
}

/// A web-identity role for GitLab: an issuer whose host says gitlab, or conditions that speak
/// of GitLab's subjects. What the wizard offers to pick from.
pub fn is_gitlab_role(role: &Role) -> bool {
    let view = TrustView::read(&role.trust_policy);
    let reachable = reachable_routes(&view, &role.arn);
    if reachable.is_empty() {
        return false;
    }
    let speaks_of_gitlab = view
        .statements
        .iter()
        .flat_map(|s| &s.conditions)
        .flat_map(|c| &c.values)
        .any(|v| v.contains("project_path:") || v.contains("project_id:"));
    speaks_of_gitlab || reachable.iter().any(|r| r.host.contains("gitlab"))
}

/// What a TLS handshake with each self-managed issuer's host showed (`Err`: not reachable).
pub type Handshakes = BTreeMap<String, Result<crate::preflight::TlsReport, String>>;

/// Audit one role. `providers`: the named OIDC providers as read (`None`: missing).
pub fn audit(
    role: &Role,
    providers: &BTreeMap<String, Option<OidcProvider>>,
    attached: &[AttachedPolicy],
    now: u64,
) -> Vec<Finding> {
    audit_with(role, providers, &Handshakes::new(), attached, now)
}

/// What one reading of a trust policy lets in, and what is wrong with it.
fn trust_findings(
    role_arn: &str,
    trust: &Value,
    providers: &BTreeMap<String, Option<OidcProvider>>,
    handshakes: &Handshakes,
    now: u64,
) -> Vec<Finding> {
    let view = TrustView::read(trust);
    let routes = routes(&view, role_arn, providers);
    let mut out = Vec::new();
    out.extend(rules::missing_providers(&routes, providers));
    out.extend(rules::any_aws_principal(&view));
    let anyone = rules::anyone(&view, &routes, now);
    out.extend(rules::who_gets_in(&view, &routes, &anyone, now));
    out.extend(rules::keys(&view, &routes));
    out.extend(rules::audiences(&view, &routes));
    out.extend(rules::dead_values(&view, &routes));
    out.extend(rules::dead(&routes, &anyone));
    out.extend(rules::thumbprints(&routes, providers, handshakes));
    out
}

/// `audit`, with what the issuers' hosts presented (for the thumbprint rule).
pub fn audit_with(
    role: &Role,
    providers: &BTreeMap<String, Option<OidcProvider>>,
    handshakes: &Handshakes,
    attached: &[AttachedPolicy],
    now: u64,
) -> Vec<Finding> {
    // A trust that could not be read is decided on nothing: said, never called clean.
    if let Some(why) = &role.trust_ambiguity.unreadable {
        return vec![finding(
            Code::AnalysisIncomplete,
            format!(
                "the trust policy could not be read ({why}): nothing about who can assume the role is decided"
            ),
            "simplify the trust policy, or review it by hand",
        )];
    }
    let trust = |policy: &Value| trust_findings(&role.arn, policy, providers, handshakes, now);
    let mut out = trust(&role.trust_policy);
    let ambiguity = rules::ambiguous(&role.trust_ambiguity, &mut out, trust);
    out.extend(ambiguity);
    if role.max_session_duration < USUAL_SESSION {
        out.push(finding(
            Code::ShortSession,
            format!(
                "max session duration {} s is below the {USUAL_SESSION} s CI jobs usually ask for",
                role.max_session_duration
            ),
            "raise it to 3600 (run the setup again with a max session of 3600 s)",
        ));
    }
    for a in attached.iter().filter(|a| is_admin_policy_arn(&a.arn)) {
        out.push(finding(
            Code::AdminPolicy,
            format!(
                "{} is attached: pipelines that can assume the role control the account",
                a.name
            ),
            "attach a narrower policy and detach this one",
        ));
    }
    out.sort_by_key(|f| f.severity);
    // Two routes (gitlab.com and any other issuer, for a `"*"`) can find the same thing in the
    // same words: it is one finding.
    let mut seen = std::collections::HashSet::new();
    out.retain(|f| seen.insert((f.code, f.message.clone())));
    out
}

pub fn text(reports: &[RoleReport]) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    if reports.is_empty() {
        s.push_str("No GitLab OIDC roles found.\n");
    }
    for r in reports {
        // Each field through `inline`: nothing of the account starts or ends a line.
        use crate::sanitize::inline;
        let _ = writeln!(
            s,
            "{} ({})",
            inline(&r.role),
            inline(r.provider.as_deref().unwrap_or("no OIDC provider named"))
        );
        if r.findings.is_empty() {
            let _ = writeln!(s, "  ✓ no findings");
        }
        for f in &r.findings {
            let sev = format!("{:?}", f.severity).to_lowercase();
            let _ = writeln!(
                s,
                "  ✗ {sev:<8} {}: {}\n             fix: {}",
                f.code.as_str(),
                inline(&f.message),
                inline(&f.fix)
            );
            // The message names the sub; the rest of the token only where the trust reads more.
            if let Some(c) = f
                .counterexample
                .as_ref()
                .filter(|c| !c.read.is_empty() || !c.request.is_empty())
            {
                let _ = writeln!(s, "             gets in with: {}", inline(&c.line()));
            }
        }
    }
    let total: usize = reports.iter().map(|r| r.findings.len()).sum();
    let _ = writeln!(
        s,
        "\n{} role{} checked, {total} finding{}",
        reports.len(),
        if reports.len() == 1 { "" } else { "s" },
        if total == 1 { "" } else { "s" }
    );
    s
}

#[cfg(test)]
mod tests;
