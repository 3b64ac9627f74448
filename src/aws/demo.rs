//! The demo account of `--demo`: the in-memory fake, seeded so that a newcomer sees the whole
//! flow with no credentials. It holds the AWS managed policy list, an OIDC provider for
//! gitlab.com, one GitLab role with a weak trust (any project of a group, any branch: `check`
//! and `explain` have something to say), and a customer managed policy. Nothing leaves the
//! process: every call is answered here.

use serde_json::json;

use super::fake::{ACCOUNT, FakeAws};
use super::{AttachedPolicy, CallerIdentity, ManagedPolicy, OidcProvider, Role};

const MANAGED: &str = include_str!("../../assets/demo/aws-managed-policies.txt");

/// The weak role's name, and the customer managed policy's.
pub const WEAK_ROLE: &str = "gitlab-legacy-deploy";
pub const OWN_POLICY: &str = "acme-deploy-artifacts";

/// The project and branch of the demo's sample token: a project of the group `acme` that the
/// weak role was never meant for, on a branch anyone with Developer access can push.
pub const SAMPLE_PROJECT: &str = "acme/intern-sandbox";
pub const SAMPLE_REF: &str = "try-this";

/// A GitLab ID token for the demo's Explain, valid for an hour from `now` (seconds since the
/// epoch). Its signature is a placeholder: explain decodes claims and never verifies (AWS does).
pub fn sample_token(now: u64) -> String {
    use base64::Engine as _;
    let enc = |v: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let claims = json!({
        "iss": "https://gitlab.com",
        "aud": "https://gitlab.com",
        "sub": format!("project_path:{SAMPLE_PROJECT}:ref_type:branch:ref:{SAMPLE_REF}"),
        "project_path": SAMPLE_PROJECT,
        "namespace_path": "acme",
        "ref": SAMPLE_REF,
        "ref_type": "branch",
        "ref_protected": "false",
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
    });
    format!(
        "{}.{}.ZGVtby1zaWduYXR1cmU",
        enc(json!({"alg": "RS256", "typ": "JWT", "kid": "demo"})),
        enc(claims)
    )
}

/// A fresh demo account.
pub fn account() -> FakeAws {
    let fake = FakeAws::new();
    if let Ok(mut state) = fake.state.lock() {
        state.caller = Some(CallerIdentity {
            account: ACCOUNT.to_string(),
            arn: format!("arn:aws:sts::{ACCOUNT}:assumed-role/demo/you"),
            user_id: "AROADEMO:you".to_string(),
        });
        for line in MANAGED.lines().filter(|l| !l.starts_with('#')) {
            let Some((path, name)) = line.split_once(' ') else {
                continue;
            };
            let arn = format!("arn:aws:iam::aws:policy{path}{name}");
            state.policies.insert(
                arn.clone(),
                ManagedPolicy {
                    arn,
                    name: name.to_string(),
                    // Service-linked role policies cannot be attached to a role of one's own.
                    attachable: !path.starts_with("/aws-service-role/"),
                },
            );
        }
        let own = format!("arn:aws:iam::{ACCOUNT}:policy/{OWN_POLICY}");
        state.policies.insert(
            own.clone(),
            ManagedPolicy {
                arn: own.clone(),
                name: OWN_POLICY.to_string(),
                attachable: true,
            },
        );
        let provider = format!("arn:aws:iam::{ACCOUNT}:oidc-provider/gitlab.com");
        state
            .providers
            .insert(provider.clone(), gitlab_provider(&provider));
        state.roles.insert(
            WEAK_ROLE.to_string(),
            Role {
                arn: format!("arn:aws:iam::{ACCOUNT}:role/{WEAK_ROLE}"),
                name: WEAK_ROLE.to_string(),
                path: "/".to_string(),
                // Made by hand in the console, years ago: every project of the group, any ref.
                trust_policy: json!({
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Principal": {"Federated": provider},
                        "Action": "sts:AssumeRoleWithWebIdentity",
                        "Condition": {
                            "StringEquals": {"gitlab.com:aud": "https://gitlab.com"},
                            "StringLike": {"gitlab.com:sub": "project_path:acme/*"}
                        }
                    }]
                }),
                trust_ambiguity: Default::default(),
                description: Some("deploys from GitLab (made by hand)".to_string()),
                max_session_duration: 3600,
                permissions_boundary: None,
                tags: Vec::new(),
            },
        );
        state.attached.insert(
            WEAK_ROLE.to_string(),
            vec![AttachedPolicy {
                name: OWN_POLICY.to_string(),
                arn: own,
            }],
        );
    }
    organization(&fake);
    fake
}

/// gitlab.com's provider, as the demo's accounts hold it.
fn gitlab_provider(arn: &str) -> OidcProvider {
    OidcProvider {
        arn: arn.to_string(),
        url: "https://gitlab.com".to_string(),
        client_ids: vec!["https://gitlab.com".to_string()],
        thumbprints: Vec::new(),
        tags: Vec::new(),
    }
}

/// The demo Organization's units: workloads and sandboxes.
pub const UNITS: [&str; 2] = ["ou-demo-workload", "ou-demo-sandboxs"];
/// The member account with a weak role, and that role.
pub const WEAK_MEMBER: &str = "210000000003";
pub const WEAK_MEMBER_ROLE: &str = "gitlab-sandbox-deploy";

/// The demo account manages a small Organization: two units, three member accounts. In
/// `acme-prod` a role made the way `apply` makes one (one project, its protected main, the
/// group's id pinned), `acme-staging` holds none, and `acme-sandbox` a weak one (any project of
/// the group, any ref).
fn organization(fake: &FakeAws) {
    use super::org::AccountStatus::Active;
    let root = fake.start_organization();
    for unit in UNITS {
        fake.add_unit(&root, unit);
    }
    let prod = fake.add_account(UNITS[0], "210000000001", "acme-prod", Active);
    fake.add_account(UNITS[0], "210000000002", "acme-staging", Active);
    let sandbox = fake.add_account(UNITS[1], WEAK_MEMBER, "acme-sandbox", Active);
    let safe = crate::plan::SetupInput {
        projects: vec!["acme/web".into()],
        namespace_ids: vec!["4242".into()],
        role_name: Some("gitlab-acme-web".into()),
        ..Default::default()
    };
    let sub = json!({"StringLike": {"gitlab.com:sub": "project_path:acme/*"}});
    for (member, account, name, trust) in [
        (&prod, "210000000001", "gitlab-acme-web", None),
        (&sandbox, WEAK_MEMBER, WEAK_MEMBER_ROLE, Some(sub)),
    ] {
        let provider = format!("arn:aws:iam::{account}:oidc-provider/gitlab.com");
        let trust_policy = match trust {
            Some(condition) => json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"Federated": provider},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {"gitlab.com:aud": "https://gitlab.com"},
                        "StringLike": condition["StringLike"]
                    }
                }]
            }),
            None => match safe.validate().and_then(|s| s.trust("aws", account)) {
                Ok(t) => t.policy.to_value(),
                Err(_) => continue,
            },
        };
        let Ok(mut state) = member.state.lock() else {
            continue;
        };
        state
            .providers
            .insert(provider.clone(), gitlab_provider(&provider));
        state.roles.insert(
            name.to_string(),
            Role {
                arn: format!("arn:aws:iam::{account}:role/{name}"),
                name: name.to_string(),
                path: "/".to_string(),
                trust_policy,
                trust_ambiguity: Default::default(),
                description: None,
                max_session_duration: 3600,
                permissions_boundary: None,
                tags: Vec::new(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::Aws;

    #[tokio::test]
    async fn the_demo_account_has_the_managed_list_a_weak_role_and_its_own_policy() {
        let aws = account();
        let managed = aws.list_aws_managed_policies().await.unwrap();
        assert!(managed.len() > 1000, "{}", managed.len());
        assert!(managed.iter().any(|p| p.name == "ReadOnlyAccess"));
        assert!(
            managed
                .iter()
                .any(|p| p.arn == "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess")
        );
        let own = aws.list_customer_managed_policies().await.unwrap();
        assert_eq!(own.len(), 1);
        let role = aws.get_role(WEAK_ROLE).await.unwrap().unwrap();
        assert!(role.trust_policy.to_string().contains("acme/*"));
        let id = aws.caller_identity().await.unwrap();
        assert!(id.arn.contains("demo"), "{}", id.arn);
    }
}
