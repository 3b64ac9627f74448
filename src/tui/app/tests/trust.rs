//! Who may assume: the trust preview, project and namespace ids.

use super::*;

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
