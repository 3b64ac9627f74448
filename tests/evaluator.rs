//! A differential test of `explain`'s verdict: random trust policies built from the vocabulary the
//! generator and the tools people use write (the GitLab keys, the string operators with
//! `IfExists`, the set operators, `Null`, principals, actions, Deny statements, key case, `${$}`),
//! random claims, and a second, deliberately naive evaluator written here from the same rules of
//! the IAM User Guide ("Policy evaluation logic", "Condition operators", "Single-valued vs.
//! multivalued context keys", "Variables and tags"): the verdict is an OR of ANDs over the Allow
//! statements, minus an OR of ANDs over the Deny statements. Pure, no emulator.

use std::collections::BTreeMap;

use aws_oidc_wizard::aws::OidcProvider;
use aws_oidc_wizard::explain::{Claims, explain};
use proptest::prelude::*;
use serde_json::{Value, json};

const P: &str = "arn:aws:iam::123456789012:oidc-provider/gitlab.com";
const OTHER: &str = "arn:aws:iam::123456789012:oidc-provider/git.example.com";
const NOW: u64 = 1_800_000_000;
const OFFERED: [&str; 6] = [
    "sub",
    "aud",
    "project_id",
    "ref_protected",
    "namespace_id",
    "user_login",
];

fn provider() -> OidcProvider {
    OidcProvider {
        arn: P.into(),
        url: "gitlab.com".into(),
        client_ids: vec!["https://gitlab.com".into(), "sts.amazonaws.com".into()],
        thumbprints: vec![],
        tags: vec![],
    }
}

#[derive(Debug, Clone)]
struct Cond {
    op: String,
    key: String,
    values: Vec<String>,
}

#[derive(Debug, Clone)]
struct Stmt {
    allow: bool,
    principal: Value,
    action: (bool, Vec<String>),
    conds: Vec<Cond>,
}

/// A condition block is a JSON object: one operator names a key once, and a
/// second entry for the same operator and key replaces the first (as `to_json`
/// writes it). The naive side must see the same single entry.
fn one_per_block_key(conds: Vec<Cond>) -> Vec<Cond> {
    let mut kept: Vec<Cond> = Vec::new();
    for c in conds {
        kept.retain(|k| !(k.op == c.op && k.key == c.key));
        kept.push(c);
    }
    kept
}

fn to_json(statements: &[Stmt]) -> Value {
    let list: Vec<Value> = statements
        .iter()
        .map(|s| {
            let mut condition: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
            for c in &s.conds {
                condition
                    .entry(c.op.clone())
                    .or_default()
                    .insert(c.key.clone(), json!(c.values));
            }
            let mut v = json!({
                "Effect": if s.allow { "Allow" } else { "Deny" },
                "Principal": s.principal,
                "Condition": condition,
            });
            v[if s.action.0 { "NotAction" } else { "Action" }] = json!(s.action.1);
            v
        })
        .collect();
    json!({"Version": "2012-10-17", "Statement": list})
}

// ---- the naive reference evaluator ----

#[derive(Clone, Copy, PartialEq)]
enum Tok {
    Lit(char),
    Star,
    One,
}

/// `${$}`, `${*}`, `${?}` are the characters; other `*` and `?` wildcards.
fn tokens(value: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("${$}") {
            out.push(Tok::Lit('$'));
            rest = after;
        } else if let Some(after) = rest.strip_prefix("${*}") {
            out.push(Tok::Lit('*'));
            rest = after;
        } else if let Some(after) = rest.strip_prefix("${?}") {
            out.push(Tok::Lit('?'));
            rest = after;
        } else {
            out.push(match c {
                '*' => Tok::Star,
                '?' => Tok::One,
                c => Tok::Lit(c),
            });
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// Plain recursive backtracking: slow and obvious.
fn glob(p: &[Tok], t: &[char]) -> bool {
    match p.first() {
        None => t.is_empty(),
        Some(Tok::Star) => (0..=t.len()).any(|i| glob(&p[1..], &t[i..])),
        Some(Tok::One) => !t.is_empty() && glob(&p[1..], &t[1..]),
        Some(Tok::Lit(c)) => t.first() == Some(c) && glob(&p[1..], &t[1..]),
    }
}

fn literal(value: &str) -> String {
    tokens(value)
        .iter()
        .map(|t| match t {
            Tok::Lit(c) => *c,
            Tok::Star => '*',
            Tok::One => '?',
        })
        .collect()
}

fn naive_condition(c: &Cond, claims: &BTreeMap<String, Vec<String>>) -> bool {
    let key = c.key.to_lowercase();
    let actual = key
        .strip_prefix("gitlab.com:")
        .filter(|claim| OFFERED.contains(claim))
        .and_then(|claim| claims.get(claim));
    let (set, rest) = match c.op.split_once(':') {
        Some((q, rest)) => (Some(q), rest),
        None => (None, c.op.as_str()),
    };
    let (base, if_exists) = match rest.strip_suffix("IfExists") {
        Some(b) => (b, true),
        None => (rest, false),
    };
    if base == "Null" {
        let present = actual.is_some();
        return c
            .values
            .iter()
            .any(|v| (v == "true" && !present) || (v == "false" && present));
    }
    let negated = base.contains("Not");
    let Some(actual) = actual else {
        if if_exists {
            return true;
        }
        return match set {
            Some("ForAllValues") => true,
            Some(_) => false,
            None => negated,
        };
    };
    let one = |a: &str, v: &str| -> bool {
        match base {
            "StringEquals" | "StringNotEquals" => literal(v) == a,
            "StringEqualsIgnoreCase" | "StringNotEqualsIgnoreCase" => {
                literal(v).to_lowercase() == a.to_lowercase()
            }
            "StringLike" | "StringNotLike" => glob(&tokens(v), &a.chars().collect::<Vec<_>>()),
            _ => false,
        }
    };
    let hit = |a: &String| c.values.iter().any(|v| one(a, v));
    match set {
        Some("ForAllValues") => actual.iter().all(|a| hit(a) != negated),
        Some(_) => actual.iter().any(|a| hit(a) != negated),
        None => actual.iter().any(hit) != negated,
    }
}

fn naive_statement(s: &Stmt, claims: &BTreeMap<String, Vec<String>>) -> bool {
    let principal = s.principal == json!("*")
        || s.principal["Federated"] == json!(P)
        || s.principal["Federated"]
            .as_array()
            .is_some_and(|a| a.contains(&json!(P)));
    let named = s.action.1.iter().any(|a| {
        let a = a.to_lowercase();
        glob(
            &tokens(&a),
            &"sts:assumerolewithwebidentity".chars().collect::<Vec<_>>(),
        )
    });
    let action = named != s.action.0;
    principal && action && s.conds.iter().all(|c| naive_condition(c, claims))
}

fn naive(statements: &[Stmt], claims: &BTreeMap<String, Vec<String>>) -> bool {
    let allow = statements
        .iter()
        .any(|s| s.allow && naive_statement(s, claims));
    let deny = statements
        .iter()
        .any(|s| !s.allow && naive_statement(s, claims));
    allow && !deny
}

// ---- the vocabulary ----

fn arb_cond() -> impl Strategy<Value = Cond> {
    let base = prop::sample::select(vec![
        "StringEquals",
        "StringNotEquals",
        "StringLike",
        "StringNotLike",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
    ]);
    let op = (
        prop::sample::select(vec!["", "", "", "ForAnyValue:", "ForAllValues:"]),
        base,
        any::<bool>(),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(q, b, if_exists, null)| {
            if null {
                "Null".to_string()
            } else {
                format!("{q}{b}{}", if if_exists { "IfExists" } else { "" })
            }
        });
    let key = (
        prop::sample::select(OFFERED.to_vec()),
        prop::sample::select(vec!["gitlab.com", "GitLab.com", "gitlab.com", "other.host"]),
        any::<bool>(),
    )
        .prop_map(|(claim, host, upper)| {
            let claim = if upper {
                claim.to_uppercase()
            } else {
                claim.to_string()
            };
            format!("{host}:{claim}")
        });
    let values = prop::collection::vec(
        prop::sample::select(vec![
            "project_path:acme/web:ref_type:branch:ref:main",
            "project_path:acme/*",
            "project_path:acm?/*",
            "project_path:acme/web:ref_type:branch:ref:*",
            "project_path:acme/web:ref_type:branch:ref:a${$}b",
            "*",
            "https://gitlab.com",
            "sts.amazonaws.com",
            "4242",
            "42*",
            "true",
            "false",
            "alice",
            "a*",
        ]),
        1..3,
    );
    (op, key, values).prop_map(|(op, key, values)| {
        let values = if op == "Null" {
            vec![
                if values[0].len() % 2 == 0 {
                    "true"
                } else {
                    "false"
                }
                .to_string(),
            ]
        } else {
            values.into_iter().map(str::to_string).collect()
        };
        Cond { op, key, values }
    })
}

fn arb_stmt() -> impl Strategy<Value = Stmt> {
    let principal = prop::sample::select(vec![
        json!({"Federated": P}),
        json!({"Federated": P}),
        json!({"Federated": OTHER}),
        json!({"Federated": [OTHER, P]}),
        json!("*"),
        json!({"AWS": "*"}),
    ]);
    let action = prop::sample::select(vec![
        (false, vec!["sts:AssumeRoleWithWebIdentity"]),
        (false, vec!["sts:AssumeRoleWithWebIdentity"]),
        (false, vec!["STS:assumerolewithwebidentity"]),
        (false, vec!["sts:*"]),
        (false, vec!["sts:AssumeRole*"]),
        (false, vec!["sts:AssumeRole"]),
        (true, vec!["sts:AssumeRole"]),
        (true, vec!["sts:AssumeRoleWithWebIdentity"]),
    ]);
    (
        prop::bool::weighted(0.75),
        principal,
        action,
        prop::collection::vec(arb_cond(), 0..4),
    )
        .prop_map(|(allow, principal, (not, actions), conds)| Stmt {
            allow,
            principal,
            action: (not, actions.into_iter().map(str::to_string).collect()),
            conds: one_per_block_key(conds),
        })
}

fn arb_claims() -> impl Strategy<Value = BTreeMap<String, Vec<String>>> {
    let sub = prop::sample::select(vec![
        "project_path:acme/web:ref_type:branch:ref:main",
        "project_path:acmx/web:ref_type:branch:ref:main",
        "project_path:acme/web:ref_type:branch:ref:feature",
        "project_path:acme/web:ref_type:branch:ref:a$b",
        "project_path:other/x:ref_type:tag:ref:v1",
    ]);
    (
        sub,
        prop::sample::select(vec!["https://gitlab.com", "sts.amazonaws.com"]),
        prop::option::of(prop::sample::select(vec!["4242", "1", "4299"])),
        prop::option::of(prop::sample::select(vec!["true", "false"])),
        prop::option::of(prop::sample::select(vec!["alice", "bob"])),
    )
        .prop_map(|(sub, aud, project, protected, login)| {
            let mut m = BTreeMap::new();
            m.insert("sub".to_string(), vec![sub.to_string()]);
            m.insert("aud".to_string(), vec![aud.to_string()]);
            for (k, v) in [
                ("project_id", project),
                ("ref_protected", protected),
                ("user_login", login),
            ] {
                if let Some(v) = v {
                    m.insert(k.to_string(), vec![v.to_string()]);
                }
            }
            m
        })
}

fn token(claims: &BTreeMap<String, Vec<String>>) -> Claims {
    let mut t = Claims::new();
    t.insert("iss".into(), json!("https://gitlab.com"));
    t.insert("exp".into(), json!(NOW + 600));
    for (k, v) in claims {
        t.insert(k.clone(), json!(v[0]));
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn explain_agrees_with_a_naive_evaluator(
        statements in prop::collection::vec(arb_stmt(), 1..4),
        claims in arb_claims(),
    ) {
        let policy = to_json(&statements);
        let e = explain("r", &policy, Some(&provider()), &token(&claims), NOW);
        prop_assert!(e.checks.iter().all(|c| c.passed), "{:?}", e.checks);
        let want = naive(&statements, &claims);
        prop_assert_eq!(e.allowed, want, "policy {}\nclaims {:?}\n{}", policy, claims,
            aws_oidc_wizard::explain::text(&e));
    }
}
