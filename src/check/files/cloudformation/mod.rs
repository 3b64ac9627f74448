//! `check --cloudformation TEMPLATE`: the `AWS::IAM::Role` resources of a CloudFormation template
//! (YAML or JSON), with the intrinsic functions resolved as CloudFormation would on a stack with
//! the parameters' defaults:
//! - `Ref` (parameters, `AWS::Partition` as `aws`, `AWS::AccountId` as `000000000000`, an OIDC
//!   provider as its ARN, a role as its name), `Fn::Sub`, `Fn::If` with the template's
//!   `Conditions` (`Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`), `Fn::Join`,
//!   `Fn::FindInMap`, and `Fn::GetAtt` of a provider's or a role's `Arn`;
//! - in the long form (`{"Fn::Sub": …}`) and in YAML's short tags (`!Sub …`);
//! - resources whose `Condition` is false are not made, and are not audited.
//!
//! Anything else (a parameter without a default, `AWS::Region`, `Fn::ImportValue`, another
//! resource's attribute) is not known before deploy: a trust that needs it is listed as unknown.
//! A mapping that repeats a key keeps every value, so the audit reads the trust every way.

mod template;
mod yaml;

use super::{Planned, PlannedProvider, PlannedRole};
use crate::check::Source;
use template::Template;
use yaml::{Node, json_text, parse, scalar};

pub fn read(path: &str, text: &str) -> Result<Planned, String> {
    let root = parse(text).map_err(|e| format!("{path} is not a CloudFormation template: {e}"))?;
    let Some(resources) = root.get("Resources").filter(|r| matches!(r, Node::Map(..))) else {
        return Err(format!(
            "{path} is not a CloudFormation template: it has no Resources"
        ));
    };
    if let Some(why) = repeated_key(&root) {
        return Err(format!(
            "{path} is not a CloudFormation template CloudFormation reads one way: {why}"
        ));
    }
    let t = Template::new(&root);
    let mut planned = Planned::default();
    // What makes resources this reading does not see: listed as not known, never passed over.
    let unseen = |planned: &mut Planned, id: &str, line: usize, why: String| {
        planned.roles.push(PlannedRole {
            name: id.to_string(),
            path: "/".into(),
            source: Source {
                path: path.to_string(),
                line,
                resource: id.to_string(),
                statements: Vec::new(),
            },
            trust: Err(why),
            max_session_duration: crate::check::USUAL_SESSION,
            attached: Vec::new(),
        });
    };
    if let Some(transform) = root.get("Transform") {
        let named = match transform {
            Node::Scalar(t, _, _) => t.clone(),
            Node::Seq(items, _) => items
                .iter()
                .filter_map(Node::text)
                .collect::<Vec<_>>()
                .join(", "),
            _ => "a macro".into(),
        };
        unseen(
            &mut planned,
            "Transform",
            transform.line(),
            format!(
                "the template's Transform ({named}) makes its resources at deploy: audit the processed template"
            ),
        );
    }
    let mut included = Vec::new();
    transforms(&root, &mut included);
    for line in included {
        unseen(
            &mut planned,
            "Fn::Transform",
            line,
            format!(
                "Fn::Transform (line {line}) brings in at deploy what the template does not show"
            ),
        );
    }
    for (id, line, r) in resources.entries() {
        let kind = r.get("Type").and_then(Node::text).unwrap_or_default();
        if id.starts_with("Fn::ForEach") {
            unseen(
                &mut planned,
                id,
                *line,
                format!("{id} makes resources at deploy"),
            );
            continue;
        }
        if kind.starts_with("AWS::Serverless::")
            || kind.ends_with("::MODULE")
            || matches!(
                kind,
                "AWS::CloudFormation::Stack"
                    | "AWS::CloudFormation::StackSet"
                    | "AWS::ServiceCatalog::CloudFormationProvisionedProduct"
            )
        {
            unseen(
                &mut planned,
                id,
                *line,
                format!("{id} ({kind}) can make roles this audit does not read"),
            );
            continue;
        }
        // A resource whose condition cannot be decided is read as made: its trust is audited.
        if t.made(r) == Ok(false) {
            continue;
        }
        let props = r.get("Properties");
        let prop = |key: &str| props.and_then(|p| p.get(key)).map(|v| t.resolve(v, 0));
        match kind {
            "AWS::IAM::OIDCProvider" => {
                if let Some(Ok(url)) = prop("Url").map(|u| u.and_then(|u| scalar(&u))) {
                    let client_ids = match prop("ClientIdList") {
                        Some(Ok(Node::Seq(items, _))) => {
                            items.iter().filter_map(|i| scalar(i).ok()).collect()
                        }
                        _ => Vec::new(),
                    };
                    planned.providers.push(PlannedProvider {
                        host: url.trim_start_matches("https://").to_string(),
                        client_ids,
                    });
                }
            }
            "AWS::IAM::Role" => {
                let document = props.and_then(|p| p.get("AssumeRolePolicyDocument"));
                let statements = document
                    .and_then(|d| d.get("Statement"))
                    .map(|s| match s {
                        Node::Seq(items, _) => items.iter().map(Node::line).collect(),
                        one => vec![one.line()],
                    })
                    .unwrap_or_default();
                let trust = match prop("AssumeRolePolicyDocument") {
                    None => Err(format!("{id} has no AssumeRolePolicyDocument")),
                    Some(Err(why)) => Err(format!("{id}'s AssumeRolePolicyDocument: {why}")),
                    // A document given as a JSON string is that text.
                    Some(Ok(Node::Scalar(s, _, _))) => Ok(s),
                    Some(Ok(doc)) => {
                        let mut s = String::new();
                        json_text(&doc, &mut s);
                        Ok(s)
                    }
                };
                // However it got there (a parameter's default, a mapping), a dynamic reference
                // is read at deploy.
                let trust = trust.and_then(|t| {
                    if t.contains("{{resolve:") {
                        Err(format!("{id}'s trust holds a dynamic reference ({{{{resolve:…}}}}), read at deploy"))
                    } else {
                        Ok(t)
                    }
                });
                let text_of = |key: &str| prop(key).and_then(|v| v.and_then(|v| scalar(&v)).ok());
                let attached = match prop("ManagedPolicyArns") {
                    Some(Ok(Node::Seq(items, _))) => {
                        items.iter().filter_map(|i| scalar(i).ok()).collect()
                    }
                    _ => Vec::new(),
                };
                planned.roles.push(PlannedRole {
                    name: text_of("RoleName").unwrap_or_else(|| id.clone()),
                    path: text_of("Path").unwrap_or_else(|| "/".into()),
                    source: Source {
                        path: path.to_string(),
                        line: *line,
                        resource: id.clone(),
                        statements,
                    },
                    trust,
                    max_session_duration: text_of("MaxSessionDuration")
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(crate::check::USUAL_SESSION),
                    attached,
                });
            }
            _ => {}
        }
    }
    Ok(planned)
}

/// The first key a mapping repeats, outside the trust policy documents (whose every reading the
/// audit reads): a template that repeats a resource, a section or a property reads more than one
/// way.
fn repeated_key(n: &Node) -> Option<String> {
    match n {
        Node::Map(entries, _) => {
            for (i, (k, line, v)) in entries.iter().enumerate() {
                if entries[..i].iter().any(|(other, _, _)| other == k) {
                    return Some(format!("line {line} repeats the key {k:?}"));
                }
                if k != "AssumeRolePolicyDocument"
                    && let Some(why) = repeated_key(v)
                {
                    return Some(why);
                }
            }
            None
        }
        Node::Seq(items, _) => items.iter().find_map(repeated_key),
        Node::Scalar(..) | Node::NoValue => None,
    }
}

/// The line of each `Fn::Transform` (an `AWS::Include` or a macro): it brings in what the
/// template does not show.
fn transforms(n: &Node, out: &mut Vec<usize>) {
    match n {
        Node::Map(entries, _) => {
            for (k, line, v) in entries {
                if k == "Fn::Transform" {
                    out.push(*line);
                }
                transforms(v, out);
            }
        }
        Node::Seq(items, _) => items.iter().for_each(|i| transforms(i, out)),
        Node::Scalar(..) | Node::NoValue => {}
    }
}
