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

/// What the Role screen leaves as it is, the command line leaves out: the same setup, so that a
/// role that exists keeps its session length, path, description and boundary unless they are
/// typed (a filled-in 3600 shortened a role's 43200 unasked).
#[test]
fn untouched_role_fields_are_the_command_lines_defaults() {
    let input = on_trust().setup_input();
    let cli = crate::plan::SetupInput::default();
    assert_eq!(input.max_session_duration, cli.max_session_duration);
    assert_eq!(input.role_path, cli.role_path);
    assert_eq!(input.description, cli.description);
    assert_eq!(input.permissions_boundary, cli.permissions_boundary);
}
