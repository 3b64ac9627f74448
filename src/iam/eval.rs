//! The decision for one request, as "Policy evaluation logic" documents it
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>):
//! an explicit Deny that applies wins; otherwise an Allow that applies; otherwise the implicit
//! deny. A statement applies when its principal, its action and every condition match.

use serde::Serialize;

use super::condition::{Rule, holds};
use super::{Context, pattern};
use crate::plan::trust_view::{Effect, Statement, TrustView};

/// Who asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// A web-identity token whose issuer is the account's OIDC provider with this ARN.
    WebIdentity { provider: String },
    /// An AWS principal (user, role session, account root) calling `sts:AssumeRole`.
    Aws { arn: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub caller: Caller,
    pub action: String,
    pub context: Context,
}

impl Request {
    /// `sts:AssumeRoleWithWebIdentity` with a token of `provider_arn`'s issuer.
    pub fn web_identity(provider_arn: &str, context: Context) -> Request {
        Request {
            caller: Caller::WebIdentity {
                provider: provider_arn.to_string(),
            },
            action: super::WEB_IDENTITY.to_string(),
            context,
        }
    }
}

/// What one statement made of the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementEval {
    pub index: usize,
    pub allow: bool,
    pub principal: bool,
    pub action: bool,
    /// Per condition of the statement, in the view's order: held, and the rule that decided.
    pub conditions: Vec<(bool, Rule)>,
    /// Principal, action and every condition matched (and the statement is one IAM accepts).
    pub applies: bool,
    /// Why the statement can never apply, when IAM would not accept it as written.
    pub invalid: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "by", content = "statement", rename_all = "kebab-case")]
pub enum Decided {
    /// This Deny statement (1-based) applies.
    Deny(usize),
    /// This Allow statement applies, and no Deny does.
    Allow(usize),
    /// No statement applies to the request: the implicit deny.
    NoAllow,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub decided_by: Decided,
    pub statements: Vec<StatementEval>,
}

/// Evaluate the trust policy `view` for `request`.
pub fn evaluate(view: &TrustView, request: &Request) -> Decision {
    let variables = view.version.as_deref() == Some("2012-10-17");
    let statements: Vec<StatementEval> = view
        .statements
        .iter()
        .map(|s| statement(s, request, variables))
        .collect();
    let deny = statements.iter().find(|s| s.applies && !s.allow);
    let allow = statements.iter().find(|s| s.applies && s.allow);
    let decided_by = match (deny, allow) {
        (Some(d), _) => Decided::Deny(d.index),
        (None, Some(a)) => Decided::Allow(a.index),
        (None, None) => Decided::NoAllow,
    };
    Decision {
        allowed: matches!(decided_by, Decided::Allow(_)),
        decided_by,
        statements,
    }
}

/// Does any Allow apply and no Deny? The same rules as `evaluate`, without the record (the
/// checks ask this thousands of times per role).
pub fn allows(view: &TrustView, request: &Request) -> bool {
    let variables = view.version.as_deref() == Some("2012-10-17");
    let mut allowed = false;
    for s in &view.statements {
        if applies(s, request, variables) {
            match s.effect {
                Effect::Deny => return false,
                Effect::Allow => allowed = true,
                Effect::Invalid(_) => {}
            }
        }
    }
    allowed
}

fn applies(s: &Statement, request: &Request, variables: bool) -> bool {
    invalid(s).is_none()
        && principal_matches(s, &request.caller)
        && action_matches(s, &request.action)
        && s.conditions
            .iter()
            .all(|c| holds(c, &request.context, variables).0)
}

fn statement(s: &Statement, request: &Request, variables: bool) -> StatementEval {
    let principal = principal_matches(s, &request.caller);
    let action = action_matches(s, &request.action);
    let conditions: Vec<(bool, Rule)> = s
        .conditions
        .iter()
        .map(|c| holds(c, &request.context, variables))
        .collect();
    let invalid = invalid(s);
    StatementEval {
        index: s.index,
        allow: s.effect == Effect::Allow,
        principal,
        action,
        applies: invalid.is_none() && principal && action && conditions.iter().all(|c| c.0),
        conditions,
        invalid,
    }
}

/// Statements IAM refuses in a role trust policy, which therefore never apply.
fn invalid(s: &Statement) -> Option<&'static str> {
    if let Effect::Invalid(_) = s.effect {
        return Some("its Effect is neither \"Allow\" nor \"Deny\"");
    }
    if s.principal.negated {
        // "You can't use NotPrincipal ... in an IAM role trust policy" (Policy elements: NotPrincipal).
        return Some("NotPrincipal is not allowed in a role trust policy");
    }
    if s.actions.patterns.is_empty() {
        return Some("it has no Action");
    }
    None
}

/// Principal element (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>):
/// `"*"` is everyone, federated callers included; `{"Federated": arn}` names a provider;
/// `{"AWS": "*"}` is every AWS principal (the callers of `sts:AssumeRole`).
pub fn principal_matches(s: &Statement, caller: &Caller) -> bool {
    let p = &s.principal;
    if p.anyone {
        return true;
    }
    match caller {
        Caller::WebIdentity { provider } => p.federated.iter().any(|f| f == provider || f == "*"),
        Caller::Aws { arn } => p.aws.iter().any(|a| {
            a == "*"
                || a == arn
                || account_of(arn)
                    .is_some_and(|acct| a == acct || *a == format!("arn:aws:iam::{acct}:root"))
        }),
    }
}

fn account_of(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

/// Action / NotAction: names are case-insensitive and take `*` and `?`
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>).
pub fn action_matches(s: &Statement, action: &str) -> bool {
    let action = action.to_lowercase();
    let any = s
        .actions
        .patterns
        .iter()
        .any(|p| pattern::like(&p.to_lowercase(), &action));
    any != s.actions.negated
}
