//! Explain.

use super::*;

#[test]
fn explain_and_remove_offer_the_gitlab_roles_to_pick() {
    let mut app = with_account();
    choose_task(&mut app, Task::Remove);
    let effects = send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(app.screen, Screen::Remove);
    let Some(Effect::ListGitLabRoles { attempt }) = effects.first() else {
        panic!("{effects:?}");
    };
    let attempt = *attempt;
    send(
        &mut app,
        [Msg::GitLabRoles {
            attempt,
            result: Ok(vec!["api".into(), "web".into()]),
        }],
    );
    app.focus = 0;
    send(&mut app, [ctrl('n')]);
    assert_eq!(app.target_role.value, "api");
    send(&mut app, [ctrl('n')]);
    assert_eq!(app.target_role.value, "web");
    send(&mut app, [ctrl('n')]);
    assert_eq!(app.target_role.value, "api", "round");
    send(&mut app, [ctrl('p')]);
    assert_eq!(app.target_role.value, "web");
    assert_eq!(app.focused(), Element::TargetRole);
}

/// ↓ and ↑ move between fields everywhere, the Region field too; Ctrl-N/Ctrl-P pick from its
/// list. Enter in Explain's first field explains once a token is there (one key, not four).
#[test]
fn arrows_move_between_fields_and_enter_explains_from_any_field() {
    let mut app = with_account();
    app.focus = 1;
    assert_eq!(app.focused(), Element::Region);
    send(&mut app, [key(KeyCode::Down)]);
    assert_eq!(app.focused(), Element::Task);
    assert_eq!(app.account.region.value, "", "the region is left as it was");
    app.focus = 1;
    send(&mut app, [ctrl('n')]);
    assert_eq!(app.account.region.value, crate::plan::input::REGIONS[0]);

    let mut app = with_account();
    app.task = Task::Explain;
    app.go_to(Screen::Explain);
    typed(&mut app, "gitlab-acme-web");
    app.explain.token.set("eyJhbGciOiJSUzI1NiJ9.e30.sig");
    let effects = send(&mut app, [key(KeyCode::Enter)]);
    assert!(
        matches!(&effects[..], [Effect::Explain { .. }]),
        "{effects:?}"
    );
}
