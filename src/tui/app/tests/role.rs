//! Role: whether the named role exists.

use super::*;

#[test]
fn the_role_screen_says_whether_the_name_exists_as_it_is_typed() {
    let mut app = on_trust();
    app.focus = app.elements().len() - 1;
    let effects = send(&mut app, [key(KeyCode::Enter)]); // Permissions
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::LookupRole { name, .. } if name == "gitlab-acme-web")),
        "{effects:?}"
    );
    app.focus = app.elements().len() - 1;
    let effects = send(&mut app, [key(KeyCode::Enter)]); // Role
    assert_eq!(app.screen, Screen::Role);
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::LookupRole { .. })),
        "one GetRole for Permissions and Role: {effects:?}"
    );
    // Typing: the old answer is dropped; the look-up waits for a pause in typing.
    app.focus = 0;
    let effects = typed(&mut app, "-v2");
    assert!(
        effects.is_empty() && app.role.existing.state == Load::Idle,
        "{effects:?}"
    );
    let effects = send(&mut app, (0..6).map(|_| Msg::Tick));
    let Some(Effect::LookupRole { attempt, name }) = effects.first() else {
        panic!("{effects:?}");
    };
    assert_eq!(name, "gitlab-acme-web-v2");
    let attempt = *attempt;
    // A late answer for the first name is ignored.
    send(
        &mut app,
        [Msg::RoleLookup {
            attempt: attempt - 1,
            result: Ok(None),
        }],
    );
    assert_eq!(app.role.existing.state, Load::Loading);
    let existing = ExistingRole {
        name: "gitlab-acme-web-v2".into(),
        path: "/".into(),
        ours: true,
        attached: vec![],
    };
    send(
        &mut app,
        [Msg::RoleLookup {
            attempt,
            result: Ok(Some(existing.clone())),
        }],
    );
    assert_eq!(app.role.existing.state, Load::Loaded(Some(existing)));
}
