//! Benchmarks of `check`'s audit of one role: the probe asks the IAM evaluator about the tokens an
//! outsider, a colleague and a developer could bring. Run with `cargo bench --bench check`.

use std::collections::BTreeMap;
use std::hint::black_box;

use aws_oidc_wizard::aws::{OidcProvider, Role};
use aws_oidc_wizard::check::audit;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

const PROVIDER: &str = "arn:aws:iam::123456789012:oidc-provider/gitlab.com";

fn role(condition: Value, deny: Option<Value>) -> Role {
    let mut statements = vec![
        json!({"Effect": "Allow", "Principal": {"Federated": PROVIDER},
        "Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition}),
    ];
    statements.extend(deny);
    Role {
        arn: "arn:aws:iam::123456789012:role/r".into(),
        name: "r".into(),
        path: "/".into(),
        trust_policy: json!({"Version": "2012-10-17", "Statement": statements}),
        trust_ambiguity: Default::default(),
        description: None,
        max_session_duration: 3600,
        permissions_boundary: None,
        tags: vec![],
    }
}

fn bench(c: &mut Criterion) {
    let providers = BTreeMap::from([(
        PROVIDER.to_string(),
        Some(OidcProvider {
            arn: PROVIDER.into(),
            url: "gitlab.com".into(),
            client_ids: vec!["https://gitlab.com".into()],
            thumbprints: vec![],
            tags: vec![],
        }),
    )]);
    let aud = "https://gitlab.com";
    let cases = [
        (
            "exact sub (the generator's)",
            role(
                json!({"StringEquals": {"gitlab.com:aud": aud, "gitlab.com:sub": "project_path:acme/web:ref_type:branch:ref:main"}}),
                None,
            ),
        ),
        (
            "aud only (critical)",
            role(json!({"StringEquals": {"gitlab.com:aud": aud}}), None),
        ),
        (
            "protected ref pattern pinned to an id",
            role(
                json!({"StringEquals": {"gitlab.com:aud": aud, "gitlab.com:ref_protected": "true", "gitlab.com:project_id": "4242"},
                    "StringLike": {"gitlab.com:sub": "project_path:acme/web:ref_type:branch:ref:release/*"}}),
                None,
            ),
        ),
        (
            "two wildcards and a confining Deny (worst)",
            role(
                json!({"StringEquals": {"gitlab.com:aud": aud}, "StringLike": {"gitlab.com:sub": "project_path:acme/*:ref_type:*:ref:main"}}),
                Some(
                    json!({"Effect": "Deny", "Principal": "*", "Action": "sts:*", "Condition": {"StringNotLike": {"gitlab.com:sub": "project_path:acme/web:*"}}}),
                ),
            ),
        ),
    ];
    for (name, r) in &cases {
        c.bench_function(&format!("audit: {name}"), |b| {
            b.iter(|| audit(black_box(r), &providers, &[], 1_800_000_000))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
