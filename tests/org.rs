//! `check --org` against the emulator's Organizations: accounts made with `CreateAccount`, units
//! made with `CreateOrganizationalUnit`, and every member account read through `AssumeRole` into
//! its OrganizationAccountAccessRole (the credentials moto returns act in that account; the
//! harness refuses `AssumeRole` into a role that is not there, as AWS does).

mod common;

use common::org::organization;
use common::{ACCOUNT, Emulator, block_on};
use serde_json::Value;

fn account_entry<'a>(result: &'a Value, id: &str) -> &'a Value {
    result["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account"] == id)
        .unwrap_or_else(|| panic!("no entry for {id} in {result:#}"))
}

#[test]
fn a_weak_role_in_a_member_account_is_found_with_its_account_id() {
    let emu = Emulator::start();
    let org = organization(&emu);
    emu.reset_calls();
    let run = emu.run(&["check", "--org", "--offline", "--output", "json"]);
    run.assert_code(4);
    let result = &run.envelope()["result"];
    assert_eq!(result["management_account"], ACCOUNT);
    // Every account, each read: the management account with the caller's own keys.
    for id in [ACCOUNT, &org.dev, &org.deep, &org.prod] {
        let entry = account_entry(result, id);
        assert!(entry["unreadable"].is_null(), "{entry}");
    }
    let roles = result["roles"].as_array().unwrap();
    assert!(roles.iter().all(|r| r["account"].is_string()), "{result:#}");
    let weak: Vec<&Value> = roles
        .iter()
        .filter(|r| !r["findings"].as_array().unwrap().is_empty())
        .collect();
    assert_eq!(weak.len(), 1, "{result:#}");
    assert_eq!(weak[0]["account"], org.dev.as_str());
    assert_eq!(weak[0]["role"], "gitlab-dev-deploy");
    assert_eq!(
        weak[0]["arn"],
        format!("arn:aws:iam::{}:role/gitlab-dev-deploy", org.dev)
    );
    let codes: Vec<&str> = weak[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"sub-matches-group"), "{codes:?}");
    // One AssumeRole per member account, none for the caller's own; nothing changed.
    let calls = emu.calls();
    assert_eq!(
        calls.iter().filter(|c| *c == "sts.AssumeRole").count(),
        3,
        "{calls:?}"
    );
    assert!(emu.mutating_calls().is_empty(), "{calls:?}");

    // In text, grouped by account.
    let text = emu.run(&["check", "--org", "--offline"]);
    text.assert_code(4);
    let at = |s: &str| {
        text.stdout
            .find(s)
            .unwrap_or_else(|| panic!("{s} not in\n{}", text.stdout))
    };
    assert!(at(&format!("== account {} dev", org.dev)) < at("gitlab-dev-deploy"));
    assert!(
        text.stdout
            .contains("4 accounts (0 not read), 1 role checked"),
        "{}",
        text.stdout
    );

    // In the merge request formats, each entry names its account, and both are valid.
    for format in ["codequality", "sarif"] {
        let entries = common::check_report(&emu, &["--org", "--offline"], format);
        assert!(!entries.is_empty(), "{format}");
        for e in &entries {
            let account = if format == "sarif" {
                &e["properties"]["account"]
            } else {
                &e["account"]
            };
            assert_eq!(account, org.dev.as_str(), "{e}");
        }
    }
}

#[test]
fn an_account_that_cannot_be_read_is_reported_by_name_and_fails_the_run() {
    let emu = Emulator::start();
    let org = organization(&emu);
    // The member role is gone from `deep`: AssumeRole is refused there.
    let iam = emu.iam_in(&org.deep);
    block_on(
        iam.delete_role()
            .role_name("OrganizationAccountAccessRole")
            .send(),
    )
    .expect("delete the member role");
    // `prod` is closed: Organizations lists it as suspended, and it is not read.
    block_on(
        emu.organizations()
            .close_account()
            .account_id(&org.prod)
            .send(),
    )
    .expect("close the account");
    emu.reset_calls();
    let run = emu.run(&["check", "--org", "--offline", "--output", "json"]);
    run.assert_code(1);
    let closed = account_entry(&run.envelope()["result"], &org.prod).clone();
    assert_eq!(closed["status"], "suspended", "{closed}");
    assert_eq!(closed["unreadable"]["code"], "AccountNotActive", "{closed}");
    assert_eq!(
        closed["unreadable"]["reason"], "the account is suspended",
        "{closed}"
    );
    // Only the two readable members were assumed into, and the one whose role is gone.
    assert_eq!(
        emu.calls()
            .iter()
            .filter(|c| *c == "sts.AssumeRole")
            .count(),
        2
    );
    let result = &run.envelope()["result"];
    let entry = account_entry(result, &org.deep);
    assert_eq!(entry["name"], "deep");
    assert_eq!(entry["unreadable"]["code"], "AccessDenied", "{entry}");
    assert!(
        entry["unreadable"]["reason"]
            .as_str()
            .unwrap()
            .contains("could not assume OrganizationAccountAccessRole"),
        "{entry}"
    );
    assert!(
        run.stderr.contains("2 accounts could not be read: ")
            && run.stderr.contains(&org.deep)
            && run.stderr.contains(&org.prod),
        "{}",
        run.stderr
    );
    // The rest was still read: the weak role is in the report.
    assert!(
        result["roles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["account"] == org.dev.as_str())
    );

    // Text names it; --allow-unreadable leaves the exit code to the findings.
    let text = emu.run(&["check", "--org", "--offline", "--allow-unreadable"]);
    text.assert_code(4);
    assert!(
        text.stdout.contains(&format!(
            "== account {} deep\n  ! not read: could not assume OrganizationAccountAccessRole",
            org.deep
        )),
        "{}",
        text.stdout
    );
}

#[test]
fn units_and_accounts_narrow_the_audit() {
    let emu = Emulator::start();
    let org = organization(&emu);
    // The dev unit holds dev and, one level down, deep.
    let run = emu.run(&[
        "check",
        "--org",
        "--offline",
        "--ou",
        &org.dev_unit,
        "--output",
        "json",
    ]);
    run.assert_code(4);
    let envelope = run.envelope();
    let ids: Vec<&str> = envelope["result"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account"].as_str().unwrap())
        .collect();
    let mut want = vec![org.dev.as_str(), org.deep.as_str()];
    want.sort();
    assert_eq!(ids, want);

    let run = emu.run(&[
        "check",
        "--org",
        "--offline",
        "--account",
        &org.prod,
        "--account",
        "999999999999",
        "--output",
        "json",
    ]);
    run.assert_code(1);
    let result = &run.envelope()["result"];
    assert_eq!(
        result["accounts"].as_array().unwrap().len(),
        2,
        "{result:#}"
    );
    assert!(account_entry(result, &org.prod)["unreadable"].is_null());
    assert_eq!(
        account_entry(result, "999999999999")["unreadable"]["code"],
        "NotInOrganization"
    );
}

#[test]
fn bad_organization_input_is_refused_before_any_call() {
    let emu = Emulator::start();
    for (args, flag) in [
        (vec!["check", "--org", "--ou", "dev"], "--ou"),
        (vec!["check", "--org", "--account", "12345"], "--account"),
        (
            vec!["check", "--org", "--member-role-name", "bad name"],
            "--member-role-name",
        ),
    ] {
        emu.reset_calls();
        let run = emu.run(&args);
        run.assert_code(2);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(run.stderr.contains(flag), "{}", run.stderr);
        assert!(emu.calls().is_empty(), "{:?}", emu.calls());
    }
    // Scope flags need --org.
    let run = emu.run(&["check", "--all", "--ou", "ou-ab12-cdef3456"]);
    run.assert_code(2);
}

#[test]
fn outside_an_organization_or_without_the_right_says_so() {
    let emu = Emulator::start();
    let run = emu.run(&["check", "--org", "--offline"]);
    run.assert_code(1);
    assert!(
        run.stderr.contains("is not in an AWS Organization"),
        "{}",
        run.stderr
    );

    organization(&emu);
    emu.fail("ListAccounts", "AccessDeniedException");
    let run = emu.run(&["check", "--org", "--offline"]);
    run.assert_code(1);
    assert!(
        run.stderr.contains("neither the Organization's management account (123456789012) nor a delegated administrator"),
        "{}",
        run.stderr
    );
}
