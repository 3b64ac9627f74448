//! `explain` against the emulator: a role set up by `apply`, then claims and tokens checked against
//! it with two read-only calls.

mod common;

use std::io::Write;
use std::process::Stdio;

use base64::Engine as _;
use common::Emulator;
use serde_json::{Value, json};

const ROLE: &str = "gitlab-acme-web";

fn setup(emu: &Emulator) {
    emu.run(&[
        "apply",
        "--project",
        "acme/web",
        "--ref",
        "main",
        "--role-name",
        ROLE,
    ])
    .assert_code(0);
    emu.reset_calls();
}

fn claims_file(dir: &tempfile::TempDir, claims: &Value) -> String {
    let path = dir.path().join("claims.json");
    std::fs::write(&path, claims.to_string()).expect("write claims");
    path.display().to_string()
}

fn claims(reference: &str, aud: &str) -> Value {
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
        + 600;
    json!({
        "iss": "https://gitlab.com",
        "aud": aud,
        "sub": format!("project_path:acme/web:ref_type:branch:ref:{reference}"),
        "project_path": "acme/web",
        "ref": reference,
        "exp": exp
    })
}

#[test]
fn a_matching_token_passes_and_a_feature_branch_is_explained() {
    let emu = Emulator::start();
    setup(&emu);
    let dir = tempfile::tempdir().expect("dir");

    let ok = emu.run(&[
        "explain",
        "--role-name",
        ROLE,
        "--claims",
        &claims_file(&dir, &claims("main", "https://gitlab.com")),
    ]);
    ok.assert_code(0);
    assert!(
        ok.stdout.contains("Verdict: AWS would accept"),
        "{}",
        ok.stdout
    );
    assert!(ok.stdout.contains("NOT verified"));
    assert_eq!(emu.calls(), ["iam.GetRole", "iam.GetOpenIDConnectProvider"]);

    let refused = emu.run(&[
        "explain",
        "--role-name",
        ROLE,
        "--claims",
        &claims_file(&dir, &claims("feature", "https://gitlab.com")),
    ]);
    refused.assert_code(4);
    assert!(
        refused.stdout.contains("✗ StringEquals gitlab.com:sub: the token says \"project_path:acme/web:ref_type:branch:ref:feature\"; it would have to be \"project_path:acme/web:ref_type:branch:ref:main\""),
        "{}",
        refused.stdout
    );
    assert!(refused.stdout.contains("Verdict: AWS would refuse"));

    let json = emu.run(&[
        "explain",
        "--role-name",
        ROLE,
        "--output",
        "json",
        "--claims",
        &claims_file(&dir, &claims("main", "sts.amazonaws.com")),
    ]);
    json.assert_code(4);
    let v = json.json();
    assert_eq!(v["allowed"], false);
    assert_eq!(v["signature_verified"], false);
    let aud = v["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == "aud")
        .expect("aud check")
        .clone();
    assert_eq!(aud["passed"], false);
    assert!(emu.mutating_calls().is_empty());
}

#[test]
fn a_token_on_stdin_is_decoded_and_never_echoed() {
    let emu = Emulator::start();
    setup(&emu);
    let enc = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let token = format!(
        "{}.{}.c2lnbmF0dXJl",
        enc(&json!({"alg": "RS256", "kid": "k"})),
        enc(&claims("main", "https://gitlab.com"))
    );
    let mut child = emu
        .command()
        .args(["explain", "--role-name", ROLE, "--token", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{token}\n").as_bytes())
        .expect("write");
    let run = common::Run::from(child.wait_with_output().expect("wait"));
    run.assert_code(0);
    assert!(!run.stdout.contains(&token) && !run.stderr.contains(&token));
    assert!(!run.stdout.contains("c2lnbmF0dXJl"));

    let bad = emu.run(&["explain", "--role-name", ROLE, "--token", "not-a-jwt"]);
    bad.assert_code(2);
    assert!(!bad.stderr.contains("not-a-jwt"), "{}", bad.stderr);
    assert_eq!(bad.stderr.lines().count(), 1);
}

#[test]
fn a_missing_role_is_a_clear_error() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("dir");
    let run = emu.run(&[
        "explain",
        "--role-name",
        "nope",
        "--claims",
        &claims_file(&dir, &claims("main", "x")),
    ]);
    run.assert_code(1);
    assert!(
        run.stderr.contains("role nope does not exist"),
        "{}",
        run.stderr
    );
    let usage = emu.run(&["explain", "--role-name", "nope"]);
    usage.assert_code(2);
}

/// Nothing from the account reaches the terminal raw: a trust policy whose keys, effect and
/// operators hold escape sequences, control characters and a right-to-left override is explained
/// with each of them written as an escape.
#[test]
fn hostile_bytes_in_a_policy_are_escaped_in_the_text() {
    let emu = Emulator::start();
    setup(&emu);
    let provider = "arn:aws:iam::123456789012:oidc-provider/gitlab.com";
    let doc = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Federated": provider},
         "Action": "sts:AssumeRoleWithWebIdentity",
         "Condition": {"StringEquals": {"gitlab.com:\u{1b}[31msub": "x\u{7}\u{9b}2J",
             "gitlab.com:aud": "https://gitlab.com\u{202e}"}}},
        {"Effect": "Al\u{1b}]0;pwned\u{7}low", "Principal": {"Federated": provider},
         "Action": "sts:AssumeRoleWithWebIdentity",
         "Condition": {"Str\u{1b}[2JingEquals": {"gitlab.com:sub": "y"}}}]});
    common::block_on(
        emu.iam()
            .create_role()
            .role_name("hostile")
            .assume_role_policy_document(doc.to_string())
            .send(),
    )
    .expect("seed");
    let dir = tempfile::tempdir().expect("dir");
    let run = emu.run(&[
        "explain",
        "--role-name",
        "hostile",
        "--claims",
        &claims_file(&dir, &claims("main", "https://gitlab.com")),
    ]);
    assert!(run.stdout.contains("Verdict:"), "{}", run.stdout);
    let raw: Vec<char> = run
        .stdout
        .chars()
        .filter(|c| (c.is_control() && *c != '\n') || *c == '\u{202e}')
        .collect();
    assert!(raw.is_empty(), "raw {raw:?} in {}", run.stdout);
    assert!(run.stdout.contains("\\u{1b}"), "{}", run.stdout);
}
