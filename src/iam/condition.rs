//! One condition (`operator: {key: values}`) against a request, with IAM's condition operators
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>),
//! the `ForAnyValue:` / `ForAllValues:` set operators
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>)
//! and the rules for a key the request does not carry. Key names are case-insensitive, values
//! case-sensitive except for the `…IgnoreCase` operators.

use std::net::IpAddr;

use serde::Serialize;

use super::Context;
use super::pattern::{self, Piece};
use crate::plan::trust_view::{Condition, Qualifier};

/// Why a condition came out as it did: the rule of the User Guide that decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// The request's values were compared with the policy's.
    Compared,
    /// `Null`: the key is (or is not) in the request.
    Null,
    /// Key missing, operator ends in `IfExists`: true.
    AbsentIfExists,
    /// Key missing under `ForAllValues:`: true (nothing to contradict it).
    AbsentForAllValues,
    /// Key missing under `ForAnyValue:`: false.
    AbsentForAnyValue,
    /// Key missing, negated operator (`StringNotEquals`, `ArnNotLike` …): true.
    AbsentNegated,
    /// Key missing, any other operator: false.
    Absent,
    /// An operator IAM does not know: it refuses such a document, so nothing matches.
    UnknownOperator,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    String { kind: StringKind, negated: bool },
    Numeric { cmp: Cmp, negated: bool },
    Date { cmp: Cmp, negated: bool },
    Bool,
    Binary,
    Ip { negated: bool },
    Arn { negated: bool },
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringKind {
    Equals,
    EqualsIgnoreCase,
    Like,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Family {
    /// The family of a base operator name (without qualifier and `IfExists`); names are
    /// case-sensitive as IAM writes them.
    pub fn of(base: &str) -> Option<Family> {
        use Family::*;
        let cmp = |rest: &str| -> Option<(Cmp, bool)> {
            Some(match rest {
                "Equals" => (Cmp::Eq, false),
                "NotEquals" => (Cmp::Eq, true),
                "LessThan" => (Cmp::Lt, false),
                "LessThanEquals" => (Cmp::Le, false),
                "GreaterThan" => (Cmp::Gt, false),
                "GreaterThanEquals" => (Cmp::Ge, false),
                _ => return None,
            })
        };
        Some(match base {
            "StringEquals" => String {
                kind: StringKind::Equals,
                negated: false,
            },
            "StringNotEquals" => String {
                kind: StringKind::Equals,
                negated: true,
            },
            "StringEqualsIgnoreCase" => String {
                kind: StringKind::EqualsIgnoreCase,
                negated: false,
            },
            "StringNotEqualsIgnoreCase" => String {
                kind: StringKind::EqualsIgnoreCase,
                negated: true,
            },
            "StringLike" => String {
                kind: StringKind::Like,
                negated: false,
            },
            "StringNotLike" => String {
                kind: StringKind::Like,
                negated: true,
            },
            "Bool" => Bool,
            "BinaryEquals" => Binary,
            "IpAddress" => Ip { negated: false },
            "NotIpAddress" => Ip { negated: true },
            "ArnEquals" | "ArnLike" => Arn { negated: false },
            "ArnNotEquals" | "ArnNotLike" => Arn { negated: true },
            "Null" => Null,
            other => {
                if let Some(rest) = other.strip_prefix("Numeric") {
                    let (cmp, negated) = cmp(rest)?;
                    Numeric { cmp, negated }
                } else if let Some(rest) = other.strip_prefix("Date") {
                    let (cmp, negated) = cmp(rest)?;
                    Date { cmp, negated }
                } else {
                    return None;
                }
            }
        })
    }

    pub fn negated(self) -> bool {
        match self {
            Family::String { negated, .. }
            | Family::Numeric { negated, .. }
            | Family::Date { negated, .. }
            | Family::Ip { negated }
            | Family::Arn { negated } => negated,
            Family::Bool | Family::Binary | Family::Null => false,
        }
    }

    /// Operators whose values may hold policy variables (string and ARN comparisons).
    pub fn takes_variables(self) -> bool {
        matches!(self, Family::String { .. } | Family::Arn { .. })
    }
}

/// Does `condition` hold for `context`? `variables`: the document is version 2012-10-17.
pub fn holds(condition: &Condition, context: &Context, variables: bool) -> (bool, Rule) {
    let op = &condition.operator;
    let Some(family) = Family::of(&op.base) else {
        return (false, Rule::UnknownOperator);
    };
    if family == Family::Null && (op.if_exists || op.qualifier.is_some()) {
        return (false, Rule::UnknownOperator);
    }
    let actual = context.get(&condition.key).filter(|v| !v.is_empty());
    if family == Family::Null {
        let present = actual.is_some();
        let wanted = condition
            .values
            .iter()
            .any(|v| match v.to_ascii_lowercase().as_str() {
                "true" => !present,
                "false" => present,
                _ => false,
            });
        return (wanted, Rule::Null);
    }
    let Some(actual) = actual else {
        return match (op.if_exists, op.qualifier, family.negated()) {
            (true, _, _) => (true, Rule::AbsentIfExists),
            (_, Some(Qualifier::ForAllValues), _) => (true, Rule::AbsentForAllValues),
            (_, Some(Qualifier::ForAnyValue), _) => (false, Rule::AbsentForAnyValue),
            (_, None, true) => (true, Rule::AbsentNegated),
            (_, None, false) => (false, Rule::Absent),
        };
    };
    let expected: Vec<Option<Vec<Piece>>> = condition
        .values
        .iter()
        .map(|v| pattern::resolve(v, variables && family.takes_variables(), context))
        .collect();
    // One request value against every policy value, in the operator's positive form (values ORed).
    let hits = |a: &str| expected.iter().flatten().any(|p| positive(family, a, p));
    let passed = match op.qualifier {
        None => {
            let any = actual.iter().any(|a| hits(a));
            any != family.negated()
        }
        Some(Qualifier::ForAnyValue) => actual.iter().any(|a| hits(a) != family.negated()),
        Some(Qualifier::ForAllValues) => actual.iter().all(|a| hits(a) != family.negated()),
    };
    (passed, Rule::Compared)
}

/// The positive form of the operator for one request value and one resolved policy value.
fn positive(family: Family, actual: &str, expected: &[Piece]) -> bool {
    match family {
        Family::String {
            kind: StringKind::Like,
            ..
        } => pattern::matches(expected, actual),
        Family::String {
            kind: StringKind::Equals,
            ..
        } => pattern::text(expected) == actual,
        Family::String {
            kind: StringKind::EqualsIgnoreCase,
            ..
        } => pattern::text(expected).to_lowercase() == actual.to_lowercase(),
        Family::Numeric { cmp, .. } => match (number(actual), number(&pattern::text(expected))) {
            (Some(a), Some(e)) => compare(cmp, a, e),
            _ => false,
        },
        Family::Date { cmp, .. } => match (date(actual), date(&pattern::text(expected))) {
            (Some(a), Some(e)) => compare(cmp, a, e),
            _ => false,
        },
        Family::Bool => {
            let e = pattern::text(expected);
            (e.eq_ignore_ascii_case("true") || e.eq_ignore_ascii_case("false"))
                && actual.eq_ignore_ascii_case(&e)
        }
        Family::Binary => pattern::text(expected) == actual,
        Family::Ip { .. } => in_cidr(actual, &pattern::text(expected)),
        Family::Arn { .. } => arn_like(expected, actual),
        Family::Null => false,
    }
}

fn compare(cmp: Cmp, a: f64, e: f64) -> bool {
    match cmp {
        Cmp::Eq => a == e,
        Cmp::Lt => a < e,
        Cmp::Le => a <= e,
        Cmp::Gt => a > e,
        Cmp::Ge => a >= e,
    }
}

fn number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A date as IAM accepts it: epoch seconds, or ISO 8601 (`2026-12-03`, `2026-12-03T10:00:00Z`,
/// with optional fraction and `±hh:mm` offset). Seconds since the epoch.
pub fn date(s: &str) -> Option<f64> {
    let s = s.trim();
    if let Some(n) = number(s) {
        return Some(n);
    }
    let (day, time) = match s.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let mut ymd = day.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (Some(Some(y)), Some(Some(m)), Some(Some(d))) = (ymd.next(), ymd.next(), ymd.next()) else {
        return None;
    };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut seconds = days_from_civil(y, m, d) as f64 * 86_400.0;
    if let Some(t) = time {
        let (clock, offset) = split_offset(t)?;
        let mut parts = clock.splitn(3, ':');
        let h: f64 = parts.next()?.parse().ok()?;
        let min: f64 = parts.next()?.parse().ok()?;
        let sec: f64 = parts
            .next()
            .map(str::parse)
            .transpose()
            .ok()?
            .unwrap_or(0.0);
        seconds += h * 3600.0 + min * 60.0 + sec - offset;
    }
    Some(seconds)
}

/// `10:00:00Z` → (`10:00:00`, 0); `10:00+02:00` → (`10:00`, 7200).
fn split_offset(t: &str) -> Option<(&str, f64)> {
    if let Some(clock) = t.strip_suffix('Z') {
        return Some((clock, 0.0));
    }
    match t.rfind(['+', '-']) {
        Some(i) => {
            let (clock, off) = t.split_at(i);
            let sign = if off.starts_with('-') { -1.0 } else { 1.0 };
            let (h, m) = off[1..].split_once(':').unwrap_or((&off[1..], "0"));
            let (h, m): (f64, f64) = (h.parse().ok()?, m.parse().ok()?);
            Some((clock, sign * (h * 3600.0 + m * 60.0)))
        }
        None => Some((t, 0.0)),
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn in_cidr(actual: &str, cidr: &str) -> bool {
    let (net, bits) = match cidr.split_once('/') {
        Some((n, b)) => (n, b.parse::<u32>().ok()),
        None => (cidr, None),
    };
    match (
        actual.trim().parse::<IpAddr>(),
        net.trim().parse::<IpAddr>(),
    ) {
        (Ok(IpAddr::V4(a)), Ok(IpAddr::V4(n))) => {
            let bits = bits.unwrap_or(32).min(32);
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (Ok(IpAddr::V6(a)), Ok(IpAddr::V6(n))) => {
            let bits = bits.unwrap_or(128).min(128);
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// `ArnEquals` / `ArnLike`: each of the six colon-separated parts matched on its own, with
/// wildcards, case-sensitively.
fn arn_like(expected: &[Piece], actual: &str) -> bool {
    let parts: Vec<&str> = actual.splitn(6, ':').collect();
    let mut wanted: Vec<Vec<Piece>> = vec![Vec::new()];
    for p in expected {
        if *p == Piece::Char(':') && wanted.len() < 6 {
            wanted.push(Vec::new());
        } else if let Some(last) = wanted.last_mut() {
            last.push(*p);
        }
    }
    parts.len() == 6
        && wanted.len() == 6
        && parts
            .iter()
            .zip(&wanted)
            .all(|(a, w)| pattern::matches(w, a))
}
