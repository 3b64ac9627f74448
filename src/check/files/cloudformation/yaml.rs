//! A CloudFormation template as a tree of YAML nodes with their lines: YAML's short tags
//! (`!Sub`) become their long form; what CloudFormation does not take (aliases, merge keys, a
//! second document) is refused.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A node of the template, with the line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    /// Its text, and whether it was a plain (unquoted) scalar: a number or boolean there is one.
    Scalar(String, bool, usize),
    Seq(Vec<Node>, usize),
    /// Entries in the template's order, each key with its line; a key may repeat.
    Map(Vec<(String, usize, Node)>, usize),
    /// `Ref AWS::NoValue`: the key or item it is the value of is left out.
    NoValue,
}

impl Node {
    pub(super) fn line(&self) -> usize {
        match self {
            Node::Scalar(_, _, l) | Node::Seq(_, l) | Node::Map(_, l) => *l,
            Node::NoValue => 0,
        }
    }

    /// The last value of `key` (the usual reading of a repeated key).
    pub(super) fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries, _) => entries
                .iter()
                .rev()
                .find(|(k, _, _)| k == key)
                .map(|e| &e.2),
            _ => None,
        }
    }

    pub(super) fn text(&self) -> Option<&str> {
        match self {
            Node::Scalar(s, _, _) => Some(s),
            _ => None,
        }
    }

    pub(super) fn entries(&self) -> &[(String, usize, Node)] {
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

pub(super) fn parse(text: &str) -> Result<Node, String> {
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
pub(super) fn scalar(n: &Node) -> Result<String, String> {
    match n {
        Node::Scalar(s, _, _) => Ok(s.clone()),
        _ => Err("a list or map where a value was expected".into()),
    }
}

/// A resolved node as JSON text, with every repeated key kept.
pub(super) fn json_text(n: &Node, out: &mut String) {
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
