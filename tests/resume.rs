//! A run killed at any point is finished by the next run: the process is SIGKILLed right after each
//! of the k calls of a fresh setup in turn (the emulator carries the call out, then kills the caller
//! before it hears back), then the same command runs again, and the end state must be identical to
//! an uninterrupted run: no duplicate provider, no second role, no policy attached twice.

mod common;

use common::{Emulator, block_on};
use serde_json::{Value, json};

const ROLE: &str = "gitlab-acme-web";

fn args() -> Vec<&'static str> {
    vec![
        "apply",
        "--project",
        "acme/web",
        "--role-name",
        ROLE,
        "--policy",
        "ReadOnlyAccess",
        "--policy",
        "AmazonS3ReadOnlyAccess",
        "--max-session-duration",
        "7200",
    ]
}

/// Everything the setup consists of, as one comparable value.
fn end_state(emu: &Emulator) -> Value {
    let iam = emu.iam();
    block_on(async {
        let providers = iam
            .list_open_id_connect_providers()
            .send()
            .await
            .expect("providers");
        let mut provider_states = Vec::new();
        for p in providers.open_id_connect_provider_list() {
            let arn = p.arn().unwrap_or_default();
            let got = iam
                .get_open_id_connect_provider()
                .open_id_connect_provider_arn(arn)
                .send()
                .await
                .expect("provider");
            let tags: Vec<(String, String)> = got
                .tags()
                .iter()
                .map(|t| (t.key().to_string(), t.value().to_string()))
                .collect();
            provider_states
                .push(json!({"arn": arn, "client_ids": got.client_id_list(), "tags": tags}));
        }
        let roles = iam.list_roles().send().await.expect("roles");
        let role_names: Vec<String> = roles
            .roles()
            .iter()
            .map(|r| r.role_name().to_string())
            .collect();
        let role = iam.get_role().role_name(ROLE).send().await.expect("role");
        let role = role.role().expect("role");
        let trust = aws_oidc_wizard::aws::sdk::decode_policy_document(
            role.assume_role_policy_document().unwrap_or("{}"),
        )
        .expect("trust");
        let tags: Vec<(String, String)> = role
            .tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect();
        let attached = iam
            .list_attached_role_policies()
            .role_name(ROLE)
            .send()
            .await
            .expect("attached");
        let mut attached: Vec<String> = attached
            .attached_policies()
            .iter()
            .filter_map(|p| p.policy_arn().map(str::to_string))
            .collect();
        attached.sort();
        json!({
            "providers": provider_states,
            "roles": role_names,
            "role": {"arn": role.arn(), "trust": trust, "tags": tags, "max_session": role.max_session_duration(),
                     "description": role.description()},
            "attached": attached,
        })
    })
}

#[test]
fn killed_after_each_call_the_next_run_finishes_identically() {
    let emu = Emulator::start();
    emu.run(&args()).assert_code(0);
    let k = emu.calls().len();
    let reference = end_state(&emu);
    assert_eq!(
        k,
        5 + 2 * 2,
        "a fresh setup with two policies takes 9 calls"
    );

    for i in 1..=k {
        emu.reset();
        emu.kill_after(i);
        let child = emu
            .command()
            .args(args())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        emu.kill_pid(child.id());
        let out = child.wait_with_output().expect("wait");
        assert_eq!(
            out.status.code(),
            None,
            "run {i} must have been killed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "a killed run prints no ARN");
        let killed_at = emu.calls();
        // Calls of one wave go side by side: the others of call i's wave may be out too.
        assert!(
            killed_at.len() >= i,
            "killed right after call {i}: {killed_at:?}"
        );

        let rerun = emu.run(&args());
        rerun.assert_code(0);
        assert_eq!(
            rerun.stdout,
            "arn:aws:iam::123456789012:role/gitlab-acme-web\n"
        );
        // Nothing done by the killed run is done again: mutating calls across both runs are the
        // same as one uninterrupted run's.
        let mutating: Vec<String> = emu.mutating_calls();
        assert_eq!(
            end_state(&emu),
            reference,
            "after a kill following call {i} ({})",
            killed_at[i - 1]
        );
        assert_eq!(
            mutating,
            [
                "iam.CreateOpenIDConnectProvider",
                "iam.CreateRole",
                "iam.AttachRolePolicy",
                "iam.AttachRolePolicy"
            ],
            "after a kill following call {i}"
        );
    }
}
