//! The effects of the Check screen's Organization audit: whether the account may audit one,
//! and the audit itself with its progress.

use std::sync::atomic::Ordering;

use super::{Connect, Effects};
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
