//! Counting the AWS calls we make: an SDK interceptor records every operation, so the product can
//! report (and tests can check) how many calls a run needed and whether any of them changed anything.

use std::sync::{Arc, Mutex};

use aws_sdk_iam::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_iam::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::orchestrator::Metadata;

/// A shared, ordered log of `service.Operation` names.
#[derive(Debug, Clone, Default)]
pub struct CallLog(Arc<Mutex<Vec<String>>>);

impl CallLog {
    pub fn record(&self, call: String) {
        if let Ok(mut calls) = self.0.lock() {
            calls.push(call);
        }
    }

    pub fn snapshot(&self) -> Vec<String> {
        self.0.lock().map(|c| c.clone()).unwrap_or_default()
    }

    pub fn total(&self) -> usize {
        self.snapshot().len()
    }

    pub fn mutating(&self) -> usize {
        self.snapshot().iter().filter(|c| is_mutating(c)).count()
    }
}

/// Read-only operations start with one of these verbs; everything else changes something.
pub fn is_mutating(call: &str) -> bool {
    let op = call.rsplit('.').next().unwrap_or(call);
    !["Get", "List"].iter().any(|verb| op.starts_with(verb))
}

/// The SDK interceptor feeding a `CallLog`; installed on every client we build.
#[derive(Debug, Clone)]
pub struct CallCounter(pub CallLog);

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CallCounter"
    }

    // Once per request that actually goes on the wire: a retry counts again, and an operation
    // that fails before sending (e.g. no credentials) does not count.
    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let call = match cfg.load::<Metadata>() {
            Some(m) => format!("{}.{}", m.service().to_ascii_lowercase(), m.name()),
            None => "unknown".to_string(),
        };
        tracing::debug!(call = %call, "AWS request");
        self.0.record(call);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutating_calls() {
        assert!(!is_mutating("sts.GetCallerIdentity"));
        assert!(!is_mutating("iam.ListAttachedRolePolicies"));
        assert!(is_mutating("iam.CreateRole"));
        assert!(is_mutating("iam.AttachRolePolicy"));
        assert!(is_mutating("iam.AddClientIDToOpenIDConnectProvider"));
        let log = CallLog::default();
        log.record("iam.GetRole".into());
        log.record("iam.CreateRole".into());
        assert_eq!((log.total(), log.mutating()), (2, 1));
    }
}
