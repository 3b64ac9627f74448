//! An AWS Organization as the product reads it: its accounts and organizational units, and each
//! member account reached through a role in it (`sts:AssumeRole`). Beside `Aws` rather than in it:
//! only the caller's own connection has an Organization; a member account is an `Aws` only.

use std::future::Future;

use serde::Serialize;

use super::{Aws, AwsResult};

/// The Organization the caller's account belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organization {
    pub id: String,
    /// The management account's id.
    pub management_account: String,
}

/// An account's state in the Organization (`ListAccounts` `State`, or the older `Status`).
/// Only an active account can be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccountStatus {
    Active,
    Suspended,
    PendingClosure,
    PendingActivation,
    Closed,
    /// A state this build does not know.
    Unknown,
}

impl AccountStatus {
    /// In words, for "the account is …".
    pub fn words(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Suspended => "suspended",
            AccountStatus::PendingClosure => "being closed",
            AccountStatus::PendingActivation => "not yet activated",
            AccountStatus::Closed => "closed",
            AccountStatus::Unknown => "in a state this tool does not know",
        }
    }
}

/// A member account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: String,
    /// As Organizations holds it: anyone who may rename the account chose it (print it through
    /// `sanitize`).
    pub name: String,
    pub status: AccountStatus,
}

/// What is directly under an organizational unit (or the root).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Children {
    pub accounts: Vec<Account>,
    pub units: Vec<String>,
}

/// The Organizations and STS operations the product performs from the caller's account.
pub trait Org: Aws {
    /// An account reached through a role in it.
    type Member: Aws;
    /// The caller's Organization; `None` when the account is in none
    /// (`AWSOrganizationsNotInUseException`).
    fn organization(&self) -> impl Future<Output = AwsResult<Option<Organization>>> + Send;
    /// Every account of the Organization (all pages of `ListAccounts`).
    fn accounts(&self) -> impl Future<Output = AwsResult<Vec<Account>>> + Send;
    /// The root's id (`ListRoots`): the unit every other is under.
    fn root(&self) -> impl Future<Output = AwsResult<String>> + Send;
    /// The accounts and units directly under `parent` (an OU id or the root's id; all pages of
    /// `ListAccountsForParent` and `ListOrganizationalUnitsForParent`, side by side).
    fn children(&self, parent: &str) -> impl Future<Output = AwsResult<Children>> + Send;
    /// `AssumeRole` into `role_arn`: a connection that acts in that role's account.
    fn member(&self, role_arn: &str) -> impl Future<Output = AwsResult<Self::Member>> + Send;
}

/// The role `member_role` of `account`, as `AssumeRole` is given it.
pub fn member_role_arn(partition: &str, account: &str, member_role: &str) -> String {
    format!("arn:{partition}:iam::{account}:role/{member_role}")
}

/// The role `OrganizationAccountAccessRole`: Organizations creates it in every account it
/// creates, trusting the management account.
pub const DEFAULT_MEMBER_ROLE: &str = "OrganizationAccountAccessRole";
