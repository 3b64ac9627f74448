//! The one rule for text that leaves the program: no character a terminal (or an editor, or a
//! parser) acts on instead of showing goes out raw.
//!
//! [`acts_on`] names the class: C0 and C1 control characters, DEL, the marks that reorder what
//! follows (bidirectional embeddings, overrides, isolates), the line and paragraph separators and
//! the byte-order mark and non-characters. Every face applies it its own way:
//! - text for people ([`terminal_safe`]) shows each as a visible escape (`\u{1b}`), keeping line
//!   ends and tabs; `cli::exit` passes everything it writes through it, and the wizard's backend
//!   drops what is left;
//! - JSON ([`json`], [`json_pretty`]) writes each as `\uXXXX`, so the value is exact and the text
//!   holds none raw;
//! - generated Terraform and CloudFormation escape them in their own syntax (`export`).

use serde::Serialize;
use serde_json::ser::{CharEscape, CompactFormatter, Formatter, PrettyFormatter};

/// Whether `c` is a character a terminal acts on (or that reorders or hides text) rather than
/// shows: the class nothing from an account may reach a screen as. Control characters, the line
/// and paragraph separators, noncharacters, and every Unicode format character (category Cf, as
/// of Unicode 16: bidirectional marks and isolates, zero-width spaces and joiners, invisible
/// operators, tags, the byte order mark, soft hyphen).
pub fn acts_on(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00ad}'
                | '\u{0600}'..='\u{0605}'
                | '\u{061c}'
                | '\u{06dd}'
                | '\u{070f}'
                | '\u{0890}'..='\u{0891}'
                | '\u{08e2}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
                | '\u{fffe}'
                | '\u{ffff}'
                | '\u{110bd}'
                | '\u{110cd}'
                | '\u{13430}'..='\u{1343f}'
                | '\u{1bca0}'..='\u{1bca3}'
                | '\u{1d173}'..='\u{1d17a}'
                | '\u{e0001}'
                | '\u{e0020}'..='\u{e007f}'
        )
}

/// Text for a terminal: every character of [`acts_on`] but line ends and tabs written as a
/// visible escape (`\u{1b}`).
pub fn terminal_safe(text: &str) -> String {
    escaped(text, |c| acts_on(c) && c != '\n' && c != '\t').into_owned()
}

/// A field of a line of text (a name, a key, a message built from them): every character of
/// [`acts_on`], line ends and tabs included, written as a visible escape. A text renderer puts
/// each field through this, so that nothing from an account can start a line of its own (a
/// forged "✓" or "Verdict:") or end one early.
pub fn inline(field: &str) -> std::borrow::Cow<'_, str> {
    escaped(field, acts_on)
}

/// `text` with each character `escape` picks written as `\u{…}`; borrowed when there is none.
fn escaped(text: &str, escape: impl Fn(char) -> bool) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(&escape) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escape(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Add one line to a text: `line` (our words with fields of an account in them) through
/// [`inline`], then the line end.
pub fn push_line(text: &mut String, line: &str) {
    text.push_str(&inline(line));
    text.push('\n');
}

/// A value as one line of JSON, with every character of [`acts_on`] escaped (`\u001b`): the same
/// value for a parser, nothing raw for a terminal.
pub fn json(value: &impl Serialize) -> String {
    write_json(value, Escaping(CompactFormatter))
}

/// A string as a YAML double-quoted scalar, with every character of [`acts_on`] escaped: JSON's
/// escapes, which YAML 1.2 shares, except beyond the BMP, where YAML takes `\UXXXXXXXX` and
/// refuses JSON's surrogate pairs.
pub fn yaml_quoted(s: &str) -> String {
    let json = json(&s);
    let mut out = String::with_capacity(json.len());
    let mut rest = json.as_str();
    while let Some(at) = rest.find("\\u") {
        // An escaped backslash ("\\u…") is a backslash, then text: copy both characters.
        let backslashes = rest[..at].chars().rev().take_while(|c| *c == '\\').count();
        let hex = |from: usize| {
            rest.get(at + from..at + from + 4)
                .and_then(|h| u16::from_str_radix(h, 16).ok())
        };
        match (backslashes % 2, hex(2), rest.get(at + 6..at + 8), hex(8)) {
            (0, Some(hi @ 0xD800..=0xDBFF), Some("\\u"), Some(lo @ 0xDC00..=0xDFFF)) => {
                let c = 0x10000 + ((u32::from(hi) - 0xD800) << 10) + (u32::from(lo) - 0xDC00);
                out.push_str(&rest[..at]);
                out.push_str(&format!("\\U{c:08x}"));
                rest = &rest[at + 12..];
            }
            _ => {
                out.push_str(&rest[..at + 2]);
                rest = &rest[at + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// As [`json`], indented by two spaces.
pub fn json_pretty(value: &impl Serialize) -> String {
    write_json(value, Escaping(PrettyFormatter::new()))
}

fn write_json<F: Formatter>(value: &impl Serialize, formatter: Escaping<F>) -> String {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    // A map with non-string keys is the only failure, and our values have none.
    if value.serialize(&mut ser).is_err() {
        return "null".to_string();
    }
    // The serializer writes only UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// serde_json escapes C0 itself; this escapes the rest of [`acts_on`] too.
struct Escaping<F>(F);

impl<F: Formatter> Formatter for Escaping<F> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if acts_on(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                // JSON's \u takes four hex digits: beyond the BMP, a UTF-16 surrogate pair.
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{:04x}", unit)?;
                }
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn write_char_escape<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        escape: CharEscape,
    ) -> std::io::Result<()> {
        self.0.write_char_escape(writer, escape)
    }

    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// A cell of the wizard's screen with nothing of [`acts_on`] left in it: the last guard before
/// the terminal, for whatever a view did not escape visibly itself.
pub fn cell_symbol(symbol: &str) -> Option<String> {
    if !symbol.chars().any(acts_on) {
        return None;
    }
    let kept: String = symbol.chars().filter(|&c| !acts_on(c)).collect();
    Some(if kept.is_empty() {
        "\u{fffd}".to_string()
    } else {
        kept
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Any text written as a YAML double-quoted scalar reads back as itself, with nothing a
        /// terminal acts on left raw (JSON's surrogate pairs are no YAML).
        #[test]
        fn yaml_quoted_reads_back_as_itself(s in any_text()) {
            let quoted = yaml_quoted(&s);
            proptest::prop_assert!(!quoted.chars().any(acts_on), "{}", quoted);
            let docs = yaml_rust2::YamlLoader::load_from_str(&format!("k: {quoted}\n"))
                .map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{e}: {quoted}")))?;
            proptest::prop_assert_eq!(docs[0]["k"].as_str(), Some(s.as_str()), "{}", quoted);
        }
    }
    use proptest::prelude::*;

    #[test]
    fn nothing_a_terminal_acts_on_is_printed_raw() {
        let hostile = "a\u{1b}[31mb\u{7}c\u{9b}2Jd\u{7f}e\u{202e}f\u{2066}g\rh";
        let safe = terminal_safe(hostile);
        assert_eq!(
            safe,
            "a\\u{1b}[31mb\\u{7}c\\u{9b}2Jd\\u{7f}e\\u{202e}f\\u{2066}g\\u{d}h"
        );
        assert_eq!(terminal_safe("line\n\tnext ✓ ü"), "line\n\tnext ✓ ü");
    }

    fn any_text() -> impl Strategy<Value = String> {
        // Mostly the characters that matter, with any other character mixed in.
        let c = prop_oneof![
            3 => prop::char::range('\u{0}', '\u{a0}'),
            1 => prop::sample::select(vec!['\u{202e}', '\u{2066}', '\u{2028}', '\u{feff}', '\u{ffff}', '\u{61c}', '\u{200b}', '\u{2060}', '\u{ad}', '\u{e0041}', '"', '\\', '$', '{', '%']),
            1 => any::<char>(),
        ];
        prop::collection::vec(c, 0..40).prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #[test]
        fn text_for_a_terminal_has_nothing_raw_and_keeps_the_rest(s in any_text()) {
            let safe = terminal_safe(&s);
            prop_assert!(!safe.chars().any(|c| acts_on(c) && c != '\n' && c != '\t'));
            // Nothing else is touched: the printable characters stay in order.
            let kept: String = s.chars().filter(|&c| !acts_on(c) || c == '\n' || c == '\t').collect();
            let shown: String = safe.chars().filter(|&c| c != '\\').collect();
            let mut rest = shown.as_str();
            for c in kept.chars().filter(|&c| c != '\\') {
                let at = rest.find(c);
                prop_assert!(at.is_some(), "{c:?} lost from {safe:?}");
                rest = &rest[at.unwrap_or(0) + c.len_utf8()..];
            }
        }

        #[test]
        fn json_is_exact_and_has_nothing_raw(s in any_text(), k in any_text()) {
            let value = serde_json::json!({ k.clone(): [s.clone(), {"x": s.clone()}] });
            for text in [json(&value), json_pretty(&value)] {
                prop_assert!(!text.chars().any(|c| acts_on(c) && c != '\n'), "{text:?}");
                let back: serde_json::Value = serde_json::from_str(&text).unwrap();
                prop_assert_eq!(&back, &value);
            }
        }

        #[test]
        fn a_cell_keeps_no_raw_character(s in any_text()) {
            let out = cell_symbol(&s).unwrap_or(s);
            prop_assert!(!out.chars().any(acts_on));
        }
    }
}
