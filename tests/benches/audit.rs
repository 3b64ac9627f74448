//! Whole-process timings of `check --all` over an account of 1,000 GitLab roles, through a
//! latency-injecting proxy in front of the emulator (0 ms, and 50 ms per request as from a
//! region far from IAM's endpoint): the one-read path (`GetAccountAuthorizationDetails`) and the
//! one-by-one path (that call denied: `ListRoles` and each role's policies, 16 at a time).
//! Run with `cargo bench --bench audit`; it needs the emulator venv (`bash tests/run` makes it).
//! Prints one line per case: the best of three runs, and the requests the run sent.
#![allow(
    clippy::disallowed_macros,
    reason = "a test or bench prints its figures"
)]

#[path = "../common/mod.rs"]
#[allow(unused_imports)]
mod common;

use std::time::{Duration, Instant};

use common::proxy::{Fault, Proxy};
use common::{Emulator, block_on};

const ROLES: usize = 1000;

fn trust(i: usize) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/gitlab.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {
                "gitlab.com:aud": "https://gitlab.com",
                "gitlab.com:sub": format!("project_path:acme/app-{i}:ref_type:branch:ref:main")
            }}
        }]
    })
    .to_string()
}

/// 1,000 GitLab roles, each with one policy attached, and the provider they name.
fn seed(emu: &Emulator) {
    let iam = emu.iam();
    block_on(async {
        iam.create_open_id_connect_provider()
            .url("https://gitlab.com")
            .client_id_list("https://gitlab.com")
            .send()
            .await
            .expect("provider");
        for chunk in (0..ROLES).collect::<Vec<_>>().chunks(50) {
            let made = chunk.iter().map(|i| {
                let iam = iam.clone();
                async move {
                    let name = format!("gitlab-acme-app-{i:04}");
                    iam.create_role()
                        .role_name(&name)
                        .assume_role_policy_document(trust(*i))
                        .send()
                        .await
                        .expect("role");
                    iam.attach_role_policy()
                        .role_name(&name)
                        .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
                        .send()
                        .await
                        .expect("attach");
                }
            });
            futures_util::future::join_all(made).await;
        }
    });
}

fn time_check(emu: &Emulator, proxy: &Proxy, denied: bool) -> (Duration, usize, String) {
    let mut best = Duration::MAX;
    let mut sent = 0;
    let mut way = String::new();
    for _ in 0..3 {
        if denied {
            proxy.fault_on(
                "GetAccountAuthorizationDetails",
                1,
                Fault::Status(403, "AccessDenied"),
            );
        }
        let before = proxy.seen();
        let mut cmd = emu.command();
        cmd.env("AWS_ENDPOINT_URL", proxy.url()).args([
            "check",
            "--all",
            "--offline",
            "--output",
            "json",
        ]);
        let started = Instant::now();
        let out = cmd.output().expect("run check");
        let took = started.elapsed();
        let reports: serde_json::Value = serde_json::from_slice(&out.stdout).expect("check's JSON");
        assert_eq!(
            reports["result"].as_array().map(Vec::len),
            Some(ROLES),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        way = String::from_utf8_lossy(&out.stderr)
            .lines()
            .next()
            .unwrap_or_default()
            .chars()
            .take(60)
            .collect();
        best = best.min(took);
        sent = proxy.seen() - before;
    }
    (best, sent, way)
}

fn main() {
    let emu = Emulator::start();
    seed(&emu);
    let proxy = Proxy::start(&emu.endpoint);
    println!("check --all, {ROLES} GitLab roles (best of 3 whole-process runs):");
    for latency in [0, 50] {
        proxy.set_latency(Duration::from_millis(latency));
        for denied in [false, true] {
            let (took, sent, way) = time_check(&emu, &proxy, denied);
            println!(
                "  {latency:>3} ms/request  {:<28} {:>7.2} s  {sent:>5} requests  ({way}…)",
                if denied {
                    "one by one (GAAD denied)"
                } else {
                    "GetAccountAuthorizationDetails"
                },
                took.as_secs_f64()
            );
        }
    }
}
