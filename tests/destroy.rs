//! `destroy` against the emulator: a shared provider is kept (and the role keeping it named), the
//! tool's own provider goes with its last role, and nothing happens without a yes.

mod common;

use common::{Emulator, block_on, providers, role_exists};

const PROVIDER: &str = "arn:aws:iam::123456789012:oidc-provider/gitlab.com";

fn setup(emu: &Emulator, role: &str, project: &str) {
    emu.run(&[
        "apply",
        "--project",
        project,
        "--role-name",
        role,
        "--policy",
        "ReadOnlyAccess",
    ])
    .assert_code(0);
}

#[test]
fn shared_provider_kept_own_provider_removed_with_its_last_role() {
    let emu = Emulator::start();
    setup(&emu, "web", "acme/web");
    setup(&emu, "api", "acme/api");
    let iam = emu.iam();
    emu.reset_calls();

    // Without --yes (and no terminal): the plan, exit 1, nothing changed.
    let refused = emu.run(&["destroy", "--role-name", "web"]);
    refused.assert_code(3);
    assert!(
        refused
            .stderr
            .contains("Role      delete   arn:aws:iam::123456789012:role/web"),
        "{}",
        refused.stderr
    );
    assert!(
        refused
            .stderr
            .contains("Policy    detach   arn:aws:iam::aws:policy/ReadOnlyAccess")
    );
    assert!(
        refused.stderr.contains("still trusted by: api"),
        "{}",
        refused.stderr
    );
    assert!(emu.mutating_calls().is_empty());

    emu.run(&["destroy", "--role-name", "web", "--yes"])
        .assert_code(0);
    assert!(!role_exists(&iam, "web"));
    assert_eq!(providers(&iam), [PROVIDER], "api still trusts it");
    assert_eq!(
        emu.mutating_calls(),
        ["iam.DetachRolePolicy", "iam.DeleteRole"]
    );

    let last = emu.run(&["destroy", "--role-name", "api", "--yes", "--output", "json"]);
    last.assert_code(0);
    assert_eq!(last.json()["plan"]["provider"]["fate"], "delete");
    assert!(!role_exists(&iam, "api"));
    assert!(providers(&iam).is_empty());

    // Idempotent: nothing left to remove.
    let again = emu.run(&["destroy", "--role-name", "api", "--yes"]);
    again.assert_code(0);
    assert!(
        again.stderr.contains("nothing to remove"),
        "{}",
        again.stderr
    );
}

#[test]
fn a_provider_and_role_made_by_someone_else_are_left_alone() {
    let emu = Emulator::start();
    let iam = emu.iam();
    block_on(
        iam.create_open_id_connect_provider()
            .url("https://gitlab.com")
            .client_id_list("https://gitlab.com")
            .send(),
    )
    .expect("seed provider");
    setup(&emu, "web", "acme/web");
    // The role is ours (created by apply); the provider is not (adopted).
    let run = emu.run(&["destroy", "--role-name", "web", "--yes"]);
    run.assert_code(0);
    assert!(
        run.stderr.contains("not created by aws-oidc-wizard"),
        "{}",
        run.stderr
    );
    assert_eq!(providers(&iam), [PROVIDER]);

    // A role someone else made needs --force.
    let doc = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated": PROVIDER}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"gitlab.com:sub": "project_path:x/y:ref_type:branch:ref:main"}}}]});
    block_on(
        iam.create_role()
            .role_name("theirs")
            .assume_role_policy_document(doc.to_string())
            .send(),
    )
    .expect("seed role");
    let refused = emu.run(&["destroy", "--role-name", "theirs", "--yes"]);
    refused.assert_code(1);
    assert!(refused.stderr.contains("--force"), "{}", refused.stderr);
    assert!(role_exists(&iam, "theirs"));
    emu.run(&["destroy", "--role-name", "theirs", "--yes", "--force"])
        .assert_code(0);
    assert!(!role_exists(&iam, "theirs"));
}

/// IAM refuses `DeleteRole` while the role is in an instance profile ("Deleting roles or instance
/// profiles", IAM User Guide): the plan asks `ListInstanceProfilesForRole` and refuses before any
/// change; `--force` takes the role out of the profile first.
#[test]
fn a_role_in_an_instance_profile_is_refused_before_any_change_or_taken_out_with_force() {
    let emu = Emulator::start();
    setup(&emu, "web", "acme/web");
    let iam = emu.iam();
    block_on(
        iam.create_instance_profile()
            .instance_profile_name("ec2-web")
            .send(),
    )
    .expect("seed profile");
    block_on(
        iam.add_role_to_instance_profile()
            .instance_profile_name("ec2-web")
            .role_name("web")
            .send(),
    )
    .expect("seed profile role");
    emu.reset_calls();

    let refused = emu.run(&["destroy", "--role-name", "web", "--yes"]);
    refused.assert_code(1);
    assert!(
        refused
            .stderr
            .contains("role web is in instance profile ec2-web"),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("--force"), "{}", refused.stderr);
    assert!(
        emu.mutating_calls().is_empty(),
        "{:?}",
        emu.mutating_calls()
    );
    assert!(role_exists(&iam, "web"));

    emu.run(&["destroy", "--role-name", "web", "--yes", "--force"])
        .assert_code(0);
    assert!(!role_exists(&iam, "web"));
    assert_eq!(
        emu.mutating_calls(),
        [
            "iam.RemoveRoleFromInstanceProfile",
            "iam.DetachRolePolicy",
            "iam.DeleteOpenIDConnectProvider",
            "iam.DeleteRole"
        ]
    );
}

/// A provider stays while any role's trust can still be satisfied by its tokens, whatever the
/// principal form: `Principal: "*"` and `{"Federated": "*"}` let every OIDC provider's tokens in
/// ("AWS JSON policy elements: Principal", IAM User Guide: "*" is everyone), and a trust that
/// repeats a key may be read either way. The reading is `check --all`'s, which lists these roles.
/// A role whose conditions no token can meet does not keep it.
#[test]
fn a_provider_is_kept_while_any_principal_form_still_lets_its_tokens_in() {
    let emu = Emulator::start();
    let iam = emu.iam();
    let statement = |principal: serde_json::Value, sub: &str| {
        serde_json::json!({"Effect": "Allow", "Principal": principal,
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"gitlab.com:aud": "https://gitlab.com",
                                           "gitlab.com:sub": sub}}})
    };
    let seed = |name: &str, doc: String| {
        block_on(
            iam.create_role()
                .role_name(name)
                .assume_role_policy_document(doc)
                .send(),
        )
        .expect("seed role");
    };
    let sub = "project_path:acme/ops:ref_type:branch:ref:main";
    let repeated = format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"Federated": "arn:aws:iam::123456789012:oidc-provider/other.example", "Federated": "{PROVIDER}"}}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {{"StringEquals": {{"gitlab.com:sub": "{sub}"}}}}}}]}}"#
    );
    for (principal, name) in [
        (serde_json::json!("*"), "star"),
        (serde_json::json!({"Federated": "*"}), "federated-star"),
    ] {
        setup(&emu, "web", "acme/web");
        seed(
            name,
            serde_json::json!({"Version": "2012-10-17", "Statement": [statement(principal, sub)]})
                .to_string(),
        );
        let listed = emu.run(&["check", "--all", "--output", "json"]);
        assert!(
            listed.stdout.contains(&format!("\"{name}\"")),
            "check --all lists {name}"
        );
        let run = emu.run(&["destroy", "--role-name", "web", "--yes"]);
        run.assert_code(0);
        assert!(
            run.stderr.contains(&format!("still trusted by: {name}")),
            "{}",
            run.stderr
        );
        assert_eq!(providers(&iam), [PROVIDER], "{name} keeps it");
        emu.reset();
    }

    // Repeated keys: one reading names the provider.
    setup(&emu, "web", "acme/web");
    seed("repeated", repeated);
    let run = emu.run(&["destroy", "--role-name", "web", "--yes"]);
    run.assert_code(0);
    assert!(
        run.stderr.contains("still trusted by: repeated"),
        "{}",
        run.stderr
    );
    assert_eq!(providers(&iam), [PROVIDER]);
    emu.reset();

    // A self-managed issuer that no condition names: `"*"` lets its tokens in all the same.
    emu.run(&[
        "apply",
        "--provider-url",
        "https://gitlab.example.com",
        "--skip-preflight",
        "--project",
        "acme/web",
        "--role-name",
        "web",
        "--policy",
        "ReadOnlyAccess",
    ])
    .assert_code(0);
    seed(
        "anyone",
        serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": "*", "Action": "sts:AssumeRoleWithWebIdentity"}]})
        .to_string(),
    );
    let run = emu.run(&["destroy", "--role-name", "web", "--yes"]);
    run.assert_code(0);
    assert!(
        run.stderr.contains("still trusted by: anyone"),
        "{}",
        run.stderr
    );
    assert_eq!(
        providers(&iam),
        ["arn:aws:iam::123456789012:oidc-provider/gitlab.example.com"]
    );
    emu.reset();

    // A role no token of the provider can satisfy (an audience it never issues) does not keep it.
    setup(&emu, "web", "acme/web");
    let dead = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": "*", "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"gitlab.com:aud": "https://gitlab.com",
                                       "gitlab.com:sub": sub},
                      "Null": {"gitlab.com:sub": "true"}}}]});
    seed("dead", dead.to_string());
    let run = emu.run(&["destroy", "--role-name", "web", "--yes"]);
    run.assert_code(0);
    assert!(providers(&iam).is_empty(), "{}", run.stderr);
}

/// `destroy` killed right after any of its AWS calls is finished by the next run: the role, its
/// attachments and the tool's own provider are all gone, and nothing else is touched.
#[test]
fn a_destroy_killed_at_any_call_is_finished_by_the_next() {
    let emu = Emulator::start();
    let iam = emu.iam();
    let destroy = ["destroy", "--role-name", "web", "--yes"];
    setup(&emu, "web", "acme/web");
    emu.reset_calls();
    emu.run(&destroy).assert_code(0);
    let k = emu.calls().len();
    for i in 1..=k {
        emu.reset();
        setup(&emu, "web", "acme/web");
        emu.reset_calls();
        emu.kill_after(i);
        let child = emu
            .command()
            .args(destroy)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        emu.kill_pid(child.id());
        let out = child.wait_with_output().expect("wait");
        assert_eq!(out.status.code(), None, "run {i} must have been killed");
        let rerun = emu.run(&destroy);
        rerun.assert_code(0);
        assert!(
            !role_exists(&iam, "web"),
            "killed after call {i}: {}",
            rerun.stderr
        );
        assert!(
            providers(&iam).is_empty(),
            "killed after call {i}, the provider is left: {}",
            rerun.stderr
        );
    }
}
