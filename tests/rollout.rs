//! `plan --org`, `apply --org` and `destroy --org` against the emulator's Organizations and
//! service-managed StackSets (moto, with tests/emulator/stacksets.py making it answer as AWS
//! does where it did not: providers as resources, failed instances, deployment targets at any
//! depth, template updates that change the resources).

mod common;

use common::org::{Org, join, organization};
use common::{Emulator, Run, block_on};

const ROLE: &str = "gitlab-acme-web";

fn rollout(emu: &Emulator, org: &Org, command: &str, policy: &str, extra: &[&str]) -> Run {
    rollout_to(emu, &org.dev_unit, command, policy, extra)
}

fn rollout_to(emu: &Emulator, unit: &str, command: &str, policy: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        command,
        "--org",
        "--ou",
        unit,
        "--project",
        "acme/web",
        "--role-name",
        ROLE,
        "--policy",
        policy,
        "--no-pin-namespace-ids",
    ];
    args.extend_from_slice(extra);
    emu.run(&args)
}

fn calls_of(emu: &Emulator, action: &str) -> usize {
    emu.calls()
        .iter()
        .filter(|c| c.ends_with(&format!(".{action}")))
        .count()
}

/// The operations the stack set has seen, as `ACTION STATUS`.
fn operations(emu: &Emulator) -> Vec<String> {
    let cfn = aws_sdk_cloudformation::Client::new(&emu.sdk_config(None));
    let out = block_on(
        cfn.list_stack_set_operations()
            .stack_set_name(format!("aws-oidc-wizard-{ROLE}"))
            .send(),
    )
    .expect("list operations");
    out.summaries()
        .iter()
        .map(|o| {
            format!(
                "{} {}",
                o.action().map(|a| a.as_str()).unwrap_or("?"),
                o.status().map(|s| s.as_str()).unwrap_or("?")
            )
        })
        .collect()
}

fn providers_in(emu: &Emulator, account: &str) -> Vec<String> {
    common::providers(&emu.iam_in(account))
}

#[test]
fn a_rollout_to_a_unit_keeps_the_provider_an_account_already_has() {
    let emu = Emulator::start();
    let org = organization(&emu);
    // `dev` has gitlab.com's provider already (its weak role uses it); `deep` has none, and is a
    // unit below the one named.
    assert_eq!(providers_in(&emu, &org.dev).len(), 1);
    assert!(providers_in(&emu, &org.deep).is_empty());

    emu.reset_calls();
    let plan = rollout(&emu, &org, "plan", "ReadOnlyAccess", &[]);
    plan.assert_code(0);
    assert!(
        plan.stdout.contains(&format!("{} dev: deploy", org.dev)),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("keep the OIDC provider for https://gitlab.com that is there"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains(&format!("{} deep: deploy", org.deep)),
        "{}",
        plan.stdout
    );
    assert!(
        emu.mutating_calls().is_empty(),
        "{:?}",
        emu.mutating_calls()
    );

    emu.reset_calls();
    let run = rollout(&emu, &org, "apply", "ReadOnlyAccess", &[]);
    run.assert_code(0);
    for account in [&org.dev, &org.deep] {
        let arn = format!("arn:aws:iam::{account}:role/{ROLE}");
        assert!(
            run.stdout
                .contains(&format!("{account} current      {arn}")),
            "{}",
            run.stdout
        );
        let iam = emu.iam_in(account);
        assert_eq!(
            common::attached_policies(&iam, ROLE),
            ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
        );
        let trust = common::trust_policy(&iam, ROLE);
        assert_eq!(
            trust["Statement"][0]["Principal"]["Federated"],
            format!("arn:aws:iam::{account}:oidc-provider/gitlab.com")
        );
    }
    // One provider each: dev's own, and the one the instance made in deep.
    assert_eq!(providers_in(&emu, &org.dev).len(), 1);
    assert_eq!(providers_in(&emu, &org.deep).len(), 1);
    // The stack set, then one operation per group: with the provider, and without.
    assert_eq!(calls_of(&emu, "CreateStackSet"), 1);
    assert_eq!(operations(&emu), ["CREATE SUCCEEDED", "CREATE SUCCEEDED"]);
    // The management account and the other units are not touched.
    assert!(!common::role_exists(&emu.iam(), ROLE));
    assert!(!common::role_exists(&emu.iam_in(&org.prod), ROLE));

    // A second identical run starts no operation, and plan says there is nothing to do.
    emu.reset_calls();
    let again = rollout(&emu, &org, "apply", "ReadOnlyAccess", &[]);
    again.assert_code(0);
    assert!(emu.mutating_calls().is_empty(), "{:?}", emu.calls());
    assert_eq!(operations(&emu).len(), 2);
    let converged = rollout(
        &emu,
        &org,
        "plan",
        "ReadOnlyAccess",
        &["--detailed-exitcode"],
    );
    converged.assert_code(0);
    assert!(
        converged.stdout.contains("nothing to do"),
        "{}",
        converged.stdout
    );

    // A changed policy is one update of the stack set, which changes every account's role; the
    // change to existing roles needs a yes.
    let unconfirmed = rollout(&emu, &org, "apply", "ViewOnlyAccess", &[]);
    unconfirmed.assert_code(3);
    assert_eq!(operations(&emu).len(), 2);
    emu.reset_calls();
    let changed = rollout(&emu, &org, "apply", "ViewOnlyAccess", &["--yes"]);
    changed.assert_code(0);
    assert_eq!(calls_of(&emu, "UpdateStackSet"), 1);
    assert!(
        !emu.calls()
            .iter()
            .any(|c| c.ends_with("StackInstances") && !c.ends_with("ListStackInstances")),
        "{:?}",
        emu.calls()
    );
    assert_eq!(operations(&emu).len(), 3);
    for account in [&org.dev, &org.deep] {
        assert_eq!(
            common::attached_policies(&emu.iam_in(account), ROLE),
            ["arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"]
        );
    }
    // dev's instance still leaves the provider to its owner.
    assert_eq!(providers_in(&emu, &org.dev).len(), 1);

    // destroy --org: the instances and the stack set; the provider dev had before stays, the
    // one the instance made in deep goes.
    let destroy = emu.run(&["destroy", "--org", "--role-name", ROLE, "--yes"]);
    destroy.assert_code(0);
    for account in [&org.dev, &org.deep] {
        assert!(!common::role_exists(&emu.iam_in(account), ROLE));
    }
    assert_eq!(providers_in(&emu, &org.dev).len(), 1);
    assert!(common::role_exists(
        &emu.iam_in(&org.dev),
        "gitlab-dev-deploy"
    ));
    assert!(providers_in(&emu, &org.deep).is_empty());
    let gone = emu.run(&["destroy", "--org", "--role-name", ROLE, "--yes"]);
    gone.assert_code(0);
    assert!(
        gone.stderr.contains("does not exist: nothing to remove"),
        "{}",
        gone.stderr
    );
}

#[test]
fn an_account_whose_instance_fails_is_named_with_the_reason() {
    let emu = Emulator::start();
    let org = organization(&emu);
    // A role of that name, made by hand in deep: its stack fails there.
    let iam = emu.iam_in(&org.deep);
    block_on(
        iam.create_role()
            .role_name(ROLE)
            .assume_role_policy_document("{\"Version\":\"2012-10-17\",\"Statement\":[]}")
            .send(),
    )
    .expect("create the role");
    let plan = rollout(&emu, &org, "plan", "ReadOnlyAccess", &[]);
    assert!(
        plan.stdout
            .contains("is already there, made outside this stack set"),
        "{}",
        plan.stdout
    );
    let run = rollout(&emu, &org, "apply", "ReadOnlyAccess", &[]);
    run.assert_code(1);
    assert!(
        run.stdout.contains(&format!("{} current", org.dev)),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!("{} failed", org.deep)),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains(&format!("1 account failed: {} (", org.deep)),
        "{}",
        run.stderr
    );
    // Once the hand-made role is gone, the next run deploys deep again and only deep, after a
    // yes (an outdated instance may hold a role that changes).
    block_on(iam.delete_role().role_name(ROLE).send()).expect("delete the role");
    rollout(&emu, &org, "apply", "ReadOnlyAccess", &[]).assert_code(3);
    emu.reset_calls();
    let again = rollout(&emu, &org, "apply", "ReadOnlyAccess", &["--yes"]);
    again.assert_code(0);
    assert_eq!(
        calls_of(&emu, "UpdateStackInstances"),
        1,
        "{:?}",
        emu.calls()
    );
    assert_eq!(calls_of(&emu, "CreateStackInstances"), 0);
    assert!(common::role_exists(&emu.iam_in(&org.deep), ROLE));
}

#[test]
fn a_rollout_killed_at_any_call_is_finished_by_the_next_without_a_second_operation() {
    let emu = Emulator::start();
    let org = organization(&emu);
    // How many AWS requests a whole rollout makes.
    emu.reset_calls();
    rollout(&emu, &org, "apply", "ReadOnlyAccess", &[]).assert_code(0);
    let total = emu.calls().len();
    emu.run(&["destroy", "--org", "--role-name", ROLE, "--yes"])
        .assert_code(0);
    for i in 1..=total {
        emu.reset_calls();
        emu.kill_after(i);
        let mut cmd = emu.command();
        cmd.args([
            "apply",
            "--org",
            "--ou",
            &org.dev_unit,
            "--project",
            "acme/web",
            "--role-name",
            ROLE,
            "--policy",
            "ReadOnlyAccess",
            "--no-pin-namespace-ids",
        ]);
        cmd.stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        let mut child = cmd.spawn().expect("start");
        emu.kill_pid(child.id());
        let _ = child.wait();
        emu.reset_calls();
        let resumed = rollout(&emu, &org, "apply", "ReadOnlyAccess", &[]);
        resumed.assert_code(0);
        for account in [&org.dev, &org.deep] {
            assert!(
                common::role_exists(&emu.iam_in(account), ROLE),
                "killed at call {i}"
            );
        }
        // One create per group, whichever run made it.
        assert_eq!(
            operations(&emu),
            ["CREATE SUCCEEDED", "CREATE SUCCEEDED"],
            "killed at call {i}"
        );
        emu.run(&["destroy", "--org", "--role-name", ROLE, "--yes"])
            .assert_code(0);
    }
}

#[test]
fn rollout_input_is_checked_before_any_call() {
    let emu = Emulator::start();
    for (args, words) in [
        (
            vec![
                "plan",
                "--org",
                "--project",
                "acme/web",
                "--role-name",
                ROLE,
            ],
            "--org needs --ou",
        ),
        (
            vec![
                "apply",
                "--org",
                "--ou",
                "ou-ab12-cdef3456",
                "--account",
                "123456789012",
                "--project",
                "acme/web",
                "--role-name",
                ROLE,
            ],
            "--account does not narrow a rollout",
        ),
        (
            vec![
                "apply",
                "--org",
                "--ou",
                "ou-ab12-cdef3456",
                "--project",
                "acme/web",
                "--role-name",
                ROLE,
                "--store-in-gitlab",
            ],
            "--store-in-gitlab",
        ),
        (
            vec![
                "plan",
                "--ou",
                "ou-ab12-cdef3456",
                "--project",
                "acme/web",
                "--role-name",
                ROLE,
            ],
            "--ou works with --org only",
        ),
        (
            vec![
                "apply",
                "--org",
                "--ou",
                "nope",
                "--project",
                "acme/web",
                "--role-name",
                ROLE,
            ],
            "--ou",
        ),
    ] {
        emu.reset_calls();
        let mut args = args.clone();
        args.push("--no-pin-namespace-ids");
        let run = emu.run(&args);
        run.assert_code(2);
        assert!(run.stderr.contains(words), "{args:?}: {}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(emu.calls().is_empty(), "{:?}", emu.calls());
    }
}

#[test]
fn a_changed_setup_never_reaches_accounts_outside_the_units_named() {
    let emu = Emulator::start();
    let org = organization(&emu);
    rollout(&emu, &org, "apply", "ReadOnlyAccess", &[]).assert_code(0);
    // The same role name, another setup, another unit: the stack set's update would rewrite the
    // role in dev and deep too. Refused before anything changes, even with --yes.
    emu.reset_calls();
    let other = rollout_to(&emu, &org.prod_unit, "apply", "ViewOnlyAccess", &["--yes"]);
    other.assert_code(1);
    assert!(
        other
            .stderr
            .contains("also has instances in 2 accounts outside the units named"),
        "{}",
        other.stderr
    );
    assert!(other.stderr.contains(&org.dev_unit), "{}", other.stderr);
    assert!(emu.mutating_calls().is_empty(), "{:?}", emu.calls());
    assert_eq!(
        common::attached_policies(&emu.iam_in(&org.dev), ROLE),
        ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    );
}

#[test]
fn destroy_leaves_every_provider_another_role_trusts() {
    let emu = Emulator::start();
    let org = organization(&emu);
    rollout(&emu, &org, "apply", "ReadOnlyAccess", &[]).assert_code(0);
    // In deep, the instance made the provider; then someone made a role of their own on it.
    let provider = format!("arn:aws:iam::{}:oidc-provider/gitlab.com", org.deep);
    let iam = emu.iam_in(&org.deep);
    let trust = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"gitlab.com:aud": "https://gitlab.com",
            "gitlab.com:sub": "project_path:acme/other:ref_type:branch:ref:main"}}}]});
    block_on(
        iam.create_role()
            .role_name("gitlab-other")
            .assume_role_policy_document(trust.to_string())
            .send(),
    )
    .expect("create the other role");
    emu.reset_calls();
    let refused = emu.run(&["destroy", "--org", "--role-name", ROLE, "--yes"]);
    refused.assert_code(1);
    assert!(
        refused.stderr.contains(&format!(
            "{}: its provider {provider} is trusted by gitlab-other, and this stack set's instance there may own it",
            org.deep
        )),
        "{}",
        refused.stderr
    );
    assert!(emu.mutating_calls().is_empty(), "{:?}", emu.calls());
    // dev's provider is its own (the instance was told not to make it): not a reason to refuse.
    assert!(
        !refused.stderr.contains(&format!("{}:", org.dev)),
        "{}",
        refused.stderr
    );
    assert_eq!(providers_in(&emu, &org.deep).len(), 1);
    // Once that role is gone, destroy goes through.
    block_on(iam.delete_role().role_name("gitlab-other").send()).expect("delete it");
    emu.run(&["destroy", "--org", "--role-name", ROLE, "--yes"])
        .assert_code(0);
    assert!(providers_in(&emu, &org.deep).is_empty());
    assert_eq!(providers_in(&emu, &org.dev).len(), 1);
}

#[test]
fn a_failed_update_is_rolled_back_and_the_next_run_keeps_every_provider() {
    let emu = Emulator::start();
    let org = organization(&emu);
    rollout(&emu, &org, "apply", "ReadOnlyAccess", &[]).assert_code(0);
    // A policy that does not exist: the update fails in every account and is rolled back.
    let failed = rollout(&emu, &org, "apply", "NoSuchPolicyAnywhere", &["--yes"]);
    failed.assert_code(1);
    assert!(
        failed.stderr.contains("2 accounts failed"),
        "{}",
        failed.stderr
    );
    for account in [&org.dev, &org.deep] {
        assert_eq!(providers_in(&emu, account).len(), 1);
        assert_eq!(
            common::attached_policies(&emu.iam_in(account), ROLE),
            ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
        );
    }
    // Fixed: one update of the stack set deploys both again; no instance is given another
    // CreateProvider, so deep keeps the provider its stack made.
    emu.reset_calls();
    let fixed = rollout(&emu, &org, "apply", "ReadOnlyAccess", &["--yes"]);
    fixed.assert_code(0);
    assert_eq!(calls_of(&emu, "UpdateStackSet"), 1, "{:?}", emu.calls());
    assert_eq!(
        calls_of(&emu, "UpdateStackInstances"),
        0,
        "{:?}",
        emu.calls()
    );
    for account in [&org.dev, &org.deep] {
        assert_eq!(providers_in(&emu, account).len(), 1);
        assert!(common::role_exists(&emu.iam_in(account), ROLE));
    }
}

#[test]
fn an_account_that_cannot_be_read_fails_the_rollout() {
    let emu = Emulator::start();
    let org = organization(&emu);
    block_on(
        emu.iam_in(&org.deep)
            .delete_role()
            .role_name("OrganizationAccountAccessRole")
            .send(),
    )
    .expect("delete the member role");
    let run = rollout(&emu, &org, "apply", "ReadOnlyAccess", &[]);
    run.assert_code(1);
    assert!(
        run.stdout.contains(&format!("{} unreadable", org.deep)),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("(AccessDenied)"), "{}", run.stdout);
    assert!(
        run.stdout.contains(&format!("{} current", org.dev)),
        "{}",
        run.stdout
    );
    // The plan says so too: it is not the whole plan (exit 1, whatever --detailed-exitcode).
    for extra in [&[][..], &["--detailed-exitcode"][..]] {
        let plan = rollout(&emu, &org, "plan", "ReadOnlyAccess", extra);
        plan.assert_code(1);
        assert!(
            plan.stdout
                .contains(&format!("{} deep: not read: it gets nothing", org.deep)),
            "{}",
            plan.stdout
        );
    }
}

#[test]
fn a_rollouts_provider_never_changes_and_every_instance_counts_for_a_yes() {
    let emu = Emulator::start();
    let org = organization(&emu);
    rollout(&emu, &org, "apply", "ReadOnlyAccess", &[]).assert_code(0);
    // Another audience would replace the provider deep's instance made, which other roles may
    // trust: refused, whatever else is asked.
    emu.reset_calls();
    let other = rollout(
        &emu,
        &org,
        "apply",
        "ReadOnlyAccess",
        &["--audience", "sts.amazonaws.com", "--yes"],
    );
    other.assert_code(1);
    assert!(
        other
            .stderr
            .contains("was rolled out for another provider URL or audience"),
        "{}",
        other.stderr
    );
    assert!(emu.mutating_calls().is_empty(), "{:?}", emu.calls());
    // A changed template reaches every instance, also where the member role cannot be read: the
    // yes is asked for both, and nothing changes without it.
    block_on(
        emu.iam_in(&org.deep)
            .delete_role()
            .role_name("OrganizationAccountAccessRole")
            .send(),
    )
    .expect("delete the member role");
    emu.reset_calls();
    let unconfirmed = rollout(&emu, &org, "apply", "ViewOnlyAccess", &[]);
    unconfirmed.assert_code(3);
    assert!(
        unconfirmed.stderr.contains("is updated in 2 accounts"),
        "{}",
        unconfirmed.stderr
    );
    assert!(emu.mutating_calls().is_empty(), "{:?}", emu.calls());
}

/// An account that joins a target unit later gets its instance from StackSets itself, with the
/// stack set's own parameter values and no override ("StackSets automatically deploys to
/// accounts that are added to the target organization or OUs",
/// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-orgs-manage-auto-deployment.html).
/// moto does not deploy when an account moves, so this makes that instance as StackSets would.
fn auto_deploy(emu: &Emulator, unit: &str, account: &str) {
    let cfn = aws_sdk_cloudformation::Client::new(&emu.sdk_config(None));
    let name = format!("aws-oidc-wizard-{ROLE}");
    let region = block_on(cfn.list_stack_instances().stack_set_name(&name).send())
        .expect("instances")
        .summaries()[0]
        .region()
        .unwrap()
        .to_string();
    block_on(
        cfn.create_stack_instances()
            .stack_set_name(&name)
            .deployment_targets(
                aws_sdk_cloudformation::types::DeploymentTargets::builder()
                    .organizational_unit_ids(unit)
                    .accounts(account)
                    .account_filter_type(
                        aws_sdk_cloudformation::types::AccountFilterType::Intersection,
                    )
                    .build(),
            )
            .regions(region)
            .send(),
    )
    .expect("auto-deploy");
}

#[test]
fn accounts_that_join_later_never_fail_on_their_provider_and_the_next_run_adds_a_missing_one() {
    let emu = Emulator::start();
    let org = organization(&emu);
    rollout(&emu, &org, "apply", "ReadOnlyAccess", &[]).assert_code(0);
    // Two accounts join the unit: one with gitlab.com's provider (and a role of its own on it),
    // one with none. StackSets deploys to both with the stack set's own values.
    let with = join(&emu, "joined-with", &org.dev_unit);
    common::org::weak_role(&emu, &with, "gitlab-their-deploy");
    let bare = join(&emu, "joined-bare", &org.dev_unit);
    auto_deploy(&emu, &org.dev_unit, &with);
    auto_deploy(&emu, &org.dev_unit, &bare);
    // Neither failed: the stack set says CreateProvider=false. (With the template's default,
    // `with` failed on EntityAlreadyExists, for good.)
    for account in [&with, &bare] {
        assert!(common::role_exists(&emu.iam_in(account), ROLE), "{account}");
    }
    assert_eq!(providers_in(&emu, &with).len(), 1);
    assert!(providers_in(&emu, &bare).is_empty());

    // The next run reads every account: the bare one's instance is told to make its provider
    // (false to true, one operation); nothing else changes.
    let plan = rollout(&emu, &org, "plan", "ReadOnlyAccess", &[]);
    plan.assert_code(0);
    assert!(
        plan.stdout
            .contains(&format!("{bare} joined-bare: create its provider")),
        "{}",
        plan.stdout
    );
    let before = operations(&emu).len();
    emu.reset_calls();
    let run = rollout(&emu, &org, "apply", "ReadOnlyAccess", &[]);
    run.assert_code(0);
    assert_eq!(operations(&emu).len(), before + 1, "{:?}", operations(&emu));
    assert_eq!(calls_of(&emu, "UpdateStackInstances"), 1);
    assert_eq!(providers_in(&emu, &bare).len(), 1);
    assert!(
        run.stdout.contains(&format!(
            "{bare} current      arn:aws:iam::{bare}:role/{ROLE}"
        )),
        "{}",
        run.stdout
    );
    // A third run starts nothing.
    emu.reset_calls();
    rollout(&emu, &org, "apply", "ReadOnlyAccess", &[]).assert_code(0);
    assert_eq!(operations(&emu).len(), before + 1);

    // destroy: the provider the bare account's stack made goes with it; the one the other
    // account had stays (its own role trusts it, and its instance never owned it).
    emu.run(&["destroy", "--org", "--role-name", ROLE, "--yes"])
        .assert_code(0);
    assert!(providers_in(&emu, &bare).is_empty());
    assert_eq!(providers_in(&emu, &with).len(), 1);
    assert!(!common::role_exists(&emu.iam_in(&with), ROLE));
}
