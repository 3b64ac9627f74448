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
    for r in &resources {
        if r["type"] == "aws_iam_role_policy_attachment"
            && let (Some(role), Some(arn)) = (
                r["values"]["role"].as_str(),
                r["values"]["policy_arn"].as_str(),
            )
            && let Some(p) = planned.roles.iter_mut().find(|p| p.name == role)
        {
            p.attached.push(arn.to_string());
        }
    }
    Ok(planned)
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
