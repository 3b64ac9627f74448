//! The effects of the Check screen's Organization audit: whether the account may audit one,
//! and the audit itself with its progress.

use std::sync::atomic::Ordering;

use super::{Connect, Effects};
use crate::aws::Aws as _;
use crate::tui::app::{ErrorView, Msg};

/// A self-managed issuer's TLS chain, for its thumbprint.
async fn handshake(host: String) -> Option<Result<crate::preflight::TlsReport, String>> {
    Some(crate::preflight::tls(&host, 443).await)
}

/// No host contacted (the demo).
async fn no_handshake(_host: String) -> Option<Result<crate::preflight::TlsReport, String>> {
    None
}

impl<C: Connect> Effects<C> {
    pub(super) fn find_organization(&self, attempt: u64) {
        let tx = self.tx.clone();
        let Some(aws) = self.client() else { return };
        tokio::spawn(async move {
            let found = crate::check::org::auditable(&*aws).await;
            let _ = tx.send(Msg::OrganizationFound { attempt, found });
        });
    }

    pub(super) fn check_org(&self, attempt: u64) {
        let tx = self.tx.clone();
        let demo = self.demo.load(Ordering::SeqCst);
        let Some(aws) = self.client() else { return };
        tokio::spawn(async move {
            let scope = crate::check::org::Scope {
                units: Vec::new(),
                accounts: Vec::new(),
                member_role: crate::aws::org::DEFAULT_MEMBER_ROLE.to_string(),
            };
            let progress_tx = tx.clone();
            let progress = move |progress| {
                let _ = progress_tx.send(Msg::OrgProgress { attempt, progress });
            };
            // The demo contacts no host (it compares no thumbprint).
            let result = if demo {
                crate::check::org::check_org(&*aws, &scope, no_handshake, progress).await
            } else {
                crate::check::org::check_org(&*aws, &scope, handshake, progress).await
            }
            .map(Box::new)
            .map_err(|e| ErrorView::from(&e));
            let _ = tx.send(Msg::OrgChecked { attempt, result });
        });
    }
}

impl<C: Connect> Effects<C> {
    pub(super) fn list_units(&self, attempt: u64) {
        let tx = self.tx.clone();
        let Some(aws) = self.client() else { return };
        tokio::spawn(async move {
            let result = crate::rollout::units(&*aws)
                .await
                .map_err(|e| ErrorView::from(&e));
            let _ = tx.send(Msg::UnitsListed { attempt, result });
        });
    }

    pub(super) fn plan_org(
        &self,
        attempt: u64,
        setup: Box<crate::plan::Setup>,
        units: Vec<String>,
        region: String,
    ) {
        let tx = self.tx.clone();
        let Some(aws) = self.client() else { return };
        tokio::spawn(async move {
            let rollout = crate::rollout::Rollout {
                setup: &setup,
                units,
                member_role: crate::aws::org::DEFAULT_MEMBER_ROLE.to_string(),
                region,
            };
            // Every account read, as `plan --org` does: Review shows what each holds.
            let result = crate::rollout::plan(&*aws, &rollout)
                .await
                .map(Box::new)
                .map_err(|e| ErrorView::from(&e));
            let _ = tx.send(Msg::OrgPlanned { attempt, result });
        });
    }

    /// The rollout Review showed and the user confirmed. The run reads the Organization again;
    /// where it would now do something else, it stops before any change.
    pub(super) fn rollout(
        &self,
        attempt: u64,
        setup: Box<crate::plan::Setup>,
        shown: Box<crate::rollout::OrgPlan>,
    ) {
        let tx = self.tx.clone();
        let Some(aws) = self.client() else { return };
        let task = tokio::spawn(async move {
            let rollout = crate::rollout::Rollout {
                setup: &setup,
                units: shown.units.clone(),
                member_role: crate::aws::org::DEFAULT_MEMBER_ROLE.to_string(),
                region: shown.region.clone(),
            };
            let progress_tx = tx.clone();
            let result = crate::rollout::apply(
                &*aws,
                &rollout,
                |now, _| crate::tui::app::screens::units::same_plan(&shown, now, &setup),
                move |progress| {
                    let _ = progress_tx.send(Msg::RolloutProgress { attempt, progress });
                },
            )
            .await;
            let result = result
                .map(|(_, done)| Box::new(done))
                .map_err(|e| crate::tui::app::screens::units::rollout_error(&e));
            let calls = aws.calls();
            let _ = tx.send(Msg::Calls {
                total: calls.total(),
                mutating: calls.mutating(),
            });
            let _ = tx.send(Msg::RolledOut { attempt, result });
        });
        // Esc stops waiting for it, as for an apply (no request watcher: its progress is the
        // operation's).
        self.running(attempt, task.abort_handle(), None);
    }
}
