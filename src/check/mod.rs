//! `check`: audit the roles web-identity tokens can reach. Each finding has a severity, a one-line
//! explanation and the fix. The verdicts are the IAM evaluator's (`crate::iam`), asked by `probe`
//! which tokens the role admits; `rules` turns the answers and the typed trust view into findings.
//! Read-only: `ListRoles` (or `GetRole`), each named provider once, each role's attached policies.

use std::collections::BTreeMap;

pub mod probe;
mod rules;

use crate::aws::{AttachedPolicy, Aws, OidcProvider, Role};
use crate::engine::{EngineError, Step};
use crate::plan::input::is_admin_policy_arn;
use crate::plan::trust_view::{Effect, TrustView, provider_host};
use probe::Route;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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
    pub code: &'static str,
    pub message: String,
    pub fix: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleReport {
    pub role: String,
    pub arn: String,
    pub provider: Option<String>,
    pub findings: Vec<Finding>,
}

/// The usual CI job asks for one hour.
const USUAL_SESSION: i32 = 3600;

fn finding(severity: Severity, code: &'static str, message: String, fix: &str) -> Finding {
    Finding {
        severity,
        code,
        message,
        fix: fix.to_string(),
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
    for s in view.statements.iter().filter(|s| {
        s.effect == Effect::Allow
            && (s.principal.anyone || s.principal.federated.iter().any(|f| f == "*"))
    }) {
        let mut hosts: Vec<String> = s
            .conditions
            .iter()
            .filter_map(|c| c.key.rsplit_once(':').map(|(h, _)| h.to_lowercase()))
            .filter(|h| h != "aws" && !h.contains("://"))
            .collect();
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
    let view = TrustView::read(&role.trust_policy);
    !reachable_routes(&view, &role.arn).is_empty()
}

/// The routes some Allow statement IAM would evaluate lets a web-identity token take.
fn reachable_routes(view: &TrustView, role_arn: &str) -> Vec<Route> {
    routes(view, role_arn, &BTreeMap::new())
        .into_iter()
        .filter(|r| {
            view.statements
                .iter()
                .any(|s| s.effect == Effect::Allow && probe::in_play(s, r))
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

/// `audit`, with what the issuers' hosts presented (for the thumbprint rule).
pub fn audit_with(
    role: &Role,
    providers: &BTreeMap<String, Option<OidcProvider>>,
    handshakes: &Handshakes,
    attached: &[AttachedPolicy],
    now: u64,
) -> Vec<Finding> {
    let view = TrustView::read(&role.trust_policy);
    let routes = routes(&view, &role.arn, providers);
    let mut out = Vec::new();
    out.extend(rules::missing_providers(&routes, providers));
    out.extend(rules::any_aws_principal(&view));
    out.extend(rules::who_gets_in(&view, &routes, now));
    out.extend(rules::keys(&view, &routes));
    out.extend(rules::audiences(&view, &routes));
    out.extend(rules::dead(&view, &routes, now));
    out.extend(rules::thumbprints(&routes, providers, handshakes));
    if role.max_session_duration < USUAL_SESSION {
        out.push(finding(
            Severity::Low,
            "short-session",
            format!(
                "max session duration {} s is below the {USUAL_SESSION} s CI jobs usually ask for",
                role.max_session_duration
            ),
            "raise it to 3600 (run the setup again with a max session of 3600 s)",
        ));
    }
    for a in attached.iter().filter(|a| is_admin_policy_arn(&a.arn)) {
        out.push(finding(
            Severity::High,
            "admin-policy",
            format!(
                "{} is attached: pipelines that can assume the role control the account",
                a.name
            ),
            "attach a narrower policy and detach this one",
        ));
    }
    out.sort_by_key(|f| f.severity);
    out
}

/// The names of the account's GitLab OIDC roles (every page of `ListRoles`, one read), sorted:
/// what the wizard offers to pick from for Explain and Remove.
pub async fn gitlab_role_names<A: Aws>(aws: &A) -> Result<Vec<String>, EngineError> {
    let mut names: Vec<String> = aws
        .list_roles()
        .await
        .map_err(EngineError::aws(Step::Role))?
        .into_iter()
        .filter(is_gitlab_role)
        .map(|r| r.name)
        .collect();
    names.sort();
    Ok(names)
}

/// Audit one role by name, or every role a web-identity token can reach. Read-only: `GetRole`
/// (or every page of `ListRoles`), each named provider once, and each role's attached policies;
/// and for a self-managed issuer, one TLS handshake per host to compare its thumbprint.
pub async fn check<A: Aws>(aws: &A, role: Option<&str>) -> Result<Vec<RoleReport>, EngineError> {
    check_with(aws, role, |host: String| async move {
        Some(crate::preflight::tls(&host, 443).await)
    })
    .await
}

/// `check`, with the TLS handshake given: `None` when the host is not to be contacted (`--offline`;
/// tests answer without a network).
pub async fn check_with<A, F, Fut>(
    aws: &A,
    role: Option<&str>,
    tls: F,
) -> Result<Vec<RoleReport>, EngineError>
where
    A: Aws,
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Option<Result<crate::preflight::TlsReport, String>>>,
{
    let roles: Vec<Role> = match role {
        Some(name) => match aws
            .get_role(name)
            .await
            .map_err(EngineError::aws(Step::Role))?
        {
            Some(r) => vec![r],
            None => {
                return Err(EngineError::RoleNotFound {
                    name: name.to_string(),
                });
            }
        },
        None => aws
            .list_roles()
            .await
            .map_err(EngineError::aws(Step::Role))?
            .into_iter()
            .filter(is_web_identity_role)
            .collect(),
    };
    let mut providers: BTreeMap<String, Option<OidcProvider>> = BTreeMap::new();
    let mut handshakes = Handshakes::new();
    let mut reports = Vec::new();
    let now = crate::explain::now();
    for r in roles {
        let named = TrustView::read(&r.trust_policy).oidc_providers();
        for arn in &named {
            if !providers.contains_key(arn) {
                let p = aws
                    .get_oidc_provider(arn)
                    .await
                    .map_err(EngineError::aws(Step::Provider))?;
                // gitlab.com's and the big issuers' chains are public: only self-managed
                // issuers need a look.
                let host = provider_host(arn).split('/').next().unwrap_or_default();
                if p.is_some()
                    && host != "gitlab.com"
                    && !probe::NOT_GITLAB.contains(&host)
                    && !handshakes.contains_key(host)
                    && let Some(seen) = tls(host.to_string()).await
                {
                    handshakes.insert(host.to_string(), seen);
                }
                providers.insert(arn.clone(), p);
            }
        }
        let attached = aws
            .list_attached_policies(&r.name)
            .await
            .map_err(EngineError::aws(Step::Permissions))?;
        reports.push(RoleReport {
            findings: audit_with(&r, &providers, &handshakes, &attached, now),
            role: r.name,
            arn: r.arn,
            provider: named.into_iter().next(),
        });
    }
    Ok(reports)
}

pub fn text(reports: &[RoleReport]) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    if reports.is_empty() {
        s.push_str("No GitLab OIDC roles found.\n");
    }
    for r in reports {
        let _ = writeln!(
            s,
            "{} ({})",
            r.role,
            r.provider.as_deref().unwrap_or("no OIDC provider named")
        );
        if r.findings.is_empty() {
            let _ = writeln!(s, "  ✓ no findings");
        }
        for f in &r.findings {
            let sev = format!("{:?}", f.severity).to_lowercase();
            let _ = writeln!(
                s,
                "  ✗ {sev:<8} {}: {}\n             fix: {}",
                f.code, f.message, f.fix
            );
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
