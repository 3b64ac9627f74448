//! Does a role admit some token of a class of people, and which one? `check` asks this of every
//! class of `space::Who`, and the answer is a proof either way:
//!
//! - **Admitted**: a request context built from the trust's own conditions and accepted by the
//!   IAM evaluator (`crate::iam`), the same one `explain` runs. It is the counterexample a finding
//!   shows.
//! - **Refused**: no request of the class satisfies an Allow without a Deny applying. Each key of
//!   the request is a variable with the values its bringer may give it (`space`); every condition
//!   is a constraint on one variable: a regular language for the string operators (`lang`),
//!   intervals for numbers, dates and addresses, read at their critical points. For each Allow,
//!   and for each way of escaping every Deny (one of its conditions false), the variables are
//!   solved one by one. Emptiness of the regular constraints is decided exactly.
//! - **Unknown**: where the reasoning would not be complete (a bound passed, a key whose value is
//!   not documented, policy variables tying claims together beyond what is settled here). Never
//!   read as either of the others: `check` reports it as an incomplete analysis.
//!
//! Policy variables (`${gitlab.com:user_login}`) are first over-approximated (any value) to prove
//! refusals, then resolved with the values chosen for the keys they name, and the token built is
//! always checked with the evaluator.

pub mod lang;
pub mod space;
mod values;
mod witness;

use values::{at_critical_points, cidr, topological, value_lang};

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use lang::{Fold, Found, Item, Lang, STATE_BOUND};
pub use space::Who;
use space::{Kind, Var};

use super::route::{Route, in_play};
use crate::iam::condition::{Family, holds};
use crate::iam::pattern::{self, Part, Piece};
use crate::iam::{Context, Request, eval};
use crate::plan::trust_view::{Condition, Effect, TrustView};

/// A token (and request) the role admits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witness {
    /// The Allow statement that admitted it (1-based).
    pub statement: usize,
    /// Every key of the request, lower case, with its value (absent keys are left out).
    pub values: BTreeMap<String, String>,
    /// The claims of the token (claim name → value).
    pub claims: BTreeMap<&'static str, String>,
    /// The request's time (epoch seconds).
    pub time: u64,
    /// The keys the trust's conditions read (lower case).
    pub read: BTreeSet<String>,
}

impl Witness {
    pub fn sub(&self) -> Option<&str> {
        self.claims.get("sub").map(String::as_str)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Admitted(Witness),
    Refused,
    /// Why the analysis could not decide.
    Unknown(String),
}

/// Does the role admit a token `who` could bring through `route`, at `now` or later?
pub fn admits(view: &TrustView, route: &Route, who: Who, now: u64) -> Verdict {
    let Some(vars) = space::space(view, route, who) else {
        return Verdict::Refused;
    };
    let mut solver = Solver::new(view, route, vars, now);
    // Any token at all is asked only whether one exists: no one reads it.
    solver.readable = who != Who::Anyone;
    solver.run()
}

/// Can no `sub` GitLab issues (in any format) meet the value `value` of condition `c`? A
/// variable stands for any text here, so "no" is a proof.
pub fn matches_no_sub(c: &Condition, value: &str, variables: bool) -> bool {
    let Some(family) = Family::of(&c.operator.base) else {
        return false;
    };
    if !matches!(family, Family::String { .. }) {
        return false;
    }
    let with_vars = variables && family.takes_variables();
    let Some(parts) = pattern::parts(value, with_vars) else {
        return false;
    };
    let pieces: Vec<Option<Piece>> = parts
        .into_iter()
        .map(|p| match p {
            Part::Piece(p) => Some(p),
            Part::Var { .. } => None,
        })
        .collect();
    let Ok(lang) = value_lang(family, &pieces) else {
        return false;
    };
    let grammar = space::sub_grammar(true);
    lang::find(&[(&lang, true), (&grammar, true)], STATE_BOUND) == Found::Empty
}

/// Combinations of Deny escapes tried per Allow before the analysis gives up (and says so).
const LEAF_BOUND: usize = 4_096;
/// Other values tried for the keys a policy variable names, when the first choice does not fit.
const RETRIES: usize = 6;

struct Solver<'a> {
    view: &'a TrustView,
    route: &'a Route,
    vars: Vec<Var>,
    now: u64,
    variables: bool,
    /// Condition key (lower case) → the variable that sets it.
    index: BTreeMap<String, usize>,
    /// Every address range the policy writes for `aws:SourceIp`.
    ranges: Vec<(IpAddr, u32)>,
    /// Make the token found readable (a finding shows it).
    readable: bool,
}

enum Solved {
    /// A value (`None`: the key is absent).
    Value(Option<String>),
    None,
    Unknown(String),
}

/// A condition on a present value, compiled.
enum Compiled {
    /// Its truth whatever the value.
    Const(bool),
    /// True for the values in `lang` (false for them when `negated`). `approx`: `lang` holds
    /// more values than the condition does (a policy variable not yet known).
    Lang {
        lang: Lang,
        negated: bool,
        approx: bool,
    },
    /// Numbers, dates, addresses: read at critical points.
    NonRegular,
    Unsupported(String),
}

impl<'a> Solver<'a> {
    fn new(view: &'a TrustView, route: &'a Route, vars: Vec<Var>, now: u64) -> Solver<'a> {
        let mut index = BTreeMap::new();
        for (i, v) in vars.iter().enumerate() {
            for k in &v.keys {
                index.insert(k.clone(), i);
            }
        }
        let ranges = view
            .statements
            .iter()
            .flat_map(|s| &s.conditions)
            .filter(|c| c.key.eq_ignore_ascii_case("aws:SourceIp"))
            .flat_map(|c| c.values.iter().filter_map(|v| cidr(v)))
            .collect();
        Solver {
            view,
            route,
            vars,
            now,
            variables: view.version.as_deref() == Some("2012-10-17"),
            index,
            ranges,
            readable: true,
        }
    }

    /// The keys a condition reads: its own and those its values name in variables.
    fn keys_read(&self, c: &Condition) -> Vec<String> {
        let mut out = vec![c.key.to_lowercase()];
        if self.variables {
            for v in &c.values {
                for part in pattern::parts(v, true).into_iter().flatten() {
                    if let Part::Var { key, .. } = part {
                        out.push(key.to_lowercase());
                    }
                }
            }
        }
        out
    }

    /// The truth of a condition whose key no variable sets (it is absent), if so.
    fn fixed(&self, c: &Condition) -> Option<bool> {
        if self.index.contains_key(&c.key.to_lowercase()) {
            return None;
        }
        Some(holds(c, &Context::new(), self.variables).0)
    }

    fn run(&self) -> Verdict {
        let in_play: Vec<_> = self
            .view
            .statements
            .iter()
            .filter(|s| in_play(s, self.route))
            .collect();
        for s in &in_play {
            for c in &s.conditions {
                for k in self.keys_read(c) {
                    let global = k.starts_with("aws:") || k.starts_with("sts:");
                    if global && !self.index.contains_key(&k) && !space::absent(&k) {
                        return Verdict::Unknown(format!(
                            "statement {} reads {k:?}, whose value in an AssumeRoleWithWebIdentity request is not documented",
                            s.index
                        ));
                    }
                }
            }
        }
        let mut escapes: Vec<Vec<&Condition>> = Vec::new();
        for d in in_play.iter().filter(|s| s.effect == Effect::Deny) {
            if d.conditions.iter().any(|c| self.fixed(c) == Some(false)) {
                continue;
            }
            let open: Vec<&Condition> = d
                .conditions
                .iter()
                .filter(|c| self.fixed(c).is_none())
                .collect();
            if open.is_empty() {
                // It applies to every request of this route.
                return Verdict::Refused;
            }
            escapes.push(open);
        }
        let mut unknown: Option<String> = None;
        for a in in_play.iter().filter(|s| s.effect == Effect::Allow) {
            if a.conditions.iter().any(|c| self.fixed(c) == Some(false)) {
                continue;
            }
            let base: Vec<(&Condition, bool)> = a
                .conditions
                .iter()
                .filter(|c| self.fixed(c).is_none())
                .map(|c| (c, true))
                .collect();
            let mut choice = vec![0usize; escapes.len()];
            let mut leaves = 0;
            loop {
                leaves += 1;
                if leaves > LEAF_BOUND {
                    unknown.get_or_insert_with(|| {
                        format!("statement {}: too many ways around the Deny statements to try them all", a.index)
                    });
                    break;
                }
                let mut lits = base.clone();
                lits.extend(escapes.iter().zip(&choice).map(|(e, &i)| (e[i], false)));
                match self.solve(&lits, a.index) {
                    Verdict::Admitted(w) => return Verdict::Admitted(w),
                    Verdict::Unknown(why) => {
                        unknown.get_or_insert(why);
                    }
                    Verdict::Refused => {}
                }
                // Next combination (odometer); done when it wraps.
                let mut k = 0;
                while k < choice.len() {
                    choice[k] += 1;
                    if choice[k] < escapes[k].len() {
                        break;
                    }
                    choice[k] = 0;
                    k += 1;
                }
                if k == choice.len() {
                    break;
                }
            }
        }
        unknown.map_or(Verdict::Refused, Verdict::Unknown)
    }

    /// The variables a variable's conditions name in policy variables (itself excluded).
    fn references(&self, v: usize, lits: &[(&Condition, bool)]) -> BTreeSet<usize> {
        lits.iter()
            .flat_map(|(c, _)| self.keys_read(c).into_iter().skip(1))
            .filter_map(|k| self.index.get(&k).copied())
            .filter(|&r| r != v)
            .collect()
    }

    /// Is there a request meeting every `(condition, truth)`? The Allow is `statement`.
    fn solve(&self, lits: &[(&Condition, bool)], statement: usize) -> Verdict {
        let mut by_var: Vec<Vec<(&Condition, bool)>> = vec![Vec::new(); self.vars.len()];
        for (c, want) in lits {
            if let Some(&v) = self.index.get(&c.key.to_lowercase()) {
                by_var[v].push((c, *want));
            }
        }
        let refs: Vec<BTreeSet<usize>> = by_var
            .iter()
            .enumerate()
            .map(|(v, l)| self.references(v, l))
            .collect();
        // Over-approximated, each variable alone: a refusal here is a proof. A variable that
        // names no other is solved exactly here already (kept for below).
        let mut doubt: Option<String> = None;
        let mut solved: Vec<Option<Option<String>>> = vec![None; self.vars.len()];
        for (v, lits) in by_var.iter().enumerate() {
            if lits.is_empty() {
                continue;
            }
            match self.solve_var(v, lits, None, &[]) {
                Solved::Value(value) => {
                    let own = self.vars[v].keys.clone();
                    let names_itself = lits
                        .iter()
                        .any(|(c, _)| self.keys_read(c).iter().skip(1).any(|k| own.contains(k)));
                    if refs[v].is_empty() && !names_itself {
                        solved[v] = Some(value);
                    }
                }
                Solved::None => return Verdict::Refused,
                Solved::Unknown(why) => doubt = Some(why),
            }
        }
        // Then exactly, the variables others name first.
        let Some(order) = topological(&refs) else {
            return Verdict::Unknown(format!(
                "statement {statement}: policy variables name each other in a cycle"
            ));
        };
        let mut values: Vec<Option<String>> = vec![None; self.vars.len()];
        let mut excluded: Vec<Vec<String>> = vec![Vec::new(); self.vars.len()];
        let mut ctx = Context::new();
        let mut i = 0;
        let mut retries = 0;
        while i < order.len() {
            let v = order[i];
            let result = match &solved[v] {
                Some(value) if excluded[v].is_empty() => Solved::Value(value.clone()),
                _ => self.solve_var(v, &by_var[v], Some(&ctx), &excluded[v]),
            };
            match result {
                Solved::Value(value) => {
                    self.set(&mut ctx, v, value.as_deref());
                    values[v] = value;
                    i += 1;
                }
                // Solved exactly, on its own: no value at all.
                Solved::None if refs[v].is_empty() => return Verdict::Refused,
                Solved::Unknown(why) if refs[v].is_empty() => return Verdict::Unknown(why),
                Solved::None | Solved::Unknown(_) if retries < RETRIES => {
                    // Another value for a key this one names, then from there again.
                    retries += 1;
                    let Some(r) = refs[v]
                        .iter()
                        .copied()
                        .max_by_key(|r| order.iter().position(|o| o == r).unwrap_or(0))
                    else {
                        break;
                    };
                    if let Some(previous) = values[r].clone() {
                        excluded[r].push(previous);
                    }
                    i = order.iter().position(|o| *o == r).unwrap_or(0);
                    for later in &order[i..] {
                        self.unset(&mut ctx, *later);
                    }
                }
                Solved::None | Solved::Unknown(_) => {
                    return Verdict::Unknown(doubt.unwrap_or_else(|| {
                        format!("statement {statement}: policy variables tie claims together in a way the analysis could not settle")
                    }));
                }
            }
        }
        if let Err(why) = self.tie_project_id(&by_var, &mut ctx, &mut values) {
            return Verdict::Unknown(format!("statement {statement}: {why}"));
        }
        let request = Request::web_identity(&self.route.provider_arn, ctx.clone());
        if !eval::allows(self.view, &request) {
            return Verdict::Unknown(format!(
                "statement {statement}: the token built from its conditions is refused by the evaluator (the analysis is incomplete for this policy)"
            ));
        }
        if self.readable {
            self.make_readable(&mut ctx, &mut values);
        }
        let mut witness = Witness {
            statement,
            values: BTreeMap::new(),
            claims: BTreeMap::new(),
            time: self.now,
            read: self
                .view
                .statements
                .iter()
                .flat_map(|s| &s.conditions)
                .flat_map(|c| self.keys_read(c))
                .collect(),
        };
        for (v, value) in values.into_iter().enumerate() {
            let var = &self.vars[v];
            let Some(value) = value else { continue };
            if matches!(var.kind, Kind::Time) {
                witness.time = value.parse().unwrap_or(self.now);
            }
            if let Some(claim) = var.claim {
                witness.claims.insert(claim, value.clone());
            }
            for k in &var.keys {
                if let Some([one]) = ctx.get(k) {
                    witness.values.insert(k.clone(), one.clone());
                }
            }
        }
        Verdict::Admitted(witness)
    }

    fn set(&self, ctx: &mut Context, v: usize, value: Option<&str>) {
        let var = &self.vars[v];
        match (value, &var.kind) {
            (None, _) => self.unset(ctx, v),
            (Some(t), Kind::Time) => {
                let epoch: u64 = t.parse().unwrap_or(self.now);
                ctx.insert("aws:epochtime", vec![epoch.to_string()]);
                ctx.insert("aws:currenttime", vec![crate::explain::iso_time(epoch)]);
            }
            (Some(value), _) => {
                for k in &var.keys {
                    ctx.insert(k, vec![value.to_string()]);
                }
            }
        }
    }

    fn unset(&self, ctx: &mut Context, v: usize) {
        for k in &self.vars[v].keys {
            ctx.remove(k);
        }
    }

    /// A value of variable `v` meeting `lits`. `ctx`: the values of the other variables, when
    /// solving exactly; `None` over-approximates whatever depends on them.
    fn solve_var(
        &self,
        v: usize,
        lits: &[(&Condition, bool)],
        ctx: Option<&Context>,
        excluded: &[String],
    ) -> Solved {
        let var = &self.vars[v];
        let base = ctx.cloned().unwrap_or_default();
        let others = |c: &Condition| {
            self.keys_read(c)
                .iter()
                .skip(1)
                .any(|k| self.index.get(k).is_some_and(|&r| r != v))
        };
        // Every condition as the evaluator reads it, with this value (`None`: absent); those
        // naming other variables are skipped when they are not known yet.
        // One scratch context, the value set in place for each try (no copy per try).
        let scratch = std::cell::RefCell::new(base);
        let check = |value: Option<&str>| -> bool {
            let mut c = scratch.borrow_mut();
            self.set(&mut c, v, value);
            lits.iter()
                .filter(|(cond, _)| ctx.is_some() || !others(cond))
                .all(|(cond, want)| holds(cond, &c, self.variables).0 == *want)
        };
        if var.absent_ok && check(None) {
            return Solved::Value(None);
        }
        let fresh = |x: &String| !excluded.contains(x);
        match &var.kind {
            Kind::Finite(values) => values
                .iter()
                .filter(|x| fresh(x))
                .find(|x| check(Some(x)))
                .map_or(Solved::None, |x| Solved::Value(Some(x.clone()))),
            // Values at the critical points: complete when every condition is decided there.
            Kind::Time | Kind::Ip { .. } => {
                let (candidates, what) = match &var.kind {
                    Kind::Ip { outside } => (self.addresses(lits, *outside), "aws:SourceIp"),
                    _ => (
                        self.times(lits)
                            .into_iter()
                            .map(|t| t.to_string())
                            .collect(),
                        "the time",
                    ),
                };
                match candidates
                    .into_iter()
                    .filter(|x| fresh(x))
                    .find(|x| check(Some(x)))
                {
                    Some(x) => Solved::Value(Some(x)),
                    None if lits.iter().all(|(c, _)| at_critical_points(c)) => Solved::None,
                    None => Solved::Unknown(format!(
                        "a condition compares {what} as text with wildcards"
                    )),
                }
            }
            Kind::Text(domain) => {
                // No condition reads it: a readable value of its domain, when there is one.
                if lits.is_empty()
                    && let Some(x) = var.sample()
                    && !excluded.iter().any(|e| e == x)
                    && domain.iter().all(|(l, m)| l.contains(x) == *m)
                {
                    return Solved::Value(Some(x.to_string()));
                }
                self.solve_text(v, domain, lits, ctx, excluded, &check)
            }
        }
    }

    fn solve_text(
        &self,
        v: usize,
        domain: &[(Lang, bool)],
        lits: &[(&Condition, bool)],
        ctx: Option<&Context>,
        excluded: &[String],
        check: &dyn Fn(Option<&str>) -> bool,
    ) -> Solved {
        let var = &self.vars[v];
        let mut parts: Vec<(Lang, bool)> = domain.to_vec();
        parts.extend(
            excluded
                .iter()
                .map(|x| (Lang::literal(x, Fold::Exact), false)),
        );
        let mut approx = false;
        let mut nonregular = false;
        let mut finite_only = true;
        for (c, want) in lits {
            match self.compile(c, v, ctx) {
                Compiled::Const(truth) => {
                    if truth != *want {
                        return Solved::None;
                    }
                }
                Compiled::Lang {
                    lang,
                    negated,
                    approx: a,
                } => {
                    let member = *want != negated;
                    finite_only &= lang
                        .seqs
                        .iter()
                        .all(|s| s.items.iter().all(|i| matches!(i, Item::Lit(..))));
                    if a {
                        approx = true;
                        if member {
                            parts.push((lang, true));
                        }
                    } else {
                        parts.push((lang, member));
                    }
                }
                Compiled::NonRegular => nonregular = true,
                Compiled::Unsupported(why) => return Solved::Unknown(why),
            }
        }
        let exact = ctx.is_some();
        for _ in 0..=RETRIES {
            let refs: Vec<(&Lang, bool)> = parts.iter().map(|(l, m)| (l, *m)).collect();
            let word = match lang::find(&refs, STATE_BOUND) {
                Found::Word(w) => w,
                Found::Empty => return Solved::None,
                Found::TooBig => {
                    return Solved::Unknown(format!(
                        "the conditions on {} pass the analysis's bound of {STATE_BOUND} states",
                        var.keys.join(", ")
                    ));
                }
            };
            if !nonregular && !approx {
                return Solved::Value(Some(word));
            }
            if !exact && !nonregular {
                // Over-approximated: a value exists as far as is known.
                return Solved::Value(Some(word));
            }
            let member = |x: &str| parts.iter().all(|(l, m)| l.contains(x) == *m);
            let mut candidates = vec![word.clone()];
            if nonregular && var.numeric {
                candidates.extend(self.critical_numbers(lits, domain));
            }
            if let Some(x) = candidates.iter().find(|x| member(x) && check(Some(x))) {
                return Solved::Value(Some(x.clone()));
            }
            if nonregular && !approx {
                // Ids: a number meets the comparisons iff one at a critical point does, when
                // the text conditions are literals (complete); otherwise not known.
                return if var.numeric && finite_only {
                    Solved::None
                } else {
                    Solved::Unknown(format!(
                        "{} is compared both as a number and as a pattern",
                        var.keys.join(", ")
                    ))
                };
            }
            parts.push((Lang::literal(&word, Fold::Exact), false));
        }
        Solved::Unknown(format!(
            "a policy variable in the conditions on {} refers to the value itself",
            var.keys.join(", ")
        ))
    }

    /// The condition `c` on a present value of variable `v`.
    fn compile(&self, c: &Condition, v: usize, ctx: Option<&Context>) -> Compiled {
        let op = &c.operator;
        let Some(family) = Family::of(&op.base) else {
            return Compiled::Const(false);
        };
        if family == Family::Null {
            if op.if_exists || op.qualifier.is_some() {
                return Compiled::Const(false);
            }
            return Compiled::Const(c.values.iter().any(|x| x.eq_ignore_ascii_case("false")));
        }
        if matches!(
            family,
            Family::Numeric { .. } | Family::Date { .. } | Family::Ip { .. }
        ) {
            return Compiled::NonRegular;
        }
        let with_vars = self.variables && family.takes_variables();
        let empty = Context::new();
        let known = ctx.unwrap_or(&empty);
        let mut lang = Lang::empty();
        let mut approx = false;
        'values: for value in &c.values {
            let Some(parts) = pattern::parts(value, with_vars) else {
                continue;
            };
            // `None`: a run standing for a variable's value not known here.
            let mut pieces: Vec<Option<Piece>> = Vec::new();
            for part in parts {
                match part {
                    Part::Piece(p) => pieces.push(Some(p)),
                    Part::Var { key, default } => {
                        let k = key.to_lowercase();
                        let pending = self.index.get(&k).is_some_and(|&r| r == v || ctx.is_none());
                        if pending {
                            approx = true;
                            pieces.push(None);
                            continue;
                        }
                        let text = match known.get(&k) {
                            Some([one]) => one.clone(),
                            _ => match default {
                                Some(d) => d,
                                // No value: IAM matches nothing with this one.
                                None => continue 'values,
                            },
                        };
                        pieces.extend(text.chars().map(|ch| Some(Piece::Char(ch))));
                    }
                }
            }
            match value_lang(family, &pieces) {
                Ok(l) => lang = lang.union(l),
                Err(why) => return Compiled::Unsupported(why),
            }
        }
        Compiled::Lang {
            lang,
            negated: family.negated(),
            approx,
        }
    }
}

#[cfg(test)]
mod tests;
