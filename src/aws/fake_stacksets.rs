//! The in-memory fake's StackSets, for `--demo` and fast tests: service-managed stack sets of
//! this tool's own templates, deployed into the member accounts of the fake Organization. Each
//! operation ends when it starts (its instances current or failed), and does in the member
//! account what CloudFormation would: the provider where `CreateProvider` is `true`, the role
//! with its policies and tags, rolled back where a resource already exists; deleting an
//! instance deletes what its stack made, and nothing else.
//!
//! It reads only the templates `export::cloudformation` writes (the emulator runs the real
//! CloudFormation engine on them in `tests/rollout.rs`).

use std::collections::BTreeMap;

use super::fake::FakeAws;
use super::stacksets::{
    CallAs, Filter, InstanceStatus, Operation, OperationStatus, StackInstance, StackSet, StackSets,
    Targets,
};
use super::{AttachedPolicy, AwsError, AwsResult, OidcProvider, Role};

#[derive(Clone, Default)]
pub struct FakeStackSet {
    pub template: String,
    /// The stack set's parameter values (an instance's overrides come on top).
    pub parameters: Vec<(String, String)>,
    pub instances: BTreeMap<(String, String), FakeInstance>,
    pub operations: Vec<Operation>,
}

#[derive(Clone, Default)]
pub struct FakeInstance {
    pub unit: Option<String>,
    pub overrides: Vec<(String, String)>,
    pub failed: Option<String>,
    /// What its stack holds.
    pub provider: Option<String>,
    pub role: Option<String>,
}

/// What one of this tool's templates makes in an account.
#[derive(Debug, Default, PartialEq)]
struct Template {
    url: String,
    client_ids: Vec<String>,
    thumbprints: Vec<String>,
    role_name: String,
    path: String,
    description: Option<String>,
    max_session: i32,
    boundary: Option<String>,
    policies: Vec<String>,
    trust: serde_json::Value,
    tags: Vec<(String, String)>,
}

fn string(v: &str) -> String {
    serde_json::from_str::<String>(v.trim()).unwrap_or_else(|_| v.trim().to_string())
}

/// `- "x"` items below `key:`.
fn items(lines: &[&str], key: &str) -> Vec<String> {
    let Some(at) = lines.iter().position(|l| l.trim() == key) else {
        return Vec::new();
    };
    lines[at + 1..]
        .iter()
        .map_while(|l| l.trim().strip_prefix("- "))
        .map(|v| {
            let v = v.trim();
            match v.strip_prefix("!Sub ") {
                Some(s) => string(s).replace("${AWS::Partition}", "aws"),
                None => string(v),
            }
        })
        .collect()
}

/// `Fn::If` (the provider) and `Fn::Sub` resolved for `account`.
fn resolve(v: &mut serde_json::Value, provider: &str, account: &str) {
    use serde_json::Value;
    match v {
        Value::Object(map) if map.contains_key("Fn::If") => {
            *v = Value::String(provider.to_string());
        }
        Value::Object(map) if map.contains_key("Fn::Sub") => {
            let text = map
                .get("Fn::Sub")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .replace("${AWS::Partition}", "aws")
                .replace("${AWS::AccountId}", account);
            *v = Value::String(text);
        }
        Value::Object(map) => map.values_mut().for_each(|v| resolve(v, provider, account)),
        Value::Array(list) => list.iter_mut().for_each(|v| resolve(v, provider, account)),
        _ => {}
    }
}

impl Template {
    fn read(text: &str, account: &str) -> Option<Template> {
        let lines: Vec<&str> = text.lines().collect();
        let field = |key: &str| {
            lines
                .iter()
                .find_map(|l| l.trim().strip_prefix(key).map(string))
        };
        let url = field("Url: ")?;
        let role_name = {
            let at = lines.iter().position(|l| l.trim() == "RoleName:")?;
            lines[at + 1..]
                .iter()
                .find_map(|l| l.trim().strip_prefix("Default: ").map(string))?
        };
        let doc_start =
            text.find("AssumeRolePolicyDocument: ")? + "AssumeRolePolicyDocument: ".len();
        let doc_end = text[doc_start..]
            .find("\nOutputs:")
            .map_or(text.len(), |e| doc_start + e);
        let mut trust: serde_json::Value = serde_json::from_str(&text[doc_start..doc_end]).ok()?;
        let provider = format!(
            "arn:aws:iam::{account}:oidc-provider/{}",
            url.trim_start_matches("https://")
        );
        resolve(&mut trust, &provider, account);
        Some(Template {
            client_ids: items(&lines, "ClientIdList:"),
            thumbprints: items(&lines, "ThumbprintList:"),
            path: field("Path: ").unwrap_or_else(|| "/".into()),
            // The role's description is the one after `Type: AWS::IAM::Role`.
            description: lines
                .iter()
                .position(|l| l.trim() == "Type: AWS::IAM::Role")
                .and_then(|at| {
                    lines[at..]
                        .iter()
                        .find_map(|l| l.trim().strip_prefix("Description: ").map(string))
                }),
            max_session: field("MaxSessionDuration: ")
                .and_then(|s| s.parse().ok())
                .unwrap_or(3600),
            boundary: field("PermissionsBoundary: "),
            policies: items(&lines, "ManagedPolicyArns:"),
            tags: vec![(
                crate::plan::MANAGED_BY_TAG.0.to_string(),
                crate::plan::MANAGED_BY_TAG.1.to_string(),
            )],
            url,
            role_name,
            trust,
        })
    }
}

fn not_found(op: &str, name: &str) -> AwsError {
    AwsError::service(
        op,
        "StackSetNotFoundException",
        &format!("StackSet {name} not found"),
    )
}

impl FakeAws {
    /// The accounts of `targets` (the units and every unit below them), with the unit each
    /// came through; the management account and accounts that are not active are left out, as
    /// StackSets does.
    fn target_accounts(&self, targets: &Targets) -> Vec<(String, String, FakeAws)> {
        let Ok(s) = self.state.lock() else {
            return Vec::new();
        };
        let Some(org) = s.organization.as_ref() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for unit in &targets.units {
            let mut under = vec![unit.clone()];
            let mut i = 0;
            while let Some(u) = under.get(i).cloned() {
                under.extend(
                    org.units
                        .iter()
                        .filter(|(_, p)| *p == u)
                        .map(|(id, _)| id.clone()),
                );
                i += 1;
            }
            for a in &org.accounts {
                let listed = targets.accounts.contains(&a.account.id);
                let wanted = match targets.filter {
                    Filter::All => true,
                    Filter::Only => listed,
                    Filter::Except => !listed,
                };
                // One instance per account, whichever of the units it came through first.
                let seen = out
                    .iter()
                    .any(|(id, _, _): &(String, String, FakeAws)| *id == a.account.id);
                if wanted
                    && !seen
                    && under.contains(&a.parent)
                    && a.account.status == super::org::AccountStatus::Active
                    && let Some(aws) = &a.aws
                {
                    out.push((a.account.id.clone(), unit.clone(), aws.clone()));
                }
            }
        }
        out
    }

    /// Record a finished operation: failed when an instance of it failed.
    fn operation(&self, name: &str, action: &str, failed: bool) -> AwsResult<String> {
        let mut s = self.enter("cloudformation", action)?;
        let set = s
            .stack_sets
            .get_mut(name)
            .ok_or_else(|| not_found(action, name))?;
        let id = format!("demo-op-{}", set.operations.len() + 1);
        set.operations.push(Operation {
            id: id.clone(),
            action: action.to_string(),
            status: if failed {
                OperationStatus::Failed
            } else {
                OperationStatus::Succeeded
            },
        });
        Ok(id)
    }

    fn stack_set(&self, op: &str, name: &str) -> AwsResult<FakeStackSet> {
        self.enter("cloudformation", op)?
            .stack_sets
            .get(name)
            .cloned()
            .ok_or_else(|| not_found(op, name))
    }

    fn put_instance(&self, name: &str, key: (String, String), instance: FakeInstance) {
        if let Ok(mut s) = self.state.lock()
            && let Some(set) = s.stack_sets.get_mut(name)
        {
            set.instances.insert(key, instance);
        }
    }
}

/// Make the stack's resources in `member` as the template says, with the stack set's parameter
/// values and the instance's overrides on top; on a failure, nothing stays.
fn deploy(
    member: &FakeAws,
    template: &str,
    parameters: &[(String, String)],
    instance: &mut FakeInstance,
) {
    let value = |key: &str| {
        instance
            .overrides
            .iter()
            .chain(parameters)
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    // The template's default is "true".
    let create_provider = value("CreateProvider") != Some("false");
    let Ok(mut s) = member.state.lock() else {
        return;
    };
    let account = s.account.clone();
    let Some(t) = Template::read(template, &account) else {
        instance.failed = Some("the template could not be read".into());
        return;
    };
    let provider_arn = format!(
        "arn:aws:iam::{account}:oidc-provider/{}",
        t.url.trim_start_matches("https://")
    );
    // An update replaces what the stack holds.
    if let Some(role) = instance.role.take() {
        s.roles.remove(&role);
        s.attached.remove(&role);
    }
    if create_provider && instance.provider.is_none() {
        if s.providers.contains_key(&provider_arn) {
            instance.failed = Some(format!(
                "Resource handler returned message: \"Provider with url {} already exists.\" (HandlerErrorCode: AlreadyExists)",
                t.url
            ));
            return;
        }
        s.providers.insert(
            provider_arn.clone(),
            OidcProvider {
                arn: provider_arn.clone(),
                url: t.url.trim_start_matches("https://").to_string(),
                client_ids: t.client_ids.clone(),
                thumbprints: t.thumbprints.clone(),
                tags: t.tags.clone(),
            },
        );
        instance.provider = Some(provider_arn);
    }
    let missing = t
        .policies
        .iter()
        .find(|p| !p.contains(":iam::aws:policy/") && !s.policies.contains_key(*p));
    let refusal = if s.roles.contains_key(&t.role_name) {
        Some(format!(
            "Resource handler returned message: \"Role with name {} already exists.\" (HandlerErrorCode: AlreadyExists)",
            t.role_name
        ))
    } else {
        missing.map(|p| format!("Policy {p} does not exist or is not attachable."))
    };
    if let Some(reason) = refusal {
        if let Some(p) = instance.provider.take() {
            s.providers.remove(&p);
        }
        instance.failed = Some(reason);
        return;
    }
    s.roles.insert(
        t.role_name.clone(),
        Role {
            arn: format!("arn:aws:iam::{account}:role{}{}", t.path, t.role_name),
            name: t.role_name.clone(),
            path: t.path.clone(),
            trust_policy: t.trust.clone(),
            trust_ambiguity: Default::default(),
            description: t.description.clone(),
            max_session_duration: t.max_session,
            permissions_boundary: t.boundary.clone(),
            tags: t.tags.clone(),
        },
    );
    let attached = t
        .policies
        .iter()
        .map(|arn| AttachedPolicy {
            name: arn.rsplit('/').next().unwrap_or_default().to_string(),
            arn: arn.clone(),
        })
        .collect();
    s.attached.insert(t.role_name.clone(), attached);
    instance.role = Some(t.role_name);
    instance.failed = None;
}

/// Delete what the stack made.
fn undeploy(member: &FakeAws, instance: &FakeInstance) {
    if let Ok(mut s) = member.state.lock() {
        if let Some(role) = &instance.role {
            s.roles.remove(role);
            s.attached.remove(role);
        }
        if let Some(p) = &instance.provider {
            s.providers.remove(p);
        }
    }
}

impl StackSets for FakeAws {
    async fn describe_stack_set(&self, name: &str, _: CallAs) -> AwsResult<Option<StackSet>> {
        Ok(self
            .enter("cloudformation", "DescribeStackSet")?
            .stack_sets
            .get(name)
            .map(|s| StackSet {
                name: name.to_string(),
                template: s.template.clone(),
                auto_deployment: true,
            }))
    }

    async fn create_stack_set(
        &self,
        name: &str,
        template: &str,
        _: &str,
        parameters: &[(String, String)],
        _: CallAs,
    ) -> AwsResult<()> {
        const OP: &str = "CreateStackSet";
        let mut s = self.enter("cloudformation", OP)?;
        if s.stack_sets.contains_key(name) {
            return Err(AwsError::service(
                OP,
                "NameAlreadyExistsException",
                &format!("StackSet {name} already exists"),
            ));
        }
        s.stack_sets.insert(
            name.to_string(),
            FakeStackSet {
                template: template.to_string(),
                parameters: parameters.to_vec(),
                ..FakeStackSet::default()
            },
        );
        Ok(())
    }

    async fn update_stack_set(
        &self,
        name: &str,
        template: &str,
        parameters: &[(String, String)],
        _: CallAs,
    ) -> AwsResult<String> {
        let set = self.stack_set("UpdateStackSet", name)?;
        let members = self.members();
        let mut failed = false;
        for (key, mut instance) in set.instances {
            if let Some(m) = members.get(&key.0) {
                deploy(m, template, parameters, &mut instance);
            }
            failed |= instance.failed.is_some();
            self.put_instance(name, key, instance);
        }
        if let Ok(mut s) = self.state.lock()
            && let Some(set) = s.stack_sets.get_mut(name)
        {
            set.template = template.to_string();
            set.parameters = parameters.to_vec();
        }
        self.operation(name, "UPDATE", failed)
    }

    async fn delete_stack_set(&self, name: &str, _: CallAs) -> AwsResult<()> {
        const OP: &str = "DeleteStackSet";
        let mut s = self.enter("cloudformation", OP)?;
        match s.stack_sets.get(name) {
            None => Err(not_found(OP, name)),
            Some(set) if !set.instances.is_empty() => Err(AwsError::service(
                OP,
                "StackSetNotEmptyException",
                "the stack set still has instances",
            )),
            Some(_) => {
                s.stack_sets.remove(name);
                Ok(())
            }
        }
    }

    async fn create_stack_instances(
        &self,
        name: &str,
        targets: &Targets,
        regions: &[String],
        overrides: &[(String, String)],
        _: CallAs,
    ) -> AwsResult<String> {
        let set = self.stack_set("CreateStackInstances", name)?;
        let mut failed = false;
        for (account, unit, member) in self.target_accounts(targets) {
            for region in regions {
                let key = (account.clone(), region.clone());
                if set.instances.contains_key(&key) {
                    continue;
                }
                let mut instance = FakeInstance {
                    unit: Some(unit.clone()),
                    overrides: overrides.to_vec(),
                    ..FakeInstance::default()
                };
                deploy(&member, &set.template, &set.parameters, &mut instance);
                failed |= instance.failed.is_some();
                self.put_instance(name, key, instance);
            }
        }
        self.operation(name, "CREATE", failed)
    }

    async fn update_stack_instances(
        &self,
        name: &str,
        targets: &Targets,
        regions: &[String],
        overrides: &[(String, String)],
        _: CallAs,
    ) -> AwsResult<String> {
        let set = self.stack_set("UpdateStackInstances", name)?;
        let mut failed = false;
        for (account, _, member) in self.target_accounts(targets) {
            for region in regions {
                let key = (account.clone(), region.clone());
                let Some(mut instance) = set.instances.get(&key).cloned() else {
                    continue;
                };
                for (k, v) in overrides {
                    instance.overrides.retain(|(o, _)| o != k);
                    instance.overrides.push((k.clone(), v.clone()));
                }
                deploy(&member, &set.template, &set.parameters, &mut instance);
                failed |= instance.failed.is_some();
                self.put_instance(name, key, instance);
            }
        }
        self.operation(name, "UPDATE", failed)
    }

    async fn delete_stack_instances(
        &self,
        name: &str,
        targets: &Targets,
        regions: &[String],
        _: CallAs,
    ) -> AwsResult<String> {
        let set = self.stack_set("DeleteStackInstances", name)?;
        for (account, _, member) in self.target_accounts(targets) {
            for region in regions {
                let key = (account.clone(), region.clone());
                if let Some(instance) = set.instances.get(&key) {
                    undeploy(&member, instance);
                    if let Ok(mut s) = self.state.lock()
                        && let Some(set) = s.stack_sets.get_mut(name)
                    {
                        set.instances.remove(&key);
                    }
                }
            }
        }
        self.operation(name, "DELETE", false)
    }

    async fn list_stack_instances(&self, name: &str, _: CallAs) -> AwsResult<Vec<StackInstance>> {
        let set = self.stack_set("ListStackInstances", name)?;
        Ok(set
            .instances
            .iter()
            .map(|((account, region), i)| StackInstance {
                account: account.clone(),
                region: region.clone(),
                unit: i.unit.clone(),
                status: if i.failed.is_some() {
                    InstanceStatus::Outdated
                } else {
                    InstanceStatus::Current
                },
                detailed: Some(
                    if i.failed.is_some() {
                        "FAILED"
                    } else {
                        "SUCCEEDED"
                    }
                    .into(),
                ),
                reason: i.failed.clone(),
            })
            .collect())
    }

    async fn list_operations(&self, name: &str, _: CallAs) -> AwsResult<Vec<Operation>> {
        Ok(self.stack_set("ListStackSetOperations", name)?.operations)
    }

    async fn describe_operation(&self, name: &str, id: &str, _: CallAs) -> AwsResult<Operation> {
        const OP: &str = "DescribeStackSetOperation";
        self.stack_set(OP, name)?
            .operations
            .into_iter()
            .find(|o| o.id == id)
            .ok_or_else(|| AwsError::service(OP, "OperationNotFoundException", "no such operation"))
    }

    async fn instance_overrides(
        &self,
        name: &str,
        account: &str,
        region: &str,
        _: CallAs,
    ) -> AwsResult<Vec<(String, String)>> {
        const OP: &str = "DescribeStackInstance";
        self.stack_set(OP, name)?
            .instances
            .get(&(account.to_string(), region.to_string()))
            .map(|i| i.overrides.clone())
            .ok_or_else(|| {
                AwsError::service(OP, "StackInstanceNotFoundException", "no such instance")
            })
    }
}

impl FakeAws {
    /// The member accounts by id.
    fn members(&self) -> BTreeMap<String, FakeAws> {
        let Ok(s) = self.state.lock() else {
            return BTreeMap::new();
        };
        s.organization
            .iter()
            .flat_map(|o| o.accounts.iter())
            .filter_map(|a| Some((a.account.id.clone(), a.aws.clone()?)))
            .collect()
    }
}

#[cfg(test)]
#[path = "fake_stacksets_tests.rs"]
mod tests;
