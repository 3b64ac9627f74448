//! The first screen: the account, the task, the setups made in it.

use super::*;

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
fn the_start_screen_leads_to_each_task_and_back() {
    let mut app = with_account();
    choose_task(&mut app, Task::Check);
    assert_eq!(app.steps(), [Screen::Account, Screen::Check]);
    let effects = send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(app.screen, Screen::Check);
    // This account's audit, and whether it may audit an Organization (asked once).
    assert_eq!(
        effects,
        [
            Effect::Check { attempt: 1 },
            Effect::FindOrganization { attempt: 1 }
        ]
    );
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
fn the_task_list_moves_with_the_arrows_and_enter_on_project_ids_goes_on() {
    let mut app = with_account();
    app.focus = app
        .elements()
        .iter()
        .position(|e| *e == Element::Task)
        .unwrap();
    send(&mut app, [key(KeyCode::Down), key(KeyCode::Down)]);
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
