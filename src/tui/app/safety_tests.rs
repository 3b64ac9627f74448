//! No sequence of printable characters, typed anywhere, changes AWS, GitLab or a file of the
//! user's: a property test over the pure update. From every screen of a setup whose role exists
//! (and whose trust the answers would narrow), from each dialog as it opens, from a failed apply,
//! from Done with a GitLab token at hand and from a removal plan, generated text with newlines
//! among it makes no effect that changes anything. Only ← / → choose a dialog's change button
//! (`dialog`), and no text contains them.

use proptest::prelude::*;
use ratatui::crossterm::event::KeyCode;

use super::tests::{applying, done, key, on_trust, send, typed, with_account};
use super::*;
use crate::aws::fake::FakeAws;

/// Whether an effect changes AWS, GitLab or a file: any export written (a new file too), and
/// the journal of a stopped setup deleted.
fn changes(e: &Effect) -> bool {
    matches!(
        e,
        Effect::Apply { .. }
            | Effect::Rollout { .. }
            | Effect::Remove { .. }
            | Effect::StoreVariable { .. }
            | Effect::WriteExport { .. }
            | Effect::ClearJournal
    )
}

/// Review of acme/web for the role that trusts acme/old today (the plan replaces its trust).
fn review_of_a_role_that_exists() -> App {
    let (mut app, _) = applying();
    app.screen = Screen::Review;
    app.apply.running = false;
    let mut old = app.setup_input();
    old.projects = vec!["acme/old".into()];
    let effects = app.replan();
    let [Effect::Plan { attempt, setup }] = &effects[..] else {
        panic!("{effects:?}");
    };
    let aws = FakeAws::new();
    let plan = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(async {
            let before = crate::engine::plan(&aws, &old.validate().unwrap())
                .await
                .unwrap();
            crate::engine::apply(&aws, &before, |_| {}).await.unwrap();
            crate::engine::plan(&aws, setup).await.unwrap()
        });
    assert!(plan.narrows_trust(), "{:?}", plan.role.action);
    send(
        &mut app,
        [Msg::Planned {
            attempt: *attempt,
            result: Ok(Box::new(plan)),
        }],
    );
    app
}

/// Every place text can be typed at, each as the person first sees it.
fn starting_points() -> Vec<(&'static str, App)> {
    let mut v = vec![("account", with_account()), ("trust", on_trust())];
    let review = review_of_a_role_that_exists();
    for (name, screen) in [
        ("provider", Screen::Provider),
        ("permissions", Screen::Permissions),
        ("role", Screen::Role),
    ] {
        let mut app = review.clone();
        app.go_to(screen);
        v.push((name, app));
    }
    v.push(("review", review.clone()));
    let mut dialog = review.clone();
    send(&mut dialog, [key(KeyCode::Enter)]);
    assert!(matches!(
        dialog.confirm,
        Some(Confirm::Apply { name: Some(_), .. })
    ));
    v.push(("apply dialog", dialog));
    let (mut failed, _) = applying();
    send(
        &mut failed,
        [Msg::ActionFinished {
            attempt: 1,
            index: 0,
            result: Err(ErrorView {
                kind: crate::tui::app::ErrorKind::Other,
                code: "AccessDenied".into(),
                message: "no".into(),
                hint: String::new(),
            }),
        }],
    );
    v.push(("failed apply", failed));
    let mut with_token = done();
    with_token.gitlab_token.set("glpat-secret");
    v.push(("done with a token", with_token.clone()));
    let mut store = with_token.clone();
    send(&mut store, [key(KeyCode::Char('g'))]);
    assert!(matches!(store.confirm, Some(Confirm::StoreVariable { .. })));
    v.push(("store dialog", store));
    let mut replace = with_token;
    replace.ask(Confirm::ReplaceVariable {
        reason: "ROLE_ARN holds another role".into(),
    });
    v.push(("replace dialog", replace));
    let mut export = done();
    export.ask(Confirm::ExportFormat);
    v.push(("export format dialog", export));
    let mut resume = with_account();
    resume.offer_resume(crate::journal::Journal::new(
        review_of_a_role_that_exists().setup_input(),
        Some("123456789012".into()),
    ));
    v.push(("resume dialog", resume));
    let mut remove = with_account();
    remove.task = Task::Remove;
    remove.go_to(Screen::Remove);
    remove.target_role.set("gitlab-acme-web");
    remove.remove.plan.state = Load::Loaded(Some(crate::destroy::DestroyPlan {
        role: "gitlab-acme-web".into(),
        role_arn: "arn:aws:iam::123456789012:role/gitlab-acme-web".into(),
        detach: vec![],
        leave_profiles: vec![],
        provider: crate::destroy::ProviderFate::None,
    }));
    v.push(("remove plan", remove.clone()));
    remove.focus = remove.elements().len() - 1;
    send(&mut remove, [key(KeyCode::Enter)]);
    assert!(matches!(remove.confirm, Some(Confirm::Remove { .. })));
    v.push(("remove dialog", remove));
    // The accounts of organizational units as Review's target: the plan, the unit list, the
    // rollout's dialog.
    let aws = crate::aws::demo::account();
    let mut units = super::tests::units::on_review(&aws, Some(super::tests::units::org()));
    super::tests::units::choose_units(&mut units, &aws, &[0]);
    v.push(("review of units", units.clone()));
    let mut list = units.clone();
    send(&mut list, [key(KeyCode::Char('u'))]);
    assert!(list.review.units.picking);
    v.push(("unit list", list));
    send(&mut units, [key(KeyCode::Char('a'))]);
    assert!(matches!(units.confirm, Some(Confirm::Rollout { .. })));
    v.push(("rollout dialog", units.clone()));
    v
}

/// Printable text: letters the screens use as keys, the role's own name, spaces, newlines, and
/// any other printable character.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\n".to_string()),
        Just("gitlab-acme-web".to_string()),
        Just("y".to_string()),
        Just("a".to_string()),
        Just("r".to_string()),
        Just("g".to_string()),
        Just("x".to_string()),
        Just("t".to_string()),
        Just("c".to_string()),
        Just("s".to_string()),
        "[ -~]{1,8}",
        "\\PC{1,4}",
    ];
    proptest::collection::vec(piece, 1..24).prop_map(|p| p.concat())
}

fn type_with_newlines(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| {
            let code = if c == '\n' {
                KeyCode::Enter
            } else {
                KeyCode::Char(c)
            };
            update(app, key(code))
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn no_typed_text_changes_anything(text in text()) {
        for (place, start) in starting_points() {
            let mut app = start;
            let effects = type_with_newlines(&mut app, &text);
            let made: Vec<&Effect> = effects.iter().filter(|e| changes(e)).collect();
            prop_assert!(made.is_empty(), "{place}: {text:?} made {made:?}");
        }
    }
}

/// The same starting points are not inert: → and Enter do press the change (so the property
/// above is about the text, not about dialogs that never open).
#[test]
fn the_change_button_still_works_after_text() {
    let mut dialog = review_of_a_role_that_exists();
    send(&mut dialog, [key(KeyCode::Enter)]);
    typed(&mut dialog, "gitlab-acme-web");
    let effects = send(&mut dialog, [key(KeyCode::Right), key(KeyCode::Enter)]);
    assert!(effects.iter().any(changes), "{effects:?}");
    let Some((_, mut rollout)) = starting_points()
        .into_iter()
        .find(|(p, _)| *p == "rollout dialog")
    else {
        panic!("no rollout dialog");
    };
    typed(&mut rollout, "gitlab-acme-web");
    let effects = send(&mut rollout, [key(KeyCode::Right), key(KeyCode::Enter)]);
    assert!(
        matches!(effects[..], [Effect::Rollout { .. }]),
        "{effects:?}"
    );
}
