//! StackSets through the SDK's CloudFormation client.

use aws_sdk_cloudformation::error::ProvideErrorMetadata as _;
use aws_sdk_cloudformation::types::{
    AccountFilterType, AutoDeployment, CallAs as SdkCallAs, Capability, DeploymentTargets,
    Parameter, PermissionModels, RegionConcurrencyType, StackInstanceStatus,
    StackSetOperationPreferences, StackSetOperationStatus,
};

use super::{SdkAws, all_pages};
use crate::aws::stacksets::{
    CallAs, Filter, InstanceStatus, Operation, OperationStatus, StackInstance, StackSet, StackSets,
    Targets,
};
use crate::aws::{AwsError, AwsResult};

/// Bound on pages: 100 results a page is far beyond an Organization's accounts.
const PAGES: usize = 500;

fn call_as(c: CallAs) -> SdkCallAs {
    match c {
        CallAs::Management => SdkCallAs::SelfValue,
        CallAs::DelegatedAdmin => SdkCallAs::DelegatedAdmin,
    }
}

fn targets(t: &Targets) -> DeploymentTargets {
    let mut b = DeploymentTargets::builder().set_organizational_unit_ids(Some(t.units.clone()));
    match t.filter {
        Filter::All => {}
        Filter::Only => {
            b = b
                .set_accounts(Some(t.accounts.clone()))
                .account_filter_type(AccountFilterType::Intersection)
        }
        Filter::Except => {
            b = b
                .set_accounts(Some(t.accounts.clone()))
                .account_filter_type(AccountFilterType::Difference)
        }
    }
    b.build()
}

/// Every account at once, and one account's failure stops none of the others: each instance's
/// own status says how it went.
fn preferences() -> StackSetOperationPreferences {
    StackSetOperationPreferences::builder()
        .region_concurrency_type(RegionConcurrencyType::Parallel)
        .failure_tolerance_percentage(100)
        .max_concurrent_percentage(100)
        .build()
}

fn parameters(pairs: &[(String, String)]) -> Vec<Parameter> {
    pairs
        .iter()
        .map(|(k, v)| {
            Parameter::builder()
                .parameter_key(k)
                .parameter_value(v)
                .build()
        })
        .collect()
}

fn operation_status(s: Option<&StackSetOperationStatus>) -> OperationStatus {
    match s {
        Some(StackSetOperationStatus::Queued) => OperationStatus::Queued,
        Some(StackSetOperationStatus::Running) => OperationStatus::Running,
        Some(StackSetOperationStatus::Stopping) => OperationStatus::Stopping,
        Some(StackSetOperationStatus::Succeeded) => OperationStatus::Succeeded,
        Some(StackSetOperationStatus::Stopped) => OperationStatus::Stopped,
        // Failed, or a state this build does not know: not a success.
        _ => OperationStatus::Failed,
    }
}

fn operation_id(op: &str, id: Option<&str>) -> AwsResult<String> {
    id.map(str::to_string).ok_or_else(|| {
        AwsError::new(
            op,
            crate::aws::ErrorKind::Other("CloudFormation answered without an operation id".into()),
        )
    })
}

fn is_not_found(code: Option<&str>) -> bool {
    code == Some("StackSetNotFoundException")
}

impl StackSets for SdkAws {
    async fn describe_stack_set(&self, name: &str, who: CallAs) -> AwsResult<Option<StackSet>> {
        const OP: &str = "DescribeStackSet";
        match self
            .cloudformation
            .describe_stack_set()
            .stack_set_name(name)
            .call_as(call_as(who))
            .send()
            .await
        {
            Ok(out) => Ok(out.stack_set().and_then(|s| {
                // A deleted stack set is described by id only; by name it is gone.
                (s.status() != Some(&aws_sdk_cloudformation::types::StackSetStatus::Deleted)).then(
                    || StackSet {
                        name: s.stack_set_name().unwrap_or_default().to_string(),
                        template: s.template_body().unwrap_or_default().to_string(),
                        auto_deployment: s
                            .auto_deployment()
                            .and_then(|a| a.enabled())
                            .unwrap_or(false),
                    },
                )
            })),
            Err(e) if is_not_found(e.as_service_error().and_then(|s| s.code())) => Ok(None),
            Err(e) => Err(AwsError::from_sdk(OP, e)),
        }
    }

    async fn create_stack_set(
        &self,
        name: &str,
        template: &str,
        description: &str,
        values: &[(String, String)],
        who: CallAs,
    ) -> AwsResult<()> {
        const OP: &str = "CreateStackSet";
        self.cloudformation
            .create_stack_set()
            .stack_set_name(name)
            .template_body(template)
            .description(description)
            .set_parameters((!values.is_empty()).then(|| parameters(values)))
            .permission_model(PermissionModels::ServiceManaged)
            .auto_deployment(
                AutoDeployment::builder()
                    .enabled(true)
                    .retain_stacks_on_account_removal(true)
                    .build(),
            )
            .capabilities(Capability::CapabilityNamedIam)
            .call_as(call_as(who))
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(OP, e))?;
        Ok(())
    }

    async fn update_stack_set(
        &self,
        name: &str,
        template: &str,
        values: &[(String, String)],
        who: CallAs,
    ) -> AwsResult<String> {
        const OP: &str = "UpdateStackSet";
        let out = self
            .cloudformation
            .update_stack_set()
            .stack_set_name(name)
            .operation_preferences(preferences())
            .template_body(template)
            // Given again: a parameter left out of an update takes the template's default.
            .set_parameters((!values.is_empty()).then(|| parameters(values)))
            .permission_model(PermissionModels::ServiceManaged)
            .auto_deployment(
                AutoDeployment::builder()
                    .enabled(true)
                    .retain_stacks_on_account_removal(true)
                    .build(),
            )
            .capabilities(Capability::CapabilityNamedIam)
            .call_as(call_as(who))
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(OP, e))?;
        operation_id(OP, out.operation_id())
    }

    async fn delete_stack_set(&self, name: &str, who: CallAs) -> AwsResult<()> {
        const OP: &str = "DeleteStackSet";
        self.cloudformation
            .delete_stack_set()
            .stack_set_name(name)
            .call_as(call_as(who))
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(OP, e))?;
        Ok(())
    }

    async fn create_stack_instances(
        &self,
        name: &str,
        to: &Targets,
        regions: &[String],
        overrides: &[(String, String)],
        who: CallAs,
    ) -> AwsResult<String> {
        const OP: &str = "CreateStackInstances";
        let out = self
            .cloudformation
            .create_stack_instances()
            .stack_set_name(name)
            .operation_preferences(preferences())
            .deployment_targets(targets(to))
            .set_regions(Some(regions.to_vec()))
            .set_parameter_overrides((!overrides.is_empty()).then(|| parameters(overrides)))
            .call_as(call_as(who))
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(OP, e))?;
        operation_id(OP, out.operation_id())
    }

    async fn update_stack_instances(
        &self,
        name: &str,
        to: &Targets,
        regions: &[String],
        overrides: &[(String, String)],
        who: CallAs,
    ) -> AwsResult<String> {
        const OP: &str = "UpdateStackInstances";
        let out = self
            .cloudformation
            .update_stack_instances()
            .stack_set_name(name)
            .operation_preferences(preferences())
            .deployment_targets(targets(to))
            .set_regions(Some(regions.to_vec()))
            .set_parameter_overrides((!overrides.is_empty()).then(|| parameters(overrides)))
            .call_as(call_as(who))
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(OP, e))?;
        operation_id(OP, out.operation_id())
    }

    async fn delete_stack_instances(
        &self,
        name: &str,
        to: &Targets,
        regions: &[String],
        who: CallAs,
    ) -> AwsResult<String> {
        const OP: &str = "DeleteStackInstances";
        let out = self
            .cloudformation
            .delete_stack_instances()
            .stack_set_name(name)
            .operation_preferences(preferences())
            .deployment_targets(targets(to))
            .set_regions(Some(regions.to_vec()))
            .retain_stacks(false)
            .call_as(call_as(who))
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(OP, e))?;
        operation_id(OP, out.operation_id())
    }

    async fn list_stack_instances(&self, name: &str, who: CallAs) -> AwsResult<Vec<StackInstance>> {
        const OP: &str = "ListStackInstances";
        all_pages(OP, PAGES, |token| {
            let request = self
                .cloudformation
                .list_stack_instances()
                .stack_set_name(name)
                .call_as(call_as(who))
                .set_next_token(token);
            async move {
                let page = request
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk(OP, e))?;
                let next = page.next_token().map(str::to_string);
                let items = page
                    .summaries()
                    .iter()
                    .map(|s| StackInstance {
                        account: s.account().unwrap_or_default().to_string(),
                        region: s.region().unwrap_or_default().to_string(),
                        unit: s.organizational_unit_id().map(str::to_string),
                        status: match s.status() {
                            Some(StackInstanceStatus::Current) => InstanceStatus::Current,
                            Some(StackInstanceStatus::Inoperable) => InstanceStatus::Inoperable,
                            _ => InstanceStatus::Outdated,
                        },
                        detailed: s
                            .stack_instance_status()
                            .and_then(|d| d.detailed_status())
                            .map(|d| d.as_str().to_string()),
                        reason: s.status_reason().map(str::to_string),
                    })
                    .collect();
                Ok((items, next))
            }
        })
        .await
    }

    async fn list_operations(&self, name: &str, who: CallAs) -> AwsResult<Vec<Operation>> {
        const OP: &str = "ListStackSetOperations";
        all_pages(OP, PAGES, |token| {
            let request = self
                .cloudformation
                .list_stack_set_operations()
                .stack_set_name(name)
                .call_as(call_as(who))
                .set_next_token(token);
            async move {
                let page = request
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk(OP, e))?;
                let next = page.next_token().map(str::to_string);
                let items = page
                    .summaries()
                    .iter()
                    .map(|o| Operation {
                        id: o.operation_id().unwrap_or_default().to_string(),
                        action: o
                            .action()
                            .map(|a| a.as_str().to_string())
                            .unwrap_or_default(),
                        status: operation_status(o.status()),
                    })
                    .collect();
                Ok((items, next))
            }
        })
        .await
    }

    async fn instance_overrides(
        &self,
        name: &str,
        account: &str,
        region: &str,
        who: CallAs,
    ) -> AwsResult<Vec<(String, String)>> {
        const OP: &str = "DescribeStackInstance";
        let out = self
            .cloudformation
            .describe_stack_instance()
            .stack_set_name(name)
            .stack_instance_account(account)
            .stack_instance_region(region)
            .call_as(call_as(who))
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(OP, e))?;
        Ok(out
            .stack_instance()
            .map(|i| {
                i.parameter_overrides()
                    .iter()
                    .filter_map(|p| {
                        Some((
                            p.parameter_key()?.to_string(),
                            p.parameter_value()?.to_string(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    async fn describe_operation(&self, name: &str, id: &str, who: CallAs) -> AwsResult<Operation> {
        const OP: &str = "DescribeStackSetOperation";
        let out = self
            .cloudformation
            .describe_stack_set_operation()
            .stack_set_name(name)
            .operation_id(id)
            .call_as(call_as(who))
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(OP, e))?;
        let o = out.stack_set_operation();
        Ok(Operation {
            id: id.to_string(),
            action: o
                .and_then(|o| o.action())
                .map(|a| a.as_str().to_string())
                .unwrap_or_default(),
            status: operation_status(o.and_then(|o| o.status())),
        })
    }
}
