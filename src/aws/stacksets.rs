//! CloudFormation StackSets with the service-managed permission model, as the Organization
//! rollout uses them: one stack set per setup, deployed to organizational units with
//! auto-deployment on, its operations followed until they end.

use std::future::Future;

use serde::Serialize;

use super::AwsResult;

/// Who the caller is to StackSets: the management account itself, or a delegated administrator
/// (whose calls say so, `CallAs=DELEGATED_ADMIN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallAs {
    Management,
    DelegatedAdmin,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackSet {
    pub name: String,
    pub template: String,
    pub auto_deployment: bool,
}

/// An instance's state (`StackInstanceSummary`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InstanceStatus {
    /// Deployed from the stack set's current template.
    Current,
    /// Not (yet) matching it: a failed or cancelled operation, or one still going.
    Outdated,
    /// Its account is gone or the stack was deleted outside StackSets.
    Inoperable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StackInstance {
    pub account: String,
    pub region: String,
    /// The unit it was deployed through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub status: InstanceStatus,
    /// `SUCCEEDED`, `FAILED`, `RUNNING`, `PENDING`, `CANCELLED`, … as AWS says it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detailed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl StackInstance {
    pub fn failed(&self) -> bool {
        self.status != InstanceStatus::Current
    }
}

/// Where an operation is (`StackSetOperationStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OperationStatus {
    Queued,
    Running,
    Stopping,
    Succeeded,
    Failed,
    Stopped,
}

impl OperationStatus {
    /// Still going: wait for it.
    pub fn is_going(self) -> bool {
        matches!(
            self,
            OperationStatus::Queued | OperationStatus::Running | OperationStatus::Stopping
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Operation {
    pub id: String,
    /// `CREATE`, `UPDATE`, `DELETE`, `DETECT_DRIFT`.
    pub action: String,
    pub status: OperationStatus,
}

/// Which accounts of the units an operation acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targets {
    pub units: Vec<String>,
    pub accounts: Vec<String>,
    pub filter: Filter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    /// Every account of the units.
    All,
    /// Only `accounts` of the units.
    Only,
    /// The units' accounts but `accounts`.
    Except,
}

impl Targets {
    pub fn units(units: &[String]) -> Targets {
        Targets {
            units: units.to_vec(),
            accounts: Vec::new(),
            filter: Filter::All,
        }
    }
}

/// The StackSets operations, from the management account or a delegated administrator.
pub trait StackSets: Send + Sync {
    fn describe_stack_set(
        &self,
        name: &str,
        call_as: CallAs,
    ) -> impl Future<Output = AwsResult<Option<StackSet>>> + Send;
    /// Service-managed, auto-deployment on, named IAM resources allowed, with these values of
    /// the template's parameters (an instance without overrides, such as one auto-deployment
    /// makes, has them). An account that leaves the units keeps its stack: removing it would
    /// delete a provider other roles may trust, with nobody asked.
    fn create_stack_set(
        &self,
        name: &str,
        template: &str,
        description: &str,
        parameters: &[(String, String)],
        call_as: CallAs,
    ) -> impl Future<Output = AwsResult<()>> + Send;
    /// The new template (and parameter values) for every instance (each keeps its parameter
    /// overrides): an operation.
    fn update_stack_set(
        &self,
        name: &str,
        template: &str,
        parameters: &[(String, String)],
        call_as: CallAs,
    ) -> impl Future<Output = AwsResult<String>> + Send;
    fn delete_stack_set(
        &self,
        name: &str,
        call_as: CallAs,
    ) -> impl Future<Output = AwsResult<()>> + Send;
    /// Instances in `targets` × `regions`, with these parameter overrides: an operation.
    fn create_stack_instances(
        &self,
        name: &str,
        targets: &Targets,
        regions: &[String],
        overrides: &[(String, String)],
        call_as: CallAs,
    ) -> impl Future<Output = AwsResult<String>> + Send;
    /// Deploy again the instances in `targets`, setting these overrides (the others kept).
    fn update_stack_instances(
        &self,
        name: &str,
        targets: &Targets,
        regions: &[String],
        overrides: &[(String, String)],
        call_as: CallAs,
    ) -> impl Future<Output = AwsResult<String>> + Send;
    /// Delete the instances in `targets` and their stacks: an operation.
    fn delete_stack_instances(
        &self,
        name: &str,
        targets: &Targets,
        regions: &[String],
        call_as: CallAs,
    ) -> impl Future<Output = AwsResult<String>> + Send;
    /// Every instance (all pages).
    fn list_stack_instances(
        &self,
        name: &str,
        call_as: CallAs,
    ) -> impl Future<Output = AwsResult<Vec<StackInstance>>> + Send;
    /// Every operation of the stack set (all pages).
    fn list_operations(
        &self,
        name: &str,
        call_as: CallAs,
    ) -> impl Future<Output = AwsResult<Vec<Operation>>> + Send;
    fn describe_operation(
        &self,
        name: &str,
        id: &str,
        call_as: CallAs,
    ) -> impl Future<Output = AwsResult<Operation>> + Send;
    /// One instance's parameter overrides (`DescribeStackInstance`).
    fn instance_overrides(
        &self,
        name: &str,
        account: &str,
        region: &str,
        call_as: CallAs,
    ) -> impl Future<Output = AwsResult<Vec<(String, String)>>> + Send;
}
