//! Carrying out a plan as a list of actions, one mutating AWS call each, none where nothing is to be
//! done; independent ones side by side (see [`apply_from`]). The wizard resumes from a failed one.

use crate::aws::Aws;
use crate::plan::MANAGED_BY_TAG;

use super::{
    Done, EngineError, Outcome, Plan, PolicyAction, ProviderAction, ResourceReport, RoleAction,
    RoleChange, Step,
};

/// One mutating AWS call of an apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    CreateProvider,
    AddAudience,
    CreateRole,
    UpdateTrustPolicy,
    UpdateRoleSettings {
        description: Option<String>,
        max_session_duration: Option<i32>,
    },
    PutPermissionsBoundary {
        arn: String,
    },
    AttachPolicy {
        arn: String,
        name: String,
    },
    DetachPolicy {
        arn: String,
        name: String,
    },
}

impl Action {
    pub fn step(&self) -> Step {
        match self {
            Action::CreateProvider | Action::AddAudience => Step::Provider,
            Action::AttachPolicy { .. } | Action::DetachPolicy { .. } => Step::Permissions,
            _ => Step::Role,
        }
    }

    /// The AWS operation it calls.
    pub fn operation(&self) -> &'static str {
        match self {
            Action::CreateProvider => "CreateOpenIDConnectProvider",
            Action::AddAudience => "AddClientIDToOpenIDConnectProvider",
            Action::CreateRole => "CreateRole",
            Action::UpdateTrustPolicy => "UpdateAssumeRolePolicy",
            Action::UpdateRoleSettings { .. } => "UpdateRole",
            Action::PutPermissionsBoundary { .. } => "PutRolePermissionsBoundary",
            Action::AttachPolicy { .. } => "AttachRolePolicy",
            Action::DetachPolicy { .. } => "DetachRolePolicy",
        }
    }

    /// What it does, in words.
    pub fn label(&self, plan: &Plan) -> String {
        match self {
            Action::CreateProvider => format!("create OIDC provider {}", plan.provider.url),
            Action::AddAudience => {
                format!("add audience {} to the provider", plan.provider.audience)
            }
            Action::CreateRole => format!("create role {}", plan.role.name),
            Action::UpdateTrustPolicy => format!("update the trust policy of {}", plan.role.name),
            Action::UpdateRoleSettings { .. } => {
                format!("update the settings of {}", plan.role.name)
            }
            Action::PutPermissionsBoundary { arn } => format!("set permissions boundary {arn}"),
            Action::AttachPolicy { name, .. } => format!("attach {name}"),
            Action::DetachPolicy { name, .. } => format!("detach {name}"),
        }
    }
}

impl Plan {
    /// The mutating calls applying this plan takes, in order. Empty when converged.
    pub fn actions(&self) -> Vec<Action> {
        let mut out = Vec::new();
        match self.provider.action {
            ProviderAction::Create => out.push(Action::CreateProvider),
            ProviderAction::AddAudience => out.push(Action::AddAudience),
            ProviderAction::Reuse | ProviderAction::Unchanged => {}
        }
        match &self.role.action {
            RoleAction::Create => out.push(Action::CreateRole),
            RoleAction::Update { changes } => {
                let mut description = None;
                let mut max_session_duration = None;
                let mut boundary = None;
                for c in changes {
                    match c {
                        RoleChange::TrustPolicy { .. } => out.push(Action::UpdateTrustPolicy),
                        RoleChange::Description { to, .. } => description = Some(to.clone()),
                        RoleChange::MaxSessionDuration { to, .. } => {
                            max_session_duration = Some(*to)
                        }
                        RoleChange::PermissionsBoundary { to, .. } => boundary = Some(to.clone()),
                    }
                }
                // Description and session duration go together in one UpdateRole.
                if description.is_some() || max_session_duration.is_some() {
                    out.push(Action::UpdateRoleSettings {
                        description,
                        max_session_duration,
                    });
                }
                if let Some(arn) = boundary {
                    out.push(Action::PutPermissionsBoundary { arn });
                }
            }
            RoleAction::Reuse | RoleAction::Unchanged => {}
        }
        for p in &self.policies {
            let (arn, name) = (p.arn.clone(), p.name.clone());
            match p.action {
                PolicyAction::Attach => out.push(Action::AttachPolicy { arn, name }),
                PolicyAction::Detach => out.push(Action::DetachPolicy { arn, name }),
                PolicyAction::AlreadyAttached => {}
            }
        }
        out
    }
}

/// Run one action. Returns what it did to its resource.
pub async fn execute<A: Aws>(aws: &A, plan: &Plan, action: &Action) -> Result<Done, EngineError> {
    let err = EngineError::aws(action.step());
    let role = plan.role.name.as_str();
    let p = &plan.provider;
    match action {
        Action::CreateProvider => {
            let tags = [(MANAGED_BY_TAG.0.to_string(), MANAGED_BY_TAG.1.to_string())];
            let audiences = std::slice::from_ref(&p.audience);
            match aws
                .create_oidc_provider(&p.url, audiences, &p.thumbprints, &tags)
                .await
            {
                Ok(_) => Ok(Done::Created),
                // Created by someone else since we looked (or by a run cut short): adopt it,
                // making sure of the audience.
                Err(e) if e.is_code("EntityAlreadyExists") => {
                    aws.add_client_id(&p.arn, &p.audience).await.map_err(err)?;
                    Ok(Done::Updated)
                }
                Err(e) => Err(err(e)),
            }
        }
        Action::AddAudience => {
            aws.add_client_id(&p.arn, &p.audience).await.map_err(err)?;
            Ok(Done::Updated)
        }
        Action::CreateRole => {
            aws.create_role(&plan.role.new_role).await.map_err(err)?;
            Ok(Done::Created)
        }
        Action::UpdateTrustPolicy => {
            aws.update_trust_policy(role, &plan.role.new_role.trust_policy_json)
                .await
                .map_err(err)?;
            Ok(Done::Updated)
        }
        Action::UpdateRoleSettings {
            description,
            max_session_duration,
        } => {
            aws.update_role(role, description.as_deref(), *max_session_duration)
                .await
                .map_err(err)?;
            Ok(Done::Updated)
        }
        Action::PutPermissionsBoundary { arn } => {
            aws.put_permissions_boundary(role, arn).await.map_err(err)?;
            Ok(Done::Updated)
        }
        Action::AttachPolicy { arn, .. } => {
            aws.attach_policy(role, arn).await.map_err(err)?;
            Ok(Done::Attached)
        }
        // Detached meanwhile (or by a run cut short): the wanted state already holds.
        Action::DetachPolicy { arn, .. } => match aws.detach_policy(role, arn).await {
            Ok(()) => Ok(Done::Detached),
            Err(e) if e.is_code("NoSuchEntity") => Ok(Done::Detached),
            Err(e) => Err(err(e)),
        },
    }
}

/// What the engine tells its face while it works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    Started {
        index: usize,
        action: Action,
        label: String,
    },
    Finished {
        index: usize,
        action: Action,
        label: String,
        done: Done,
    },
    /// The action whose error the run returns (the first of its wave, by index; the others of
    /// that wave that did not finish are not done).
    Failed {
        index: usize,
        action: Action,
        label: String,
    },
}

/// Apply the whole plan. The caller has already obtained any confirmation
/// `plan.confirmations()` asks for.
pub async fn apply<A: Aws>(
    aws: &A,
    plan: &Plan,
    progress: impl FnMut(Progress),
) -> Result<Outcome, EngineError> {
    apply_from(aws, plan, 0, progress).await
}

/// Apply the plan's actions from index `from` on (the earlier ones are done), stopping at the
/// first wave that fails.
///
/// The actions run in waves along their dependencies: the provider first (the role's trust names
/// it), then the role's own calls side by side (a new role, or its trust, settings and boundary),
/// then every attach and detach side by side (they need the role). A wave ends when all its calls
/// have answered: each success is reported finished, in the plan's order; then the first failure,
/// by index, is reported failed and returned. Every action is idempotent against a fresh plan, so
/// whatever a wave finished before a failure or a kill, the next run finishes the rest.
pub async fn apply_from<A: Aws>(
    aws: &A,
    plan: &Plan,
    from: usize,
    mut progress: impl FnMut(Progress),
) -> Result<Outcome, EngineError> {
    let actions = plan.actions();
    let mut provider_done = None;
    let mut at = from;
    while at < actions.len() {
        let step = actions[at].step();
        let wave: Vec<usize> = (at..actions.len())
            .take_while(|&i| actions[i].step() == step)
            .collect();
        at += wave.len();
        for &index in &wave {
            progress(Progress::Started {
                index,
                action: actions[index].clone(),
                label: actions[index].label(plan),
            });
        }
        let results = futures_util::future::join_all(
            wave.iter()
                .map(|&index| execute(aws, plan, &actions[index])),
        )
        .await;
        let mut failed = None;
        for (&index, result) in wave.iter().zip(results) {
            let action = actions[index].clone();
            match result {
                Ok(done) => {
                    if action.step() == Step::Provider {
                        provider_done = Some(done);
                    }
                    progress(Progress::Finished {
                        label: action.label(plan),
                        index,
                        action,
                        done,
                    });
                }
                Err(e) => {
                    failed.get_or_insert((index, e));
                }
            }
        }
        if let Some((index, e)) = failed {
            progress(Progress::Failed {
                label: actions[index].label(plan),
                index,
                action: actions[index].clone(),
            });
            return Err(e);
        }
    }
    Ok(plan.outcome(provider_done))
}

impl Plan {
    /// The result of a finished apply, per resource. `provider_done` overrides what was planned for
    /// the provider (a provider created meanwhile by someone else is adopted, not created).
    pub fn outcome(&self, provider_done: Option<Done>) -> Outcome {
        let mut resources = Vec::new();
        let provider = provider_done.unwrap_or(match self.provider.action {
            ProviderAction::Create => Done::Created,
            ProviderAction::AddAudience => Done::Updated,
            ProviderAction::Reuse => Done::Reused,
            ProviderAction::Unchanged => Done::Unchanged,
        });
        let provider_details = match provider {
            Done::Updated => vec![format!("audience {} added", self.provider.audience)],
            _ => vec![],
        };
        resources.push(report(
            "oidc-provider",
            &self.provider.arn,
            provider,
            provider_details,
        ));
        let (role, details) = match &self.role.action {
            RoleAction::Create => (Done::Created, vec![]),
            RoleAction::Update { changes } => (
                Done::Updated,
                changes.iter().map(RoleChange::summary).collect(),
            ),
            RoleAction::Reuse => (Done::Reused, vec![]),
            RoleAction::Unchanged => (Done::Unchanged, vec![]),
        };
        resources.push(report("role", &self.role.arn, role, details));
        for p in &self.policies {
            let done = match p.action {
                PolicyAction::Attach => Done::Attached,
                PolicyAction::Detach => Done::Detached,
                PolicyAction::AlreadyAttached => Done::Unchanged,
            };
            resources.push(report("policy", &p.arn, done, vec![]));
        }
        Outcome {
            account: self.identity.account.clone(),
            caller: self.identity.arn.clone(),
            provider_arn: self.provider.arn.clone(),
            role_arn: self.role.arn.clone(),
            resources,
            left_alone: self.other_attached.clone(),
        }
    }
}

fn report(resource: &'static str, id: &str, action: Done, details: Vec<String>) -> ResourceReport {
    ResourceReport {
        resource,
        id: id.to_string(),
        action,
        details,
    }
}
