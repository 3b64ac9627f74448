//! Permissions: the policy list, the filter, custom ARNs.

use super::*;

#[test]
fn admin_policies_need_an_explicit_yes() {
    let mut app = on_trust();
    app.focus = app.elements().len() - 1;
    send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(app.screen, Screen::Permissions);
    send(
        &mut app,
        [Msg::Policies {
            attempt: 1,
            result: Ok(policy_list()),
        }],
    );
    typed(&mut app, "admin");
    assert_eq!(app.permissions.filtered.len(), 1);
    send(&mut app, [key(KeyCode::Tab), key(KeyCode::Char(' '))]);
    assert!(matches!(app.confirm, Some(Confirm::AdminPolicy { .. })));
    send(&mut app, [key(KeyCode::Char('n'))]);
    assert!(app.permissions.selected.is_empty());
    send(&mut app, [key(KeyCode::Char(' ')), key(KeyCode::Char('y'))]);
    assert!(
        app.permissions
            .selected
            .contains("arn:aws:iam::aws:policy/AdministratorAccess")
    );
    // Space again unselects, without asking.
    send(&mut app, [key(KeyCode::Char(' '))]);
    assert!(app.permissions.selected.is_empty() && app.confirm.is_none());
}

#[test]
fn the_filter_puts_names_starting_with_it_first() {
    let mut app = on_trust();
    app.focus = app.elements().len() - 1;
    send(&mut app, [key(KeyCode::Enter)]);
    send(
        &mut app,
        [Msg::Policies {
            attempt: 1,
            result: Ok(policy_list()),
        }],
    );
    typed(&mut app, "readonly");
    assert_eq!(app.permissions.filtered.len(), 3);
    assert_eq!(
        app.cursor_policy().map(|p| p.name.as_str()),
        Some("ReadOnlyAccess")
    );
}

#[test]
fn a_custom_arn_is_checked_before_it_is_selected_and_can_be_removed() {
    let mut app = on_trust();
    app.focus = app.elements().len() - 1;
    send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(app.screen, Screen::Permissions);
    app.focus = app
        .elements()
        .iter()
        .position(|e| *e == Element::CustomPolicy)
        .unwrap();
    let arn = "arn:aws:iam::123456789012:policy/deploy";
    // A typo: AWS says there is no such policy; nothing is selected.
    typed(&mut app, "arn:aws:iam::123456789012:policy/deplyo");
    let effects = send(&mut app, [key(KeyCode::Enter)]);
    let Some(Effect::CheckPolicy { attempt, arn: typo }) = effects.first().cloned() else {
        panic!("{effects:?}");
    };
    send(
        &mut app,
        [Msg::PolicyChecked {
            attempt,
            arn: typo,
            result: Ok(None),
        }],
    );
    assert!(app.permissions.selected.is_empty());
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.contains("does not exist"))
    );
    // The right one: checked, then selected.
    send(
        &mut app,
        [Msg::Key(KeyEvent::new(
            KeyCode::Char('u'),
            KeyModifiers::CONTROL,
        ))],
    );
    typed(&mut app, arn);
    let effects = send(&mut app, [key(KeyCode::Enter)]);
    let Some(Effect::CheckPolicy { attempt, .. }) = effects.first().cloned() else {
        panic!("{effects:?}");
    };
    let found = ManagedPolicy {
        arn: arn.into(),
        name: "deploy".into(),
        attachable: true,
    };
    send(
        &mut app,
        [Msg::PolicyChecked {
            attempt,
            arn: arn.into(),
            result: Ok(Some(found)),
        }],
    );
    assert!(app.permissions.selected.contains(arn));
    assert!(app.permissions.custom_policy.value.is_empty());
    // Entered again: removed, with no AWS call.
    typed(&mut app, arn);
    assert!(send(&mut app, [key(KeyCode::Enter)]).is_empty());
    assert!(!app.permissions.selected.contains(arn));
}
