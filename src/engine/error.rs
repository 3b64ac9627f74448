//! The one error of the program's use cases (setup, check, explain, destroy and the flow around
//! them). It keeps its structure to the last mile: each face builds its own view from `code()`,
//! `message()` and `hint()`; `Display` is the CLI's one-line rendering of the three.

use std::fmt;

use crate::aws::AwsError;
use crate::flow::claims::ClaimsError;
use crate::gitlab::GitLabError;
use crate::plan::input::InputError;

use super::Step;

#[derive(Debug)]
pub enum EngineError {
    Input(InputError),
    Aws {
        step: Step,
        error: AwsError,
    },
    PolicyNotFound {
        policy: String,
    },
    PolicyNotAttachable {
        policy: String,
    },
    RolePathConflict {
        name: String,
        existing: String,
        wanted: String,
    },
    RoleNotFound {
        name: String,
    },
    NotOurs {
        name: String,
    },
    InlinePolicies {
        name: String,
        policies: Vec<String>,
    },
    /// The role is in instance profiles: IAM refuses to delete it until it is removed from them.
    InInstanceProfiles {
        name: String,
        profiles: Vec<String>,
    },
    GitLab(GitLabError),
    Claims(ClaimsError),
    /// `--org` from an account that is in no Organization.
    NoOrganization {
        account: String,
    },
    /// The caller's account may not read the Organization: neither its management account nor
    /// a delegated administrator.
    NotOrgAdministrator {
        account: String,
        management: String,
        error: Box<AwsError>,
    },
    /// An organizational unit (or root) the Organization does not have.
    UnitNotFound {
        unit: String,
    },
    /// The stack set has instances outside the units named, and a changed setup would change
    /// them too.
    BeyondUnits {
        stack_set: String,
        accounts: Vec<String>,
        units: Vec<String>,
    },
    /// A rollout's provider (URL, audience) cannot change.
    ProviderChanged {
        stack_set: String,
    },
    /// Deleting the stack set would delete OIDC providers other roles still trust, or could not
    /// be checked not to.
    ProviderInUse {
        stack_set: String,
        /// Each account, and why.
        accounts: Vec<(String, String)>,
    },
    ConfirmationRequired {
        reasons: Vec<String>,
    },
}

impl EngineError {
    pub fn aws(step: Step) -> impl FnOnce(AwsError) -> EngineError {
        move |error| EngineError::Aws { step, error }
    }

    /// The process exit code: 2 for bad input, 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            EngineError::Input(_) | EngineError::Claims(_) => 2,
            _ => 1,
        }
    }

    /// A short name of what went wrong: the AWS error code for AWS failures.
    pub fn code(&self) -> &str {
        match self {
            EngineError::Input(_) | EngineError::Claims(_) => "InvalidInput",
            EngineError::Aws { error, .. } => error.code(),
            EngineError::PolicyNotFound { .. } => "PolicyNotFound",
            EngineError::PolicyNotAttachable { .. } => "PolicyNotAttachable",
            EngineError::RolePathConflict { .. } => "RolePathConflict",
            EngineError::RoleNotFound { .. } => "RoleNotFound",
            EngineError::NotOurs { .. } => "NotOurs",
            EngineError::InlinePolicies { .. } => "InlinePolicies",
            EngineError::InInstanceProfiles { .. } => "InInstanceProfiles",
            EngineError::GitLab(_) => "GitLab",
            EngineError::ConfirmationRequired { .. } => "ConfirmationRequired",
            EngineError::NoOrganization { .. } => "NoOrganization",
            EngineError::NotOrgAdministrator { .. } => "NotOrgAdministrator",
            EngineError::UnitNotFound { .. } => "UnitNotFound",
            EngineError::BeyondUnits { .. } => "BeyondUnits",
            EngineError::ProviderChanged { .. } => "ProviderChanged",
            EngineError::ProviderInUse { .. } => "ProviderInUse",
        }
    }

    /// The step it happened in, when it belongs to one.
    pub fn step(&self) -> Option<&'static str> {
        Some(match self {
            EngineError::Aws { step, .. } => step.as_str(),
            EngineError::PolicyNotFound { .. }
            | EngineError::PolicyNotAttachable { .. }
            | EngineError::InlinePolicies { .. } => "permissions",
            EngineError::RolePathConflict { .. }
            | EngineError::RoleNotFound { .. }
            | EngineError::NotOurs { .. }
            | EngineError::InInstanceProfiles { .. } => "role",
            EngineError::GitLab(_) => "gitlab",
            EngineError::NoOrganization { .. }
            | EngineError::NotOrgAdministrator { .. }
            | EngineError::UnitNotFound { .. }
            | EngineError::BeyondUnits { .. }
            | EngineError::ProviderChanged { .. }
            | EngineError::ProviderInUse { .. } => "organization",
            _ => return None,
        })
    }

    /// What went wrong, in one sentence.
    pub fn message(&self) -> String {
        match self {
            EngineError::Input(e) => e.to_string(),
            EngineError::Aws { error, .. } => error.to_string(),
            EngineError::PolicyNotFound { policy } => format!("policy {policy} does not exist"),
            EngineError::PolicyNotAttachable { policy } => {
                format!("policy {policy} cannot be attached to a role")
            }
            EngineError::RolePathConflict {
                name,
                existing,
                wanted,
            } => format!("role {name} exists at path {existing}, not {wanted}"),
            EngineError::RoleNotFound { name } => format!("role {name} does not exist"),
            EngineError::NotOurs { name } => {
                format!("role {name} was not created by aws-oidc-wizard")
            }
            EngineError::InlinePolicies { name, policies } => format!(
                "role {name} has inline policies someone else added: {}",
                policies.join(", ")
            ),
            EngineError::InInstanceProfiles { name, profiles } => format!(
                "role {name} is in instance profile{} {}: IAM cannot delete it while it is",
                if profiles.len() == 1 { "" } else { "s" },
                profiles.join(", ")
            ),
            EngineError::GitLab(e) => e.to_string(),
            EngineError::Claims(e) => e.to_string(),
            EngineError::ConfirmationRequired { reasons } => {
                format!("confirmation required: {}", reasons.join("; "))
            }
            EngineError::NoOrganization { account } => {
                format!("account {account} is not in an AWS Organization")
            }
            EngineError::NotOrgAdministrator {
                account,
                management,
                error,
            } => format!(
                "account {account} is neither the Organization's management account ({management}) nor a delegated administrator: {}:{} was refused ({})",
                error.action_prefix(),
                error.operation,
                error.code()
            ),
            EngineError::UnitNotFound { unit } => {
                format!("the Organization has no organizational unit or root {unit}")
            }
            EngineError::BeyondUnits {
                stack_set,
                accounts,
                ..
            } => format!(
                "stack set {stack_set} also has instances in {} account{} outside the units named ({}), and the changed setup would change the role there too",
                accounts.len(),
                if accounts.len() == 1 { "" } else { "s" },
                accounts.join(", ")
            ),
            EngineError::ProviderChanged { stack_set } => format!(
                "stack set {stack_set} was rolled out for another provider URL or audience, and changing it would replace an OIDC provider that other roles may trust"
            ),
            EngineError::ProviderInUse {
                stack_set,
                accounts,
            } => format!(
                "deleting stack set {stack_set} would delete OIDC providers that other roles still trust, or that could not be checked: {}",
                accounts
                    .iter()
                    .map(|(a, why)| format!("{a}: {why}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        }
    }

    /// What the user can do about it; empty when the message says it all.
    pub fn hint(&self) -> String {
        match self {
            EngineError::Input(_) | EngineError::GitLab(_) | EngineError::Claims(_) => {
                String::new()
            }
            EngineError::Aws { error, .. } => error.hint(),
            EngineError::PolicyNotFound { .. } => {
                "check the name; AWS managed policy names are case-sensitive, e.g. ReadOnlyAccess"
                    .to_string()
            }
            EngineError::PolicyNotAttachable { .. } => {
                "it is reserved for service-linked roles; pick another".to_string()
            }
            EngineError::RolePathConflict { existing, .. } => {
                format!("IAM cannot move a role; use --role-path {existing} or another --role-name")
            }
            EngineError::RoleNotFound { .. } => "check --role-name and the account".to_string(),
            EngineError::NotOurs { .. } => "check the name; --force removes it anyway".to_string(),
            EngineError::InlinePolicies { .. } => {
                "remove them first; this tool never deletes what it did not make".to_string()
            }
            EngineError::InInstanceProfiles { .. } => {
                "EC2 instances may use it; --force removes the role from them first".to_string()
            }
            EngineError::ConfirmationRequired { .. } => {
                "review with `plan`, then run again with --yes".to_string()
            }
            EngineError::NoOrganization { .. } => {
                "leave out --org to work on this account alone".to_string()
            }
            EngineError::NotOrgAdministrator { management, .. } => format!(
                "use credentials of the management account {management}, or of an account it made a delegated administrator (`aws organizations register-delegated-administrator`)"
            ),
            EngineError::UnitNotFound { .. } => {
                "list them with `aws organizations list-organizational-units-for-parent`"
                    .to_string()
            }
            EngineError::BeyondUnits { units, .. } => format!(
                "name every unit it is deployed through ({}) to change them all, or roll this setup out under another role name",
                units.join(", ")
            ),
            EngineError::ProviderInUse { .. } => {
                "remove those roles (or their stack sets) first; nothing was deleted".to_string()
            }
            EngineError::ProviderChanged { .. } => {
                "keep the provider URL and audience it has, or roll the new one out under another role name".to_string()
            }
        }
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(step) = self.step() {
            write!(f, "step \"{step}\": ")?;
        }
        f.write_str(&self.message())?;
        match self.hint() {
            hint if hint.is_empty() => Ok(()),
            hint => write!(f, " (hint: {hint})"),
        }
    }
}

impl std::error::Error for EngineError {}

impl From<InputError> for EngineError {
    fn from(e: InputError) -> Self {
        EngineError::Input(e)
    }
}

impl From<GitLabError> for EngineError {
    fn from(e: GitLabError) -> Self {
        EngineError::GitLab(e)
    }
}

impl From<ClaimsError> for EngineError {
    fn from(e: ClaimsError) -> Self {
        EngineError::Claims(e)
    }
}
