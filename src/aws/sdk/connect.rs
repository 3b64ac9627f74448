//! Connecting to AWS: the credentials and region a run uses (as the AWS CLI chooses them), the
//! bounded retries and timeouts, and the clients built once with the call counter.

use std::time::Duration;

use aws_config::default_provider::credentials::DefaultCredentialsChain;
use aws_config::environment::region::EnvironmentVariableRegionProvider;
use aws_config::identity::IdentityCache;
use aws_config::meta::region::ProvideRegion;
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::profile::region::ProfileFileRegionProvider;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{self, ProvideCredentials, SharedCredentialsProvider};

use crate::aws::calls::{CallCounter, CallLog};

/// Bounded retries and timeouts: the SDK's standard retry policy (throttling, 5xx and transient
/// network errors, with backoff) for at most `max_attempts` attempts of `attempt_timeout` each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_attempts: u32,
    pub attempt_timeout: Duration,
}

impl Limits {
    /// `AWS_MAX_ATTEMPTS` (1–10, default 3) and `AWS_OIDC_WIZARD_ATTEMPT_TIMEOUT` seconds (1–300,
    /// default 20); values out of range fall back to the defaults.
    pub fn from_env() -> Self {
        let number = |name: &str, range: std::ops::RangeInclusive<u64>, default: u64| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .filter(|n| range.contains(n))
                .unwrap_or(default)
        };
        Limits {
            max_attempts: u32::try_from(number("AWS_MAX_ATTEMPTS", 1..=10, 3)).unwrap_or(3),
            attempt_timeout: Duration::from_secs(number(
                "AWS_OIDC_WIZARD_ATTEMPT_TIMEOUT",
                1..=300,
                20,
            )),
        }
    }
}

/// IAM is global; this region is used for signing when none is configured.
pub const FALLBACK_REGION: &str = "us-east-1";

/// Where to connect: the AWS CLI's global flags. `None` falls back to the standard environment.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// `--demo`: the in-memory demo account instead (`aws::any`); nothing is sent.
    pub demo: bool,
}

/// The credentials of a profile that is not there: every request is refused before it is sent.
#[derive(Debug)]
struct RefuseProfile(crate::aws::profiles::ProfileNotFound);

impl ProvideCredentials for RefuseProfile {
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        provider::future::ProvideCredentials::ready(Err(CredentialsError::not_loaded(
            self.0.clone(),
        )))
    }
}

/// Where we actually connected, for display.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Connection {
    pub profile: Option<String>,
    pub region: String,
    pub endpoint_url: Option<String>,
}

pub struct SdkAws {
    pub(super) iam: aws_sdk_iam::Client,
    pub(super) sts: aws_sdk_sts::Client,
    pub(super) organizations: aws_sdk_organizations::Client,
    pub(super) cloudformation: aws_sdk_cloudformation::Client,
    /// What the clients were built from: a member account's connection is this with its own
    /// credentials.
    pub(super) config: aws_types::SdkConfig,
    pub(super) calls: CallLog,
    pub connection: Connection,
}

impl SdkAws {
    /// Build the clients. Makes no network call: credentials are resolved on the first request.
    pub async fn connect(opts: &ConnectOptions) -> Self {
        let profile = opts
            .profile
            .clone()
            .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()));
        let region = resolve_region(opts.region.as_deref(), profile.as_deref()).await;

        // The instance-metadata client is bounded so that, off EC2, the last link of the chain
        // gives up within about two seconds instead of probing for long.
        let imds = aws_config::imds::Client::builder()
            .connect_timeout(Duration::from_secs(1))
            .read_timeout(Duration::from_secs(1))
            .max_attempts(1)
            .build();
        // As the AWS CLI: a named profile must exist (or every call is refused before it is
        // sent), and `--profile` takes its credentials from that profile only, not from
        // AWS_ACCESS_KEY_ID; with AWS_PROFILE the environment's keys still come first.
        let missing = match &profile {
            Some(p) => crate::aws::profiles::check(p, &crate::aws::profiles::known().await).err(),
            None => None,
        };
        let credentials = match (missing, opts.profile.as_deref()) {
            (Some(missing), _) => SharedCredentialsProvider::new(RefuseProfile(missing)),
            // Every form of profile the SDK reads (keys, assume-role by source_profile or
            // credential_source, SSO, credential_process, web identity); the region is the one
            // resolved above, for the STS or SSO calls a profile makes to get its credentials.
            (None, Some(flag)) => SharedCredentialsProvider::new(
                ProfileFileCredentialsProvider::builder()
                    .configure(
                        &aws_config::provider_config::ProviderConfig::default()
                            .with_region(Some(Region::new(region.clone()))),
                    )
                    .profile_name(flag)
                    .build(),
            ),
            (None, None) => {
                let mut chain = DefaultCredentialsChain::builder()
                    .region(Region::new(region.clone()))
                    .imds_client(imds);
                if let Some(p) = &profile {
                    chain = chain.profile_name(p);
                }
                SharedCredentialsProvider::new(chain.build().await)
            }
        };

        let limits = Limits::from_env();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(region.clone()))
            .credentials_provider(credentials)
            .identity_cache(
                IdentityCache::lazy()
                    .load_timeout(Duration::from_secs(15))
                    .build(),
            )
            .retry_config(RetryConfig::standard().with_max_attempts(limits.max_attempts))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(limits.attempt_timeout.min(Duration::from_secs(5)))
                    .operation_attempt_timeout(limits.attempt_timeout)
                    .operation_timeout(
                        limits.attempt_timeout * limits.max_attempts + Duration::from_secs(10),
                    )
                    .build(),
            );
        if let Some(p) = &profile {
            loader = loader.profile_name(p);
        }
        if let Some(e) = &opts.endpoint_url {
            loader = loader.endpoint_url(e);
        }
        let config = loader.load().await;
        let endpoint_url = opts.endpoint_url.clone().or_else(|| {
            std::env::var("AWS_ENDPOINT_URL")
                .ok()
                .filter(|e| !e.is_empty())
        });
        SdkAws::from_config(
            config,
            CallLog::default(),
            Connection {
                profile,
                region,
                endpoint_url,
            },
        )
    }

    /// The clients of one configuration, each counting its calls into `calls`.
    pub(super) fn from_config(
        config: aws_types::SdkConfig,
        calls: CallLog,
        connection: Connection,
    ) -> Self {
        let iam_conf = aws_sdk_iam::config::Builder::from(&config)
            .interceptor(CallCounter(calls.clone()))
            .build();
        let sts_conf = aws_sdk_sts::config::Builder::from(&config)
            .interceptor(CallCounter(calls.clone()))
            .build();
        let organizations_conf = aws_sdk_organizations::config::Builder::from(&config)
            .interceptor(CallCounter(calls.clone()))
            .build();
        let cloudformation_conf = aws_sdk_cloudformation::config::Builder::from(&config)
            .interceptor(CallCounter(calls.clone()))
            .build();
        SdkAws {
            cloudformation: aws_sdk_cloudformation::Client::from_conf(cloudformation_conf),
            iam: aws_sdk_iam::Client::from_conf(iam_conf),
            sts: aws_sdk_sts::Client::from_conf(sts_conf),
            organizations: aws_sdk_organizations::Client::from_conf(organizations_conf),
            config,
            calls,
            connection,
        }
    }
}

/// --region, then AWS_REGION / AWS_DEFAULT_REGION, then the profile's region, then us-east-1.
/// Deliberately never asks instance metadata.
async fn resolve_region(flag: Option<&str>, profile: Option<&str>) -> String {
    if let Some(r) = flag.filter(|r| !r.is_empty()) {
        return r.to_string();
    }
    if let Some(r) = EnvironmentVariableRegionProvider::new().region().await {
        return r.to_string();
    }
    let mut from_profile = ProfileFileRegionProvider::builder();
    if let Some(p) = profile {
        from_profile = from_profile.profile_name(p);
    }
    match from_profile.build().region().await {
        Some(r) => r.to_string(),
        None => FALLBACK_REGION.to_string(),
    }
}
