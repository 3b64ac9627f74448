//! `check`'s reasoning alone, per trust policy: the audit of one role (every class of people asked,
//! counterexamples built), no AWS. Reports the median and the worst time per trust over the
//! real-world shapes below and over the property-test generator's trusts (tests/common/trusts.rs).
//! Run with `cargo bench --bench reason` (`AOW_BENCH_TRUSTS`, default 1,000 generated trusts).
//! Each trust is audited 3 times and its best time kept.
#![allow(
    clippy::disallowed_macros,
    reason = "a test or bench prints its figures"
)]

#[path = "../common/trusts.rs"]
mod trusts;

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use aws_oidc_wizard::aws::{OidcProvider, Role};
use aws_oidc_wizard::check::{Code, audit};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};
use trusts::{NOW, PROVIDER, arb_trust};

fn role(trust: Value) -> Role {
    Role {
        arn: "arn:aws:iam::123456789012:role/r".into(),
        name: "r".into(),
        path: "/".into(),
        trust_policy: trust,
        trust_ambiguity: Default::default(),
        description: None,
        max_session_duration: 3600,
        permissions_boundary: None,
        tags: vec![],
    }
}

fn allow(condition: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated": PROVIDER}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": condition}]})
}

/// Shapes seen in the wild: the tool's own, GitLab's docs, Terraform modules, tutorials, the
/// hardened and the weak.
fn real_world() -> Vec<(&'static str, Value)> {
    let aud = "https://gitlab.com";
    vec![
        (
            "the tool's own (exact sub)",
            allow(json!({"StringEquals": {"gitlab.com:aud": aud,
            "gitlab.com:sub": "project_path:acme/web:ref_type:branch:ref:main"}})),
        ),
        (
            "GitLab docs (sub only, StringLike)",
            allow(json!({"StringLike": {
            "gitlab.com:sub": "project_path:mygroup/myproject:ref_type:branch:ref:main"}})),
        ),
        (
            "tutorial: aud only",
            allow(json!({"StringEquals": {"gitlab.com:aud": aud}})),
        ),
        (
            "group wildcard",
            allow(json!({"StringEquals": {"gitlab.com:aud": aud},
            "StringLike": {"gitlab.com:sub": "project_path:acme/*"}})),
        ),
        (
            "several projects and refs",
            allow(json!({"StringEquals": {"gitlab.com:aud": aud},
            "StringLike": {"gitlab.com:sub": [
                "project_path:acme/web:ref_type:branch:ref:main",
                "project_path:acme/api:ref_type:branch:ref:release/*",
                "project_path:acme/infra/*:ref_type:tag:ref:v*",
                "project_path:acme/docs:ref_type:branch:ref:*"]}})),
        ),
        (
            "hardened: ids, protected refs",
            allow(json!({"StringEquals": {"gitlab.com:aud": aud,
            "gitlab.com:namespace_id": "4242", "gitlab.com:project_id": "99", "gitlab.com:ref_protected": "true"},
            "StringLike": {"gitlab.com:sub": "project_path:acme/web:ref_type:branch:ref:release/*"}})),
        ),
        (
            "policy variable",
            allow(
                json!({"StringLike": {"gitlab.com:sub": "project_path:${gitlab.com:user_login}/*"}}),
            ),
        ),
        (
            "time window and network",
            allow(json!({"StringEquals": {"gitlab.com:aud": aud},
            "StringLike": {"gitlab.com:sub": "project_path:acme/*"},
            "DateLessThan": {"aws:CurrentTime": "2099-01-01T00:00:00Z"},
            "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}})),
        ),
        (
            "an Allow confined by two Denies",
            json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Federated": PROVIDER}, "Action": "sts:AssumeRoleWithWebIdentity",
             "Condition": {"StringLike": {"gitlab.com:sub": "project_path:*"}}},
            {"Effect": "Deny", "Principal": "*", "Action": "sts:*",
             "Condition": {"StringNotLike": {"gitlab.com:sub": ["project_path:acme/*", "project_path:corp/*"]}}},
            {"Effect": "Deny", "Principal": "*", "Action": "sts:*",
             "Condition": {"StringEquals": {"gitlab.com:ref_protected": "false"}, "StringLike": {"gitlab.com:sub": "*:ref_type:tag:*"}}}]}),
        ),
        (
            "Principal * with a sub",
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": "*", "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"gitlab.com:aud": aud, "gitlab.com:sub": "project_path:acme/web:ref_type:branch:ref:main"}}}]}),
        ),
        (
            "self-managed, ignore case",
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/gitlab.example.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEqualsIgnoreCase": {"gitlab.example.com:sub": "project_path:acme/web:ref_type:branch:ref:main"}}}]}),
        ),
    ]
}

fn providers() -> BTreeMap<String, Option<OidcProvider>> {
    ["gitlab.com", "gitlab.example.com"]
        .into_iter()
        .map(|host| {
            let arn = format!("arn:aws:iam::123456789012:oidc-provider/{host}");
            (
                arn.clone(),
                Some(OidcProvider {
                    arn,
                    url: host.into(),
                    client_ids: vec![format!("https://{host}")],
                    thumbprints: vec![],
                    tags: vec![],
                }),
            )
        })
        .collect()
}

/// The best of three audits of one trust, and whether the analysis was complete.
fn time(trust: &Value, providers: &BTreeMap<String, Option<OidcProvider>>) -> (Duration, bool) {
    let r = role(trust.clone());
    let mut best = Duration::MAX;
    let mut complete = true;
    for _ in 0..3 {
        let started = Instant::now();
        let found = black_box(audit(black_box(&r), providers, &[], NOW));
        best = best.min(started.elapsed());
        complete = !found.iter().any(|f| f.code == Code::AnalysisIncomplete);
    }
    (best, complete)
}

fn report(name: &str, mut times: Vec<(Duration, bool, String)>) {
    times.sort_by_key(|t| t.0);
    let n = times.len();
    let median = times[n / 2].0;
    let worst = &times[n - 1];
    let incomplete = times.iter().filter(|t| !t.1).count();
    println!(
        "{name}: {n} trusts · median {:.3} ms · worst {:.3} ms ({}) · incomplete {incomplete}",
        median.as_secs_f64() * 1e3,
        worst.0.as_secs_f64() * 1e3,
        worst.2
    );
}

fn main() {
    let providers = providers();
    let mut shapes = Vec::new();
    for (name, trust) in real_world() {
        let (t, complete) = time(&trust, &providers);
        println!(
            "  {name}: {:.3} ms{}",
            t.as_secs_f64() * 1e3,
            if complete { "" } else { " (incomplete)" }
        );
        shapes.push((t, complete, name.to_string()));
    }
    report("real-world shapes", shapes);
    let count: usize = std::env::var("AOW_BENCH_TRUSTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let mut runner = TestRunner::deterministic();
    let strategy = arb_trust();
    let mut generated = Vec::new();
    for _ in 0..count {
        let Ok(tree) = strategy.new_tree(&mut runner) else {
            continue;
        };
        let trust = tree.current();
        let (t, complete) = time(&trust, &providers);
        let mut text = trust.to_string();
        text.truncate(160);
        generated.push((t, complete, text));
    }
    report("generated trusts", generated);
}
