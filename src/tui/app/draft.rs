//! The draft: the answers kept in the journal as they are given, so that a quit, a kill or a
//! closed terminal loses none; and continuing a stopped setup where it was left.

use super::*;

impl App {
    /// Offer to continue a stopped setup found in the journal.
    pub fn offer_resume(&mut self, journal: Journal) {
        self.ask(Confirm::Resume {
            summary: journal.summary(),
        });
        self.journal = Some(journal);
    }

    /// Fill every field from the journal's answers, and go to Review once the account is read.
    pub(super) fn resume(&mut self) -> Vec<Effect> {
        let Some(journal) = self.journal.clone() else {
            return vec![];
        };
        self.set_answers(&journal.answers);
        self.changed = journal.finished.clone();
        // Not past the screen the draft was saved from: the screens after it were never shown.
        self.resume_limit = journal
            .reached
            .as_deref()
            .and_then(Screen::from_key)
            .unwrap_or(Screen::Review);
        self.resume_to_review = true;
        if self.identity.loaded().is_some() {
            self.resume_to_review = false;
            let target = self.first_unfinished_screen();
            return self.go_to(target);
        }
        vec![]
    }

    /// In the demo, Explain starts filled in: the weak role and a sample token of a project it
    /// was not meant for, so that a newcomer sees a verdict with nothing to paste.
    pub(super) fn fill_demo_sample(&mut self) {
        let Some(token) = self.demo_token.clone().filter(|_| self.demo) else {
            return;
        };
        if self.target_role.value.is_empty() {
            self.target_role.set(crate::aws::demo::WEAK_ROLE);
        }
        if self.explain.token.value.is_empty() && self.explain.claims_file.value.is_empty() {
            self.explain.token.set(&token);
        }
    }

    /// Whether anything of a setup was answered (a first screen left as it is has nothing).
    pub fn has_answers(&self) -> bool {
        self.task == Task::Setup && self.setup_input() != App::new(None, None).setup_input()
    }

    /// Keep the answers in the journal, so that a quit, a kill or a closed terminal loses none:
    /// the next start offers to continue them. Not for a setup applied as it stands (that leaves
    /// no "stopped" journal), nor while an apply runs (the runner keeps the journal then).
    pub(super) fn keep_draft(&mut self) -> Vec<Effect> {
        if self.apply.running || self.applied_is_current() || !self.has_answers() {
            return vec![];
        }
        let answers = self.setup_input();
        let account = self.identity.loaded().map(|(id, _)| id.account.clone());
        let mut journal = match self.journal.take() {
            Some(mut j) if j.answers == answers => {
                j.account = account;
                j
            }
            _ => Journal::new(answers, account),
        };
        journal.reached = Some(self.furthest.min(Screen::Review).key().to_string());
        self.journal = Some(journal.clone());
        vec![Effect::SaveJournal(Box::new(journal))]
    }

    /// Quit now, keeping the draft.
    pub(super) fn quit_now(&mut self) -> Vec<Effect> {
        let mut effects = self.keep_draft();
        self.quit = true;
        effects.push(Effect::Quit);
        effects
    }

    /// The first setup screen whose answers are missing or wrong, and at most the furthest
    /// screen the draft reached: where a continued draft resumes (Review when all are there).
    pub(super) fn first_unfinished_screen(&mut self) -> Screen {
        let here = self.screen;
        let mut target = self.resume_limit.clamp(Screen::Provider, Screen::Review);
        for s in [
            Screen::Provider,
            Screen::Trust,
            Screen::Permissions,
            Screen::Role,
        ]
        .into_iter()
        .filter(|s| *s < target)
        {
            self.screen = s;
            if self.field_blocker().is_some()
                || (s == Screen::Trust && self.trust_preview().is_err())
            {
                target = s;
                break;
            }
        }
        self.screen = here;
        target
    }
}
