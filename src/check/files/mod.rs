//! `check` before apply, without AWS: the roles a file will make, audited by the same rules as a
//! role read from an account (docs/findings.md, "Audit before apply").
//! - `--trust-file PATH`: a trust policy document;
//! - `--terraform-plan PLAN.json`: the output of `terraform show -json` (`terraform.rs`);
//! - `--cloudformation TEMPLATE`: a template's `AWS::IAM::Role` resources (`cloudformation.rs`).
//!
//! What a file cannot say is never guessed in the role's favour:
//! - a trust not known before apply (it takes a value from a resource not created yet, or from a
//!   parameter without a default) is a `trust-unknown` finding, and the run exits 1;
//! - an OIDC provider the file does not make is taken to exist with every audience the trust asks
//!   for (the most the trust can let in), so no finding says the role is dead or that an audience
//!   is missing because of what the file does not show.

mod cloudformation;
mod terraform;

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Code, Finding, RoleReport, Source};
use crate::aws::{AttachedPolicy, OidcProvider, Role};
use crate::iam::document::readings;
use crate::plan::trust_view::{TrustView, provider_host};

/// What kind of file `check` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    TrustFile,
    TerraformPlan,
    CloudFormation,
}

/// A role a file makes, as far as the file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRole {
    pub name: String,
    pub path: String,
    pub source: Source,
    /// The trust policy's text, or why it is not known before apply.
    pub trust: Result<String, String>,
    pub max_session_duration: i32,
    /// ARNs of the managed policies attached to it.
    pub attached: Vec<String>,
}

/// An OIDC provider a file makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedProvider {
    /// The host (and path) of its URL, without `https://`.
    pub host: String,
    pub client_ids: Vec<String>,
}

/// What a file plans.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Planned {
    pub roles: Vec<PlannedRole>,
    pub providers: Vec<PlannedProvider>,
}

/// Read a file of `kind`: what it plans, or why it cannot be read (one line, for exit 2).
pub fn read(kind: Kind, path: &str, text: &str) -> Result<Planned, String> {
    match kind {
        Kind::TrustFile => trust_file(path, text),
        Kind::TerraformPlan => terraform::read(path, text),
        Kind::CloudFormation => cloudformation::read(path, text),
    }
}

fn trust_file(path: &str, text: &str) -> Result<Planned, String> {
    let doc: Value = serde_json::from_str(text)
        .map_err(|e| format!("{path} is not a JSON trust policy document: {e}"))?;
    if doc.get("Statement").is_none() {
        return Err(format!(
            "{path} is not a trust policy document: it has no Statement (from `aws iam get-role`, give .Role.AssumeRolePolicyDocument)"
        ));
    }
    // IAM refuses a document whose statements are not objects with an Effect: so does the audit,
    // rather than finding nothing in it.
    let statement = |s: &Value| s.get("Effect").is_some_and(Value::is_string);
    let well_formed = match &doc["Statement"] {
        Value::Object(_) => statement(&doc["Statement"]),
        Value::Array(items) => !items.is_empty() && items.iter().all(statement),
        _ => false,
    };
    if !well_formed {
        return Err(format!(
            "{path} is not a trust policy document IAM takes: Statement must be a statement, or a list of them, each with an Effect"
        ));
    }
    let name = std::path::Path::new(path)
        .file_stem()
        .map_or_else(|| path.to_string(), |s| s.to_string_lossy().into_owned());
    let lines = statement_lines(text, 0);
    Ok(Planned {
        roles: vec![PlannedRole {
            name,
            path: "/".into(),
            source: Source {
                path: path.into(),
                line: lines.first().copied().unwrap_or(1),
                resource: path.into(),
                statements: lines,
            },
            trust: Ok(text.to_string()),
            max_session_duration: super::USUAL_SESSION,
            attached: Vec::new(),
        }],
        providers: Vec::new(),
    })
}

/// The 1-based line of each statement of the trust policy document that starts at byte `start`
/// of `text` (the last `Statement` key of its top object, as the usual reading keeps; a single
/// statement object is one). Empty when the text is not such a document.
pub fn statement_lines(text: &str, start: usize) -> Vec<usize> {
    let bytes = text.as_bytes();
    let line_at = |i: usize| text[..i].matches('\n').count() + 1;
    let mut out = Vec::new();
    // Depth of containers, whether inside a string, and where the last key of the top object
    // was `Statement` (its value's depth-1 elements are the statements).
    let mut depth = 0usize;
    let mut i = start;
    let mut in_string = false;
    let mut string_start = 0;
    let mut last_string = (0, 0);
    let mut statement_array: Option<usize> = None;
    let mut expect_value_of_statement = false;
    let mut element_start = false;
    while i < bytes.len() {
        let c = bytes[i];
        if in_string {
            match c {
                b'\\' => i += 1,
                b'"' => {
                    in_string = false;
                    last_string = (string_start, i);
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => {
                if element_start && statement_array == Some(depth) {
                    // A statement that is not an object: still a statement.
                    out.push(line_at(i));
                    element_start = false;
                }
                in_string = true;
                string_start = i + 1;
            }
            b':' if depth == 1 => {
                let (a, b) = last_string;
                if &text[a..b] == "Statement" {
                    expect_value_of_statement = true;
                    out.clear();
                    statement_array = None;
                }
            }
            b'{' | b'[' => {
                if expect_value_of_statement && depth == 1 {
                    expect_value_of_statement = false;
                    if c == b'{' {
                        out.push(line_at(i));
                    } else {
                        statement_array = Some(depth + 1);
                        element_start = true;
                    }
                } else if element_start && statement_array == Some(depth) {
                    out.push(line_at(i));
                    element_start = false;
                }
                depth += 1;
                if depth == 0 {
                    break;
                }
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
            b',' if statement_array == Some(depth) => element_start = true,
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => {
                if element_start && statement_array == Some(depth) {
                    out.push(line_at(i));
                    element_start = false;
                }
                if depth == 1 && expect_value_of_statement {
                    expect_value_of_statement = false;
                }
            }
        }
        i += 1;
    }
    out
}

/// The audit of what files plan, role by role in the files' order. `now`: the time the time
/// conditions are read at.
pub fn audit(planned: &[Planned], now: u64) -> Vec<RoleReport> {
    let made: BTreeMap<&str, &PlannedProvider> = planned
        .iter()
        .flat_map(|p| &p.providers)
        .map(|p| (p.host.as_str(), p))
        .collect();
    let mut out = Vec::new();
    for role in planned.iter().flat_map(|p| &p.roles) {
        let report = |findings: Vec<Finding>, provider: Option<String>| RoleReport {
            role: role.name.clone(),
            arn: String::new(),
            provider,
            findings,
            source: Some(role.source.clone()),
        };
        let text = match &role.trust {
            Ok(t) => t,
            Err(why) => {
                out.push(report(
                    vec![super::finding(
                        Code::TrustUnknown,
                        format!("the trust policy is not known before apply: {why}"),
                        "audit the role again after apply (check --role-name), or write its trust without values from resources not yet created",
                    )],
                    None,
                ));
                continue;
            }
        };
        let r = match readings(text) {
            Ok(r) => r,
            Err(e) => crate::iam::document::Readings::unreadable(e.to_string()),
        };
        let aws_role = Role {
            arn: format!("arn:aws:iam::000000000000:role{}{}", role.path, role.name),
            name: role.name.clone(),
            path: role.path.clone(),
            trust_policy: r.main,
            trust_ambiguity: r.others,
            description: None,
            max_session_duration: role.max_session_duration,
            permissions_boundary: None,
            tags: Vec::new(),
        };
        let docs: Vec<&Value> = std::iter::once(&aws_role.trust_policy)
            .chain(&aws_role.trust_ambiguity.readings)
            .collect();
        let mut providers: BTreeMap<String, Option<OidcProvider>> = BTreeMap::new();
        for doc in &docs {
            let view = TrustView::read(doc);
            for arn in view.oidc_providers() {
                let host = provider_host(&arn).to_string();
                let client_ids = match made.get(host.as_str()) {
                    Some(p) => p.client_ids.clone(),
                    // Not made here: taken to exist with every audience the trust asks for.
                    None => audiences(&docs, &host),
                };
                providers.insert(
                    arn.clone(),
                    Some(OidcProvider {
                        arn: arn.clone(),
                        url: host,
                        client_ids,
                        thumbprints: Vec::new(),
                        tags: Vec::new(),
                    }),
                );
            }
        }
        let attached: Vec<AttachedPolicy> = role
            .attached
            .iter()
            .map(|arn| AttachedPolicy {
                name: arn.rsplit('/').next().unwrap_or(arn).to_string(),
                arn: arn.clone(),
            })
            .collect();
        let named = TrustView::read(&aws_role.trust_policy)
            .oidc_providers()
            .into_iter()
            .next();
        let findings = super::audit(&aws_role, &providers, &attached, now);
        out.push(report(findings, named));
    }
    out
}

/// Every audience a trust's conditions name for `host` (`sts.amazonaws.com` where none does).
fn audiences(docs: &[&Value], host: &str) -> Vec<String> {
    let mut out: Vec<String> = docs
        .iter()
        .flat_map(|d| {
            let view = TrustView::read(d);
            super::reason::space::written(&view, host, "aud")
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    out.sort();
    out.dedup();
    if out.is_empty() {
        out.push("sts.amazonaws.com".into());
    }
    out
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
