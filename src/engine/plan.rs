//! Reading the live state and deciding. Read-only calls only, in this order: identity, provider,
//! role, attached policies, then one `GetPolicy` for each policy not already attached. Everything is
//! checked before anything is created, so a missing policy never leaves a half-made role behind.

use crate::aws::{AttachedPolicy, Aws, NewRole, OidcProvider, Role};
use crate::plan::input::{PolicyRef, is_admin_policy_arn};
use crate::plan::trust::{diff, same_policy};
use crate::plan::{MANAGED_BY_TAG, Setup, is_managed};

use super::{
    EngineError, Plan, PolicyAction, PolicyPlan, ProviderAction, ProviderPlan, RoleAction,
    RoleChange, RolePlan, Step,
};

/// IAM's default quota of managed policies per role.
const DEFAULT_POLICIES_PER_ROLE: usize = 10;

pub async fn plan<A: Aws>(aws: &A, setup: &Setup) -> Result<Plan, EngineError> {
    let identity = aws
        .caller_identity()
        .await
        .map_err(EngineError::aws(Step::Identity))?;
    let partition = identity.partition().to_string();
    let trust = setup.trust(&partition, &identity.account)?;

    // Every read that needs only the account, side by side: the provider; the role, then what is
    // attached to it (only a role that exists has any); each policy to attach.
    let provider_arn = setup.provider_arn(&partition, &identity.account);
    let role_and_attached = async {
        let role = aws
            .get_role(setup.role_name.as_str())
            .await
            .map_err(EngineError::aws(Step::Role))?;
        let attached = match &role {
            Some(_) => aws
                .list_attached_policies(setup.role_name.as_str())
                .await
                .map_err(EngineError::aws(Step::Permissions))?,
            None => Vec::new(),
        };
        Ok::<_, EngineError>((role, attached))
    };
    let (existing_provider, (existing_role, attached), found) = tokio::try_join!(
        async {
            aws.get_oidc_provider(&provider_arn)
                .await
                .map_err(EngineError::aws(Step::Provider))
        },
        role_and_attached,
        futures_util::future::try_join_all(
            setup
                .policies
                .iter()
                .map(|wanted| find_policy(aws, wanted, &partition))
        ),
    )?;
    let provider = provider_plan(setup, provider_arn, existing_provider);

    let mut policies = Vec::new();
    for (wanted, found) in setup.policies.iter().zip(found) {
        policies.push(policy_plan(wanted, found, &attached)?);
    }
    // Only what is attached now is detached: one already gone is nothing to do.
    for a in attached
        .iter()
        .filter(|a| setup.detach_policies.iter().any(|d| d.matches(&a.arn)))
    {
        policies.push(PolicyPlan {
            arn: a.arn.clone(),
            name: a.name.clone(),
            action: PolicyAction::Detach,
            admin: is_admin_policy_arn(&a.arn),
        });
    }
    let other_attached: Vec<AttachedPolicy> = attached
        .iter()
        .filter(|a| {
            !setup
                .policies
                .iter()
                .chain(&setup.detach_policies)
                .any(|w| w.matches(&a.arn))
        })
        .cloned()
        .collect();

    let new_role = NewRole {
        name: setup.role_name.as_str().to_string(),
        path: setup.role_path.as_str().to_string(),
        trust_policy_json: trust.policy.to_json(),
        description: setup
            .description
            .as_ref()
            .map(|d| d.as_str().to_string())
            .unwrap_or_else(|| setup.default_description()),
        max_session_duration: setup.max_session_duration.unwrap_or_default().seconds(),
        permissions_boundary: setup
            .permissions_boundary
            .as_ref()
            .map(|b| b.as_str().to_string()),
        tags: vec![(MANAGED_BY_TAG.0.to_string(), MANAGED_BY_TAG.1.to_string())],
    };
    let role_action = match &existing_role {
        None => RoleAction::Create,
        Some(role) => role_action(setup, role, &trust.policy.to_value())?,
    };
    // A boundary that is about to be set must exist: checked now, before anything changes.
    let sets_boundary = match &role_action {
        RoleAction::Create => setup.permissions_boundary.is_some(),
        RoleAction::Update { changes } => changes
            .iter()
            .any(|c| matches!(c, RoleChange::PermissionsBoundary { .. })),
        _ => false,
    };
    if let (true, Some(boundary)) = (sets_boundary, &setup.permissions_boundary) {
        let found = aws
            .get_policy(boundary.as_str())
            .await
            .map_err(EngineError::aws(Step::Role))?;
        if found.is_none() {
            return Err(EngineError::PolicyNotFound {
                policy: boundary.as_str().to_string(),
            });
        }
    }
    let role = RolePlan {
        arn: existing_role
            .as_ref()
            .map(|r| r.arn.clone())
            .unwrap_or_else(|| setup.role_arn(&partition, &identity.account)),
        name: setup.role_name.as_str().to_string(),
        action: role_action,
        new_role,
    };

    let mut warnings = trust.warnings.clone();
    let to_attach = policies
        .iter()
        .filter(|p| p.action == PolicyAction::Attach)
        .count();
    let to_detach = policies
        .iter()
        .filter(|p| p.action == PolicyAction::Detach)
        .count();
    let after = attached.len() + to_attach - to_detach;
    if after > DEFAULT_POLICIES_PER_ROLE {
        warnings.push(format!(
            "the role would have {after} managed policies; IAM's default quota is {DEFAULT_POLICIES_PER_ROLE} per role"
        ));
    }
    // Only what is to be attached or stays attached: detaching one is no danger.
    for p in policies
        .iter()
        .filter(|p| p.admin && p.action != PolicyAction::Detach)
    {
        warnings.push(crate::plan::input::admin_warning(&p.name));
    }

    Ok(Plan {
        identity,
        provider,
        role,
        policies,
        other_attached,
        trust,
        warnings,
    })
}

fn provider_plan(setup: &Setup, arn: String, existing: Option<OidcProvider>) -> ProviderPlan {
    let audience = setup.audience.as_str().to_string();
    let (action, client_ids) = match existing {
        None => (ProviderAction::Create, Vec::new()),
        Some(p) => {
            let action = if !p.client_ids.contains(&audience) {
                ProviderAction::AddAudience
            } else if is_managed(&p.tags) {
                ProviderAction::Unchanged
            } else {
                ProviderAction::Reuse
            };
            (action, p.client_ids)
        }
    };
    ProviderPlan {
        arn,
        url: setup.provider_url.as_str().to_string(),
        audience,
        action,
        client_ids,
        thumbprints: setup.thumbprints.clone(),
    }
}

fn role_action(
    setup: &Setup,
    role: &Role,
    desired_trust: &serde_json::Value,
) -> Result<RoleAction, EngineError> {
    if role.path != setup.role_path.as_str() {
        return Err(EngineError::RolePathConflict {
            name: role.name.clone(),
            existing: role.path.clone(),
            wanted: setup.role_path.as_str().to_string(),
        });
    }
    let mut changes = Vec::new();
    if !same_policy(&role.trust_policy, desired_trust) {
        changes.push(RoleChange::TrustPolicy {
            diff: diff(&role.trust_policy, desired_trust),
            current: role.trust_policy.clone(),
        });
    }
    if let Some(d) = &setup.description
        && role.description.as_deref().unwrap_or("") != d.as_str()
    {
        changes.push(RoleChange::Description {
            from: role.description.clone(),
            to: d.as_str().to_string(),
        });
    }
    if let Some(m) = setup.max_session_duration
        && role.max_session_duration != m.seconds()
    {
        changes.push(RoleChange::MaxSessionDuration {
            from: role.max_session_duration,
            to: m.seconds(),
        });
    }
    if let Some(b) = &setup.permissions_boundary
        && role.permissions_boundary.as_deref() != Some(b.as_str())
    {
        changes.push(RoleChange::PermissionsBoundary {
            from: role.permissions_boundary.clone(),
            to: b.as_str().to_string(),
        });
    }
    Ok(if !changes.is_empty() {
        RoleAction::Update { changes }
    } else if is_managed(&role.tags) {
        RoleAction::Unchanged
    } else {
        RoleAction::Reuse
    })
}

/// A policy to attach, looked up by the ARN it most likely has (an AWS managed policy named
/// without its path, such as `job-function/`, searched by name).
async fn find_policy<A: Aws>(
    aws: &A,
    wanted: &PolicyRef,
    partition: &str,
) -> Result<Option<crate::aws::ManagedPolicy>, EngineError> {
    let step = EngineError::aws(Step::Permissions);
    let found = aws
        .get_policy(&wanted.likely_arn(partition))
        .await
        .map_err(step)?;
    if found.is_none() && matches!(wanted, PolicyRef::AwsManagedName(n) if !n.contains('/')) {
        return aws
            .find_aws_managed_policy(wanted.name())
            .await
            .map_err(EngineError::aws(Step::Permissions));
    }
    Ok(found)
}

/// What to do with a wanted policy: nothing where it is attached, else attach what was found.
fn policy_plan(
    wanted: &PolicyRef,
    found: Option<crate::aws::ManagedPolicy>,
    attached: &[AttachedPolicy],
) -> Result<PolicyPlan, EngineError> {
    if let Some(a) = attached.iter().find(|a| wanted.matches(&a.arn)) {
        return Ok(PolicyPlan {
            arn: a.arn.clone(),
            name: a.name.clone(),
            action: PolicyAction::AlreadyAttached,
            admin: is_admin_policy_arn(&a.arn),
        });
    }
    let Some(policy) = found else {
        return Err(EngineError::PolicyNotFound {
            policy: wanted.display().to_string(),
        });
    };
    if !policy.attachable {
        return Err(EngineError::PolicyNotAttachable { policy: policy.arn });
    }
    Ok(PolicyPlan {
        admin: is_admin_policy_arn(&policy.arn),
        arn: policy.arn,
        name: policy.name,
        action: PolicyAction::Attach,
    })
}
