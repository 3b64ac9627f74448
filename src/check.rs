//! `check`: audit existing GitLab OIDC roles. Each finding has a severity, a one-line explanation and
//! the fix. Read-only: `ListRoles` (or `GetRole`), then per role its provider (once per provider) and
//! its attached policies.

use std::collections::BTreeMap;

use crate::aws::{AttachedPolicy, Aws, OidcProvider, Role};
use crate::engine::{EngineError, Step};
use crate::plan::input::is_admin_policy_arn;
use crate::plan::trust_view::{
    Effect, Operator, Qualifier, TrustView, provider_host, supported_claims,
};
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

/// Does this role look like a GitLab OIDC role? Its provider's host says gitlab, or its
/// conditions speak of GitLab's subjects.
pub fn is_gitlab_role(role: &Role) -> bool {
    let view = TrustView::read(&role.trust_policy);
    let providers = view.oidc_providers();
    if providers.is_empty() {
        return false;
    }
    let speaks_of_gitlab = view
        .statements
        .iter()
        .flat_map(|s| &s.conditions)
        .flat_map(|c| &c.values)
        .any(|v| v.contains("project_path:") || v.contains("project_id:"));
    providers
        .iter()
        .any(|p| provider_host(p).contains("gitlab"))
        || speaks_of_gitlab
}

/// Audit one role. `provider`: `None` when the trust names no provider or it does not exist.
pub fn audit(
    role: &Role,
    provider_arn: Option<&str>,
    provider: Option<&OidcProvider>,
    attached: &[AttachedPolicy],
) -> Vec<Finding> {
    use Severity::*;
    let mut out = Vec::new();
    let Some(provider_arn) = provider_arn else {
        return out;
    };
    let host = provider_host(provider_arn);
    let gitlab_com = host == "gitlab.com";
    if provider.is_none() {
        out.push(finding(
            High,
            "provider-missing",
            format!("the trust names OIDC provider {provider_arn}, which does not exist: no pipeline can assume the role"),
            "create the provider (aws-oidc-wizard apply) or delete the role",
        ));
    }
    let supported = supported_claims(host);
    let view = TrustView::read(&role.trust_policy);
    for s in view.naming(provider_arn) {
        if s.effect != Effect::Allow {
            continue;
        }
        let positive = |op: &Operator| !op.is_negated() && op.base != "Null";
        let sub_values: Vec<(&str, &String)> = s
            .conditions
            .iter()
            .filter(|c| positive(&c.operator) && c.key.ends_with(":sub"))
            .flat_map(|c| {
                c.values
                    .iter()
                    .map(move |v| (c.operator.written.as_str(), v))
            })
            .collect();
        let ref_protected = s.conditions.iter().any(|c| {
            positive(&c.operator)
                && c.key.ends_with(":ref_protected")
                && c.values.iter().any(|v| v == "true")
        });
        if sub_values.is_empty() {
            out.push(finding(
                if gitlab_com { Critical } else { High },
                "no-sub",
                format!("no sub condition: any project on {host} can assume this role"),
                "add StringEquals on sub, e.g. project_path:GROUP/PROJECT:ref_type:branch:ref:main",
            ));
        }
        for (op, value) in &sub_values {
            let like = op.contains("Like");
            if !like {
                continue;
            }
            let rest = value.strip_prefix("project_path:").unwrap_or(value);
            let project = rest.split(":ref_type:").next().unwrap_or(rest);
            let top = project.split('/').next().unwrap_or(project);
            if value.as_str() == "*"
                || top.contains('*')
                || (!value.starts_with("project_path:") && !value.starts_with("project_id:"))
            {
                out.push(finding(
                    Critical,
                    "sub-matches-everything",
                    format!("sub pattern {value:?} matches projects of any group: other people's pipelines can assume this role"),
                    "write the group and project out: project_path:GROUP/PROJECT:ref_type:branch:ref:main",
                ));
            } else if project.ends_with("/*") || project.contains('*') {
                out.push(finding(
                    High,
                    "sub-matches-group",
                    format!("sub pattern {value:?} matches every project of a group, including ones created later"),
                    "name the projects, or pin project_id",
                ));
            }
            if (value.ends_with(":ref:*") || value.contains(":ref_type:*")) && !ref_protected {
                out.push(finding(
                    if gitlab_com { High } else { Medium },
                    "any-ref-unprotected",
                    format!("sub pattern {value:?} matches every ref, including unprotected branches anyone with Developer access can push"),
                    if gitlab_com { "add StringEquals gitlab.com:ref_protected \"true\", or name the refs" } else { "name the refs" },
                ));
            }
        }
        for (i, c) in s.conditions.iter().enumerate() {
            let (op, key, values) = (&c.operator.written, &c.key, &c.values);
            let first_of_operator =
                s.conditions.iter().position(|d| d.operator == c.operator) == Some(i);
            if c.operator.qualifier == Some(Qualifier::ForAllValues) && first_of_operator {
                out.push(finding(
                    High,
                    "for-all-values",
                    format!("{op} is true when the claim is missing: it restricts nothing for single-valued claims"),
                    "use the plain operator (StringEquals / StringLike)",
                ));
            }
            if op.starts_with("StringEquals") && values.iter().any(|v| v.contains('*')) {
                out.push(finding(
                    Medium,
                    "equals-with-wildcard",
                    format!("{op} on {key} with a '*': StringEquals compares literally, so the pattern never matches"),
                    "use StringLike for patterns",
                ));
            }
            if key.starts_with("https://") || key.starts_with("http://") {
                out.push(finding(
                    High,
                    "key-with-scheme",
                    format!("condition key {key:?} contains the scheme: it never matches"),
                    "write keys as host[/path]:claim, e.g. gitlab.com:sub",
                ));
                continue;
            }
            let Some((key_host, claim)) = c.key_parts() else {
                continue;
            };
            if key_host != host {
                if key_host.contains('.') || key_host.contains('/') {
                    out.push(finding(
                        High,
                        "key-other-host",
                        format!("condition key {key:?} is for {key_host}, not this role's provider {host}: it never matches"),
                        "use keys of the role's provider",
                    ));
                }
                continue;
            }
            if !supported.contains(&claim) {
                out.push(finding(
                    High,
                    "unsupported-key",
                    format!("AWS does not support the condition key {key:?} for this issuer: the condition never matches"),
                    if gitlab_com { "use sub, aud, project_id, namespace_id, ref_protected … (no environment key exists)" } else { "a self-managed issuer allows only aud and sub conditions" },
                ));
            }
            if claim == "aud"
                && let Some(p) = provider
            {
                for v in values.iter().filter(|v| !p.client_ids.contains(v)) {
                    out.push(finding(
                        High,
                        "audience-not-registered",
                        format!("the trust asks for audience {v:?}, which the provider does not list ({}): tokens are rejected", p.client_ids.join(", ")),
                        "add the audience to the provider (run the setup again with that audience)",
                    ));
                }
            }
        }
    }
    if role.max_session_duration < USUAL_SESSION {
        out.push(finding(
            Low,
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
            High,
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

/// Audit one role by name, or every GitLab OIDC role.
pub async fn check<A: Aws>(aws: &A, role: Option<&str>) -> Result<Vec<RoleReport>, EngineError> {
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
            .filter(is_gitlab_role)
            .collect(),
    };
    let mut providers: BTreeMap<String, Option<OidcProvider>> = BTreeMap::new();
    let mut reports = Vec::new();
    for r in roles {
        let provider_arn = TrustView::read(&r.trust_policy)
            .oidc_providers()
            .into_iter()
            .next();
        if let Some(arn) = &provider_arn
            && !providers.contains_key(arn)
        {
            let p = aws
                .get_oidc_provider(arn)
                .await
                .map_err(EngineError::aws(Step::Provider))?;
            providers.insert(arn.clone(), p);
        }
        let provider = provider_arn
            .as_ref()
            .and_then(|a| providers.get(a).cloned().flatten());
        let attached = aws
            .list_attached_policies(&r.name)
            .await
            .map_err(EngineError::aws(Step::Permissions))?;
        reports.push(RoleReport {
            findings: audit(&r, provider_arn.as_deref(), provider.as_ref(), &attached),
            role: r.name,
            arn: r.arn,
            provider: provider_arn,
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
            r.provider.as_deref().unwrap_or("no OIDC provider")
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
mod tests {
    use super::*;
    use serde_json::{Value, json};

    const PROVIDER: &str = "arn:aws:iam::123456789012:oidc-provider/gitlab.com";

    fn role(condition: Value, max_session: i32) -> Role {
        Role {
            arn: "arn:aws:iam::123456789012:role/r".into(),
            name: "r".into(),
            path: "/".into(),
            trust_policy: json!({"Statement": {"Effect": "Allow", "Principal": {"Federated": PROVIDER},
                "Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition}}),
            description: None,
            max_session_duration: max_session,
            permissions_boundary: None,
            tags: vec![],
        }
    }

    fn provider() -> OidcProvider {
        OidcProvider {
            arn: PROVIDER.into(),
            url: "gitlab.com".into(),
            client_ids: vec!["https://gitlab.com".into()],
            tags: vec![],
        }
    }

    #[test]
    fn short_sessions_and_clean_roles() {
        let safe = json!({"StringEquals": {"gitlab.com:aud": "https://gitlab.com",
            "gitlab.com:sub": "project_path:acme/web:ref_type:branch:ref:main"}});
        assert!(
            audit(
                &role(safe.clone(), 3600),
                Some(PROVIDER),
                Some(&provider()),
                &[]
            )
            .is_empty()
        );
        let f = audit(&role(safe, 900), Some(PROVIDER), Some(&provider()), &[]);
        assert_eq!(
            f.iter().map(|f| f.code).collect::<Vec<_>>(),
            ["short-session"]
        );
        assert_eq!(f[0].severity, Severity::Low);
    }

    #[test]
    fn findings_come_most_severe_first() {
        let bad = json!({"StringEquals": {"gitlab.com:aud": "sts.amazonaws.com"}});
        let admin = [AttachedPolicy {
            name: "AdministratorAccess".into(),
            arn: "arn:aws:iam::aws:policy/AdministratorAccess".into(),
        }];
        let f = audit(&role(bad, 3600), Some(PROVIDER), Some(&provider()), &admin);
        assert_eq!(f[0].code, "no-sub");
        assert_eq!(f[0].severity, Severity::Critical);
        assert!(f.iter().any(|x| x.code == "audience-not-registered"));
        assert!(f.iter().any(|x| x.code == "admin-policy"));
    }

    #[test]
    fn non_gitlab_roles_are_not_audited_by_all() {
        let mut r = role(json!({}), 3600);
        assert!(is_gitlab_role(&r));
        r.trust_policy = json!({"Statement": {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}});
        assert!(!is_gitlab_role(&r));
    }

    #[tokio::test]
    async fn the_gitlab_roles_to_pick_from_are_named_in_order_in_one_read() {
        let fake = crate::aws::fake::FakeAws::new();
        {
            let mut state = fake.state.lock().expect("state");
            for (name, trust) in [
                ("web", role(json!({}), 3600).trust_policy),
                ("api", role(json!({}), 3600).trust_policy),
                (
                    "ec2",
                    json!({"Statement": {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}}),
                ),
            ] {
                let mut r = role(json!({}), 3600);
                r.name = name.into();
                r.trust_policy = trust;
                state.roles.insert(name.into(), r);
            }
        }
        assert_eq!(
            gitlab_role_names(&fake).await.expect("listed"),
            ["api", "web"]
        );
        assert_eq!(fake.calls().snapshot(), ["iam.ListRoles"]);
    }
}
