//! The wizard's state transitions, without a terminal: navigation, validation gating, retry of a
//! failed step, confirmations, and stale results from superseded attempts being ignored.

mod account;
mod apply;
mod check;
mod done;
mod draft;
mod explain;
mod navigation;
mod permissions;
mod provider;
mod remove;
mod review;
mod role;
mod trust;
pub(crate) mod units;

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
    // The plan, whether the account may roll out to an Organization (asked once), the draft.
    let [
        Effect::Plan { attempt, setup },
        Effect::FindOrganization { .. },
        Effect::SaveJournal(_),
    ] = &effects[..]
    else {
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

fn saved_drafts(effects: &[Effect]) -> Vec<&crate::journal::Journal> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::SaveJournal(j) => Some(&**j),
            _ => None,
        })
        .collect()
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
