//! The session: the account connected to, the GitLab roles offered on Explain and Remove, and
//! what the footer says.

use super::*;

impl App {
    /// Say `what` in the footer.
    pub(super) fn say(&mut self, what: &str) -> Vec<Effect> {
        self.notice = Some(what.into());
        vec![]
    }

    /// The journal could not be written (why), or can be again (`None`).
    pub(super) fn journal_unsaved_because(&mut self, why: Option<String>) -> Vec<Effect> {
        self.journal_unsaved = why;
        vec![]
    }

    /// The account was read (or not).
    pub(super) fn on_identity(
        &mut self,
        attempt: u64,
        result: Result<(CallerIdentity, Connection), ErrorView>,
    ) -> Vec<Effect> {
        if !self.identity.accept(attempt, result) {
            return vec![];
        }
        // The account changed: what was read for the old one no longer holds.
        self.provider.lookup.reset();
        self.forget_role_lookup();
        let mut effects = Vec::new();
        // Listed while the first screen shows (a continued setup goes on without them).
        if self.identity.loaded().is_some()
            && self.screen == Screen::Account
            && !self.resume_to_review
        {
            effects.push(self.list_setups());
        }
        if self.resume_to_review && self.identity.loaded().is_some() {
            self.resume_to_review = false;
            let target = self.first_unfinished_screen();
            effects.extend(self.go_to(target));
        }
        effects
    }

    pub(super) fn on_gitlab_roles(
        &mut self,
        attempt: u64,
        result: Result<Vec<String>, ErrorView>,
    ) -> Vec<Effect> {
        self.gitlab_roles.accept(attempt, result);
        vec![]
    }

    pub(super) fn connect(&mut self) -> Effect {
        self.connected_with = (
            non_empty(&self.account.profile.value),
            non_empty(&self.account.region.value),
        );
        Effect::Connect {
            attempt: self.identity.start(),
            profile: self.connected_with.0.clone(),
            region: self.connected_with.1.clone(),
            demo: self.demo,
        }
    }

    /// The account could not be read: the demo account is offered instead (`d`).
    pub fn can_try_demo(&self) -> bool {
        self.screen == Screen::Account
            && !self.demo
            && matches!(self.identity.state, Load::Failed(_))
    }
}
