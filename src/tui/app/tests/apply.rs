//! Apply: running, failing, retrying and cancelling.

use super::*;

#[test]
fn a_failed_step_is_retried_from_where_it_failed() {
    let (mut app, _) = applying();
    assert_eq!(app.apply.rows.len(), 3);
    let denied = ErrorView {
        kind: crate::tui::app::ErrorKind::Other,
        code: "AccessDenied".into(),
        message: "CreateRole failed".into(),
        hint: "ask".into(),
    };
    send(
        &mut app,
        [
            Msg::ActionStarted {
                attempt: 1,
                index: 0,
            },
            Msg::ActionFinished {
                attempt: 1,
                index: 0,
                result: Ok(Done::Created),
            },
            Msg::ActionStarted {
                attempt: 1,
                index: 1,
            },
            Msg::ActionFinished {
                attempt: 1,
                index: 1,
                result: Err(denied),
            },
        ],
    );
    assert!(!app.apply.running);
    assert!(matches!(app.apply.rows[1].state, ActionState::Failed(_)));
    // r asks first: retrying changes AWS.
    assert!(send(&mut app, [key(KeyCode::Char('r'))]).is_empty());
    assert!(matches!(&app.confirm, Some(Confirm::Retry { from: 1, .. })));
    let effects = press_go(&mut app);
    assert!(
        matches!(
            effects[..],
            [Effect::Apply {
                attempt: 2,
                from: 1,
                ..
            }]
        ),
        "{effects:?}"
    );
    assert_eq!(
        app.apply.rows[0].state,
        ActionState::Done(Done::Created),
        "finished steps stay finished"
    );
    // A late message from the first attempt is ignored.
    send(
        &mut app,
        [Msg::ActionFinished {
            attempt: 1,
            index: 2,
            result: Ok(Done::Attached),
        }],
    );
    assert_eq!(app.apply.rows[2].state, ActionState::Waiting);
    send(
        &mut app,
        [
            Msg::ActionFinished {
                attempt: 2,
                index: 1,
                result: Ok(Done::Created),
            },
            Msg::ActionFinished {
                attempt: 2,
                index: 2,
                result: Ok(Done::Attached),
            },
        ],
    );
    assert_eq!(app.screen, Screen::Done);
    assert_eq!(
        app.role_arn(),
        Some("arn:aws:iam::123456789012:role/gitlab-acme-web")
    );
    let effects = send(&mut app, [key(KeyCode::Char('c'))]);
    assert_eq!(
        effects,
        [Effect::Copy {
            what: "the role ARN",
            text: "arn:aws:iam::123456789012:role/gitlab-acme-web".into()
        }]
    );
    send(&mut app, [key(KeyCode::Enter)]);
    assert!(app.quit);
}

#[test]
fn quitting_while_applying_asks_first() {
    let (mut app, _) = applying();
    send(&mut app, [key(KeyCode::Char('q'))]);
    assert_eq!(app.confirm, Some(Confirm::Quit));
    assert!(!app.quit);
    send(&mut app, [key(KeyCode::Char('n'))]);
    assert!(!app.quit && app.confirm.is_none());
    send(
        &mut app,
        [Msg::Key(KeyEvent::new(
            KeyCode::Char('c'),
            KeyModifiers::CONTROL,
        ))],
    );
    let effects = send(&mut app, [key(KeyCode::Char('y'))]);
    assert!(app.quit);
    assert_eq!(effects, [Effect::Quit]);
}

/// A call that hangs: its row counts the time and the requests sent, Esc stops waiting (a
/// cancel that arrives after the apply ended changes nothing), and r reads again instead of
/// repeating a call AWS may have done.
#[test]
fn a_hung_call_is_timed_counted_and_cancelled_with_esc() {
    let (mut app, _) = applying();
    send(
        &mut app,
        [Msg::ActionStarted {
            attempt: 1,
            index: 0,
        }],
    );
    send(&mut app, (0..25).map(|_| Msg::Tick));
    send(
        &mut app,
        [Msg::ActionSent {
            attempt: 1,
            index: 0,
            sent: 2,
        }],
    );
    assert_eq!((app.apply.rows[0].ticks, app.apply.rows[0].sent), (25, 2));
    assert_eq!(app.apply.rows[1].ticks, 0, "only the running row counts");
    let effects = send(&mut app, [key(KeyCode::Esc)]);
    assert_eq!(effects, [Effect::CancelApply { attempt: 1 }]);
    assert_eq!(
        app.screen,
        Screen::Apply,
        "Esc while applying cancels, not back"
    );
    send(&mut app, [Msg::ApplyCancelled { attempt: 1 }]);
    assert!(!app.apply.running);
    assert!(
        matches!(&app.apply.rows[0].state, ActionState::Failed(e) if e.kind == ErrorKind::Cancelled
            && e.message.contains("2.5 s")),
        "{:?}",
        app.apply.rows[0].state
    );
    assert_eq!(app.apply.rows[1].state, ActionState::Waiting);
    // r re-plans (Review) rather than sending CreateRole again.
    let effects = send(&mut app, [key(KeyCode::Char('r'))]);
    assert_eq!(app.screen, Screen::Review);
    assert!(
        effects.iter().any(|e| matches!(e, Effect::Plan { .. })),
        "{effects:?}"
    );
    assert!(!effects.iter().any(|e| matches!(e, Effect::Apply { .. })));
}

#[test]
fn a_cancel_between_two_calls_marks_the_next_one() {
    let (mut app, _) = applying();
    send(
        &mut app,
        [
            Msg::ActionStarted {
                attempt: 1,
                index: 0,
            },
            Msg::ActionFinished {
                attempt: 1,
                index: 0,
                result: Ok(Done::Created),
            },
            Msg::ApplyCancelled { attempt: 1 },
        ],
    );
    assert!(
        matches!(&app.apply.rows[1].state, ActionState::Failed(e) if e.kind == ErrorKind::Cancelled),
        "{:?}",
        app.apply.rows[1].state
    );
    assert_eq!(app.apply.rows[0].state, ActionState::Done(Done::Created));
}

#[test]
fn a_cancel_after_the_apply_ended_changes_nothing() {
    let (mut app, _) = applying();
    finish_all(&mut app);
    assert_eq!(app.screen, Screen::Done);
    let before = app.clone();
    send(&mut app, [Msg::ApplyCancelled { attempt: 1 }]);
    assert_eq!(app, before);
}

/// "An apply is running: quit?" stops being true when the apply ends: the question closes (a
/// finished setup loses nothing) or becomes the draft's (a failed one keeps its answers).
#[test]
fn the_quit_question_follows_the_apply_that_ended_under_it() {
    let (mut app, _) = applying();
    send(&mut app, [key(KeyCode::Char('q'))]);
    assert_eq!(app.confirm, Some(Confirm::Quit));
    finish_all(&mut app);
    assert_eq!(app.screen, Screen::Done);
    assert_eq!(app.confirm, None);
    assert!(app.notice.as_deref().is_some_and(|n| n.contains("ended")));

    let (mut app, _) = applying();
    send(&mut app, [key(KeyCode::Char('q'))]);
    let attempt = app.apply.attempt;
    send(
        &mut app,
        [Msg::ActionFinished {
            attempt,
            index: 0,
            result: Err(ErrorView {
                kind: ErrorKind::Other,
                code: "AccessDenied".into(),
                message: "no".into(),
                hint: String::new(),
            }),
        }],
    );
    assert_eq!(app.confirm, Some(Confirm::QuitDraft));
}

/// Side by side, rows finish in any order: the apply ends when every row is done, not when the
/// last one is; a failure leaves the others of its wave that did not finish waiting.
#[test]
fn rows_of_one_wave_finish_in_any_order() {
    let (mut app, _) = applying();
    assert_eq!(app.apply.rows.len(), 3);
    let started = |index| Msg::ActionStarted { attempt: 1, index };
    let finished = |index, done| Msg::ActionFinished {
        attempt: 1,
        index,
        result: Ok(done),
    };
    send(
        &mut app,
        [
            started(0),
            finished(0, Done::Created),
            started(1),
            started(2),
            finished(2, Done::Attached),
        ],
    );
    assert_eq!(app.screen, Screen::Apply, "row 1 is still running");
    assert!(app.apply.running);
    send(&mut app, [finished(1, Done::Created)]);
    assert_eq!(app.screen, Screen::Done);

    let (mut app, _) = applying();
    let denied = ErrorView {
        kind: crate::tui::app::ErrorKind::Other,
        code: "AccessDenied".into(),
        message: "refused".into(),
        hint: "ask".into(),
    };
    send(
        &mut app,
        [
            started(0),
            finished(0, Done::Created),
            started(1),
            started(2),
            Msg::ActionFinished {
                attempt: 1,
                index: 1,
                result: Err(denied),
            },
        ],
    );
    assert!(!app.apply.running);
    assert!(matches!(app.apply.rows[1].state, ActionState::Failed(_)));
    assert_eq!(app.apply.rows[2].state, ActionState::Waiting);
}
