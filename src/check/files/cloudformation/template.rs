//! The intrinsic functions and conditions of a template, resolved on the parameters' defaults;
//! what is known only at deploy is an error that names it.

use std::collections::BTreeMap;

use super::yaml::{Node, scalar};

pub(super) const ACCOUNT: &str = "000000000000";

pub(super) struct Template<'a> {
    root: &'a Node,
    conditions: BTreeMap<String, Result<bool, String>>,
}

type Resolved = Result<Node, String>;

impl<'a> Template<'a> {
    pub(super) fn new(root: &'a Node) -> Template<'a> {
        let mut t = Template {
            root,
            conditions: BTreeMap::new(),
        };
        // In the template's order; a condition may name one written before it.
        for (name, _, body) in root.get("Conditions").map_or(&[][..], Node::entries) {
            let v = t.condition(body, 0);
            t.conditions.insert(name.clone(), v);
        }
        t
    }

    fn resource(&self, id: &str) -> Option<&'a Node> {
        self.root.get("Resources")?.get(id)
    }

    fn condition(&self, n: &Node, depth: usize) -> Result<bool, String> {
        if depth > 32 {
            return Err("conditions nest too deep".into());
        }
        let [(f, _, arg)] = n.entries() else {
            return Err("a condition that is not a function".into());
        };
        let args = |arg: &Node| match arg {
            Node::Seq(items, _) => items.clone(),
            other => vec![other.clone()],
        };
        match f.as_str() {
            "Fn::Equals" => match args(arg).as_slice() {
                [a, b] => {
                    // Where the stack is deployed (account, partition, region, stack) is known only
                    // at deploy: a condition on any pseudo parameter is not decided.
                    if mentions_pseudo(a) || mentions_pseudo(b) {
                        return Err(
                            "a condition reads where the stack is deployed (an AWS:: pseudo parameter), known at deploy"
                                .into(),
                        );
                    }
                    let (a, b) = (
                        scalar(&self.resolve(a, depth + 1)?)?,
                        scalar(&self.resolve(b, depth + 1)?)?,
                    );
                    if a.contains(ACCOUNT) || b.contains(ACCOUNT) {
                        return Err("a condition compares the account id, known at deploy".into());
                    }
                    Ok(a == b)
                }
                _ => Err("Fn::Equals takes two values".into()),
            },
            "Fn::Not" => {
                Ok(!self.condition(args(arg).first().ok_or("Fn::Not takes one")?, depth + 1)?)
            }
            "Fn::And" => args(arg)
                .iter()
                .try_fold(true, |acc, c| Ok(acc & self.condition(c, depth + 1)?)),
            "Fn::Or" => args(arg)
                .iter()
                .try_fold(false, |acc, c| Ok(acc | self.condition(c, depth + 1)?)),
            "Condition" => self.named_condition(arg.text().unwrap_or_default()),
            other => Err(format!("{other} in a condition")),
        }
    }

    fn named_condition(&self, name: &str) -> Result<bool, String> {
        self.conditions
            .get(name)
            .cloned()
            .unwrap_or_else(|| Err(format!("the condition {name} is not defined")))
    }

    /// `n` with every intrinsic function replaced by its value.
    pub(super) fn resolve(&self, n: &Node, depth: usize) -> Resolved {
        if depth > 64 {
            return Err("values nest too deep".into());
        }
        match n {
            Node::Scalar(s, _, _) if s.contains("{{resolve:") => Err(format!(
                "a dynamic reference ({{{{resolve:{}…}}}}) is read at deploy",
                s.split("{{resolve:")
                    .nth(1)
                    .and_then(|r| r.split(':').next())
                    .unwrap_or("?")
            )),
            Node::Scalar(..) | Node::NoValue => Ok(n.clone()),
            Node::Seq(items, l) => {
                let mut out = Vec::new();
                for i in items {
                    match self.resolve(i, depth + 1)? {
                        Node::NoValue => {}
                        other => out.push(other),
                    }
                }
                Ok(Node::Seq(out, *l))
            }
            Node::Map(entries, l) => {
                if let [(f, _, arg)] = entries.as_slice()
                    && (f == "Ref" || f.starts_with("Fn::"))
                {
                    return self.function(f, arg, *l, depth);
                }
                let mut out = Vec::new();
                for (k, kl, v) in entries {
                    match self.resolve(v, depth + 1)? {
                        Node::NoValue => {}
                        other => out.push((k.clone(), *kl, other)),
                    }
                }
                Ok(Node::Map(out, *l))
            }
        }
    }

    fn function(&self, f: &str, arg: &Node, line: usize, depth: usize) -> Resolved {
        let text = |s: String| Ok(Node::Scalar(s, false, line));
        let items = |arg: &Node| -> Result<Vec<Node>, String> {
            match self.resolve(arg, depth + 1)? {
                Node::Seq(items, _) => Ok(items),
                _ => Err(format!("{f} takes a list")),
            }
        };
        match f {
            "Ref" => self.reference_node(arg.text().unwrap_or_default(), line),
            "Fn::GetAtt" => match items(arg)?.as_slice() {
                [a, b] => text(self.reference(&scalar(a)?, Some(&scalar(b)?))?),
                _ => Err("Fn::GetAtt takes a resource and an attribute".into()),
            },
            "Fn::Sub" => {
                let (template, vars) = match arg {
                    Node::Seq(parts, _) => match parts.as_slice() {
                        [t, Node::Map(vars, _)] => (t.clone(), vars.clone()),
                        _ => return Err("Fn::Sub takes a string and a map".into()),
                    },
                    other => (other.clone(), Vec::new()),
                };
                let template = scalar(&self.resolve(&template, depth + 1)?)?;
                let mut own = BTreeMap::new();
                for (k, _, v) in &vars {
                    own.insert(k.clone(), scalar(&self.resolve(v, depth + 1)?)?);
                }
                text(self.substitute(&template, &own)?)
            }
            "Fn::If" => match arg {
                Node::Seq(parts, _) => match parts.as_slice() {
                    [c, a, b] => {
                        if self.named_condition(c.text().unwrap_or_default())? {
                            self.resolve(a, depth + 1)
                        } else {
                            self.resolve(b, depth + 1)
                        }
                    }
                    _ => Err("Fn::If takes a condition and two values".into()),
                },
                _ => Err("Fn::If takes a list".into()),
            },
            "Fn::Join" => match items(arg)?.as_slice() {
                [sep, Node::Seq(parts, _)] => {
                    let parts: Vec<String> = parts.iter().map(scalar).collect::<Result<_, _>>()?;
                    text(parts.join(&scalar(sep)?))
                }
                _ => Err("Fn::Join takes a separator and a list".into()),
            },
            // A lookup keyed by where the stack is deployed (the account, the region) is decided
            // at deploy, as a condition on it is.
            "Fn::FindInMap" if mentions_pseudo(arg) => Err(
                "Fn::FindInMap looks up by where the stack is deployed (an AWS:: pseudo parameter), known at deploy"
                    .into(),
            ),
            "Fn::FindInMap" => match items(arg)?.as_slice() {
                [m, a, b] => self
                    .root
                    .get("Mappings")
                    .and_then(|maps| {
                        maps.get(&scalar(m).ok()?)?
                            .get(&scalar(a).ok()?)?
                            .get(&scalar(b).ok()?)
                    })
                    .cloned()
                    .ok_or_else(|| "Fn::FindInMap names no value of the Mappings".into()),
                _ => Err("Fn::FindInMap takes three names".into()),
            },
            other => Err(format!("{other} is not resolved before deploy")),
        }
    }

    /// `Ref name` as a value: a list parameter is a list, `AWS::NoValue` leaves its key out.
    fn reference_node(&self, name: &str, line: usize) -> Resolved {
        if name == "AWS::NoValue" {
            return Ok(Node::NoValue);
        }
        if let Some(p) = self.root.get("Parameters").and_then(|p| p.get(name)) {
            let kind = p.get("Type").and_then(Node::text).unwrap_or("String");
            if kind == "CommaDelimitedList" || kind.starts_with("List<") {
                let value = match p.get("Default") {
                    Some(d) => scalar(d)?,
                    None => return Err(format!("the parameter {name} has no default")),
                };
                return Ok(Node::Seq(
                    value
                        .split(',')
                        .map(|v| Node::Scalar(v.trim().to_string(), false, line))
                        .collect(),
                    line,
                ));
            }
        }
        Ok(Node::Scalar(self.reference(name, None)?, false, line))
    }

    /// `Ref name` (or `Fn::GetAtt name.attribute`) as text.
    fn reference(&self, name: &str, attribute: Option<&str>) -> Result<String, String> {
        match (name, attribute) {
            ("AWS::Partition", None) => return Ok("aws".into()),
            ("AWS::AccountId", None) => return Ok(ACCOUNT.into()),
            ("AWS::URLSuffix", None) => return Ok("amazonaws.com".into()),
            _ => {}
        }
        if attribute.is_none()
            && let Some(p) = self.root.get("Parameters").and_then(|p| p.get(name))
        {
            let kind = p.get("Type").and_then(Node::text).unwrap_or("String");
            if kind.starts_with("AWS::SSM::") {
                return Err(format!("the parameter {name} is read from SSM at deploy"));
            }
            if kind == "CommaDelimitedList" || kind.starts_with("List<") {
                return Err(format!(
                    "the parameter {name} is a list where text is wanted"
                ));
            }
            return match p.get("Default") {
                Some(d) => scalar(d),
                None => Err(format!("the parameter {name} has no default")),
            };
        }
        let Some(r) = self.resource(name) else {
            return Err(format!("{name} is not known before deploy"));
        };
        let kind = r.get("Type").and_then(Node::text).unwrap_or_default();
        let props = r.get("Properties");
        let prop = |key: &str| -> Result<Option<String>, String> {
            props
                .and_then(|p| p.get(key))
                .map(|v| scalar(&self.resolve(v, 1)?))
                .transpose()
        };
        match (kind, attribute) {
            ("AWS::IAM::OIDCProvider", None | Some("Arn")) => {
                let url = prop("Url")?.ok_or("an OIDC provider without a Url")?;
                Ok(format!(
                    "arn:aws:iam::{ACCOUNT}:oidc-provider/{}",
                    url.trim_start_matches("https://")
                ))
            }
            ("AWS::IAM::Role", None) => Ok(prop("RoleName")?.unwrap_or_else(|| name.to_string())),
            ("AWS::IAM::Role", Some("Arn")) => {
                let role = prop("RoleName")?.unwrap_or_else(|| name.to_string());
                let path = prop("Path")?.unwrap_or_else(|| "/".into());
                Ok(format!("arn:aws:iam::{ACCOUNT}:role{path}{role}"))
            }
            _ => Err(format!(
                "{name}{} is not known before deploy",
                attribute.map(|a| format!(".{a}")).unwrap_or_default()
            )),
        }
    }

    /// `Fn::Sub`'s `${Name}`, `${Resource.Attribute}` and `${!Literal}`.
    fn substitute(&self, template: &str, own: &BTreeMap<String, String>) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = template;
        while let Some(at) = rest.find("${") {
            out.push_str(&rest[..at]);
            let after = &rest[at + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[at..]);
                return Ok(out);
            };
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else if let Some(v) = own.get(name) {
                out.push_str(v);
            } else {
                match name.split_once('.') {
                    Some((r, a)) => out.push_str(&self.reference(r, Some(a))?),
                    None => out.push_str(&self.reference(name, None)?),
                }
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Whether a resource is made (its `Condition` holds).
    pub(super) fn made(&self, r: &Node) -> Result<bool, String> {
        match r.get("Condition").and_then(Node::text) {
            None => Ok(true),
            Some(c) => self.named_condition(c),
        }
    }
}

/// Whether a value reads an `AWS::` pseudo parameter (`Ref`, or `${AWS::…}` in a `Fn::Sub`).
pub(super) fn mentions_pseudo(n: &Node) -> bool {
    match n {
        Node::Scalar(s, _, _) => s.contains("${AWS::"),
        Node::Seq(items, _) => items.iter().any(mentions_pseudo),
        Node::Map(entries, _) => entries.iter().any(|(k, _, v)| {
            (k == "Ref" && v.text().is_some_and(|t| t.starts_with("AWS::"))) || mentions_pseudo(v)
        }),
        Node::NoValue => false,
    }
}
