//! The one place that talks to AWS: the operations the engine needs, as a trait over domain values,
//! and one domain error. `sdk` implements it with the real AWS SDK clients.

pub mod any;
pub mod calls;
pub mod demo;
pub mod error;
pub mod fake;
pub mod fake_org;
pub mod fake_stacksets;
pub mod org;
pub mod profiles;
pub mod sdk;
pub mod stacksets;

use std::future::Future;

use serde_json::Value;

pub use calls::CallLog;
pub use error::{AwsError, ErrorKind};

pub type AwsResult<T> = Result<T, AwsError>;

/// Who the credentials belong to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

impl CallerIdentity {
    /// `aws`, `aws-cn`, `aws-us-gov` …: taken from the caller's ARN.
    pub fn partition(&self) -> &str {
        self.arn
            .split(':')
            .nth(1)
            .filter(|p| !p.is_empty())
            .unwrap_or("aws")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcProvider {
    pub arn: String,
    pub url: String,
    pub client_ids: Vec<String>,
    /// SHA-1 thumbprints of the issuer's top certificate; IAM uses them only when the chain is not
    /// signed by a CA it trusts.
    pub thumbprints: Vec<String>,
    pub tags: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    pub arn: String,
    pub name: String,
    pub path: String,
    /// Already URL-decoded and parsed (a repeated key: its last value).
    pub trust_policy: Value,
    /// The other readings of the trust policy's text, where an object repeats a key.
    pub trust_ambiguity: crate::iam::document::Ambiguity,
    pub description: Option<String>,
    pub max_session_duration: i32,
    pub permissions_boundary: Option<String>,
    pub tags: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRole {
    pub name: String,
    pub path: String,
    pub trust_policy_json: String,
    pub description: String,
    pub max_session_duration: i32,
    pub permissions_boundary: Option<String>,
    pub tags: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AttachedPolicy {
    pub name: String,
    pub arn: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedPolicy {
    pub arn: String,
    pub name: String,
    pub attachable: bool,
}

/// The AWS operations the product performs. "Not found" is a value (`None`), not an error.
pub trait Aws: Send + Sync {
    fn caller_identity(&self) -> impl Future<Output = AwsResult<CallerIdentity>> + Send;
    fn get_oidc_provider(
        &self,
        arn: &str,
    ) -> impl Future<Output = AwsResult<Option<OidcProvider>>> + Send;
    fn create_oidc_provider(
        &self,
        url: &str,
        client_ids: &[String],
        thumbprints: &[String],
        tags: &[(String, String)],
    ) -> impl Future<Output = AwsResult<String>> + Send;
    fn add_client_id(
        &self,
        provider_arn: &str,
        client_id: &str,
    ) -> impl Future<Output = AwsResult<()>> + Send;
    fn get_role(&self, name: &str) -> impl Future<Output = AwsResult<Option<Role>>> + Send;
    fn create_role(&self, role: &NewRole) -> impl Future<Output = AwsResult<String>> + Send;
    fn update_trust_policy(
        &self,
        role: &str,
        policy_json: &str,
    ) -> impl Future<Output = AwsResult<()>> + Send;
    fn update_role(
        &self,
        role: &str,
        description: Option<&str>,
        max_session_duration: Option<i32>,
    ) -> impl Future<Output = AwsResult<()>> + Send;
    fn put_permissions_boundary(
        &self,
        role: &str,
        arn: &str,
    ) -> impl Future<Output = AwsResult<()>> + Send;
    fn list_attached_policies(
        &self,
        role: &str,
    ) -> impl Future<Output = AwsResult<Vec<AttachedPolicy>>> + Send;
    fn get_policy(
        &self,
        arn: &str,
    ) -> impl Future<Output = AwsResult<Option<ManagedPolicy>>> + Send;
    /// Every AWS managed policy (all pages of `ListPolicies Scope=AWS`).
    fn list_aws_managed_policies(
        &self,
    ) -> impl Future<Output = AwsResult<Vec<ManagedPolicy>>> + Send;
    /// Every customer managed policy of the account (all pages of `ListPolicies Scope=Local`).
    fn list_customer_managed_policies(
        &self,
    ) -> impl Future<Output = AwsResult<Vec<ManagedPolicy>>> + Send;
    /// The AWS managed policy named `name`, paging `ListPolicies Scope=AWS` only until found.
    fn find_aws_managed_policy(
        &self,
        name: &str,
    ) -> impl Future<Output = AwsResult<Option<ManagedPolicy>>> + Send;
    fn attach_policy(
        &self,
        role: &str,
        policy_arn: &str,
    ) -> impl Future<Output = AwsResult<()>> + Send;
    /// Names of the role's inline policies.
    fn list_inline_policies(
        &self,
        role: &str,
    ) -> impl Future<Output = AwsResult<Vec<String>>> + Send;
    fn detach_policy(
        &self,
        role: &str,
        policy_arn: &str,
    ) -> impl Future<Output = AwsResult<()>> + Send;
    /// Names of the instance profiles the role is in (`ListInstanceProfilesForRole`, all pages).
    fn list_instance_profiles_for_role(
        &self,
        role: &str,
    ) -> impl Future<Output = AwsResult<Vec<String>>> + Send;
    fn remove_role_from_instance_profile(
        &self,
        profile: &str,
        role: &str,
    ) -> impl Future<Output = AwsResult<()>> + Send;
    fn delete_role(&self, role: &str) -> impl Future<Output = AwsResult<()>> + Send;
    fn delete_oidc_provider(&self, arn: &str) -> impl Future<Output = AwsResult<()>> + Send;
    /// Every role of the account (all pages), trust policies decoded. Tags are not included.
    fn list_roles(&self) -> impl Future<Output = AwsResult<Vec<Role>>> + Send;
    /// Every role with its attached managed policies in one read of the account:
    /// `GetAccountAuthorizationDetails Filter=Role` (1,000 roles a page), joined with `ListRoles`
    /// for the session lengths and descriptions it leaves out (the two read side by side).
    /// Needs `iam:GetAccountAuthorizationDetails` (in SecurityAudit and ReadOnlyAccess).
    fn roles_with_policies(
        &self,
    ) -> impl Future<Output = AwsResult<Vec<(Role, Vec<AttachedPolicy>)>>> + Send;
    /// Every AWS operation made so far, in order.
    fn calls(&self) -> &CallLog;
}
