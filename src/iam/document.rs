//! A policy document's text, read the ways IAM might read it. JSON (RFC 8259 §4) leaves an object
//! that names one key twice undefined, and IAM does not document which one it keeps. Parsers
//! differ: most keep the last, some the first, some refuse. So a document that repeats a key has
//! several readings, and a verdict on it holds only if it holds for each.
//!
//! The rule: every repeated key may be read as any one of its values, independently of the others.
//! `readings` lists them all, up to `READINGS_BOUND`; past it the list is cut and says so.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// At most this many readings are listed (a document with more is cut, `complete: false`).
pub const READINGS_BOUND: usize = 64;

/// The readings of one document.
#[derive(Debug, Clone, PartialEq)]
pub struct Readings {
    /// The last occurrence of each repeated key kept: what serde_json, and most parsers, read.
    pub main: Value,
    pub others: Ambiguity,
}

/// The readings of a document other than its main one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ambiguity {
    /// Each different from the main reading and from each other; empty when no object repeats a
    /// key (or every repeat has the same value).
    pub readings: Vec<Value>,
    /// There were more than `READINGS_BOUND` readings: not all are listed.
    pub cut: bool,
    /// The document could not be read at all (why; JSON nested deeper than the parser goes, say):
    /// no reading is known, and the main one stands for none.
    pub unreadable: Option<String>,
}

impl Ambiguity {
    pub fn is_ambiguous(&self) -> bool {
        !self.readings.is_empty() || self.cut || self.unreadable.is_some()
    }
}

impl Readings {
    /// A document that could not be read (why): nothing is known of it.
    pub fn unreadable(why: String) -> Readings {
        Readings {
            main: Value::Null,
            others: Ambiguity {
                unreadable: Some(why),
                ..Ambiguity::default()
            },
        }
    }

    /// One JSON value, read one way only.
    pub fn plain(value: Value) -> Readings {
        Readings {
            main: value,
            others: Ambiguity::default(),
        }
    }
}

/// Read a document's JSON text every way a repeated key allows.
pub fn readings(text: &str) -> Result<Readings, serde_json::Error> {
    // Parsed once: the text is every role's trust policy in `check --all`.
    let node: Node = serde_json::from_str(text)?;
    if !node.repeats() {
        return Ok(Readings::plain(node.last()));
    }
    let (all, complete) = node.values();
    // The first reading keeps every repeated key's last value (options are listed last first).
    let Some(main) = all.first().cloned() else {
        return Ok(Readings::plain(node.last()));
    };
    let mut others: Vec<Value> = Vec::new();
    for v in all {
        if v != main && !others.contains(&v) {
            others.push(v);
        }
    }
    Ok(Readings {
        main,
        others: Ambiguity {
            readings: others,
            cut: !complete,
            unreadable: None,
        },
    })
}

/// JSON as written: an object keeps every key, in order, repeats included.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Leaf(Value),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl Node {
    fn repeats(&self) -> bool {
        match self {
            Node::Leaf(_) => false,
            Node::Array(items) => items.iter().any(Node::repeats),
            Node::Object(entries) => {
                let mut seen = std::collections::BTreeSet::new();
                entries
                    .iter()
                    .any(|(k, v)| !seen.insert(k.as_str()) || v.repeats())
            }
        }
    }

    /// The reading that keeps each repeated key's last value, as serde_json reads the text.
    fn last(self) -> Value {
        match self {
            Node::Leaf(v) => v,
            Node::Array(items) => Value::Array(items.into_iter().map(Node::last).collect()),
            Node::Object(entries) => {
                Value::Object(entries.into_iter().map(|(k, v)| (k, v.last())).collect())
            }
        }
    }

    /// Every reading of this node (the repeated keys' choices multiplied), and whether the list is
    /// whole.
    fn values(&self) -> (Vec<Value>, bool) {
        match self {
            Node::Leaf(v) => (vec![v.clone()], true),
            Node::Array(items) => {
                let parts: Vec<_> = items.iter().map(Node::values).collect();
                let complete = parts.iter().all(|(_, c)| *c);
                let (lists, whole) = product(parts.into_iter().map(|(v, _)| v).collect());
                (
                    lists.into_iter().map(Value::Array).collect(),
                    complete && whole,
                )
            }
            Node::Object(entries) => {
                let mut keys: Vec<&str> = Vec::new();
                for (k, _) in entries {
                    if !keys.contains(&k.as_str()) {
                        keys.push(k);
                    }
                }
                let mut complete = true;
                let mut choices = Vec::with_capacity(keys.len());
                for key in &keys {
                    // The last occurrence first: the first reading is the usual one.
                    let mut options = Vec::new();
                    for (_, v) in entries.iter().rev().filter(|(k, _)| k == key) {
                        let (values, whole) = v.values();
                        complete &= whole;
                        for value in values {
                            if !options.contains(&value) {
                                options.push(value);
                            }
                        }
                    }
                    choices.push(options);
                }
                let (rows, whole) = product(choices);
                let objects = rows
                    .into_iter()
                    .map(|row| {
                        let map: Map<String, Value> =
                            keys.iter().map(|k| k.to_string()).zip(row).collect();
                        Value::Object(map)
                    })
                    .collect();
                (objects, complete && whole)
            }
        }
    }
}

/// Rows that take one value from each list, at most `READINGS_BOUND` of them, the ones closest to
/// the first row (every list's first value) first: by the sum of the indices taken, so that each
/// single other value of each list comes before any combination of two, whatever the lists' order
/// and length (a long list cannot push a short one's other values past the bound).
fn product(lists: Vec<Vec<Value>>) -> (Vec<Vec<Value>>, bool) {
    if lists.iter().any(Vec::is_empty) {
        return (Vec::new(), true);
    }
    let total: usize = lists
        .iter()
        .map(Vec::len)
        .try_fold(1usize, |acc, n| acc.checked_mul(n))
        .unwrap_or(usize::MAX);
    let mut seen: std::collections::HashSet<Vec<usize>> = std::collections::HashSet::new();
    let mut queue: std::collections::VecDeque<Vec<usize>> =
        std::collections::VecDeque::from([vec![0; lists.len()]]);
    seen.insert(vec![0; lists.len()]);
    let mut rows = Vec::new();
    while let Some(at) = queue.pop_front() {
        if rows.len() == READINGS_BOUND {
            break;
        }
        rows.push(at.iter().zip(&lists).map(|(&i, l)| l[i].clone()).collect());
        for k in 0..lists.len() {
            if at[k] + 1 < lists[k].len() {
                let mut next = at.clone();
                next[k] += 1;
                if seen.insert(next.clone()) {
                    queue.push_back(next);
                }
            }
        }
    }
    let whole = rows.len() == total;
    (rows, whole)
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Leaf(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Leaf(Value::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Leaf(Value::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Leaf(Value::from(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Leaf(Value::String(v.to_string())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::Leaf(Value::String(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Leaf(Value::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Node>()? {
            entries.push((k, v));
        }
        Ok(Node::Object(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_document_without_repeats_has_one_reading() {
        let r = readings(r#"{"a": [1, {"b": "c"}], "d": null}"#).unwrap();
        assert_eq!(r.main, json!({"a": [1, {"b": "c"}], "d": null}));
        assert!(!r.others.is_ambiguous());
    }

    #[test]
    fn a_repeated_key_is_read_either_way() {
        let r = readings(r#"{"k": "first", "x": 1, "k": "last"}"#).unwrap();
        assert_eq!(r.main, json!({"k": "last", "x": 1}));
        assert_eq!(r.others.readings, vec![json!({"k": "first", "x": 1})]);
        assert!(!r.others.cut);
    }

    #[test]
    fn repeats_multiply_and_nest() {
        let text = r#"{"a": {"b": 1, "b": 2}, "a": {"c": 3}, "d": [{"e": 1, "e": 1}]}"#;
        let r = readings(text).unwrap();
        assert_eq!(r.main, json!({"a": {"c": 3}, "d": [{"e": 1}]}));
        let mut all = r.others.readings.clone();
        all.sort_by_key(|v| v.to_string());
        assert_eq!(
            all,
            vec![
                json!({"a": {"b": 1}, "d": [{"e": 1}]}),
                json!({"a": {"b": 2}, "d": [{"e": 1}]}),
            ]
        );
    }

    #[test]
    fn too_many_readings_are_cut_and_say_so() {
        let pairs: Vec<String> = (0..8).map(|i| format!(r#""k{i}": 1, "k{i}": 2"#)).collect();
        let r = readings(&format!("{{{}}}", pairs.join(","))).unwrap();
        assert!(r.others.cut);
        assert!(r.others.is_ambiguous());
        assert!(r.others.readings.len() < READINGS_BOUND);
    }

    /// A long list of repeats does not hide another key's other value past the bound: each single
    /// other value comes before any combination.
    #[test]
    fn every_single_other_value_is_read_before_combinations() {
        let many: Vec<String> = (0..80).map(|i| format!(r#""s": {i}"#)).collect();
        let text = format!(
            r#"{{"a": "open", "a": "closed", "b": {{{}}}}}"#,
            many.join(", ")
        );
        let r = readings(&text).unwrap();
        assert!(r.others.cut);
        assert_eq!(r.main, json!({"a": "closed", "b": {"s": 79}}));
        assert!(
            r.others
                .readings
                .contains(&json!({"a": "open", "b": {"s": 79}})),
            "{:?}",
            r.others.readings.len()
        );
    }

    #[test]
    fn bad_json_is_an_error() {
        assert!(readings("{\"a\": ").is_err());
    }
}
