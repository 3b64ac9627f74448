//! Whole-process timings of `check --org` over an Organization of member accounts with 100
//! GitLab roles each (one of them weak), through a latency-injecting proxy in front of the
//! emulator (0 ms, and 50 ms per request). Two sizes, 30 and 100 member accounts, to show how
//! time and memory grow. Peak memory is the process's maximum resident set, as
//! `/usr/bin/time -f %M` reports it.
//! Run with `cargo bench --bench org`; it needs the emulator venv (`bash tests/run` makes it).
#![allow(
    clippy::disallowed_macros,
    reason = "a test or bench prints its figures"
)]

#[path = "../common/mod.rs"]
#[allow(unused_imports)]
mod common;

use std::time::Duration;

use common::proxy::Proxy;
use common::{Emulator, block_on};

const ROLES: usize = 100;

fn trust(account: &str, project: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": format!("arn:aws:iam::{account}:oidc-provider/gitlab.com")},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {"gitlab.com:aud": "https://gitlab.com"},
                "StringLike": {"gitlab.com:sub": format!("project_path:{project}:ref_type:branch:ref:main")}
            }
        }]
    })
    .to_string()
}

/// `accounts` member accounts under the root, each with gitlab.com's provider and 100 roles:
/// 99 for one project each, and one for every project of the group.
fn seed(emu: &Emulator, accounts: usize) -> Vec<String> {
    let orgs = emu.organizations();
    block_on(orgs.create_organization().send()).expect("organization");
    let ids: Vec<String> = (0..accounts)
        .map(|i| {
            block_on(
                orgs.create_account()
                    .email(format!("member-{i}@example.com"))
                    .account_name(format!("member-{i}"))
                    .send(),
            )
            .expect("account")
            .create_account_status()
            .and_then(|s| s.account_id())
            .expect("id")
            .to_string()
        })
        .collect();
    for id in &ids {
        let iam = emu.iam_in(id);
        block_on(async {
            iam.create_open_id_connect_provider()
                .url("https://gitlab.com")
                .client_id_list("https://gitlab.com")
                .send()
                .await
                .expect("provider");
            let made = (0..ROLES).map(|r| {
                let iam = iam.clone();
                let id = id.clone();
                async move {
                    let project = if r == 0 {
                        "acme/*".to_string()
                    } else {
                        format!("acme/app-{r}")
                    };
                    iam.create_role()
                        .role_name(format!("gitlab-app-{r:03}"))
                        .assume_role_policy_document(trust(&id, &project))
                        .send()
                        .await
                        .expect("role");
                }
            });
            futures_util::future::join_all(made).await;
        });
    }
    ids
}

/// Best of three: wall time, peak memory (KB), requests sent, weak roles found, and the CPU
/// time of the process itself (user + system), which the emulator's own time is not part of.
fn time_check(
    emu: &Emulator,
    proxy: &Proxy,
    accounts: usize,
) -> (Duration, u64, usize, usize, f64) {
    let mut best = (Duration::MAX, 0, 0, 0, 0.0);
    for _ in 0..3 {
        let before = proxy.seen();
        let mut cmd = std::process::Command::new("/usr/bin/time");
        cmd.env_clear();
        for (k, v) in emu.env_pairs() {
            cmd.env(k, v);
        }
        cmd.env("AWS_ENDPOINT_URL", proxy.url());
        cmd.args([
            "-f",
            "%e %M %U %S",
            common::BIN,
            "check",
            "--org",
            "--offline",
            "--output",
            "json",
        ]);
        let out = cmd
            .output()
            .expect("run /usr/bin/time (apt-get install time)");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let last = stderr.lines().last().unwrap_or_default().to_string();
        let mut parts = last.split_whitespace();
        let secs: f64 = parts
            .next()
            .and_then(|s| s.parse().ok())
            .expect("time's %e");
        let kb: u64 = parts
            .next()
            .and_then(|s| s.parse().ok())
            .expect("time's %M");
        let cpu: f64 = parts.map(|s| s.parse::<f64>().unwrap_or(0.0)).sum();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("check's JSON");
        let result = &report["result"];
        assert_eq!(
            result["accounts"].as_array().map(Vec::len),
            Some(accounts + 1),
            "{stderr}"
        );
        assert!(
            result["accounts"]
                .as_array()
                .unwrap()
                .iter()
                .all(|a| a["unreadable"].is_null()),
            "{stderr}"
        );
        let weak = result["roles"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| {
                r["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f["code"] == "sub-matches-group")
            })
            .count();
        let took = Duration::from_secs_f64(secs);
        if took < best.0 {
            best = (took, kb, proxy.seen() - before, weak, cpu);
        }
    }
    best
}

fn main() {
    println!(
        "check --org, member accounts of {ROLES} GitLab roles each (best of 3 whole-process runs):"
    );
    for accounts in [30, 100] {
        let emu = Emulator::start();
        seed(&emu, accounts);
        let proxy = Proxy::start(&emu.endpoint);
        for latency in [0, 50] {
            proxy.set_latency(Duration::from_millis(latency));
            let (took, kb, sent, weak, cpu) = time_check(&emu, &proxy, accounts);
            println!(
                "  {accounts:>3} accounts  {latency:>3} ms/request  {:>6.2} s wall  {cpu:>5.2} s CPU  {:>4} MB peak  {sent:>5} requests  {weak} of {accounts} weak roles found",
                took.as_secs_f64(),
                kb / 1024
            );
        }
    }
}
