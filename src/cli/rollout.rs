//! `plan --org`, `apply --org` and `destroy --org`: a setup in every account of some
//! organizational units, through one service-managed StackSet.

use super::args::OrgArgs;
use super::{CliError, Outcome, OutputFormat, json_body, prompt};
use crate::aws::org::Org;
use crate::aws::stacksets::StackSets;
use crate::plan::Setup;
use crate::rollout::{Progress, Rollout};

/// The units to roll out to, checked before any AWS call: at least one `--ou`, and no
/// `--account` (StackSets deploys to units; each account of them gets the setup).
pub fn scope(org: &OrgArgs) -> Result<crate::check::org::Scope, CliError> {
    let scope = org.scope()?;
    if scope.units.is_empty() {
        return Err(CliError::usage(
            "--org needs --ou OU_ID here: the units whose accounts get the setup (repeat --ou for more)",
        ));
    }
    if !scope.accounts.is_empty() {
        return Err(CliError::usage(
            "--account does not narrow a rollout: StackSets deploys to every account of the --ou units",
        ));
    }
    Ok(scope)
}

/// A policy of one account cannot be attached in the others: a rollout takes AWS managed
/// policies only (exit 2, before any AWS call).
pub fn policies_for_every_account(setup: &Setup) -> Result<(), CliError> {
    for p in &setup.policies {
        if let crate::plan::input::PolicyRef::Arn(arn) = p {
            let account = arn.as_str().split(':').nth(4).unwrap_or_default();
            if account != "aws" {
                return Err(CliError::usage(format!(
                    "--policy {}: a policy of account {account} cannot be attached in the other accounts; a rollout takes AWS managed policies",
                    arn.as_str()
                )));
            }
        }
    }
    Ok(())
}

pub fn rollout<'a>(setup: &'a Setup, scope: crate::check::org::Scope, region: &str) -> Rollout<'a> {
    Rollout {
        setup,
        units: scope.units,
        member_role: scope.member_role,
        region: region.to_string(),
    }
}

/// A line on stderr for each step of a run; the wait redrawn in place on a terminal.
fn say_progress(p: Progress) {
    let terminal = super::exit::stderr_is_terminal();
    match p {
        Progress::Said(line) => note!("{line}"),
        Progress::Started {
            action,
            id,
            accounts,
        } => note!(
            "operation {id} ({action}) started for {} account{}",
            accounts.len(),
            if accounts.len() == 1 { "" } else { "s" }
        ),
        Progress::Instances(_) => {}
        Progress::Waiting { action, id, waited } => {
            if terminal {
                super::exit::redraw(&format!(
                    "operation {id} ({action}): running · {} s",
                    waited.as_secs()
                ));
            }
        }
        Progress::Ended(op) => {
            if terminal {
                super::exit::redraw("");
            }
            note!(
                "operation {} ({}): {}",
                op.id,
                op.action,
                format!("{:?}", op.status).to_uppercase()
            );
        }
    }
}

pub async fn plan<A: Org + StackSets>(
    aws: &A,
    rollout: &Rollout<'_>,
    detailed_exitcode: bool,
    output: OutputFormat,
) -> Result<Outcome, CliError> {
    let plan = crate::rollout::plan(aws, rollout).await?;
    let body = match output {
        OutputFormat::Text => crate::rollout::text(&plan).into(),
        OutputFormat::Json => json_body(&plan),
    };
    // A plan that could not read an account is not the whole plan: exit 1, as `check --org`
    // and `apply --org` do.
    let unread = plan
        .accounts
        .iter()
        .any(|a| a.action == crate::rollout::AccountAction::Unreadable);
    Ok(if unread {
        Outcome::incomplete(body)
    } else if detailed_exitcode && !plan.is_converged() {
        Outcome::negative(body)
    } else {
        Outcome::success(body)
    })
}

pub async fn apply<A: Org + StackSets>(
    aws: &A,
    rollout: &Rollout<'_>,
    yes: bool,
    output: OutputFormat,
) -> Result<Outcome, CliError> {
    let (_, result) = crate::rollout::apply(
        aws,
        rollout,
        |plan, reasons| {
            say_raw!("{}", crate::rollout::text(plan));
            reasons.is_empty() || yes || prompt::confirm(reasons)
        },
        say_progress,
    )
    .await?;
    let failed = result.failed();
    if !failed.is_empty() {
        say!(
            "{} account{} failed: {}",
            failed.len(),
            if failed.len() == 1 { "" } else { "s" },
            failed
                .iter()
                .map(|a| format!(
                    "{} ({})",
                    a.account,
                    a.reason.as_deref().unwrap_or("no reason given")
                ))
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    let body = match output {
        OutputFormat::Text => {
            use crate::sanitize::inline;
            let mut s = String::new();
            for a in &result.accounts {
                let what = match (&a.role_arn, &a.reason) {
                    (Some(arn), Some(warning)) => format!("{arn} (but {warning})"),
                    (Some(arn), None) => arn.clone(),
                    (None, reason) => reason.clone().unwrap_or_default(),
                };
                s.push_str(&format!(
                    "{} {:<12} {}\n",
                    a.account,
                    a.status,
                    inline(&what)
                ));
            }
            s.into()
        }
        OutputFormat::Json => json_body(&result),
    };
    Ok(if failed.is_empty() {
        Outcome::success(body)
    } else {
        Outcome::incomplete(body)
    })
}

pub async fn destroy<A: Org + StackSets>(
    aws: &A,
    role: &str,
    member_role: &str,
    yes: bool,
    output: OutputFormat,
) -> Result<Outcome, CliError> {
    let removed = crate::rollout::destroy(
        aws,
        role,
        member_role,
        |name, instances| {
            say!(
                "stack set {name}: {} instance{} to delete (the role in each account, and the OIDC provider only where the instance created it)",
                instances.len(),
                if instances.len() == 1 { "" } else { "s" }
            );
            for i in instances {
                say!("  - {} {}", i.account, i.region);
            }
            yes || prompt::confirm(&[format!(
                "stack set {name} and its instances will be deleted"
            )])
        },
        say_progress,
    )
    .await?;
    if !removed.existed {
        note!(
            "Stack set {} does not exist: nothing to remove.",
            removed.stack_set
        );
    }
    Ok(Outcome::success(match output {
        OutputFormat::Text => String::new().into(),
        OutputFormat::Json => json_body(&removed),
    }))
}
