//! The setup in every account of some organizational units, through one service-managed
//! CloudFormation StackSet per setup (named after the role), from the template
//! `export --format cloudformation` writes. The state is AWS's own: the stack set, its
//! instances and its operations. A run reads them, decides, and starts only the operations
//! that are missing, so a second run starts none, and a run killed during an operation is
//! followed by the next instead of repeated.
//!
//! Per account, one decision is the tool's: whether the instance creates the OIDC provider
//! (`CreateProvider`). The stack set's own value is `false`, so an instance that auto-deployment
//! makes in an account joining the units later never fails on `EntityAlreadyExists`, and two
//! rollouts to the same units never race for one provider. Where the tool reads an account (through
//! the member role) and finds no provider, the instance there gets `true` (when it is made, or
//! later if auto-deployment made it): its stack makes the provider and owns it. An instance's
//! value only ever goes from `false` to `true`, never back: StackSets keeps overrides through
//! template updates, and `false` on an instance whose stack holds the provider would delete it.

mod run;
mod units;

use serde::Serialize;

pub use run::{AccountResult, Progress, Removed, RolloutResult, apply, destroy};
pub use units::{UnitRow, units};

use crate::aws::org::{AccountStatus, Org, Organization, member_role_arn};
use crate::aws::stacksets::{CallAs, InstanceStatus, Operation, StackInstance, StackSets};
use crate::aws::{AwsError, CallerIdentity};
use crate::check::org::Unreadable;
use crate::engine::{EngineError, Step};
use crate::plan::Setup;

/// Where and how: the setup, the units whose accounts get it, the role assumed to read each
/// account, and the one region the instances go to (IAM is global).
pub struct Rollout<'a> {
    pub setup: &'a Setup,
    pub units: Vec<String>,
    pub member_role: String,
    pub region: String,
}

impl Rollout<'_> {
    /// `aws-oidc-wizard-` and the role's name; characters a stack set name cannot hold (IAM
    /// allows `+=,.@_`) become `-`, with a short hash of the name so that two names stay two.
    pub fn stack_set_name(&self) -> String {
        stack_set_name(self.setup.role_name.as_str())
    }

    /// The role's ARN in `account`.
    pub fn role_arn(&self, partition: &str, account: &str) -> String {
        format!(
            "arn:{partition}:iam::{account}:role{}{}",
            self.setup.role_path.as_str(),
            self.setup.role_name.as_str()
        )
    }
}

/// The stack set's own parameter values: an instance with no override (one auto-deployment
/// made) creates no provider.
pub fn stack_set_parameters() -> Vec<(String, String)> {
    vec![("CreateProvider".to_string(), "false".to_string())]
}

pub fn stack_set_name(role: &str) -> String {
    let plain: String = role
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if plain == role {
        format!("aws-oidc-wizard-{role}")
    } else {
        use sha1::Digest as _;
        let hash = sha1::Sha1::digest(role.as_bytes());
        let short: String = hash.iter().take(4).map(|b| format!("{b:02x}")).collect();
        format!("aws-oidc-wizard-{plain}-{short}")
    }
}

/// Who is asking, and as what.
pub struct Caller {
    pub me: CallerIdentity,
    pub organization: Organization,
    pub call_as: CallAs,
}

/// The caller's identity and Organization, side by side; StackSets is asked as the management
/// account or as a delegated administrator.
pub async fn caller<A: Org>(aws: &A) -> Result<Caller, EngineError> {
    let (me, organization) = crate::check::org::identity_and_organization(aws).await?;
    let call_as = if me.account == organization.management_account {
        CallAs::Management
    } else {
        CallAs::DelegatedAdmin
    };
    Ok(Caller {
        me,
        organization,
        call_as,
    })
}

/// What happens to the stack set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StackSetAction {
    Create,
    /// The template (or auto-deployment) differs: one operation updates every instance.
    Update,
    Unchanged,
}

/// What happens in one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum AccountAction {
    /// A new instance.
    Deploy {
        create_provider: bool,
    },
    /// Its instance is outdated (an operation failed or stopped there): deployed again with
    /// the parameters it has. Its stack may still hold the role and the provider (AWS rolls a
    /// failed update back), so its `CreateProvider` is never changed.
    Redeploy,
    /// Its instance is current, and the account has no provider (auto-deployment made the
    /// instance, or the provider was deleted): the instance is told to create it
    /// (`CreateProvider=true`, which only ever adds the provider).
    AddProvider,
    /// Its instance is current; the stack set's update changes it.
    Update,
    Unchanged,
    /// Not a target: why.
    Skip {
        reason: String,
    },
    /// It could not be read through the member role (`unreadable` says why): not deployed, and
    /// the run does not end well.
    Unreadable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountPlan {
    pub account: String,
    pub name: String,
    pub status: AccountStatus,
    pub action: AccountAction,
    /// In words, what changes there.
    pub changes: Vec<String>,
    /// Why the instance there is expected to fail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<Unreadable>,
    /// The instance as it is now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<StackInstance>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgPlan {
    pub organization: String,
    pub management_account: String,
    pub stack_set: String,
    pub stack_set_action: StackSetAction,
    pub region: String,
    pub units: Vec<String>,
    /// An operation still going (a run was stopped during it): followed before anything else.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub running: Option<Operation>,
    pub accounts: Vec<AccountPlan>,
    #[serde(skip)]
    pub partition: String,
    #[serde(skip)]
    pub call_as: CallAsSerde,
}

/// `CallAs` kept on the plan for the run that carries it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallAsSerde(pub CallAs);

impl OrgPlan {
    /// Why carrying this plan out needs an explicit yes: roles that exist change in accounts,
    /// and admin-level policies go out to every account of the units.
    pub fn confirmations(&self, rollout: &Rollout<'_>) -> Vec<String> {
        let mut out = Vec::new();
        // A template update reaches every instance, whatever the plan says of its account
        // (one that could not be read included).
        let updated = if self.stack_set_action == StackSetAction::Update {
            self.accounts
                .iter()
                .filter(|a| a.instance.is_some())
                .count()
        } else {
            0
        };
        let redeployed = self.count(&AccountAction::Redeploy);
        if redeployed > 0 {
            out.push(format!(
                "{redeployed} account{} with an outdated instance {} deployed again: a role there may change",
                if redeployed == 1 { "" } else { "s" },
                if redeployed == 1 { "is" } else { "are" }
            ));
        }
        if updated > 0 {
            out.push(format!(
                "the stack set's template changes: the role {} is updated in {updated} account{}",
                rollout.setup.role_name.as_str(),
                if updated == 1 { "" } else { "s" }
            ));
        }
        for p in &rollout.setup.policies {
            let arn = p.likely_arn(&self.partition);
            if crate::plan::input::is_admin_policy_arn(&arn) {
                out.push(format!(
                    "{arn} is admin-level, and goes to every account of the units"
                ));
            }
        }
        out
    }

    /// Nothing to do: the stack set is as wanted and every account has a current instance.
    pub fn is_converged(&self) -> bool {
        self.running.is_none()
            && self.stack_set_action == StackSetAction::Unchanged
            && self.accounts.iter().all(|a| {
                matches!(
                    a.action,
                    AccountAction::Unchanged | AccountAction::Skip { .. }
                )
            })
    }

    fn count(&self, action: &AccountAction) -> usize {
        self.accounts.iter().filter(|a| &a.action == action).count()
    }
}

fn not_found_is_empty<T: Default>(r: Result<T, AwsError>) -> Result<T, AwsError> {
    match r {
        Err(e) if e.is_code("StackSetNotFoundException") => Ok(T::default()),
        r => r,
    }
}

/// Read the stack set, its instances and operations, and the accounts of the units; then every
/// account, side by side through the member role (one with a current instance too: an instance
/// auto-deployment made may lack its provider). Changes nothing.
pub async fn plan<A>(aws: &A, rollout: &Rollout<'_>) -> Result<OrgPlan, EngineError>
where
    A: Org + StackSets,
{
    let caller = caller(aws).await?;
    plan_as(aws, rollout, &caller).await
}

pub(crate) async fn plan_as<A>(
    aws: &A,
    rollout: &Rollout<'_>,
    caller: &Caller,
) -> Result<OrgPlan, EngineError>
where
    A: Org + StackSets,
{
    let name = rollout.stack_set_name();
    let who = caller.call_as;
    let scope = crate::check::org::Scope {
        units: rollout.units.clone(),
        accounts: Vec::new(),
        member_role: rollout.member_role.clone(),
    };
    let cfn = |e| EngineError::Aws {
        step: Step::Organization,
        error: e,
    };
    let (accounts, stack_set, instances, operations) = tokio::join!(
        crate::check::org::accounts_in_scope(aws, &scope),
        aws.describe_stack_set(&name, who),
        aws.list_stack_instances(&name, who),
        aws.list_operations(&name, who),
    );
    let (accounts, _) = accounts.map_err(crate::check::org::not_administrator(
        &caller.me,
        &caller.organization,
    ))?;
    let stack_set = stack_set.map_err(cfn)?;
    let instances = not_found_is_empty(instances).map_err(cfn)?;
    let operations = not_found_is_empty(operations).map_err(cfn)?;
    let template = crate::export::cloudformation(rollout.setup)?;
    let stack_set_action = match &stack_set {
        None => StackSetAction::Create,
        Some(s) if s.template != template || !s.auto_deployment => StackSetAction::Update,
        Some(_) => StackSetAction::Unchanged,
    };
    // The provider of a rollout is fixed for its life: another URL or audience would replace
    // a provider other roles may trust (instances that made it delete it; the others would name
    // one that is not there).
    if let Some(s) = &stack_set
        && provider_block(&s.template) != provider_block(&template)
    {
        return Err(EngineError::ProviderChanged { stack_set: name });
    }
    let running = operations.into_iter().find(|o| o.status.is_going());
    // A template update reaches every instance of the stack set: it is refused while some are
    // outside the units named (they would change unseen and unconfirmed).
    let in_scope: std::collections::BTreeSet<&str> =
        accounts.iter().map(|a| a.id.as_str()).collect();
    let mut outside: Vec<String> = instances
        .iter()
        .filter(|i| !in_scope.contains(i.account.as_str()))
        .map(|i| i.account.clone())
        .collect();
    outside.sort();
    outside.dedup();
    if stack_set_action == StackSetAction::Update && !outside.is_empty() {
        let mut units: Vec<String> = instances.iter().filter_map(|i| i.unit.clone()).collect();
        units.sort();
        units.dedup();
        return Err(EngineError::BeyondUnits {
            stack_set: name,
            accounts: outside,
            units,
        });
    }

    let partition = caller.me.partition().to_string();
    let read = |account: crate::aws::org::Account| {
        let instance = instances
            .iter()
            .find(|i| i.account == account.id && i.region == rollout.region)
            .cloned();
        let partition = &partition;
        let management = &caller.organization.management_account;
        let name = &name;
        async move {
            let mut plan = AccountPlan {
                account: account.id.clone(),
                name: account.name.clone(),
                status: account.status,
                action: AccountAction::Unchanged,
                changes: Vec::new(),
                problem: None,
                unreadable: None,
                instance: instance.clone(),
            };
            if &account.id == management {
                plan.action = AccountAction::Skip {
                    reason: "the management account: StackSets never deploys to it (run apply there without --org)".into(),
                };
                return plan;
            }
            if account.status != AccountStatus::Active {
                plan.action = AccountAction::Skip {
                    reason: format!("the account is {}", account.status.words()),
                };
                return plan;
            }
            let current = instance
                .as_ref()
                .is_some_and(|i| i.status == InstanceStatus::Current);
            let arn = member_role_arn(partition, &account.id, &rollout.member_role);
            let seen = match aws.member(&arn).await {
                Ok(member) => read_account(&member, rollout, partition, &account.id).await,
                Err(e) => Err(e),
            };
            // An instance there while the provider is not: whether it already says to make it.
            let seen = match seen {
                Ok(seen) if current && seen.provider.is_none() => aws
                    .instance_overrides(name, &account.id, &rollout.region, who)
                    .await
                    .map(|o| Seen {
                        says_create: o.iter().any(|(k, v)| k == "CreateProvider" && v == "true"),
                        ..seen
                    }),
                seen => seen,
            };
            let seen = match seen {
                Ok(seen) => seen,
                Err(e) => {
                    plan.unreadable = Some(Unreadable {
                        code: e.code().to_string(),
                        reason: format!(
                            "could not read it through {}: {}",
                            rollout.member_role,
                            if e.is_access_denied() {
                                crate::check::org::MEMBER_ROLE_DENIED.to_string()
                            } else {
                                e.to_string()
                            }
                        ),
                    });
                    plan.action = AccountAction::Unreadable;
                    return plan;
                }
            };
            decide(
                &mut plan,
                &seen,
                instance.as_ref(),
                stack_set_action,
                rollout,
            );
            plan
        }
    };
    let width = crate::check::org::account_concurrency();
    let accounts: Vec<AccountPlan> = {
        use futures_util::StreamExt as _;
        futures_util::stream::iter(accounts.into_iter().map(read))
            .buffered(width)
            .collect()
            .await
    };
    Ok(OrgPlan {
        organization: caller.organization.id.clone(),
        management_account: caller.organization.management_account.clone(),
        stack_set: name,
        stack_set_action,
        region: rollout.region.clone(),
        units: rollout.units.clone(),
        running,
        accounts,
        partition,
        call_as: CallAsSerde(who),
    })
}

/// The provider resource of one of this tool's templates (URL, audiences, tags), as text.
fn provider_block(template: &str) -> Option<String> {
    let start = template.find("  GitLabProvider:")?;
    let end = template[start..]
        .find("  GitLabRole:")
        .map_or(template.len(), |e| start + e);
    Some(template[start..end].to_string())
}

/// What one account holds of the setup.
struct Seen {
    provider: Option<crate::aws::OidcProvider>,
    role: Option<crate::aws::Role>,
    /// Its instance already says `CreateProvider=true` (read only for a current instance in
    /// an account without the provider).
    says_create: bool,
}

/// The provider and the role, side by side: two reads.
async fn read_account<A: crate::aws::Aws>(
    member: &A,
    rollout: &Rollout<'_>,
    partition: &str,
    account: &str,
) -> Result<Seen, AwsError> {
    let provider_arn = rollout.setup.provider_arn(partition, account);
    let (provider, role) = futures_util::future::join(
        member.get_oidc_provider(&provider_arn),
        member.get_role(rollout.setup.role_name.as_str()),
    )
    .await;
    Ok(Seen {
        provider: provider?,
        role: role?,
        says_create: false,
    })
}

fn decide(
    plan: &mut AccountPlan,
    seen: &Seen,
    instance: Option<&StackInstance>,
    stack_set_action: StackSetAction,
    rollout: &Rollout<'_>,
) {
    let setup = rollout.setup;
    let current = instance.is_some_and(|i| i.status == InstanceStatus::Current);
    if let Some(i) = instance.filter(|_| !current) {
        plan.changes.push(format!(
            "deploy its instance again, with the parameters it has (its last deployment: {}{})",
            i.detailed.as_deref().unwrap_or("outdated").to_lowercase(),
            i.reason
                .as_deref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        ));
        plan.action = AccountAction::Redeploy;
        return;
    }
    if current && seen.provider.is_none() {
        if seen.says_create {
            // Its stack made the provider, and it was deleted outside: a redeploy of the
            // same parameters would not make it again.
            plan.problem = Some(format!(
                "its provider for {} was deleted outside the stack set, whose stack there made it: the role cannot be assumed (delete this account's instance and apply again)",
                setup.provider_url.as_str()
            ));
        } else {
            plan.changes.push(format!(
                "create the OIDC provider for {}: the account has none (its instance was made without one)",
                setup.provider_url.as_str()
            ));
            plan.action = AccountAction::AddProvider;
            return;
        }
    }
    if current {
        plan.action = match stack_set_action {
            StackSetAction::Update => {
                plan.changes
                    .push("update the role through the stack set (its template changed)".into());
                AccountAction::Update
            }
            _ => AccountAction::Unchanged,
        };
        return;
    }
    let create_provider = seen.provider.is_none();
    if create_provider {
        plan.changes.push(format!(
            "create the OIDC provider for {}",
            setup.provider_url.as_str()
        ));
    } else {
        plan.changes.push(format!(
            "keep the OIDC provider for {} that is there (CreateProvider=false)",
            setup.provider_url.as_str()
        ));
        if let Some(p) = &seen.provider
            && !p.client_ids.iter().any(|c| c == setup.audience.as_str())
        {
            plan.problem = Some(format!(
                "its provider lacks the audience {}, and a stack cannot add it to a provider it did not create: add it there (`aws iam add-client-id-to-open-id-connect-provider`)",
                setup.audience.as_str()
            ));
        }
    }
    plan.changes
        .push(format!("create the role {}", setup.role_name.as_str()));
    for p in &setup.policies {
        let name = match p {
            crate::plan::input::PolicyRef::Arn(arn) => arn.as_str().to_string(),
            crate::plan::input::PolicyRef::AwsManagedName(n) => n.clone(),
        };
        plan.changes.push(format!("attach {name}"));
    }
    if seen.role.is_some() {
        plan.problem = Some(format!(
            "a role named {} is already there, made outside this stack set: its stack would fail on it (delete it, or roll out another role name)",
            setup.role_name.as_str()
        ));
    }
    plan.action = AccountAction::Deploy { create_provider };
}

/// The plan in text: the stack set, then one block per account.
pub fn text(plan: &OrgPlan) -> String {
    use std::fmt::Write as _;

    use crate::sanitize::inline;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "stack set {}, for the accounts under {}: {}",
        plan.stack_set,
        plan.units.join(", "),
        match plan.stack_set_action {
            StackSetAction::Create => "create it, service-managed, auto-deployment on",
            StackSetAction::Update => "update its template (one operation, every instance)",
            StackSetAction::Unchanged => "unchanged",
        }
    );
    if let Some(op) = &plan.running {
        let _ = writeln!(
            s,
            "an operation is still going ({} {}): it is followed first",
            op.action, op.id
        );
    }
    for a in &plan.accounts {
        let name = inline(&a.name);
        let what = match &a.action {
            AccountAction::Deploy { .. } => "deploy".to_string(),
            AccountAction::Redeploy => "deploy again (its instance is outdated)".to_string(),
            AccountAction::AddProvider => "create its provider".to_string(),
            AccountAction::Unreadable => "not read: it gets nothing".to_string(),
            AccountAction::Update => "update".to_string(),
            AccountAction::Unchanged => "unchanged".to_string(),
            AccountAction::Skip { reason } => format!("skipped: {}", inline(reason)),
        };
        let _ = writeln!(s, "\n{} {name}: {what}", a.account);
        for c in &a.changes {
            let _ = writeln!(s, "  + {}", inline(c));
        }
        if let Some(p) = &a.problem {
            let _ = writeln!(s, "  ! {}", inline(p));
        }
        if let Some(u) = &a.unreadable {
            let _ = writeln!(s, "  ! {} ({})", inline(&u.reason), inline(&u.code));
        }
    }
    let deploy = plan
        .accounts
        .iter()
        .filter(|a| {
            matches!(
                a.action,
                AccountAction::Deploy { .. } | AccountAction::Redeploy | AccountAction::AddProvider
            )
        })
        .count();
    let _ = writeln!(
        s,
        "\n{} account{}, {deploy} to deploy{}",
        plan.accounts.len(),
        if plan.accounts.len() == 1 { "" } else { "s" },
        if plan.is_converged() {
            ": nothing to do"
        } else {
            ""
        }
    );
    s
}

#[cfg(test)]
mod tests;
