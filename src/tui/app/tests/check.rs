//! Check, Explain and Remove run to their results.

use super::*;

#[test]
fn a_task_run_to_its_result_ends_with_success() {
    let mut app = with_account();
    choose_task(&mut app, Task::Check);
    let effects = send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(app.screen, Screen::Check);
    assert_eq!(app.end(), End::Nothing, "not before the result");
    let Some(Effect::Check { attempt }) = effects.first() else {
        panic!("{effects:?}");
    };
    let attempt = *attempt;
    send(
        &mut app,
        [Msg::Checked {
            attempt,
            result: Ok(vec![]),
        }],
    );
    assert_eq!(app.end(), End::TaskDone);
}

/// The footer's keys on the screen now.
fn offers(app: &App, label: &str) -> bool {
    app.bindings().iter().any(|b| b.active && b.label == label)
}

#[test]
fn the_check_screen_offers_the_organization_only_where_the_account_may_audit_it() {
    let mut app = with_account();
    choose_task(&mut app, Task::Check);
    let effects = send(&mut app, [key(KeyCode::Enter)]);
    let Some(Effect::FindOrganization { attempt }) = effects.get(1).cloned() else {
        panic!("{effects:?}");
    };
    // Not offered until known, nor where the account may not audit one: o does nothing.
    assert!(!offers(&app, "o"));
    assert!(send(&mut app, [key(KeyCode::Char('o'))]).is_empty());
    send(
        &mut app,
        [Msg::OrganizationFound {
            attempt,
            found: None,
        }],
    );
    assert!(!offers(&app, "o"));
    assert!(send(&mut app, [key(KeyCode::Char('o'))]).is_empty());
    assert!(!app.check.whole);

    // Another account that may: o audits every account, with progress, then shows it.
    let mut app = with_account();
    choose_task(&mut app, Task::Check);
    send(&mut app, [key(KeyCode::Enter)]);
    let org = crate::aws::org::Organization {
        id: "o-demo0000".into(),
        management_account: "123456789012".into(),
    };
    send(
        &mut app,
        [Msg::OrganizationFound {
            attempt: 1,
            found: Some(org),
        }],
    );
    assert!(offers(&app, "o"));
    let effects = send(&mut app, [key(KeyCode::Char('o'))]);
    assert_eq!(effects, [Effect::CheckOrg { attempt: 1 }]);
    assert!(app.check.whole && offers(&app, "a") && !offers(&app, "o"));
    let progress = crate::check::org::Progress {
        accounts_done: 1,
        accounts: 4,
        roles: 2,
    };
    send(
        &mut app,
        [Msg::OrgProgress {
            attempt: 1,
            progress,
        }],
    );
    assert_eq!(app.check.progress, Some(progress));
    // r checks the Organization again while it is shown; a late answer of the first is dropped.
    assert_eq!(
        send(&mut app, [key(KeyCode::Char('r'))]),
        [Effect::CheckOrg { attempt: 2 }]
    );
    let audit = crate::check::org::OrgAudit {
        organization: "o-demo0000".into(),
        management_account: "123456789012".into(),
        member_role: "OrganizationAccountAccessRole".into(),
        accounts: Vec::new(),
        roles: Vec::new(),
    };
    send(
        &mut app,
        [Msg::OrgChecked {
            attempt: 1,
            result: Ok(Box::new(audit.clone())),
        }],
    );
    assert!(app.check.org_result.loaded().is_none());
    send(
        &mut app,
        [Msg::OrgChecked {
            attempt: 2,
            result: Ok(Box::new(audit)),
        }],
    );
    assert!(app.check.org_result.loaded().is_some());
    // a goes back to this account's audit without asking AWS again.
    assert!(send(&mut app, [key(KeyCode::Char('a'))]).is_empty());
    assert!(!app.check.whole);
}
