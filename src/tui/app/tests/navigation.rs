//! Moving through the screens: focus, Enter, Esc, clicks, pastes, and stale answers.

use super::*;

#[test]
fn going_on_and_back() {
    let mut app = with_account();
    let effects = send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(app.screen, Screen::Provider);
    assert!(
        matches!(&effects[..], [Effect::LookupProvider { arn, .. }] if arn == "arn:aws:iam::123456789012:oidc-provider/gitlab.com"),
        "{effects:?}"
    );
    send(&mut app, [key(KeyCode::Esc)]);
    assert_eq!(app.screen, Screen::Account);
    // Esc on the first screen stays there.
    send(&mut app, [key(KeyCode::Esc)]);
    assert_eq!(app.screen, Screen::Account);
}

#[test]
fn next_stays_disabled_until_the_answers_are_valid() {
    let mut app = with_account();
    send(&mut app, [key(KeyCode::Enter)]);
    app.focus = app.elements().len() - 1;
    send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(app.screen, Screen::Trust);
    app.focus = app.elements().len() - 1;
    send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(app.screen, Screen::Trust, "no project yet");
    assert_eq!(
        app.focused(),
        Element::Projects,
        "the focus goes to the field to fix"
    );
    assert!(
        app.error(Element::Projects)
            .unwrap_or_default()
            .contains("required")
    );
    typed(&mut app, "*/*");
    assert!(
        app.error(Element::Projects)
            .unwrap_or_default()
            .contains("top-level group")
    );
    send(
        &mut app,
        [Msg::Key(KeyEvent::new(
            KeyCode::Char('u'),
            KeyModifiers::CONTROL,
        ))],
    );
    typed(&mut app, "acme/web");
    assert_eq!(app.error(Element::Projects), None);
    app.focus = app.elements().len() - 1;
    let effects = send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(app.screen, Screen::Permissions);
    assert!(
        matches!(
            effects[..],
            [
                Effect::LookupRole { .. },
                Effect::LoadPolicies { .. },
                Effect::SaveJournal(_)
            ]
        ),
        "{effects:?}"
    );
}

#[test]
fn typing_question_marks_and_qs_in_a_field_is_text_not_a_command() {
    let mut app = on_trust();
    typed(&mut app, "q?");
    assert!(!app.quit && !app.help);
    assert!(app.trust.projects.value.ends_with("q?"));
    app.focus = app.elements().len() - 1;
    send(&mut app, [key(KeyCode::Char('?'))]);
    assert!(app.help);
    send(&mut app, [key(KeyCode::Esc)]);
    assert!(!app.help);
}

#[test]
fn stale_results_are_ignored() {
    let mut app = with_account();
    // A second connect (another profile) supersedes the first; the first's late answer must
    // not win.
    app.focus = 0;
    typed(&mut app, "prod");
    let effects = send(&mut app, [key(KeyCode::Enter)]);
    assert!(
        matches!(effects[..], [Effect::Connect { attempt: 2, .. }]),
        "{effects:?}"
    );
    let failed = ErrorView {
        kind: crate::tui::app::ErrorKind::Other,
        code: "NoCredentials".into(),
        message: "old".into(),
        hint: String::new(),
    };
    send(
        &mut app,
        [Msg::Identity {
            attempt: 1,
            result: Err(failed),
        }],
    );
    assert_eq!(app.identity.state, Load::Loading);
    send(
        &mut app,
        [Msg::Identity {
            attempt: 2,
            result: Ok(identity()),
        }],
    );
    assert!(app.identity.loaded().is_some());
    // The same for plans and look-ups.
    send(
        &mut app,
        [Msg::Planned {
            attempt: 99,
            result: Err(ErrorView {
                kind: crate::tui::app::ErrorKind::Other,
                code: "X".into(),
                message: String::new(),
                hint: String::new(),
            }),
        }],
    );
    assert_eq!(app.review.plan.state, Load::Idle);
    send(
        &mut app,
        [Msg::ProviderLookup {
            attempt: 99,
            result: Ok(None),
        }],
    );
    assert_eq!(app.provider.lookup.state, Load::Idle);
}

#[test]
fn clicking_an_earlier_step_goes_back_to_it() {
    use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mut app = on_trust();
    app.step_list_area = Some(ratatui::layout::Rect::new(0, 1, 26, 20));
    let click = |row| {
        Msg::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: 3,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    send(&mut app, [click(2 + 6)]); // Apply: forward, ignored
    assert_eq!(app.screen, Screen::Trust);
    send(&mut app, [click(2)]); // Account
    assert_eq!(app.screen, Screen::Account);
}

#[test]
fn a_pasted_list_fills_its_field_and_never_acts_as_keys() {
    let mut app = on_trust();
    send(
        &mut app,
        [Msg::Key(KeyEvent::new(
            KeyCode::Char('u'),
            KeyModifiers::CONTROL,
        ))],
    );
    // One project per line, a q in a name, a trailing newline: none of it is Enter or q.
    let effects = send(
        &mut app,
        [Msg::Paste("acme/web\nquality/quest\nacme/api\n".into())],
    );
    assert!(effects.is_empty(), "{effects:?}");
    assert!(!app.quit);
    assert_eq!(app.screen, Screen::Trust);
    assert_eq!(
        app.trust.projects.list(),
        ["acme/web", "quality/quest", "acme/api"]
    );
    assert_eq!(app.focused(), Element::Projects, "the focus stays");
    assert_eq!(
        app.trust.refs.value,
        crate::plan::DEFAULT_REF,
        "nothing landed in Refs"
    );
    // Refs too: one entry per line.
    app.focus = app
        .elements()
        .iter()
        .position(|e| *e == Element::Refs)
        .unwrap();
    send(
        &mut app,
        [Msg::Key(KeyEvent::new(
            KeyCode::Char('u'),
            KeyModifiers::CONTROL,
        ))],
    );
    send(&mut app, [Msg::Paste("main\nrelease/*".into())]);
    assert_eq!(app.trust.refs.list(), ["main", "release/*"]);
    // On a choice, a paste changes nothing and says where it goes.
    app.focus = app
        .elements()
        .iter()
        .position(|e| *e == Element::RefType)
        .unwrap();
    let before = app.trust.ref_type;
    send(&mut app, [Msg::Paste("tag\n".into())]);
    assert_eq!(app.trust.ref_type, before);
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.contains("text field"))
    );
}

#[test]
fn a_paste_while_a_dialog_is_open_answers_nothing() {
    let (mut app, _) = applying();
    send(&mut app, [key(KeyCode::Char('q'))]);
    assert!(matches!(app.confirm, Some(Confirm::Quit)));
    send(&mut app, [Msg::Paste("y\n".into())]);
    assert!(!app.quit && matches!(app.confirm, Some(Confirm::Quit)));
}

/// The first-time path with the fewest keys: Enter goes on from any element of a complete
/// screen, Enter in the filter picks the highlighted policy, `a` applies on Review.
#[test]
fn a_first_setup_takes_ten_keys_besides_the_typing() {
    let mut app = with_account();
    let mut keys = 0;
    let mut press = |app: &mut App, code: KeyCode| {
        keys += 1;
        send(app, [key(code)])
    };
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Provider);
    // The look-up answers "not there yet" (a new provider will be created).
    let attempt = app.provider.lookup.attempt;
    send(
        &mut app,
        [Msg::ProviderLookup {
            attempt,
            result: Ok(None),
        }],
    );
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Trust);
    assert_eq!(
        app.focused(),
        Element::Projects,
        "focus on what needs input"
    );
    typed(&mut app, "acme/web");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Permissions);
    send(
        &mut app,
        [Msg::Policies {
            attempt: 1,
            result: Ok(policy_list()),
        }],
    );
    typed(&mut app, "readonly");
    press(&mut app, KeyCode::Enter);
    assert!(
        app.permissions
            .selected
            .contains("arn:aws:iam::aws:policy/ReadOnlyAccess")
    );
    assert!(
        app.permissions.filter.value.is_empty(),
        "the filter is cleared"
    );
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Role);
    let effects = press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Review);
    let Some(Effect::Plan { attempt, setup }) = effects.first() else {
        panic!("{effects:?}");
    };
    let plan = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(crate::engine::plan(&FakeAws::new(), setup))
        .unwrap();
    let attempt = *attempt;
    send(
        &mut app,
        [Msg::Planned {
            attempt,
            result: Ok(Box::new(plan)),
        }],
    );
    assert!(press(&mut app, KeyCode::Char('a')).is_empty());
    press(&mut app, KeyCode::Right);
    let effects = press(&mut app, KeyCode::Enter);
    assert!(
        matches!(effects[..], [Effect::Apply { from: 0, .. }]),
        "{effects:?}"
    );
    finish_all(&mut app);
    press(&mut app, KeyCode::Enter);
    assert!(app.quit);
    assert_eq!(
        app.end(),
        End::Arn("arn:aws:iam::123456789012:role/gitlab-acme-web".into())
    );
    // Apply is a, then → and Enter in its dialog: no typed text can press it.
    assert_eq!(keys, 10);
}

#[test]
fn letters_never_change_a_choice_and_enter_on_an_incomplete_screen_moves_on_a_field() {
    let mut app = on_trust();
    app.focus = app
        .elements()
        .iter()
        .position(|e| *e == Element::RefType)
        .unwrap();
    let before = app.trust.ref_type;
    send(&mut app, [key(KeyCode::Char('l')), key(KeyCode::Char('h'))]);
    assert_eq!(app.trust.ref_type, before);
    send(&mut app, [key(KeyCode::Right)]);
    assert_ne!(app.trust.ref_type, before);
    // Projects emptied: Enter there stays (the field is marked); on a good field of the
    // incomplete screen it moves to the next field instead of going on.
    app.focus = 0;
    send(
        &mut app,
        [Msg::Key(KeyEvent::new(
            KeyCode::Char('u'),
            KeyModifiers::CONTROL,
        ))],
    );
    send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!((app.screen, app.focus), (Screen::Trust, 0));
    app.focus = 2;
    send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!((app.screen, app.focus), (Screen::Trust, 3));
}

#[test]
fn the_mouse_is_left_to_the_terminal_on_done_and_m_toggles_it() {
    let mut app = done();
    assert!(!app.mouse_capture, "on Done the terminal selects the ARN");
    send(&mut app, [key(KeyCode::Char('m'))]);
    assert!(app.mouse_capture);
    send(&mut app, [key(KeyCode::Esc)]);
    assert_eq!(app.screen, Screen::Review);
    assert!(app.mouse_capture);
    // In a text field, m is a letter.
    let mut app = on_trust();
    app.focus = 0;
    send(&mut app, [key(KeyCode::Char('m'))]);
    assert!(app.mouse_capture);
    assert_eq!(app.trust.projects.value, "acme/webm");
}

#[test]
fn enter_on_a_field_marked_wrong_stays_there() {
    let mut app = on_trust();
    app.focus = app.elements().len() - 1;
    send(&mut app, [key(KeyCode::Enter)]);
    app.focus = app.elements().len() - 1;
    send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(app.screen, Screen::Role);
    app.focus = 1;
    send(
        &mut app,
        [Msg::Key(KeyEvent::new(
            KeyCode::Char('u'),
            KeyModifiers::CONTROL,
        ))],
    );
    typed(&mut app, "ci");
    send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(
        app.focused(),
        Element::RolePath,
        "the focus stays on the wrong field"
    );
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.contains("Role path")),
        "{:?}",
        app.notice
    );
    typed(&mut app, "/");
    assert_eq!(app.role.path.value, "ci/");
}

/// Only the setup's screens follow one another: a task screen that leaves Enter or Esc to the
/// shared navigation stays a task (Enter does nothing, Esc goes to the first screen), whatever
/// task it is.
#[test]
fn the_shared_enter_and_esc_never_move_a_task_into_the_setup() {
    for task in Task::ALL.into_iter().filter(|t| *t != Task::Setup) {
        let mut app = with_account();
        app.screen = task.screen();
        app.focus = app.elements().len() - 1;
        let effects = super::super::nav::go_on(&mut app);
        assert_eq!(app.screen, task.screen(), "{task:?}: {effects:?}");
        send(&mut app, [key(KeyCode::Esc)]);
        assert_eq!(app.screen, Screen::Account, "{task:?}");
    }
}
