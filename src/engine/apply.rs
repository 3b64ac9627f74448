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

/// Sends progress and keeps the reports for the outcome.
struct Reporter<F: FnMut(Progress)> {
    progress: F,
    resources: Vec<ResourceReport>,
}

impl<F: FnMut(Progress)> Reporter<F> {
    fn start(&mut self, step: Step, what: String) {
        (self.progress)(Progress::Started { step, what });
    }

    fn done(
        &mut self,
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
        self.resources.push(report.clone());
        (self.progress)(Progress::Finished { step, report });
    }
}

/// Apply `plan`. The caller has already obtained any confirmation `plan.confirmations()` asks for.
pub async fn apply<A: Aws>(
    aws: &A,
    plan: &Plan,
    progress: impl FnMut(Progress),
) -> Result<Outcome, EngineError> {
    let mut r = Reporter {
        progress,
        resources: Vec::new(),
    };
    let provider_arn = apply_provider(aws, plan, &mut r).await?;
    let role_arn = apply_role(aws, plan, &mut r).await?;
    for p in &plan.policies {
        let done = match p.action {
            PolicyAction::Attach => {
                r.start(Step::Permissions, format!("attaching {}", p.name));
                aws.attach_policy(&plan.role.name, &p.arn)
                    .await
                    .map_err(EngineError::aws(Step::Permissions))?;
                Done::Attached
            }
            PolicyAction::AlreadyAttached => Done::Unchanged,
        };
        r.done(Step::Permissions, "policy", &p.arn, done, vec![]);
    }
    Ok(Outcome {
        account: plan.identity.account.clone(),
        caller: plan.identity.arn.clone(),
        provider_arn,
        role_arn,
        resources: r.resources,
        left_alone: plan.other_attached.clone(),
    })
}

async fn apply_provider<A: Aws, F: FnMut(Progress)>(
    aws: &A,
    plan: &Plan,
    r: &mut Reporter<F>,
) -> Result<String, EngineError> {
    const KIND: &str = "oidc-provider";
    let p = &plan.provider;
    let step = Step::Provider;
    let add_audience = || async {
        aws.add_client_id(&p.arn, &p.audience)
            .await
            .map_err(EngineError::aws(step))
    };
    match p.action {
        ProviderAction::Create => {
            r.start(step, format!("creating OIDC provider {}", p.url));
            let tags = [(MANAGED_BY_TAG.0.to_string(), MANAGED_BY_TAG.1.to_string())];
            let audiences = std::slice::from_ref(&p.audience);
            match aws.create_oidc_provider(&p.url, audiences, &tags).await {
                Ok(arn) => {
                    let arn = if arn.is_empty() { p.arn.clone() } else { arn };
                    r.done(step, KIND, &arn, Done::Created, vec![]);
                    Ok(arn)
                }
                // Created by someone else since we looked: adopt it, making sure of the audience.
                Err(e) if e.is_code("EntityAlreadyExists") => {
                    add_audience().await?;
                    let details = vec![format!("audience {} ensured", p.audience)];
                    r.done(step, KIND, &p.arn, Done::Updated, details);
                    Ok(p.arn.clone())
                }
                Err(error) => Err(EngineError::Aws { step, error }),
            }
        }
        ProviderAction::AddAudience => {
            r.start(step, format!("adding audience {} to {}", p.audience, p.arn));
            add_audience().await?;
            let details = vec![format!("audience {} added", p.audience)];
            r.done(step, KIND, &p.arn, Done::Updated, details);
            Ok(p.arn.clone())
        }
        ProviderAction::Reuse => {
            r.done(step, KIND, &p.arn, Done::Reused, vec![]);
            Ok(p.arn.clone())
        }
        ProviderAction::Unchanged => {
            r.done(step, KIND, &p.arn, Done::Unchanged, vec![]);
            Ok(p.arn.clone())
        }
    }
}

async fn apply_role<A: Aws, F: FnMut(Progress)>(
    aws: &A,
    plan: &Plan,
    r: &mut Reporter<F>,
) -> Result<String, EngineError> {
    let role = &plan.role;
    let step = Step::Role;
    match &role.action {
        RoleAction::Create => {
            r.start(step, format!("creating role {}", role.name));
            let arn = aws
                .create_role(&role.new_role)
                .await
                .map_err(EngineError::aws(step))?;
            let arn = if arn.is_empty() {
                role.arn.clone()
            } else {
                arn
            };
            r.done(step, "role", &arn, Done::Created, vec![]);
            Ok(arn)
        }
        RoleAction::Update { changes } => {
            r.start(step, format!("updating role {}", role.name));
            update_role(aws, &role.name, &role.new_role.trust_policy_json, changes).await?;
            let details = changes.iter().map(RoleChange::summary).collect();
            r.done(step, "role", &role.arn, Done::Updated, details);
            Ok(role.arn.clone())
        }
        RoleAction::Reuse => {
            r.done(step, "role", &role.arn, Done::Reused, vec![]);
            Ok(role.arn.clone())
        }
        RoleAction::Unchanged => {
            r.done(step, "role", &role.arn, Done::Unchanged, vec![]);
            Ok(role.arn.clone())
        }
    }
}

/// One call per kind of change: the trust policy, the boundary, and description with session
/// duration together in one `UpdateRole`.
async fn update_role<A: Aws>(
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
