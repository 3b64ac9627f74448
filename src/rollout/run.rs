//! Carrying a rollout out: the operations a plan needs, one after another (StackSets runs one
//! operation of a stack set at a time), each followed until it ends.

use std::time::Duration;

use serde::Serialize;

use super::{AccountAction, Caller, OrgPlan, Rollout, StackSetAction, caller, plan_as};
use crate::aws::AwsError;
use crate::aws::org::Org;
use crate::aws::stacksets::{
    CallAs, Filter, Operation, OperationStatus, StackInstance, StackSets, Targets,
};
use crate::engine::{EngineError, Step};

/// What a run reports as it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// A step that is not an operation (the stack set made).
    Said(String),
    /// An operation started, for these accounts.
    Started {
        action: String,
        id: String,
        accounts: Vec<String>,
    },
    /// While an operation goes: every instance as it is now (per account: pending, running,
    /// succeeded, failed).
    Instances(Vec<StackInstance>),
    /// An operation still going, after this long.
    Waiting {
        action: String,
        id: String,
        waited: Duration,
    },
    /// An operation ended.
    Ended(Operation),
}

/// One account at the end of a rollout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountResult {
    pub account: String,
    pub name: String,
    /// `current`, `failed`, `skipped`, `not-deployed`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RolloutResult {
    pub stack_set: String,
    /// The operations this run started (none when everything was already in place).
    pub operations: Vec<Operation>,
    pub accounts: Vec<AccountResult>,
}

impl RolloutResult {
    /// Accounts that did not get the setup and should have: failed instances and accounts
    /// that could not be read.
    pub fn failed(&self) -> Vec<&AccountResult> {
        self.accounts
            .iter()
            .filter(|a| a.status == "failed" || a.status == "unreadable")
            .collect()
    }
}

/// How long an operation is followed before the run gives up on it (it goes on in AWS; the
/// next run follows it).
const PATIENCE: Duration = Duration::from_secs(60 * 60);

/// Follow an operation until it ends: at once, then every 2 s, growing to every 15 s.
async fn wait<A: StackSets>(
    aws: &A,
    stack_set: &str,
    op: &Operation,
    who: CallAs,
    progress: &mut impl FnMut(Progress),
) -> Result<Operation, EngineError> {
    let started = std::time::Instant::now();
    let mut pause = Duration::from_secs(2);
    loop {
        // The operation and, side by side, where each account is.
        let (now, instances) = tokio::join!(
            aws.describe_operation(stack_set, &op.id, who),
            aws.list_stack_instances(stack_set, who)
        );
        let now = now.map_err(cfn)?;
        if let Ok(instances) = instances {
            progress(Progress::Instances(instances));
        }
        if !now.status.is_going() {
            progress(Progress::Ended(now.clone()));
            return Ok(now);
        }
        if started.elapsed() > PATIENCE {
            return Err(cfn(AwsError::new(
                "DescribeStackSetOperation",
                crate::aws::ErrorKind::Other(format!(
                    "operation {} is still going after an hour; run again to follow it",
                    op.id
                )),
            )));
        }
        progress(Progress::Waiting {
            action: now.action.clone(),
            id: now.id.clone(),
            waited: started.elapsed(),
        });
        tokio::time::sleep(pause).await;
        pause = (pause * 3 / 2).min(Duration::from_secs(15));
    }
}

fn cfn(error: AwsError) -> EngineError {
    EngineError::Aws {
        step: Step::Organization,
        error,
    }
}

/// Start an operation and follow it to its end.
async fn run_operation<A, F>(
    aws: &A,
    plan: &OrgPlan,
    action: &str,
    accounts: Vec<String>,
    start: F,
    progress: &mut impl FnMut(Progress),
) -> Result<Operation, EngineError>
where
    A: StackSets,
    F: std::future::Future<Output = Result<String, AwsError>>,
{
    let id = start.await.map_err(cfn)?;
    progress(Progress::Started {
        action: action.to_string(),
        id: id.clone(),
        accounts,
    });
    let op = Operation {
        id,
        action: action.to_string(),
        status: OperationStatus::Running,
    };
    wait(aws, &plan.stack_set, &op, plan.call_as.0, progress).await
}

/// Roll the setup out: follow an operation left going, make or update the stack set, and deploy
/// the accounts that have no current instance, grouped by their `CreateProvider`. Each is an
/// operation only where something is missing.
pub async fn apply<A>(
    aws: &A,
    rollout: &Rollout<'_>,
    // Shown the plan and why it needs a yes (nothing, often): whether to go on.
    confirm: impl FnOnce(&OrgPlan, &[String]) -> bool,
    mut progress: impl FnMut(Progress),
) -> Result<(OrgPlan, RolloutResult), EngineError>
where
    A: Org + StackSets,
{
    let caller: Caller = caller(aws).await?;
    let mut plan = plan_as(aws, rollout, &caller).await?;
    let who = caller.call_as;
    let mut started = Vec::new();
    if let Some(op) = plan.running.clone() {
        progress(Progress::Said(format!(
            "following operation {} ({}), left going by an earlier run",
            op.id, op.action
        )));
        wait(aws, &plan.stack_set, &op, who, &mut progress).await?;
        // What that operation did is read again before anything else.
        plan = plan_as(aws, rollout, &caller).await?;
    }
    // Told the plan whatever it holds; a plan that needs no yes is not asked for one.
    let reasons = plan.confirmations(rollout);
    if !confirm(&plan, &reasons) {
        return Err(EngineError::ConfirmationRequired { reasons });
    }
    let template = crate::export::cloudformation(rollout.setup)?;
    let values = super::stack_set_parameters();
    let regions = std::slice::from_ref(&rollout.region);
    match plan.stack_set_action {
        StackSetAction::Create => {
            aws.create_stack_set(
                &plan.stack_set,
                &template,
                &format!(
                    "GitLab CI/CD (OIDC) role {} (made by aws-oidc-wizard)",
                    rollout.setup.role_name.as_str()
                ),
                &values,
                who,
            )
            .await
            .map_err(cfn)?;
            progress(Progress::Said(format!(
                "created stack set {}",
                plan.stack_set
            )));
        }
        StackSetAction::Update => {
            let instances = plan
                .accounts
                .iter()
                .filter(|a| a.instance.is_some())
                .map(|a| a.account.clone())
                .collect();
            let op = run_operation(
                aws,
                &plan,
                "UPDATE",
                instances,
                aws.update_stack_set(&plan.stack_set, &template, &values, who),
                &mut progress,
            )
            .await?;
            started.push(op);
        }
        StackSetAction::Unchanged => {}
    }
    // New instances grouped by CreateProvider, outdated ones, and current ones that lack their
    // provider: at most four operations, none when every account has a current instance.
    // UpdateStackSet deploys every instance again, outdated ones included.
    let updated_all = plan.stack_set_action == StackSetAction::Update;
    let create = || vec![("CreateProvider".to_string(), "true".to_string())];
    for group in [
        Group::New(true),
        Group::New(false),
        Group::Outdated,
        Group::NoProvider,
    ] {
        if group == Group::Outdated && updated_all {
            continue;
        }
        let accounts: Vec<String> = plan
            .accounts
            .iter()
            .filter(|a| match a.action {
                AccountAction::Deploy { create_provider } => group == Group::New(create_provider),
                AccountAction::Redeploy => group == Group::Outdated,
                AccountAction::AddProvider => group == Group::NoProvider,
                _ => false,
            })
            .map(|a| a.account.clone())
            .collect();
        if accounts.is_empty() {
            continue;
        }
        let targets = Targets {
            units: rollout.units.clone(),
            accounts: accounts.clone(),
            filter: Filter::Only,
        };
        let op = match group {
            // The stack set's own value is false: only true is given.
            Group::New(create_provider) => {
                let overrides = if create_provider {
                    create()
                } else {
                    Vec::new()
                };
                run_operation(
                    aws,
                    &plan,
                    "CREATE",
                    accounts.clone(),
                    aws.create_stack_instances(&plan.stack_set, &targets, regions, &overrides, who),
                    &mut progress,
                )
                .await?
            }
            // No override sent: each instance keeps its own (its stack may still hold the
            // provider it made).
            Group::Outdated => {
                run_operation(
                    aws,
                    &plan,
                    "UPDATE",
                    accounts.clone(),
                    aws.update_stack_instances(&plan.stack_set, &targets, regions, &[], who),
                    &mut progress,
                )
                .await?
            }
            // false to true only adds the provider, which the account was read not to have.
            Group::NoProvider => {
                run_operation(
                    aws,
                    &plan,
                    "UPDATE",
                    accounts.clone(),
                    aws.update_stack_instances(&plan.stack_set, &targets, regions, &create(), who),
                    &mut progress,
                )
                .await?
            }
        };
        started.push(op);
    }
    let result = result(aws, rollout, &plan, started).await?;
    Ok((plan, result))
}

/// The accounts one operation deploys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    /// Accounts without an instance, by their `CreateProvider`.
    New(bool),
    /// Outdated instances, deployed again with their own parameters.
    Outdated,
    /// Current instances in accounts without the provider.
    NoProvider,
}

/// Every account of the plan, as its instance now is.
async fn result<A: StackSets>(
    aws: &A,
    rollout: &Rollout<'_>,
    plan: &OrgPlan,
    operations: Vec<Operation>,
) -> Result<RolloutResult, EngineError> {
    let instances = aws
        .list_stack_instances(&plan.stack_set, plan.call_as.0)
        .await
        .map_err(cfn)?;
    let accounts = plan
        .accounts
        .iter()
        .map(|a| {
            let instance = instances
                .iter()
                .find(|i| i.account == a.account && i.region == rollout.region);
            let (status, reason) = match (&a.action, instance) {
                (AccountAction::Skip { reason }, _) => ("skipped", Some(reason.clone())),
                (AccountAction::Unreadable, _) => (
                    "unreadable",
                    a.unreadable
                        .as_ref()
                        .map(|u| format!("{} ({})", u.reason, u.code)),
                ),
                (_, None) => ("not-deployed", a.problem.clone()),
                (_, Some(i)) if i.failed() => (
                    "failed",
                    Some(i.reason.clone().unwrap_or_else(|| {
                        format!(
                            "the instance is {}",
                            i.detailed.as_deref().unwrap_or("outdated").to_lowercase()
                        )
                    })),
                ),
                (_, Some(_)) => ("current", None),
            };
            AccountResult {
                account: a.account.clone(),
                name: a.name.clone(),
                status: status.to_string(),
                role_arn: (status == "current")
                    .then(|| rollout.role_arn(&plan.partition, &a.account)),
                // A current instance keeps the problem the plan saw (a provider without the
                // audience: the role is there, and no token gets in).
                reason: if status == "current" {
                    a.problem.clone()
                } else {
                    reason
                },
            }
        })
        .collect();
    Ok(RolloutResult {
        stack_set: plan.stack_set.clone(),
        operations,
        accounts,
    })
}

/// What `destroy --org` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Removed {
    pub stack_set: String,
    /// The accounts whose instance (the role, and the provider where the instance made it)
    /// was deleted.
    pub accounts: Vec<String>,
    pub operations: Vec<Operation>,
    /// The stack set was there to remove.
    pub existed: bool,
}

/// Delete every instance of the setup's stack set (their stacks with them: the role, and the
/// provider only where the instance created it), then the stack set. An operation left going
/// is followed first; nothing there is nothing done.
pub async fn destroy<A>(
    aws: &A,
    role: &str,
    member_role: &str,
    confirm: impl FnOnce(&str, &[crate::aws::stacksets::StackInstance]) -> bool,
    mut progress: impl FnMut(Progress),
) -> Result<Removed, EngineError>
where
    A: Org + StackSets,
{
    let caller = caller(aws).await?;
    let who = caller.call_as;
    let name = super::stack_set_name(role);
    let (stack_set, operations) = tokio::join!(
        aws.describe_stack_set(&name, who),
        aws.list_operations(&name, who)
    );
    let Some(stack_set) = stack_set.map_err(cfn)? else {
        return Ok(Removed {
            stack_set: name,
            accounts: Vec::new(),
            operations: Vec::new(),
            existed: false,
        });
    };
    let plan_like = |ops| Removed {
        stack_set: name.clone(),
        accounts: Vec::new(),
        operations: ops,
        existed: true,
    };
    let mut removed = plan_like(Vec::new());
    if let Some(op) = super::not_found_is_empty(operations)
        .map_err(cfn)?
        .into_iter()
        .find(|o| o.status.is_going())
    {
        progress(Progress::Said(format!(
            "following operation {} ({}), left going by an earlier run",
            op.id, op.action
        )));
        wait(aws, &name, &op, who, &mut progress).await?;
    }
    let instances = aws.list_stack_instances(&name, who).await.map_err(cfn)?;
    // Nothing is deleted while a provider an instance made is trusted by another role.
    let blocked = providers_in_use(
        aws,
        &caller,
        &name,
        role,
        member_role,
        &stack_set.template,
        &instances,
    )
    .await;
    if !blocked.is_empty() {
        return Err(EngineError::ProviderInUse {
            stack_set: name,
            accounts: blocked,
        });
    }
    if !confirm(&name, &instances) {
        let reason = format!(
            "stack set {name} and its {} instance{} will be deleted",
            instances.len(),
            if instances.len() == 1 { "" } else { "s" }
        );
        return Err(EngineError::ConfirmationRequired {
            reasons: vec![reason],
        });
    }
    if !instances.is_empty() {
        let mut units: Vec<String> = instances.iter().filter_map(|i| i.unit.clone()).collect();
        units.sort();
        units.dedup();
        let mut regions: Vec<String> = instances.iter().map(|i| i.region.clone()).collect();
        regions.sort();
        regions.dedup();
        removed.accounts = instances.iter().map(|i| i.account.clone()).collect();
        removed.accounts.sort();
        removed.accounts.dedup();
        let id = aws
            .delete_stack_instances(&name, &Targets::units(&units), &regions, who)
            .await
            .map_err(cfn)?;
        progress(Progress::Started {
            action: "DELETE".into(),
            id: id.clone(),
            accounts: removed.accounts.clone(),
        });
        let op = Operation {
            id,
            action: "DELETE".into(),
            status: OperationStatus::Running,
        };
        let op = wait(aws, &name, &op, who, &mut progress).await?;
        let failed = op.status != OperationStatus::Succeeded;
        removed.operations.push(op);
        let left = aws.list_stack_instances(&name, who).await.map_err(cfn)?;
        if failed || !left.is_empty() {
            return Err(cfn(AwsError::new(
                "DeleteStackInstances",
                crate::aws::ErrorKind::Other(format!(
                    "{} instance{} of stack set {name} could not be deleted ({}); the stack set is kept: run again once they are fixed",
                    left.len(),
                    if left.len() == 1 { "" } else { "s" },
                    left.iter()
                        .map(|i| format!(
                            "{}: {}",
                            i.account,
                            i.reason.as_deref().unwrap_or("no reason given")
                        ))
                        .collect::<Vec<_>>()
                        .join("; ")
                )),
            )));
        }
    }
    aws.delete_stack_set(&name, who).await.map_err(cfn)?;
    progress(Progress::Said(format!("deleted stack set {name}")));
    Ok(removed)
}

/// The provider URL of one of this tool's templates (`Url: "…"` of `GitLabProvider`).
fn provider_url(template: &str) -> Option<String> {
    template.lines().find_map(|l| {
        let v = l.trim().strip_prefix("Url: ")?;
        serde_json::from_str::<String>(v).ok()
    })
}

/// The accounts where deleting the instance would delete a provider another role trusts, or
/// that could not be read to tell: each with why. In each account: the roles (one read), and,
/// only where another role trusts the provider, whether this instance made it.
async fn providers_in_use<A: Org + StackSets>(
    aws: &A,
    caller: &Caller,
    stack_set: &str,
    role: &str,
    member_role: &str,
    template: &str,
    instances: &[crate::aws::stacksets::StackInstance],
) -> Vec<(String, String)> {
    let Some(url) = provider_url(template) else {
        return instances
            .iter()
            .map(|i| {
                (
                    i.account.clone(),
                    "the stack set's template names no provider this tool can read".to_string(),
                )
            })
            .collect();
    };
    let host = url.trim_start_matches("https://").to_string();
    let partition = caller.me.partition().to_string();
    let check = |instance: crate::aws::stacksets::StackInstance| {
        let (host, partition) = (&host, &partition);
        async move {
            let account = instance.account.clone();
            let provider = format!("arn:{partition}:iam::{account}:oidc-provider/{host}");
            let arn = crate::aws::org::member_role_arn(partition, &account, member_role);
            let member = match aws.member(&arn).await {
                Ok(m) => m,
                Err(e) => {
                    return Some((
                        account,
                        format!(
                            "could not be read through {member_role} ({}) to tell whether other roles trust its provider",
                            e.code()
                        ),
                    ));
                }
            };
            let roles = match crate::aws::Aws::list_roles(&member).await {
                Ok(r) => r,
                Err(e) => {
                    return Some((
                        account,
                        format!("its roles could not be listed ({})", e.code()),
                    ));
                }
            };
            let users: Vec<String> = roles
                .iter()
                .filter(|r| r.name != role)
                .filter(|r| {
                    crate::plan::trust_view::TrustView::read(&r.trust_policy)
                        .oidc_providers()
                        .iter()
                        .any(|p| p == &provider)
                })
                .map(|r| r.name.clone())
                .collect();
            if users.is_empty() {
                return None;
            }
            // Another role trusts it: it matters only if this instance made it (only one told
            // `CreateProvider=true` may; the stack set's own value is false).
            match aws
                .instance_overrides(stack_set, &account, &instance.region, caller.call_as)
                .await
            {
                Ok(o) if !o.iter().any(|(k, v)| k == "CreateProvider" && v == "true") => None,
                Ok(_) => Some((
                    account,
                    format!(
                        "its provider {provider} is trusted by {}, and this stack set's instance there may own it (its CreateProvider is true)",
                        users.join(", ")
                    ),
                )),
                Err(e) => Some((
                    account,
                    format!(
                        "its provider is trusted by {}, and whether this stack set made it could not be read ({})",
                        users.join(", "),
                        e.code()
                    ),
                )),
            }
        }
    };
    use futures_util::StreamExt as _;
    futures_util::stream::iter(instances.iter().cloned().map(check))
        .buffered(crate::check::org::account_concurrency())
        .filter_map(|x| async move { x })
        .collect()
        .await
}
