//! Regular languages of the strings a request may carry, and the one question `reason` asks of
//! them: is there a string inside some languages and outside others, and which is the shortest?
//!
//! A language is a union of sequences of items: a literal character, one character of a class,
//! or any run of a class. That is enough for every string operator IAM has (`StringLike`'s `*`
//! and `?`, the `…Equals` literals, `…IgnoreCase`, `ArnLike`'s six parts) and for the grammar of
//! the values GitLab issues (paths, refs, ids). Automata are run on the fly (sets of positions),
//! never built ahead, and the search is a breadth-first walk of their product over an alphabet of
//! one representative per class of characters no language tells apart.

use std::collections::{BTreeSet, HashMap, VecDeque};

/// A set of characters a grammar speaks of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// Every character.
    Any,
    /// Every character but `:` (an ARN part; a `sub` component).
    NotColon,
    /// A GitLab path segment's characters: ASCII letters and digits, `_`, `.`, `-`.
    Seg,
    /// A GitLab path: segments and `/`.
    Path,
    /// A role session name's characters (`[\w+=,.@-]`).
    Session,
    /// A git ref name's characters (`git check-ref-format`: no control character, space, `~`,
    /// `^`, `:`, `?`, `*`, `[` or `\`).
    Ref,
    Digit,
    NonZeroDigit,
    /// Text without control characters.
    Text,
}

impl Class {
    pub fn contains(self, c: char) -> bool {
        match self {
            Class::Any => true,
            Class::NotColon => c != ':',
            Class::Seg => c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'),
            Class::Path => Class::Seg.contains(c) || c == '/',
            Class::Session => c.is_ascii_alphanumeric() || "_+=,.@-".contains(c),
            Class::Ref => {
                !c.is_control() && !matches!(c, ' ' | '~' | '^' | ':' | '?' | '*' | '[' | '\\')
            }
            Class::Digit => c.is_ascii_digit(),
            Class::NonZeroDigit => matches!(c, '1'..='9'),
            Class::Text => !c.is_control(),
        }
    }
}

/// How a literal character compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fold {
    Exact,
    /// `Bool`: ASCII letters in either case.
    Ascii,
    /// `…IgnoreCase`: characters compared by their lower case.
    Unicode,
}

impl Fold {
    fn same(self, a: char, b: char) -> bool {
        match self {
            Fold::Exact => a == b,
            Fold::Ascii => a.eq_ignore_ascii_case(&b),
            Fold::Unicode => a == b || a.to_lowercase().eq(b.to_lowercase()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Item {
    Lit(char, Fold),
    One(Class),
    Star(Class),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Seq {
    pub items: Vec<Item>,
}

/// A union of sequences.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Lang {
    pub seqs: Vec<Seq>,
}

impl Lang {
    /// The language with no string at all.
    pub fn empty() -> Lang {
        Lang::default()
    }

    pub fn seq(items: Vec<Item>) -> Lang {
        Lang {
            seqs: vec![Seq { items }],
        }
    }

    /// Exactly `text`.
    pub fn literal(text: &str, fold: Fold) -> Lang {
        Lang::seq(lits(text, fold))
    }

    /// Every string of `class`, at least one character long.
    pub fn plus(class: Class) -> Lang {
        Lang::seq(vec![Item::One(class), Item::Star(class)])
    }

    pub fn union(mut self, other: Lang) -> Lang {
        self.seqs.extend(other.seqs);
        self
    }

    pub fn unions(langs: impl IntoIterator<Item = Lang>) -> Lang {
        langs.into_iter().fold(Lang::empty(), Lang::union)
    }

    /// Every sequence of `self` followed by every one of `next` (the product of the unions).
    pub fn then(&self, next: &Lang) -> Lang {
        let mut seqs = Vec::new();
        for a in &self.seqs {
            for b in &next.seqs {
                let mut items = a.items.clone();
                items.extend(&b.items);
                seqs.push(Seq { items });
            }
        }
        Lang { seqs }
    }

    /// Is `s` in the language?
    pub fn contains(&self, s: &str) -> bool {
        let mut state = self.start();
        let mut next = Vec::with_capacity(state.capacity().max(self.seqs.len() * 2));
        for c in s.chars() {
            self.step_into(&state, c, &mut next);
            if next.is_empty() {
                return false;
            }
            std::mem::swap(&mut state, &mut next);
        }
        self.accepts(&state)
    }

    fn closure(&self, set: &mut Vec<u64>) {
        let mut i = 0;
        while i < set.len() {
            let (s, p) = unpack(set[i]);
            if let Some(Item::Star(_)) = self.seqs[s].items.get(p) {
                let next = pack(s, p + 1);
                if !set.contains(&next) {
                    set.push(next);
                }
            }
            i += 1;
        }
        set.sort_unstable();
        set.dedup();
    }

    fn start(&self) -> Vec<u64> {
        let mut set: Vec<u64> = (0..self.seqs.len()).map(|s| pack(s, 0)).collect();
        self.closure(&mut set);
        set
    }

    /// The positions after `c` from `state`, into `out` (cleared first): callers reuse buffers.
    fn step_into(&self, state: &[u64], c: char, out: &mut Vec<u64>) {
        out.clear();
        for &x in state {
            let (s, p) = unpack(x);
            match self.seqs[s].items.get(p) {
                Some(Item::Lit(l, fold)) if fold.same(c, *l) => out.push(pack(s, p + 1)),
                Some(Item::One(k)) if k.contains(c) => out.push(pack(s, p + 1)),
                Some(Item::Star(k)) if k.contains(c) => out.push(pack(s, p)),
                _ => {}
            }
        }
        self.closure(out);
    }

    fn accepts(&self, state: &[u64]) -> bool {
        state.iter().any(|&x| {
            let (s, p) = unpack(x);
            p == self.seqs[s].items.len()
        })
    }

    /// Its words, when every sequence is literal characters compared exactly.
    fn exact_words(&self) -> Option<Vec<String>> {
        self.seqs
            .iter()
            .map(|s| {
                s.items
                    .iter()
                    .map(|i| match i {
                        Item::Lit(c, Fold::Exact) => Some(*c),
                        _ => None,
                    })
                    .collect()
            })
            .collect()
    }

    fn literals(&self, out: &mut BTreeSet<char>) {
        for seq in &self.seqs {
            for item in &seq.items {
                if let Item::Lit(c, fold) = item {
                    out.insert(*c);
                    if *fold != Fold::Exact {
                        out.extend(c.to_lowercase());
                        out.extend(c.to_uppercase());
                        // Characters whose lower case is an ASCII letter's.
                        match c.to_ascii_lowercase() {
                            'k' => drop(out.insert('\u{212a}')),
                            'å' => drop(out.insert('\u{212b}')),
                            _ => {}
                        }
                    }
                }
            }
        }
    }

    fn classes(&self, out: &mut BTreeSet<Class>) {
        for item in self.seqs.iter().flat_map(|s| &s.items) {
            if let Item::One(k) | Item::Star(k) = item {
                out.insert(*k);
            }
        }
    }
}

/// The characters of `text`, each a literal item.
pub fn lits(text: &str, fold: Fold) -> Vec<Item> {
    text.chars().map(|c| Item::Lit(c, fold)).collect()
}

/// A position (which sequence, how far into it) as one number: 32 bits each, so no sequence or
/// position a policy document can hold (IAM's quota is 10,240 characters) reaches into the other
/// half (16 bits each once made a 65,536-character value index out of bounds).
fn pack(seq: usize, pos: usize) -> u64 {
    ((seq as u64) << 32) | (pos as u64 & 0xffff_ffff)
}

fn unpack(x: u64) -> (usize, usize) {
    ((x >> 32) as usize, (x & 0xffff_ffff) as usize)
}

/// What a search found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// The shortest string (first in the alphabet's order among those).
    Word(String),
    /// No string is in every language wanted and outside every one refused.
    Empty,
    /// The walk passed its bound before deciding.
    TooBig,
}

/// The states a search may visit before it gives up (and says so).
pub const STATE_BOUND: usize = 50_000;

/// Characters to stand for the ones no language names, readable ones first so examples read
/// well; then every other ASCII character (`pool`), and samples of the characters beyond ASCII.
const READABLE: &str = "xyzqwabcdefghijklmnoprstuvXYZQWABCDEFGHIJKLMNOPRSTUV4567890123-_./@+:#!%&=,;'\"<>`$(){}|~^?*[\\ ";
const BEYOND_ASCII: &str = "\u{e9}\u{436}\u{20ac}\u{3b1}\u{a0}\u{200b}\u{85}\u{9f}\u{2028}";

fn pool() -> impl Iterator<Item = char> {
    READABLE
        .chars()
        .chain(
            (0u8..128)
                .map(char::from)
                .filter(|c| !READABLE.contains(*c)),
        )
        .chain(BEYOND_ASCII.chars())
}

/// Is there a string in every `(lang, true)` and in no `(lang, false)`?
pub fn find(parts: &[(&Lang, bool)], bound: usize) -> Found {
    // A wanted language of exact words only (a `StringEquals` list): its words are the only
    // candidates, each tried against every language, shortest first; no walk is needed.
    if let Some(mut words) = parts
        .iter()
        .filter(|(_, want)| *want)
        .filter_map(|(l, _)| l.exact_words())
        .min_by_key(Vec::len)
    {
        words.sort_by(|a, b| a.chars().count().cmp(&b.chars().count()).then(a.cmp(b)));
        return words
            .into_iter()
            .find(|w| parts.iter().all(|(l, want)| l.contains(w) == *want))
            .map_or(Found::Empty, Found::Word);
    }
    walk(parts, bound)
}

/// The breadth-first walk of the languages' product: the shortest word, or a proof there is none.
fn walk(parts: &[(&Lang, bool)], bound: usize) -> Found {
    let Some(alphabet) = alphabet(parts) else {
        return Found::TooBig;
    };
    let start: Vec<Vec<u64>> = parts.iter().map(|(l, _)| l.start()).collect();
    // Wanted languages first, literal ones (the most confining) before those with wildcards.
    let mut order_of_parts: Vec<usize> = (0..parts.len()).collect();
    order_of_parts.sort_by_key(|&i| {
        let (l, want) = parts[i];
        let wild = l
            .seqs
            .iter()
            .flat_map(|s| &s.items)
            .filter(|i| !matches!(i, Item::Lit(..)))
            .count();
        (!want, wild)
    });
    let accepting = |state: &[Vec<u64>]| {
        parts
            .iter()
            .zip(state)
            .all(|((l, want), s)| l.accepts(s) == *want)
    };
    let alive = |state: &[Vec<u64>]| {
        parts
            .iter()
            .zip(state)
            .all(|((_, want), s)| !*want || !s.is_empty())
    };
    if !alive(&start) {
        return Found::Empty;
    }
    // State → its index in `order`; `parent[i]`: the state before and the character taken.
    let mut seen: HashMap<Vec<Vec<u64>>, usize, Fnv> = HashMap::default();
    let mut parent: Vec<(usize, char)> = vec![(usize::MAX, '\0')];
    let mut order: Vec<Vec<Vec<u64>>> = vec![start.clone()];
    seen.insert(start, 0);
    let mut queue: VecDeque<usize> = VecDeque::from([0]);
    let mut next: Vec<Vec<u64>> = vec![Vec::new(); parts.len()];
    while let Some(at) = queue.pop_front() {
        if accepting(&order[at]) {
            return Found::Word(word(&parent, at));
        }
        'chars: for &c in &alphabet {
            // Part by part, most confining first: a wanted language that dies ends the step.
            for &i in &order_of_parts {
                let (l, want) = parts[i];
                l.step_into(&order[at][i], c, &mut next[i]);
                if want && next[i].is_empty() {
                    continue 'chars;
                }
            }
            if seen.contains_key(&next) {
                continue;
            }
            if order.len() >= bound {
                return Found::TooBig;
            }
            seen.insert(next.clone(), order.len());
            parent.push((at, c));
            order.push(next.clone());
            queue.push_back(order.len() - 1);
        }
    }
    Found::Empty
}

fn word(parent: &[(usize, char)], at: usize) -> String {
    let mut chars = Vec::new();
    let mut i = at;
    while let Some(&(before, c)) = parent.get(i) {
        if before == usize::MAX {
            break;
        }
        chars.push(c);
        i = before;
    }
    chars.iter().rev().collect()
}

/// FNV-1a: the search hashes many small states; SipHash's resistance to chosen keys buys
/// nothing here (the keys are automaton positions, bounded by `STATE_BOUND`).
#[derive(Default)]
struct FnvHasher(u64);

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type Fnv = std::hash::BuildHasherDefault<FnvHasher>;

/// The characters worth trying: every one a language names, and one for each combination of
/// classes among the rest. `None` when the pool has run out for some combination (the search
/// would not be complete).
fn alphabet(parts: &[(&Lang, bool)]) -> Option<Vec<char>> {
    let mut named = BTreeSet::new();
    let mut classes = BTreeSet::new();
    for (l, _) in parts {
        l.literals(&mut named);
        l.classes(&mut classes);
    }
    // A character's signature: which of the classes used it belongs to, one bit each.
    let used: u16 = classes.iter().fold(0, |m, k| m | bit(*k));
    let mut out: Vec<char> = Vec::new();
    let mut signatures: BTreeSet<u16> = BTreeSet::new();
    let mut covered_set: BTreeSet<u16> = BTreeSet::new();
    for &(c, mask) in pool_table() {
        let sig = mask & used;
        signatures.insert(sig);
        if !named.contains(&c) && covered_set.insert(sig) {
            out.push(c);
        }
    }
    // A combination whose pool characters are all named is complete only when no character
    // beyond ASCII has it (the pool holds every ASCII character): one of the ASCII-only classes,
    // or outside `NotColon` (only `:`).
    let ascii_classes = bit(Class::Seg)
        | bit(Class::Path)
        | bit(Class::Session)
        | bit(Class::Digit)
        | bit(Class::NonZeroDigit);
    let ascii_only = |sig: u16| {
        sig & ascii_classes != 0
            || (used & bit(Class::NotColon) != 0 && sig & bit(Class::NotColon) == 0)
    };
    if !signatures
        .iter()
        .all(|sig| covered_set.contains(sig) || ascii_only(*sig))
    {
        return None;
    }
    // Named characters in the pool's order first (readable), then the rest.
    let mut named_sorted: Vec<char> = named.iter().copied().collect();
    named_sorted.sort_by_key(|c| READABLE.find(*c).unwrap_or(usize::MAX));
    named_sorted.extend(out);
    Some(named_sorted)
}

const CLASSES: [Class; 9] = [
    Class::Any,
    Class::NotColon,
    Class::Seg,
    Class::Path,
    Class::Session,
    Class::Ref,
    Class::Digit,
    Class::NonZeroDigit,
    Class::Text,
];

fn bit(k: Class) -> u16 {
    1 << CLASSES.iter().position(|c| *c == k).unwrap_or(15)
}

/// The pool with each character's classes, made once.
fn pool_table() -> &'static [(char, u16)] {
    static TABLE: std::sync::OnceLock<Vec<(char, u16)>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        pool()
            .map(|c| {
                let mask = CLASSES
                    .iter()
                    .filter(|k| k.contains(c))
                    .fold(0, |m, k| m | bit(*k));
                (c, mask)
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(p: &str) -> Lang {
        Lang::seq(
            p.chars()
                .map(|c| match c {
                    '*' => Item::Star(Class::Any),
                    '?' => Item::One(Class::Any),
                    c => Item::Lit(c, Fold::Exact),
                })
                .collect(),
        )
    }

    #[test]
    fn membership_follows_the_items() {
        assert!(glob("a*b?").contains("axxbc"));
        assert!(!glob("a*b?").contains("axxb"));
        assert!(Lang::literal("Main", Fold::Unicode).contains("mAIN"));
        assert!(!Lang::literal("Main", Fold::Exact).contains("mAIN"));
        assert!(Lang::plus(Class::Digit).contains("0123"));
        assert!(!Lang::plus(Class::Digit).contains(""));
    }

    #[test]
    fn the_search_finds_the_shortest_word_or_proves_none() {
        let a = glob("project_path:*");
        let b = glob("*:ref:main");
        assert_eq!(
            find(&[(&a, true), (&b, true)], STATE_BOUND),
            Found::Word("project_path:ref:main".into())
        );
        let c = glob("project_path:acme/*");
        assert_eq!(
            find(
                &[(&c, true), (&glob("project_path:acme*"), false)],
                STATE_BOUND
            ),
            Found::Empty
        );
        // Outside a literal: a character nobody names.
        let w = find(
            &[
                (&glob("?"), true),
                (&Lang::literal("a", Fold::Exact), false),
            ],
            100,
        );
        assert_eq!(w, Found::Word("x".into()));
    }

    /// The shortcut for exact words (`StringEquals`) answers as the walk does, on languages made
    /// of random words and globs over a small alphabet (so that they meet).
    #[test]
    fn exact_words_are_decided_as_the_walk_decides_them() {
        use proptest::prelude::*;
        use proptest::test_runner::{Config, TestRunner};
        let word = "[ab:/*?]{0,5}";
        let exact = prop::collection::vec("[ab:/]{0,5}", 0..4);
        let others = prop::collection::vec((word, any::<bool>(), any::<bool>()), 0..4);
        let mut runner = TestRunner::new(Config {
            cases: 2000,
            failure_persistence: None,
            ..Config::default()
        });
        runner
            .run(&(exact, others), |(words, others)| {
                let wanted = words
                    .iter()
                    .map(|w| Lang::literal(w, Fold::Exact))
                    .fold(Lang::empty(), Lang::union);
                let langs: Vec<(Lang, bool)> = others
                    .iter()
                    .map(|(g, want, fold)| {
                        let l = if *fold {
                            Lang::literal(g, Fold::Ascii)
                        } else {
                            glob(g)
                        };
                        (l, *want)
                    })
                    .collect();
                let mut parts: Vec<(&Lang, bool)> = vec![(&wanted, true)];
                parts.extend(langs.iter().map(|(l, w)| (l, *w)));
                let fast = find(&parts, STATE_BOUND);
                let slow = walk(&parts, STATE_BOUND);
                prop_assert_eq!(
                    matches!(fast, Found::Word(_)),
                    matches!(slow, Found::Word(_)),
                    "{:?} / {:?}: {:?}",
                    fast,
                    slow,
                    parts
                );
                if let Found::Word(w) = &fast {
                    prop_assert!(parts.iter().all(|(l, want)| l.contains(w) == *want));
                    prop_assert!(words.contains(w));
                }
                Ok(())
            })
            .map_err(|e| e.to_string())
            .expect("the shortcut agrees with the walk");
    }

    #[test]
    fn characters_no_language_names_are_represented_once_per_class_combination() {
        let seg = Lang::plus(Class::Seg);
        let r = Lang::plus(Class::Ref);
        // A ref that is no segment: needs a character of Ref outside Seg.
        let found = find(&[(&r, true), (&seg, false)], STATE_BOUND);
        assert_eq!(found, Found::Word("/".into()));
    }
}
