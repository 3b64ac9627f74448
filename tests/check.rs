//! `check` against the emulator: a fixture set of bad and good trust policies; each finding is
//! detected, the safe roles have none, and roles that are not GitLab OIDC roles are not listed.

mod common;

use common::{Emulator, block_on};
use serde_json::{Value, json};

const PROVIDER: &str = "arn:aws:iam::123456789012:oidc-provider/gitlab.com";
const SUB: &str = "project_path:acme/web:ref_type:branch:ref:main";

fn trust(condition: Value) -> Value {
    trust_for(PROVIDER, condition)
}

fn trust_for(provider: &str, condition: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": condition}]})
}

fn aud() -> Value {
    json!("https://gitlab.com")
}

/// (role, trust policy, the finding it must produce)
fn fixtures() -> Vec<(&'static str, Value, &'static str)> {
    vec![
        (
            "aud-only",
            trust(json!({"StringEquals": {"gitlab.com:aud": aud()}})),
            "no-sub",
        ),
        (
            "star-sub",
            trust(
                json!({"StringEquals": {"gitlab.com:aud": aud()}, "StringLike": {"gitlab.com:sub": "*"}}),
            ),
            "sub-matches-everything",
        ),
        (
            "group-star",
            trust(
                json!({"StringEquals": {"gitlab.com:aud": aud()}, "StringLike": {"gitlab.com:sub": "project_path:acme/*:ref_type:branch:ref:main"}}),
            ),
            "sub-matches-group",
        ),
        (
            "any-ref",
            trust(
                json!({"StringEquals": {"gitlab.com:aud": aud()}, "StringLike": {"gitlab.com:sub": "project_path:acme/web:ref_type:branch:ref:*"}}),
            ),
            "any-ref-unprotected",
        ),
        (
            "equals-star",
            trust(
                json!({"StringEquals": {"gitlab.com:aud": aud(), "gitlab.com:sub": "project_path:acme/web:ref_type:branch:ref:*"}}),
            ),
            "equals-with-wildcard",
        ),
        (
            "for-all",
            trust(
                json!({"StringEquals": {"gitlab.com:aud": aud()}, "ForAllValues:StringLike": {"gitlab.com:sub": SUB}}),
            ),
            "for-all-values",
        ),
        (
            "scheme-key",
            trust(
                json!({"StringEquals": {"https://gitlab.com:aud": aud(), "gitlab.com:sub": SUB}}),
            ),
            "key-with-scheme",
        ),
        (
            "other-host",
            trust(
                json!({"StringEquals": {"gitlab.com:aud": aud(), "gitlab.com:sub": SUB, "git.example.com:sub": SUB}}),
            ),
            "key-other-host",
        ),
        (
            "environment",
            trust(
                json!({"StringEquals": {"gitlab.com:aud": aud(), "gitlab.com:sub": SUB, "gitlab.com:environment": "production"}}),
            ),
            "unsupported-key",
        ),
        (
            "wrong-aud",
            trust(
                json!({"StringEquals": {"gitlab.com:aud": "sts.amazonaws.com", "gitlab.com:sub": SUB}}),
            ),
            "audience-not-registered",
        ),
        (
            "no-provider",
            trust_for(
                "arn:aws:iam::123456789012:oidc-provider/gitlab.example.com",
                json!({"StringEquals": {"gitlab.example.com:aud": "https://gitlab.example.com", "gitlab.example.com:sub": SUB}}),
            ),
            "provider-missing",
        ),
    ]
}

fn codes(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(|x| x["code"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_finding_is_detected_and_safe_roles_have_none() {
    let emu = Emulator::start();
    // Safe roles, made by the tool: exact, and a protected ref pattern pinned to a project id.
    emu.run(&[
        "apply",
        "--project",
        "acme/web",
        "--role-name",
        "safe-exact",
        "--policy",
        "ReadOnlyAccess",
    ])
    .assert_code(0);
    emu.run(&[
        "apply",
        "--project",
        "acme/web",
        "--ref",
        "release/*",
        "--ref-protected",
        "--project-id",
        "4242",
        "--role-name",
        "safe-pattern",
    ])
    .assert_code(0);
    // An admin policy on an otherwise safe role.
    emu.run(&[
        "apply",
        "--project",
        "acme/ops",
        "--role-name",
        "admin",
        "--policy",
        "AdministratorAccess",
        "--yes",
    ])
    .assert_code(0);
    let iam = emu.iam();
    for (name, doc, _) in fixtures() {
        block_on(
            iam.create_role()
                .role_name(name)
                .assume_role_policy_document(doc.to_string())
                .send(),
        )
        .expect("seed");
    }
    // Not a GitLab OIDC role: not listed by --all.
    let ec2 = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    block_on(
        iam.create_role()
            .role_name("ec2-role")
            .assume_role_policy_document(ec2.to_string())
            .send(),
    )
    .expect("seed");
    emu.reset_calls();

    let run = emu.run(&["check", "--all", "--output", "json"]);
    run.assert_code(1);
    assert!(emu.mutating_calls().is_empty());
    let reports = run.json();
    let by_role = |name: &str| -> Value {
        reports
            .as_array()
            .expect("reports")
            .iter()
            .find(|r| r["role"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} not checked: {reports}"))
    };
    for (name, _, code) in fixtures() {
        let found = codes(&by_role(name));
        assert!(
            found.iter().any(|c| c == code),
            "{name}: expected {code}, got {found:?}"
        );
    }
    assert_eq!(codes(&by_role("admin")), ["admin-policy"]);
    assert!(
        codes(&by_role("safe-exact")).is_empty(),
        "{}",
        by_role("safe-exact")
    );
    assert!(
        codes(&by_role("safe-pattern")).is_empty(),
        "{}",
        by_role("safe-pattern")
    );
    assert!(
        reports
            .as_array()
            .expect("reports")
            .iter()
            .all(|r| r["role"] != "ec2-role")
    );
    // One provider read per provider, not per role.
    let provider_reads = emu
        .calls()
        .iter()
        .filter(|c| c.as_str() == "iam.GetOpenIDConnectProvider")
        .count();
    assert_eq!(provider_reads, 2);

    let one = emu.run(&["check", "--role-name", "safe-exact"]);
    one.assert_code(0);
    assert!(one.stdout.contains("✓ no findings"), "{}", one.stdout);
    let text = emu.run(&["check", "--role-name", "aud-only"]);
    text.assert_code(1);
    assert!(
        text.stdout.contains(
            "critical no-sub: no sub condition: any project on gitlab.com can assume this role"
        ),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("fix:"));
    emu.run(&["check"]).assert_code(2);
}
