//! Review: the plan and the Apply dialog.

use super::*;

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
