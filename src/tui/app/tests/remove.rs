//! Remove.

use super::*;

#[test]
fn removing_shows_the_plan_then_asks() {
    let mut app = with_account();
    choose_task(&mut app, Task::Remove);
    send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(app.screen, Screen::Remove);
    app.focus = 0;
    typed(&mut app, "web");
    app.focus = 1;
    let effects = send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(
        effects,
        [Effect::PlanRemove {
            attempt: 1,
            role: "web".into(),
            force: false,
        }]
    );
    let plan = crate::destroy::DestroyPlan {
        leave_profiles: vec![],
        role: "web".into(),
        role_arn: "arn:aws:iam::123456789012:role/web".into(),
        detach: vec![],
        provider: crate::destroy::ProviderFate::None,
    };
    send(
        &mut app,
        [Msg::RemovePlanned {
            attempt: 1,
            result: Ok(Some(plan)),
        }],
    );
    assert!(send(&mut app, [key(KeyCode::Enter)]).is_empty());
    assert_eq!(app.confirm, Some(Confirm::Remove { role: "web".into() }));
    // The button does nothing before the role's name is typed, and typing it chooses Cancel.
    assert!(press_go(&mut app).is_empty());
    assert!(app.confirm.is_some() && app.buttons.refused.is_some());
    typed(&mut app, "webx");
    assert!(press_go(&mut app).is_empty());
    send(&mut app, [key(KeyCode::Backspace)]);
    assert!(send(&mut app, [key(KeyCode::Enter)]).is_empty());
    assert_eq!(app.confirm, None, "Enter on Cancel");
    send(&mut app, [key(KeyCode::Enter)]);
    typed(&mut app, "web");
    let effects = press_go(&mut app);
    assert!(
        matches!(&effects[..], [Effect::Remove { attempt: 1, .. }]),
        "{effects:?}"
    );
    send(
        &mut app,
        [Msg::Removed {
            attempt: 1,
            result: Ok(vec!["✓ deleted role".into()]),
        }],
    );
    assert!(matches!(app.remove.removed.state, Load::Loaded(_)));
}

#[test]
fn a_role_this_tool_did_not_make_is_removed_only_after_two_yeses() {
    let mut app = with_account();
    choose_task(&mut app, Task::Remove);
    send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(app.screen, Screen::Remove);
    app.focus = 0;
    typed(&mut app, "theirs");
    app.focus = 1;
    send(&mut app, [key(KeyCode::Enter)]);
    let not_ours = ErrorView::from(&crate::engine::EngineError::NotOurs {
        name: "theirs".into(),
    });
    assert!(!not_ours.hint.contains("--"), "{}", not_ours.hint);
    send(
        &mut app,
        [Msg::RemovePlanned {
            attempt: 1,
            result: Err(not_ours),
        }],
    );
    // f asks; n leaves it; y plans again with force, and removing still needs its own yes.
    assert!(send(&mut app, [key(KeyCode::Char('f'))]).is_empty());
    assert!(matches!(app.confirm, Some(Confirm::ForceRemove { .. })));
    assert!(send(&mut app, [key(KeyCode::Char('n'))]).is_empty());
    send(&mut app, [key(KeyCode::Char('f'))]);
    let effects = send(&mut app, [key(KeyCode::Char('y'))]);
    assert_eq!(
        effects,
        [Effect::PlanRemove {
            attempt: 2,
            role: "theirs".into(),
            force: true,
        }]
    );
}

#[test]
fn a_role_in_an_instance_profile_is_taken_out_only_after_two_yeses() {
    let mut app = with_account();
    choose_task(&mut app, Task::Remove);
    send(&mut app, [key(KeyCode::Enter)]);
    app.focus = 0;
    typed(&mut app, "web");
    app.focus = 1;
    send(&mut app, [key(KeyCode::Enter)]);
    let in_profile = ErrorView::from(&crate::engine::EngineError::InInstanceProfiles {
        name: "web".into(),
        profiles: vec!["ec2-web".into()],
    });
    assert!(!in_profile.hint.contains("--"), "{}", in_profile.hint);
    send(
        &mut app,
        [Msg::RemovePlanned {
            attempt: 1,
            result: Err(in_profile),
        }],
    );
    assert!(send(&mut app, [key(KeyCode::Char('f'))]).is_empty());
    assert!(matches!(
        &app.confirm,
        Some(Confirm::ForceRemove { in_profiles: true, why, .. }) if why.contains("ec2-web")
    ));
    let effects = send(&mut app, [key(KeyCode::Char('y'))]);
    assert!(
        matches!(effects.as_slice(), [Effect::PlanRemove { force: true, .. }]),
        "{effects:?}"
    );
}
