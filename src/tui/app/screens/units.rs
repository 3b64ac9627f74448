//! Review's other target, on an Organization's management or delegated-administrator account:
//! the accounts of organizational units, through one StackSet per setup (what `apply --org --ou`
//! does), and that rollout on Apply, account by account.
//!
//! What Apply carries out is the plan Review showed: the run reads the Organization again, and
//! if what it would do differs from what was confirmed, it stops before changing anything.

use super::super::Request;
use crate::plan::{Setup, SetupInput};
use crate::rollout::{AccountAction, OrgPlan, Progress, RolloutResult, UnitRow};

/// Where Apply goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Target {
    #[default]
    ThisAccount,
    Units,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct UnitsState {
    pub target: Target,
    /// The Organization's units, root first, each below its parent.
    pub list: Request<Vec<UnitRow>>,
    pub chosen: Vec<String>,
    pub cursor: usize,
    /// The unit list is open (↑/↓, Space, Enter).
    pub picking: bool,
    pub plan: Request<Box<OrgPlan>>,
    /// The answers and units the plan on Review was made from.
    pub(in crate::tui::app) planned: Option<(SetupInput, Vec<String>)>,
    /// The setup that plan was made from: the rollout carries out this one, no other.
    pub(in crate::tui::app) planned_setup: Option<Box<Setup>>,
}

impl UnitsState {
    /// No plan: the next one is made from the answers and units as they are then.
    pub(in crate::tui::app) fn forget_plan(&mut self) {
        // An answer still coming for it is dropped too.
        self.plan.cancel();
        self.planned = None;
        self.planned_setup = None;
    }
}

/// The rollout as Apply shows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RolloutState {
    pub accounts: Vec<AccountRow>,
    /// Each operation as it started and ended, and what else the run said.
    pub lines: Vec<String>,
    /// The operation going now, and for how long.
    pub waiting: Option<String>,
    pub result: Option<Result<Box<RolloutResult>, ErrorView>>,
    /// The answers and units of the last finished rollout.
    pub(in crate::tui::app) rolled_out: Option<(SetupInput, Vec<String>)>,
}

/// One account on Apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub account: String,
    pub name: String,
    /// What the plan does there, in a word or two.
    pub planned: String,
    /// Where it is: `waiting`, then AWS's word for its instance (`pending`, `running`,
    /// `succeeded`, `failed`, …), and at the end `current`, `failed`, `skipped`, `unreadable`,
    /// `not-deployed`, `unchanged`.
    pub state: String,
    pub reason: Option<String>,
    pub role_arn: Option<String>,
}

impl RolloutState {
    pub fn failed(&self) -> bool {
        matches!(&self.result, Some(Err(_)))
            || matches!(&self.result, Some(Ok(r)) if !r.failed().is_empty())
    }
}

use super::super::keymap::{Binding, Command as Do, DOWN, ENTER, ESC, UP, ch};
use super::super::{App, Confirm, Effect, ErrorKind, ErrorView, Load, Screen};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// This account, or the accounts of units.
    Target,
    /// Open the unit list again.
    Units,
    Up,
    Down,
    Toggle,
    /// Plan for the units chosen.
    Plan,
    /// Close the unit list.
    Close,
}

/// Review's keys for the target (before its own).
pub(in crate::tui::app) fn keys(app: &App) -> Vec<Binding> {
    let act = |a| Do::Units(a);
    let units = &app.review.units;
    if units.picking {
        return vec![
            Binding::new(&[DOWN, ch('j')], "↑/↓", "move", "move in the unit list")
                .does(act(Action::Down)),
            Binding::new(&[UP, ch('k')], "k", "", "").does(act(Action::Up)),
            Binding::new(
                &[ch(' '), ch('x')],
                "Space",
                "select",
                "select or clear the unit",
            )
            .does(act(Action::Toggle))
            .when(units.list.loaded().is_some()),
            Binding::new(
                &[ENTER],
                "Enter",
                "plan",
                "plan the rollout to the accounts of the units selected",
            )
            .does(act(Action::Plan))
            .when(!units.chosen.is_empty()),
            Binding::new(&[ESC], "Esc", "close", "close the unit list").does(act(Action::Close)),
        ];
    }
    vec![
        Binding::new(
            &[ch('t')],
            "t",
            "target",
            "apply to this account, or to the accounts of organizational units (through a StackSet)",
        )
        .does(act(Action::Target))
        .when(app.check.offered().is_some()),
        // The body says "u changes them": the footer has no room for it at 80 columns.
        Binding::new(&[ch('u')], "u", "", "choose the organizational units again")
            .does(act(Action::Units))
            .when(units.target == Target::Units),
    ]
}

pub(in crate::tui::app) fn act(app: &mut App, action: Action) -> Vec<Effect> {
    let units = &mut app.review.units;
    let n = units.list.loaded().map_or(0, Vec::len);
    match action {
        Action::Target => match units.target {
            Target::Units => {
                units.target = Target::ThisAccount;
                units.picking = false;
                app.scroll = 0;
                vec![]
            }
            Target::ThisAccount => {
                units.target = Target::Units;
                app.scroll = 0;
                open_list(app)
            }
        },
        Action::Units => open_list(app),
        Action::Up => {
            units.cursor = units.cursor.saturating_sub(1);
            vec![]
        }
        Action::Down => {
            units.cursor = (units.cursor + 1).min(n.saturating_sub(1));
            vec![]
        }
        Action::Toggle => {
            if let Some(id) = units
                .list
                .loaded()
                .and_then(|l| l.get(units.cursor))
                .map(|u| u.id.clone())
            {
                if let Some(at) = units.chosen.iter().position(|c| *c == id) {
                    units.chosen.remove(at);
                } else {
                    units.chosen.push(id);
                }
            }
            vec![]
        }
        Action::Plan => {
            units.picking = false;
            app.scroll = 0;
            app.plan_units()
        }
        Action::Close => {
            units.picking = false;
            if units.chosen.is_empty() {
                units.target = Target::ThisAccount;
                return vec![];
            }
            // The plan shown is always the one for the units shown.
            let planned = units.planned.as_ref().map(|(_, u)| u);
            if planned != Some(&units.chosen) {
                return app.plan_units();
            }
            vec![]
        }
    }
}

fn open_list(app: &mut App) -> Vec<Effect> {
    let units = &mut app.review.units;
    units.picking = true;
    if matches!(units.list.state, Load::Idle | Load::Failed(_)) {
        return vec![Effect::ListUnits {
            attempt: units.list.start(),
        }];
    }
    vec![]
}

pub(in crate::tui::app) fn on_units(
    app: &mut App,
    attempt: u64,
    result: Result<Vec<UnitRow>, ErrorView>,
) -> Vec<Effect> {
    let units = &mut app.review.units;
    if units.list.accept(attempt, result) {
        let n = units.list.loaded().map_or(0, Vec::len);
        units.cursor = units.cursor.min(n.saturating_sub(1));
        // Units that are gone are not kept chosen.
        if let Some(list) = units.list.loaded() {
            units.chosen.retain(|c| list.iter().any(|u| u.id == *c));
        }
    }
    vec![]
}

pub(in crate::tui::app) fn on_plan(
    app: &mut App,
    attempt: u64,
    result: Result<Box<OrgPlan>, ErrorView>,
) -> Vec<Effect> {
    app.review.units.plan.accept(attempt, result);
    vec![]
}

/// The rollout's words for one account of the plan.
fn planned(action: &AccountAction) -> (&'static str, &'static str) {
    match action {
        AccountAction::Deploy {
            create_provider: true,
        } => ("deploy", "waiting"),
        AccountAction::Deploy {
            create_provider: false,
        } => ("deploy (keeps its provider)", "waiting"),
        AccountAction::Redeploy => ("deploy again", "waiting"),
        AccountAction::AddProvider => ("create its provider", "waiting"),
        AccountAction::Update => ("update", "waiting"),
        AccountAction::Unchanged => ("unchanged", "unchanged"),
        AccountAction::Skip { .. } => ("skipped", "skipped"),
        AccountAction::Unreadable => ("not read", "unreadable"),
    }
}

/// The Apply dialog's lines for the rollout: one per account that changes.
fn changes(plan: &OrgPlan) -> Vec<String> {
    let mut out = vec![format!(
        "stack set {}: {}",
        plan.stack_set,
        match plan.stack_set_action {
            crate::rollout::StackSetAction::Create =>
                "create it (service-managed, auto-deployment on)",
            crate::rollout::StackSetAction::Update => "update its template (every instance)",
            crate::rollout::StackSetAction::Unchanged => "unchanged",
        }
    )];
    let changing: Vec<String> = plan
        .accounts
        .iter()
        .filter(|a| {
            matches!(
                a.action,
                AccountAction::Deploy { .. }
                    | AccountAction::Redeploy
                    | AccountAction::AddProvider
                    | AccountAction::Update
            )
        })
        .map(|a| format!("{} {}: {}", a.account, a.name, planned(&a.action).0))
        .collect();
    // A dialog has the rows of a terminal: a long list is counted, and Review lists it whole.
    let shown = if changing.len() > DIALOG_ACCOUNTS {
        DIALOG_ACCOUNTS - 1
    } else {
        changing.len()
    };
    out.extend(changing.iter().take(shown).cloned());
    if changing.len() > shown {
        out.push(format!(
            "and {} more accounts (Review lists each)",
            changing.len() - shown
        ));
    }
    out
}

/// At most this many account lines in the rollout's dialog.
const DIALOG_ACCOUNTS: usize = 6;

/// Review's a/Enter with the units as target.
pub(in crate::tui::app) fn open_apply(app: &mut App) -> Vec<Effect> {
    if app.review.units.plan.loaded().is_some() && !app.units_plan_is_current() {
        // Made for other answers or units: made again, and shown, before anything is applied.
        app.notice = Some("the plan was for other answers or units: reading again".into());
        return app.plan_units();
    }
    let Some(plan) = app.review.units.plan.loaded() else {
        return vec![];
    };
    if plan.is_converged() {
        app.notice =
            Some("every account of the units already has this setup: nothing to apply".into());
        return vec![];
    }
    let Some(setup) = app.review.units.planned_setup.as_deref() else {
        return vec![];
    };
    let rollout = crate::rollout::Rollout {
        setup,
        units: plan.units.clone(),
        member_role: crate::aws::org::DEFAULT_MEMBER_ROLE.into(),
        region: plan.region.clone(),
    };
    let mut reasons = plan.confirmations(&rollout);
    // What the plan already expects to fail is said before the yes: named when it is one
    // account, counted when more (Review says each), so that the dialog fits.
    let troubled: Vec<_> = plan
        .accounts
        .iter()
        .filter(|a| a.problem.is_some())
        .collect();
    match troubled[..] {
        [] => {}
        [one] => reasons.push(format!(
            "{} {}: {}",
            one.account,
            one.name,
            one.problem.as_deref().unwrap_or_default()
        )),
        ref many => reasons.push(format!(
            "{} accounts have a problem the plan expects to fail on (Review says each)",
            many.len()
        )),
    }
    let changes = changes(plan);
    let plan = app.review.units.plan.attempt;
    app.ask(Confirm::Rollout {
        changes,
        reasons,
        plan,
    });
    vec![]
}

/// The Apply button of the rollout's dialog: Apply shows each account, and the run starts.
pub(in crate::tui::app) fn begin(app: &mut App, confirmed: u64) -> Vec<Effect> {
    // The dialog was opened for one plan, then on screen: any other (one made behind the
    // dialog, for answers a look-up changed) is not confirmed.
    if !app.units_plan_is_current() || app.review.units.plan.attempt != confirmed {
        app.notice = Some(
            "the answers changed while the dialog was open: nothing was rolled out; reading again"
                .into(),
        );
        return app.plan_units();
    }
    let (Some(plan), Some(setup)) = (
        app.review.units.plan.loaded().cloned(),
        app.review.units.planned_setup.clone(),
    ) else {
        return vec![];
    };
    app.apply.rollout = Some(RolloutState {
        accounts: plan
            .accounts
            .iter()
            .map(|a| {
                let (word, state) = planned(&a.action);
                AccountRow {
                    account: a.account.clone(),
                    name: a.name.clone(),
                    planned: word.to_string(),
                    state: state.to_string(),
                    reason: match &a.action {
                        AccountAction::Skip { reason } => Some(reason.clone()),
                        _ => a.unreadable.as_ref().map(|u| u.reason.clone()),
                    },
                    role_arn: None,
                }
            })
            .collect(),
        ..RolloutState::default()
    });
    app.apply.rows.clear();
    app.apply.outcome = None;
    app.apply.attempt += 1;
    app.apply.running = true;
    app.screen = Screen::Apply;
    app.focus = 0;
    app.scroll = 0;
    vec![Effect::Rollout {
        attempt: app.apply.attempt,
        setup,
        shown: plan,
    }]
}

pub(in crate::tui::app) fn on_progress(app: &mut App, attempt: u64, p: Progress) -> Vec<Effect> {
    if attempt != app.apply.attempt {
        return vec![];
    }
    let Some(r) = app.apply.rollout.as_mut() else {
        return vec![];
    };
    match p {
        Progress::Said(line) => r.lines.push(line),
        Progress::Started {
            action,
            id,
            accounts,
        } => {
            r.lines.push(format!(
                "operation {id} ({action}) started for {} account{}",
                accounts.len(),
                if accounts.len() == 1 { "" } else { "s" }
            ));
            for row in r
                .accounts
                .iter_mut()
                .filter(|a| accounts.contains(&a.account))
            {
                row.state = "pending".into();
            }
        }
        Progress::Instances(instances) => {
            for i in instances {
                if let Some(row) = r.accounts.iter_mut().find(|a| a.account == i.account)
                    && let Some(d) = &i.detailed
                    && row.state != "unchanged"
                {
                    row.state = d.to_lowercase();
                    row.reason = i.reason.clone();
                }
            }
        }
        Progress::Waiting { action, id, waited } => {
            r.waiting = Some(format!(
                "operation {id} ({action}): running · {} s",
                waited.as_secs()
            ));
        }
        Progress::Ended(op) => {
            r.waiting = None;
            r.lines.push(format!(
                "operation {} ({}): {}",
                op.id,
                op.action,
                format!("{:?}", op.status).to_lowercase()
            ));
        }
    }
    vec![]
}

pub(in crate::tui::app) fn on_finished(
    app: &mut App,
    attempt: u64,
    result: Result<Box<RolloutResult>, ErrorView>,
) -> Vec<Effect> {
    if attempt != app.apply.attempt || !app.apply.running {
        return vec![];
    }
    app.apply.running = false;
    let planned = app.review.units.planned.clone();
    let Some(r) = app.apply.rollout.as_mut() else {
        return vec![];
    };
    r.waiting = None;
    if result.is_err() {
        for row in r.accounts.iter_mut().filter(|a| a.state == "waiting") {
            row.state = "not started".into();
        }
    }
    if let Ok(done) = &result {
        for a in &done.accounts {
            if let Some(row) = r.accounts.iter_mut().find(|row| row.account == a.account) {
                if row.state != "unchanged" || a.status != "current" {
                    row.state = a.status.clone();
                }
                row.reason = a.reason.clone();
                row.role_arn = a.role_arn.clone();
            }
        }
    }
    let ok = matches!(&result, Ok(done) if done.failed().is_empty());
    r.result = Some(result);
    let mut effects = vec![];
    if ok {
        r.rolled_out = planned;
        // The setup is done: its draft is not offered again.
        app.journal = None;
        effects.push(Effect::ClearJournal);
    }
    super::apply::requestion_quit(app);
    effects
}

/// Esc while the rollout runs: the run stops waiting; the operation goes on in AWS.
pub(in crate::tui::app) fn on_cancelled(app: &mut App) {
    app.apply.running = false;
    if let Some(r) = app.apply.rollout.as_mut() {
        r.waiting = None;
        for row in r.accounts.iter_mut().filter(|a| a.state == "waiting") {
            row.state = "not started".into();
        }
        r.result = Some(Err(ErrorView {
            kind: ErrorKind::Cancelled,
            code: super::apply::CANCELLED.into(),
            message: "stopped waiting; an operation started goes on in AWS".into(),
            hint: "Esc goes back to Review, which reads the Organization again; applying there follows the operation rather than start another".into(),
        }));
    }
    super::apply::requestion_quit(app);
}

impl App {
    /// The plan for the units chosen, from the setup Review's own plan was made from.
    pub(in crate::tui::app) fn plan_units(&mut self) -> Vec<Effect> {
        let units = self.review.units.chosen.clone();
        if units.is_empty() || self.review.units.target != Target::Units {
            return vec![];
        }
        // The setup Review has is of the answers it read last: when they have changed since
        // (a look-up that answered late), Review reads them again, and the units' plan follows.
        let answers = self.review.planned_answers.clone();
        if answers.as_ref() != Some(&self.setup_input()) {
            return self.replan();
        }
        let Some(setup) = self.review.setup.clone() else {
            // Review's plan is still being made: the units' plan follows it.
            self.review.units.forget_plan();
            return vec![];
        };
        let region = self
            .identity
            .loaded()
            .map(|(_, c)| c.region.clone())
            .unwrap_or_default();
        // The answers the setup was made from, which are the ones on screen (checked above).
        self.review.units.planned = answers.map(|a| (a, units.clone()));
        self.review.units.planned_setup = Some(setup.clone());
        vec![Effect::PlanOrg {
            attempt: self.review.units.plan.start(),
            setup,
            units,
            region,
        }]
    }

    /// The units' plan on Review is the one for the answers and units on screen.
    pub(in crate::tui::app) fn units_plan_is_current(&self) -> bool {
        let u = &self.review.units;
        u.plan.loaded().is_some_and(|p| p.units == u.chosen)
            && u.planned.as_ref() == Some(&(self.setup_input(), u.chosen.clone()))
            && u.planned_setup.is_some()
    }

    /// A rollout reached every account with the answers on screen: nothing of them is left
    /// to apply.
    pub(in crate::tui::app) fn rolled_out_is_current(&self) -> bool {
        // What the screen shows is what was rolled out: these units as the target, these
        // answers. (This account as the target, or other units, is not what was rolled out.)
        let units = &self.review.units;
        !self.apply.running
            && units.target == Target::Units
            && self.apply.rollout.as_ref().is_some_and(|r| {
                r.rolled_out.as_ref().is_some_and(|(answers, rolled)| {
                    answers == &self.setup_input() && rolled == &units.chosen
                })
            })
    }
}

/// A rollout's error as Apply shows it: a plan that no longer matches the one confirmed (the
/// run's question answered no) is said so.
pub fn rollout_error(e: &crate::engine::EngineError) -> ErrorView {
    match e {
        crate::engine::EngineError::ConfirmationRequired { .. } => ErrorView {
            kind: ErrorKind::Other,
            code: "PlanChanged".into(),
            message: "the Organization changed since Review: Apply would now do something else than what you confirmed, so nothing was changed".into(),
            hint: "Esc goes back to Review, which reads it again".into(),
        },
        e => ErrorView::from(e),
    }
}

/// Whether the plan the run made is the one confirmed on Review: the same stack set action,
/// the same action in each account, the same reasons for a yes.
pub fn same_plan(shown: &OrgPlan, now: &OrgPlan, setup: &Setup) -> bool {
    let rollout = |p: &OrgPlan| crate::rollout::Rollout {
        setup,
        units: p.units.clone(),
        member_role: crate::aws::org::DEFAULT_MEMBER_ROLE.into(),
        region: p.region.clone(),
    };
    let actions = |p: &OrgPlan| {
        p.accounts
            .iter()
            .map(|a| (a.account.clone(), a.action.clone()))
            .collect::<Vec<_>>()
    };
    shown.stack_set == now.stack_set
        && shown.units == now.units
        && shown.region == now.region
        && shown.stack_set_action == now.stack_set_action
        && actions(shown) == actions(now)
        && shown.confirmations(&rollout(shown)) == now.confirmations(&rollout(now))
}
