//! Applying a plan with the journal kept: what a run finished is recorded after each step, so a
//! run that stops anywhere is continued by the next (`apply --from-journal` or the wizard).

use crate::aws::Aws;
use crate::engine::{self, EngineError, Outcome, Plan, Progress};
use crate::journal::{Journal, Store};

/// The journal of a run and where it is kept.
pub struct Journaled<'a> {
    store: &'a Store,
    journal: &'a mut Journal,
    /// Why the journal could not be written, the first time it could not.
    unsaved: Option<String>,
}

impl<'a> Journaled<'a> {
    pub fn new(store: &'a Store, journal: &'a mut Journal) -> Self {
        Journaled {
            store,
            journal,
            unsaved: None,
        }
    }

    /// Why the journal could not be written, if it could not: the setup went on without it, and
    /// a run that stopped cannot be continued from it. For the face to say.
    pub fn unsaved(&self) -> Option<&str> {
        self.unsaved.as_deref()
    }

    fn save(&mut self) {
        if let Err(e) = self.store.save(self.journal) {
            tracing::warn!(error = %e, "the journal could not be written; the setup goes on without it");
            self.unsaved.get_or_insert(e.to_string());
        }
    }
}

/// Run the plan's actions from index `from` on, recording each finished one in the journal. On
/// success the journal of these answers is forgotten: nothing is left to continue.
pub async fn apply_from<A: Aws>(
    aws: &A,
    plan: &Plan,
    from: usize,
    mut journal: Option<&mut Journaled<'_>>,
    mut progress: impl FnMut(Progress),
) -> Result<Outcome, EngineError> {
    if let Some(j) = journal.as_mut()
        && plan.actions().len() > from
    {
        // Written before the first change, so that a kill during it leaves something to continue.
        j.save();
    }
    let outcome = engine::apply_from(aws, plan, from, |p| {
        if let (Progress::Finished { label, .. }, Some(j)) = (&p, journal.as_mut()) {
            j.journal.finished.push(label.clone());
            j.save();
        }
        progress(p);
    })
    .await?;
    if let Some(j) = journal {
        j.store.finished(&j.journal.answers);
    }
    Ok(outcome)
}
