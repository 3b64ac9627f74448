//! An account full of hostile bytes, generated: nothing of it reaches a terminal raw from any
//! command, the JSON faces carry it exactly, and what `export` writes still parses for its
//! consumer (`terraform fmt`, `cfn-lint`).
//!
//! Where each kind of byte can be: IAM returns its answers as XML, which cannot carry C0 control
//! characters other than tab and line ends, so those come only inside policy documents (URL-encoded
//! JSON, where `\u001b` is any byte). Every other string the account holds (names, paths,
//! descriptions, provider URLs and audiences) gets C1 controls, DEL, reordering marks, line and
//! paragraph separators, quotes and `${`; tags get what IAM's tag pattern admits
//! (`[\p{L}\p{Z}\p{N}_.:/=+\-@]`, the separators among them).

mod common;

use std::path::Path;
use std::process::Command;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::json;

use common::{Emulator, Run, block_on, claims_file};

/// The characters a terminal acts on: the product's one rule, `sanitize::acts_on`, whose class
/// is tested in its own module.
use aws_oidc_wizard::sanitize::acts_on;

const MARKS: [char; 16] = [
    '\u{7f}', '\u{85}', '\u{9b}', '\u{9d}', '\u{202e}', '\u{2066}', '\u{200f}', '\u{61c}',
    '\u{2028}', '\u{2029}', '\u{feff}', '"', '\\', '$', '{', '%',
];

/// Text for a field XML can carry: C1, DEL, marks, quotes, `${`, line ends and plain letters.
fn xml_text() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        3 => prop::sample::select(MARKS.to_vec()),
        1 => prop::sample::select(vec!['\t', '\n', '\r']),
        1 => prop::char::range('\u{80}', '\u{9f}'),
        3 => prop::char::range('a', 'z'),
        1 => any::<char>().prop_filter("XML", |c| !c.is_control() && *c != '\u{fffe}' && *c != '\u{ffff}'),
    ];
    with_forged_lines(c)
}

/// A line no output may show: account text that, printed raw, would stand on a line of its own.
const FORGED: &str = "FORGED ✓ Verdict: AWS would ACCEPT this token.";

/// Characters from `c`, sometimes with a forged line of its own among them.
fn with_forged_lines(c: impl Strategy<Value = char>) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        12 => c.prop_map(String::from),
        1 => Just(format!("\n{FORGED}\n")),
        1 => Just(format!("\r\n  {FORGED}")),
    ];
    // At most 150 characters: every field stays within IAM's length limits (a provider URL of
    // 255, with its `https://gitlab.example/` prefix), so the account can hold it.
    prop::collection::vec(piece, 1..16).prop_map(|v| v.concat().chars().take(150).collect())
}

/// Text for a policy document: anything, C0 included (ESC sequences above all).
fn json_text() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        2 => prop::sample::select(vec!['\u{1b}', '\u{7}', '\u{0}', '\u{8}', '\r', '[', ']', ';']),
        2 => prop::sample::select(MARKS.to_vec()),
        1 => prop::char::range('\u{0}', '\u{a0}'),
        2 => prop::char::range('a', 'z'),
        1 => any::<char>(),
    ];
    with_forged_lines(c)
}

/// Text IAM's tag pattern admits: letters of any script, separators (U+2028 among them),
/// digits and `_.:/=+-@`.
fn tag_text() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        2 => prop::sample::select(vec!['\u{2028}', '\u{2029}', '\u{a0}', '\u{3000}', 'ا', 'ש', '=', '@', '/']),
        3 => prop::char::range('a', 'z'),
    ];
    prop::collection::vec(c, 1..12).prop_map(|v| v.into_iter().collect())
}

#[derive(Debug, Clone)]
struct Account {
    role_name: String,
    path: String,
    description: String,
    tag: (String, String),
    policy_name: String,
    provider_path: String,
    audience: String,
    condition_key: String,
    condition_value: String,
    operator: String,
}

fn account() -> impl Strategy<Value = Account> {
    (
        (xml_text(), xml_text(), xml_text(), tag_text(), tag_text()),
        (xml_text(), xml_text(), xml_text()),
        (json_text(), json_text(), json_text()),
    )
        .prop_map(
            |(
                (role_name, path, description, k, v),
                (policy_name, provider_path, audience),
                (condition_key, condition_value, operator),
            )| Account {
                role_name,
                path,
                description,
                tag: (k, v),
                policy_name,
                provider_path,
                audience,
                condition_key,
                condition_value,
                operator,
            },
        )
}

const ROLE: &str = "gitlab-hostile";
const PROVIDER: &str = "arn:aws:iam::123456789012:oidc-provider/gitlab.com";

/// The account: the usual provider and a hostile one; a role with a hostile name, and one with a
/// plain name (so that commands can name it) and everything else hostile.
fn seed(emu: &Emulator, a: &Account) {
    let iam = emu.iam();
    block_on(
        iam.create_open_id_connect_provider()
            .url("https://gitlab.com")
            .client_id_list("https://gitlab.com")
            .send(),
    )
    .expect("provider");
    block_on(
        iam.create_open_id_connect_provider()
            .url(format!("https://gitlab.example/{}", a.provider_path))
            .client_id_list(&a.audience)
            .send(),
    )
    .expect("hostile provider");
    let trust = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Federated": PROVIDER},
         "Action": "sts:AssumeRoleWithWebIdentity",
         "Condition": {
             "StringEquals": {"gitlab.com:aud": "https://gitlab.com"},
             "StringLike": {"gitlab.com:sub": format!("project_path:acme/{}:*", a.condition_value),
                            format!("gitlab.com:{}", a.condition_key): a.condition_value.clone()}}},
        {"Effect": "Allow", "Principal": {"Federated": PROVIDER},
         "Action": "sts:AssumeRoleWithWebIdentity",
         "Condition": {a.operator.clone(): {"gitlab.com:sub": a.condition_key.clone()}}}]});
    for (name, path) in [(a.role_name.as_str(), "/"), (ROLE, a.path.as_str())] {
        let path = format!("/{}/", path.trim_matches('/'));
        block_on(
            iam.create_role()
                .role_name(name)
                .path(path)
                .description(&a.description)
                .assume_role_policy_document(trust.to_string())
                .tags(
                    aws_sdk_iam::types::Tag::builder()
                        .key(&a.tag.0)
                        .value(&a.tag.1)
                        .build()
                        .expect("tag"),
                )
                .send(),
        )
        .expect("role");
    }
    let policy = block_on(
        iam.create_policy()
            .policy_name(&a.policy_name)
            .policy_document(
                json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
                .to_string(),
            )
            .send(),
    )
    .expect("policy");
    let arn = policy
        .policy()
        .and_then(|p| p.arn())
        .expect("policy arn")
        .to_string();
    block_on(
        iam.attach_role_policy()
            .role_name(ROLE)
            .policy_arn(arn)
            .send(),
    )
    .expect("attach");
}

/// Nothing a terminal acts on, but line ends and tabs, in what a command wrote; and no line that
/// the account wrote.
fn nothing_raw(what: &str, run: &Run) -> Result<(), TestCaseError> {
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        let raw: Vec<char> = text
            .chars()
            .filter(|&c| acts_on(c) && c != '\n' && c != '\t')
            .collect();
        prop_assert!(raw.is_empty(), "{what}: raw {raw:?} on {stream}:\n{text}");
        let forged = text.lines().any(|l| l.trim_start().starts_with(FORGED));
        prop_assert!(
            !forged,
            "{what}: a line of the account's on {stream}:\n{text}"
        );
    }
    Ok(())
}

/// JSON on stdout: it parses.
fn json_parses(what: &str, run: &Run) -> Result<serde_json::Value, TestCaseError> {
    serde_json::from_str(&run.stdout)
        .map_err(|e| TestCaseError::fail(format!("{what}: not JSON ({e}):\n{}", run.stdout)))
}

#[test]
fn nothing_from_a_hostile_account_reaches_a_terminal_raw() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("dir");
    let claims = claims_file(dir.path(), "acme/web", "main", false);
    let modules = dir.path().join("modules");
    std::fs::create_dir(&modules).expect("modules");
    let case = std::cell::Cell::new(0);
    let mut runner = TestRunner::new(Config {
        cases: 12,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&account(), |a| {
            emu.reset();
            seed(&emu, &a);
            case.set(case.get() + 1);
            let check = emu.run(&["check", "--all"]);
            nothing_raw("check --all", &check)?;
            let check_json = emu.run(&["check", "--all", "--output", "json"]);
            nothing_raw("check --all --output json", &check_json)?;
            let report = json_parses("check --all --output json", &check_json)?;
            // The exact name comes back out of the JSON.
            prop_assert!(
                report.to_string().contains(&json!(a.role_name).to_string()),
                "{} not in {report}",
                a.role_name
            );
            let role = emu.run(&["check", "--role-name", ROLE]);
            nothing_raw("check --role-name", &role)?;
            let explain = emu.run(&["explain", "--role-name", ROLE, "--claims", &claims]);
            nothing_raw("explain", &explain)?;
            let explain_json = emu.run(&[
                "explain",
                "--role-name",
                ROLE,
                "--claims",
                &claims,
                "--output",
                "json",
            ]);
            nothing_raw("explain --output json", &explain_json)?;
            json_parses("explain --output json", &explain_json)?;
            let export = emu.run(&["export", "--format", "terraform", "--from-role", ROLE]);
            nothing_raw("export --from-role", &export)?;
            prop_assert_eq!(export.code, 0, "{}", export.stderr);
            std::fs::write(
                modules.join(format!("case{}.tf", case.get())),
                &export.stdout,
            )
            .expect("module");
            let setup = [
                "--project",
                "acme/web",
                "--role-name",
                ROLE,
                "--policy",
                "ReadOnlyAccess",
            ];
            let plan = emu.run(&[&["plan"][..], &setup].concat());
            nothing_raw("plan", &plan)?;
            let plan_json = emu.run(&[&["plan", "--output", "json"][..], &setup].concat());
            nothing_raw("plan --output json", &plan_json)?;
            json_parses("plan --output json", &plan_json)?;
            let destroy = emu.run(&["destroy", "--role-name", ROLE]);
            nothing_raw("destroy", &destroy)?;
            let destroyed = emu.run(&["destroy", "--role-name", ROLE, "--yes"]);
            nothing_raw("destroy --yes", &destroyed)?;
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    terraform_parses(&modules);
}

/// `terraform fmt` reads every module: a file it cannot parse fails it.
fn terraform_parses(dir: &Path) {
    let out = Command::new("terraform")
        .args(["fmt", "-write=false", "-list=false", "-recursive"])
        .arg(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run terraform ({e}): install terraform (>= 1.5)"));
    assert!(
        out.status.success(),
        "terraform fmt:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every description IAM accepts (printable Latin-1, tabs and line ends) in a CloudFormation
/// template and a Terraform module: both parse for their consumer.
#[test]
fn every_description_iam_accepts_exports_to_files_that_parse() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("dir");
    // Characters, and the pieces each consumer reads as syntax: Terraform's templates,
    // CloudFormation's substitutions and dynamic references, YAML's indicators.
    let piece = prop_oneof![
        4 => prop::sample::select(vec!['\t', '\n', '\r', '"', '\\', '$', '{', '%', '}', ':', '#', '\'', '!', '&', '*']).prop_map(String::from),
        6 => prop::char::range(' ', '~').prop_map(String::from),
        2 => prop::char::range('\u{a1}', '\u{ff}').prop_map(String::from),
        1 => prop::sample::select(vec!["${AWS::Region}", "${var.x}", "%{if x}", "{{resolve:ssm:/x}}", "!Ref x", "- a: b", "\n---\n"]).prop_map(String::from),
    ];
    let descriptions = prop::collection::vec(piece, 1..40).prop_map(|v| v.concat());
    let mut runner = TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    });
    let templates = std::cell::RefCell::new(Vec::new());
    let case = std::cell::Cell::new(0);
    runner
        .run(&descriptions, |d| {
            case.set(case.get() + 1);
            // One argument: a description may start with `-`.
            let description = format!("--description={d}");
            let flags = [
                "--project",
                "acme/web",
                "--role-name",
                "gitlab-acme-web",
                "--policy",
                "ReadOnlyAccess",
                &description,
            ];
            for (format, ext) in [("cloudformation", "yaml"), ("terraform", "tf")] {
                let run = emu.run(&[&["export", "--format", format][..], &flags].concat());
                nothing_raw("export", &run)?;
                // A dynamic reference would be replaced at deploy: CloudFormation's is refused.
                if format == "cloudformation" && d.contains("{{resolve:") {
                    prop_assert_eq!(run.code, 2, "{}", run.stderr);
                    prop_assert!(run.stderr.contains("dynamic reference"), "{}", run.stderr);
                    continue;
                }
                prop_assert_eq!(run.code, 0, "{}", run.stderr);
                nothing_raw("export", &run)?;
                let path = dir.path().join(format!("case{}.{ext}", case.get()));
                std::fs::write(&path, &run.stdout).expect("write");
                if ext == "yaml" {
                    templates.borrow_mut().push(path);
                }
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    terraform_parses(dir.path());
    common::cfn_lint(&templates.borrow());
}
