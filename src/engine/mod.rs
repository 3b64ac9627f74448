//! The steps of a setup. `plan` reads the live state with read-only calls and decides what each
//! resource needs; `apply` carries that decision out. Every step is idempotent: a converged setup
//! plans to do nothing, and a run cut short is finished by planning again from what exists.

mod apply;
mod error;
mod plan;
#[cfg(test)]
mod tests;

use std::fmt;

use serde::Serialize;

pub use apply::{Action, Progress, apply, apply_from, execute};
pub use error::EngineError;
pub use plan::plan;

use crate::aws::{AttachedPolicy, CallerIdentity, NewRole};
use crate::plan::trust::Trust;

/// The steps, in the order they run, named as the user sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    Identity,
    Provider,
    Role,
    Permissions,
    /// The Organization's listings and the member accounts reached through it.
    Organization,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Identity => "identity",
            Step::Provider => "provider",
            Step::Role => "role",
            Step::Permissions => "permissions",
            Step::Organization => "organization",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProviderAction {
    /// No provider for this URL: create it with the audience.
    Create,
    /// It exists but lacks the audience: add it.
    AddAudience,
    /// It exists with the audience and was made by someone else.
    Reuse,
    /// It exists with the audience and carries our tag.
    Unchanged,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderPlan {
    pub arn: String,
    pub url: String,
    pub audience: String,
    pub action: ProviderAction,
    /// The client IDs it has now (empty when it does not exist).
    pub client_ids: Vec<String>,
    /// Thumbprints to create it with (a self-managed instance behind a private CA).
    pub thumbprints: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "setting", rename_all = "kebab-case")]
pub enum RoleChange {
    TrustPolicy {
        diff: String,
        /// The role's trust policy now (the JSON output has it as the plan's `diff` only).
        #[serde(skip)]
        current: serde_json::Value,
    },
    Description {
        from: Option<String>,
        to: String,
    },
    MaxSessionDuration {
        from: i32,
        to: i32,
    },
    PermissionsBoundary {
        from: Option<String>,
        to: String,
    },
}

impl RoleChange {
    pub fn summary(&self) -> String {
        match self {
            RoleChange::TrustPolicy { .. } => "trust policy differs".to_string(),
            RoleChange::Description { from, to } => {
                format!("description {:?} → {to:?}", from.as_deref().unwrap_or(""))
            }
            RoleChange::MaxSessionDuration { from, to } => {
                format!("max session duration {from} s → {to} s")
            }
            RoleChange::PermissionsBoundary { from, to } => {
                format!(
                    "permissions boundary {} → {to}",
                    from.as_deref().unwrap_or("(none)")
                )
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum RoleAction {
    Create,
    Update { changes: Vec<RoleChange> },
    Reuse,
    Unchanged,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RolePlan {
    pub arn: String,
    pub name: String,
    pub action: RoleAction,
    /// What `CreateRole` is sent, when the role is to be created.
    #[serde(skip)]
    pub new_role: NewRole,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyAction {
    Attach,
    AlreadyAttached,
    /// Attached now, and asked to be detached.
    Detach,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyPlan {
    pub arn: String,
    pub name: String,
    pub action: PolicyAction,
    /// AdministratorAccess, PowerUserAccess, IAMFullAccess.
    pub admin: bool,
}

/// Everything `apply` will do, decided from live state. Nothing has changed when this exists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub identity: CallerIdentity,
    pub provider: ProviderPlan,
    pub role: RolePlan,
    pub policies: Vec<PolicyPlan>,
    /// Attached to the role and neither asked for nor asked to be detached: left alone.
    pub other_attached: Vec<AttachedPolicy>,
    #[serde(skip)]
    pub trust: Trust,
    pub warnings: Vec<String>,
}

impl Plan {
    /// Why applying this plan needs an explicit yes: changes to an existing role and admin-level
    /// policies. Empty when it needs none.
    pub fn confirmations(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let RoleAction::Update { changes } = &self.role.action {
            let what: Vec<String> = changes.iter().map(RoleChange::summary).collect();
            out.push(format!(
                "role {} will be changed: {}",
                self.role.name,
                what.join("; ")
            ));
        }
        for p in self
            .policies
            .iter()
            .filter(|p| p.admin && p.action == PolicyAction::Attach)
        {
            out.push(format!(
                "{} gives the pipelines (nearly) full control of account {}",
                p.name, self.identity.account
            ));
        }
        for p in self
            .policies
            .iter()
            .filter(|p| p.action == PolicyAction::Detach)
        {
            out.push(format!(
                "{} will be detached from role {}: pipelines that use it lose its permissions",
                p.name, self.role.name
            ));
        }
        out
    }

    /// Whether applying replaces an existing role's trust policy with one that takes something
    /// away from it (see `trust::only_adds_subjects`): the wizard then asks for the role's name.
    pub fn narrows_trust(&self) -> bool {
        let RoleAction::Update { changes } = &self.role.action else {
            return false;
        };
        let new = self.trust.policy.to_value();
        changes.iter().any(|c| {
            matches!(c, RoleChange::TrustPolicy { current, .. }
                if !crate::plan::trust::only_adds_subjects(current, &new))
        })
    }

    /// Whether applying would change nothing.
    pub fn is_converged(&self) -> bool {
        matches!(
            self.provider.action,
            ProviderAction::Reuse | ProviderAction::Unchanged
        ) && matches!(self.role.action, RoleAction::Reuse | RoleAction::Unchanged)
            && self
                .policies
                .iter()
                .all(|p| p.action == PolicyAction::AlreadyAttached)
    }
}

/// What was done to a resource, in the words of the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Done {
    Created,
    Reused,
    Updated,
    Attached,
    Detached,
    Unchanged,
}

impl Done {
    /// The word the CLI, the JSON result and the wizard all use.
    pub fn as_str(self) -> &'static str {
        match self {
            Done::Created => "created",
            Done::Reused => "reused",
            Done::Updated => "updated",
            Done::Attached => "attached",
            Done::Detached => "detached",
            Done::Unchanged => "unchanged",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceReport {
    pub resource: &'static str,
    pub id: String,
    pub action: Done,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

/// The result of a finished apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub account: String,
    pub caller: String,
    pub provider_arn: String,
    pub role_arn: String,
    pub resources: Vec<ResourceReport>,
    /// Policies attached to the role that the setup does not name: reported, not detached.
    pub left_alone: Vec<AttachedPolicy>,
}
