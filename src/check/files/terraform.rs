//! `check --terraform-plan PLAN.json`: the roles a Terraform plan makes, read from the output of
//! `terraform show -json PLAN` as policy scanners read it (the plan's JSON representation,
//! <https://developer.hashicorp.com/terraform/internals/json-format>):
//! - `planned_values`, the root module and each child module: every `aws_iam_role` (its rendered
//!   `assume_role_policy`, `name`, `path`, `max_session_duration`, `managed_policy_arns`), every
//!   `aws_iam_openid_connect_provider` (`url`, `client_id_list`) and every
//!   `aws_iam_role_policy_attachment` (`role`, `policy_arn`);
//! - a value not known before apply is absent from `planned_values`, and `resource_changes`
//!   marks it in `change.after_unknown`: such a trust is listed as unknown.
//!
//! The location of a role is the plan file (line 1): the plan does not say which `.tf` file and
//! line wrote the resource; its address does.

use serde_json::Value;

use super::{Planned, PlannedProvider, PlannedRole};
use crate::check::Source;

pub fn read(path: &str, text: &str) -> Result<Planned, String> {
    let plan: Value = serde_json::from_str(text)
        .map_err(|e| format!("{path} is not the JSON of a Terraform plan: {e}"))?;
    if plan["errored"] == Value::Bool(true) {
        return Err(format!(
            "{path} is the plan of a run that errored: it does not hold every resource; fix the plan first"
        ));
    }
    let Some(root) = plan.pointer("/planned_values/root_module") else {
        return Err(format!(
            "{path} has no planned_values: give the output of `terraform show -json PLANFILE`"
        ));
    };
    let mut resources = Vec::new();
    collect(root, &mut resources);
    resources.retain(|r| r["mode"] == "managed");
    let unknown = |address: &str, attribute: &str| -> bool {
        plan["resource_changes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["address"] == address)
            .is_some_and(|c| c["change"]["after_unknown"][attribute] == Value::Bool(true))
    };
    let mut planned = Planned::default();
    for r in &resources {
        let values = &r["values"];
        let address = r["address"].as_str().unwrap_or_default().to_string();
        match r["type"].as_str() {
            Some("aws_iam_openid_connect_provider") => {
                if let Some(url) = values["url"].as_str() {
                    planned.providers.push(PlannedProvider {
                        host: url.trim_start_matches("https://").to_string(),
                        client_ids: strings(&values["client_id_list"]),
                    });
                }
            }
            // Resources that make roles this reading does not see.
            Some(
                kind @ ("aws_cloudformation_stack"
                | "aws_cloudformation_stack_set"
                | "aws_cloudformation_stack_set_instance"
                | "aws_cloudcontrolapi_resource"
                | "awscc_iam_role"),
            ) => planned.roles.push(PlannedRole {
                name: address.clone(),
                path: "/".into(),
                source: Source {
                    path: path.to_string(),
                    line: 1,
                    resource: address.clone(),
                    statements: Vec::new(),
                },
                trust: Err(format!(
                    "{address} ({kind}) can make roles whose trust this plan does not show"
                )),
                max_session_duration: crate::check::USUAL_SESSION,
                attached: Vec::new(),
            }),
            Some("aws_iam_role") => {
                let trust = match values["assume_role_policy"].as_str() {
                    Some(t) if !t.is_empty() => Ok(t.to_string()),
                    _ if unknown(&address, "assume_role_policy") => Err(format!(
                        "{address}'s assume_role_policy takes a value known only after apply"
                    )),
                    _ => Err(format!("{address} has no assume_role_policy in the plan")),
                };
                let name = values["name"]
                    .as_str()
                    .map_or_else(|| address.clone(), str::to_string);
                planned.roles.push(PlannedRole {
                    name,
                    path: values["path"].as_str().unwrap_or("/").to_string(),
                    source: Source {
                        path: path.to_string(),
                        line: 1,
                        resource: address,
                        statements: Vec::new(),
                    },
                    trust,
                    max_session_duration: values["max_session_duration"]
                        .as_i64()
                        .and_then(|n| i32::try_from(n).ok())
                        .unwrap_or(crate::check::USUAL_SESSION),
                    attached: strings(&values["managed_policy_arns"]),
                });
            }
            _ => {}
        }
    }
    // `aws_iam_policy_attachment` (a policy to several roles) and
    // `aws_iam_role_policy_attachments_exclusive` (several policies to a role) by name.
    for r in &resources {
        let by_name: Vec<(String, String)> = match r["type"].as_str() {
            Some("aws_iam_policy_attachment") => {
                let arn = r["values"]["policy_arn"].as_str().unwrap_or_default();
                strings(&r["values"]["roles"])
                    .into_iter()
                    .map(|role| (role, arn.to_string()))
                    .collect()
            }
            Some("aws_iam_role_policy_attachments_exclusive") => {
                let role = r["values"]["role_name"].as_str().unwrap_or_default();
                strings(&r["values"]["policy_arns"])
                    .into_iter()
                    .map(|arn| (role.to_string(), arn))
                    .collect()
            }
            _ => Vec::new(),
        };
        for (role, arn) in by_name {
            for p in planned.roles.iter_mut().filter(|p| p.name == role) {
                p.attached.push(arn.clone());
            }
        }
    }
    for r in &resources {
        if r["type"] != "aws_iam_role_policy_attachment" {
            continue;
        }
        let Some(arn) = r["values"]["policy_arn"].as_str() else {
            continue;
        };
        let address = r["address"].as_str().unwrap_or_default();
        // By the role's name where the plan knows it; else by what the configuration names
        // (`role = aws_iam_role.r.id`, a name from `name_prefix`); else every role of its module,
        // so that an attachment is never lost.
        let module = module_of(address);
        let targets: Vec<usize> = match r["values"]["role"].as_str() {
            Some(role) => planned
                .roles
                .iter()
                .enumerate()
                .filter(|(_, p)| p.name == role)
                .map(|(i, _)| i)
                .collect(),
            None => {
                let referenced = referenced_role(&plan, address);
                planned
                    .roles
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| match &referenced {
                        Some(role) => unindexed(&p.source.resource) == *role,
                        None => module_of(&p.source.resource) == module,
                    })
                    .map(|(i, _)| i)
                    .collect()
            }
        };
        for i in targets {
            planned.roles[i].attached.push(arn.to_string());
        }
    }
    Ok(planned)
}

/// `module.a.module.b` of `module.a.module.b.aws_iam_role.r["x"]` (empty at the root).
fn module_of(address: &str) -> String {
    let plain = unindexed(address);
    let parts: Vec<&str> = plain.split('.').collect();
    parts[..parts.len().saturating_sub(2)].join(".")
}

/// An address without its instance keys (`[0]`, `["x"]`).
fn unindexed(address: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in address.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The role (its address, without instance keys) an attachment's configuration names in `role`,
/// from the plan's `configuration` section.
fn referenced_role(plan: &Value, address: &str) -> Option<String> {
    let plain = unindexed(address);
    let parts: Vec<&str> = plain.split('.').collect();
    let (path, local) = parts.split_at(parts.len().checked_sub(2)?);
    let mut module = &plan["configuration"]["root_module"];
    for pair in path.chunks(2) {
        module = &module["module_calls"][*pair.get(1)?]["module"];
    }
    let local = local.join(".");
    let resource = module["resources"]
        .as_array()?
        .iter()
        .find(|r| r["address"] == local.as_str())?;
    let reference = resource["expressions"]["role"]["references"]
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .find(|r| r.starts_with("aws_iam_role."))?;
    let role: Vec<&str> = reference.split('.').take(2).collect();
    let prefix = path.join(".");
    Some(if prefix.is_empty() {
        role.join(".")
    } else {
        format!("{prefix}.{}", role.join("."))
    })
}

/// The resources of a module and of its child modules, in the plan's order.
fn collect<'a>(module: &'a Value, out: &mut Vec<&'a Value>) {
    out.extend(module["resources"].as_array().into_iter().flatten());
    for child in module["child_modules"].as_array().into_iter().flatten() {
        collect(child, out);
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}
