//! Bad input and missing credentials: clear one-line messages, the right exit codes, and no AWS call
//! made with bad input (counted by the emulator).
#![allow(clippy::disallowed_macros, reason = "a test prints its figures")]

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Blackhole, Emulator, run_with_guard};

#[test]
fn each_bad_input_class_exits_2_naming_the_flag_with_zero_calls() {
    let emu = Emulator::start();
    let base = ["apply", "--project", "acme/web"];
    let cases: &[(&[&str], &str)] = &[
        (&["--role-name", "bad name"], "--role-name"),
        (&["--role-name", &"r".repeat(65)], "--role-name"),
        (&["--provider-url", "http://gitlab.com"], "--provider-url"),
        (
            &["--provider-url", "https://gitlab.example.com:8443"],
            "--provider-url",
        ),
        (
            &["--provider-url", "https://gitlab.example.com/?a=b"],
            "--provider-url",
        ),
        (&["--audience", &"a".repeat(256)], "--audience"),
        (&["--max-session-duration", "900"], "--max-session-duration"),
        (
            &["--max-session-duration", "50000"],
            "--max-session-duration",
        ),
        (
            &["--permissions-boundary", "arn:aws:iam::aws:role/Nope"],
            "--permissions-boundary",
        ),
        (&["--policy", "arn:aws:s3:::bucket"], "--policy"),
        (&["--project", "*/*"], "--project"),
        (&["--ref", "bad ref"], "--ref"),
        // Refs git forbids, and inputs no GitLab token ever carries.
        (&["--ref", "a.lock"], "--ref"),
        (&["--ref", "a/.b"], "--ref"),
        (&["--ref", "@"], "--ref"),
        (&["--ref", "a@{b"], "--ref"),
        (&["--ref", "refs/heads/main"], "--ref"),
        (&["--project", "acme/web.git"], "--project"),
        (&["--project-id", "12ab"], "--project-id"),
        (&["--role-path", "no-slashes"], "--role-path"),
        (&["--description", &"d".repeat(1001)], "--description"),
        (&["--region", "eu-west"], "--region"),
        // A well-formed name of no region: it would be written into the CI job.
        (&["--region", "us-east-9"], "--region"),
        // A path copied from the address bar, host first: GitLab's sub has none.
        (&["--project", "gitlab.com/acme/web"], "--project"),
        (
            &[
                "--provider-url",
                "https://git.example.org",
                "--project",
                "git.example.org/acme/web",
            ],
            "--project",
        ),
    ];
    for (extra, flag) in cases {
        let mut args: Vec<&str> = base.to_vec();
        args.extend_from_slice(extra);
        if !extra.contains(&"--role-name") {
            args.extend(["--role-name", "ok-role"]);
        }
        let run = emu.run(&args);
        assert_eq!(run.code, 2, "{extra:?}: {}", run.stderr);
        assert_eq!(
            run.stderr.lines().count(),
            1,
            "{extra:?}: one line, got:\n{}",
            run.stderr
        );
        assert!(
            run.stderr.starts_with(&format!("error: {flag} ")),
            "{extra:?}: {}",
            run.stderr
        );
        assert!(run.stdout.is_empty());
    }
    // The hint says what GitLab's token carries instead.
    for (extra, hint) in [
        (["--ref", "refs/heads/main"], "GitLab's claim is `main`"),
        (["--project", "acme/web.git"], "did you mean acme/web?"),
    ] {
        let mut args: Vec<&str> = base.to_vec();
        args.extend_from_slice(&extra);
        args.extend(["--role-name", "ok-role"]);
        let run = emu.run(&args);
        assert!(run.stderr.contains(hint), "{extra:?}: {}", run.stderr);
    }
    // Missing required flags and a trust policy over the quota are bad input too.
    let run = emu.run(&["apply", "--role-name", "x"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--project"), "{}", run.stderr);
    let many: Vec<String> = (0..40)
        .map(|i| format!("acme/project-with-a-long-name-{i}"))
        .collect();
    let mut args = vec!["plan", "--role-name", "x"];
    for p in &many {
        args.extend(["--project", p.as_str()]);
    }
    let run = emu.run(&args);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("over IAM's 2048-character quota"),
        "{}",
        run.stderr
    );
    // An unknown flag is a usage error: one line, exit 2.
    let run = emu.run(&[
        "apply",
        "--project",
        "a/b",
        "--role-name",
        "x",
        "--frobnicate",
    ]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);

    assert!(
        emu.calls().is_empty(),
        "bad input made AWS calls: {:?}",
        emu.calls()
    );
}

#[test]
fn no_credentials_is_a_clear_message_and_exit_1() {
    let emu = Emulator::start();
    let mut cmd = emu.command();
    cmd.env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .args(["plan", "--project", "acme/web", "--role-name", "r"]);
    let (run, took) = run_with_guard(cmd, Duration::from_secs(60));
    eprintln!("no credentials: returned in {took:?}");
    run.assert_code(1);
    let last = run.stderr.lines().last().unwrap_or_default();
    assert!(
        last.contains("no AWS credentials were found"),
        "{}",
        run.stderr
    );
    assert!(last.contains("--profile"), "{}", run.stderr);
    assert!(last.contains("step \"identity\""), "{}", run.stderr);
    assert!(
        !run.stderr.contains("DispatchFailure"),
        "no SDK debug dump: {}",
        run.stderr
    );
    assert!(emu.calls().is_empty());
}

/// With instance metadata enabled but answering nothing (a loopback socket that never replies),
/// the product still gives up by itself instead of hanging.
#[test]
fn a_silent_instance_metadata_service_does_not_hang_the_product() {
    let emu = Emulator::start();
    let imds = Blackhole::start();
    let mut cmd = emu.command();
    cmd.env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_EC2_METADATA_DISABLED")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url())
        .args(["plan", "--project", "acme/web", "--role-name", "r"]);
    let (run, took) = run_with_guard(cmd, Duration::from_secs(60));
    eprintln!("silent instance metadata: returned in {took:?}");
    run.assert_code(1);
    assert!(
        imds.accepted() > 0,
        "the credentials chain did try instance metadata"
    );
    assert!(run.stderr.contains("credentials"), "{}", run.stderr);
    assert!(emu.calls().is_empty());
}

/// Ctrl-C (SIGINT) or a stop from outside (SIGTERM: a cancelled CI job, `kill`) while a call
/// hangs: exit 130, the same words for both, and they do not claim the call in flight was not
/// done.
#[test]
fn interrupt_and_terminate_exit_130_and_say_what_may_have_been_done() {
    let emu = Emulator::start();
    for signal in ["-INT", "-TERM"] {
        let aws = Blackhole::start();
        let mut cmd = emu.command();
        cmd.env("AWS_ENDPOINT_URL", aws.url())
            .args(["apply", "--project", "acme/web", "--role-name", "r"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let child = cmd.spawn().expect("spawn");
        aws.wait_for_connection(Duration::from_secs(30));
        let status = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        let run = common::Run::from(child.wait_with_output().expect("wait"));
        run.assert_code(130);
        assert!(
            run.stderr.contains("interrupted: every step marked ✓ is done, and the AWS call in flight, if any, may have been done too; run the same command again: it adopts whatever was done and finishes"),
            "{signal}: {}",
            run.stderr
        );
        assert!(run.stdout.is_empty());
    }
}

/// `--profile`, `--region` and `--endpoint-url` work like the AWS CLI's, without the environment.
#[test]
fn global_flags_select_profile_region_and_endpoint() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("dir");
    let credentials = dir.path().join("credentials");
    std::fs::write(
        &credentials,
        "[ci]\naws_access_key_id = AKIDPROFILETEST\naws_secret_access_key = profile-secret-not-real\n",
    )
    .expect("write credentials");
    let mut cmd = emu.command();
    cmd.env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_REGION")
        .env("AWS_SHARED_CREDENTIALS_FILE", &credentials)
        .args([
            "--profile",
            "ci",
            "--region",
            "eu-west-1",
            "--endpoint-url",
            &emu.endpoint,
            "plan",
            "--project",
            "acme/web",
            "--role-name",
            "r",
        ]);
    let run = common::Run::from(cmd.output().expect("run"));
    run.assert_code(0);
    assert!(
        run.stderr.contains("profile ci, region eu-west-1"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("profile-secret-not-real")
            && !run.stdout.contains("profile-secret-not-real")
    );
    // The caller, then the provider and the role side by side.
    let mut calls = emu.calls();
    calls[1..].sort();
    assert_eq!(
        calls,
        [
            "sts.GetCallerIdentity",
            "iam.GetOpenIDConnectProvider",
            "iam.GetRole"
        ]
    );

    // A profile that does not exist: exit 1 with words, nothing sent.
    let mut cmd = emu.command();
    cmd.env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("AWS_SHARED_CREDENTIALS_FILE", &credentials)
        .args([
            "--profile",
            "nope",
            "plan",
            "--project",
            "acme/web",
            "--role-name",
            "r",
        ]);
    let run = common::Run::from(cmd.output().expect("run"));
    run.assert_code(1);
    let last = run.stderr.lines().last().unwrap_or_default();
    assert!(
        last.contains("step \"identity\"")
            && last.contains(
                "profile nope is not in ~/.aws/config or ~/.aws/credentials; known profiles: ci"
            ),
        "{}",
        run.stderr
    );

    // With keys in the environment too, a missing profile is still refused (as the AWS CLI
    // refuses it), not quietly replaced by those keys under the profile's name; nothing is sent.
    emu.reset_calls();
    for how in ["flag", "AWS_PROFILE"] {
        let mut cmd = emu.command();
        cmd.env("AWS_SHARED_CREDENTIALS_FILE", &credentials);
        if how == "flag" {
            cmd.args(["--profile", "nope"]);
        } else {
            cmd.env("AWS_PROFILE", "nope");
        }
        cmd.args(["plan", "--project", "acme/web", "--role-name", "r"]);
        let run = common::Run::from(cmd.output().expect("run"));
        run.assert_code(1);
        assert!(
            run.stderr.contains("profile nope is not in")
                && run.stderr.contains("known profiles: ci"),
            "{how}: {}",
            run.stderr
        );
        assert!(run.stdout.is_empty());
    }
    assert!(emu.calls().is_empty(), "nothing sent: {:?}", emu.calls());
}

/// Off EC2, with no credentials anywhere, the default chain ends at instance metadata, which may
/// refuse (403, as in a sandbox): the message is the plain "no credentials were found", not the
/// SDK's chain of IMDS errors.
#[test]
fn an_instance_metadata_refusal_is_reported_as_no_credentials() {
    use std::io::{Read, Write};
    let emu = Emulator::start();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(
                b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    let mut cmd = emu.command();
    cmd.env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_EC2_METADATA_DISABLED")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &url)
        .args(["plan", "--project", "acme/web", "--role-name", "r"]);
    let (run, _) = run_with_guard(cmd, Duration::from_secs(60));
    run.assert_code(1);
    let last = run.stderr.lines().last().unwrap_or_default();
    assert!(
        last.contains("no AWS credentials were found (in the environment, the AWS config files or instance metadata)"),
        "{}",
        run.stderr
    );
    assert!(!last.contains("IMDS session token"), "{last}");
    assert!(emu.calls().is_empty());
}
