//! The values worth trying where a condition is not a regular language: times, addresses and
//! ids at the critical points of the comparisons; and the languages of the string operators.

use std::collections::BTreeSet;
use std::net::IpAddr;

use super::Solver;
use super::lang::{Class, Fold, Item, Lang};
use crate::iam::condition::{Family, StringKind};
use crate::iam::pattern::{self, Piece};
use crate::plan::trust_view::Condition;

impl Solver<'_> {
    /// Times worth trying: now, and around every time the conditions name (later than now).
    pub(super) fn times(&self, lits: &[(&Condition, bool)]) -> Vec<u64> {
        let mut out = vec![self.now];
        for (c, _) in lits {
            for x in &c.values {
                if let Some(t) = crate::iam::condition::date(x) {
                    let t = t.floor();
                    for d in [-1.0, 0.0, 1.0, 2.0] {
                        let at = t + d;
                        if at > self.now as f64 && at < 1e15 {
                            out.push(at as u64);
                        }
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Addresses worth trying: one outside every range, then each range's ends and the
    /// addresses beside them. `outside`: only those in no range the policy writes.
    pub(super) fn addresses(&self, lits: &[(&Condition, bool)], outside: bool) -> Vec<String> {
        let mut out: Vec<IpAddr> = vec![
            IpAddr::from([203, 0, 113, 7]),
            "2001:db8::7"
                .parse()
                .unwrap_or(IpAddr::from([198, 51, 100, 7])),
            IpAddr::from([198, 51, 100, 7]),
        ];
        let mut ranges = self.ranges.clone();
        ranges.extend(
            lits.iter()
                .flat_map(|(c, _)| c.values.iter().filter_map(|v| cidr(v))),
        );
        for &(net, bits) in &ranges {
            out.extend(range_edges(net, bits));
        }
        if outside {
            out.retain(|a| !self.ranges.iter().any(|&(n, b)| in_range(*a, n, b)));
        }
        let mut seen = BTreeSet::new();
        out.into_iter()
            .map(|a| a.to_string())
            .filter(|a| seen.insert(a.clone()))
            .collect()
    }

    /// Ids worth trying: around every number the conditions and the domain name.
    pub(super) fn critical_numbers(
        &self,
        lits: &[(&Condition, bool)],
        domain: &[(Lang, bool)],
    ) -> Vec<String> {
        let mut points: Vec<f64> = vec![1.0, 99_999_991.0];
        for (c, _) in lits {
            for x in &c.values {
                if let Some(n) = crate::iam::condition::date(x) {
                    points.push(n);
                }
            }
        }
        for (l, _) in domain {
            for s in &l.seqs {
                let text: Option<String> = s
                    .items
                    .iter()
                    .map(|i| match i {
                        Item::Lit(c, _) => Some(*c),
                        _ => None,
                    })
                    .collect();
                if let Some(n) = text.and_then(|t| t.parse::<f64>().ok()) {
                    points.push(n);
                }
            }
        }
        let mut out: BTreeSet<u64> = BTreeSet::new();
        // Twice around each point: a neighbour that is itself excluded has its own neighbours.
        let mut frontier: Vec<f64> = points;
        for _ in 0..3 {
            let mut next = Vec::new();
            for p in &frontier {
                for q in [p.floor() - 1.0, p.floor(), p.ceil(), p.ceil() + 1.0] {
                    if (1.0..1e18).contains(&q) && out.insert(q as u64) {
                        next.push(q);
                    }
                }
            }
            frontier = next;
        }
        out.into_iter().map(|n| n.to_string()).collect()
    }
}

/// Conditions the critical points of `times` and `addresses` decide: comparisons of numbers,
/// dates and addresses, literals, and `Null`.
pub(super) fn at_critical_points(c: &Condition) -> bool {
    match Family::of(&c.operator.base) {
        Some(Family::String {
            kind: StringKind::Like,
            ..
        })
        | Some(Family::Arn { .. }) => c.values.iter().all(|v| !v.contains(['*', '?', '$'])),
        _ => true,
    }
}

/// The language of one resolved policy value for a present request value.
pub(super) fn value_lang(family: Family, pieces: &[Option<Piece>]) -> Result<Lang, String> {
    let item = |p: &Option<Piece>, like: bool, fold: Fold| match p {
        None => Item::Star(Class::Any),
        Some(Piece::Char(c)) => Item::Lit(*c, fold),
        Some(Piece::AnyRun) if like => Item::Star(Class::Any),
        Some(Piece::AnyOne) if like => Item::One(Class::Any),
        Some(Piece::AnyRun) => Item::Lit('*', fold),
        Some(Piece::AnyOne) => Item::Lit('?', fold),
    };
    let text = || -> Option<String> {
        pieces
            .iter()
            .map(|p| p.map(|p| pattern::text(&[p]).chars().next().unwrap_or('?')))
            .collect()
    };
    Ok(match family {
        Family::String { kind, .. } => {
            let (like, fold) = match kind {
                StringKind::Like => (true, Fold::Exact),
                StringKind::Equals => (false, Fold::Exact),
                StringKind::EqualsIgnoreCase => {
                    if pieces
                        .iter()
                        .flatten()
                        .any(|p| matches!(p, Piece::Char(c) if !c.is_ascii()))
                    {
                        return Err(
                            "an …IgnoreCase value has characters whose case IAM may fold differently"
                                .to_string(),
                        );
                    }
                    (false, Fold::Unicode)
                }
            };
            Lang::seq(pieces.iter().map(|p| item(p, like, fold)).collect())
        }
        Family::Bool => match text() {
            Some(t) if t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false") => {
                Lang::literal(&t, Fold::Ascii)
            }
            _ => Lang::empty(),
        },
        Family::Binary => match text() {
            Some(t) => Lang::literal(&t, Fold::Exact),
            None => Lang::seq(vec![Item::Star(Class::Any)]),
        },
        Family::Arn { .. } => arn_lang(pieces),
        _ => Lang::seq(vec![Item::Star(Class::Any)]),
    })
}

/// `ArnLike`: six colon-separated parts, each its own pattern; the first five hold no `:`.
pub(super) fn arn_lang(pieces: &[Option<Piece>]) -> Lang {
    if pieces.iter().any(Option::is_none) {
        return Lang::seq(vec![Item::Star(Class::Any)]);
    }
    let mut parts: Vec<Vec<Piece>> = vec![Vec::new()];
    for p in pieces.iter().flatten() {
        if *p == Piece::Char(':') && parts.len() < 6 {
            parts.push(Vec::new());
        } else if let Some(last) = parts.last_mut() {
            last.push(*p);
        }
    }
    if parts.len() != 6 {
        return Lang::empty();
    }
    let mut items = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let class = if i < 5 { Class::NotColon } else { Class::Any };
        if i > 0 {
            items.push(Item::Lit(':', Fold::Exact));
        }
        for p in part {
            items.push(match p {
                Piece::Char(c) => Item::Lit(*c, Fold::Exact),
                Piece::AnyRun => Item::Star(class),
                Piece::AnyOne => Item::One(class),
            });
        }
    }
    Lang::seq(items)
}

/// An order in which every variable comes after those it names; `None` on a cycle.
pub(super) fn topological(refs: &[BTreeSet<usize>]) -> Option<Vec<usize>> {
    let n = refs.len();
    let mut order = Vec::with_capacity(n);
    let mut placed = vec![false; n];
    while order.len() < n {
        let before = order.len();
        for v in 0..n {
            if !placed[v] && refs[v].iter().all(|&r| placed[r]) {
                placed[v] = true;
                order.push(v);
            }
        }
        if order.len() == before {
            return None;
        }
    }
    Some(order)
}

pub(super) fn cidr(v: &str) -> Option<(IpAddr, u32)> {
    let (net, bits) = match v.split_once('/') {
        Some((n, b)) => (n, b.trim().parse::<u32>().ok()?),
        None => (v, 128),
    };
    let net: IpAddr = net.trim().parse().ok()?;
    let max = if net.is_ipv4() { 32 } else { 128 };
    Some((net, bits.min(max)))
}

/// An address as a number and its width in bits (IPv4 in the low 32 bits).
fn number(a: IpAddr) -> (u128, u32) {
    match a {
        IpAddr::V4(a) => (u128::from(u32::from(a)), 32),
        IpAddr::V6(a) => (u128::from(a), 128),
    }
}

/// The first and last numbers of a range of `width`-bit addresses.
fn span(net: u128, width: u32, bits: u32) -> (u128, u128) {
    let all = if width == 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    };
    let host = if bits >= width { 0 } else { all >> bits };
    let first = net & all & !host;
    (first, first | host)
}

pub(super) fn in_range(a: IpAddr, net: IpAddr, bits: u32) -> bool {
    let ((a, width), (n, net_width)) = (number(a), number(net));
    width == net_width && {
        let (first, last) = span(n, width, bits);
        (first..=last).contains(&a)
    }
}

/// A range's first and last addresses and the ones just outside it.
pub(super) fn range_edges(net: IpAddr, bits: u32) -> Vec<IpAddr> {
    let (n, width) = number(net);
    let (first, last) = span(n, width, bits);
    let max = if width == 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    };
    [
        first.checked_sub(1),
        Some(first),
        Some(last),
        last.checked_add(1).filter(|x| *x <= max),
    ]
    .into_iter()
    .flatten()
    .map(|x| match net {
        IpAddr::V4(_) => IpAddr::from(std::net::Ipv4Addr::from(x as u32)),
        IpAddr::V6(_) => IpAddr::from(std::net::Ipv6Addr::from(x)),
    })
    .collect()
}
