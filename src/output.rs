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
    }
}

/// The plan for people: one line per resource, then the trust policy, changes and warnings.
/// `full` always shows the trust policy; otherwise only when the role is about to be created.
pub fn plan_text(plan: &Plan, full: bool) -> String {
    let mut s = String::new();
    let p = &plan.provider;
    let _ = writeln!(
        s,
        "Account   {}  (as {})",
        plan.identity.account, plan.identity.arn
    );
    let _ = writeln!(s, "Provider  {:<8} {}", provider_word(&p.action), p.arn);
    match p.action {
        ProviderAction::AddAudience => {
            let _ = writeln!(
                s,
                "          add audience {} (has: {})",
                p.audience,
                p.client_ids.join(", ")
            );
        }
        _ => {
            let _ = writeln!(s, "          audience {}", p.audience);
        }
    }
    let _ = writeln!(
        s,
        "Role      {:<8} {}",
        role_word(&plan.role.action),
        plan.role.arn
    );
    if let RoleAction::Update { changes } = &plan.role.action {
        for c in changes {
            let _ = writeln!(s, "          {}", c.summary());
        }
    }
    for pol in &plan.policies {
        let admin = if pol.admin { "  (admin-level)" } else { "" };
        let _ = writeln!(
            s,
            "Policy    {:<8} {}{admin}",
            policy_word(pol.action),
            pol.arn
        );
    }
    for other in &plan.other_attached {
        let _ = writeln!(
            s,
            "Policy    keep     {}  (attached by someone else; left alone)",
            other.arn
        );
    }
    if !plan.warnings.is_empty() {
        s.push_str("\nWarnings:\n");
        for w in &plan.warnings {
            let _ = writeln!(s, "  ! {w}");
        }
    }
    let confirmations = plan.confirmations();
    if !confirmations.is_empty() {
        s.push_str("\nNeeds confirmation (--yes) to apply:\n");
        for c in &confirmations {
            let _ = writeln!(s, "  ? {c}");
        }
    }
    if full || plan.role.action == RoleAction::Create {
        let _ = writeln!(s, "\nTrust policy:\n{}", plan.trust.policy.to_pretty_json());
    }
    s.push_str(&trust_diff_text(plan));
    if plan.is_converged() {
        s.push_str("\nNothing to do: the setup is already in place.\n");
    }
    s
}

/// The trust policy diff when the role's current one differs, else nothing.
pub fn trust_diff_text(plan: &Plan) -> String {
    match &plan.role.action {
        RoleAction::Update { changes } => changes
            .iter()
            .filter_map(|c| match c {
                RoleChange::TrustPolicy { diff } => Some(format!("\nTrust policy change:\n{diff}")),
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
    }
}

/// One stderr line for a resource in the final result.
/// A policy someone else attached: reported, never detached.
pub fn left_alone_line(p: &crate::aws::AttachedPolicy) -> String {
    format!(
        "· policy        kept      {} (attached by someone else; left alone)",
        p.arn
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
    line
}
