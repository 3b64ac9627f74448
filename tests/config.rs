//! The config file: built-in default < config file < flag, for each key a team repeats; a broken
//! file is bad input before any AWS call; `config show` prints the merge with each value's source.

mod common;

use common::{Emulator, Run};

fn plan(emu: &Emulator, home: &std::path::Path, extra: &[&str]) -> Run {
    let mut cmd = emu.command();
    cmd.env("XDG_CONFIG_HOME", home.join("xdg"));
    cmd.args([
        "plan",
        "--project",
        "acme/web",
        "--role-name",
        "gitlab-acme-web",
        "--output",
        "json",
    ]);
    cmd.args(extra);
    Run::from(cmd.output().expect("run"))
}

fn write_config(home: &std::path::Path, text: &str) -> std::path::PathBuf {
    let dir = home.join("xdg/aws-oidc-wizard");
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("config.toml");
    std::fs::write(&path, text).expect("config");
    path
}

/// (audience, role ARN, policy names, session length) of a plan's JSON.
fn facts(run: &Run) -> (String, String, Vec<String>, String) {
    let r = run.json();
    let policies = r["policies"]
        .as_array()
        .expect("policies")
        .iter()
        .map(|p| p["name"].as_str().unwrap_or_default().to_string())
        .collect();
    (
        r["provider"]["audience"]
            .as_str()
            .unwrap_or_default()
            .into(),
        r["role"]["arn"].as_str().unwrap_or_default().into(),
        policies,
        r["trust_policy"]["Statement"][0]["Condition"]["StringEquals"]["gitlab.com:aud"]
            .as_str()
            .unwrap_or_default()
            .into(),
    )
}

#[test]
fn flags_win_over_the_file_and_the_file_over_the_defaults() {
    let emu = Emulator::start();
    let home = tempfile::tempdir().expect("home");

    // No file: the built-in defaults.
    let run = plan(&emu, home.path(), &[]);
    run.assert_code(0);
    let (aud, arn, policies, _) = facts(&run);
    assert_eq!(aud, "https://gitlab.com");
    assert_eq!(arn, "arn:aws:iam::123456789012:role/gitlab-acme-web");
    assert!(policies.is_empty(), "{policies:?}");

    // The team's file, found at $XDG_CONFIG_HOME/aws-oidc-wizard/config.toml.
    write_config(
        home.path(),
        "# our team's defaults\naudience = \"sts.amazonaws.com\"\npolicies = [\"ReadOnlyAccess\"]\nrole_path = \"/ci/\"\n\n[variable]\nname = \"DEPLOY_ROLE\"\n",
    );
    let run = plan(&emu, home.path(), &[]);
    run.assert_code(0);
    let (aud, arn, policies, trusted) = facts(&run);
    assert_eq!(aud, "sts.amazonaws.com");
    assert_eq!(trusted, "sts.amazonaws.com");
    assert_eq!(arn, "arn:aws:iam::123456789012:role/ci/gitlab-acme-web");
    assert_eq!(policies, ["ReadOnlyAccess"]);

    // Flags win, key by key; the others still come from the file.
    let run = plan(
        &emu,
        home.path(),
        &[
            "--audience",
            "https://gitlab.com",
            "--policy",
            "ViewOnlyAccess",
        ],
    );
    run.assert_code(0);
    let (aud, arn, policies, _) = facts(&run);
    assert_eq!(aud, "https://gitlab.com");
    assert_eq!(
        policies,
        ["ViewOnlyAccess"],
        "a flag's list replaces the file's"
    );
    assert_eq!(arn, "arn:aws:iam::123456789012:role/ci/gitlab-acme-web");

    // --config names another file, which wins over the default one.
    let other = home.path().join("other.toml");
    std::fs::write(&other, "role_path = \"/deploy/\"\n").expect("other");
    let other_s = other.display().to_string();
    let run = plan(&emu, home.path(), &["--config", &other_s]);
    run.assert_code(0);
    let (aud, arn, _, _) = facts(&run);
    assert_eq!(arn, "arn:aws:iam::123456789012:role/deploy/gitlab-acme-web");
    assert_eq!(aud, "https://gitlab.com", "only the named file is read");

    // The variable's name reaches the CI job.
    let mut cmd = emu.command();
    cmd.env("XDG_CONFIG_HOME", home.path().join("xdg"))
        .args(["ci-job"]);
    let job = Run::from(cmd.output().expect("ci-job"));
    job.assert_code(0);
    assert!(
        job.stdout.contains("AWS_ROLE_ARN: $DEPLOY_ROLE"),
        "{}",
        job.stdout
    );
    assert!(
        job.stdout.contains("aud: \"sts.amazonaws.com\""),
        "{}",
        job.stdout
    );
}

#[test]
fn a_broken_file_is_bad_input_and_nothing_is_sent() {
    let emu = Emulator::start();
    let home = tempfile::tempdir().expect("home");
    for (text, says) in [
        (
            "polices = [\"ReadOnlyAccess\"]\n",
            "unknown field `polices`",
        ),
        ("role_path = /ci/\n", "line 1"),
        ("max_session_duration = \"long\"\n", "max_session_duration"),
        // A value its flag would refuse: named by its key and line, not by the flag.
        (
            "audience = \"sts.amazonaws.com\"\nrole_path = \"ci\"\n",
            "role_path (line 2): \"ci\"",
        ),
    ] {
        let path = write_config(home.path(), text);
        emu.reset_calls();
        let run = plan(&emu, home.path(), &[]);
        run.assert_code(2);
        let line = run.envelope()["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(line.contains(says), "{text:?}: {line}");
        assert!(line.contains(&path.display().to_string()), "{line}");
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(emu.calls().is_empty(), "no AWS call with a broken config");
    }
    // Completions and the manual page take nothing from the file: a broken one does not stop them.
    write_config(home.path(), "polices = []\n");
    for args in [&["completions", "bash"][..], &["man"][..]] {
        let mut cmd = emu.command();
        cmd.env("XDG_CONFIG_HOME", home.path().join("xdg"))
            .args(args);
        Run::from(cmd.output().expect("run")).assert_code(0);
    }
    // A --config that does not exist is an error; the default path may be absent.
    let run = plan(&emu, home.path(), &["--config", "/nonexistent/config.toml"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("/nonexistent/config.toml"),
        "{}",
        run.stderr
    );
}

#[test]
fn config_show_prints_the_merge_and_each_values_source() {
    let home = tempfile::tempdir().expect("home");
    let show = |args: &[&str]| {
        let mut cmd = std::process::Command::new(common::BIN);
        cmd.env_clear()
            .env("HOME", home.path())
            .args(["config", "show"])
            .args(args);
        Run::from(cmd.output().expect("config show"))
    };
    let run = show(&["--output", "json"]);
    run.assert_code(0);
    let r = run.json();
    assert_eq!(r["read"], false);
    assert_eq!(
        r["path"].as_str().unwrap_or_default(),
        home.path()
            .join(".config/aws-oidc-wizard/config.toml")
            .display()
            .to_string()
    );
    assert_eq!(r["values"]["role_path"]["source"], "default");

    let dir = home.path().join(".config/aws-oidc-wizard");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(
        dir.join("config.toml"),
        "role_path = \"/ci/\"\n[variable]\nprotected = true\n",
    )
    .expect("config");
    let r = show(&["--output", "json"]).json();
    assert_eq!(r["read"], true);
    assert_eq!(r["values"]["role_path"]["value"], "/ci/");
    assert_eq!(r["values"]["role_path"]["source"], "config");
    assert_eq!(r["values"]["variable.protected"]["value"], true);
    assert_eq!(r["values"]["provider_url"]["source"], "default");
    let text = show(&[]);
    text.assert_code(0);
    assert!(
        text.stdout.lines().any(|l| l.starts_with("role_path =")
            && l.contains("\"/ci/\"")
            && l.ends_with("# config file")),
        "{}",
        text.stdout
    );
}
