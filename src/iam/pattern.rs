//! Policy values as IAM reads them: policy variables (`${aws:username}`, `${key, 'default'}`), the
//! special characters `${*}`, `${?}` and `${$}`, and the `*` / `?` wildcards of the `…Like`
//! operators. IAM User Guide, "IAM policy elements: Variables and tags"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>).

use super::Context;

/// One character of a resolved value, or a wildcard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece {
    Char(char),
    /// `*`: any run of characters, also none.
    AnyRun,
    /// `?`: exactly one character.
    AnyOne,
}

/// A policy value as written, before its variables are replaced: characters, wildcards, and the
/// variables that name request keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Piece(Piece),
    /// `${key}` or `${key, 'default'}`.
    Var {
        key: String,
        default: Option<String>,
    },
}

/// Read a policy value into its parts, or `None` when a variable is malformed (IAM then matches
/// nothing with the value). `variables`: as for `resolve`.
pub fn parts(value: &str, variables: bool) -> Option<Vec<Part>> {
    let chars: Vec<char> = value.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if variables && c == '$' && chars.get(i + 1) == Some(&'{') {
            let (end, inner) = variable_body(&chars, i + 2)?;
            match inner.trim() {
                "*" => out.push(Part::Piece(Piece::Char('*'))),
                "?" => out.push(Part::Piece(Piece::Char('?'))),
                "$" => out.push(Part::Piece(Piece::Char('$'))),
                _ => {
                    let (key, default) = match inner.split_once(',') {
                        Some((key, default)) => (key.trim(), Some(quoted_default(default.trim())?)),
                        None => (inner.trim(), None),
                    };
                    if key.is_empty() || key.contains(char::is_whitespace) {
                        return None;
                    }
                    out.push(Part::Var {
                        key: key.to_string(),
                        default,
                    });
                }
            }
            i = end + 1;
            continue;
        }
        out.push(Part::Piece(match c {
            '*' => Piece::AnyRun,
            '?' => Piece::AnyOne,
            c => Piece::Char(c),
        }));
        i += 1;
    }
    Some(out)
}

/// A policy value after its variables are replaced, or `None` when a variable has no value (the
/// key is missing from the request, is multivalued, or the variable is malformed): IAM then
/// matches nothing with it ("Policy variables with no value").
///
/// `variables`: the document says `"Version": "2012-10-17"`; in older documents `${…}` is plain
/// text. A `*` or `?` written in the value is a wildcard piece (the `…Like` operators use it, the
/// others read it back as the character); `${*}` and `${?}` are always the characters.
pub fn resolve(value: &str, variables: bool, context: &Context) -> Option<Vec<Piece>> {
    let mut out = Vec::new();
    for part in parts(value, variables)? {
        match part {
            Part::Piece(p) => out.push(p),
            Part::Var { key, default } => {
                let text = match context.get(&key) {
                    Some([one]) => one.clone(),
                    _ => default?,
                };
                out.extend(text.chars().map(Piece::Char));
            }
        }
    }
    Some(out)
}

/// The text between `${` (at `start`) and its `}`, skipping `}` inside a quoted default.
fn variable_body(chars: &[char], start: usize) -> Option<(usize, String)> {
    let mut quoted = false;
    let mut i = start;
    while i < chars.len() {
        match chars[i] {
            '\'' => quoted = !quoted,
            '}' if !quoted => return Some((i, chars[start..i].iter().collect())),
            _ => {}
        }
        i += 1;
    }
    None
}

/// `'text'` with `''` for a quote inside.
fn quoted_default(written: &str) -> Option<String> {
    let body = written.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' && chars.next() != Some('\'') {
            return None;
        }
        out.push(c);
    }
    Some(out)
}

/// The resolved value as text, wildcards written back as `*` and `?` (how the `…Equals`
/// operators compare it, and how messages show it).
pub fn text(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Char(c) => *c,
            Piece::AnyRun => '*',
            Piece::AnyOne => '?',
        })
        .collect()
}

/// Glob matching as `StringLike` does it. Iterative with one backtrack point: linear in practice,
/// no recursion, total on any input.
pub fn matches(pattern: &[Piece], text: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match pattern.get(pi) {
            Some(Piece::AnyRun) => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(Piece::AnyOne) => {
                pi += 1;
                ti += 1;
            }
            Some(Piece::Char(c)) if *c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[pi..].iter().all(|p| *p == Piece::AnyRun)
}

/// `StringLike` on plain text (no variables): `*` any run, `?` one character.
pub fn like(pattern: &str, text: &str) -> bool {
    let pieces: Vec<Piece> = pattern
        .chars()
        .map(|c| match c {
            '*' => Piece::AnyRun,
            '?' => Piece::AnyOne,
            c => Piece::Char(c),
        })
        .collect();
    matches(&pieces, text)
}
