//! Counting the AWS calls we make: an SDK interceptor records every operation, so the product can
//! report (and tests can check) how many calls a run needed and whether any of them changed anything.

use std::sync::{Arc, Mutex};

use aws_sdk_iam::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_iam::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::orchestrator::Metadata;

/// A shared, ordered log of `service.Operation` names, each with whether AWS said it was done.
#[derive(Debug, Clone, Default)]
pub struct CallLog(Arc<Mutex<Vec<Call>>>);

#[derive(Debug, Clone)]
struct Call {
    name: String,
    /// AWS answered with success. A request with no answer (a dropped connection, an interrupt)
    /// is not counted as done: whether it was is unknown, and a re-run adopts it if it was.
    done: bool,
}

impl CallLog {
    /// A call that went out and was answered with success.
    pub fn record(&self, call: String) {
        self.record_sent(call, true);
    }

    /// A call that went out; `done`: AWS has said it succeeded. Returns its place, for
    /// [`CallLog::answered`].
    pub fn record_sent(&self, name: String, done: bool) -> usize {
        match self.0.lock() {
            Ok(mut calls) => {
                calls.push(Call { name, done });
                calls.len() - 1
            }
            Err(_) => usize::MAX,
        }
    }

    /// The call at `at` was answered: `done` when with success.
    pub fn answered(&self, at: usize, done: bool) {
        if let Ok(mut calls) = self.0.lock()
            && let Some(c) = calls.get_mut(at)
        {
            c.done = done;
        }
    }

    pub fn snapshot(&self) -> Vec<String> {
        self.0
            .lock()
            .map(|c| c.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default()
    }

    /// Requests sent, retries and failures included.
    pub fn total(&self) -> usize {
        self.0.lock().map(|c| c.len()).unwrap_or_default()
    }

    /// Changes made: changing requests AWS answered with success (not the attempts).
    pub fn mutating(&self) -> usize {
        self.0
            .lock()
            .map(|c| c.iter().filter(|c| c.done && is_mutating(&c.name)).count())
            .unwrap_or_default()
    }
}

/// Where a request's entry is in the log, its name and when it went, kept in its own config bag
/// between send and answer.
#[derive(Debug, Clone)]
struct Sent(usize, String, std::time::Instant);

impl aws_smithy_types::config_bag::Storable for Sent {
    type Storer = aws_smithy_types::config_bag::StoreReplace<Sent>;
}

/// Read-only operations start with one of these verbs; everything else changes something.
pub fn is_mutating(call: &str) -> bool {
    let op = call.rsplit('.').next().unwrap_or(call);
    // AssumeRole changes nothing: it hands out credentials of a role that is there.
    op != "AssumeRole"
        && !["Get", "List", "Describe"]
            .iter()
            .any(|verb| op.starts_with(verb))
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
        let at = self.0.record_sent(call.clone(), false);
        cfg.interceptor_state()
            .store_put(Sent(at, call, std::time::Instant::now()));
        Ok(())
    }

    // Each answer: success marks the attempt done (a retry's failed attempts stay not done).
    fn read_before_deserialization(
        &self,
        context: &aws_sdk_iam::config::interceptors::BeforeDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(Sent(at, call, sent)) = cfg.load::<Sent>() {
            let status = context.response().status();
            self.0.answered(*at, status.is_success());
            crate::verbosity::detail(&format!(
                "aws: {call} → HTTP {} in {} ms",
                status.as_u16(),
                sent.elapsed().as_millis()
            ));
        }
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
        assert!(!is_mutating("organizations.DescribeOrganization"));
        assert!(!is_mutating("sts.AssumeRole"));
        let log = CallLog::default();
        log.record("iam.GetRole".into());
        log.record("iam.CreateRole".into());
        assert_eq!((log.total(), log.mutating()), (2, 1));
        // Attempts that failed, or were never answered, are not changes made.
        let failed = log.record_sent("iam.AttachRolePolicy".into(), false);
        log.record_sent("iam.AttachRolePolicy".into(), false);
        log.answered(failed, false);
        assert_eq!((log.total(), log.mutating()), (4, 1));
        let ok = log.record_sent("iam.AttachRolePolicy".into(), false);
        log.answered(ok, true);
        assert_eq!((log.total(), log.mutating()), (5, 2));
    }
}
