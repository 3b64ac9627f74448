//! `arn`: the role ARN of a setup this tool made, against the emulator. With one setup no name is
//! needed; with several the command names them (exit 2); a role made by someone else is never
//! counted as a setup; the calls are one ListRoles and a GetRole per GitLab role, or one GetRole
//! with a name.

mod common;

use common::Emulator;

fn apply(emu: &Emulator, project: &str, role: &str) {
    emu.run(&[
        "apply",
        "--project",
        project,
        "--role-name",
        role,
        "--policy",
        "ReadOnlyAccess",
        "--no-pin-namespace-ids",
    ])
    .assert_code(0);
}

#[test]
fn arn_prints_the_setup_of_the_account() {
    let emu = Emulator::start();
    let none = emu.run(&["arn"]);
    assert_eq!(none.code, 1, "{}", none.stderr);
    assert!(none.stdout.is_empty());
    assert!(
        none.stderr.contains("no setup made by aws-oidc-wizard"),
        "{}",
        none.stderr
    );

    apply(&emu, "acme/web", "gitlab-acme-web");
    // A GitLab role someone else made: not a setup of this tool.
    emu.run(&[
        "apply",
        "--project",
        "acme/other",
        "--role-name",
        "theirs",
        "--no-pin-namespace-ids",
    ])
    .assert_code(0);
    let iam = emu.iam();
    common::block_on(
        iam.untag_role()
            .role_name("theirs")
            .tag_keys("managed-by")
            .send(),
    )
    .expect("untag");

    emu.reset_calls();
    let one = emu.run(&["arn"]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    assert_eq!(
        one.stdout,
        "arn:aws:iam::123456789012:role/gitlab-acme-web\n"
    );
    let mut calls = emu.calls();
    calls.sort();
    assert_eq!(calls, ["iam.GetRole", "iam.GetRole", "iam.ListRoles"]);

    apply(&emu, "acme/api", "gitlab-acme-api");
    let two = emu.run(&["arn"]);
    assert_eq!(two.code, 2, "{}", two.stderr);
    assert!(two.stdout.is_empty());
    assert_eq!(
        two.stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .count(),
        1
    );
    assert!(
        two.stderr.contains("gitlab-acme-api, gitlab-acme-web")
            && two.stderr.contains("--role-name"),
        "{}",
        two.stderr
    );

    emu.reset_calls();
    let named = emu.run(&["arn", "--role-name", "gitlab-acme-api", "--output", "json"]);
    assert_eq!(named.code, 0, "{}", named.stderr);
    assert_eq!(
        named.json()["role_arn"],
        "arn:aws:iam::123456789012:role/gitlab-acme-api"
    );
    assert_eq!(emu.calls(), ["iam.GetRole"]);

    let missing = emu.run(&["arn", "--role-name", "nope"]);
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("no role nope"),
        "{}",
        missing.stderr
    );
    emu.reset_calls();
    let bad = emu.run(&["arn", "--role-name", "bad name"]);
    assert_eq!(bad.code, 2);
    assert!(emu.calls().is_empty(), "no call with bad input");
}
