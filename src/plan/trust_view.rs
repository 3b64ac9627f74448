//! Reading a trust policy: the typed view of a role's trust document, beside the builder that
//! writes ours (`trust`). Every use case that reads a trust (`check`, `explain`, `destroy`, the
//! engine's adoption of a provider) reads it through this view, once, instead of walking JSON.
//!
//! The view keeps what the document says and decides nothing: a statement's effect, principal,
//! actions (or `NotAction`) and conditions, each condition with its operator split into qualifier
//! (`ForAnyValue:` / `ForAllValues:`), base operator and `IfExists`, its key as written and its
//! values as text. Whether a statement applies, and what a condition means for a token, is the
//! evaluator's business (`iam`). Total: any JSON gives a view, never a panic.

use serde_json::{Map, Value};

/// Condition keys AWS supports for tokens issued by gitlab.com (`gitlab.com:<claim>`). For any
/// other issuer only `aud` and `sub` are (IAM User Guide, "Available keys for AWS web identity
/// federation"; REFERENCE.md).
pub const GITLAB_COM_CLAIMS: [&str; 11] = [
    "aud",
    "sub",
    "namespace_id",
    "project_id",
    "pipeline_source",
    "ref_protected",
    "runner_environment",
    "user_access_level",
    "user_email",
    "user_id",
    "user_login",
];

/// The claims IAM offers as condition keys for the issuer at `host` (`gitlab.com`, or a
/// self-managed `host[/path]`).
pub fn supported_claims(host: &str) -> &'static [&'static str] {
    if host == "gitlab.com" {
        &GITLAB_COM_CLAIMS
    } else {
        &["aud", "sub"]
    }
}

/// `host[/path]` of an OIDC provider ARN: the prefix of its condition keys.
pub fn provider_host(provider_arn: &str) -> &str {
    provider_arn
        .split_once(":oidc-provider/")
        .map(|(_, h)| h)
        .unwrap_or("")
}

/// A trust policy, statement by statement in document order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrustView {
    /// `Version`: policy variables are read only in `2012-10-17` documents.
    pub version: Option<String>,
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// 1-based position in the document, for messages.
    pub index: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    pub principal: Principal,
    pub actions: Actions,
    /// Every `operator: {key: values}` entry of the Condition block, in document order.
    pub conditions: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
    /// Missing or misspelt: IAM rejects such a document; nothing reads it as either.
    Invalid(String),
}

impl Effect {
    pub fn as_str(&self) -> &str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
            Effect::Invalid(s) => s,
        }
    }
}

/// `Principal` or `NotPrincipal`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Principal {
    /// Written as `NotPrincipal`.
    pub negated: bool,
    /// `"Principal": "*"`: everyone.
    pub anyone: bool,
    /// By type (`Federated`, `AWS`, `Service`, `CanonicalUser`): the names listed, as written.
    pub federated: Vec<String>,
    pub aws: Vec<String>,
    pub service: Vec<String>,
    pub other: Vec<(String, Vec<String>)>,
}

impl Principal {
    /// The OIDC provider ARNs named as federated principals.
    pub fn oidc_providers(&self) -> impl Iterator<Item = &str> {
        self.federated
            .iter()
            .map(String::as_str)
            .filter(|f| f.contains(":oidc-provider/"))
    }
}

/// `Action` or `NotAction`: the patterns as written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Actions {
    pub negated: bool,
    pub patterns: Vec<String>,
}

/// `ForAnyValue:` or `ForAllValues:` before an operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualifier {
    ForAnyValue,
    ForAllValues,
}

/// A condition operator, e.g. `ForAnyValue:StringLikeIfExists`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    /// As written in the document.
    pub written: String,
    pub qualifier: Option<Qualifier>,
    /// Without qualifier and `IfExists`, e.g. `StringLike`.
    pub base: String,
    pub if_exists: bool,
}

impl Operator {
    pub fn parse(written: &str) -> Operator {
        let (qualifier, rest) = match written.split_once(':') {
            Some(("ForAnyValue", rest)) => (Some(Qualifier::ForAnyValue), rest),
            Some(("ForAllValues", rest)) => (Some(Qualifier::ForAllValues), rest),
            _ => (None, written),
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            // `Null` takes no IfExists; `NullIfExists` stays unknown as written.
            Some(base) if !base.is_empty() => (base, true),
            _ => (rest, false),
        };
        Operator {
            written: written.to_string(),
            qualifier,
            base: base.to_string(),
            if_exists,
        }
    }

    /// `StringNotEquals`, `StringNotLike`, `ArnNotLike` …: true for values that do not match.
    pub fn is_negated(&self) -> bool {
        self.base.contains("Not")
    }
}

/// One key of one operator: `"StringLike": {"gitlab.com:sub": [values]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub operator: Operator,
    /// The key as written, e.g. `gitlab.com:sub`.
    pub key: String,
    /// The values as text (a single value becomes a list of one; numbers and booleans as written).
    pub values: Vec<String>,
}

impl Condition {
    /// The key's prefix and claim: `gitlab.com:sub` → (`gitlab.com`, `sub`).
    pub fn key_parts(&self) -> Option<(&str, &str)> {
        self.key.rsplit_once(':')
    }
}

/// The values of a JSON element as text: a string, or each of a list; numbers and booleans as
/// JSON writes them; `null` is none.
pub fn texts(v: &Value) -> Vec<String> {
    match v {
        Value::Null => vec![],
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().flat_map(texts).collect(),
        Value::Bool(b) => vec![b.to_string()],
        Value::Number(n) => vec![n.to_string()],
        Value::Object(_) => vec![v.to_string()],
    }
}

impl TrustView {
    /// Read a (decoded) trust policy document.
    pub fn read(doc: &Value) -> TrustView {
        let statements = match doc.get("Statement") {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(one @ Value::Object(_)) => vec![one],
            _ => vec![],
        };
        TrustView {
            version: doc
                .get("Version")
                .and_then(Value::as_str)
                .map(str::to_string),
            statements: statements
                .into_iter()
                .enumerate()
                .filter_map(|(i, s)| s.as_object().map(|s| statement(i + 1, s)))
                .collect(),
        }
    }

    /// Every OIDC provider ARN the trust names, in document order, each once.
    pub fn oidc_providers(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for p in self
            .statements
            .iter()
            .flat_map(|s| s.principal.oidc_providers())
        {
            if !out.iter().any(|o| o == p) {
                out.push(p.to_string());
            }
        }
        out
    }

    /// The statements that name `provider_arn` as a federated principal.
    pub fn naming<'a>(&'a self, provider_arn: &'a str) -> impl Iterator<Item = &'a Statement> {
        self.statements
            .iter()
            .filter(move |s| s.principal.federated.iter().any(|f| f == provider_arn))
    }
}

fn statement(index: usize, s: &Map<String, Value>) -> Statement {
    let effect = match s.get("Effect").and_then(Value::as_str) {
        Some("Allow") => Effect::Allow,
        Some("Deny") => Effect::Deny,
        other => Effect::Invalid(other.unwrap_or_default().to_string()),
    };
    let principal = match (s.get("Principal"), s.get("NotPrincipal")) {
        (Some(p), _) => principal(p, false),
        (None, Some(p)) => principal(p, true),
        (None, None) => Principal::default(),
    };
    let actions = match (s.get("Action"), s.get("NotAction")) {
        (Some(a), _) => Actions {
            negated: false,
            patterns: texts(a),
        },
        (None, Some(a)) => Actions {
            negated: true,
            patterns: texts(a),
        },
        (None, None) => Actions::default(),
    };
    let mut conditions = Vec::new();
    for (op, keys) in s
        .get("Condition")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let operator = Operator::parse(op);
        for (key, values) in keys.as_object().into_iter().flatten() {
            conditions.push(Condition {
                operator: operator.clone(),
                key: key.clone(),
                values: texts(values),
            });
        }
    }
    Statement {
        index,
        sid: s.get("Sid").and_then(Value::as_str).map(str::to_string),
        effect,
        principal,
        actions,
        conditions,
    }
}

fn principal(p: &Value, negated: bool) -> Principal {
    let mut out = Principal {
        negated,
        ..Principal::default()
    };
    match p {
        Value::String(s) if s == "*" => out.anyone = true,
        Value::Object(by_type) => {
            for (kind, names) in by_type {
                let names = texts(names);
                match kind.as_str() {
                    "Federated" => out.federated.extend(names),
                    "AWS" => out.aws.extend(names),
                    "Service" => out.service.extend(names),
                    _ => out.other.push((kind.clone(), names)),
                }
            }
        }
        other => out.other.push((String::new(), texts(other))),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const GITLAB: &str = "arn:aws:iam::123456789012:oidc-provider/gitlab.com";
    const OTHER: &str = "arn:aws:iam::123456789012:oidc-provider/git.example.com";

    #[test]
    fn statements_principals_actions_and_conditions() {
        let view = TrustView::read(&json!({
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "gitlab",
                    "Effect": "Allow",
                    "Principal": {"Federated": GITLAB},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {"gitlab.com:aud": "https://gitlab.com"},
                        "ForAnyValue:StringLikeIfExists": {"gitlab.com:sub": ["project_path:acme/*", "x"]},
                        "Null": {"gitlab.com:project_id": true},
                        "NumericLessThan": {"gitlab.com:user_id": 7}
                    }
                },
                {"Effect": "Deny", "Principal": "*", "NotAction": ["sts:TagSession"]},
                {"Effect": "allow", "NotPrincipal": {"AWS": ["*"], "Federated": [OTHER, GITLAB]}}
            ]
        }));
        assert_eq!(view.statements.len(), 3);
        let s = &view.statements[0];
        assert_eq!(
            (s.index, s.sid.as_deref(), &s.effect),
            (1, Some("gitlab"), &Effect::Allow)
        );
        assert_eq!(s.principal.federated, [GITLAB]);
        assert_eq!(
            s.actions,
            Actions {
                negated: false,
                patterns: vec!["sts:AssumeRoleWithWebIdentity".into()]
            }
        );
        let like = s
            .conditions
            .iter()
            .find(|c| c.key == "gitlab.com:sub")
            .expect("sub");
        assert_eq!(like.operator.qualifier, Some(Qualifier::ForAnyValue));
        assert_eq!(like.operator.base, "StringLike");
        assert!(like.operator.if_exists);
        assert_eq!(like.values, ["project_path:acme/*", "x"]);
        assert_eq!(like.key_parts(), Some(("gitlab.com", "sub")));
        let null = s
            .conditions
            .iter()
            .find(|c| c.operator.base == "Null")
            .expect("null");
        assert_eq!(
            (null.values.as_slice(), null.operator.if_exists),
            (&["true".to_string()][..], false)
        );
        let numeric = s
            .conditions
            .iter()
            .find(|c| c.key == "gitlab.com:user_id")
            .expect("n");
        assert_eq!(numeric.values, ["7"]);

        let deny = &view.statements[1];
        assert!(deny.principal.anyone && !deny.principal.negated);
        assert!(deny.actions.negated);
        let odd = &view.statements[2];
        assert_eq!(odd.effect, Effect::Invalid("allow".into()));
        assert!(odd.principal.negated);
        assert_eq!(odd.principal.aws, ["*"]);
        assert_eq!(odd.actions, Actions::default());

        assert_eq!(view.oidc_providers(), [GITLAB, OTHER]);
        assert_eq!(view.naming(OTHER).map(|s| s.index).collect::<Vec<_>>(), [3]);
    }

    #[test]
    fn operators_split_into_their_parts() {
        for (written, qualifier, base, if_exists, negated) in [
            ("StringEquals", None, "StringEquals", false, false),
            ("StringNotLikeIfExists", None, "StringNotLike", true, true),
            (
                "ForAllValues:StringEquals",
                Some(Qualifier::ForAllValues),
                "StringEquals",
                false,
                false,
            ),
            (
                "ForAnyValue:StringNotEqualsIgnoreCaseIfExists",
                Some(Qualifier::ForAnyValue),
                "StringNotEqualsIgnoreCase",
                true,
                true,
            ),
            ("Null", None, "Null", false, false),
            ("IfExists", None, "IfExists", false, false),
            (
                "Other:StringEquals",
                None,
                "Other:StringEquals",
                false,
                false,
            ),
        ] {
            let op = Operator::parse(written);
            assert_eq!(
                (
                    op.qualifier,
                    op.base.as_str(),
                    op.if_exists,
                    op.is_negated()
                ),
                (qualifier, base, if_exists, negated),
                "{written}"
            );
            assert_eq!(op.written, written);
        }
    }

    #[test]
    fn any_json_gives_a_view() {
        for doc in [
            json!(null),
            json!("text"),
            json!({"Statement": "x"}),
            json!({"Statement": [1, null, {"Principal": 5, "Condition": {"StringEquals": 3}}]}),
            json!({"Statement": {"Effect": "Allow"}}),
        ] {
            let view = TrustView::read(&doc);
            assert!(view.oidc_providers().is_empty(), "{doc}");
        }
        let one = TrustView::read(
            &json!({"Statement": {"Effect": "Allow", "Principal": {"Federated": GITLAB}}}),
        );
        assert_eq!(one.statements.len(), 1);
        assert_eq!(one.oidc_providers(), [GITLAB]);
    }

    #[test]
    fn claims_offered_by_issuer() {
        assert!(supported_claims("gitlab.com").contains(&"ref_protected"));
        assert_eq!(supported_claims("git.example.com"), ["aud", "sub"]);
        assert_eq!(provider_host(GITLAB), "gitlab.com");
        assert_eq!(
            provider_host("arn:aws:iam::1:oidc-provider/git.example.com/gl"),
            "git.example.com/gl"
        );
    }
}
