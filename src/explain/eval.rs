//! Evaluating a trust policy's conditions against a token's claims, with IAM's semantics for the
//! string operators, `...IfExists`, `Null`, and the `ForAnyValue:` / `ForAllValues:` set operators.
//! Total: never panics, whatever the policy and the claims (a property test holds it to that).

use serde::Serialize;
use serde_json::{Map, Value};

use crate::plan::trust_view::{Condition, Qualifier, texts};

/// The verdict on one condition key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConditionResult {
    /// e.g. `StringLike`
    pub operator: String,
    /// e.g. `gitlab.com:sub`
    pub key: String,
    /// The claim the key reads (`sub`), if the key is for this issuer.
    pub claim: Option<String>,
    /// What the token carries for it (absent: empty).
    pub actual: Vec<String>,
    /// What the policy allows.
    pub expected: Vec<String>,
    pub passed: bool,
    /// In words: why it passed or failed, and what the claim would have to be.
    pub reason: String,
}

/// Glob matching as IAM's `StringLike` does it: `*` any run (also empty), `?` one character.
pub fn like(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative matcher with one backtrack point: linear in practice, no recursion.
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// The values of a claim as strings (a list stays a list; numbers and booleans become text).
pub fn claim_values(v: &Value) -> Vec<String> {
    texts(v)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base {
    Equals,
    NotEquals,
    EqualsIgnoreCase,
    NotEqualsIgnoreCase,
    Like,
    NotLike,
    Null,
    Bool,
}

fn base_of(name: &str) -> Option<Base> {
    Some(match name {
        "StringEquals" => Base::Equals,
        "StringNotEquals" => Base::NotEquals,
        "StringEqualsIgnoreCase" => Base::EqualsIgnoreCase,
        "StringNotEqualsIgnoreCase" => Base::NotEqualsIgnoreCase,
        "StringLike" => Base::Like,
        "StringNotLike" => Base::NotLike,
        "Null" => Base::Null,
        "Bool" => Base::Bool,
        _ => return None,
    })
}

/// Does one claim value satisfy the positive form of `base` against one policy value?
fn matches_one(base: Base, actual: &str, expected: &str) -> bool {
    match base {
        Base::Equals | Base::NotEquals | Base::Bool => actual == expected,
        Base::EqualsIgnoreCase | Base::NotEqualsIgnoreCase => {
            actual.to_lowercase() == expected.to_lowercase()
        }
        Base::Like | Base::NotLike => like(expected, actual),
        Base::Null => false,
    }
}

fn negated(base: Base) -> bool {
    matches!(
        base,
        Base::NotEquals | Base::NotEqualsIgnoreCase | Base::NotLike
    )
}

/// Evaluate one condition of a statement. `claim_of` maps a condition key to its claim name when
/// the key belongs to this issuer.
pub fn evaluate(
    condition: &Condition,
    claims: &Map<String, Value>,
    claim_of: &dyn Fn(&str) -> Option<String>,
) -> ConditionResult {
    let (operator, key) = (condition.operator.written.as_str(), condition.key.as_str());
    let expected_values = condition.values.clone();
    let claim = claim_of(key);
    let actual_value = claim
        .as_ref()
        .and_then(|c| claims.get(c))
        .filter(|v| !v.is_null());
    let actual = actual_value.map(claim_values).unwrap_or_default();
    let present = actual_value.is_some();
    let result = |passed: bool, reason: String| ConditionResult {
        operator: operator.to_string(),
        key: key.to_string(),
        claim: claim.clone(),
        actual: actual.clone(),
        expected: expected_values.clone(),
        passed,
        reason,
    };

    let set_op = condition.operator.qualifier;
    let if_exists = condition.operator.if_exists;
    let Some(base) = base_of(&condition.operator.base) else {
        return result(
            false,
            format!("operator {operator} is not evaluated here; treated as not matching"),
        );
    };
    if claim.is_none() {
        return result(
            false,
            format!(
                "{key} is not a condition key of this issuer: the token never provides it, so the condition cannot match"
            ),
        );
    }

    if base == Base::Null {
        // Null: "true" means the key must be absent.
        let want_absent = expected_values.iter().any(|v| v == "true");
        let passed = want_absent != present;
        let reason = if passed {
            format!(
                "the claim is {}, as required",
                if present { "present" } else { "absent" }
            )
        } else {
            format!(
                "the claim must be {}",
                if want_absent { "absent" } else { "present" }
            )
        };
        return result(passed, reason);
    }

    if !present {
        return match (set_op, if_exists, negated(base)) {
            (Some(Qualifier::ForAllValues), _, _) => result(
                true,
                "ForAllValues is true when the claim is missing: this condition restricts nothing"
                    .to_string(),
            ),
            (_, true, _) => result(
                true,
                "the claim is missing and the operator ends in IfExists".to_string(),
            ),
            (None, false, true) => result(
                true,
                "the claim is missing, so it cannot equal a refused value".to_string(),
            ),
            _ => result(
                false,
                format!(
                    "the token has no {} claim; it would have to be {}",
                    claim.as_deref().unwrap_or(key),
                    describe(base, &expected_values)
                ),
            ),
        };
    }

    let value_ok = |a: &str| {
        let hit = expected_values.iter().any(|e| matches_one(base, a, e));
        if negated(base) { !hit } else { hit }
    };
    let passed = match set_op {
        Some(Qualifier::ForAllValues) => actual.iter().all(|a| value_ok(a)),
        Some(_) => actual.iter().any(|a| value_ok(a)),
        // A single-valued key: IAM compares the value (for a list, any of them).
        None => actual.iter().any(|a| value_ok(a)),
    };
    let shown = actual.join(", ");
    let reason = if passed {
        format!("{shown:?} {}", describe_pass(base, &expected_values))
    } else {
        format!(
            "the token says {shown:?}; it would have to be {}",
            describe(base, &expected_values)
        )
    };
    result(passed, reason)
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

fn describe(base: Base, expected: &[String]) -> String {
    match base {
        Base::Equals | Base::Bool => list(expected),
        Base::EqualsIgnoreCase => format!("{} (ignoring case)", list(expected)),
        Base::Like => format!("a match for {}", list(expected)),
        Base::NotEquals | Base::NotEqualsIgnoreCase => format!("anything but {}", list(expected)),
        Base::NotLike => format!("anything not matching {}", list(expected)),
        Base::Null => "absent".to_string(),
    }
}

fn describe_pass(base: Base, expected: &[String]) -> String {
    match base {
        Base::Like => format!("matches {}", list(expected)),
        Base::NotEquals | Base::NotEqualsIgnoreCase | Base::NotLike => {
            format!("is none of the refused values {}", list(expected))
        }
        _ => format!("equals {}", list(expected)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims() -> Map<String, Value> {
        let v = json!({
            "sub": "project_path:acme/web:ref_type:branch:ref:main",
            "aud": "https://gitlab.com",
            "ref_protected": "true",
            "project_id": "4242",
            "groups": ["a", "b"]
        });
        v.as_object().cloned().unwrap()
    }

    fn gitlab(key: &str) -> Option<String> {
        key.strip_prefix("gitlab.com:").map(str::to_string)
    }

    fn eval(op: &str, key: &str, expected: Value) -> ConditionResult {
        let condition = Condition {
            operator: crate::plan::trust_view::Operator::parse(op),
            key: key.to_string(),
            values: texts(&expected),
        };
        evaluate(&condition, &claims(), &gitlab)
    }

    #[test]
    fn glob_matching() {
        for (p, t, want) in [
            ("*", "", true),
            ("*", "anything", true),
            ("a*c", "abbbc", true),
            ("a*c", "abbbd", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            (
                "project_path:acme/*:ref_type:branch:ref:main",
                "project_path:acme/web:ref_type:branch:ref:main",
                true,
            ),
            (
                "project_path:acme/*:ref_type:branch:ref:main",
                "project_path:acme/web:ref_type:tag:ref:main",
                false,
            ),
            ("*a*b*", "xxaxxbxx", true),
            ("**", "x", true),
            ("", "", true),
            ("", "x", false),
        ] {
            assert_eq!(like(p, t), want, "{p} ~ {t}");
        }
    }

    #[test]
    fn table_of_operators() {
        let sub = "project_path:acme/web:ref_type:branch:ref:main";
        let cases: Vec<(&str, &str, Value, bool)> = vec![
            ("StringEquals", "gitlab.com:sub", json!(sub), true),
            (
                "StringEquals",
                "gitlab.com:sub",
                json!([sub, "other"]),
                true,
            ),
            (
                "StringEquals",
                "gitlab.com:sub",
                json!("project_path:acme/api:ref_type:branch:ref:main"),
                false,
            ),
            (
                "StringEquals",
                "gitlab.com:sub",
                json!("project_path:acme/*"),
                false,
            ),
            (
                "StringEqualsIgnoreCase",
                "gitlab.com:aud",
                json!("HTTPS://GITLAB.COM"),
                true,
            ),
            (
                "StringLike",
                "gitlab.com:sub",
                json!("project_path:acme/*:ref_type:branch:ref:*"),
                true,
            ),
            (
                "StringLike",
                "gitlab.com:sub",
                json!("project_path:other/*"),
                false,
            ),
            (
                "StringNotEquals",
                "gitlab.com:ref_protected",
                json!("false"),
                true,
            ),
            (
                "StringNotLike",
                "gitlab.com:sub",
                json!("*:ref_type:tag:*"),
                true,
            ),
            ("StringEquals", "gitlab.com:missing", json!("x"), false),
            (
                "StringEqualsIfExists",
                "gitlab.com:missing",
                json!("x"),
                true,
            ),
            ("StringNotEquals", "gitlab.com:missing", json!("x"), true),
            (
                "ForAllValues:StringEquals",
                "gitlab.com:missing",
                json!("x"),
                true,
            ),
            (
                "ForAnyValue:StringEquals",
                "gitlab.com:missing",
                json!("x"),
                false,
            ),
            (
                "ForAnyValue:StringEquals",
                "gitlab.com:groups",
                json!("b"),
                true,
            ),
            (
                "ForAllValues:StringEquals",
                "gitlab.com:groups",
                json!("b"),
                false,
            ),
            (
                "ForAllValues:StringEquals",
                "gitlab.com:groups",
                json!(["a", "b", "c"]),
                true,
            ),
            ("Null", "gitlab.com:missing", json!("true"), true),
            ("Null", "gitlab.com:sub", json!("true"), false),
            ("Null", "gitlab.com:sub", json!("false"), true),
            (
                "NumericEquals",
                "gitlab.com:project_id",
                json!("4242"),
                false,
            ),
            // A key for another issuer (written with https://) never matches.
            ("StringEquals", "https://gitlab.com:sub", json!(sub), false),
        ];
        for (op, key, expected, want) in cases {
            let r = eval(op, key, expected.clone());
            assert_eq!(r.passed, want, "{op} {key} {expected}: {}", r.reason);
        }
    }

    #[test]
    fn failures_say_what_the_claim_would_have_to_be() {
        let r = eval(
            "StringEquals",
            "gitlab.com:sub",
            json!("project_path:acme/api:ref_type:branch:ref:main"),
        );
        assert!(!r.passed);
        assert_eq!(r.claim.as_deref(), Some("sub"));
        assert!(
            r.reason.contains("the token says \"project_path:acme/web"),
            "{}",
            r.reason
        );
        assert!(
            r.reason
                .contains("would have to be \"project_path:acme/api"),
            "{}",
            r.reason
        );
        let r = eval("StringEquals", "gitlab.com:environment", json!("prod"));
        assert!(r.reason.contains("no environment claim"), "{}", r.reason);
        let r = eval("ForAllValues:StringLike", "gitlab.com:missing", json!("x"));
        assert!(r.passed && r.reason.contains("restricts nothing"));
    }
}
