//! Transient faults, through a fault-injecting proxy in front of the emulator: throttling and 5xx
//! are retried with bounded backoff; a dropped connection, a timeout or a refused connection fails
//! the step with a clear message and leaves it retryable: the next run finishes the setup.

mod common;

use std::time::Duration;

use common::proxy::{Fault, Proxy};
use common::{Emulator, attached_policies, providers, role_exists};

const ARGS: [&str; 7] = [
    "apply",
    "--project",
    "acme/web",
    "--role-name",
    "r",
    "--policy",
    "ReadOnlyAccess",
];

fn run_via(emu: &Emulator, endpoint: &str, extra_env: &[(&str, &str)]) -> common::Run {
    let mut cmd = emu.command();
    cmd.env("AWS_ENDPOINT_URL", endpoint).args(ARGS);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    common::Run::from(cmd.output().expect("run"))
}

fn converged(emu: &Emulator) {
    let iam = emu.iam();
    assert_eq!(providers(&iam).len(), 1);
    assert!(role_exists(&iam, "r"));
    assert_eq!(
        attached_policies(&iam, "r"),
        ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    );
}

#[test]
fn throttling_and_503_are_retried_within_bounds() {
    let emu = Emulator::start();
    let proxy = Proxy::start(&emu.endpoint);
    // The first call throttled twice, the sixth (CreateOpenIDConnectProvider) answered 503 twice.
    proxy.fault(1, 2, Fault::Status(400, "Throttling"));
    proxy.fault(6, 2, Fault::Status(503, "ServiceUnavailable"));
    let run = run_via(&emu, &proxy.url(), &[]);
    run.assert_code(0);
    // 7 calls, 4 retries; every call reached AWS once.
    assert_eq!(proxy.seen(), 7 + 4);
    assert_eq!(emu.calls().len(), 7);
    // Retries are requests sent, not changes: the changes are those AWS made.
    let made = emu.mutating_calls().len();
    assert!(
        run.stderr
            .contains(&format!("11 AWS calls, {made} of them changing something")),
        "{made} changes made: {}",
        run.stderr
    );
    converged(&emu);
}

#[test]
fn throttling_beyond_the_attempts_fails_with_words_and_a_rerun_finishes() {
    let emu = Emulator::start();
    let proxy = Proxy::start(&emu.endpoint);
    // CreateRole (call 6 after GetPolicy; the provider is call 5) throttled on every attempt.
    proxy.fault(6, 3, Fault::Status(400, "Throttling"));
    let run = run_via(&emu, &proxy.url(), &[]);
    run.assert_code(1);
    let last = run.stderr.lines().last().unwrap_or_default();
    assert!(
        last.contains("step \"role\": CreateRole failed: Throttling"),
        "{}",
        run.stderr
    );
    assert!(last.contains("throttled"), "{last}");
    assert_eq!(
        proxy.seen(),
        5 + 3,
        "bounded: three attempts, then it stops"
    );
    // The three refused CreateRole attempts changed nothing: only the provider was made.
    assert_eq!(emu.mutating_calls(), ["iam.CreateOpenIDConnectProvider"]);
    assert!(
        run.stderr
            .contains("8 AWS calls, 1 of them changing something"),
        "{}",
        run.stderr
    );
    assert!(!role_exists(&emu.iam(), "r"));
    run_via(&emu, &proxy.url(), &[]).assert_code(0);
    converged(&emu);
}

#[test]
fn a_dropped_connection_is_retried() {
    let emu = Emulator::start();
    let proxy = Proxy::start(&emu.endpoint);
    proxy.fault(2, 1, Fault::Drop);
    let run = run_via(&emu, &proxy.url(), &[]);
    run.assert_code(0);
    converged(&emu);
}

#[test]
fn a_timeout_fails_the_step_clearly_and_the_next_run_finishes() {
    let emu = Emulator::start();
    let proxy = Proxy::start(&emu.endpoint);
    // The attachment hangs on every attempt, past a 2 s attempt timeout. Matched by action, not
    // by request number: under load an earlier call may take a retry of its own.
    proxy.fault_on("AttachRolePolicy", 2, Fault::Delay(Duration::from_secs(5)));
    let env = [
        ("AWS_OIDC_WIZARD_ATTEMPT_TIMEOUT", "2"),
        ("AWS_MAX_ATTEMPTS", "2"),
    ];
    let run = run_via(&emu, &proxy.url(), &env);
    run.assert_code(1);
    let last = run.stderr.lines().last().unwrap_or_default();
    assert!(
        last.contains("step \"permissions\": AttachRolePolicy timed out"),
        "{}",
        run.stderr
    );
    assert!(last.contains("finished steps are not repeated"), "{last}");
    assert!(attached_policies(&emu.iam(), "r").is_empty());
    emu.reset_calls();
    run_via(&emu, &proxy.url(), &env).assert_code(0);
    converged(&emu);
    assert_eq!(
        emu.mutating_calls(),
        ["iam.AttachRolePolicy"],
        "only the missing step is done"
    );
}

#[test]
fn a_refused_connection_fails_with_words_and_nothing_is_half_made() {
    let emu = Emulator::start();
    // Nothing listens here.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let run = run_via(&emu, &url, &[]);
    run.assert_code(1);
    let last = run.stderr.lines().last().unwrap_or_default();
    assert!(
        last.contains("step \"identity\": GetCallerIdentity could not reach AWS"),
        "{}",
        run.stderr
    );
    assert!(last.contains("check the network"), "{last}");
    run_via(&emu, &emu.endpoint, &[]).assert_code(0);
    converged(&emu);
}
