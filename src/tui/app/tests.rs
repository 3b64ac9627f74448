//! The wizard's state transitions, without a terminal: navigation, validation gating, retry of a
//! failed step, confirmations, and stale results from superseded attempts being ignored.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::aws::ManagedPolicy;
use crate::aws::fake::FakeAws;
use crate::aws::sdk::Connection;
use crate::engine::{Done, Plan};

pub fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn send(app: &mut App, msgs: impl IntoIterator<Item = Msg>) -> Vec<Effect> {
    msgs.into_iter().flat_map(|m| update(app, m)).collect()
}

pub fn typed(app: &mut App, text: &str) -> Vec<Effect> {
    send(app, text.chars().map(|c| key(KeyCode::Char(c))))
}

/// A key with Ctrl held.
pub fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// The change button of the dialog open: → chooses it, Enter presses it.
pub fn press_go(app: &mut App) -> Vec<Effect> {
    assert!(
        app.confirm.as_ref().is_some_and(Confirm::changes),
        "{:?}",
        app.confirm
    );
    send(app, [key(KeyCode::Right), key(KeyCode::Enter)])
}

pub fn identity() -> (CallerIdentity, Connection) {
    (
        CallerIdentity {
            account: "123456789012".into(),
            arn: "arn:aws:iam::123456789012:user/alice".into(),
            user_id: "AIDAALICE".into(),
        },
        Connection {
            profile: Some("dev".into()),
            region: "eu-west-1".into(),
            endpoint_url: None,
        },
    )
}

/// An app whose account has been read. It asks GitLab nothing on its own (the namespace lookup's
/// tests turn that on).
pub fn with_account() -> App {
    let mut app = App::new(None, None);
    app.reach_gitlab = false;
    let effects = app.start();
    assert!(matches!(
        effects[..],
        [Effect::Connect { attempt: 1, .. }, Effect::LoadProfiles]
    ));
    update(
        &mut app,
        Msg::Identity {
            attempt: 1,
            result: Ok(identity()),
        },
    );
    app
}

/// An app on the Trust screen with acme/web on main.
pub fn on_trust() -> App {
    let mut app = with_account();
    send(&mut app, [key(KeyCode::Enter)]);
    let last = app.elements().len() - 1;
    app.focus = last;
    send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(app.screen, Screen::Trust);
    app.focus = 0;
    typed(&mut app, "acme/web");
    app
}

pub fn policy_list() -> Vec<ManagedPolicy> {
    [
        "ReadOnlyAccess",
        "AdministratorAccess",
        "AmazonS3ReadOnlyAccess",
        "AWSLambda_ReadOnlyAccess",
    ]
    .iter()
    .map(|n| ManagedPolicy {
        arn: format!("arn:aws:iam::aws:policy/{n}"),
        name: n.to_string(),
        attachable: true,
    })
    .collect()
}

#[test]
fn the_first_frame_does_not_wait_for_the_account() {
    let mut app = App::new(Some("dev"), None);
    let effects = app.start();
    assert_eq!(
        effects,
        [
            Effect::Connect {
                attempt: 1,
                profile: Some("dev".into()),
                region: None,
                demo: false,
            },
            Effect::LoadProfiles
        ]
    );
    assert_eq!(app.identity.state, Load::Loading);
    // Enter before the account is known does not go on, and says why.
    send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(app.screen, Screen::Account);
    assert!(
        app.notice
            .as_deref()
            .unwrap_or("")
            .contains("still reading")
    );
}

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
fn the_trust_policy_preview_follows_the_answers() {
    let mut app = on_trust();
    let trust = app.trust_preview().unwrap();
    assert!(
        trust
            .policy
            .to_json()
            .contains("project_path:acme/web:ref_type:branch:ref:main")
    );
    assert!(trust.warnings.is_empty());
    app.focus = 2; // Refs
    send(
        &mut app,
        [Msg::Key(KeyEvent::new(
            KeyCode::Char('u'),
            KeyModifiers::CONTROL,
        ))],
    );
    typed(&mut app, "release/*");
    let trust = app.trust_preview().unwrap();
    assert!(trust.policy.to_json().contains("StringLike"));
    assert!(trust.warnings.iter().any(|w| w.contains("unprotected")));
}

#[test]
fn self_managed_url_sets_the_audience_until_it_is_edited() {
    let mut app = with_account();
    send(&mut app, [key(KeyCode::Enter)]);
    app.focus = 0;
    send(&mut app, [key(KeyCode::Right)]);
    assert_eq!(app.provider.kind, ProviderKind::SelfManaged);
    send(&mut app, [key(KeyCode::Tab)]);
    assert_eq!(app.focused(), Element::ProviderUrl);
    typed(&mut app, "git.example.com");
    assert_eq!(app.provider.audience.value, "https://git.example.com");
    assert!(!app.is_gitlab_com());
    typed(&mut app, ":8443");
    assert!(
        app.error(Element::ProviderUrl)
            .unwrap_or_default()
            .contains("port")
    );
    // The look-up waits until typing pauses (debounced on ticks), and only for a valid URL.
    let effects = send(&mut app, (0..6).map(|_| Msg::Tick));
    assert!(effects.is_empty());
    for _ in 0..5 {
        send(&mut app, [key(KeyCode::Backspace)]);
    }
    let effects = send(&mut app, (0..6).map(|_| Msg::Tick));
    assert!(
        matches!(&effects[..], [Effect::LookupProvider { arn, .. }, Effect::Preflight { url, .. }]
            if arn.ends_with("oidc-provider/git.example.com") && url == "https://git.example.com"),
        "{effects:?}"
    );
    // A private CA: the pre-flight's thumbprint goes into the setup (as --thumbprint auto does).
    let report = crate::preflight::Report::private_ca(
        "https://git.example.com",
        "9e99a48a9960b14926bb7f3b02e22da2b0ab7280",
    );
    let attempt = match &effects[1] {
        Effect::Preflight { attempt, .. } => *attempt,
        _ => 0,
    };
    send(
        &mut app,
        [Msg::Preflighted {
            attempt,
            report: Box::new(report),
        }],
    );
    assert_eq!(
        app.setup_input().thumbprints,
        ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]
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

/// Drive to Review with a plan made by the engine on the fake, then to Apply.
pub fn applying() -> (App, Box<Plan>) {
    let mut app = on_trust();
    app.permissions
        .selected
        .insert("arn:aws:iam::aws:policy/ReadOnlyAccess".into());
    app.focus = app.elements().len() - 1;
    send(&mut app, [key(KeyCode::Enter)]); // Permissions
    app.focus = app.elements().len() - 1;
    send(&mut app, [key(KeyCode::Enter)]); // Role
    assert_eq!(app.role.name.value, "gitlab-acme-web");
    app.focus = app.elements().len() - 1;
    let effects = send(&mut app, [key(KeyCode::Enter)]); // Review
    let [Effect::Plan { attempt, setup }, Effect::SaveJournal(_)] = &effects[..] else {
        panic!("{effects:?}");
    };
    let aws = FakeAws::new();
    let plan = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(crate::engine::plan(&aws, setup))
        .unwrap();
    let plan = Box::new(plan);
    send(
        &mut app,
        [Msg::Planned {
            attempt: *attempt,
            result: Ok(plan.clone()),
        }],
    );
    // Enter asks, on Cancel: Enter there and Esc leave everything as it is; letters press
    // nothing; only → then Enter applies.
    for no in [KeyCode::Enter, KeyCode::Esc] {
        assert!(send(&mut app, [key(KeyCode::Enter)]).is_empty());
        assert!(
            matches!(&app.confirm, Some(Confirm::Apply { changes, name: None, .. }) if changes.len() == 3),
            "{:?}",
            app.confirm
        );
        assert!(typed(&mut app, "yay a y").is_empty());
        assert!(app.confirm.is_some());
        assert!(
            send(&mut app, [key(no)]).is_empty(),
            "{no:?} applies nothing"
        );
        assert_eq!((app.screen, &app.confirm), (Screen::Review, &None));
    }
    send(&mut app, [key(KeyCode::Enter)]);
    let effects = press_go(&mut app);
    assert_eq!(app.screen, Screen::Apply);
    assert!(
        matches!(effects[..], [Effect::Apply { from: 0, .. }]),
        "{effects:?}"
    );
    (app, plan)
}

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

/// Every action of the first apply attempt succeeds: the wizard is on Done.
pub fn finish_all(app: &mut App) {
    let n = app.apply.rows.len();
    send(
        app,
        (0..n).map(|index| Msg::ActionFinished {
            attempt: 1,
            index,
            result: Ok(Done::Created),
        }),
    );
    assert_eq!(app.screen, Screen::Done);
}

/// Apply to the end.
pub fn done() -> App {
    let (mut app, _) = applying();
    finish_all(&mut app);
    app
}

#[test]
fn the_arn_is_handed_out_only_for_the_answers_on_screen() {
    let arn = "arn:aws:iam::123456789012:role/gitlab-acme-web";
    let mut app = done();
    assert_eq!(app.end(), End::Arn(arn.into()));
    assert!(app.applied_is_current());
    // Back from Done, the role renamed: that setup is not the answers any more.
    send(&mut app, [key(KeyCode::Esc), key(KeyCode::Esc)]);
    assert_eq!(app.screen, Screen::Role);
    app.focus = 0;
    typed(&mut app, "-v2");
    assert!(!app.applied_is_current(), "the step list drops its ✓");
    match app.end() {
        End::NotApplied(why) => assert!(why.contains(arn) && why.contains("not applied"), "{why}"),
        other => panic!("{other:?}"),
    }
    // Typed back as it was: the applied setup is the answers again.
    send(&mut app, (0..3).map(|_| key(KeyCode::Backspace)));
    assert_eq!(app.end(), End::Arn(arn.into()));
}

#[test]
fn quitting_during_an_apply_hands_out_nothing() {
    let (mut app, _) = applying();
    assert!(matches!(app.end(), End::NotApplied(_)));
    send(&mut app, [key(KeyCode::Char('q')), key(KeyCode::Char('y'))]);
    assert!(app.quit);
    assert!(matches!(app.end(), End::NotApplied(_)));
}

#[test]
fn a_first_screen_quit_has_nothing_to_hand_out() {
    assert_eq!(with_account().end(), End::Nothing);
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

#[test]
fn a_changed_profile_reconnects_on_leaving_the_field() {
    let mut app = with_account();
    app.focus = 0;
    assert!(
        send(&mut app, [key(KeyCode::Tab)]).is_empty(),
        "unchanged: no reconnect"
    );
    app.focus = 0;
    typed(&mut app, "prod");
    let effects = send(&mut app, [key(KeyCode::Tab)]);
    assert_eq!(
        effects,
        [Effect::Connect {
            attempt: 2,
            profile: Some("prod".into()),
            region: None,
            demo: false,
        }]
    );
    assert_eq!(app.identity.state, Load::Loading);
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
fn a_finished_setup_with_nothing_to_do_goes_straight_to_done() {
    let (mut app, plan) = applying();
    // Pretend everything already existed: a converged plan has no actions.
    let aws = FakeAws::new();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(crate::engine::apply(&aws, &plan, |_| {}))
        .unwrap();
    let setup = app.setup_input().validate().unwrap();
    let converged = Box::new(rt.block_on(crate::engine::plan(&aws, &setup)).unwrap());
    assert!(converged.actions().is_empty());
    // Esc is refused while the apply runs; after a failure it goes back to Review.
    send(&mut app, [key(KeyCode::Esc)]);
    assert_eq!(app.screen, Screen::Apply);
    assert!(app.notice.is_some());
    let timeout = ErrorView {
        kind: crate::tui::app::ErrorKind::Other,
        code: "Timeout".into(),
        message: "no answer".into(),
        hint: String::new(),
    };
    send(
        &mut app,
        [Msg::ActionFinished {
            attempt: 1,
            index: 0,
            result: Err(timeout),
        }],
    );
    send(&mut app, [key(KeyCode::Esc)]);
    assert_eq!(app.screen, Screen::Review);
    let attempt = 2;
    send(
        &mut app,
        [Msg::Planned {
            attempt,
            result: Ok(converged),
        }],
    );
    send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(app.screen, Screen::Done);
    assert!(
        app.apply
            .outcome
            .as_ref()
            .is_some_and(|o| o.resources.iter().all(|r| r.action == Done::Unchanged))
    );
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
    assert!(matches!(effects[1], Effect::SaveJournal(_)), "{effects:?}");
}

#[test]
fn starting_over_clears_the_journal() {
    let mut app = with_account();
    app.offer_resume(crate::journal::Journal::new(Default::default(), None));
    assert_eq!(
        send(&mut app, [key(KeyCode::Char('s'))]),
        [Effect::ClearJournal]
    );
    assert!(app.confirm.is_none() && app.journal.is_none());
    assert_eq!(app.screen, Screen::Account);
}

pub(crate) fn choose_task(app: &mut App, task: Task) {
    let i = app
        .elements()
        .iter()
        .position(|e| *e == Element::Task)
        .unwrap();
    app.focus = i;
    while app.task != task {
        send(app, [key(KeyCode::Right)]);
    }
    app.focus = app.elements().len() - 1;
}

#[test]
fn the_start_screen_leads_to_each_task_and_back() {
    let mut app = with_account();
    choose_task(&mut app, Task::Check);
    assert_eq!(app.steps(), [Screen::Account, Screen::Check]);
    let effects = send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(app.screen, Screen::Check);
    assert_eq!(effects, [Effect::Check { attempt: 1 }]);
    assert_eq!(
        send(&mut app, [key(KeyCode::Char('r'))]),
        [Effect::Check { attempt: 2 }]
    );
    // The first attempt's late answer is ignored.
    send(
        &mut app,
        [Msg::Checked {
            attempt: 1,
            result: Ok(vec![]),
        }],
    );
    assert_eq!(app.check.result.state, Load::Loading);
    send(
        &mut app,
        [Msg::Checked {
            attempt: 2,
            result: Ok(vec![]),
        }],
    );
    assert_eq!(app.check.result.state, Load::Loaded(vec![]));
    send(&mut app, [key(KeyCode::Esc)]);
    assert_eq!(app.screen, Screen::Account);

    choose_task(&mut app, Task::Explain);
    send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(app.screen, Screen::Explain);
    app.focus = app.elements().len() - 1;
    assert!(
        send(&mut app, [key(KeyCode::Enter)]).is_empty(),
        "no role yet"
    );
    assert!(app.notice.as_deref().unwrap_or("").contains("role name"));
    app.focus = 0;
    typed(&mut app, "web");
    app.focus = 2;
    typed(&mut app, "a.b.c");
    assert_eq!(
        app.explain.token.display(),
        "••••• (5 characters)",
        "the token is never shown"
    );
    app.focus = app.elements().len() - 1;
    let effects = send(&mut app, [key(KeyCode::Enter)]);
    assert!(
        matches!(&effects[..], [Effect::Explain { role, claims: crate::flow::claims::ClaimsSource::Token(t), .. }] if role == "web" && t == "a.b.c"),
        "{effects:?}"
    );
}

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
fn storing_the_arn_in_gitlab_from_done() {
    let (mut app, _) = applying();
    send(
        &mut app,
        [
            Msg::ActionFinished {
                attempt: 1,
                index: 0,
                result: Ok(Done::Created),
            },
            Msg::ActionFinished {
                attempt: 1,
                index: 1,
                result: Ok(Done::Created),
            },
            Msg::ActionFinished {
                attempt: 1,
                index: 2,
                result: Ok(Done::Attached),
            },
        ],
    );
    assert_eq!(app.screen, Screen::Done);
    // No token yet: the field gets the focus.
    assert!(send(&mut app, [key(KeyCode::Char('g'))]).is_empty());
    assert_eq!(app.focused(), Element::GitLabToken);
    typed(&mut app, "glpat-x");
    assert!(send(&mut app, [key(KeyCode::Enter)]).is_empty());
    assert!(
        matches!(&app.confirm, Some(Confirm::StoreVariable { key, host, projects })
            if key == "ROLE_ARN" && host == "https://gitlab.com" && projects == &["acme/web"]),
        "{:?}",
        app.confirm
    );
    let effects = press_go(&mut app);
    let [
        Effect::StoreVariable {
            attempt,
            spec,
            projects,
            arn,
            replace: false,
            token,
            url,
        },
    ] = &effects[..]
    else {
        panic!("{effects:?}");
    };
    assert_eq!(spec, &crate::flow::gitlab::VariableSpec::plain("ROLE_ARN"));
    assert_eq!(projects, &["acme/web".to_string()]);
    assert_eq!(arn, "arn:aws:iam::123456789012:role/gitlab-acme-web");
    assert_eq!(Some(token.clone()), crate::gitlab::Token::new("glpat-x"));
    assert!(
        !format!("{effects:?}").contains("glpat-x"),
        "the token never shows, even in a debug dump"
    );
    assert_eq!(url, "https://gitlab.com");
    let attempt = *attempt;
    send(
        &mut app,
        [Msg::Stored {
            attempt,
            result: Ok(vec![crate::flow::gitlab::StoredOn {
                owner: crate::gitlab::Owner::Project("acme/web".into()),
                stored: crate::gitlab::Stored::Differs {
                    from: "arn:aws:iam::123456789012:role/old".into(),
                },
            }]),
        }],
    );
    assert!(matches!(app.confirm, Some(Confirm::ReplaceVariable { .. })));
    assert!(typed(&mut app, "y\n").is_empty());
    send(
        &mut app,
        [Msg::Stored {
            attempt,
            result: Ok(vec![crate::flow::gitlab::StoredOn {
                owner: crate::gitlab::Owner::Project("acme/web".into()),
                stored: crate::gitlab::Stored::Differs {
                    from: "arn:aws:iam::123456789012:role/old".into(),
                },
            }]),
        }],
    );
    let effects = press_go(&mut app);
    assert!(
        matches!(&effects[..], [Effect::StoreVariable { replace: true, .. }]),
        "{effects:?}"
    );
}

#[test]
fn project_ids_are_looked_up_from_the_trust_screen() {
    let mut app = on_trust();
    let ids_at = app
        .elements()
        .iter()
        .position(|e| *e == Element::ProjectIds)
        .unwrap();
    app.focus = ids_at;
    let ctrl_l = Msg::Key(KeyEvent::new(KeyCode::Char('l'), KeyModifiers::CONTROL));
    assert!(
        send(&mut app, [ctrl_l.clone()]).is_empty(),
        "no token: no call"
    );
    // The token is asked for right there, masked.
    assert_eq!(app.focused(), Element::GitLabToken);
    assert!(app.notice.as_deref().unwrap_or("").contains("GitLab token"));
    typed(&mut app, "glpat-x");
    let effects = send(&mut app, [key(KeyCode::Enter)]);
    let [
        Effect::LookupProjectIds {
            attempt,
            url,
            projects,
            ..
        },
    ] = &effects[..]
    else {
        panic!("{effects:?}");
    };
    assert_eq!(
        (url.as_str(), projects.as_slice()),
        ("https://gitlab.com", ["acme/web".to_string()].as_slice())
    );
    let attempt = *attempt;
    send(
        &mut app,
        [Msg::ProjectIds {
            attempt,
            result: Ok(vec!["4242".into()]),
        }],
    );
    assert_eq!(app.trust.project_ids.value, "4242");
    let trust = app.trust_preview().unwrap().policy.to_json();
    assert!(
        trust.contains("\"gitlab.com:project_id\":\"4242\""),
        "{trust}"
    );
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

fn saved_drafts(effects: &[Effect]) -> Vec<&crate::journal::Journal> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::SaveJournal(j) => Some(&**j),
            _ => None,
        })
        .collect()
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
fn a_on_review_applies_only_without_open_questions() {
    let (_, plan) = applying();
    // A plan that needs a yes (an admin-level policy) opens the dialog instead.
    let mut app = with_account();
    app.screen = Screen::Review;
    let mut plan = *plan;
    plan.policies.push(crate::engine::PolicyPlan {
        arn: "arn:aws:iam::aws:policy/AdministratorAccess".into(),
        name: "AdministratorAccess".into(),
        action: crate::engine::PolicyAction::Attach,
        admin: true,
    });
    app.review.plan.state = Load::Loaded(Box::new(plan));
    app.focus = app.elements().len() - 1;
    assert!(send(&mut app, [key(KeyCode::Char('a'))]).is_empty());
    assert!(matches!(&app.confirm, Some(Confirm::Apply { reasons, .. }) if !reasons.is_empty()));
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
fn the_task_list_moves_with_the_arrows_and_enter_on_project_ids_goes_on() {
    let mut app = with_account();
    app.focus = app
        .elements()
        .iter()
        .position(|e| *e == Element::Task)
        .unwrap();
    send(&mut app, [key(KeyCode::Down), key(KeyCode::Char('j'))]);
    assert_eq!(app.task, Task::ALL[2]);
    assert_eq!(app.focused(), Element::Task, "the focus stays on the list");
    send(&mut app, [key(KeyCode::Up)]);
    assert_eq!(app.task, Task::ALL[1]);

    let mut app = on_trust();
    app.focus = app
        .elements()
        .iter()
        .position(|e| *e == Element::ProjectIds)
        .unwrap();
    let effects = send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(app.screen, Screen::Permissions, "{effects:?}");
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::LookupProjectIds { .. }))
    );
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

#[test]
fn profiles_and_regions_are_picked_and_a_bad_region_is_never_used() {
    let mut app = with_account();
    send(&mut app, [Msg::Profiles(vec!["ci".into(), "prod".into()])]);
    app.focus = 0;
    send(&mut app, [ctrl('n')]);
    assert_eq!(app.account.profile.value, "ci");
    send(&mut app, [ctrl('n')]);
    assert_eq!(app.account.profile.value, "prod");
    // A region typed wrong: said next to the field, and no connection is made with it.
    app.focus = 1;
    typed(&mut app, "eu-west");
    assert!(app.error(Element::Region).is_some());
    let effects = send(&mut app, [key(KeyCode::Tab)]);
    assert!(effects.is_empty(), "{effects:?}");
    // Picked from the list instead: valid, and leaving the field connects.
    app.focus = 1;
    app.account.region.set("");
    send(&mut app, [ctrl('n')]);
    assert_eq!(app.account.region.value, "us-east-1");
    let effects = send(&mut app, [key(KeyCode::Tab)]);
    assert!(
        matches!(&effects[..], [Effect::Connect { region: Some(r), .. }] if r == "us-east-1"),
        "{effects:?}"
    );
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

mod attached_policies {
    //! A re-run for a role that exists: what it has is ticked, an untick is a detach, and what
    //! the wizard ticked for one role never follows the answers to another.
    use super::*;
    use crate::aws::AttachedPolicy;

    const READ_ONLY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    const OWN: &str = "arn:aws:iam::123456789012:policy/ci-deploy";

    fn role_with(name: &str, attached: &[&str]) -> Result<Option<ExistingRole>, ErrorView> {
        Ok(Some(ExistingRole {
            name: name.into(),
            path: "/".into(),
            ours: true,
            attached: attached
                .iter()
                .map(|arn| AttachedPolicy {
                    name: arn.rsplit('/').next().unwrap_or_default().into(),
                    arn: arn.to_string(),
                })
                .collect(),
        }))
    }

    /// On Permissions, with the look-up of the suggested name answered by `result`.
    fn on_permissions_with(result: Result<Option<ExistingRole>, ErrorView>) -> App {
        let mut app = on_trust();
        app.focus = app.elements().len() - 1;
        let effects = send(&mut app, [key(KeyCode::Enter)]);
        assert_eq!(app.screen, Screen::Permissions);
        let attempt = effects
            .iter()
            .find_map(|e| match e {
                Effect::LookupRole { attempt, name } if name == "gitlab-acme-web" => Some(*attempt),
                _ => None,
            })
            .expect("the role the answers name is looked up on Permissions");
        send(&mut app, [Msg::RoleLookup { attempt, result }]);
        app
    }

    #[test]
    fn what_the_role_has_is_ticked_and_an_untick_is_a_detach() {
        let mut app = on_permissions_with(role_with("gitlab-acme-web", &[READ_ONLY, OWN]));
        assert_eq!(
            app.setup_input().policies,
            [OWN.to_string(), READ_ONLY.to_string()]
        );
        assert!(app.setup_input().detach_policies.is_empty());
        app.set_selected(READ_ONLY, false);
        assert_eq!(app.setup_input().policies, [OWN.to_string()]);
        assert_eq!(app.setup_input().detach_policies, [READ_ONLY.to_string()]);
        // Ticked again: nothing to detach.
        app.set_selected(READ_ONLY, true);
        assert!(app.setup_input().detach_policies.is_empty());
        // A policy the role does not have, unticked, is just not attached.
        app.set_selected("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", true);
        app.set_selected("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", false);
        assert!(app.setup_input().detach_policies.is_empty());
    }

    #[test]
    fn another_role_name_drops_the_ticks_and_detaches_of_the_first() {
        let mut app = on_permissions_with(role_with("gitlab-acme-web", &[READ_ONLY, OWN]));
        app.set_selected(OWN, false);
        // The user's own pick stays; the role's ticks and the detach go with the name.
        app.set_selected("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", true);
        app.role.name.set("gitlab-other");
        let effects = app.lookup_role();
        let [Effect::LookupRole { attempt, .. }] = effects[..] else {
            panic!("{effects:?}")
        };
        send(
            &mut app,
            [Msg::RoleLookup {
                attempt,
                result: Ok(None),
            }],
        );
        let input = app.setup_input();
        assert_eq!(
            input.policies,
            ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess".to_string()]
        );
        assert!(input.detach_policies.is_empty(), "{input:?}");
        // The same name answered again later does not tick back what was unticked.
        let mut again = on_permissions_with(role_with("gitlab-acme-web", &[READ_ONLY]));
        again.set_selected(READ_ONLY, false);
        assert!(again.lookup_role().is_empty(), "answered already");
        // Typing in the Role name field drops the answer; the same name is then asked again.
        again.role.existing.state = Load::Idle;
        let effects = again.lookup_role();
        let [Effect::LookupRole { attempt, .. }] = effects[..] else {
            panic!("{effects:?}")
        };
        send(
            &mut again,
            [Msg::RoleLookup {
                attempt,
                result: role_with("gitlab-acme-web", &[READ_ONLY]),
            }],
        );
        assert_eq!(again.setup_input().detach_policies, [READ_ONLY.to_string()]);
    }

    #[test]
    fn a_continued_draft_keeps_its_detach_for_its_role() {
        let mut first = on_permissions_with(role_with("gitlab-acme-web", &[READ_ONLY, OWN]));
        first.set_selected(READ_ONLY, false);
        let answers = first.setup_input();
        let mut app = with_account();
        app.set_answers(&answers);
        app.screen = Screen::Trust;
        app.focus = app.elements().len() - 1;
        let effects = send(&mut app, [key(KeyCode::Enter)]);
        let attempt = effects
            .iter()
            .find_map(|e| match e {
                Effect::LookupRole { attempt, .. } => Some(*attempt),
                _ => None,
            })
            .expect("looked up");
        send(
            &mut app,
            [Msg::RoleLookup {
                attempt,
                result: role_with("gitlab-acme-web", &[READ_ONLY, OWN]),
            }],
        );
        assert_eq!(app.setup_input(), answers);
    }
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

/// A role that trusts acme/old today, made with the same answers otherwise: Review offers keeping
/// it beside acme/web (+), which re-plans with both; a role whose trust differs in more than its
/// projects gets no such offer (adding would not be exact).
#[test]
fn review_offers_adding_the_project_to_a_role_that_trusts_another() {
    let planned = |old: crate::plan::SetupInput, app: &mut App| {
        let effects = app.replan();
        let [Effect::Plan { attempt, setup }] = &effects[..] else {
            panic!("{effects:?}");
        };
        let aws = FakeAws::new();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let plan = rt.block_on(async {
            let before = crate::engine::plan(&aws, &old.validate().unwrap())
                .await
                .unwrap();
            crate::engine::apply(&aws, &before, |_| {}).await.unwrap();
            crate::engine::plan(&aws, setup).await.unwrap()
        });
        send(
            app,
            [Msg::Planned {
                attempt: *attempt,
                result: Ok(Box::new(plan)),
            }],
        );
    };
    let (mut app, _) = applying();
    app.screen = Screen::Review;
    app.apply.running = false;
    let mut old = app.setup_input();
    old.projects = vec!["acme/old".into()];
    planned(old.clone(), &mut app);
    assert_eq!(
        app.projects_trusted_now(),
        Some(vec!["acme/old".to_string()])
    );
    let effects = send(&mut app, [key(KeyCode::Char('+'))]);
    assert_eq!(app.trust.projects.list(), ["acme/old", "acme/web"]);
    assert!(
        matches!(&effects[..], [Effect::Plan { setup, .. }]
            if setup.projects.len() == 2),
        "{effects:?}"
    );
    assert_eq!(app.screen, Screen::Review);

    // Other refs too: replacing is the only exact change, so nothing is offered.
    let (mut app, _) = applying();
    app.screen = Screen::Review;
    app.apply.running = false;
    old.refs = vec!["develop".into()];
    planned(old, &mut app);
    assert_eq!(app.projects_trusted_now(), None);
    assert!(send(&mut app, [key(KeyCode::Char('+'))]).is_empty());
}

/// Done's `x`: a format is chosen, the export is the setup's, and the file is written beside the
/// user's work without ever replacing a different file unasked.
#[test]
fn done_exports_the_setup_and_never_replaces_a_different_file_unasked() {
    use crate::tui::effects::write_export;
    let (mut app, _) = applying();
    finish_all(&mut app);
    assert_eq!(app.screen, Screen::Done);
    assert!(send(&mut app, [key(KeyCode::Char('x'))]).is_empty());
    assert_eq!(app.confirm, Some(Confirm::ExportFormat));
    // A stray key does nothing; Esc leaves.
    assert!(send(&mut app, [key(KeyCode::Char('q'))]).is_empty());
    assert_eq!(app.confirm, Some(Confirm::ExportFormat));
    let effects = send(&mut app, [key(KeyCode::Char('t'))]);
    let [
        Effect::WriteExport {
            path,
            content,
            overwrite: false,
        },
    ] = &effects[..]
    else {
        panic!("{effects:?}");
    };
    assert_eq!(path, &std::path::PathBuf::from("gitlab-oidc.tf"));
    let setup = app.setup_input().validate().unwrap();
    assert_eq!(content, &crate::export::terraform(&setup).unwrap());

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gitlab-oidc.tf");
    // New: written. Again: left as it is.
    assert!(
        matches!(write_export(&file, content.clone(), false), Msg::Exported(Ok(s)) if s.starts_with("wrote"))
    );
    assert!(
        matches!(write_export(&file, content.clone(), false), Msg::Exported(Ok(s)) if s.contains("unchanged"))
    );
    // The user's own file: asked about, kept on no, replaced only on yes.
    std::fs::write(&file, "# mine\n").unwrap();
    let asked = write_export(&file, content.clone(), false);
    assert!(matches!(asked, Msg::ExportExists { .. }), "{asked:?}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "# mine\n");
    send(&mut app, [asked]);
    assert!(matches!(app.confirm, Some(Confirm::OverwriteExport { .. })));
    assert!(
        send(&mut app, [key(KeyCode::Enter)]).is_empty(),
        "Enter keeps it"
    );
    assert_eq!(app.confirm, None);
    send(&mut app, [write_export(&file, content.clone(), false)]);
    assert!(typed(&mut app, "y").is_empty());
    let effects = press_go(&mut app);
    assert!(
        matches!(
            &effects[..],
            [Effect::WriteExport {
                overwrite: true,
                ..
            }]
        ),
        "{effects:?}"
    );
    assert!(matches!(
        write_export(&file, content.clone(), true),
        Msg::Exported(Ok(_))
    ));
    assert_eq!(&std::fs::read_to_string(&file).unwrap(), content);
    // CloudFormation by c.
    send(&mut app, [key(KeyCode::Char('x'))]);
    let effects = send(&mut app, [key(KeyCode::Char('c'))]);
    assert!(
        matches!(&effects[..], [Effect::WriteExport { path, .. }] if path.ends_with("gitlab-oidc.yaml")),
        "{effects:?}"
    );
}

/// The job Done shows and copies runs only where the trust accepts its token: the rules of the
/// answers' refs, as `apply --write-ci-job` writes them.
#[test]
fn the_copied_ci_job_has_the_rules_of_the_answers() {
    let (mut app, _) = applying();
    finish_all(&mut app);
    let effects = send(&mut app, [key(KeyCode::Char('y'))]);
    let [Effect::Copy { what, text }] = &effects[..] else {
        panic!("{effects:?}");
    };
    assert_eq!(*what, "the CI job");
    let setup = app.setup_input().validate().unwrap();
    let expected = crate::ci_job::job_with_rules(
        crate::ci_job::CiStyle::TokenFile,
        setup.audience.as_str(),
        "ROLE_ARN",
        3600,
        &crate::ci_job::rules(&setup.refs, setup.ref_type, setup.ref_protected),
        // The region the wizard connected with.
        "eu-west-1",
    );
    assert_eq!(text, &expected);
    assert!(text.contains("AWS_DEFAULT_REGION: eu-west-1\n"), "{text}");
    assert!(
        text.contains(r#"- if: '$CI_COMMIT_BRANCH == "main"'"#),
        "{text}"
    );
}

/// Without an account, `d` on the Account screen opens the demo account (and only then): the
/// next connect is to the demo, and every effect that would leave the process is answered there.
#[test]
fn d_opens_the_demo_account_only_when_the_account_cannot_be_read() {
    let mut app = App::new(None, None);
    let _ = app.start();
    // While the account is being read, d does nothing.
    assert!(send(&mut app, [key(KeyCode::Char('d'))]).is_empty());
    assert!(!app.demo);
    let attempt = app.identity.attempt;
    let _ = update(
        &mut app,
        Msg::Identity {
            attempt,
            result: Err(ErrorView {
                kind: crate::tui::app::ErrorKind::Other,
                code: "NoCredentials".into(),
                message: "no AWS credentials were found".into(),
                hint: String::new(),
            }),
        },
    );
    assert!(app.can_try_demo());
    let effects = send(&mut app, [key(KeyCode::Char('d'))]);
    assert!(
        matches!(&effects[..], [Effect::Connect { demo: true, .. }]),
        "{effects:?}"
    );
    assert!(app.demo);
    assert!(!app.can_try_demo(), "offered once: the demo is on");
}

/// The config file's defaults fill the wizard's fields; what is not in it keeps the built-in
/// default.
#[test]
fn the_config_files_defaults_fill_the_fields() {
    let mut app = App::new(None, None);
    let config = crate::config::parse(
        "provider_url = \"https://gitlab.example.com\"\npolicies = [\"ReadOnlyAccess\"]\nrole_path = \"/ci/\"\nmax_session_duration = 7200\n[variable]\nname = \"DEPLOY_ROLE\"\nprotected = true\n",
    )
    .unwrap();
    app.apply_defaults(&config);
    assert_eq!(app.provider.kind, ProviderKind::SelfManaged);
    assert_eq!(app.provider.audience.value, "https://gitlab.example.com");
    let input = app.setup_input();
    assert_eq!(
        input.provider_url.as_deref(),
        Some("https://gitlab.example.com")
    );
    assert_eq!(input.role_path.as_deref(), Some("/ci/"));
    assert_eq!(input.max_session_duration.as_deref(), Some("7200"));
    assert!(app.permissions.selected.contains("ReadOnlyAccess"));
    assert_eq!(app.role.boundary.value, "");
    // The variable: the job Done copies reads it, and `g` stores the ARN in it, protected.
    assert!(app.ci_job().contains("AWS_ROLE_ARN: $DEPLOY_ROLE"));
    assert_eq!(app.variable.key, "DEPLOY_ROLE");
    assert!(app.variable.protected);
}

/// In the demo, GitLab is not asked: Ctrl-L and `g` say so, and no token is asked for.
#[test]
fn the_demo_asks_no_gitlab_token_and_sends_nothing_there() {
    let mut app = App::new(None, None);
    app.demo = true;
    assert!(app.lookup_project_ids().is_empty());
    assert!(!app.trust.token_for_lookup);
    assert_eq!(app.notice.as_deref(), Some(super::words::DEMO_NO_GITLAB));
    app.notice = None;
    assert!(app.store_variable(false).is_empty());
    assert_eq!(app.notice.as_deref(), Some(super::words::DEMO_NO_GITLAB));
}

/// Namespace ids pinned by a CLI run stay pinned when its journal is continued here, in the
/// answers and in the trust shown; for other projects they no longer apply.
#[test]
fn namespace_pins_carry_from_a_journal_for_the_same_projects_only() {
    let mut app = with_account();
    app.set_answers(&crate::plan::SetupInput {
        provider_url: Some("https://gitlab.com".into()),
        projects: vec!["acme/web".into()],
        namespace_ids: vec!["77".into()],
        role_name: Some("gitlab-acme-web".into()),
        ..crate::plan::SetupInput::default()
    });
    assert_eq!(app.setup_input().namespace_ids, ["77"]);
    let trust = app.trust_preview().expect("trust");
    assert_eq!(
        trust.policy.to_value()["Statement"][0]["Condition"]["StringEquals"]["gitlab.com:namespace_id"],
        "77"
    );
    app.trust.projects.set("acme/web, other/api");
    assert!(app.setup_input().namespace_ids.is_empty());
    assert!(
        !app.trust_preview()
            .expect("trust")
            .policy
            .to_json()
            .contains("namespace_id")
    );
}

/// Secure by default, as the CLI: leaving Who may assume looks the namespaces up (anonymously,
/// on gitlab.com), Review waits for the answer so the plan shown is the one applied, and the pin
/// is in it. A namespace GitLab does not show is said, and the plan goes on without a pin.
#[test]
fn the_wizard_pins_namespace_ids_before_it_plans() {
    for shown in [true, false] {
        let mut app = on_trust();
        app.reach_gitlab = true;
        let last = app.elements().len() - 1;
        app.focus = last;
        let effects = send(&mut app, [key(KeyCode::Enter)]);
        assert_eq!(app.screen, Screen::Permissions);
        let Some(Effect::LookupNamespaceIds {
            attempt,
            url,
            token,
            projects,
        }) = effects
            .iter()
            .find(|e| matches!(e, Effect::LookupNamespaceIds { .. }))
            .cloned()
        else {
            panic!("{effects:?}")
        };
        assert_eq!(
            (url.as_str(), token.is_none(), projects.as_slice()),
            (
                "https://gitlab.com",
                true,
                ["acme/web".to_string()].as_slice()
            )
        );
        send(
            &mut app,
            [Msg::Policies {
                attempt: 1,
                result: Ok(policy_list()),
            }],
        );
        app.set_selected("arn:aws:iam::aws:policy/ReadOnlyAccess", true);
        let effects = app.go_to(Screen::Review);
        assert!(
            !effects.iter().any(|e| matches!(e, Effect::Plan { .. })),
            "Review waits for the lookup: {effects:?}"
        );
        assert!(matches!(app.review.plan.state, Load::Loading));
        let result = Ok(crate::flow::gitlab::NamespaceIds {
            found: if shown {
                vec![("acme".into(), 77)]
            } else {
                vec![]
            },
            hidden: if shown { vec![] } else { vec!["acme".into()] },
        });
        let effects = send(&mut app, [Msg::NamespaceIds { attempt, result }]);
        let Some(Effect::Plan { setup, .. }) = effects.first() else {
            panic!("{effects:?}")
        };
        let trust = setup
            .trust("aws", "123456789012")
            .expect("trust")
            .policy
            .to_json();
        assert_eq!(
            trust.contains(r#""gitlab.com:namespace_id":"77""#),
            shown,
            "{trust}"
        );
        let notice = app.notice.clone().unwrap_or_default();
        assert!(
            notice.starts_with(if shown {
                "pinned namespace ids (acme 77)"
            } else {
                "namespace id not pinned: acme not visible without a token"
            }),
            "{notice}"
        );
        // Asked once for these projects: going back and on again does not ask again.
        app.go_to(Screen::Trust);
        let again = app.go_to(Screen::Permissions);
        assert!(
            !again
                .iter()
                .any(|e| matches!(e, Effect::LookupNamespaceIds { .. })),
            "{again:?}"
        );
    }
    // Not for a pattern, and not in the demo.
    let mut app = on_trust();
    app.reach_gitlab = true;
    app.trust.projects.set("acme/*");
    assert!(app.lookup_namespaces().is_empty());
    let mut demo = on_trust();
    demo.reach_gitlab = true;
    demo.demo = true;
    assert!(demo.lookup_namespaces().is_empty());
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

/// The first screen lists the setups this tool made; ↓ from Next reaches them, `c` copies the
/// highlighted role's ARN and Enter ends the wizard with it on stdout.
#[test]
fn the_first_screen_hands_out_the_arn_of_an_existing_setup() {
    let mut app = App::new(None, None);
    app.reach_gitlab = false;
    app.start();
    let effects = send(
        &mut app,
        [Msg::Identity {
            attempt: 1,
            result: Ok(identity()),
        }],
    );
    let [Effect::ListSetups { attempt }] = effects[..] else {
        panic!("{effects:?}");
    };
    let setup = |role: &str| crate::setups::SetupSummary {
        role: role.into(),
        arn: format!("arn:aws:iam::123456789012:role/{role}"),
        trusts: vec!["acme/web: main".into()],
    };
    send(
        &mut app,
        [Msg::Setups {
            attempt,
            result: Ok(vec![setup("gitlab-acme-api"), setup("gitlab-acme-web")]),
        }],
    );
    assert_eq!(app.focused(), Element::Next);
    send(&mut app, [key(KeyCode::Down), key(KeyCode::Down)]);
    assert_eq!(app.focused(), Element::Setups);
    assert_eq!(app.account.setups_cursor, 1);
    let arn = "arn:aws:iam::123456789012:role/gitlab-acme-web";
    assert_eq!(
        send(&mut app, [key(KeyCode::Char('c'))]),
        [Effect::Copy {
            what: "the role ARN",
            text: arn.into()
        }]
    );
    assert_eq!(app.screen, Screen::Account);
    send(&mut app, [key(KeyCode::Enter)]);
    assert!(app.quit);
    assert_eq!(app.end(), End::Arn(arn.into()));
    // ↑ on the first setup goes back to Next, as in any list.
    let mut back = App::new(None, None);
    let attempt = back.account.setups.start();
    back.account.setups.accept(attempt, Ok(vec![setup("a")]));
    back.focus = 4;
    send(&mut back, [key(KeyCode::Up)]);
    assert_eq!(back.focused(), Element::Next);
}
