//! How the wizard ends, and what it may say then: every sentence about what was changed comes
//! from the journal and this run's finished steps.

use super::*;

/// How the wizard ended, for the shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// A setup applied to the end with the answers on screen: its role ARN goes to stdout.
    Arn(String),
    /// A rollout to the accounts of units reached every one of them with the answers on
    /// screen: the role ARN in each account goes to stdout, one per line.
    Arns(Vec<String>),
    /// Check, Explain or Remove ran to its result: nothing to print, exit 0.
    TaskDone,
    /// Nothing was finished.
    Nothing,
    /// A setup was applied but the answers on screen are not what it carried out (or an apply
    /// was cut short): nothing on stdout, exit 1, this line on stderr.
    NotApplied(String),
    /// Stopped from outside (SIGINT, SIGTERM, SIGHUP): exit 130, with what was not finished.
    Interrupted(Option<String>),
}

impl App {
    /// The role ARN, once the setup is done.
    pub fn role_arn(&self) -> Option<&str> {
        self.apply.outcome.as_ref().map(|o| o.role_arn.as_str())
    }

    /// A setup was applied to the end and the answers on screen are still the ones it carried
    /// out: what the step list marks done and what quitting hands out.
    pub fn applied_is_current(&self) -> bool {
        if self.apply.rollout.is_some() {
            return self.rolled_out_is_current();
        }
        self.apply.outcome.is_some()
            && !self.apply.running
            && self.apply.applied_answers.as_ref() == Some(&self.setup_input())
    }

    /// The changes of this setup made so far and not yet followed by a finished apply, in the
    /// plan's words: the steps the continued journal records as finished, and this run's steps
    /// as they finish. Every sentence about what was changed is made from it.
    pub fn changed_so_far(&self) -> Vec<String> {
        if self.applied_is_current() {
            return vec![];
        }
        self.changed.clone()
    }

    fn rollout_end(&self, r: &screens::units::RolloutState) -> End {
        if self.apply.running {
            return End::NotApplied(
                "quit during a rollout: an operation started goes on in AWS, and the next apply to the same units follows it rather than start another".into(),
            );
        }
        match &r.result {
            Some(Ok(done)) if done.failed().is_empty() && self.applied_is_current() => End::Arns(
                done.accounts
                    .iter()
                    .filter_map(|a| a.role_arn.clone())
                    .collect(),
            ),
            Some(Ok(done)) if !done.failed().is_empty() => End::NotApplied(format!(
                "the rollout did not reach {} (Apply showed why): nothing printed",
                done.failed()
                    .iter()
                    .map(|a| a.account.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            Some(Ok(_)) => End::NotApplied(
                "the screen shows other answers, units or target than the rollout's: nothing printed".into(),
            ),
            _ => End::NotApplied("the rollout was not finished: nothing printed".into()),
        }
    }

    /// How the wizard ends if it ends now: what goes to stdout and the exit code.
    pub fn end(&self) -> End {
        if let Some(arn) = &self.picked_arn {
            return End::Arn(arn.clone());
        }
        let task_done = screens::task_finished(self);
        if task_done {
            return End::TaskDone;
        }
        // The last apply was a rollout (an apply to this account forgets it, and the other way
        // round), whatever the target on Review is now.
        if let Some(r) = &self.apply.rollout {
            return self.rollout_end(r);
        }
        match (self.role_arn(), self.applied_is_current()) {
            (Some(arn), true) => End::Arn(arn.to_string()),
            (Some(arn), false) if self.apply.running => End::NotApplied(format!(
                "quit during an apply: the changed answers were not all applied; {arn} was the role set up before (run the wizard again to finish)"
            )),
            (Some(arn), false) => End::NotApplied(format!(
                "the answers were changed after {arn} was set up and were not applied: nothing printed"
            )),
            (None, _) if self.apply.running => End::NotApplied(match &self.journal_unsaved {
                None => "quit during an apply: the setup was not finished (run the wizard again to continue it)".into(),
                Some(e) => format!("quit during an apply: the setup was not finished, and its progress could not be kept ({e}): run the wizard again with the same answers to finish it"),
            }),
            (None, _) => match self.changed_so_far() {
                done if done.is_empty() => End::Nothing,
                done => End::NotApplied(format!(
                    "quit with the setup part done ({}): run the wizard again to finish it",
                    done.join("; ")
                )),
            },
        }
    }
}
