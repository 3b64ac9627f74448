//! The effect runner on the in-memory fake: the wizard's update loop and its background tasks run
//! as in the program (messages over the channel), only the terminal is left out.

use std::time::Duration;

use ratatui::crossterm::event::KeyCode;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use super::*;
use crate::aws::fake::FakeAws;
use crate::tui::app::tests::{key, send, typed};
use crate::tui::app::{ActionState, App, Screen, update};

/// Hands the wizard the same fake account every time.
struct FakeConnect(FakeAws);

impl Connect for FakeConnect {
    type Aws = FakeAws;
    async fn connect(&self, options: ConnectOptions) -> (FakeAws, Connection) {
        let connection = Connection {
            profile: options.profile,
            region: options.region.unwrap_or_else(|| "eu-west-1".into()),
            endpoint_url: None,
        };
        (self.0.clone(), connection)
    }
}

/// The wizard with its effects performed on the fake, and the journal in a temp dir.
struct Wizard {
    app: App,
    effects: Effects<FakeConnect>,
    rx: UnboundedReceiver<Msg>,
    store: Store,
    _dir: tempfile::TempDir,
}

impl Wizard {
    /// A first run: no journal.
    fn start(fake: &FakeAws) -> Wizard {
        Wizard::open(fake, tempfile::tempdir().expect("a temp dir"))
    }

    /// The wizard as the program starts it, with the journal kept in `dir` (offered if present).
    fn open(fake: &FakeAws, dir: tempfile::TempDir) -> Wizard {
        let store = journal_in(&dir);
        let (tx, rx) = unbounded_channel();
        let effects = Effects::new(tx, FakeConnect(fake.clone()), None, store.clone());
        let mut app = App::new(None, None);
        if let Some(journal) = store.load() {
            app.offer_resume(journal);
        }
        let mut w = Wizard {
            app,
            effects,
            rx,
            store,
            _dir: dir,
        };
        let first = w.app.start();
        w.perform(first);
        w
    }

    fn perform(&self, effects: Vec<Effect>) {
        for e in effects {
            self.effects.perform(e);
        }
    }

    fn press(&mut self, msgs: impl IntoIterator<Item = Msg>) {
        let effects = send(&mut self.app, msgs);
        self.perform(effects);
    }

    fn type_text(&mut self, text: &str) {
        let effects = typed(&mut self.app, text);
        self.perform(effects);
    }

    /// Feed the background results back until `done` holds. The bound only turns a hang into a
    /// failure; nothing here measures time.
    async fn until(&mut self, what: &str, done: impl Fn(&App) -> bool) {
        while !done(&self.app) {
            let msg = tokio::time::timeout(Duration::from_secs(20), self.rx.recv())
                .await
                .unwrap_or_else(|_| panic!("waiting for {what}: screen {:?}", self.app.screen))
                .expect("the channel stays open");
            let effects = update(&mut self.app, msg);
            self.perform(effects);
        }
    }

    /// Enter on the screen's last element (its Next button).
    fn next(&mut self) {
        self.app.focus = self.app.elements().len() - 1;
        self.press([key(KeyCode::Enter)]);
    }
}

fn journal_in(dir: &tempfile::TempDir) -> Store {
    Store::at(dir.path().join("journal.json"))
}

/// The mutating calls made since `from`.
fn changes_since(fake: &FakeAws, from: usize) -> Vec<String> {
    fake.calls().snapshot()[from..]
        .iter()
        .filter(|c| crate::aws::calls::is_mutating(c))
        .cloned()
        .collect()
}

#[tokio::test]
async fn an_apply_that_fails_at_step_3_is_resumed_with_r_making_only_the_missing_calls() {
    let fake = FakeAws::new();
    let mut w = Wizard::start(&fake);
    w.until("the account", |a| a.identity.loaded().is_some())
        .await;
    w.next(); // Account → Identity provider
    w.until("the provider look-up", |a| {
        a.provider.lookup.loaded().is_some()
    })
    .await;
    w.next(); // → Who may assume
    assert_eq!(w.app.screen, Screen::Trust);
    w.app.focus = 0;
    w.type_text("acme/web");
    w.next(); // → Permissions: the list loads in the background
    w.until("the policy list", |a| {
        a.permissions.policies.loaded().is_some()
    })
    .await;
    w.type_text("ReadOnlyAccess");
    w.app.focus = 1;
    w.press([key(KeyCode::Char(' '))]);
    assert!(
        w.app
            .permissions
            .selected
            .contains("arn:aws:iam::aws:policy/ReadOnlyAccess")
    );
    w.next(); // → Role
    w.next(); // → Review: planned on the fake
    w.until("the plan", |a| a.review.plan.loaded().is_some())
        .await;
    assert!(
        changes_since(&fake, 0).is_empty(),
        "nothing changes before Apply"
    );

    fake.fail_next("AttachRolePolicy", "AccessDenied");
    w.press([
        key(KeyCode::Enter),
        key(KeyCode::Right),
        key(KeyCode::Enter),
    ]);
    assert_eq!(w.app.screen, Screen::Apply);
    assert_eq!(w.app.apply.rows.len(), 3);
    w.until("the failed step", |a| !a.apply.running).await;
    let states: Vec<&ActionState> = w.app.apply.rows.iter().map(|r| &r.state).collect();
    assert!(
        matches!(
            states[..],
            [
                ActionState::Done(_),
                ActionState::Done(_),
                ActionState::Failed(_)
            ]
        ),
        "{states:?}"
    );
    if let ActionState::Failed(e) = &w.app.apply.rows[2].state {
        assert_eq!(e.code, "AccessDenied");
    }
    assert_eq!(
        changes_since(&fake, 0),
        [
            "iam.CreateOpenIDConnectProvider",
            "iam.CreateRole",
            "iam.AttachRolePolicy"
        ]
    );
    // The runner recorded both finished steps before the failure.
    let journal = w
        .store
        .load()
        .expect("a journal while the setup is unfinished");
    assert_eq!(journal.finished.len(), 2, "{:?}", journal.finished);
    assert_eq!(journal.answers, w.app.setup_input());

    let before = fake.calls().snapshot().len();
    w.press([
        key(KeyCode::Char('r')),
        key(KeyCode::Right),
        key(KeyCode::Enter),
    ]);
    w.until("Done", |a| a.screen == Screen::Done).await;
    assert_eq!(
        fake.calls().snapshot()[before..],
        ["iam.AttachRolePolicy"],
        "only the missing call: nothing re-read, nothing re-created"
    );
    assert_eq!(
        w.app.role_arn(),
        Some("arn:aws:iam::123456789012:role/gitlab-acme-web")
    );
    assert!(
        w.store.load().is_none(),
        "a finished setup clears the journal"
    );
    // Done says how many calls the session made (the denied attach counts), as the CLI does.
    let total = fake.calls().total();
    w.until("the call count", |a| a.done.calls == Some((total, 4)))
        .await;
}

#[tokio::test]
async fn a_stopped_setup_in_the_journal_is_finished_by_the_wizard() {
    let fake = FakeAws::new();
    let dir = tempfile::tempdir().expect("a temp dir");
    // A setup whose role creation was denied: the provider exists, the journal is left.
    let answers = crate::plan::SetupInput {
        projects: vec!["acme/web".into()],
        role_name: Some("web".into()),
        role_path: Some("/ci/".into()),
        policies: vec!["ReadOnlyAccess".into()],
        ..Default::default()
    };
    let setup = answers.validate().expect("valid");
    let plan = engine::plan(&fake, &setup).await.expect("plan");
    fake.fail_next("CreateRole", "AccessDenied");
    let mut journal = crate::journal::Journal::new(answers, Some(crate::aws::fake::ACCOUNT.into()));
    let store = journal_in(&dir);
    let mut journaled = Journaled::new(&store, &mut journal);
    flow::apply_from(&fake, &plan, 0, Some(&mut journaled), |_| {})
        .await
        .expect_err("denied");

    // The next wizard finds it, continues it, and makes only what is missing.
    let mut w = Wizard::open(&fake, dir);
    assert!(matches!(
        w.app.confirm,
        Some(crate::tui::app::Confirm::Resume { .. })
    ));
    w.press([key(KeyCode::Char('c'))]);
    w.until("the plan", |a| a.review.plan.loaded().is_some())
        .await;
    assert_eq!(w.app.screen, Screen::Review);
    let before = fake.calls().snapshot().len();
    w.press([
        key(KeyCode::Enter),
        key(KeyCode::Right),
        key(KeyCode::Enter),
    ]);
    w.until("Done", |a| a.screen == Screen::Done).await;
    assert_eq!(
        changes_since(&fake, before),
        ["iam.CreateRole", "iam.AttachRolePolicy"]
    );
    assert_eq!(
        w.app.role_arn(),
        Some("arn:aws:iam::123456789012:role/ci/web")
    );
    assert!(w.store.load().is_none());
}

/// The demo answers what would leave the process itself, and lets the account's own calls through.
#[test]
fn the_demo_answers_gitlab_tls_and_files_here() {
    use super::demo_answer;
    let preflight = demo_answer(&Effect::Preflight {
        attempt: 3,
        url: "https://git.example.com".into(),
    });
    let Some(Some(Msg::Preflighted { attempt: 3, report })) = preflight else {
        panic!("{preflight:?}");
    };
    assert!(!report.passed());
    let export = demo_answer(&Effect::WriteExport {
        path: "gitlab-oidc.tf".into(),
        content: String::new(),
        overwrite: false,
    });
    assert!(
        matches!(&export, Some(Some(Msg::Exported(Err(e)))) if e.contains("writes no files")),
        "{export:?}"
    );
    assert!(matches!(demo_answer(&Effect::ClearJournal), Some(None)));
    assert!(demo_answer(&Effect::Check { attempt: 1 }).is_none());
    assert!(demo_answer(&Effect::LoadPolicies { attempt: 1 }).is_none());
}

/// A journal that cannot be written is said to the app (and again when it can be): the wizard
/// then promises no next start it cannot keep.
#[tokio::test]
async fn a_journal_that_cannot_be_written_is_said_and_not_promised() {
    let dir = tempfile::tempdir().expect("a temp dir");
    // A file where the journal's directory should be: every write fails.
    std::fs::write(dir.path().join("blocked"), "").expect("file");
    let store = Store::at(dir.path().join("blocked/journal.json"));
    let (tx, mut rx) = unbounded_channel();
    let effects = Effects::new(tx, FakeConnect(FakeAws::new()), None, store);
    let journal = crate::journal::Journal::new(crate::plan::SetupInput::default(), None);
    effects.perform(Effect::SaveJournal(Box::new(journal.clone())));
    let Some(Msg::JournalUnsaved(Some(why))) = rx.recv().await else {
        panic!("the failure is said");
    };
    let mut app = App::new(None, None);
    send(&mut app, [Msg::JournalUnsaved(Some(why.clone()))]);
    assert_eq!(app.journal_unsaved.as_deref(), Some(why.as_str()));
    // Said once, not at every keystroke's save.
    effects.perform(Effect::SaveJournal(Box::new(journal)));
    assert!(rx.try_recv().is_err());
}
