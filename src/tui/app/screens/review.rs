//! Review: the plan made from the answers, before anything is applied.

use super::super::Request;
use crate::engine::Plan;
use crate::plan::SetupInput;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReviewState {
    pub plan: Request<Box<Plan>>,
    /// The plan is made once the pre-flight of the self-managed instance has answered.
    pub(in crate::tui::app) waits_for_preflight: bool,
    /// The plan is made once the namespace lookup has answered (what is applied is what is shown).
    pub(in crate::tui::app) waits_for_namespaces: bool,
    /// The answers the plan on Review was made from.
    pub(in crate::tui::app) planned_answers: Option<SetupInput>,
    /// The setup that plan was made from (checked, pre-flight passed): the units' plan and
    /// the rollout use it.
    pub(in crate::tui::app) setup: Option<Box<crate::plan::Setup>>,
    /// This account, or the accounts of organizational units.
    pub units: super::units::UnitsState,
}

impl ReviewState {
    /// The answers passed their checks (and the pre-flight): a plan is being made from them.
    pub fn setup_checked(&self) -> bool {
        self.setup.is_some()
    }
}

use super::super::keymap::{Binding, Command as Do, ENTER, back, ch, scroll};
use super::super::{App, Confirm, Effect, EngineError, ErrorView, Load};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// List the changes in the Apply dialog (which opens on Cancel).
    Apply,
    /// An existing role trusting other projects: keep them and add these.
    KeepTrusted,
    /// Read the current state again.
    Reread,
}

pub(in crate::tui::app) fn keys(app: &App) -> Vec<Binding> {
    // The unit list, while open, takes the keys.
    if app.review.units.picking {
        return super::units::keys(app);
    }
    let act = |a| Do::Review(a);
    let planned = match app.review.units.target {
        super::units::Target::ThisAccount => app.review.plan.loaded().is_some(),
        super::units::Target::Units => app.review.units.plan.loaded().is_some(),
    };
    let mut keys = super::units::keys(app);
    keys.extend(vec![
        Binding::new(
            &[ch('a')],
            "a",
            "apply",
            "list the changes to apply (asks; Cancel first)",
        )
        .does(act(Action::Apply))
        .when(planned),
        Binding::new(
            &[ch('+')],
            "+",
            "add only",
            "an existing role trusting other projects: keep them and add these",
        )
        .does(act(Action::KeepTrusted))
        .when(
            app.projects_trusted_now().is_some()
                && app.review.units.target == super::units::Target::ThisAccount,
        ),
        Binding::new(&[ENTER], "Enter", "list changes", "the same as a")
            .does(act(Action::Apply))
            .when(planned),
        Binding::new(&[ch('r')], "r", "re-read", "read the current state again")
            .does(act(Action::Reread)),
        back(),
    ]);
    keys.extend(scroll(true, ""));
    keys
}

pub(in crate::tui::app) fn act(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Apply => super::super::nav::go_on(app),
        Action::KeepTrusted => app.keep_trusted_projects(),
        Action::Reread => app.replan(),
    }
}

/// The changes are listed in a dialog that opens on Cancel; a plan with none goes straight to
/// Done, with no AWS call.
pub(in crate::tui::app) fn open_apply(app: &mut App) -> Vec<Effect> {
    if app.review.units.target == super::units::Target::Units {
        return super::units::open_apply(app);
    }
    let Some(plan) = app.review.plan.loaded() else {
        return vec![];
    };
    let changes: Vec<String> = plan.actions().iter().map(|a| a.label(plan)).collect();
    if changes.is_empty() {
        return super::apply::begin(app);
    }
    app.ask(Confirm::Apply {
        changes,
        reasons: plan.confirmations(),
        name: plan.narrows_trust().then(|| plan.role.name.clone()),
    });
    vec![]
}

pub(in crate::tui::app) fn on_plan(
    app: &mut App,
    attempt: u64,
    result: Result<Box<Plan>, ErrorView>,
) -> Vec<Effect> {
    app.review.plan.accept(attempt, result);
    vec![]
}

impl App {
    pub(in crate::tui::app) fn replan(&mut self) -> Vec<Effect> {
        // Whatever follows, the plans of the answers before are not shown or applied: the
        // units' plan is made again once this setup is checked (a dialog open for it finds it
        // gone).
        self.review.setup = None;
        self.review.units.forget_plan();
        let lookup = self.lookup_namespaces();
        let pending = self.trust.namespaces.state == Load::Loading
            && self
                .trust
                .namespace_lookup_for
                .as_ref()
                .is_some_and(|(p, _)| *p == self.trust.projects.list());
        if pending {
            self.review.waits_for_namespaces = true;
            self.review.plan.state = Load::Loading;
            return lookup;
        }
        self.review.waits_for_namespaces = false;
        let attempt = self.review.plan.start();
        self.review.waits_for_preflight = false;
        self.review.planned_answers = Some(self.setup_input());
        let setup = match self.setup_input().validate() {
            Ok(setup) => setup,
            Err(e) => {
                self.review.plan.state = Load::Failed(ErrorView::from(&EngineError::Input(e)));
                return vec![];
            }
        };
        // A self-managed instance is checked the way AWS will before AWS is read, as the CLI does.
        let report = match (
            setup.provider_url.is_gitlab_com(),
            &self.provider.preflight.state,
        ) {
            (true, _) => None,
            (false, Load::Loaded(report)) => Some(report),
            (false, Load::Loading) => {
                self.review.waits_for_preflight = true;
                return vec![];
            }
            (false, _) => {
                self.review.waits_for_preflight = true;
                return vec![self.start_preflight(&setup.provider_url)];
            }
        };
        match crate::flow::preflight::gate(setup, report, self.thumbprint_choice()) {
            Ok(setup) => {
                self.review.setup = Some(Box::new(setup.clone()));
                let mut effects = vec![Effect::Plan {
                    attempt,
                    setup: Box::new(setup),
                }];
                effects.extend(self.plan_units());
                // Whether the account may roll out to an Organization's units (asked once).
                if matches!(self.check.organization.state, super::super::Load::Idle) {
                    effects.push(Effect::FindOrganization {
                        attempt: self.check.organization.start(),
                    });
                }
                effects
            }
            Err(e) => {
                self.review.plan.state = Load::Failed(ErrorView {
                    kind: crate::tui::app::ErrorKind::Other,
                    code: "Preflight".into(),
                    message: e.to_string(),
                    hint: gate_hint(&e).into(),
                });
                vec![]
            }
        }
    }

    /// Thumbprints kept from a stopped setup must be the instance's; otherwise the pre-flight's.
    fn thumbprint_choice(&self) -> crate::flow::preflight::Thumbprint {
        if self.provider.carried_thumbprints.is_empty() {
            crate::flow::preflight::Thumbprint::Auto
        } else {
            crate::flow::preflight::Thumbprint::Given
        }
    }
}

/// The way out of a failed pre-flight gate, in the wizard's words.
fn gate_hint(e: &crate::flow::preflight::GateError) -> &'static str {
    use crate::flow::preflight::GateError;
    match e {
        GateError::Failed { .. } => {
            "the checks on the Identity provider screen say what AWS would refuse; fix the instance, or go back (Esc) and correct the URL"
        }
        GateError::ThumbprintNeeded { .. } => {
            "the thumbprint kept from the stopped setup is not this instance's certificate: go back (Esc) to the Identity provider screen and edit the URL to take the new one"
        }
        GateError::AutoWithoutPreflight { .. } => "go back (Esc) and press r to run the pre-flight",
    }
}
