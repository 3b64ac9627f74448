//! Apply: the plan's actions as they run, and the outcome of the last finished apply.

use crate::engine::Outcome;
use crate::plan::SetupInput;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ApplyState {
    pub rows: Vec<ApplyRow>,
    pub(in crate::tui::app) attempt: u64,
    pub running: bool,
    pub outcome: Option<Outcome>,
    /// The answers the last finished apply carried out: the ARN is handed out only while the
    /// answers on screen are still these.
    pub(in crate::tui::app) applied_answers: Option<SetupInput>,
    /// A rollout to the accounts of organizational units, instead of the rows.
    pub rollout: Option<super::units::RolloutState>,
}

use super::super::keymap::{Binding, Command as Do, ESC, Nav, ch};
use super::super::{App, Confirm, Effect, ErrorKind, ErrorView, Screen};
use crate::engine::{Done, Step};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Re-run the failed step and what follows (asks); after a cancelled call, read again.
    Retry,
}

pub(in crate::tui::app) fn keys(app: &App) -> Vec<Binding> {
    if app.apply.rollout.is_some() {
        let esc = if app.apply.running {
            "stop waiting"
        } else {
            "back to review"
        };
        let mut keys = vec![
            Binding::new(
                &[ESC],
                "Esc",
                esc,
                "while running: stop waiting (an operation started goes on in AWS); then back to Review",
            )
            .does(Do::Nav(Nav::Back)),
        ];
        keys.extend(super::super::keymap::scroll(true, "scroll"));
        return keys;
    }
    let failed = !app.apply.running
        && app
            .apply
            .rows
            .iter()
            .any(|r| matches!(r.state, ActionState::Failed(_)));
    let esc = if app.apply.running {
        "cancel"
    } else if failed {
        "back to review"
    } else {
        ""
    };
    vec![
        Binding::new(
            &[ch('r')],
            "r",
            if app.apply.cancelled() {
                "read again"
            } else {
                "retry failed step"
            },
            "re-run the failed step and what follows (asks); after a cancel, read again",
        )
        .does(Do::Apply(Action::Retry))
        .when(failed),
        Binding::new(
            &[ESC],
            "Esc",
            esc,
            "while running: stop waiting for the call in flight",
        )
        .does(Do::Nav(Nav::Back)),
    ]
}

pub(in crate::tui::app) fn act(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Retry => {
            let failed = app
                .apply
                .rows
                .iter()
                .position(|r| matches!(&r.state, ActionState::Failed(_)));
            match failed {
                // A call given up on may have been done: read again rather than repeat it.
                Some(_) if app.apply.cancelled() => app.go_to(Screen::Review),
                Some(i) => {
                    let step = app.apply.rows[i].label.clone();
                    app.ask(Confirm::Retry { step, from: i });
                    vec![]
                }
                None => vec![],
            }
        }
    }
}

impl ApplyState {
    /// A step was given up on (Esc while its call was in flight).
    pub fn cancelled(&self) -> bool {
        self.rows
            .iter()
            .any(|r| matches!(&r.state, ActionState::Failed(e) if e.kind == ErrorKind::Cancelled))
    }
}

/// The apply stopped (done, failed or cancelled) while "An apply is running: quit?" was open: that
/// question no longer holds, so it is asked as things stand now (or closed, with nothing to lose).
pub(in crate::tui::app) fn requestion_quit(app: &mut App) {
    if app.confirm != Some(Confirm::Quit) {
        return;
    }
    app.confirm = None;
    if app.has_answers() && !app.applied_is_current() {
        app.ask(Confirm::QuitDraft);
    } else {
        app.notice = Some("the apply ended: q quits".into());
    }
}

/// Requests sent so far for a running action (retries included).
pub(in crate::tui::app) fn on_sent(app: &mut App, index: usize, sent: usize) -> Vec<Effect> {
    if let Some(row) = app.apply.rows.get_mut(index) {
        row.sent = sent;
    }
    vec![]
}

pub(in crate::tui::app) fn on_started(app: &mut App, index: usize) -> Vec<Effect> {
    if let Some(row) = app.apply.rows.get_mut(index) {
        row.state = ActionState::Running;
    }
    vec![]
}

/// The apply was stopped at the user's request (ignored when it ended before the cancel
/// reached it).
pub(in crate::tui::app) fn on_cancelled(app: &mut App) -> Vec<Effect> {
    if !app.apply.running {
        return vec![];
    }
    if app.apply.rollout.is_some() {
        super::units::on_cancelled(app);
        return vec![];
    }
    app.apply.running = false;
    requestion_quit(app);
    app.notice = None;
    // The call in flight; between two calls, the next one (so that r has a step).
    let rows = &mut app.apply.rows;
    let at = rows
        .iter()
        .position(|r| r.state == ActionState::Running)
        .or_else(|| rows.iter().position(|r| r.state == ActionState::Waiting));
    if let Some(row) = at.and_then(|i| rows.get_mut(i)) {
        row.state = ActionState::Failed(ErrorView {
            kind: ErrorKind::Cancelled,
            code: CANCELLED.into(),
            message: format!(
                "stopped waiting after {:.1} s; AWS may still have done it",
                f64::from(row.ticks) / 10.0
            ),
            hint: "r reads what exists again and shows Review; nothing is repeated blind".into(),
        });
    }
    vec![]
}

pub(in crate::tui::app) fn on_finished(
    app: &mut App,
    index: usize,
    result: Result<Done, ErrorView>,
) -> Vec<Effect> {
    // The runner has written it to the journal; this copy is what Review saves again.
    if let (Ok(_), Some(row), Some(journal)) =
        (&result, app.apply.rows.get(index), app.journal.as_mut())
    {
        journal.finished.push(row.label.clone());
    }
    // What changed AWS, not what was found done already.
    if let (Ok(done), Some(row)) = (&result, app.apply.rows.get(index))
        && !matches!(done, Done::Reused | Done::Unchanged)
        && !app.changed.contains(&row.label)
    {
        app.changed.push(row.label.clone());
    }
    let ok = result.is_ok();
    if let Some(row) = app.apply.rows.get_mut(index) {
        row.state = match result {
            Ok(d) => ActionState::Done(d),
            Err(e) => ActionState::Failed(e),
        };
    }
    if !ok {
        // The others of its wave that did not finish are not done: waiting for the retry.
        for row in &mut app.apply.rows {
            if row.state == ActionState::Running {
                row.state = ActionState::Waiting;
            }
        }
        app.apply.running = false;
        requestion_quit(app);
        return vec![];
    }
    // Side by side, the last row need not finish last: done when every row is.
    if app
        .apply
        .rows
        .iter()
        .all(|r| matches!(r.state, ActionState::Done(_)))
    {
        return app.finish_apply();
    }
    vec![]
}

/// Apply pressed (or nothing to change): the plan's actions as rows, and the first one started.
pub(in crate::tui::app) fn begin(app: &mut App) -> Vec<Effect> {
    let Some(plan) = app.review.plan.loaded() else {
        return vec![];
    };
    app.apply.rollout = None;
    app.apply.rows = plan
        .actions()
        .into_iter()
        .map(|action| ApplyRow::new(action.clone(), action.label(plan)))
        .collect();
    app.screen = Screen::Apply;
    app.focus = 0;
    if app.apply.rows.is_empty() {
        return app.finish_apply();
    }
    app.start_apply(0)
}

impl App {
    pub(in crate::tui::app) fn start_apply(&mut self, from: usize) -> Vec<Effect> {
        let Some(plan) = self.review.plan.loaded().cloned() else {
            return vec![];
        };
        self.apply.attempt += 1;
        self.apply.running = true;
        for row in self.apply.rows.iter_mut().skip(from) {
            row.state = ActionState::Waiting;
            row.ticks = 0;
            row.sent = 0;
        }
        vec![Effect::Apply {
            attempt: self.apply.attempt,
            plan,
            from,
            journal: self.journal.clone().map(Box::new),
        }]
    }

    pub(in crate::tui::app) fn finish_apply(&mut self) -> Vec<Effect> {
        self.apply.running = false;
        let Some(plan) = self.review.plan.loaded() else {
            return vec![];
        };
        let provider_done =
            self.apply
                .rows
                .iter()
                .find_map(|r| match (&r.state, r.action.step()) {
                    (ActionState::Done(d), Step::Provider) => Some(*d),
                    _ => None,
                });
        self.apply.outcome = Some(plan.outcome(provider_done));
        self.apply.applied_answers = self.review.planned_answers.clone();
        self.journal = None;
        self.changed.clear();
        let mut effects = vec![Effect::ClearJournal];
        effects.extend(self.go_to(Screen::Done));
        requestion_quit(self);
        effects
    }
}

/// The error a step shows when the user stopped waiting for it.
pub const CANCELLED: &str = "Cancelled";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionState {
    Waiting,
    Running,
    Done(Done),
    Failed(ErrorView),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApplyRow {
    pub action: crate::engine::Action,
    pub label: String,
    pub state: ActionState,
    /// Ticks (of 100 ms) it has been running.
    pub ticks: u32,
    /// Requests sent for it so far: more than one means the SDK is retrying.
    pub sent: usize,
}

impl ApplyRow {
    pub fn new(action: crate::engine::Action, label: String) -> Self {
        ApplyRow {
            action,
            label,
            state: ActionState::Waiting,
            ticks: 0,
            sent: 0,
        }
    }
}
