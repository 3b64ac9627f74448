//! Random trust policies and GitLab tokens, for the property tests of `check` (tests/proofs.rs)
//! and the bench of its reasoning (tests/benches/reason.rs): every operator family, Deny
//! statements, policy variables, global keys, `Principal: "*"`, both policy versions.
#![allow(dead_code)]

use proptest::prelude::*;
use proptest::test_runner::TestRng;
use serde_json::{Value, json};

pub const PROVIDER: &str = "arn:aws:iam::123456789012:oidc-provider/gitlab.com";
pub const NOW: u64 = 1_790_000_000;

const FRAGMENTS: [&str; 24] = [
    "project_path:",
    "project_id:",
    "acme",
    "Acme",
    "/",
    "web",
    "*",
    "?",
    ":ref_type:",
    "branch",
    "tag",
    ":ref:",
    "main",
    "MAIN",
    "v1",
    "${gitlab.com:user_login}",
    "${gitlab.com:sub}",
    "${aws:RequestedRegion}",
    "evil",
    "4242",
    "x",
    ":",
    "${*}",
    "-",
];
const OPERATORS: [&str; 14] = [
    "StringLike",
    "StringEquals",
    "StringNotLike",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringLikeIfExists",
    "ForAnyValue:StringLike",
    "ForAllValues:StringEquals",
    "StringNotEqualsIgnoreCase",
    "ArnLike",
    "Null",
    "Bool",
    "NumericLessThan",
    "DateGreaterThan",
];
const KEYS: [&str; 12] = [
    "gitlab.com:sub",
    "gitlab.com:sub",
    "gitlab.com:sub",
    "gitlab.com:aud",
    "gitlab.com:project_id",
    "gitlab.com:namespace_id",
    "gitlab.com:ref_protected",
    "gitlab.com:user_login",
    "aws:RequestedRegion",
    "aws:SecureTransport",
    "aws:CurrentTime",
    "aws:SourceIp",
];

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec(prop::sample::select(FRAGMENTS.to_vec()), 1..7)
            .prop_map(|f| f.concat()),
        1 => prop::sample::select(vec![
            "project_path:acme/web:ref_type:branch:ref:main",
            "project_path:acme/*",
            "true",
            "false",
            "4242",
            "1000",
            "2020-01-01T00:00:00Z",
            "2099-01-01T00:00:00Z",
            "10.0.0.0/8",
            "eu-west-1",
            "https://gitlab.com",
            "acme",
        ])
        .prop_map(str::to_string),
    ]
}

fn condition() -> impl Strategy<Value = (String, String, Vec<String>)> {
    (
        prop::sample::select(OPERATORS.to_vec()),
        prop::sample::select(KEYS.to_vec()),
        prop::collection::vec(value(), 1..3),
    )
        .prop_map(|(o, k, v)| (o.to_string(), k.to_string(), v))
}

fn block(conds: Vec<(String, String, Vec<String>)>) -> Value {
    let mut c = json!({});
    for (op, key, values) in conds {
        c[op][key] = json!(values);
    }
    c
}

/// A random trust policy: one or two Allow statements (a federated principal or `"*"`), up to
/// one Deny, 2012-10-17 two times in three.
pub fn arb_trust() -> impl Strategy<Value = Value> {
    let allow = (
        prop::collection::vec(condition(), 0..4),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(conds, aud, anyone)| {
            let mut c = block(conds);
            if aud {
                c["StringEquals"]["gitlab.com:aud"] = json!("https://gitlab.com");
            }
            let principal = if anyone {
                json!("*")
            } else {
                json!({"Federated": PROVIDER})
            };
            json!({"Effect": "Allow", "Principal": principal,
                "Action": "sts:AssumeRoleWithWebIdentity", "Condition": c})
        });
    let deny = prop::collection::vec(condition(), 1..3).prop_map(|conds| {
        json!({"Effect": "Deny", "Principal": "*", "Action": "sts:*", "Condition": block(conds)})
    });
    (
        prop::collection::vec(allow, 1..3),
        prop::collection::vec(deny, 0..2),
        prop::sample::select(vec!["2012-10-17", "2012-10-17", "2008-10-17"]),
    )
        .prop_map(|(mut s, d, version)| {
            s.extend(d);
            json!({"Version": version, "Statement": s})
        })
}

/// Pieces a random token is made of: the trust's own words and a stranger's, each something
/// GitLab allows in a path segment (the token must be one GitLab issues).
pub fn words(doc: &Value) -> Vec<String> {
    let mut out: Vec<String> = [
        "evil",
        "other",
        "acme",
        "Acme",
        "web",
        "main",
        "MAIN",
        "v1",
        "x",
        "42",
        "4242",
        "1",
        "999",
        "feature",
        "their-project",
    ]
    .map(String::from)
    .to_vec();
    for v in doc
        .to_string()
        .split(|c: char| !(c.is_ascii_alphanumeric() || "_.-".contains(c)))
    {
        if !v.is_empty() && v.len() < 40 {
            out.push(v.to_string());
        }
    }
    out
}

/// A token (its claims) and the request keys its caller sets.
pub struct Token {
    pub claims: serde_json::Map<String, Value>,
    pub request: std::collections::BTreeMap<String, String>,
}

/// A random gitlab.com token of GitLab's grammar, in any `sub` format, from `words`; a random
/// region, one of four addresses (203.0.113.9 is in no range the generator writes) and a time
/// now, in an hour or in twenty years.
pub fn random_token(rng: &mut TestRng, words: &[String], regions: &[&str]) -> Token {
    let pick = |rng: &mut TestRng| words[rng.random_range(0..words.len())].clone();
    let mut path = pick(rng);
    for _ in 0..rng.random_range(1..3) {
        path = format!("{path}/{}", pick(rng));
    }
    let ref_type = if rng.random_bool(0.5) {
        "branch"
    } else {
        "tag"
    };
    let git_ref = pick(rng);
    let id = rng.random_range(1..5000u32).to_string();
    let sub = match rng.random_range(0..6) {
        0 => format!("project_id:{id}:ref_type:{ref_type}:ref:{git_ref}"),
        1 => format!("project_path:{path}:ref:{git_ref}"),
        2 => format!("project_path:{path}:ref_type:{ref_type}"),
        _ => format!("project_path:{path}:ref_type:{ref_type}:ref:{git_ref}"),
    };
    let project_id = if sub.starts_with("project_id:") {
        id
    } else {
        rng.random_range(1..5000u32).to_string()
    };
    let claims = json!({
        "iss": "https://gitlab.com", "aud": "https://gitlab.com", "sub": sub,
        "project_id": project_id,
        "namespace_id": rng.random_range(1..5000u32).to_string(),
        "user_id": rng.random_range(1..5000u32).to_string(),
        "user_login": pick(rng),
        "ref_protected": if rng.random_bool(0.5) { "true" } else { "false" },
        "pipeline_source": "push", "runner_environment": "gitlab-hosted",
        "user_access_level": "owner", "user_email": "someone@example.com",
        "iat": NOW, "exp": NOW + 86_400 * 365 * 100,
    });
    let mut request = std::collections::BTreeMap::new();
    request.insert(
        "aws:RequestedRegion".into(),
        regions[rng.random_range(0..regions.len())].to_string(),
    );
    let ip = ["203.0.113.9", "10.1.2.3", "192.168.0.1", "2001:db8::1"][rng.random_range(0..4)];
    request.insert("aws:SourceIp".into(), ip.into());
    let t = NOW + [0, 3600, 86_400 * 365 * 20][rng.random_range(0..3)];
    request.insert(
        "aws:CurrentTime".into(),
        aws_oidc_wizard::explain::iso_time(t),
    );
    Token {
        claims: claims.as_object().cloned().unwrap_or_default(),
        request,
    }
}
