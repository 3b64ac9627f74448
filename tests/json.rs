//! `--output json`: every command prints one envelope (`schema_version`, `command`, and `result`
//! or `error`), and each result has the shape docs/json.md shows. The page's examples are the
//! reference: a key the code adds or drops without the page fails here.

mod common;

use std::collections::BTreeMap;

use common::{Emulator, Run};
use serde_json::Value;

/// The page's example envelope per section (`## plan` …).
fn documented() -> BTreeMap<String, Value> {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/json.md"))
        .expect("docs/json.md");
    let mut out = BTreeMap::new();
    let mut section = None;
    let mut block: Option<String> = None;
    for line in page.lines() {
        if let Some(name) = line.strip_prefix("## ") {
            section = Some(name.trim().to_string());
        } else if line == "```json" {
            block = Some(String::new());
        } else if line == "```" {
            if let (Some(text), Some(name)) = (block.take(), section.clone())
                && !out.contains_key(&name)
            {
                let v: Value = serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("docs/json.md, {name}: not JSON ({e})"));
                out.insert(name, v);
            }
        } else if let Some(b) = block.as_mut() {
            b.push_str(line);
            b.push('\n');
        }
    }
    out
}

/// Where `actual` and `documented` differ in shape: keys of objects, the first item of lists.
/// A `null` or an empty list on either side is a value that may be absent, so it matches.
fn differences(path: &str, actual: &Value, documented: &Value, out: &mut Vec<String>) {
    match (actual, documented) {
        (Value::Null, _) | (_, Value::Null) => {}
        (Value::Object(a), Value::Object(d)) => {
            for k in a.keys().filter(|k| !d.contains_key(*k)) {
                out.push(format!("{path}.{k}: printed, not on the page"));
            }
            for k in d.keys().filter(|k| !a.contains_key(*k)) {
                out.push(format!("{path}.{k}: on the page, not printed"));
            }
            for (k, v) in a {
                if let Some(dv) = d.get(k) {
                    differences(&format!("{path}.{k}"), v, dv, out);
                }
            }
        }
        (Value::Array(a), Value::Array(d)) => {
            if let (Some(a), Some(d)) = (a.first(), d.first()) {
                differences(&format!("{path}[0]"), a, d, out);
            }
        }
        (a, d) if std::mem::discriminant(a) != std::mem::discriminant(d) => {
            out.push(format!("{path}: printed {a}, the page shows {d}"));
        }
        _ => {}
    }
}

#[track_caller]
fn assert_documented(docs: &BTreeMap<String, Value>, section: &str, run: &Run) {
    let envelope = run.envelope();
    let keys: Vec<&str> = envelope
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    let body = if envelope.get("error").is_some() {
        "error"
    } else {
        "result"
    };
    assert_eq!(keys, ["command", body, "schema_version"], "{envelope}");
    let doc = docs
        .get(section)
        .unwrap_or_else(|| panic!("docs/json.md has no section {section}"));
    let mut diff = Vec::new();
    differences("", &envelope, doc, &mut diff);
    assert!(
        diff.is_empty(),
        "{section}: the output and docs/json.md differ:\n  {}\n{envelope}",
        diff.join("\n  ")
    );
}

#[test]
fn every_command_prints_the_envelope_docs_json_shows() {
    let docs = documented();
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("dir");
    let setup = [
        "--project",
        "acme/web",
        "--role-name",
        "gitlab-acme-web",
        "--policy",
        "ReadOnlyAccess",
    ];
    let with = |cmd: &[&str], extra: &[&str]| -> Vec<String> {
        cmd.iter()
            .chain(extra)
            .chain(&["--output", "json"])
            .map(|s| s.to_string())
            .collect()
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        emu.run(&args)
    };

    let plan = run(with(&["plan"], &setup));
    plan.assert_code(0);
    assert_documented(&docs, "plan", &plan);
    assert_eq!(plan.envelope()["command"], "plan");
    // Changes pending, when asked to tell: exit code 4 and the same envelope.
    let pending = run(with(&["plan", "--detailed-exitcode"], &setup));
    pending.assert_code(4);
    assert_eq!(pending.json()["converged"], false);

    let apply = run(with(&["apply"], &setup));
    apply.assert_code(0);
    assert_documented(&docs, "apply", &apply);
    let converged = run(with(&["plan", "--detailed-exitcode"], &setup));
    converged.assert_code(0);
    assert_eq!(converged.json()["converged"], true);

    let job = run(with(&["ci-job"], &[]));
    job.assert_code(0);
    assert_documented(&docs, "ci-job", &job);

    let export = run(with(&["export", "--format", "terraform"], &setup));
    export.assert_code(0);
    assert_documented(&docs, "export", &export);

    let check = run(with(
        &["check", "--role-name", "gitlab-acme-web", "--offline"],
        &[],
    ));
    check.assert_code(0);
    assert_documented(&docs, "check", &check);

    let claims = common::claims_file(dir.path(), "acme/web", "main", true);
    let explain = run(with(
        &[
            "explain",
            "--role-name",
            "gitlab-acme-web",
            "--claims",
            &claims,
        ],
        &[],
    ));
    explain.assert_code(0);
    assert_documented(&docs, "explain", &explain);

    // No network here: the host is not reached, and the report says so (exit code 4).
    let preflight = run(with(
        &["preflight", "--provider-url", "https://gitlab.invalid"],
        &[],
    ));
    preflight.assert_code(4);
    assert_documented(&docs, "preflight", &preflight);

    for (cmd, section) in [
        (vec!["completions", "bash"], "completions"),
        (vec!["man"], "man"),
        (vec!["config", "show"], "config"),
    ] {
        let r = run(with(&cmd, &[]));
        r.assert_code(0);
        assert_documented(&docs, section, &r);
    }

    let arn = run(with(&["arn"], &[]));
    arn.assert_code(0);
    assert_documented(&docs, "arn", &arn);

    let destroy = run(with(
        &["destroy", "--role-name", "gitlab-acme-web", "--yes"],
        &[],
    ));
    destroy.assert_code(0);
    assert_documented(&docs, "destroy", &destroy);
    assert_eq!(destroy.json()["removed"], true);

    // Errors are envelopes too: bad input (no AWS call), and a line clap refuses.
    emu.reset_calls();
    let bad = run(with(
        &["apply", "--project", "acme/web", "--role-name", "bad name"],
        &[],
    ));
    bad.assert_code(2);
    assert_documented(&docs, "error", &bad);
    assert_eq!(bad.envelope()["error"]["code"], "InvalidInput");
    assert_eq!(bad.stderr.lines().count(), 1, "{}", bad.stderr);
    assert!(emu.calls().is_empty());
    let usage = run(with(&["check", "--no-such-flag"], &[]));
    usage.assert_code(2);
    assert_eq!(usage.envelope()["command"], "check");
    assert_eq!(usage.envelope()["error"]["exit_code"], 2);
    // A change that needs a yes: exit code 3, the error says so.
    emu.run(&[
        "apply",
        "--project",
        "acme/web",
        "--role-name",
        "gitlab-acme-web",
    ])
    .assert_code(0);
    let needs_yes = run(with(
        &[
            "apply",
            "--project",
            "acme/api",
            "--role-name",
            "gitlab-acme-web",
        ],
        &[],
    ));
    needs_yes.assert_code(3);
    assert_eq!(
        needs_yes.envelope()["error"]["code"],
        "ConfirmationRequired"
    );
    // The wizard without a terminal.
    let wizard = run(with(&[], &[]));
    wizard.assert_code(2);
    assert_eq!(wizard.envelope()["command"], "wizard");
}

/// Without --output json nothing changes: the ARN alone on stdout.
#[test]
fn the_organization_audit_prints_the_envelope_docs_json_shows() {
    let docs = documented();
    let emu = Emulator::start();
    // Every account readable: the page's first entry is a readable one, and the comparison
    // looks at the first entry of each list (ids, hence the order, are random). The entry of
    // an unreadable account is held by tests/org.rs.
    common::org::organization(&emu);
    let run = emu.run(&["check", "--org", "--offline", "--output", "json"]);
    run.assert_code(4);
    assert_documented(&docs, "check --org", &run);
    assert!(!run.envelope()["result"]["accounts"][0]["status"].is_null());
}

#[test]
fn the_organization_rollout_prints_the_envelopes_docs_json_shows() {
    let docs = documented();
    let emu = Emulator::start();
    let org = common::org::organization(&emu);
    let rollout = |command: &str| {
        emu.run(&[
            command,
            "--org",
            "--ou",
            &org.dev_unit,
            "--project",
            "acme/web",
            "--role-name",
            "gitlab-acme-web",
            "--policy",
            "ReadOnlyAccess",
            "--no-pin-namespace-ids",
            "--output",
            "json",
        ])
    };
    let plan = rollout("plan");
    plan.assert_code(0);
    assert_documented(&docs, "plan --org", &plan);
    let apply = rollout("apply");
    apply.assert_code(0);
    assert_documented(&docs, "apply --org", &apply);
    let destroy = emu.run(&[
        "destroy",
        "--org",
        "--role-name",
        "gitlab-acme-web",
        "--yes",
        "--output",
        "json",
    ]);
    destroy.assert_code(0);
    assert_documented(&docs, "destroy --org", &destroy);
}

#[test]
fn text_output_is_not_wrapped() {
    let emu = Emulator::start();
    let run = emu.run(&[
        "apply",
        "--project",
        "acme/web",
        "--role-name",
        "gitlab-acme-web",
    ]);
    run.assert_code(0);
    assert_eq!(
        run.stdout,
        "arn:aws:iam::123456789012:role/gitlab-acme-web\n"
    );
}
