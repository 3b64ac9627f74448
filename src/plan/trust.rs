//! The role's trust policy: built as a typed value, secure by default, and compared with what IAM
//! holds as JSON values (never as strings).

use crate::plan::input::Answer;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::input::{
    Audience, InputError, NamespaceId, ProjectId, ProjectPath, ProviderUrl, RefName, RefType,
};

/// IAM's default quota for a trust policy, in characters not counting whitespace.
pub const TRUST_POLICY_QUOTA: usize = 2048;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TrustPolicy {
    pub version: String,
    pub statement: Vec<Statement>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Statement {
    pub effect: String,
    pub principal: Principal,
    pub action: String,
    /// operator (`StringEquals`, `StringLike`) → condition key → value(s)
    pub condition: BTreeMap<String, BTreeMap<String, ConditionValue>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Principal {
    pub federated: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ConditionValue {
    One(String),
    Many(Vec<String>),
}

impl ConditionValue {
    fn from_list(mut values: Vec<String>) -> Self {
        values.sort();
        values.dedup();
        if values.len() == 1 {
            ConditionValue::One(values.remove(0))
        } else {
            ConditionValue::Many(values)
        }
    }
}

/// Who may assume the role.
#[derive(Debug, Clone)]
pub struct TrustSpec<'a> {
    pub provider_url: &'a ProviderUrl,
    pub provider_arn: &'a str,
    pub audience: &'a Audience,
    pub projects: &'a [ProjectPath],
    pub refs: &'a [RefName],
    pub ref_type: RefType,
    pub ref_protected: bool,
    /// Numeric project ids to pin (gitlab.com only).
    pub project_ids: &'a [ProjectId],
    /// Numeric namespace ids to pin (gitlab.com only).
    pub namespace_ids: &'a [NamespaceId],
}

/// A built trust policy with the plain-words warnings a reviewer should read.
#[derive(Debug, Clone, PartialEq)]
pub struct Trust {
    pub policy: TrustPolicy,
    pub warnings: Vec<String>,
}

impl TrustPolicy {
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Compact JSON, as sent to IAM.
    pub fn to_json(&self) -> String {
        crate::sanitize::json(self)
    }

    pub fn to_pretty_json(&self) -> String {
        crate::sanitize::json_pretty(self)
    }

    /// The length IAM counts against its quota: characters, whitespace excluded.
    pub fn quota_length(&self) -> usize {
        self.to_json()
            .chars()
            .filter(|c| !c.is_whitespace())
            .count()
    }
}

/// Build the trust policy: `StringEquals` on `aud`, and always a `sub` condition, exact unless a
/// project or ref is a pattern.
pub fn build(spec: &TrustSpec<'_>) -> Result<Trust, InputError> {
    let host = spec.provider_url.host_path();
    if spec.projects.is_empty() {
        return Err(InputError::new(
            ProjectPath::ANSWER,
            "",
            "at least one project is required: without it any project could assume the role",
        ));
    }
    if spec.refs.is_empty() {
        return Err(InputError::new(
            RefName::ANSWER,
            "",
            "at least one ref is required",
        ));
    }
    if spec.ref_protected && !spec.provider_url.is_gitlab_com() {
        return Err(InputError::new(
            Answer::RefProtected,
            spec.provider_url.as_str(),
            "AWS supports the ref_protected condition only for gitlab.com; a self-managed issuer allows only aud and sub",
        ));
    }

    if !spec.project_ids.is_empty() && !spec.provider_url.is_gitlab_com() {
        return Err(InputError::new(
            ProjectId::ANSWER,
            spec.project_ids[0].as_str(),
            "AWS supports the project_id condition only for gitlab.com; a self-managed issuer allows only aud and sub",
        ));
    }

    if !spec.namespace_ids.is_empty() && !spec.provider_url.is_gitlab_com() {
        return Err(InputError::new(
            NamespaceId::ANSWER,
            spec.namespace_ids[0].as_str(),
            "AWS supports the namespace_id condition only for gitlab.com; a self-managed issuer allows only aud and sub",
        ));
    }

    let subjects: Vec<String> = spec
        .projects
        .iter()
        .flat_map(|p| {
            spec.refs.iter().map(move |r| {
                // In a 2012-10-17 policy `${` starts a policy variable: a `$` of a git ref (a
                // valid branch name like `a${b}`) is written as IAM's literal `${$}`.
                format!(
                    "project_path:{}:ref_type:{}:ref:{}",
                    p.as_str(),
                    spec.ref_type.sub_part(),
                    r.as_str().replace('$', "${$}")
                )
            })
        })
        .collect();
    let is_pattern = spec.ref_type == RefType::Any
        || spec.projects.iter().any(ProjectPath::is_pattern)
        || spec.refs.iter().any(RefName::is_pattern);

    let mut equals = BTreeMap::new();
    equals.insert(
        format!("{host}:aud"),
        ConditionValue::One(spec.audience.as_str().to_string()),
    );
    if spec.ref_protected {
        equals.insert(
            format!("{host}:ref_protected"),
            ConditionValue::One("true".to_string()),
        );
    }
    if !spec.project_ids.is_empty() {
        let ids = spec
            .project_ids
            .iter()
            .map(|p| p.as_str().to_string())
            .collect();
        equals.insert(format!("{host}:project_id"), ConditionValue::from_list(ids));
    }
    if !spec.namespace_ids.is_empty() {
        let ids = spec
            .namespace_ids
            .iter()
            .map(|p| p.as_str().to_string())
            .collect();
        equals.insert(
            format!("{host}:namespace_id"),
            ConditionValue::from_list(ids),
        );
    }
    let mut condition = BTreeMap::new();
    let sub = ConditionValue::from_list(subjects);
    if is_pattern {
        condition.insert(
            "StringLike".to_string(),
            BTreeMap::from([(format!("{host}:sub"), sub)]),
        );
    } else {
        equals.insert(format!("{host}:sub"), sub);
    }
    condition.insert("StringEquals".to_string(), equals);

    let policy = TrustPolicy {
        version: "2012-10-17".to_string(),
        statement: vec![Statement {
            effect: "Allow".to_string(),
            principal: Principal {
                federated: spec.provider_arn.to_string(),
            },
            action: "sts:AssumeRoleWithWebIdentity".to_string(),
            condition,
        }],
    };

    let length = policy.quota_length();
    if length > TRUST_POLICY_QUOTA {
        return Err(InputError::new(
            ProjectPath::ANSWER,
            &format!(
                "{} projects × {} refs",
                spec.projects.len(),
                spec.refs.len()
            ),
            format!(
                "the trust policy would be {length} characters, {} over IAM's {TRUST_POLICY_QUOTA}-character quota: name fewer projects or refs, or use a pattern",
                length - TRUST_POLICY_QUOTA
            ),
        ));
    }

    Ok(Trust {
        warnings: warnings(spec),
        policy,
    })
}

fn warnings(spec: &TrustSpec<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for (p, first) in spec
        .projects
        .iter()
        .filter_map(|p| Some((p, p.looks_like_host()?)))
    {
        out.push(format!(
            "project '{}' starts with '{first}', which looks like a host name: GitLab's sub has no host (if '{first}' is a group, ignore this)",
            p.as_str()
        ));
    }
    if !spec.provider_url.is_gitlab_com() {
        out.push(
            "self-managed: AWS offers no id keys here (only aud and sub), so a deleted group's name registered again would get in".to_string(),
        );
    }
    for p in spec
        .projects
        .iter()
        .filter(|p| p.as_str().chars().any(|c| c.is_ascii_uppercase()))
    {
        out.push(format!(
            "project path '{}' has capitals: GitLab's sub keeps the path's exact case and IAM compares it case-sensitively, so write it exactly as the project's URL shows it",
            p.as_str()
        ));
    }
    for p in spec.projects.iter().filter(|p| p.is_pattern()) {
        out.push(format!(
            "project pattern '{}': every project whose path matches it, including ones created later, could assume the role",
            p.as_str()
        ));
    }
    let unprotected = if spec.ref_protected {
        ""
    } else {
        ", including unprotected ones anyone with Developer access can push,"
    };
    for r in spec.refs.iter().filter(|r| r.is_pattern()) {
        let what = match spec.ref_type {
            RefType::Branch => "branch",
            RefType::Tag => "tag",
            RefType::Any => "branch or tag",
        };
        out.push(format!(
            "ref pattern '{}': any {what} matching it{unprotected} could assume the role",
            r.as_str()
        ));
    }
    if spec.ref_type == RefType::Any {
        out.push("ref type 'any': a tag with the same name as an allowed branch could assume the role too".to_string());
    }
    let patterned = spec.refs.iter().any(RefName::is_pattern) || spec.ref_type == RefType::Any;
    if patterned && !spec.ref_protected && spec.provider_url.is_gitlab_com() {
        out.push(
            "consider allowing protected refs only, so that unprotected branches and tags cannot assume the role"
                .to_string(),
        );
    }
    out
}

/// Bring a policy document into a form where equal meaning is equal JSON: one statement becomes a
/// list, single values become lists, and lists of strings are sorted.
pub fn normalize(doc: &Value) -> Value {
    fn as_sorted_list(v: &Value) -> Value {
        match v {
            Value::String(_) => Value::Array(vec![v.clone()]),
            Value::Array(items) if items.iter().all(Value::is_string) => {
                let mut items = items.clone();
                items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
                items.dedup();
                Value::Array(items)
            }
            other => other.clone(),
        }
    }
    let mut doc = doc.clone();
    let Some(statements) = doc.as_object_mut().and_then(|o| o.get_mut("Statement")) else {
        return doc;
    };
    if statements.is_object() {
        *statements = Value::Array(vec![statements.clone()]);
    }
    for s in statements
        .as_array_mut()
        .into_iter()
        .flatten()
        .filter_map(Value::as_object_mut)
    {
        if let Some(a) = s.get_mut("Action") {
            *a = as_sorted_list(a);
        }
        if let Some(p) = s.get_mut("Principal").and_then(Value::as_object_mut) {
            for v in p.values_mut() {
                *v = as_sorted_list(v);
            }
        }
        let keys = s
            .get_mut("Condition")
            .and_then(Value::as_object_mut)
            .into_iter()
            .flat_map(|c| c.values_mut())
            .filter_map(Value::as_object_mut);
        for key in keys {
            for v in key.values_mut() {
                *v = as_sorted_list(v);
            }
        }
    }
    doc
}

/// Whether replacing the trust policy `current` by `new` takes nothing away: `new` differs from
/// it at most by more values of a `sub` condition under `StringEquals` or `StringLike` (a project
/// or a ref added beside those trusted today). Any other difference (a value gone, a condition or
/// statement added or removed, another operator, statements in another order, a document that
/// does not read as one) counts as taking something away, so that the wizard asks for the role's
/// name before it applies it. More values of a positive operator only let more tokens in: a
/// condition holds when any of its values matches (docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html).
pub fn only_adds_subjects(current: &Value, new: &Value) -> bool {
    type Subjects = BTreeMap<(String, String), Vec<Value>>;
    /// The statement with its `sub` values of positive string operators taken out.
    fn split(statement: &Value) -> (Value, Subjects) {
        let mut rest = statement.clone();
        let mut subs = Subjects::new();
        let conditions = rest
            .get_mut("Condition")
            .and_then(Value::as_object_mut)
            .into_iter()
            .flat_map(|c| c.iter_mut());
        for (operator, keys) in conditions {
            if !matches!(operator.as_str(), "StringEquals" | "StringLike") {
                continue;
            }
            let Some(keys) = keys.as_object_mut() else {
                continue;
            };
            let sub_keys: Vec<String> = keys
                .keys()
                .filter(|k| k.to_ascii_lowercase().ends_with(":sub"))
                .cloned()
                .collect();
            for k in sub_keys {
                if let Some(Value::Array(values)) = keys.remove(&k) {
                    subs.insert((operator.clone(), k), values);
                }
            }
        }
        (rest, subs)
    }
    let statements = |doc: &Value| -> Option<Vec<Value>> {
        let doc = normalize(doc);
        let obj = doc.as_object()?;
        let list = obj.get("Statement")?.as_array()?.clone();
        let others: Vec<(&String, &Value)> =
            obj.iter().filter(|(k, _)| *k != "Statement").collect();
        (others.len() <= 1 && others.iter().all(|(k, _)| *k == "Version")).then_some(list)
    };
    let (Some(now), Some(then)) = (statements(current), statements(new)) else {
        return false;
    };
    let same_version = current.get("Version") == new.get("Version");
    same_version
        && now.len() == then.len()
        && now.iter().zip(&then).all(|(a, b)| {
            let (rest_a, subs_a) = split(a);
            let (rest_b, subs_b) = split(b);
            rest_a == rest_b
                && subs_a.len() == subs_b.len()
                && subs_a.iter().all(|(key, values)| {
                    subs_b
                        .get(key)
                        .is_some_and(|more| values.iter().all(|v| more.contains(v)))
                })
        })
}

/// Whether two policy documents mean the same.
pub fn same_policy(a: &Value, b: &Value) -> bool {
    normalize(a) == normalize(b)
}

/// A unified diff of two policy documents, pretty-printed with sorted keys.
pub fn diff(current: &Value, desired: &Value) -> String {
    let a = crate::sanitize::json_pretty(current) + "\n";
    let b = crate::sanitize::json_pretty(desired) + "\n";
    similar::TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(3)
        .header("current trust policy", "desired trust policy")
        .to_string()
}

#[cfg(test)]
#[path = "trust_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "trust_only_adds_tests.rs"]
mod only_adds_tests;
