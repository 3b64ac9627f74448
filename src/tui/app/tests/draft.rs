//! The draft: answers kept as they are given, and continued.

use super::*;

#[test]
fn continuing_a_stopped_setup_fills_the_answers_and_goes_to_review() {
    let mut app = App::new(None, None);
    let journal = crate::journal::Journal::new(
        crate::plan::SetupInput {
            projects: vec!["acme/web".into(), "acme/api".into()],
            refs: vec!["main".into()],
            role_name: Some("gitlab-acme".into()),
            policies: vec!["ReadOnlyAccess".into()],
            ..Default::default()
        },
        Some("123456789012".into()),
    );
    app.offer_resume(journal);
    app.start();
    assert!(matches!(app.confirm, Some(Confirm::Resume { .. })));
    assert!(
        send(&mut app, [key(KeyCode::Char('c'))]).is_empty(),
        "waits for the account"
    );
    assert_eq!(app.trust.projects.value, "acme/web, acme/api");
    assert!(
        app.permissions.selected.contains("ReadOnlyAccess"),
        "a name is resolved as the CLI resolves it"
    );
    let effects = send(
        &mut app,
        [Msg::Identity {
            attempt: 1,
            result: Ok(identity()),
        }],
    );
    assert_eq!(app.screen, Screen::Review);
    assert!(matches!(effects[0], Effect::Plan { .. }), "{effects:?}");
    assert!(
        matches!(effects[1], Effect::FindOrganization { .. }),
        "{effects:?}"
    );
    assert!(matches!(effects[2], Effect::SaveJournal(_)), "{effects:?}");
}

#[test]
fn starting_over_clears_the_journal() {
    let mut app = with_account();
    app.offer_resume(crate::journal::Journal::new(Default::default(), None));
    // s asks again, Cancel first: Cancel comes back to the question, Start over forgets it.
    assert!(send(&mut app, [key(KeyCode::Char('s'))]).is_empty());
    assert!(matches!(app.confirm, Some(Confirm::StartOver { .. })));
    assert!(send(&mut app, [key(KeyCode::Enter)]).is_empty());
    assert!(matches!(app.confirm, Some(Confirm::Resume { .. })));
    send(&mut app, [key(KeyCode::Char('s'))]);
    assert_eq!(
        send(&mut app, [key(KeyCode::Right), key(KeyCode::Enter)]),
        [Effect::ClearJournal]
    );
    assert!(app.confirm.is_none() && app.journal.is_none());
    assert_eq!(app.screen, Screen::Account);
}

#[test]
fn answers_are_kept_as_a_draft_and_quitting_asks_first() {
    // Nothing answered yet: q quits at once and keeps nothing.
    let mut app = with_account();
    assert_eq!(send(&mut app, [key(KeyCode::Char('q'))]), [Effect::Quit]);

    let mut app = on_trust();
    // Going on keeps the draft, screen by screen.
    app.focus = app.elements().len() - 1;
    let effects = send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(app.screen, Screen::Permissions);
    let drafts = saved_drafts(&effects);
    assert_eq!(drafts.len(), 1, "{effects:?}");
    assert_eq!(drafts[0].answers.projects, ["acme/web"]);
    assert!(drafts[0].finished.is_empty());
    // q on a control (not a text field) asks; n stays, y quits and keeps the draft.
    app.focus = app.elements().len() - 1;
    assert!(send(&mut app, [key(KeyCode::Char('q'))]).is_empty());
    assert_eq!(app.confirm, Some(Confirm::QuitDraft));
    assert!(send(&mut app, [key(KeyCode::Char('n'))]).is_empty());
    assert!(!app.quit && app.confirm.is_none());
    send(&mut app, [key(KeyCode::Char('q'))]);
    let effects = send(&mut app, [key(KeyCode::Char('y'))]);
    assert!(app.quit);
    assert_eq!(saved_drafts(&effects).len(), 1, "{effects:?}");
    assert_eq!(effects.last(), Some(&Effect::Quit));
}

#[test]
fn sigterm_keeps_the_draft_too() {
    let mut app = on_trust();
    let effects = send(&mut app, [Msg::Terminate]);
    assert!(app.quit);
    assert_eq!(saved_drafts(&effects)[0].answers.projects, ["acme/web"]);
}

#[test]
fn a_finished_setup_leaves_no_draft_and_quits_without_asking() {
    let mut app = done();
    let effects = send(&mut app, [key(KeyCode::Char('q'))]);
    assert_eq!(effects, [Effect::Quit]);
}

#[test]
fn a_continued_draft_resumes_on_its_first_unanswered_screen() {
    let mut app = App::new(None, None);
    app.offer_resume(crate::journal::Journal::new(
        crate::plan::SetupInput {
            provider_url: Some("https://gitlab.com".into()),
            ..Default::default()
        },
        None,
    ));
    app.start();
    send(&mut app, [key(KeyCode::Char('c'))]);
    send(
        &mut app,
        [Msg::Identity {
            attempt: 1,
            result: Ok(identity()),
        }],
    );
    assert_eq!(app.screen, Screen::Trust, "no project yet");
}

/// A draft quit on Permissions continues on Permissions: not on Review with Permissions and Role
/// marked done, though nobody went through them.
#[test]
fn a_draft_continues_where_it_was_left_not_past_it() {
    let mut app = on_trust();
    app.focus = app.elements().len() - 1;
    let effects = send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(app.screen, Screen::Permissions);
    let journal = saved_drafts(&effects)
        .last()
        .map(|j| (*j).clone())
        .expect("a draft");
    assert_eq!(journal.reached.as_deref(), Some("permissions"));
    let mut again = App::new(None, None);
    again.offer_resume(journal);
    again.start();
    send(&mut again, [key(KeyCode::Char('c'))]);
    send(
        &mut again,
        [Msg::Identity {
            attempt: 1,
            result: Ok(identity()),
        }],
    );
    assert_eq!(again.screen, Screen::Permissions);
}
