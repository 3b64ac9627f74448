//! One domain error for every AWS failure: which operation, what kind of failure (credentials,
//! network, timeout, or a service error code), and a hint in words.

use std::error::Error as StdError;
use std::fmt;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// No usable credentials were found, or the provider failed.
    Credentials(String),
    /// A named profile that the AWS config files do not have.
    Profile(super::profiles::ProfileNotFound),
    /// AWS answered with an error code.
    Service {
        code: String,
        message: String,
    },
    /// No answer in time.
    Timeout,
    /// The endpoint could not be reached.
    Network(String),
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    pub operation: String,
    pub kind: ErrorKind,
}

impl AwsError {
    pub fn new(operation: &str, kind: ErrorKind) -> Self {
        AwsError {
            operation: operation.to_string(),
            kind,
        }
    }

    pub fn service(operation: &str, code: &str, message: &str) -> Self {
        Self::new(
            operation,
            ErrorKind::Service {
                code: code.to_string(),
                message: message.to_string(),
            },
        )
    }

    /// The IAM action prefix of the operation: `sts` for STS calls, `organizations` for
    /// Organizations', `iam` for the rest.
    pub fn action_prefix(&self) -> &'static str {
        let op = self.operation.as_str();
        if op == "GetCallerIdentity" || op.starts_with("AssumeRole") {
            "sts"
        } else if matches!(
            op,
            "DescribeOrganization"
                | "ListAccounts"
                | "ListAccountsForParent"
                | "ListOrganizationalUnitsForParent"
        ) {
            "organizations"
        } else if op.contains("StackSet") || op.contains("StackInstance") {
            "cloudformation"
        } else {
            "iam"
        }
    }

    /// The AWS error code, or a short name of the failure kind.
    pub fn code(&self) -> &str {
        match &self.kind {
            ErrorKind::Credentials(_) => "NoCredentials",
            ErrorKind::Profile(_) => "ProfileNotFound",
            ErrorKind::Service { code, .. } => code,
            ErrorKind::Timeout => "Timeout",
            ErrorKind::Network(_) => "NetworkError",
            ErrorKind::Other(_) => "Error",
        }
    }

    pub fn is_code(&self, wanted: &str) -> bool {
        self.code() == wanted
    }

    /// IAM asks to slow down (after the SDK's own attempts).
    pub fn is_throttling(&self) -> bool {
        matches!(
            self.code(),
            "Throttling"
                | "ThrottlingException"
                | "RequestLimitExceeded"
                | "TooManyRequestsException"
                | "ServiceUnavailable"
        )
    }

    /// The caller may not make this call (IAM's and STS's codes for it).
    pub fn is_access_denied(&self) -> bool {
        matches!(
            self.code(),
            "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation"
        )
    }

    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match &self.kind {
            ErrorKind::Credentials(_) => "provide credentials: --profile NAME (after `aws configure` or `aws sso login --profile NAME`), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment".to_string(),
            ErrorKind::Profile(p) => format!(
                "use one of the known profiles, or create {0} (`aws configure --profile {0}`, or `aws configure sso` for an SSO login)",
                p.name
            ),
            ErrorKind::Timeout => "AWS did not answer in time; check the network (or --endpoint-url) and run again: finished steps are not repeated".to_string(),
            ErrorKind::Network(_) => "the AWS endpoint could not be reached; check the network, proxy settings or --endpoint-url, and run again".to_string(),
            ErrorKind::Other(_) => "run again; if it persists, run with AWS_OIDC_WIZARD_LOG=debug set and read the log it writes (~/.local/state/aws-oidc-wizard/wizard.log)".to_string(),
            ErrorKind::Service { code, .. } => match code.as_str() {
                "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => format!(
                    "the caller is not allowed {}:{}; use a profile that is, or ask for that permission",
                    self.action_prefix(),
                    self.operation
                ),
                "InvalidClientTokenId" | "SignatureDoesNotMatch" | "UnrecognizedClientException" => {
                    "the credentials are not valid: check the access key, or log in again (`aws sso login`)".to_string()
                }
                "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" => {
                    "the credentials have expired: log in again (`aws sso login`) or refresh the session".to_string()
                }
                "LimitExceeded" => "an IAM quota is reached (10 managed policies per role and 100 OIDC providers per account by default); detach or delete something, or ask for a quota increase".to_string(),
                "MalformedPolicyDocument" => "IAM rejected the policy document; AWS refuses trust policies for gitlab.com whose sub condition is missing or matches everything".to_string(),
                "EntityAlreadyExists" => "it was created by someone else meanwhile; run again to adopt it".to_string(),
                "NoSuchEntity" => "it does not exist (any more); check the name, or run again".to_string(),
                "PolicyNotAttachable" => "this policy cannot be attached to a role (some AWS policies are for service-linked roles only)".to_string(),
                "Throttling" | "ThrottlingException" => "AWS throttled the requests even after retries; wait a minute and run again".to_string(),
                "ConcurrentModification" => "another change to the same resource is in progress; run again".to_string(),
                "UnmodifiableEntity" => "this role is protected (service-linked) and cannot be changed".to_string(),
                _ => "see the AWS message above; finished steps are not repeated when you run again".to_string(),
            },
        }
    }

    /// Turn an SDK error into the domain error, telling credentials, network and timeouts apart
    /// from service errors.
    pub fn from_sdk<E, R>(operation: &str, err: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
        R: fmt::Debug + Send + Sync + 'static,
    {
        if let Some(missing) = find_source::<super::profiles::ProfileNotFound>(&err) {
            return Self::new(operation, ErrorKind::Profile(missing.clone()));
        }
        if let Some(cred) = find_source::<CredentialsError>(&err) {
            return Self::new(operation, ErrorKind::Credentials(credentials_reason(cred)));
        }
        let kind = match &err {
            SdkError::ServiceError(se) => ErrorKind::Service {
                code: se.err().code().unwrap_or("Unknown").to_string(),
                message: se.err().message().unwrap_or_default().to_string(),
            },
            SdkError::TimeoutError(_) => ErrorKind::Timeout,
            SdkError::DispatchFailure(df) if df.is_timeout() => ErrorKind::Timeout,
            SdkError::DispatchFailure(df) if df.is_io() => ErrorKind::Network(causes(&err)),
            SdkError::DispatchFailure(df) => match df.as_connector_error() {
                Some(ce) if ce.is_timeout() => ErrorKind::Timeout,
                Some(ce) if ce.is_io() => ErrorKind::Network(causes(&err)),
                _ => ErrorKind::Other(causes(&err)),
            },
            _ => ErrorKind::Other(causes(&err)),
        };
        Self::new(operation, kind)
    }
}

/// An error and its causes in words: each one's message once, joined by ": ". Not the SDK's
/// `DisplayErrorContext`, which ends with a `Debug` dump of the whole error
/// (`DispatchFailure(DispatchFailure { source: ConnectorError { … } })`) that no user should see.
fn causes(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = current {
        let text = e.to_string();
        // A wrapper often repeats its cause's words; keep each message once.
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

fn find_source<'a, T: StdError + 'static>(err: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}

fn credentials_reason(err: &CredentialsError) -> String {
    match err {
        // The chain's own "no credentials" says nothing more; a profile's provider says why.
        CredentialsError::CredentialsNotLoaded(_) => match innermost(err) {
            cause
                if cause.is_empty()
                    || cause.contains("not loaded")
                    || cause.contains("in chain")
                    || cause.contains('\n') =>
            {
                "no AWS credentials were found".to_string()
            }
            cause => format!("no AWS credentials were found: {cause}"),
        },
        CredentialsError::ProviderTimedOut(_) => {
            "loading the AWS credentials timed out".to_string()
        }
        CredentialsError::InvalidConfiguration(_) => {
            format!(
                "the AWS credentials configuration is invalid: {}",
                causes(err)
            )
        }
        // The default chain asks instance metadata last: its refusal only means that nothing
        // before it (environment, config files, SSO) had credentials either.
        _ if causes(err).contains("IMDS") => {
            tracing::info!(cause = %innermost(err), "instance metadata gave no credentials");
            "no AWS credentials were found (in the environment, the AWS config files or instance metadata)".to_string()
        }
        _ => format!("the AWS credentials could not be loaded: {}", causes(err)),
    }
}

/// The last cause in an error's chain: the words closest to what happened.
fn innermost(err: &(dyn StdError + 'static)) -> String {
    let mut current: &(dyn StdError + 'static) = err;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Credentials(reason) => write!(f, "{}: {reason}", self.operation),
            ErrorKind::Profile(p) => write!(f, "{}: {p}", self.operation),
            ErrorKind::Service { code, message } if message.is_empty() => {
                write!(f, "{} failed: {code}", self.operation)
            }
            ErrorKind::Service { code, message } => {
                write!(f, "{} failed: {code}: {message}", self.operation)
            }
            ErrorKind::Timeout => write!(f, "{} timed out", self.operation),
            ErrorKind::Network(detail) => {
                write!(f, "{} could not reach AWS: {detail}", self.operation)
            }
            ErrorKind::Other(detail) => write!(f, "{} failed: {detail}", self.operation),
        }
    }
}

impl StdError for AwsError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);
    impl fmt::Display for Layer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }
    impl StdError for Layer {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            self.1.as_deref().map(|l| l as &(dyn StdError + 'static))
        }
    }

    #[test]
    fn a_chain_that_ends_at_instance_metadata_says_no_credentials_were_found() {
        let err = CredentialsError::provider_error(Layer(
            "failed to load IMDS session token",
            Some(Box::new(Layer("request forbidden", None))),
        ));
        let reason = credentials_reason(&err);
        assert!(
            reason.starts_with("no AWS credentials were found"),
            "{reason}"
        );
        assert!(reason.ends_with("or instance metadata)"), "{reason}");
    }

    #[test]
    fn causes_are_words_without_debug_dumps() {
        let err = Layer(
            "dispatch failure",
            Some(Box::new(Layer(
                "io error",
                Some(Box::new(Layer("Connection refused (os error 111)", None))),
            ))),
        );
        let text = causes(&err);
        assert_eq!(
            text,
            "dispatch failure: io error: Connection refused (os error 111)"
        );
        assert!(!text.contains("Layer("), "{text}");
    }

    #[test]
    fn codes_and_hints() {
        let e = AwsError::service("AttachRolePolicy", "AccessDenied", "not allowed");
        assert_eq!(e.code(), "AccessDenied");
        assert!(e.hint().contains("iam:AttachRolePolicy"));
        assert_eq!(
            e.to_string(),
            "AttachRolePolicy failed: AccessDenied: not allowed"
        );
        let c = AwsError::new(
            "GetCallerIdentity",
            ErrorKind::Credentials("no AWS credentials were found".into()),
        );
        assert!(c.hint().contains("--profile"));
        assert_eq!(c.code(), "NoCredentials");
    }
}
