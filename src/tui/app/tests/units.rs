//! Review's other target: the accounts of organizational units, rolled out through a StackSet,
//! with each effect answered by the demo account's Organization and StackSets.

use super::*;
use crate::aws::org::Organization;
use crate::rollout::{OrgPlan, Progress};

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap()
        .block_on(f)
}

pub(crate) fn org() -> Organization {
    Organization {
        id: "o-demo0000".into(),
        management_account: "123456789012".into(),
    }
}

fn offers(app: &App, label: &str) -> bool {
    app.bindings().iter().any(|b| b.active && b.label == label)
}

/// On Review with the plan for this account made, and the Organization found (or not).
pub(crate) fn on_review(aws: &FakeAws, found: Option<Organization>) -> App {
    let mut app = on_trust();
    app.permissions
        .selected
        .insert("arn:aws:iam::aws:policy/ReadOnlyAccess".into());
    for _ in 0..3 {
        app.focus = app.elements().len() - 1;
        let effects = send(&mut app, [key(KeyCode::Enter)]);
        if app.screen != Screen::Review {
            continue;
        }
        let [
            Effect::Plan { attempt, setup },
            Effect::FindOrganization { attempt: asked },
            Effect::SaveJournal(_),
        ] = &effects[..]
        else {
            panic!("{effects:?}");
        };
        // Before the answer, t is not offered and does nothing.
        assert!(!offers(&app, "t"));
        assert!(send(&mut app, [key(KeyCode::Char('t'))]).is_empty());
        let plan = block_on(crate::engine::plan(aws, setup)).unwrap();
        send(
            &mut app,
            [
                Msg::Planned {
                    attempt: *attempt,
                    result: Ok(Box::new(plan)),
                },
                Msg::OrganizationFound {
                    attempt: *asked,
                    found: found.clone(),
                },
            ],
        );
        return app;
    }
    panic!("Review not reached: {:?}", app.screen);
}

/// `t`, the unit list answered, the units at these rows selected, and Enter: the plan asked for.
pub(crate) fn choose_units(app: &mut App, aws: &FakeAws, rows: &[usize]) -> OrgPlan {
    let effects = send(app, [key(KeyCode::Char('t'))]);
    let [Effect::ListUnits { attempt }] = effects[..] else {
        panic!("{effects:?}");
    };
    assert!(app.review.units.picking);
    // Enter plans nothing before a unit is chosen.
    assert!(send(app, [key(KeyCode::Enter)]).is_empty());
    let list = block_on(crate::rollout::units(aws)).unwrap();
    send(
        app,
        [Msg::UnitsListed {
            attempt,
            result: Ok(list),
        }],
    );
    for row in rows {
        app.review.units.cursor = 0;
        for _ in 0..*row {
            send(app, [key(KeyCode::Down)]);
        }
        send(app, [key(KeyCode::Char(' '))]);
    }
    let effects = send(app, [key(KeyCode::Enter)]);
    let [
        Effect::PlanOrg {
            attempt,
            ref setup,
            ref units,
            ref region,
        },
    ] = effects[..]
    else {
        panic!("{effects:?}");
    };
    let rollout = crate::rollout::Rollout {
        setup,
        units: units.clone(),
        member_role: crate::aws::org::DEFAULT_MEMBER_ROLE.into(),
        region: region.clone(),
    };
    let plan = block_on(crate::rollout::plan(aws, &rollout)).unwrap();
    send(
        app,
        [Msg::OrgPlanned {
            attempt,
            result: Ok(Box::new(plan.clone())),
        }],
    );
    plan
}

/// What the effect runner does with `Effect::Rollout`, on the demo account: the messages it sends.
fn run_rollout(aws: &FakeAws, effect: &Effect) -> Vec<Msg> {
    let Effect::Rollout {
        attempt,
        setup,
        shown,
    } = effect
    else {
        panic!("{effect:?}");
    };
    let rollout = crate::rollout::Rollout {
        setup,
        units: shown.units.clone(),
        member_role: crate::aws::org::DEFAULT_MEMBER_ROLE.into(),
        region: shown.region.clone(),
    };
    let mut msgs = Vec::new();
    let result = block_on(crate::rollout::apply(
        aws,
        &rollout,
        |now, _| super::super::screens::units::same_plan(shown, now, setup),
        |progress: Progress| {
            msgs.push(Msg::RolloutProgress {
                attempt: *attempt,
                progress,
            })
        },
    ));
    msgs.push(Msg::RolledOut {
        attempt: *attempt,
        result: result
            .map(|(_, r)| Box::new(r))
            .map_err(|e| super::super::screens::units::rollout_error(&e)),
    });
    msgs
}

fn stack_sets(aws: &FakeAws) -> usize {
    aws.state.lock().unwrap().stack_sets.len()
}

fn role_in(aws: &FakeAws, account: &str, role: &str) -> bool {
    let s = aws.state.lock().unwrap();
    let org = s.organization.as_ref().unwrap();
    org.accounts
        .iter()
        .find(|a| a.account.id == account)
        .and_then(|a| a.aws.as_ref())
        .is_some_and(|m| m.state.lock().unwrap().roles.contains_key(role))
}

#[test]
fn units_are_offered_only_on_an_account_that_manages_an_organization() {
    let aws = crate::aws::demo::account();
    let mut app = on_review(&aws, None);
    assert!(!offers(&app, "t"));
    assert!(send(&mut app, [key(KeyCode::Char('t'))]).is_empty());
    assert_eq!(
        app.review.units.target,
        super::super::screens::units::Target::ThisAccount
    );
    let app = on_review(&aws, Some(org()));
    assert!(offers(&app, "t"));
}

#[test]
fn a_rollout_starts_only_from_its_dialogs_button_and_shows_each_account() {
    let aws = crate::aws::demo::account();
    let mut app = on_review(&aws, Some(org()));
    // Row 2 of the list: ou-demo-sandboxs (the root is row 0), whose one account has the
    // provider and no role of this name.
    let plan = choose_units(&mut app, &aws, &[2]);
    assert_eq!(plan.units, vec!["ou-demo-sandboxs".to_string()]);
    assert_eq!(plan.accounts.len(), 1);
    assert!(app.blocker().is_none(), "{:?}", app.blocker());

    // a asks on Cancel: Enter there and Esc leave everything; text presses nothing.
    for no in [KeyCode::Enter, KeyCode::Esc] {
        assert!(send(&mut app, [key(KeyCode::Char('a'))]).is_empty());
        assert!(
            matches!(&app.confirm, Some(Confirm::Rollout { changes, .. }) if changes.len() == 2),
            "{:?}",
            app.confirm
        );
        assert!(typed(&mut app, "yay roll out y").is_empty());
        assert!(send(&mut app, [key(no)]).is_empty());
        assert_eq!((app.screen, &app.confirm), (Screen::Review, &None));
    }
    assert_eq!(stack_sets(&aws), 0, "nothing made before the button");
    send(&mut app, [key(KeyCode::Char('a'))]);
    let effects = press_go(&mut app);
    assert_eq!(app.screen, Screen::Apply);
    let [ref rollout @ Effect::Rollout { .. }] = effects[..] else {
        panic!("{effects:?}");
    };
    // Each account waits, then is shown as the run goes.
    let rows = &app.apply.rollout.as_ref().unwrap().accounts;
    assert!(rows.iter().all(|r| r.state == "waiting"), "{rows:?}");
    assert!(app.apply.running);
    assert!(matches!(app.end(), End::NotApplied(_)));

    let msgs = run_rollout(&aws, rollout);
    assert!(
        msgs.iter().any(|m| matches!(
            m,
            Msg::RolloutProgress {
                progress: Progress::Instances(_),
                ..
            }
        )),
        "per-account progress is sent while an operation goes"
    );
    send(&mut app, msgs);
    assert!(!app.apply.running);
    let r = app.apply.rollout.as_ref().unwrap();
    for row in &r.accounts {
        assert_eq!(row.state, "current", "{row:?}");
        assert_eq!(
            row.role_arn.as_deref(),
            Some(format!("arn:aws:iam::{}:role/gitlab-acme-web", row.account).as_str())
        );
    }
    assert!(role_in(&aws, "210000000003", "gitlab-acme-web"));
    assert!(!role_in(&aws, "210000000002", "gitlab-acme-web"));
    assert_eq!(
        app.end(),
        End::Arns(vec![
            "arn:aws:iam::210000000003:role/gitlab-acme-web".into()
        ])
    );

    // Review again: every account has it, and a asks nothing and starts nothing.
    send(&mut app, [key(KeyCode::Esc)]);
    assert_eq!(app.screen, Screen::Review);
    let again = app.review.units.plan.loaded().is_none();
    assert!(again, "Review reads the Organization again");
}

#[test]
fn a_rollout_stops_before_any_change_when_the_organization_no_longer_matches_the_plan_shown() {
    let aws = crate::aws::demo::account();
    let mut app = on_review(&aws, Some(org()));
    choose_units(&mut app, &aws, &[1]);
    send(&mut app, [key(KeyCode::Char('a'))]);
    let effects = press_go(&mut app);
    // Between Review and the run, acme-staging gets a provider of its own: its instance would
    // now be made with CreateProvider=false, which was not what was shown.
    {
        let s = aws.state.lock().unwrap();
        let org = s.organization.as_ref().unwrap();
        let staging = org
            .accounts
            .iter()
            .find(|a| a.account.id == "210000000002")
            .and_then(|a| a.aws.clone())
            .unwrap();
        drop(s);
        let arn = "arn:aws:iam::210000000002:oidc-provider/gitlab.com".to_string();
        staging.state.lock().unwrap().providers.insert(
            arn.clone(),
            crate::aws::OidcProvider {
                arn,
                url: "gitlab.com".into(),
                client_ids: vec!["https://gitlab.com".into()],
                thumbprints: vec![],
                tags: vec![],
            },
        );
    }
    let msgs = run_rollout(&aws, &effects[0]);
    send(&mut app, msgs);
    assert_eq!(stack_sets(&aws), 0, "nothing was made");
    let r = app.apply.rollout.as_ref().unwrap();
    assert!(
        matches!(&r.result, Some(Err(e)) if e.code == "PlanChanged"),
        "{:?}",
        r.result
    );
    assert!(matches!(app.end(), End::NotApplied(_)));
}

#[test]
fn units_changed_in_the_list_are_planned_again_before_apply_is_offered() {
    let aws = crate::aws::demo::account();
    let mut app = on_review(&aws, Some(org()));
    choose_units(&mut app, &aws, &[1]);
    // u, select the sandbox unit too, Esc: the plan shown must be for both units.
    assert!(send(&mut app, [key(KeyCode::Char('u'))]).is_empty());
    assert!(!offers(&app, "a"), "no apply while the list is open");
    send(&mut app, [key(KeyCode::Down), key(KeyCode::Down)]);
    send(&mut app, [key(KeyCode::Char(' '))]);
    let effects = send(&mut app, [key(KeyCode::Esc)]);
    let [Effect::PlanOrg { ref units, .. }] = effects[..] else {
        panic!("{effects:?}");
    };
    assert_eq!(
        units,
        &vec![
            "ou-demo-workload".to_string(),
            "ou-demo-sandboxs".to_string()
        ]
    );
    assert!(app.review.units.plan.loaded().is_none());
    assert!(send(&mut app, [key(KeyCode::Char('a'))]).is_empty());
    assert!(app.confirm.is_none());
}

#[test]
fn esc_during_a_rollout_stops_waiting_and_nothing_is_handed_out() {
    let aws = crate::aws::demo::account();
    let mut app = on_review(&aws, Some(org()));
    choose_units(&mut app, &aws, &[1]);
    send(&mut app, [key(KeyCode::Char('a'))]);
    press_go(&mut app);
    let effects = send(&mut app, [key(KeyCode::Esc)]);
    let [Effect::CancelApply { attempt }] = effects[..] else {
        panic!("{effects:?}");
    };
    send(&mut app, [Msg::ApplyCancelled { attempt }]);
    assert!(!app.apply.running);
    let r = app.apply.rollout.as_ref().unwrap();
    assert!(matches!(&r.result, Some(Err(e)) if e.kind == ErrorKind::Cancelled));
    assert!(matches!(app.end(), End::NotApplied(_)));
    // A late answer of the cancelled run changes nothing.
    send(
        &mut app,
        [Msg::RolledOut {
            attempt,
            result: Err(ErrorView {
                kind: ErrorKind::Other,
                code: "X".into(),
                message: "late".into(),
                hint: String::new(),
            }),
        }],
    );
    let r = app.apply.rollout.as_ref().unwrap();
    assert!(matches!(&r.result, Some(Err(e)) if e.kind == ErrorKind::Cancelled));
}

#[test]
fn an_account_that_fails_shows_the_instances_reason_and_nothing_is_handed_out() {
    // acme-prod already holds a role of this name, made outside the stack set.
    let aws = crate::aws::demo::account();
    let mut app = on_review(&aws, Some(org()));
    let plan = choose_units(&mut app, &aws, &[1]);
    let prod = plan
        .accounts
        .iter()
        .find(|a| a.account == "210000000001")
        .unwrap();
    assert!(
        prod.problem
            .as_deref()
            .is_some_and(|p| p.contains("already there")),
        "the plan says so first: {prod:?}"
    );
    send(&mut app, [key(KeyCode::Char('a'))]);
    let effects = press_go(&mut app);
    send(&mut app, run_rollout(&aws, &effects[0]));
    let r = app.apply.rollout.as_ref().unwrap();
    let row = |id: &str| r.accounts.iter().find(|a| a.account == id).unwrap();
    assert_eq!(row("210000000001").state, "failed");
    assert!(
        row("210000000001")
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("already exists")),
        "{:?}",
        row("210000000001")
    );
    assert_eq!(row("210000000002").state, "current");
    assert!(r.failed());
    assert!(
        matches!(app.end(), End::NotApplied(why) if why.contains("210000000001")),
        "{:?}",
        app.end()
    );
}

/// Found by an attack: answers changed (with this account as the target) after the units were
/// planned, then the target switched back: the old plan was shown and the new answers rolled out.
#[test]
fn a_units_plan_is_never_shown_or_applied_for_other_answers() {
    let aws = crate::aws::demo::account();
    let mut app = on_review(&aws, Some(org()));
    choose_units(&mut app, &aws, &[2]);
    send(&mut app, [key(KeyCode::Char('t'))]);
    // The role is renamed, and Review reads again for this account.
    app.go_to(Screen::Role);
    app.role.name.set("renamed-role");
    app.role.name_edited = true;
    let effects = app.go_to(Screen::Review);
    assert!(
        effects.iter().any(|e| matches!(e, Effect::Plan { .. })),
        "{effects:?}"
    );
    assert!(
        app.review.units.plan.loaded().is_none(),
        "the units' plan of the old answers is gone"
    );
    // Back to the units (chosen still), the list closed: planned again, for the new answers.
    send(&mut app, [key(KeyCode::Char('t'))]);
    let effects = send(&mut app, [key(KeyCode::Esc)]);
    let [Effect::PlanOrg { ref setup, .. }] = effects[..] else {
        panic!("{effects:?}");
    };
    assert_eq!(setup.role_name.as_str(), "renamed-role");
    assert!(send(&mut app, [key(KeyCode::Char('a'))]).is_empty());
    assert!(app.confirm.is_none(), "nothing to confirm before the plan");
}

/// What a rollout reached is handed out only while the screen shows it: its units as the target
/// and its answers (found by a third attack: `t` made quitting hand out the ARNs under this
/// account's unapplied plan).
#[test]
fn after_a_rollout_quitting_hands_out_its_arns_only_while_the_screen_shows_it() {
    let aws = crate::aws::demo::account();
    let mut app = on_review(&aws, Some(org()));
    choose_units(&mut app, &aws, &[2]);
    send(&mut app, [key(KeyCode::Char('a'))]);
    let effects = press_go(&mut app);
    send(&mut app, run_rollout(&aws, &effects[0]));
    send(&mut app, [key(KeyCode::Esc)]);
    send(&mut app, [key(KeyCode::Char('t'))]);
    assert_eq!(
        app.review.units.target,
        super::super::screens::units::Target::ThisAccount
    );
    assert!(!app.applied_is_current());
    assert!(matches!(app.end(), End::NotApplied(_)), "{:?}", app.end());
    // Back to the units rolled out: handed out.
    send(&mut app, [key(KeyCode::Char('t'))]);
    send(&mut app, [key(KeyCode::Esc)]);
    assert!(app.applied_is_current());
    assert_eq!(
        app.end(),
        End::Arns(vec![
            "arn:aws:iam::210000000003:role/gitlab-acme-web".into()
        ])
    );
    // Other units chosen: not.
    send(&mut app, [key(KeyCode::Char('u'))]);
    send(&mut app, [key(KeyCode::Char(' '))]);
    send(&mut app, [key(KeyCode::Esc)]);
    assert!(!app.applied_is_current());
    assert!(matches!(app.end(), End::NotApplied(_)));
}

/// Found by a third attack (by reading): a plan made behind the open dialog (a look-up that
/// answered and changed the answers) was rolled out by the dialog's button. The dialog is tied to
/// the plan it was opened for.
#[test]
fn the_dialog_rolls_out_only_the_plan_it_was_opened_for() {
    let aws = crate::aws::demo::account();
    let mut app = on_review(&aws, Some(org()));
    choose_units(&mut app, &aws, &[2]);
    send(&mut app, [key(KeyCode::Char('a'))]);
    assert!(matches!(app.confirm, Some(Confirm::Rollout { .. })));
    // Behind the dialog, Review reads again and a new plan for the same answers arrives.
    let effects = app.replan();
    let Some(Effect::PlanOrg {
        attempt,
        setup,
        units,
        region,
    }) = effects
        .iter()
        .find(|e| matches!(e, Effect::PlanOrg { .. }))
        .cloned()
    else {
        panic!("{effects:?}");
    };
    let rollout = crate::rollout::Rollout {
        setup: &setup,
        units,
        member_role: crate::aws::org::DEFAULT_MEMBER_ROLE.into(),
        region,
    };
    let plan = block_on(crate::rollout::plan(&aws, &rollout)).unwrap();
    send(
        &mut app,
        [Msg::OrgPlanned {
            attempt,
            result: Ok(Box::new(plan)),
        }],
    );
    assert!(app.units_plan_is_current());
    let effects = press_go(&mut app);
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Rollout { .. })),
        "{effects:?}"
    );
    assert_eq!(stack_sets(&aws), 0);
}

/// Found by a second attack: answers that change on Review (a role look-up answering late adds
/// the policies the role has) made `u` Enter plan the old setup and record it as the new
/// answers' plan. Now the units' plan is always made from the answers on screen.
#[test]
fn a_units_plan_is_made_from_the_answers_on_screen_even_when_they_changed_on_review() {
    let aws = crate::aws::demo::account();
    let mut app = on_review(&aws, Some(org()));
    choose_units(&mut app, &aws, &[2]);
    // The answers change while Review is shown.
    app.permissions
        .selected
        .insert("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess".into());
    assert!(!app.units_plan_is_current());
    assert!(app.blocker().is_some());
    assert!(
        send(&mut app, [key(KeyCode::Char('a'))])
            .iter()
            .all(|e| !matches!(e, Effect::Rollout { .. }))
    );
    assert!(app.confirm.is_none());
    // u, Enter: Review reads the new answers first; the units' plan is of their setup.
    send(&mut app, [key(KeyCode::Char('u'))]);
    let effects = send(&mut app, [key(KeyCode::Enter)]);
    let Some(Effect::Plan { setup, .. }) = effects.first() else {
        panic!("{effects:?}");
    };
    assert_eq!(setup.policies.len(), 2, "{:?}", setup.policies);
    let Some(Effect::PlanOrg { setup, .. }) =
        effects.iter().find(|e| matches!(e, Effect::PlanOrg { .. }))
    else {
        panic!("{effects:?}");
    };
    assert_eq!(setup.policies.len(), 2);
    assert_eq!(
        app.review.units.planned.as_ref().map(|p| &p.0),
        Some(&app.setup_input())
    );
}

/// A late answer to a plan that was forgotten is not shown.
#[test]
fn a_forgotten_units_plan_ignores_its_late_answer() {
    let aws = crate::aws::demo::account();
    let mut app = on_review(&aws, Some(org()));
    let plan = choose_units(&mut app, &aws, &[2]);
    let attempt = app.review.units.plan.attempt;
    app.review.units.forget_plan();
    send(
        &mut app,
        [Msg::OrgPlanned {
            attempt,
            result: Ok(Box::new(plan)),
        }],
    );
    assert!(app.review.units.plan.loaded().is_none());
}
