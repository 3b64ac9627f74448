//! Carrying out a plan: provider, then role, then each policy, one mutating call per change and
//! none where nothing is to be done. Progress is reported as it happens.

use crate::aws::Aws;
use crate::plan::MANAGED_BY_TAG;

use super::{
    Done, EngineError, Outcome, Plan, PolicyAction, ProviderAction, ResourceReport, RoleAction,
    RoleChange, Step,
};

/// What the engine tells its face (CLI or wizard) while it works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    Started { step: Step, what: String },
    Finished { step: Step, report: ResourceReport },
}

/// Apply `plan`. The caller has already obtained any confirmation `plan.confirmations()` asks for.
pub async fn apply<A: Aws>(
    aws: &A,
    plan: &Plan,
    mut progress: impl FnMut(Progress),
) -> Result<Outcome, EngineError> {
    let mut resources = Vec::new();

    let provider_arn = apply_provider(aws, plan, &mut progress, &mut resources).await?;

    let role = &plan.role;
    let role_arn = match &role.action {
        RoleAction::Create => {
            progress(Progress::Started {
                step: Step::Role,
                what: format!("creating role {}", role.name),
            });
            let arn = aws
                .create_role(&role.new_role)
                .await
                .map_err(EngineError::aws(Step::Role))?;
            finish(
                &mut progress,
                &mut resources,
                Step::Role,
                "role",
                &arn,
                Done::Created,
                vec![],
            );
            if arn.is_empty() {
                role.arn.clone()
            } else {
                arn
            }
        }
        RoleAction::Update { changes } => {
            progress(Progress::Started {
                step: Step::Role,
                what: format!("updating role {}", role.name),
            });
            apply_role_changes(aws, &role.name, &role.new_role.trust_policy_json, changes).await?;
            let details = changes.iter().map(RoleChange::summary).collect();
            finish(
                &mut progress,
                &mut resources,
                Step::Role,
                "role",
                &role.arn,
                Done::Updated,
                details,
            );
            role.arn.clone()
        }
        RoleAction::Reuse | RoleAction::Unchanged => {
            let done = if role.action == RoleAction::Reuse {
                Done::Reused
            } else {
                Done::Unchanged
            };
            finish(
                &mut progress,
                &mut resources,
                Step::Role,
                "role",
                &role.arn,
                done,
                vec![],
            );
            role.arn.clone()
        }
    };

    for p in &plan.policies {
        let done = match p.action {
            PolicyAction::Attach => {
                progress(Progress::Started {
                    step: Step::Permissions,
                    what: format!("attaching {}", p.name),
                });
                aws.attach_policy(&role.name, &p.arn)
                    .await
                    .map_err(EngineError::aws(Step::Permissions))?;
                Done::Attached
            }
            PolicyAction::AlreadyAttached => Done::Unchanged,
        };
        finish(
            &mut progress,
            &mut resources,
            Step::Permissions,
            "policy",
            &p.arn,
            done,
            vec![],
        );
    }

    Ok(Outcome {
        account: plan.identity.account.clone(),
        caller: plan.identity.arn.clone(),
        provider_arn,
        role_arn,
        resources,
        left_alone: plan.other_attached.clone(),
    })
}

async fn apply_provider<A: Aws>(
    aws: &A,
    plan: &Plan,
    progress: &mut impl FnMut(Progress),
    resources: &mut Vec<ResourceReport>,
) -> Result<String, EngineError> {
    let p = &plan.provider;
    let step = Step::Provider;
    match p.action {
        ProviderAction::Create => {
            progress(Progress::Started {
                step,
                what: format!("creating OIDC provider {}", p.url),
            });
            let tags = [(MANAGED_BY_TAG.0.to_string(), MANAGED_BY_TAG.1.to_string())];
            let created = aws
                .create_oidc_provider(&p.url, std::slice::from_ref(&p.audience), &tags)
                .await;
            match created {
                Ok(arn) => {
                    let arn = if arn.is_empty() { p.arn.clone() } else { arn };
                    finish(
                        progress,
                        resources,
                        step,
                        "oidc-provider",
                        &arn,
                        Done::Created,
                        vec![],
                    );
                    Ok(arn)
                }
                // Created by someone else since we looked: adopt it, adding the audience.
                Err(e) if e.is_code("EntityAlreadyExists") => {
                    aws.add_client_id(&p.arn, &p.audience)
                        .await
                        .map_err(EngineError::aws(step))?;
                    let details = vec![format!("audience {} ensured", p.audience)];
                    finish(
                        progress,
                        resources,
                        step,
                        "oidc-provider",
                        &p.arn,
                        Done::Updated,
                        details,
                    );
                    Ok(p.arn.clone())
                }
                Err(e) => Err(EngineError::Aws { step, error: e }),
            }
        }
        ProviderAction::AddAudience => {
            progress(Progress::Started {
                step,
                what: format!("adding audience {} to {}", p.audience, p.arn),
            });
            aws.add_client_id(&p.arn, &p.audience)
                .await
                .map_err(EngineError::aws(step))?;
            let details = vec![format!("audience {} added", p.audience)];
            finish(
                progress,
                resources,
                step,
                "oidc-provider",
                &p.arn,
                Done::Updated,
                details,
            );
            Ok(p.arn.clone())
        }
        ProviderAction::Reuse | ProviderAction::Unchanged => {
            let done = if p.action == ProviderAction::Reuse {
                Done::Reused
            } else {
                Done::Unchanged
            };
            finish(
                progress,
                resources,
                step,
                "oidc-provider",
                &p.arn,
                done,
                vec![],
            );
            Ok(p.arn.clone())
        }
    }
}

async fn apply_role_changes<A: Aws>(
    aws: &A,
    role: &str,
    trust_policy_json: &str,
    changes: &[RoleChange],
) -> Result<(), EngineError> {
    let err = || EngineError::aws(Step::Role);
    let mut description = None;
    let mut max_session = None;
    for change in changes {
        match change {
            RoleChange::TrustPolicy { .. } => {
                aws.update_trust_policy(role, trust_policy_json)
                    .await
                    .map_err(err())?;
            }
            RoleChange::Description { to, .. } => description = Some(to.as_str()),
            RoleChange::MaxSessionDuration { to, .. } => max_session = Some(*to),
            RoleChange::PermissionsBoundary { to, .. } => {
                aws.put_permissions_boundary(role, to)
                    .await
                    .map_err(err())?;
            }
        }
    }
    if description.is_some() || max_session.is_some() {
        aws.update_role(role, description, max_session)
            .await
            .map_err(err())?;
    }
    Ok(())
}

fn finish(
    progress: &mut impl FnMut(Progress),
    resources: &mut Vec<ResourceReport>,
    step: Step,
    resource: &'static str,
    id: &str,
    action: Done,
    details: Vec<String>,
) {
    let report = ResourceReport {
        resource,
        id: id.to_string(),
        action,
        details,
    };
    resources.push(report.clone());
    progress(Progress::Finished { step, report });
}
