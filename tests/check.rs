//! `check` against the emulator: a fixture set of bad and good trust policies in a mixed account;
//! each finding is detected with its severity, the safe shapes have none, and `--all` lists exactly
//! the roles an OIDC token can reach.

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

const OTHER: &str = "arn:aws:iam::123456789012:oidc-provider/git.example.com";
const GITHUB: &str = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

fn allow(principal: Value, condition: Value) -> Value {
    json!({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": condition})
}

fn doc(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// (role, trust policy, the finding it must produce with its severity). Each is a shape the issue
/// "check and explain that evaluate trust policies exactly as IAM does" names.
fn fixtures() -> Vec<(&'static str, Value, &'static str, &'static str)> {
    vec![
        (
            "aud-only",
            trust(json!({"StringEquals": {"gitlab.com:aud": aud()}})),
            "critical",
            "no-sub",
        ),
        (
            "star-sub",
            trust(
                json!({"StringEquals": {"gitlab.com:aud": aud()}, "StringLike": {"gitlab.com:sub": "*"}}),
            ),
            "critical",
            "sub-matches-everything",
        ),
        (
            "qmark-group",
            trust(
                json!({"StringEquals": {"gitlab.com:aud": aud()}, "StringLike": {"gitlab.com:sub": "project_path:acm?/*"}}),
            ),
            "critical",
            "sub-matches-everything",
        ),
        (
            "principal-star",
            doc(vec![allow(
                json!("*"),
                json!({"StringEquals": {"gitlab.com:aud": aud()}}),
            )]),
            "critical",
            "principal-anyone",
        ),
        (
            "second-provider",
            doc(vec![
                allow(
                    json!({"Federated": PROVIDER}),
                    json!({"StringEquals": {"gitlab.com:aud": aud(), "gitlab.com:sub": SUB}}),
                ),
                allow(
                    json!({"Federated": OTHER}),
                    json!({"StringEquals": {"git.example.com:aud": "https://git.example.com"}}),
                ),
            ]),
            "critical",
            "no-sub",
        ),
        (
            "if-exists-env",
            trust(
                json!({"StringEquals": {"gitlab.com:aud": aud()}, "StringEqualsIfExists": {"gitlab.com:environment": "production"}}),
            ),
            "critical",
            "no-sub",
        ),
        (
            "group-star",
            trust(
                json!({"StringEquals": {"gitlab.com:aud": aud()}, "StringLike": {"gitlab.com:sub": "project_path:acme/*:ref_type:branch:ref:main"}}),
            ),
            "high",
            "sub-matches-group",
        ),
        (
            "any-ref",
            trust(
                json!({"StringEquals": {"gitlab.com:aud": aud()}, "StringLike": {"gitlab.com:sub": "project_path:acme/web:ref_type:branch:ref:*"}}),
            ),
            "high",
            "any-ref-unprotected",
        ),
        (
            "equals-star",
            trust(
                json!({"StringEquals": {"gitlab.com:aud": aud(), "gitlab.com:sub": "project_path:acme/web:ref_type:branch:ref:*"}}),
            ),
            "medium",
            "equals-with-wildcard",
        ),
        (
            "for-all",
            trust(
                json!({"StringEquals": {"gitlab.com:aud": aud()}, "ForAllValues:StringLike": {"gitlab.com:sub": SUB}}),
            ),
            "medium",
            "for-all-values",
        ),
        (
            "scheme-key",
            trust(
                json!({"StringEquals": {"https://gitlab.com:aud": aud(), "gitlab.com:sub": SUB}}),
            ),
            "high",
            "dead",
        ),
        (
            "other-host",
            trust(
                json!({"StringEquals": {"gitlab.com:aud": aud(), "gitlab.com:sub": SUB, "git.example.com:sub": SUB}}),
            ),
            "high",
            "key-other-host",
        ),
        (
            "environment",
            trust(
                json!({"StringEquals": {"gitlab.com:aud": aud(), "gitlab.com:sub": SUB, "gitlab.com:environment": "production"}}),
            ),
            "high",
            "unsupported-key",
        ),
        (
            "wrong-aud",
            trust(
                json!({"StringEquals": {"gitlab.com:aud": "sts.amazonaws.com", "gitlab.com:sub": SUB}}),
            ),
            "high",
            "audience-not-registered",
        ),
        (
            "no-provider",
            trust_for(
                "arn:aws:iam::123456789012:oidc-provider/gitlab.example.com",
                json!({"StringEquals": {"gitlab.example.com:aud": "https://gitlab.example.com", "gitlab.example.com:sub": SUB}}),
            ),
            "high",
            "provider-missing",
        ),
        (
            "project-id-pinned",
            trust(
                json!({"StringEquals": {"gitlab.com:aud": aud(), "gitlab.com:project_id": "4242"}}),
            ),
            "high",
            "any-ref-unprotected",
        ),
        (
            "any-ref-of-one-project",
            trust(
                json!({"StringEquals": {"gitlab.com:aud": aud()}, "StringLike": {"gitlab.com:sub": "project_path:acme/web:*"}}),
            ),
            "high",
            "any-ref-unprotected",
        ),
    ]
}

/// Shapes that once raised false alarms: no finding at all.
fn safe_fixtures() -> Vec<(&'static str, Value)> {
    vec![
        (
            "key-case",
            trust(json!({"StringEquals": {"GitLab.com:Aud": aud(), "gitlab.com:Sub": SUB}})),
        ),
        (
            "deny-confined",
            doc(vec![
                allow(
                    json!({"Federated": PROVIDER}),
                    json!({"StringEquals": {"gitlab.com:aud": aud()}}),
                ),
                json!({"Effect": "Deny", "Principal": "*", "Action": "sts:*",
                    "Condition": {"StringNotEquals": {"gitlab.com:sub": SUB}}}),
            ]),
        ),
        (
            "principal-star-confined",
            doc(vec![allow(
                json!("*"),
                json!({"StringEquals": {"gitlab.com:aud": aud(), "gitlab.com:sub": SUB}}),
            )]),
        ),
    ]
}

/// Roles no OIDC token can reach: never listed by `check --all`.
fn unreachable_fixtures() -> Vec<(&'static str, Value)> {
    vec![
        (
            "ec2-role",
            doc(vec![
                json!({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}),
            ]),
        ),
        (
            "saml-role",
            doc(vec![
                json!({"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/corp"},
                "Action": "sts:AssumeRoleWithSAML"}),
            ]),
        ),
        (
            "cross-account",
            doc(vec![
                json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"}, "Action": "sts:AssumeRole"}),
            ]),
        ),
        (
            "any-aws",
            doc(vec![
                json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}),
            ]),
        ),
        (
            "web-identity-denied",
            doc(vec![
                json!({"Effect": "Deny", "Principal": {"Federated": PROVIDER}, "Action": "sts:AssumeRoleWithWebIdentity"}),
            ]),
        ),
    ]
}

/// A report without the times of its counterexamples' tokens (issued at the time of the run).
fn timeless(report: &Value) -> Value {
    let mut out = report.clone();
    for r in out.as_array_mut().into_iter().flatten() {
        for f in r["findings"].as_array_mut().into_iter().flatten() {
            if let Some(claims) = f
                .get_mut("counterexample")
                .and_then(|c| c.get_mut("claims"))
                .and_then(Value::as_object_mut)
            {
                claims.remove("iat");
                claims.remove("exp");
            }
        }
    }
    out
}

/// The codes of a report, without `path-only` (a low hardening finding every trust of paths gets,
/// held on its own below).
fn codes(report: &Value) -> Vec<String> {
    all_codes(report)
        .into_iter()
        .filter(|c| c != "path-only")
        .collect()
}

fn all_codes(report: &Value) -> Vec<String> {
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
    // The second provider and a GitHub one: a mixed account.
    for (url, aud) in [
        ("https://git.example.com", "https://git.example.com"),
        (
            "https://token.actions.githubusercontent.com",
            "sts.amazonaws.com",
        ),
    ] {
        block_on(
            iam.create_open_id_connect_provider()
                .url(url)
                .client_id_list(aud)
                .thumbprint_list("0".repeat(40))
                .send(),
        )
        .expect("seed provider");
    }
    let github = doc(vec![allow(
        json!({"Federated": GITHUB}),
        json!({"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": "repo:acme/web:ref:refs/heads/main"}}),
    )]);
    let seeds: Vec<(&str, Value)> = fixtures()
        .into_iter()
        .map(|(n, d, _, _)| (n, d))
        .chain(safe_fixtures())
        .chain(unreachable_fixtures())
        .chain([("github-role", github)])
        .collect();
    for (name, doc) in &seeds {
        block_on(
            iam.create_role()
                .role_name(*name)
                .assume_role_policy_document(doc.to_string())
                .send(),
        )
        .expect("seed");
    }
    emu.reset_calls();

    let run = emu.run(&["check", "--all", "--offline", "--output", "json"]);
    run.assert_code(4);
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
    for (name, _, severity, code) in fixtures() {
        let report = by_role(name);
        let found: Vec<(String, String)> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                (
                    f["severity"].as_str().unwrap_or_default().to_string(),
                    f["code"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        assert!(
            found.contains(&(severity.to_string(), code.to_string())),
            "{name}: expected {severity} {code}, got {found:?}"
        );
    }
    // Dead, not open: the keys that never match make no critical finding.
    for name in ["scheme-key", "other-host", "environment", "wrong-aud"] {
        let report = by_role(name);
        let severities: Vec<&str> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter_map(|f| f["severity"].as_str())
            .collect();
        assert!(!severities.contains(&"critical"), "{name}: {report}");
        assert!(
            codes(&report).contains(&"dead".to_string()),
            "{name}: {report}"
        );
    }
    // A pinned project id is any ref of that project, not any project; ":*" after a project is
    // any ref, not every project of the group.
    assert_eq!(
        codes(&by_role("project-id-pinned")),
        ["any-ref-unprotected"]
    );
    assert_eq!(
        codes(&by_role("any-ref-of-one-project")),
        ["any-ref-unprotected"]
    );
    for (name, _) in safe_fixtures() {
        assert!(
            codes(&by_role(name)).is_empty(),
            "{name}: {}",
            by_role(name)
        );
    }
    assert_eq!(codes(&by_role("admin")), ["admin-policy"]);
    // Paths without ids on gitlab.com: low, with the token of whoever registers the name again;
    // a project id pin clears it; other issuers have no ids to pin.
    assert_eq!(all_codes(&by_role("safe-exact")), ["path-only"]);
    assert_eq!(
        all_codes(&by_role("project-id-pinned")),
        ["any-ref-unprotected"]
    );
    assert!(all_codes(&by_role("github-role")).is_empty());
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
        codes(&by_role("github-role")).is_empty(),
        "{}",
        by_role("github-role")
    );
    // Exactly the roles an OIDC token can reach, whatever their principal form.
    let mut listed: Vec<&str> = reports
        .as_array()
        .expect("reports")
        .iter()
        .filter_map(|r| r["role"].as_str())
        .collect();
    listed.sort();
    let mut reachable: Vec<&str> = fixtures()
        .iter()
        .map(|f| f.0)
        .chain(safe_fixtures().iter().map(|f| f.0))
        .chain(["safe-exact", "safe-pattern", "admin", "github-role"])
        .collect();
    reachable.sort();
    assert_eq!(listed, reachable);
    // One provider read per provider, not per role.
    let provider_reads = emu
        .calls()
        .iter()
        .filter(|c| c.as_str() == "iam.GetOpenIDConnectProvider")
        .count();
    // gitlab.com, gitlab.example.com (missing), git.example.com, GitHub's.
    assert_eq!(provider_reads, 4);
    // The whole account in one read (with ListRoles beside it for the session lengths), said
    // once on stderr; no per-role read.
    let count = |call: &str| emu.calls().iter().filter(|c| c.as_str() == call).count();
    assert_eq!(count("iam.GetAccountAuthorizationDetails"), 1);
    assert_eq!(count("iam.ListRoles"), 1);
    assert_eq!(count("iam.ListAttachedRolePolicies"), 0);
    assert!(
        run.stderr.contains(&format!(
            "read {} roles with GetAccountAuthorizationDetails",
            seeds.len() + 3
        )),
        "{}",
        run.stderr
    );

    // The caller may not read the account at once, and IAM throttles a burst of the per-role
    // reads (more than the SDK's 3 attempts): the same report, in the same order.
    let proxy = common::proxy::Proxy::start(&emu.endpoint);
    proxy.fault_on(
        "GetAccountAuthorizationDetails",
        1,
        common::proxy::Fault::Status(403, "AccessDenied"),
    );
    proxy.fault_on(
        "ListAttachedRolePolicies",
        12,
        common::proxy::Fault::Status(400, "Throttling"),
    );
    emu.reset_calls();
    let mut cmd = emu.command();
    cmd.env("AWS_ENDPOINT_URL", proxy.url())
        .env("AWS_OIDC_WIZARD_CONCURRENCY", "4")
        .args(["check", "--all", "--offline", "--output", "json"]);
    let slow = common::Run::from(cmd.output().expect("run"));
    slow.assert_code(4);
    assert_eq!(
        timeless(&slow.json()),
        timeless(&run.json()),
        "the same report either way"
    );
    assert!(
        slow.stderr.contains(
            "GetAccountAuthorizationDetails was refused (AccessDenied): reading each role's policies instead, 4 at a time"
        ),
        "{}",
        slow.stderr
    );
    assert_eq!(
        count("iam.ListAttachedRolePolicies"),
        listed.len(),
        "each role read once in the end"
    );
    let aws = emu.run(&["check", "--role-name", "any-aws", "--output", "json"]);
    aws.assert_code(4);
    assert_eq!(codes(&aws.json()[0]), ["any-aws-principal"]);

    let one = emu.run(&["check", "--role-name", "safe-pattern"]);
    one.assert_code(0);
    assert!(one.stdout.contains("✓ no findings"), "{}", one.stdout);
    // A low finding alone is reported and passes the default gate; --fail-on low fails on it.
    let low = emu.run(&["check", "--role-name", "safe-exact"]);
    low.assert_code(0);
    assert!(low.stdout.contains("low      path-only"), "{}", low.stdout);
    emu.run(&["check", "--role-name", "safe-exact", "--fail-on", "low"])
        .assert_code(4);
    let text = emu.run(&["check", "--role-name", "aud-only"]);
    text.assert_code(4);
    assert!(
        text.stdout.contains(
            "critical no-sub: no sub condition: any project on gitlab.com can assume this role"
        ),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("fix:"));
    emu.run(&["check"]).assert_code(2);
    // The same findings in the code hosts' formats: one entry each, valid against the published
    // schemas, with the same fingerprints in the next run.
    let findings: usize = reports
        .as_array()
        .expect("reports")
        .iter()
        .map(|r| r["findings"].as_array().map_or(0, Vec::len))
        .sum();
    let mut fingerprints = Vec::new();
    for format in ["codequality", "sarif", "codequality"] {
        let entries = common::check_report(&emu, &["--all", "--offline"], format);
        assert_eq!(entries.len(), findings, "{format}: {entries:?}");
        if format == "codequality" {
            fingerprints.push(
                entries
                    .iter()
                    .map(|e| e["fingerprint"].clone())
                    .collect::<Vec<_>>(),
            );
        }
    }
    assert_eq!(fingerprints[0], fingerprints[1]);
    assert!(emu.mutating_calls().is_empty());
}

/// A trust policy whose text repeats a key in one object (JSON leaves its meaning open, and IAM
/// does not document which value it keeps: RFC 8259 §4; IAM JSON policy grammar,
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html). Every reading
/// is audited: one that lets an outsider in is critical, with a counterexample `explain` accepts
/// (saying the policy is ambiguous); readings that are all closed are still ambiguous (medium).
#[test]
fn a_trust_that_repeats_a_key_is_audited_every_way() {
    let emu = Emulator::start();
    emu.run(&["apply", "--project", "acme/web", "--role-name", "base"])
        .assert_code(0);
    let main = "project_path:acme/web:ref_type:branch:ref:main";
    let head = format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"Federated": "{PROVIDER}"}}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": "#
    );
    // The last value is exact; the first lets every project in. Repeated at two depths.
    let open_operator = format!(
        r#"{head}{{"StringEquals": {{"gitlab.com:aud": "https://gitlab.com"}}, "StringLike": {{"gitlab.com:sub": "project_path:*"}}, "StringLike": {{"gitlab.com:sub": "{main}"}}}}}}]}}"#
    );
    let open_key = format!(
        r#"{head}{{"StringEquals": {{"gitlab.com:aud": "https://gitlab.com"}}, "StringLike": {{"gitlab.com:sub": "project_path:*:ref_type:branch:ref:main", "gitlab.com:sub": "{main}"}}}}}}]}}"#
    );
    // Two readings, neither open: a Sid said twice.
    let closed = format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Sid": "a", "Sid": "b", "Effect": "Allow", "Principal": {{"Federated": "{PROVIDER}"}}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {{"StringEquals": {{"gitlab.com:aud": "https://gitlab.com", "gitlab.com:sub": "{main}"}}}}}}]}}"#
    );
    let iam = emu.iam();
    for (name, text) in [
        ("dup-open-operator", &open_operator),
        ("dup-open-key", &open_key),
        ("dup-closed", &closed),
    ] {
        block_on(
            iam.create_role()
                .role_name(name)
                .assume_role_policy_document(text.as_str())
                .send(),
        )
        .expect("seed");
    }
    let dir = tempfile::tempdir().expect("dir");
    for name in ["dup-open-operator", "dup-open-key"] {
        let run = emu.run(&["check", "--role-name", name, "--output", "json"]);
        run.assert_code(4);
        let report = &run.json()[0];
        let f = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["code"] == "duplicate-keys-open")
            .unwrap_or_else(|| panic!("{name}: {report}"))
            .clone();
        assert_eq!(f["severity"], "critical", "{name}: {f}");
        let claims = dir.path().join(format!("{name}.json"));
        std::fs::write(&claims, f["counterexample"]["claims"].to_string()).expect("claims");
        let explained = emu.run(&[
            "explain",
            "--role-name",
            name,
            "--claims",
            &claims.display().to_string(),
        ]);
        explained.assert_code(0);
        assert!(
            explained
                .stdout
                .contains("Ambiguous: the trust policy repeats a key")
                && explained.stdout.contains("would refuse this token"),
            "{name}: {}",
            explained.stdout
        );
        let text = emu.run(&["check", "--role-name", name]);
        assert!(
            text.stdout.contains("gets in with:") || text.stdout.contains("duplicate-keys-open"),
            "{}",
            text.stdout
        );
    }
    let run = emu.run(&["check", "--role-name", "dup-closed", "--output", "json"]);
    let report = &run.json()[0];
    let found: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default(),
                f["severity"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert!(found.contains(&("duplicate-keys", "medium")), "{report}");
    assert!(!found.iter().any(|(_, s)| *s == "critical"), "{report}");
    run.assert_code(4);
    emu.run(&["check", "--role-name", "dup-closed", "--fail-on", "high"])
        .assert_code(0);
}

/// A trust policy the parser cannot read (JSON nested deeper than it goes; IAM's own limits
/// are not documented to forbid it) is a role whose trust is unknown: `check --all` lists it as
/// `analysis-incomplete` and audits the others, `explain` gives no verdict. Before, the whole audit
/// failed.
#[test]
fn a_trust_that_cannot_be_read_is_unknown_not_fatal() {
    let emu = Emulator::start();
    let iam = emu.iam();
    let deep = format!("{}\"x\"{}", "[".repeat(200), "]".repeat(200));
    let doc = format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"Federated": "arn:aws:iam::123456789012:oidc-provider/gitlab.com"}}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {{"StringLike": {{"gitlab.com:sub": {deep}}}}}}}]}}"#
    );
    common::block_on(
        iam.create_role()
            .role_name("deep")
            .assume_role_policy_document(doc)
            .send(),
    )
    .expect("seed");
    emu.run(&[
        "apply",
        "--project",
        "acme/web",
        "--role-name",
        "web",
        "--policy",
        "ReadOnlyAccess",
        "--no-pin-namespace-ids",
    ])
    .assert_code(0);
    let run = emu.run(&["check", "--all", "--output", "json"]);
    let report = run.json();
    let roles = report["roles"]
        .as_array()
        .or(report.as_array())
        .cloned()
        .unwrap_or_default();
    let deep = roles
        .iter()
        .find(|r| r["role"] == "deep")
        .unwrap_or_else(|| panic!("the unreadable role is listed: {report}"));
    assert_eq!(deep["findings"][0]["code"], "analysis-incomplete", "{deep}");
    assert!(
        roles.iter().any(|r| r["role"] == "web"),
        "the others are audited: {report}"
    );
    let dir = tempfile::tempdir().expect("dir");
    let claims = common::claims_file(dir.path(), "acme/web", "main", true);
    let explained = emu.run(&["explain", "--role-name", "deep", "--claims", &claims]);
    assert_eq!(explained.code, 1, "{}", explained.stderr);
    assert!(
        explained.stderr.contains("could not be read"),
        "{}",
        explained.stderr
    );
    assert!(
        !explained.stdout.contains("Verdict"),
        "{}",
        explained.stdout
    );
}

/// Every finding code, in each shape of place (a role of the account, of an Organization's
/// account, of a file), written in both formats and checked against the published schemas; names
/// with quotes, controls and non-ASCII stay valid JSON.
#[test]
fn every_finding_code_passes_the_published_report_schemas() {
    use aws_oidc_wizard::check::report::{Entry, codequality, sarif};
    use aws_oidc_wizard::check::{Code, Finding, RoleReport, Source};
    let findings: Vec<Finding> = Code::ALL
        .iter()
        .map(|c| Finding {
            severity: c.severity(),
            code: *c,
            message: format!("{} \"quoted\" \u{1b}[31m ✓", c.meaning()),
            fix: "fix it\n\there".into(),
            counterexample: None,
        })
        .collect();
    let role = |source: Option<Source>| RoleReport {
        role: "gitlab+=,.@_-web".into(),
        arn: "arn:aws:iam::123456789012:role/ci/gitlab+=,.@_-web".into(),
        provider: None,
        findings: findings.clone(),
        source,
    };
    let aws = role(None);
    let file = role(Some(Source {
        path: "infra/a b#c/trust.json".into(),
        line: 12,
        resource: "aws_iam_role.gitlab[\"web\"]".into(),
        statements: vec![12, 20],
    }));
    let entries = [
        Entry {
            account: None,
            report: &aws,
        },
        Entry {
            account: Some("210000000003"),
            report: &aws,
        },
        Entry {
            account: None,
            report: &file,
        },
    ];
    let dir = tempfile::tempdir().expect("dir");
    for demo in [false, true] {
        for (name, schema, value) in [
            (
                "cq.json",
                "codequality-report.json",
                codequality(&entries, demo),
            ),
            (
                "sarif.json",
                "sarif-schema-2.1.0.json",
                sarif(&entries, demo),
            ),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, value.to_string()).expect("write");
            common::assert_valid(schema, &path);
        }
    }
    // The schemas can refuse: a severity off GitLab's scale, a SARIF level that is none.
    let bad = dir.path().join("bad.json");
    let mut cq = codequality(&entries, false);
    cq[0]["severity"] = "high".into();
    std::fs::write(&bad, cq.to_string()).expect("write");
    assert!(!common::schema_check("codequality-report.json", &bad).0);
    let mut s = sarif(&entries, false);
    s["runs"][0]["results"][0]["level"] = "critical".into();
    std::fs::write(&bad, s.to_string()).expect("write");
    assert!(!common::schema_check("sarif-schema-2.1.0.json", &bad).0);
}

/// Files are audited before apply with no AWS at all (no credentials, an endpoint nothing
/// answers on): a trust file's finding at its statement's line, a trust not known before apply
/// is exit 1 whatever --fail-on says, and a file that cannot be read is exit 2 in one line.
#[test]
fn files_are_audited_before_apply_without_aws() {
    let dir = tempfile::tempdir().expect("dir");
    let open = dir.path().join("open trust.json");
    std::fs::write(
        &open,
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Principal\": {\"Federated\": \"arn:aws:iam::123456789012:oidc-provider/gitlab.com\"},\n      \"Action\": \"sts:AssumeRoleWithWebIdentity\",\n      \"Condition\": {\"StringEquals\": {\"gitlab.com:aud\": \"https://gitlab.com\"}}\n    }\n  ]\n}\n",
    )
    .expect("write");
    let template = dir.path().join("template.yaml");
    std::fs::write(
        &template,
        "Parameters:\n  Host:\n    Type: String\nResources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Principal:\n              Federated: !Sub \"arn:aws:iam::${AWS::AccountId}:oidc-provider/${Host}\"\n            Action: sts:AssumeRoleWithWebIdentity\n",
    )
    .expect("write");
    let run = |args: &[&str]| -> common::Run {
        std::process::Command::new(common::BIN)
            .args(args)
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_PROFILE")
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
            .output()
            .expect("run")
            .into()
    };
    let path = open.to_str().expect("path");
    let text = run(&["check", "--trust-file", path]);
    assert_eq!(text.code, 4, "{}{}", text.stdout, text.stderr);
    assert!(text.stdout.contains("no-sub"), "{}", text.stdout);
    let cq = run(&["check", "--trust-file", path, "--output", "codequality"]);
    assert_eq!(cq.code, 4, "{}", cq.stderr);
    let report: Value = serde_json::from_str(&cq.stdout).expect("json");
    assert_eq!(report[0]["location"]["path"], path);
    assert_eq!(
        report[0]["location"]["lines"]["begin"], 4,
        "the statement's line"
    );
    let file = dir.path().join("cq.json");
    std::fs::write(&file, &cq.stdout).expect("write");
    common::assert_valid("codequality-report.json", &file);

    let unknown = run(&[
        "check",
        "--cloudformation",
        template.to_str().expect("path"),
        "--fail-on",
        "critical",
    ]);
    assert_eq!(unknown.code, 1, "{}{}", unknown.stdout, unknown.stderr);
    assert!(
        unknown.stdout.contains("trust-unknown"),
        "{}",
        unknown.stdout
    );
    assert!(
        unknown.stderr.contains("not known before apply") && unknown.stderr.contains("Role"),
        "{}",
        unknown.stderr
    );

    for bad in [
        vec!["check", "--trust-file", "/nonexistent/trust.json"],
        vec!["check", "--terraform-plan", path],
        vec!["check", "--trust-file", path, "--all"],
        vec!["check", "--cloudformation", path, "--role-name", "r"],
    ] {
        let r = run(&bad);
        assert_eq!(r.code, 2, "{bad:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{bad:?}: {}", r.stdout);
    }
    let missing = run(&["check", "--trust-file", "/nonexistent/trust.json"]);
    assert_eq!(missing.stderr.lines().count(), 1, "{}", missing.stderr);
}

/// `--quiet` leaves the result, warnings and errors; `--verbose` adds each AWS request with its
/// answer, and never the SDK's own output; the wizard takes neither.
#[test]
fn quiet_and_verbose_say_less_and_more() {
    let emu = Emulator::start();
    emu.run(&["apply", "--project", "acme/web", "--role-name", "web"])
        .assert_code(0);
    let normal = emu.run(&["check", "--all", "--offline"]);
    let quiet = emu.run(&["--quiet", "check", "--all", "--offline"]);
    emu.reset_calls();
    let verbose = emu.run(&["check", "--all", "--offline", "-v"]);
    let sent = emu.calls().len();
    assert_eq!(normal.code, quiet.code);
    assert_eq!(normal.stdout, quiet.stdout, "the result is the same");
    assert_eq!(normal.stdout, verbose.stdout);
    assert!(
        normal.stderr.contains("GetAccountAuthorizationDetails"),
        "{}",
        normal.stderr
    );
    assert_eq!(quiet.stderr, "", "nothing but warnings and errors");
    let requests: Vec<&str> = verbose
        .stderr
        .lines()
        .filter(|l| l.starts_with("aws: "))
        .collect();
    assert!(
        requests
            .iter()
            .any(|l| l.starts_with("aws: iam.GetAccountAuthorizationDetails → HTTP 200 in ")),
        "{}",
        verbose.stderr
    );
    // Each request said once, and nothing of the SDK's own (no headers, no signatures).
    assert_eq!(requests.len(), sent, "{}", verbose.stderr);
    for secret in ["AWS4-HMAC-SHA256", "x-amz-", "Credential=", "test-secret"] {
        assert!(
            !verbose.stderr.contains(secret),
            "{secret}: {}",
            verbose.stderr
        );
    }
    // A change: with --quiet, the ARN on stdout and nothing on stderr.
    let applied = emu.run(&["-q", "apply", "--project", "acme/api", "--role-name", "api"]);
    applied.assert_code(0);
    assert_eq!(applied.stdout, "arn:aws:iam::123456789012:role/api\n");
    // (The emulator's GitLab shows no namespace: the weaker trust is a warning, which stays.)
    assert!(
        applied.stderr.lines().all(|l| l.starts_with("warning: ")),
        "{}",
        applied.stderr
    );
    for bad in [&["--quiet"][..], &["-v"], &["-q", "-v", "check", "--all"]] {
        let r = emu.run(bad);
        assert_eq!(r.code, 2, "{bad:?}: {}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "{bad:?}: {}", r.stderr);
    }
}
