//! `--demo`: the whole flow on the built-in, in-memory account, with no AWS variable set at all
//! (no keys, no profile, no endpoint, no config files): the wizard from launch to Done, Check and
//! Explain on it, DEMO on every screen and on every result line, nothing written to HOME.

mod common;

use common::BIN;
use common::tmux::Tmux;

/// Only what a shell has on a fresh machine: PATH and a HOME of its own (empty).
fn bare_env(home: &std::path::Path) -> Vec<(String, String)> {
    vec![
        ("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into()),
        ("HOME".into(), home.display().to_string()),
    ]
}

#[track_caller]
fn says_demo(screen: &str) {
    assert!(
        screen.lines().next().unwrap_or_default().contains(" DEMO "),
        "DEMO in the header:\n{screen}"
    );
}

/// From the Account screen to Review: acme/web with ReadOnlyAccess, every screen saying DEMO.
fn to_review(t: &Tmux) {
    t.keys(&["Enter"]);
    says_demo(&t.wait_for("will reuse the existing provider"));
    t.keys(&["Enter"]);
    says_demo(&t.wait_for("Who may assume ─"));
    t.type_text("acme/web");
    t.keys(&["Enter"]);
    // The demo account's own policy comes first, among the AWS managed ones.
    let permissions = t.wait_for("(own)");
    says_demo(&permissions);
    assert!(
        permissions.contains("acme-deploy-artifacts"),
        "{permissions}"
    );
    t.type_text("ReadOnlyAccess");
    t.wait_for("│ [ ] ReadOnlyAccess ");
    t.keys(&["Tab"]);
    t.wait_for("›[ ] ReadOnlyAccess");
    t.keys(&["Space"]);
    t.wait_for("[x] ReadOnlyAccess");
    t.keys(&["Tab", "Tab", "Enter"]);
    says_demo(&t.wait_for("Role name       [gitlab-acme-web]"));
    t.keys(&["Tab", "Tab", "Tab", "Tab", "Tab", "Enter"]);
}

#[test]
fn the_demo_runs_from_launch_to_done_with_no_aws_variables() {
    let home = tempfile::tempdir().expect("home");
    let t = Tmux::start(&bare_env(home.path()), BIN, &["--demo"], 80, 24);
    let account = t.wait_for("✓ Account  123456789012");
    says_demo(&account);
    assert!(account.contains("nothing is sent to AWS"), "{account}");
    to_review(&t);
    let review = t.wait_for("Nothing has been changed yet");
    says_demo(&review);
    assert!(
        review.contains("Role      create   gitlab-acme-web"),
        "{review}"
    );
    t.keys(&["Enter"]);
    t.wait_for("Apply them now?");
    t.press_button("Apply");
    let done = t.wait_for("Role ARN");
    says_demo(&done);
    assert!(
        done.contains("arn:aws:iam::123456789012:role/gitlab-acme-web"),
        "{done}"
    );
    assert!(done.contains("none sent to AWS"), "{done}");
    // The export writes no file in the demo: it says so.
    t.keys(&["x"]);
    t.wait_for("Terraform");
    t.keys(&["t"]);
    t.wait_for("Write the file?");
    t.press_button("Write it");
    t.wait_for("the demo writes no files");
    t.keys(&["Enter"]);
    let (code, stdout) = t.wait_exit();
    assert_eq!(code, 0);
    assert_eq!(
        stdout, "DEMO  arn:aws:iam::123456789012:role/gitlab-acme-web\n",
        "the result line says DEMO"
    );
    let left: Vec<_> = walk(home.path());
    assert!(left.is_empty(), "the demo wrote {left:?}");
}

/// Every file under `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn the_demo_organization_is_audited_from_the_check_screen() {
    let home = tempfile::tempdir().expect("home");
    let t = Tmux::start(&bare_env(home.path()), BIN, &["--demo"], 80, 24);
    t.wait_for("✓ Account  123456789012");
    t.keys(&["BTab", "Right", "Enter"]);
    // The demo account manages an Organization: the screen says o audits every account.
    let offered = t.wait_for("press o for every account");
    says_demo(&offered);
    t.wait_for("o whole Organization");
    t.keys(&["o"]);
    t.wait_for("== account 123456789012 management");
    // The weak role of a member account, under its account; the summary below the fold.
    t.keys(&["j"; 24]);
    let weak = t.wait_for("gitlab-sandbox-deploy");
    assert!(
        weak.contains("== account 210000000003 acme-sandbox"),
        "{weak}"
    );
    t.keys(&["j"; 30]);
    t.wait_for("4 accounts (0 not read), 3 roles checked, 4 findings");
    // a goes back to this account's audit.
    t.keys(&["a"]);
    t.wait_for("press o for every account");
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), (0, String::new()));
}

#[test]
fn the_demo_setup_is_rolled_out_to_a_unit_from_review() {
    let home = tempfile::tempdir().expect("home");
    let t = Tmux::start(&bare_env(home.path()), BIN, &["--demo"], 80, 24);
    t.wait_for("✓ Account  123456789012");
    to_review(&t);
    // The demo account manages an Organization: Review offers its units as the target.
    let review = t.wait_for("Target: this account (t: the accounts of");
    says_demo(&review);
    t.keys(&["t"]);
    let list = t.wait_for("ou-demo-sandboxs  acme-sandbox");
    assert!(list.contains("r-demo  the root: every account"), "{list}");
    t.keys(&["Down", "Down"]);
    t.wait_for("› [ ]   ou-demo-sandboxs");
    t.keys(&["Space"]);
    t.wait_for("› [x]   ou-demo-sandboxs");
    t.keys(&["Enter"]);
    let plan = t.wait_for("210000000003 acme-sandbox: deploy");
    says_demo(&plan);
    assert!(plan.contains("CreateProvider=false"), "{plan}");
    t.keys(&["a"]);
    t.wait_for("Roll it out now?");
    t.press_button("Roll out");
    let applied = t.wait_for("Rolled out: the role is in place in 1 account");
    says_demo(&applied);
    assert!(
        applied.contains("arn:aws:iam::210000000003:role/gitlab-acme-web"),
        "{applied}"
    );
    assert!(applied.contains("✓ current"), "{applied}");
    // Back on Review, the Organization is read again: nothing is left to do.
    t.keys(&["Escape"]);
    t.wait_for("Every account of the units already has this setup");
    t.keys(&["q"]);
    let (code, stdout) = t.wait_exit();
    assert_eq!(code, 0);
    assert_eq!(
        stdout, "DEMO  arn:aws:iam::210000000003:role/gitlab-acme-web\n",
        "each account's role ARN, one per line"
    );
}

#[test]
fn the_demo_has_a_weak_role_for_check_and_explain() {
    let home = tempfile::tempdir().expect("home");
    let t = Tmux::start(&bare_env(home.path()), BIN, &["--demo"], 80, 24);
    t.wait_for("✓ Account  123456789012");
    t.keys(&["BTab", "Right", "Enter"]);
    let checked = t.wait_for("sub-matches-group");
    says_demo(&checked);
    // The summary is below the fold at 80x24.
    t.keys(&["j", "j", "j", "j", "j", "j", "j", "j"]);
    t.wait_for("1 role checked, 2 findings");
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), (0, String::new()));

    // Explain starts filled in: the weak role and a sample token of another project of the group,
    // which the weak trust lets in.
    let t = Tmux::start(&bare_env(home.path()), BIN, &["--demo"], 80, 24);
    t.wait_for("✓ Account  123456789012");
    t.keys(&["BTab", "Right", "Right", "Enter"]);
    let explain = t.wait_for("a sample token is filled in");
    says_demo(&explain);
    assert!(explain.contains("[gitlab-legacy-deploy]"), "{explain}");
    t.keys(&["Tab", "Tab", "Tab", "Enter"]);
    t.wait_for("The token's signature is NOT verified");
    t.keys(&["j"; 20]);
    let verdict = t.wait_for("AWS would accept this token");
    assert!(verdict.contains("gitlab-legacy-deploy"), "{verdict}");
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), (0, String::new()));

    // The command line: each result line says DEMO, and the exit codes are the real ones.
    let run = |args: &[&str]| {
        let out = std::process::Command::new(BIN)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", home.path())
            .arg("--demo")
            .args(args)
            .output()
            .expect("run");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stdout, stderr) = run(&["check", "--all"]);
    assert_eq!(code, 4, "a finding: {stdout}{stderr}");
    assert!(stdout.lines().all(|l| l.starts_with("DEMO  ")), "{stdout}");
    assert!(
        stderr.lines().all(|l| l.starts_with("DEMO  ")),
        "every line on stderr says DEMO too: {stderr}"
    );
    let dir = tempfile::tempdir().expect("dir");
    let claims = common::claims_file(dir.path(), "acme/intern-sandbox", "try-this", false);
    // The weak trust lets any project of the group in: explain says AWS would accept it.
    let (code, stdout, _) = run(&[
        "explain",
        "--role-name",
        "gitlab-legacy-deploy",
        "--claims",
        &claims,
        "--output",
        "json",
    ]);
    assert_eq!(code, 0, "{stdout}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(v["demo"], true);
    assert_eq!(v["result"]["allowed"], true);
    // What would leave the process is refused in words.
    let (code, _, stderr) = run(&["preflight", "--provider-url", "https://gitlab.example.com"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--demo contacts no host"), "{stderr}");
    let (code, _, stderr) = run(&[
        "apply",
        "--project",
        "acme/web",
        "--write-ci-job",
        ".gitlab-ci.yml",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--demo writes no files"), "{stderr}");
    assert!(walk(home.path()).is_empty());
}
