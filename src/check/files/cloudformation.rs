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

use std::collections::BTreeMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::{Planned, PlannedProvider, PlannedRole};
use crate::check::Source;

/// A node of the template, with the line it starts on.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    /// Its text, and whether it was a plain (unquoted) scalar: a number or boolean there is one.
    Scalar(String, bool, usize),
    Seq(Vec<Node>, usize),
    /// Entries in the template's order, each key with its line; a key may repeat.
    Map(Vec<(String, usize, Node)>, usize),
    /// `Ref AWS::NoValue`: the key or item it is the value of is left out.
    NoValue,
}

impl Node {
    fn line(&self) -> usize {
        match self {
            Node::Scalar(_, _, l) | Node::Seq(_, l) | Node::Map(_, l) => *l,
            Node::NoValue => 0,
        }
    }

    /// The last value of `key` (the usual reading of a repeated key).
    fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries, _) => entries
                .iter()
                .rev()
                .find(|(k, _, _)| k == key)
                .map(|e| &e.2),
            _ => None,
        }
    }

    fn text(&self) -> Option<&str> {
        match self {
            Node::Scalar(s, _, _) => Some(s),
            _ => None,
        }
    }

    fn entries(&self) -> &[(String, usize, Node)] {
        match self {
            Node::Map(e, _) => e,
            _ => &[],
        }
    }
}

/// An open container: the node, its tag, and for a map the key (and its line) waiting for its
/// value.
type Open = (Node, Option<String>, Option<(String, usize)>);

/// Builds the tree from the parser's events; a short tag becomes its long form.
#[derive(Default)]
struct Builder {
    stack: Vec<Open>,
    done: Option<Node>,
    /// What the template uses that CloudFormation does not take (or this reading would read
    /// wrong): an alias, a merge key, a second document.
    refused: Option<String>,
    documents: usize,
}

fn line_of(mark: Marker) -> usize {
    mark.line().max(1)
}

/// `!Ref x` → `{"Ref": x}`, `!GetAtt a.b` → `{"Fn::GetAtt": [a, b]}`, `!Condition c` →
/// `{"Condition": c}`, `!Sub …` → `{"Fn::Sub": …}`.
fn long_form(tag: Option<String>, node: Node) -> Node {
    let Some(tag) = tag else { return node };
    let line = node.line();
    let node = match (tag.as_str(), &node) {
        ("GetAtt", Node::Scalar(s, _, l)) => match s.split_once('.') {
            Some((a, b)) => Node::Seq(
                vec![
                    Node::Scalar(a.into(), false, *l),
                    Node::Scalar(b.into(), false, *l),
                ],
                *l,
            ),
            None => node,
        },
        _ => node,
    };
    let key = match tag.as_str() {
        "Ref" | "Condition" => tag,
        other => format!("Fn::{other}"),
    };
    Node::Map(vec![(key, line, node)], line)
}

impl Builder {
    fn add(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.done = Some(node),
            Some((Node::Seq(items, _), _, _)) => items.push(node),
            Some((Node::Map(entries, _), _, key)) => match key.take() {
                Some((k, line)) => entries.push((k, line, node)),
                None => {
                    let line = node.line();
                    if matches!(&node, Node::Scalar(k, true, _) if k == "<<") {
                        self.refused
                            .get_or_insert(format!("line {line} merges keys (<<:)"));
                    }
                    if !matches!(node, Node::Scalar(..)) {
                        self.refused
                            .get_or_insert(format!("line {line} has a key that is no text"));
                    }
                    *key = Some((node.text().unwrap_or_default().to_string(), line));
                }
            },
            Some((Node::Scalar(..) | Node::NoValue, _, _)) => {}
        }
    }
}

fn tag_name(tag: Option<yaml_rust2::parser::Tag>) -> Option<String> {
    tag.filter(|t| t.handle == "!").map(|t| t.suffix)
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let line = line_of(mark);
        match ev {
            Event::Alias(_) => {
                self.refused.get_or_insert(format!(
                    "line {line} uses a YAML alias, which CloudFormation does not take"
                ));
                // Something in its place, so that the rest still reads.
                self.add(Node::Scalar(String::new(), false, line));
            }
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    self.refused
                        .get_or_insert("it holds more than one YAML document".to_string());
                }
            }
            Event::Scalar(value, style, _, tag) => {
                let plain = style == TScalarStyle::Plain;
                let node = long_form(tag_name(tag), Node::Scalar(value, plain, line));
                self.add(node);
            }
            Event::SequenceStart(_, tag) => {
                self.stack
                    .push((Node::Seq(Vec::new(), line), tag_name(tag), None));
            }
            Event::MappingStart(_, tag) => {
                self.stack
                    .push((Node::Map(Vec::new(), line), tag_name(tag), None));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((node, tag, _)) = self.stack.pop() {
                    self.add(long_form(tag, node));
                }
            }
            _ => {}
        }
    }
}

fn parse(text: &str) -> Result<Node, String> {
    let mut b = Builder::default();
    Parser::new_from_str(text)
        .load(&mut b, true)
        .map_err(|e| e.to_string())?;
    if let Some(why) = b.refused {
        return Err(why);
    }
    b.done.ok_or_else(|| "it is empty".to_string())
}

/// The placeholder of `AWS::AccountId`: the account a template is deployed to is not in it.
const ACCOUNT: &str = "000000000000";

struct Template<'a> {
    root: &'a Node,
    conditions: BTreeMap<String, Result<bool, String>>,
}

type Resolved = Result<Node, String>;

impl<'a> Template<'a> {
    fn new(root: &'a Node) -> Template<'a> {
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
    fn resolve(&self, n: &Node, depth: usize) -> Resolved {
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
    fn made(&self, r: &Node) -> Result<bool, String> {
        match r.get("Condition").and_then(Node::text) {
            None => Ok(true),
            Some(c) => self.named_condition(c),
        }
    }
}

fn scalar(n: &Node) -> Result<String, String> {
    match n {
        Node::Scalar(s, _, _) => Ok(s.clone()),
        _ => Err("a list or map where a value was expected".into()),
    }
}

/// A resolved node as JSON text, with every repeated key kept.
fn json_text(n: &Node, out: &mut String) {
    match n {
        // Left out by its container; alone, nothing.
        Node::NoValue => out.push_str("null"),
        Node::Scalar(s, plain, _) => {
            let literal = *plain
                && (s == "true"
                    || s == "false"
                    || s == "null"
                    || s.parse::<f64>().is_ok_and(f64::is_finite));
            if literal && serde_json::from_str::<serde_json::Value>(s).is_ok() {
                out.push_str(s);
            } else {
                out.push_str(&serde_json::Value::String(s.clone()).to_string());
            }
        }
        Node::Seq(items, _) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_text(item, out);
            }
            out.push(']');
        }
        Node::Map(entries, _) => {
            out.push('{');
            for (i, (k, _, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String(k.clone()).to_string());
                out.push(':');
                json_text(v, out);
            }
            out.push('}');
        }
    }
}

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

/// Whether a value reads an `AWS::` pseudo parameter (`Ref`, or `${AWS::…}` in a `Fn::Sub`).
fn mentions_pseudo(n: &Node) -> bool {
    match n {
        Node::Scalar(s, _, _) => s.contains("${AWS::"),
        Node::Seq(items, _) => items.iter().any(mentions_pseudo),
        Node::Map(entries, _) => entries.iter().any(|(k, _, v)| {
            (k == "Ref" && v.text().is_some_and(|t| t.starts_with("AWS::"))) || mentions_pseudo(v)
        }),
        Node::NoValue => false,
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
