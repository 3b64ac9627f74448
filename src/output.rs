//! How plans, progress and outcomes read in scripted mode: text for people, JSON for programs.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::aws::CallLog;
use crate::engine::{
    Outcome, Plan, PolicyAction, Progress, ProviderAction, ResourceReport, RoleAction, RoleChange,
};

fn provider_word(a: &ProviderAction) -> &'static str {
    match a {
        ProviderAction::Create => "create",
        ProviderAction::AddAudience => "update",
        ProviderAction::Reuse => "reuse",
        ProviderAction::Unchanged => "nothing",
    }
}

fn role_word(a: &RoleAction) -> &'static str {
    match a {
        RoleAction::Create => "create",
        RoleAction::Update { .. } => "update",
        RoleAction::Reuse => "reuse",
        RoleAction::Unchanged => "nothing",
    }
}

fn policy_word(a: PolicyAction) -> &'static str {
    match a {
        PolicyAction::Attach => "attach",
        PolicyAction::AlreadyAttached => "nothing",
        PolicyAction::Detach => "detach",
    }
}

/// The plan for people: one line per resource, then the trust policy, changes and warnings.
/// `full` always shows the trust policy; otherwise only when the role is about to be created.
pub fn plan_text(plan: &Plan, full: bool) -> String {
    let mut s = plan_facts(plan, Ids::Arns);
    s.push_str(&plan_warnings(plan));
    let confirmations = plan.confirmations();
    if !confirmations.is_empty() {
        s.push_str("\nNeeds confirmation (--yes) to apply:\n");
        for c in &confirmations {
            crate::sanitize::push_line(&mut s, &format!("  ? {c}"));
        }
    }
    if full || plan.role.action == RoleAction::Create {
        s.push_str(&trust_policy_text(plan));
    }
    s.push_str(&trust_diff_text(plan));
    if plan.is_converged() {
        s.push_str(CONVERGED);
    }
    s
}

/// The closing line of a plan that changes nothing.
pub const CONVERGED: &str = "\nNothing to do: the setup is already in place.\n";

/// How resources are named in the plan's facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ids {
    /// Full ARNs, for a script's log.
    Arns,
    /// The provider's URL, the role's and policies' names: short enough for a narrow screen
    /// (the account is on its own line).
    Names,
}

/// One line per resource (and per change of an existing role): what the plan does to it.
pub fn plan_facts(plan: &Plan, ids: Ids) -> String {
    let mut s = String::new();
    let p = &plan.provider;
    let short = ids == Ids::Names;
    let caller = if short {
        plan.identity.arn.split(':').next_back().unwrap_or_default()
    } else {
        plan.identity.arn.as_str()
    };
    crate::sanitize::push_line(
        &mut s,
        &format!("Account   {}  (as {caller})", plan.identity.account),
    );
    let provider = if short { &p.url } else { &p.arn };
    crate::sanitize::push_line(
        &mut s,
        &format!("Provider  {:<8} {provider}", provider_word(&p.action)),
    );
    match p.action {
        ProviderAction::AddAudience => {
            crate::sanitize::push_line(
                &mut s,
                &format!(
                    "          add audience {} (has: {})",
                    p.audience,
                    p.client_ids.join(", ")
                ),
            );
        }
        _ => {
            crate::sanitize::push_line(&mut s, &format!("          audience {}", p.audience));
        }
    }
    let role = if short {
        &plan.role.name
    } else {
        &plan.role.arn
    };
    crate::sanitize::push_line(
        &mut s,
        &format!("Role      {:<8} {role}", role_word(&plan.role.action)),
    );
    if let RoleAction::Update { changes } = &plan.role.action {
        for c in changes {
            crate::sanitize::push_line(&mut s, &format!("          {}", c.summary()));
        }
    }
    // A role to be created: every attribute CreateRole is sent, besides the trust policy (below).
    if plan.role.action == RoleAction::Create {
        let r = &plan.role.new_role;
        let tags: Vec<String> = r.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let facts = [
            format!("path {} · max session {} s", r.path, r.max_session_duration),
            format!(
                "boundary {}",
                r.permissions_boundary.as_deref().unwrap_or("none")
            ),
            format!("description {:?}", r.description),
            format!("tag {}", tags.join(", ")),
        ];
        for f in facts {
            crate::sanitize::push_line(&mut s, &format!("          {f}"));
        }
    }
    for pol in &plan.policies {
        let admin = if pol.admin { "  (admin-level)" } else { "" };
        let id = if short { &pol.name } else { &pol.arn };
        crate::sanitize::push_line(
            &mut s,
            &format!("Policy    {:<8} {id}{admin}", policy_word(pol.action)),
        );
    }
    for other in &plan.other_attached {
        let id = if short { &other.name } else { &other.arn };
        crate::sanitize::push_line(
            &mut s,
            &format!("Policy    keep     {id}  (attached, not in this setup; left alone)"),
        );
    }
    s
}

/// The warnings block, or nothing.
pub fn plan_warnings(plan: &Plan) -> String {
    let mut s = String::new();
    if !plan.warnings.is_empty() {
        s.push_str("\nWarnings:\n");
        for w in &plan.warnings {
            crate::sanitize::push_line(&mut s, &format!("  ! {w}"));
        }
    }
    s
}

/// The trust policy the role will have.
pub fn trust_policy_text(plan: &Plan) -> String {
    format!("\nTrust policy:\n{}\n", plan.trust.policy.to_pretty_json())
}

/// The trust policy diff when the role's current one differs, else nothing.
pub fn trust_diff_text(plan: &Plan) -> String {
    match &plan.role.action {
        RoleAction::Update { changes } => changes
            .iter()
            .filter_map(|c| match c {
                RoleChange::TrustPolicy { diff, .. } => {
                    Some(format!("\nTrust policy change:\n{diff}"))
                }
                _ => None,
            })
            .collect(),
        _ => String::new(),
    }
}

pub fn plan_json(plan: &Plan) -> Value {
    let mut v = serde_json::to_value(plan).unwrap_or(Value::Null);
    if let Some(obj) = v.as_object_mut() {
        obj.insert("trust_policy".into(), plan.trust.policy.to_value());
        obj.insert("confirmations_required".into(), json!(plan.confirmations()));
        obj.insert("converged".into(), json!(plan.is_converged()));
    }
    v
}

pub fn calls_json(calls: &CallLog) -> Value {
    json!({"total": calls.total(), "mutating": calls.mutating(), "operations": calls.snapshot()})
}

pub fn outcome_json(outcome: &Outcome, calls: &CallLog) -> Value {
    let mut v = serde_json::to_value(outcome).unwrap_or(Value::Null);
    if let Some(obj) = v.as_object_mut() {
        obj.insert("aws_calls".into(), calls_json(calls));
    }
    v
}

/// One stderr line for a progress event.
pub fn progress_line(p: &Progress) -> String {
    match p {
        Progress::Started { label, .. } => format!("… {label}"),
        Progress::Finished { label, .. } => format!("✓ {label}"),
        Progress::Failed { label, .. } => format!("✗ {label}"),
    }
}

/// A policy attached to the role that the setup does not name: reported, not detached.
pub fn left_alone_line(p: &crate::aws::AttachedPolicy) -> String {
    format!(
        "· policy        kept      {} (attached, not in this setup; left alone)",
        crate::sanitize::inline(&p.arn)
    )
}

/// The closing count of AWS calls.
pub fn calls_line(total: usize, mutating: usize) -> String {
    format!(
        "{total} AWS call{}, {mutating} of them changing something",
        if total == 1 { "" } else { "s" }
    )
}

pub fn report_line(r: &ResourceReport) -> String {
    let mut line = format!("= {:<13} {:<9} {}", r.resource, r.action.as_str(), r.id);
    if !r.details.is_empty() {
        let _ = write!(line, " ({})", r.details.join("; "));
    }
    crate::sanitize::inline(&line).into_owned()
}
