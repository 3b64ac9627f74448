//! Words for one condition's verdict: what the token carries, what the policy asks, and the rule
//! of the IAM User Guide that decided it. The verdict itself is the evaluator's (`crate::iam`).

use serde::Serialize;

use crate::iam::condition::{Family, StringKind};
use crate::iam::{Context, Rule, pattern};
use crate::plan::trust_view::Condition;

/// The verdict on one condition key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConditionResult {
    /// e.g. `StringLike`
    pub operator: String,
    /// e.g. `gitlab.com:sub`
    pub key: String,
    /// The claim the key reads (`sub`), if the key is one IAM offers for this issuer.
    pub claim: Option<String>,
    /// What the request carries for it (absent: empty).
    pub actual: Vec<String>,
    /// What the policy allows, policy variables replaced.
    pub expected: Vec<String>,
    pub passed: bool,
    pub rule: Rule,
    /// In words: why it passed or failed, and what the claim would have to be.
    pub reason: String,
}

/// Describe condition `c`, which the evaluator found `passed` by `rule`. `claim`: the claim the
/// key reads when IAM offers it for this issuer.
pub fn describe(
    c: &Condition,
    context: &Context,
    variables: bool,
    (passed, rule): (bool, Rule),
    claim: Option<String>,
) -> ConditionResult {
    let actual: Vec<String> = context
        .get(&c.key)
        .map(<[String]>::to_vec)
        .unwrap_or_default();
    let family = Family::of(&c.operator.base);
    let takes_variables =
        variables && matches!(family, Some(Family::String { .. } | Family::Arn { .. }));
    let expected: Vec<String> = c
        .values
        .iter()
        .map(|v| match pattern::resolve(v, takes_variables, context) {
            Some(p) => pattern::text(&p),
            None => format!("{v} (a variable with no value)"),
        })
        .collect();
    let name = claim.as_deref().unwrap_or(&c.key).to_string();
    let unoffered = claim.is_none() && !c.key.to_lowercase().starts_with("aws:");
    let never = || {
        format!(
            "{} is not a condition key of this issuer: the token never provides it",
            c.key
        )
    };
    let missing = || {
        if unoffered {
            never()
        } else {
            format!("the token has no {name} claim")
        }
    };
    let reason = match rule {
        Rule::UnknownOperator => format!(
            "IAM does not know the operator {} (it refuses such a document): nothing matches",
            c.operator.written
        ),
        Rule::Null => {
            let want_absent = c.values.iter().any(|v| v.eq_ignore_ascii_case("true"));
            match (passed, want_absent) {
                (true, true) => format!("the {name} claim is absent, as Null: true asks"),
                (true, false) => format!("the {name} claim is present, as Null: false asks"),
                (false, true) => format!("the {name} claim must be absent (Null: true)"),
                (false, false) => format!("the {name} claim must be present (Null: false)"),
            }
        }
        Rule::AbsentIfExists => format!(
            "{}; the operator ends in IfExists, so the condition is true",
            missing()
        ),
        Rule::AbsentForAllValues => format!(
            "{}; ForAllValues is true when the key is missing: this condition restricts nothing",
            missing()
        ),
        Rule::AbsentForAnyValue => format!(
            "{}; ForAnyValue is false when the key is missing",
            missing()
        ),
        Rule::AbsentNegated => format!(
            "{}, so it cannot be a refused value: the condition is true",
            missing()
        ),
        Rule::Absent if unoffered => format!("{}, so the condition cannot match", never()),
        Rule::Absent => format!(
            "the token has no {name} claim; it would have to be {}",
            wanted(family, &expected)
        ),
        Rule::Compared => {
            let shown = actual.join(", ");
            if passed {
                format!("{shown:?} {}", satisfied(family, &expected))
            } else {
                format!(
                    "the token says {shown:?}; it would have to be {}",
                    wanted(family, &expected)
                )
            }
        }
    };
    ConditionResult {
        operator: c.operator.written.clone(),
        key: c.key.clone(),
        claim,
        actual,
        expected,
        passed,
        rule,
        reason,
    }
}

fn list(values: &[String]) -> String {
    match values {
        [one] => format!("{one:?}"),
        many => format!(
            "one of {}",
            many.iter()
                .map(|v| format!("{v:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// What the request's value would have to be.
fn wanted(family: Option<Family>, expected: &[String]) -> String {
    use StringKind::*;
    match family {
        Some(Family::String {
            kind: Equals,
            negated: false,
        })
        | Some(Family::Bool)
        | Some(Family::Binary) => list(expected),
        Some(Family::String {
            kind: EqualsIgnoreCase,
            negated: false,
        }) => format!("{} (ignoring case)", list(expected)),
        Some(Family::String {
            kind: Like,
            negated: false,
        })
        | Some(Family::Arn { negated: false }) => {
            format!("a match for {}", list(expected))
        }
        Some(Family::String {
            kind: Like,
            negated: true,
        })
        | Some(Family::Arn { negated: true }) => {
            format!("anything not matching {}", list(expected))
        }
        Some(f) if f.negated() => format!("anything but {}", list(expected)),
        _ => format!("what {} asks of {}", "the operator", list(expected)),
    }
}

fn satisfied(family: Option<Family>, expected: &[String]) -> String {
    match family {
        Some(Family::String {
            kind: StringKind::Like,
            negated: false,
        })
        | Some(Family::Arn { negated: false }) => {
            format!("matches {}", list(expected))
        }
        Some(Family::String {
            kind: StringKind::Like,
            negated: true,
        })
        | Some(Family::Arn { negated: true }) => format!("matches none of {}", list(expected)),
        Some(f) if f.negated() => format!("is none of the refused values {}", list(expected)),
        Some(Family::String { .. }) | Some(Family::Bool) | Some(Family::Binary) => {
            format!("equals {}", list(expected))
        }
        _ => format!("satisfies {}", list(expected)),
    }
}
