//! The setups this tool made in an account: its GitLab roles tagged `managed-by=aws-oidc-wizard`,
//! each with what it trusts in a few words. Read by the `arn` command and the wizard's first
//! screen, for the person who only needs a role's ARN.

use serde::Serialize;
use serde_json::Value;

use crate::aws::{Aws, Role};
use crate::engine::{EngineError, Step};

/// One setup: the role, its ARN, and the projects and refs its trust names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetupSummary {
    pub role: String,
    pub arn: String,
    /// `acme/web: main, v*` per project named in a `sub` condition; the raw value for one that
    /// does not read as GitLab's form.
    pub trusts: Vec<String>,
}

impl SetupSummary {
    /// The trust in a few words, for one line.
    pub fn trusts_line(&self) -> String {
        if self.trusts.is_empty() {
            "(no project named)".to_string()
        } else {
            self.trusts.join("; ")
        }
    }
}

/// The account's setups, sorted by role name: one paged `ListRoles`, then `GetRole` for each
/// GitLab role, side by side (`ListRoles` carries no tags).
pub async fn list<A: Aws>(aws: &A) -> Result<Vec<SetupSummary>, EngineError> {
    let roles: Vec<Role> = aws
        .list_roles()
        .await
        .map_err(EngineError::aws(Step::Role))?
        .into_iter()
        .filter(crate::check::is_gitlab_role)
        .collect();
    let read = crate::check::read_each(
        &roles,
        crate::check::concurrency(),
        |r| aws.get_role(&r.name),
        |_| {},
    )
    .await
    .map_err(EngineError::aws(Step::Role))?;
    let mut out: Vec<SetupSummary> = read
        .into_iter()
        .flatten()
        .filter(|r| crate::plan::is_managed(&r.tags))
        .map(|r| SetupSummary {
            trusts: trusts(&r.trust_policy),
            role: r.name,
            arn: r.arn,
        })
        .collect();
    out.sort_by(|a, b| a.role.cmp(&b.role));
    Ok(out)
}

/// What a trust policy lets in, per project: the refs of its `sub` values, grouped.
pub fn trusts(policy: &Value) -> Vec<String> {
    let view = crate::plan::trust_view::TrustView::read(policy);
    let mut by_project: Vec<(String, Vec<String>)> = Vec::new();
    let values = view
        .statements
        .iter()
        .filter(|s| s.effect == crate::plan::trust_view::Effect::Allow)
        .flat_map(|s| &s.conditions)
        .filter(|c| c.key_parts().is_some_and(|(_, claim)| claim == "sub"))
        .flat_map(|c| &c.values);
    for v in values {
        let parsed = v
            .strip_prefix("project_path:")
            .or_else(|| v.strip_prefix("project_id:"))
            .and_then(|rest| rest.split_once(":ref_type:"))
            .and_then(|(project, rest)| Some((project, rest.split_once(":ref:")?)));
        let (project, git_ref) = match parsed {
            Some((project, ("branch", r))) => (project.to_string(), r.to_string()),
            Some((project, (kind, r))) => (project.to_string(), format!("{kind} {r}")),
            None => (v.clone(), String::new()),
        };
        match by_project.iter_mut().find(|(p, _)| *p == project) {
            Some((_, refs)) if !git_ref.is_empty() && !refs.contains(&git_ref) => {
                refs.push(git_ref)
            }
            Some(_) => {}
            None => by_project.push((
                project,
                [git_ref].into_iter().filter(|r| !r.is_empty()).collect(),
            )),
        }
    }
    by_project
        .into_iter()
        .map(|(p, refs)| {
            if refs.is_empty() {
                p
            } else {
                format!("{p}: {}", refs.join(", "))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_trust_reads_as_projects_and_their_refs() {
        let policy = json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/gitlab.com"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {"gitlab.com:aud": "https://gitlab.com"},
                    "StringLike": {"gitlab.com:sub": [
                        "project_path:acme/web:ref_type:branch:ref:main",
                        "project_path:acme/web:ref_type:tag:ref:v*",
                        "project_path:acme/api:ref_type:branch:ref:main",
                        "something else"
                    ]}
                }
            }]
        });
        assert_eq!(
            trusts(&policy),
            ["acme/web: main, tag v*", "acme/api: main", "something else"]
        );
    }

    #[tokio::test]
    async fn only_the_roles_this_tool_made_are_listed() {
        let aws = crate::aws::fake::FakeAws::new();
        let setup = crate::plan::SetupInput {
            projects: vec!["acme/web".into()],
            role_name: Some("gitlab-acme-web".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let plan = crate::engine::plan(&aws, &setup).await.unwrap();
        crate::engine::apply(&aws, &plan, |_| {}).await.unwrap();
        let listed = list(&aws).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].role, "gitlab-acme-web");
        assert_eq!(
            listed[0].arn,
            "arn:aws:iam::123456789012:role/gitlab-acme-web"
        );
        assert_eq!(listed[0].trusts, ["acme/web: main"]);
    }
}
