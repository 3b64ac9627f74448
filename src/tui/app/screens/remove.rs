//! Remove: what removing a setup's role would do, then removing it, as `destroy` does.

use super::super::Request;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct RemoveState {
    pub plan: Request<Option<crate::destroy::DestroyPlan>>,
    pub removed: Request<Vec<String>>,
}

use super::super::keymap::{Binding, Command as Do, ch};
use super::super::{App, Confirm, Effect, Element, ErrorKind, ErrorView, Load};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Enter: show what will be removed; with it shown, remove (asks).
    Go,
    /// A role this tool did not make, or one in instance profiles: remove anyway (asks).
    Force,
}

pub(in crate::tui::app) fn keys(app: &App) -> Vec<Binding> {
    let mut keys = super::explain::task_keys(
        app,
        Do::Remove(Action::Go),
        "show what will be removed; again: remove (asks)",
    );
    keys.push(
        Binding::new(
            &[ch('f')],
            "f",
            "remove anyway",
            "a role this tool did not make: remove anyway (asks)",
        )
        .does(Do::Remove(Action::Force))
        .when(app.remove_can_force()),
    );
    keys
}

pub(in crate::tui::app) fn act(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Go if app.focused() == Element::Next || blocker(app).is_none() => go(app),
        Action::Go => super::super::nav::enter_on(app, app.focused()),
        Action::Force => {
            // The command line's --force, behind a question.
            if let Load::Failed(e) = &app.remove.plan.state {
                app.ask(Confirm::ForceRemove {
                    role: app.target_role.value.trim().to_string(),
                    why: e.message.clone(),
                    in_profiles: e.kind == ErrorKind::InInstanceProfiles,
                });
            }
            vec![]
        }
    }
}

/// What Remove still needs.
pub(in crate::tui::app) fn blocker(app: &App) -> Option<String> {
    crate::plan::input::RoleName::parse(app.target_role.value.trim())
        .err()
        .map(|e| format!("role name: {}", e.rule))
}

fn go(app: &mut App) -> Vec<Effect> {
    match &app.remove.plan.state {
        // A plan is shown and the role still matches: confirm, then remove.
        Load::Loaded(Some(plan))
            if plan.role == app.target_role.value.trim()
                && !matches!(app.remove.removed.state, Load::Loaded(_)) =>
        {
            app.ask(Confirm::Remove {
                role: plan.role.clone(),
            });
            vec![]
        }
        _ => {
            if let Some(why) = blocker(app) {
                app.notice = Some(why);
                return vec![];
            }
            app.plan_remove(false)
        }
    }
}

pub(in crate::tui::app) fn on_planned(
    app: &mut App,
    attempt: u64,
    result: Result<Option<crate::destroy::DestroyPlan>, ErrorView>,
) -> Vec<Effect> {
    app.remove.plan.accept(attempt, result);
    vec![]
}

pub(in crate::tui::app) fn on_removed(
    app: &mut App,
    attempt: u64,
    result: Result<Vec<String>, ErrorView>,
) -> Vec<Effect> {
    app.remove.removed.accept(attempt, result);
    vec![]
}

impl App {
    /// The Remove plan refused in a way `f` can override after a question (the command line's
    /// `--force`): a role not made here, or one in instance profiles.
    pub fn remove_can_force(&self) -> bool {
        matches!(&self.remove.plan.state, Load::Failed(e)
            if matches!(e.kind, ErrorKind::NotOurs | ErrorKind::InInstanceProfiles))
    }

    /// Read what removing the role would do; `force`: also when this tool did not create it.
    pub(in crate::tui::app) fn plan_remove(&mut self, force: bool) -> Vec<Effect> {
        self.remove.removed.reset();
        vec![Effect::PlanRemove {
            attempt: self.remove.plan.start(),
            role: self.target_role.value.trim().to_string(),
            force,
        }]
    }

    pub(in crate::tui::app) fn confirm_remove(&mut self) -> Vec<Effect> {
        let Load::Loaded(Some(plan)) = &self.remove.plan.state else {
            return vec![];
        };
        vec![Effect::Remove {
            attempt: self.remove.removed.start(),
            plan: Box::new(plan.clone()),
        }]
    }
}
