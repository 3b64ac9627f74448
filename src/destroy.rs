//! `destroy`: remove a setup cleanly. Detaches the role's managed policies, deletes the role, and
//! deletes the OIDC provider only when this tool created it (tag) and no other role still trusts it.
//! Decided with read-only calls first; nothing someone else made is deleted.

use serde::Serialize;

use crate::aws::{AttachedPolicy, Aws};
use crate::engine::{EngineError, Step};
use crate::plan::is_managed;
use crate::plan::trust_view::TrustView;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "fate", rename_all = "kebab-case")]
pub enum ProviderFate {
    /// Created by this tool and trusted by no other role.
    Delete { arn: String },
    /// Made by someone else: left alone.
    KeepNotOurs { arn: String },
    /// Other roles still trust it: left alone, and they are named.
    KeepShared { arn: String, roles: Vec<String> },
    /// The trust names a provider that no longer exists.
    Missing { arn: String },
    /// The role's trust names no OIDC provider.
    None,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DestroyPlan {
    pub role: String,
    pub role_arn: String,
    /// Instance profiles to take the role out of first (only with `--force`).
    pub leave_profiles: Vec<String>,
    pub detach: Vec<AttachedPolicy>,
    pub provider: ProviderFate,
}

/// Read what exists and decide. `Ok(None)`: the role does not exist, so there is nothing to do.
pub async fn plan<A: Aws>(
    aws: &A,
    role: &str,
    force: bool,
) -> Result<Option<DestroyPlan>, EngineError> {
    let Some(found) = aws
        .get_role(role)
        .await
        .map_err(EngineError::aws(Step::Role))?
    else {
        return Ok(None);
    };
    if !is_managed(&found.tags) && !force {
        return Err(EngineError::NotOurs {
            name: role.to_string(),
        });
    }
    // The three reads side by side (one round trip); their answers are weighed in this order.
    let (inline, leave_profiles, detach) = tokio::join!(
        aws.list_inline_policies(role),
        aws.list_instance_profiles_for_role(role),
        aws.list_attached_policies(role)
    );
    let inline = inline.map_err(EngineError::aws(Step::Permissions))?;
    if !inline.is_empty() {
        return Err(EngineError::InlinePolicies {
            name: role.to_string(),
            policies: inline,
        });
    }
    // IAM refuses DeleteRole while the role is in an instance profile: find out before any change.
    let leave_profiles = leave_profiles.map_err(EngineError::aws(Step::Role))?;
    if !leave_profiles.is_empty() && !force {
        return Err(EngineError::InInstanceProfiles {
            name: role.to_string(),
            profiles: leave_profiles,
        });
    }
    let detach = detach.map_err(EngineError::aws(Step::Permissions))?;
    let provider = match TrustView::read(&found.trust_policy)
        .oidc_providers()
        .into_iter()
        .next()
    {
        None => ProviderFate::None,
        Some(arn) => match aws
            .get_oidc_provider(&arn)
            .await
            .map_err(EngineError::aws(Step::Provider))?
        {
            None => ProviderFate::Missing { arn },
            Some(p) if !is_managed(&p.tags) => ProviderFate::KeepNotOurs { arn },
            Some(p) => {
                // Every role a token of this provider can still get into keeps it, whatever
                // form its principal takes: the reading `check --all` audits by.
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                let others: Vec<String> = aws
                    .list_roles()
                    .await
                    .map_err(EngineError::aws(Step::Provider))?
                    .into_iter()
                    .filter(|r| r.name != role && crate::check::depends_on(r, &arn, Some(&p), now))
                    .map(|r| r.name)
                    .collect();
                if others.is_empty() {
                    ProviderFate::Delete { arn }
                } else {
                    ProviderFate::KeepShared { arn, roles: others }
                }
            }
        },
    };
    Ok(Some(DestroyPlan {
        role: role.to_string(),
        role_arn: found.arn,
        leave_profiles,
        detach,
        provider,
    }))
}

/// Carry the plan out: out of instance profiles, detach, the provider if it is to go, then the
/// role.
pub async fn apply<A: Aws>(
    aws: &A,
    plan: &DestroyPlan,
    mut progress: impl FnMut(String),
) -> Result<(), EngineError> {
    for profile in &plan.leave_profiles {
        match aws
            .remove_role_from_instance_profile(profile, &plan.role)
            .await
        {
            Ok(()) => progress(format!(
                "✓ removed the role from instance profile {profile}"
            )),
            // Already out (a run cut short): that is what we wanted.
            Err(e) if e.is_code("NoSuchEntity") => {}
            Err(error) => {
                return Err(EngineError::Aws {
                    step: Step::Role,
                    error,
                });
            }
        }
    }
    for p in &plan.detach {
        aws.detach_policy(&plan.role, &p.arn)
            .await
            .map_err(EngineError::aws(Step::Permissions))?;
        progress(format!("✓ detached {}", p.arn));
    }
    if let ProviderFate::Delete { arn } = &plan.provider {
        match aws.delete_oidc_provider(arn).await {
            Ok(()) => progress(format!("✓ deleted OIDC provider {arn}")),
            // Already gone (a run cut short): that is what we wanted.
            Err(e) if e.is_code("NoSuchEntity") => {
                progress(format!("✓ OIDC provider {arn} was already gone"))
            }
            Err(error) => {
                return Err(EngineError::Aws {
                    step: Step::Provider,
                    error,
                });
            }
        }
    }
    // The role last: while it is there, a run cut short anywhere is finished by the next, which
    // finds it and plans what is left (a provider deleted already is "gone").
    aws.delete_role(&plan.role)
        .await
        .map_err(EngineError::aws(Step::Role))?;
    progress(format!("✓ deleted role {}", plan.role_arn));
    Ok(())
}

/// The plan for people.
pub fn text(plan: &DestroyPlan) -> String {
    let mut s = String::new();
    crate::sanitize::push_line(&mut s, &format!("Role      delete   {}", plan.role_arn));
    for p in &plan.leave_profiles {
        crate::sanitize::push_line(
            &mut s,
            &format!("Profile   leave    {p}  (instance profile: the role is taken out of it)"),
        );
    }
    for p in &plan.detach {
        crate::sanitize::push_line(&mut s, &format!("Policy    detach   {}", p.arn));
    }
    let line = match &plan.provider {
        ProviderFate::Delete { arn } => {
            format!(
                "Provider  delete   {arn}  (created by aws-oidc-wizard; no other role trusts it)"
            )
        }
        ProviderFate::KeepNotOurs { arn } => {
            format!("Provider  keep     {arn}  (not created by aws-oidc-wizard)")
        }
        ProviderFate::KeepShared { arn, roles } => format!(
            "Provider  keep     {arn}  (still trusted by: {})",
            roles.join(", ")
        ),
        ProviderFate::Missing { arn } => format!("Provider  gone     {arn}  (already deleted)"),
        ProviderFate::None => "Provider  none     (the trust names no OIDC provider)".to_string(),
    };
    crate::sanitize::push_line(&mut s, &line);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::fake::FakeAws;
    use crate::plan::SetupInput;

    fn run<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    async fn setup(aws: &FakeAws, role: &str, project: &str) {
        let s = SetupInput {
            projects: vec![project.into()],
            role_name: Some(role.into()),
            policies: vec!["ReadOnlyAccess".into()],
            ..Default::default()
        }
        .validate()
        .unwrap();
        let p = crate::engine::plan(aws, &s).await.unwrap();
        crate::engine::apply(aws, &p, |_| {}).await.unwrap();
    }

    #[test]
    fn a_shared_provider_is_kept_and_the_last_user_removes_it() {
        run(async {
            let aws = FakeAws::new();
            setup(&aws, "web", "acme/web").await;
            setup(&aws, "api", "acme/api").await;
            let p = plan(&aws, "web", false).await.unwrap().unwrap();
            assert!(
                matches!(&p.provider, ProviderFate::KeepShared { roles, .. } if roles == &["api".to_string()])
            );
            assert!(text(&p).contains("still trusted by: api"));
            apply(&aws, &p, |_| {}).await.unwrap();
            let p = plan(&aws, "api", false).await.unwrap().unwrap();
            assert!(matches!(p.provider, ProviderFate::Delete { .. }));
            apply(&aws, &p, |_| {}).await.unwrap();
            {
                let state = aws.state.lock().unwrap();
                assert!(state.roles.is_empty() && state.providers.is_empty());
            }
            assert!(
                plan(&aws, "api", false).await.unwrap().is_none(),
                "a second destroy has nothing to do"
            );
        });
    }

    #[test]
    fn a_role_in_an_instance_profile_is_refused_before_any_change_or_taken_out_with_force() {
        run(async {
            let aws = FakeAws::new();
            setup(&aws, "web", "acme/web").await;
            aws.state
                .lock()
                .unwrap()
                .instance_profiles
                .insert("ec2-web".into(), vec!["web".into()]);
            let before = aws.calls().snapshot().len();
            let refused = plan(&aws, "web", false).await.unwrap_err();
            assert!(
                refused.to_string().contains("instance profile ec2-web"),
                "{refused}"
            );
            assert!(
                aws.calls().snapshot()[before..]
                    .iter()
                    .all(|c| c.starts_with("iam.Get") || c.starts_with("iam.List")),
                "only reads before the refusal"
            );
            let p = plan(&aws, "web", true).await.unwrap().unwrap();
            assert_eq!(p.leave_profiles, ["ec2-web"]);
            assert!(text(&p).contains("Profile   leave    ec2-web"));
            apply(&aws, &p, |_| {}).await.unwrap();
            assert!(aws.state.lock().unwrap().roles.is_empty());
        });
    }

    #[test]
    fn a_role_not_made_here_needs_force() {
        run(async {
            let aws = FakeAws::new();
            setup(&aws, "web", "acme/web").await;
            aws.state
                .lock()
                .unwrap()
                .roles
                .get_mut("web")
                .unwrap()
                .tags
                .clear();
            assert!(matches!(
                plan(&aws, "web", false).await,
                Err(EngineError::NotOurs { .. })
            ));
            assert!(plan(&aws, "web", true).await.unwrap().is_some());
        });
    }
}
