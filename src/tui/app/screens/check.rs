//! Check: the account's GitLab roles audited, as the `check` command does; on an Organization's
//! management or delegated-administrator account, every account of the Organization, as
//! `check --org` does.

use super::super::Request;
use crate::aws::org::Organization;
use crate::check::org::{OrgAudit, Progress};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CheckState {
    pub result: Request<Vec<crate::check::RoleReport>>,
    /// The Organization this account may audit, once asked (`None` inside: none).
    pub organization: Request<Option<Organization>>,
    /// The whole Organization is shown, not this account.
    pub whole: bool,
    pub org_result: Request<Box<OrgAudit>>,
    /// How far the Organization's audit is.
    pub progress: Option<Progress>,
}

impl CheckState {
    /// The Organization, when this account may audit it.
    pub fn offered(&self) -> Option<&Organization> {
        self.organization.loaded().and_then(Option::as_ref)
    }
}

use super::super::keymap::{Binding, Command as Do, ENTER, back, ch, scroll};
use super::super::{App, Effect, ErrorView};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Run,
    /// Audit every account of the Organization.
    Organization,
    /// Back to this account's audit.
    ThisAccount,
}

pub(in crate::tui::app) fn keys(app: &App) -> Vec<Binding> {
    let offered = app.check.offered().is_some();
    let mut keys = vec![
        Binding::new(
            &[ch('r'), ENTER],
            "r",
            "check again",
            "check again (r or Enter)",
        )
        .does(Do::Check(Action::Run)),
        Binding::new(
            &[ch('o')],
            "o",
            "whole Organization",
            "audit every account of the Organization, each through OrganizationAccountAccessRole",
        )
        .does(Do::Check(Action::Organization))
        .when(offered && !app.check.whole),
        Binding::new(&[ch('a')], "a", "this account", "audit this account only")
            .does(Do::Check(Action::ThisAccount))
            .when(app.check.whole),
    ];
    keys.extend(scroll(true, "scroll"));
    keys.push(back());
    keys
}

pub(in crate::tui::app) fn act(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Run if app.check.whole => app.run_org_check(),
        Action::Run => app.run_check(),
        Action::Organization => {
            app.check.whole = true;
            app.scroll = 0;
            if app.check.org_result.loaded().is_some() {
                vec![]
            } else {
                app.run_org_check()
            }
        }
        Action::ThisAccount => {
            app.check.whole = false;
            app.scroll = 0;
            vec![]
        }
    }
}

pub(in crate::tui::app) fn on_checked(
    app: &mut App,
    attempt: u64,
    result: Result<Vec<crate::check::RoleReport>, ErrorView>,
) -> Vec<Effect> {
    app.check.result.accept(attempt, result);
    vec![]
}

pub(in crate::tui::app) fn on_organization_found(
    app: &mut App,
    attempt: u64,
    found: Option<Organization>,
) -> Vec<Effect> {
    app.check.organization.accept(attempt, Ok(found));
    vec![]
}

pub(in crate::tui::app) fn on_org_progress(
    app: &mut App,
    attempt: u64,
    progress: Progress,
) -> Vec<Effect> {
    if app.check.org_result.answers(attempt) {
        app.check.progress = Some(progress);
    }
    vec![]
}

pub(in crate::tui::app) fn on_org_checked(
    app: &mut App,
    attempt: u64,
    result: Result<Box<OrgAudit>, ErrorView>,
) -> Vec<Effect> {
    app.check.org_result.accept(attempt, result);
    vec![]
}

impl App {
    /// This account's audit, and (once per session) whether it may audit an Organization.
    pub(in crate::tui::app) fn run_check(&mut self) -> Vec<Effect> {
        let mut effects = vec![Effect::Check {
            attempt: self.check.result.start(),
        }];
        if matches!(self.check.organization.state, super::super::Load::Idle) {
            effects.push(Effect::FindOrganization {
                attempt: self.check.organization.start(),
            });
        }
        effects
    }

    fn run_org_check(&mut self) -> Vec<Effect> {
        self.check.progress = None;
        vec![Effect::CheckOrg {
            attempt: self.check.org_result.start(),
        }]
    }
}
