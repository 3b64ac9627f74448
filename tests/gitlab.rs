//! The GitLab half against a local GitLab API: the ROLE_ARN variable created, left alone when equal,
//! updated only with a yes; project ids looked up and pinned; 401/403/404 explained in words; the
//! token sent only in its header and never printed.

mod common;

use common::Emulator;
use common::gitlab::{FakeGitLab, GOOD_TOKEN, REPORTER_TOKEN};

const ARN: &str = "arn:aws:iam::123456789012:role/gitlab-acme-web";

fn apply(emu: &Emulator, gitlab: &FakeGitLab, token: &str, extra: &[&str]) -> common::Run {
    let mut cmd = emu.command();
    cmd.env("GITLAB_TOKEN", token).args([
        "apply",
        "--project",
        "acme/web",
        "--role-name",
        "gitlab-acme-web",
        "--store-in-gitlab",
        "--gitlab-url",
        &gitlab.url,
    ]);
    cmd.args(extra);
    common::Run::from(cmd.output().expect("run"))
}

#[test]
fn the_role_arn_is_stored_once_and_left_alone_when_equal() {
    let emu = Emulator::start();
    let gitlab = FakeGitLab::start();
    gitlab.add_project("acme/web", 4242, 77);

    let run = apply(&emu, &gitlab, GOOD_TOKEN, &["--variable-protected"]);
    run.assert_code(0);
    assert_eq!(run.stdout, format!("{ARN}\n"));
    assert!(
        run.stderr
            .contains("✓ GitLab variable ROLE_ARN on project acme/web: created"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains(GOOD_TOKEN) && !run.stdout.contains(GOOD_TOKEN),
        "the token is never printed"
    );
    // The namespace is looked up and pinned first (secure by default), then the variable.
    assert!(
        run.stderr
            .contains("GitLab: namespace acme is 77 (pinned in the trust policy)"),
        "{}",
        run.stderr
    );
    assert_eq!(
        gitlab.lines(),
        [
            "GET /api/v4/projects/acme%2Fweb",
            "GET /api/v4/projects/acme%2Fweb/variables/ROLE_ARN?filter%5Benvironment_scope%5D=*",
            "GET /api/v4/projects/acme%2Fweb",
            "POST /api/v4/projects/acme%2Fweb/variables",
        ]
    );
    let post = &gitlab.requests()[3];
    assert_eq!(post.token.as_deref(), Some(GOOD_TOKEN));
    let form: Vec<(&str, &str)> = post
        .form
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        form,
        [
            ("environment_scope", "*"),
            ("key", "ROLE_ARN"),
            ("masked", "false"),
            ("protected", "true"),
            ("value", ARN),
            ("variable_type", "env_var"),
        ]
    );

    let again = apply(&emu, &gitlab, GOOD_TOKEN, &["--variable-protected"]);
    again.assert_code(0);
    assert!(
        again
            .stderr
            .contains("= GitLab variable ROLE_ARN on project acme/web: unchanged"),
        "{}",
        again.stderr
    );
    assert_eq!(
        gitlab.lines().len(),
        6,
        "the namespace and the variable read, nothing written: {:?}",
        gitlab.lines()
    );
}

#[test]
fn a_different_value_is_updated_only_with_yes() {
    let emu = Emulator::start();
    let gitlab = FakeGitLab::start();
    gitlab.add_project("acme/web", 4242, 77);
    gitlab.set_variable("acme/web", "ROLE_ARN", "arn:aws:iam::999999999999:role/old");

    let refused = apply(&emu, &gitlab, GOOD_TOKEN, &[]);
    refused.assert_code(3);
    assert!(
        refused
            .stderr
            .contains("arn:aws:iam::999999999999:role/old"),
        "{}",
        refused.stderr
    );
    assert!(
        refused
            .stderr
            .lines()
            .last()
            .unwrap_or_default()
            .contains("confirmation required")
    );
    assert!(gitlab.lines().iter().all(|l| !l.starts_with("PUT")));
    assert_eq!(
        gitlab.variable("acme/web", "ROLE_ARN").expect("kept")["value"],
        "arn:aws:iam::999999999999:role/old"
    );

    apply(&emu, &gitlab, GOOD_TOKEN, &["--yes"]).assert_code(0);
    assert!(gitlab.lines().last().is_some_and(|l| {
        l.starts_with("PUT /api/v4/projects/acme%2Fweb/variables/ROLE_ARN?filter")
    }));
    assert_eq!(
        gitlab.variable("acme/web", "ROLE_ARN").expect("updated")["value"],
        ARN
    );
}

#[test]
fn errors_are_explained_in_words() {
    let emu = Emulator::start();
    let gitlab = FakeGitLab::start();
    gitlab.add_project("acme/web", 4242, 77);

    let bad = apply(&emu, &gitlab, "glpat-wrong", &[]);
    bad.assert_code(1);
    assert!(
        bad.stderr
            .contains("401 Unauthorized: the token is invalid or expired"),
        "{}",
        bad.stderr
    );
    assert!(!bad.stderr.contains("glpat-wrong"));

    let reporter = apply(&emu, &gitlab, REPORTER_TOKEN, &[]);
    reporter.assert_code(1);
    assert!(reporter.stderr.contains("403 Forbidden: the token needs the api scope and the Maintainer role on project acme/web"), "{}", reporter.stderr);

    // A GitLab that does not show the project: its namespace cannot be pinned either, so the
    // pin made before would go (a change to the role: --yes).
    let missing = FakeGitLab::start();
    let not_found = apply(&emu, &missing, GOOD_TOKEN, &["--yes"]);
    not_found.assert_code(1);
    assert!(
        not_found
            .stderr
            .contains("404 Not Found: project acme/web does not exist, or the token cannot see it"),
        "{}",
        not_found.stderr
    );

    // No token at all: bad input, before any call.
    emu.reset_calls();
    let mut cmd = emu.command();
    cmd.args([
        "apply",
        "--project",
        "acme/web",
        "--role-name",
        "r",
        "--store-in-gitlab",
        "--gitlab-url",
        &gitlab.url,
    ]);
    let none = common::Run::from(cmd.output().expect("run"));
    none.assert_code(2);
    assert!(none.stderr.contains("GITLAB_TOKEN"), "{}", none.stderr);
    assert!(emu.calls().is_empty());
}

#[test]
fn project_ids_are_looked_up_and_pinned() {
    let emu = Emulator::start();
    let gitlab = FakeGitLab::start();
    gitlab.add_project("acme/web", 4242, 77);
    let mut cmd = emu.command();
    cmd.env("GITLAB_TOKEN", GOOD_TOKEN).args([
        "apply",
        "--project",
        "acme/web",
        "--role-name",
        "gitlab-acme-web",
        "--pin-project-ids",
        "--gitlab-url",
        &gitlab.url,
    ]);
    let run = common::Run::from(cmd.output().expect("run"));
    run.assert_code(0);
    assert!(
        run.stderr.contains("acme/web is project 4242"),
        "{}",
        run.stderr
    );
    // One answer names the project's id and its namespace's: both pinned.
    assert_eq!(gitlab.lines(), ["GET /api/v4/projects/acme%2Fweb"]);
    let trust = common::trust_policy(&emu.iam(), "gitlab-acme-web");
    assert_eq!(
        trust["Statement"][0]["Condition"]["StringEquals"]["gitlab.com:project_id"],
        "4242"
    );
    assert_eq!(
        trust["Statement"][0]["Condition"]["StringEquals"]["gitlab.com:namespace_id"],
        "77"
    );
}

#[test]
fn the_variable_can_live_on_a_group() {
    let emu = Emulator::start();
    let gitlab = FakeGitLab::start();
    let run = apply(
        &emu,
        &gitlab,
        GOOD_TOKEN,
        &["--gitlab-group", "acme", "--ci-variable", "ACME_ROLE"],
    );
    run.assert_code(0);
    assert!(
        run.stderr
            .contains("namespace_id not pinned: GitLab does not show acme"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("✓ GitLab variable ACME_ROLE on group acme: created"),
        "{}",
        run.stderr
    );
    assert_eq!(
        gitlab.lines(),
        [
            "GET /api/v4/projects/acme%2Fweb",
            "GET /api/v4/groups/acme?with_projects=false",
            "GET /api/v4/groups/acme/variables/ACME_ROLE?filter%5Benvironment_scope%5D=*",
            "POST /api/v4/groups/acme/variables",
        ]
    );
    assert_eq!(
        gitlab.requests()[3].form.get("value").map(String::as_str),
        Some(ARN)
    );
}

/// Without --gitlab-url, the instance comes from GITLAB_HOST, then CI_SERVER_URL (as glab reads
/// them); the flag wins over both.
#[test]
fn the_gitlab_url_falls_back_to_gitlab_host_then_ci_server_url() {
    let emu = Emulator::start();
    let gitlab = FakeGitLab::start();
    gitlab.add_project("acme/web", 4242, 77);
    let apply_with = |env: &[(&str, &str)], flag: Option<&str>| {
        let mut cmd = emu.command();
        cmd.env("GITLAB_TOKEN", GOOD_TOKEN).args([
            "apply",
            "--project",
            "acme/web",
            "--role-name",
            "gitlab-acme-web",
            "--pin-project-ids",
        ]);
        cmd.env_remove("GITLAB_HOST");
        for (k, v) in env {
            cmd.env(k, v);
        }
        if let Some(url) = flag {
            cmd.args(["--gitlab-url", url]);
        }
        common::Run::from(cmd.output().expect("run"))
    };
    let dead = "http://127.0.0.1:9";
    let host = apply_with(
        &[("GITLAB_HOST", &gitlab.url), ("CI_SERVER_URL", dead)],
        None,
    );
    host.assert_code(0);
    assert_eq!(gitlab.lines(), ["GET /api/v4/projects/acme%2Fweb"]);
    let ci = apply_with(&[("CI_SERVER_URL", &gitlab.url)], None);
    ci.assert_code(0);
    assert_eq!(gitlab.lines().len(), 2, "CI_SERVER_URL used");
    let flag = apply_with(&[("GITLAB_HOST", dead)], Some(&gitlab.url));
    flag.assert_code(0);
    assert_eq!(gitlab.lines().len(), 3, "the flag wins");
}

/// GitLab busy: 429 (with its Retry-After) and 503 on a read are tried again and the variable is
/// stored once; a 503 on the write is not repeated (it may have been done), and a 429 that does
/// not end is given up after 3 more attempts, in words.
#[test]
fn a_busy_gitlab_is_asked_again_as_it_says() {
    let emu = Emulator::start();
    let gitlab = FakeGitLab::start();
    gitlab.add_project("acme/web", 4242, 77);
    gitlab.busy(&[(429, Some(1)), (503, None)]);
    let dir = tempfile::tempdir().expect("dir");
    let log = dir.path().join("wizard.log");
    let log_arg = log.display().to_string();
    let run = apply(
        &emu,
        &gitlab,
        GOOD_TOKEN,
        &["--log-file", &log_arg, "--no-pin-namespace-ids"],
    );
    run.assert_code(0);
    // The wait is GitLab's Retry-After (1 s) for the 429, the backoff's for the 503.
    let logged = std::fs::read_to_string(&log).expect("log");
    let waits: Vec<&str> = logged
        .lines()
        .filter(|l| l.contains("GitLab is busy"))
        .collect();
    assert_eq!(waits.len(), 2, "{logged}");
    assert!(
        waits[0].contains("status=429") && waits[0].contains("wait_ms=1000"),
        "{logged}"
    );
    assert!(waits[1].contains("status=503"), "{logged}");
    let variable_reads = gitlab
        .lines()
        .iter()
        .filter(|l| l.starts_with("GET /api/v4/projects/acme%2Fweb/variables/ROLE_ARN"))
        .count();
    assert_eq!(variable_reads, 3, "{:?}", gitlab.lines());
    assert_eq!(
        gitlab
            .lines()
            .iter()
            .filter(|l| l.starts_with("POST"))
            .count(),
        1,
        "stored once"
    );
    assert!(gitlab.variable("acme/web", "ROLE_ARN").is_some());

    let gitlab = FakeGitLab::start();
    gitlab.add_project("acme/web", 4242, 77);
    // The write answers 503: not repeated, since GitLab may have stored it.
    gitlab.busy_on("POST", &[(503, None)]);
    let run = apply(&emu, &gitlab, GOOD_TOKEN, &["--no-pin-namespace-ids"]);
    assert_ne!(run.code, 0);
    assert_eq!(
        gitlab
            .lines()
            .iter()
            .filter(|l| l.starts_with("POST"))
            .count(),
        1,
        "{:?}",
        gitlab.lines()
    );
    assert!(run.stderr.contains("503"), "{}", run.stderr);

    let gitlab = FakeGitLab::start();
    gitlab.add_project("acme/web", 4242, 77);
    let gitlab = FakeGitLab::start();
    gitlab.add_project("acme/web", 4242, 77);
    gitlab.busy(&[(429, Some(0)); 4]);
    let run = apply(&emu, &gitlab, GOOD_TOKEN, &[]);
    assert_ne!(run.code, 0);
    assert_eq!(
        gitlab.lines().len(),
        4,
        "one try and 3 more: {:?}",
        gitlab.lines()
    );
    assert!(run.stderr.contains("429"), "{}", run.stderr);
}

/// Secure by default on gitlab.com: every named project's namespace id (its group, subgroup or
/// user namespace: GitLab's `namespace_id` claim is the project's own namespace) is looked up and
/// pinned, anonymously for public ones, so a deleted namespace's name registered again by someone
/// else (another id) is refused. Not when it cannot be seen (a partial pin would lock projects
/// out), not for a pattern, not for a self-managed issuer (AWS offers it only aud and sub), not
/// when given or declined. A GitLab that cannot be reached stops the run before AWS.
#[test]
fn namespace_ids_are_pinned_by_default_where_they_can_be_looked_up() {
    let emu = Emulator::start();
    let gitlab = &emu.gitlab;
    gitlab.add_group("acme", 77, true);
    gitlab.add_project("acme/web", 4242, 77);
    gitlab.add_public_project("acme/platform/api", 4243, 88);
    gitlab.add_public_project("alice/tool", 4244, 501);
    gitlab.add_group("secret", 99, false);
    gitlab.add_project("secret/app", 4245, 99);
    let pinned = |role: &str| -> serde_json::Value {
        common::trust_policy(&emu.iam(), role)["Statement"][0]["Condition"]["StringEquals"]
            ["gitlab.com:namespace_id"]
            .clone()
    };
    let apply = |role: &str, args: &[&str]| {
        let mut all = vec!["apply", "--role-name", role];
        all.extend(args);
        emu.run(&all)
    };

    // A private project of a public group, a public project of a subgroup, a user's project.
    let run = apply(
        "pinned",
        &[
            "--project",
            "acme/web",
            "--project",
            "acme/platform/api",
            "--project",
            "alice/tool",
        ],
    );
    run.assert_code(0);
    assert_eq!(pinned("pinned"), serde_json::json!(["501", "77", "88"]));
    assert!(
        run.stderr
            .contains("GitLab: namespace acme is 77 (pinned in the trust policy)"),
        "{}",
        run.stderr
    );
    let lookups: Vec<_> = gitlab.requests();
    assert!(
        lookups.iter().all(|r| r.token.is_none()),
        "anonymous: {lookups:?}"
    );
    // One lookup per namespace, side by side (so in any order); a group only where the project
    // is not shown.
    let mut lines = gitlab.lines();
    lines.sort();
    assert_eq!(
        lines,
        [
            "GET /api/v4/groups/acme?with_projects=false",
            "GET /api/v4/projects/acme%2Fplatform%2Fapi",
            "GET /api/v4/projects/acme%2Fweb",
            "GET /api/v4/projects/alice%2Ftool",
        ]
    );
    // Again: nothing changes.
    emu.reset_calls();
    apply(
        "pinned",
        &[
            "--project",
            "acme/web",
            "--project",
            "acme/platform/api",
            "--project",
            "alice/tool",
        ],
    )
    .assert_code(0);
    assert!(
        emu.mutating_calls().is_empty(),
        "{:?}",
        emu.mutating_calls()
    );
    // check has nothing to say of it: the ids are pinned.
    let check = emu.run(&["check", "--role-name", "pinned", "--output", "json"]);
    check.assert_code(0);
    assert_eq!(
        check.json()[0]["findings"],
        serde_json::json!([]),
        "{}",
        check.stdout
    );

    // A private group, without a token: not pinned, and said.
    let hidden = apply("hidden", &["--project", "secret/app"]);
    hidden.assert_code(0);
    assert!(
        hidden.stderr.contains(
            "namespace_id not pinned: GitLab does not show secret to anyone without a token"
        ),
        "{}",
        hidden.stderr
    );
    assert_eq!(pinned("hidden"), serde_json::Value::Null);
    let check = emu.run(&["check", "--role-name", "hidden"]);
    check.assert_code(0);
    assert!(check.stdout.contains("path-only"), "{}", check.stdout);
    // With a token that sees it: pinned.
    let mut cmd = emu.command();
    cmd.env("GITLAB_TOKEN", GOOD_TOKEN).args([
        "apply",
        "--role-name",
        "seen",
        "--project",
        "secret/app",
    ]);
    common::Run::from(cmd.output().expect("run")).assert_code(0);
    assert_eq!(pinned("seen"), "99");

    // Not looked up: a pattern, ids given, declined, a self-managed issuer.
    let before = gitlab.lines().len();
    let pattern = apply("pattern", &["--project", "acme/*"]);
    pattern.assert_code(0);
    assert!(
        pattern
            .stderr
            .contains("the pattern acme/* spans namespaces"),
        "{}",
        pattern.stderr
    );
    apply("given", &["--project", "acme/web", "--namespace-id", "5"]).assert_code(0);
    assert_eq!(pinned("given"), "5");
    apply(
        "declined",
        &["--project", "acme/web", "--no-pin-namespace-ids"],
    )
    .assert_code(0);
    assert_eq!(pinned("declined"), serde_json::Value::Null);
    let self_managed = apply(
        "self-managed",
        &[
            "--project",
            "acme/web",
            "--provider-url",
            "https://git.example.com",
            "--skip-preflight",
        ],
    );
    self_managed.assert_code(0);
    // Said, not pretended: no key can close it there.
    assert!(
        self_managed
            .stderr
            .contains("self-managed: AWS offers no id keys here (only aud and sub)"),
        "{}",
        self_managed.stderr
    );
    assert_eq!(gitlab.lines().len(), before, "{:?}", gitlab.lines());
    let refused = emu.run(&[
        "plan",
        "--role-name",
        "x",
        "--project",
        "acme/web",
        "--provider-url",
        "https://git.example.com",
        "--namespace-id",
        "5",
    ]);
    refused.assert_code(2);
    assert!(
        refused
            .stderr
            .contains("namespace_id condition only for gitlab.com"),
        "{}",
        refused.stderr
    );

    // GitLab not reachable: the run stops before AWS, and says how to go on.
    emu.reset_calls();
    let mut cmd = emu.command();
    cmd.env("GITLAB_HOST", "http://127.0.0.1:9").args([
        "apply",
        "--role-name",
        "unreached",
        "--project",
        "acme/web",
    ]);
    let unreached = common::Run::from(cmd.output().expect("run"));
    unreached.assert_code(1);
    assert!(
        unreached
            .stderr
            .contains("looking up the namespace ids to pin")
            && unreached.stderr.contains("--no-pin-namespace-ids"),
        "{}",
        unreached.stderr
    );
    assert!(emu.calls().is_empty(), "{:?}", emu.calls());
}

/// A GitLab URL that redirects: to another host, to plain http. The redirect is refused in
/// words, and the token never reaches the other end.
#[test]
fn the_token_goes_only_to_the_gitlab_url_given() {
    let emu = Emulator::start();
    // Anything connecting there would be counted (and left hanging).
    let elsewhere = common::Blackhole::start();
    emu.gitlab.redirect_to(&elsewhere.url());
    let run = apply(&emu, &emu.gitlab, GOOD_TOKEN, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("answered with a redirect to")
            && run
                .stderr
                .contains("not followed, so the token goes nowhere else"),
        "{}",
        run.stderr
    );
    assert_eq!(
        elsewhere.accepted(),
        0,
        "nothing reached the redirect's target"
    );
    assert!(!emu.gitlab.requests().is_empty());
}

/// A proxy in the environment is not given a loopback GitLab's requests (plain http: it would
/// read the token); a user name or password in the URL is refused before anything is sent.
#[test]
fn no_proxy_reads_the_token_and_no_url_carries_a_password() {
    let emu = Emulator::start();
    emu.gitlab.add_project("acme/web", 4242, 77);
    let proxy = common::Blackhole::start();
    let run = common::Run::from(
        emu.command()
            .args([
                "apply",
                "--project",
                "acme/web",
                "--role-name",
                "gitlab-acme-web",
                "--policy",
                "ReadOnlyAccess",
                "--store-in-gitlab",
                "--yes",
                "--gitlab-url",
                &emu.gitlab.url.replace("127.0.0.1", "localhost"),
            ])
            .env("GITLAB_TOKEN", GOOD_TOKEN)
            // The AWS emulator is reached by address, GitLab by name: only GitLab could go
            // through the proxy.
            .env("NO_PROXY", "127.0.0.1")
            .env("no_proxy", "127.0.0.1")
            .env("HTTP_PROXY", proxy.url())
            .env("http_proxy", proxy.url())
            .env("ALL_PROXY", proxy.url())
            .output()
            .expect("run"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(proxy.accepted(), 0, "the proxy saw a request");
    assert!(emu.gitlab.variable("acme/web", "ROLE_ARN").is_some());

    let with_password = emu.gitlab.url.replace("http://", "http://root:hunter2@");
    let before = emu.gitlab.requests().len();
    let run = common::Run::from(
        emu.command()
            .args([
                "apply",
                "--project",
                "acme/web",
                "--role-name",
                "gitlab-acme-web",
                "--policy",
                "ReadOnlyAccess",
                "--store-in-gitlab",
                "--gitlab-url",
                &with_password,
            ])
            .env("GITLAB_TOKEN", GOOD_TOKEN)
            .output()
            .expect("run"),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("holds a user name or password"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
    assert_eq!(emu.gitlab.requests().len(), before, "nothing sent");
}
