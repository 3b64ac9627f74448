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

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use lang::{Class, Fold, Found, Item, Lang, STATE_BOUND};
pub use space::Who;
use space::{Kind, Var};

use super::route::{Route, in_play};
use crate::iam::condition::{Family, StringKind, holds};
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
                            "statement {} reads {k}, whose value in an AssumeRoleWithWebIdentity request is not documented",
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

    /// An id-first `sub` (`project_id:<id>:…`) carries the project's own id: the token's
    /// `project_id` claim is the same. Where the two were solved apart and differ, the claim takes
    /// the sub's id if it may; else the sub is solved again without the id-first form.
    fn tie_project_id(
        &self,
        by_var: &[Vec<(&Condition, bool)>],
        ctx: &mut Context,
        values: &mut [Option<String>],
    ) -> Result<(), String> {
        let find = |claim: &str| self.vars.iter().position(|v| v.claim == Some(claim));
        let (Some(sub), Some(pid)) = (find("sub"), find("project_id")) else {
            return Ok(());
        };
        let Some(id) = values[sub]
            .as_deref()
            .and_then(|s| s.strip_prefix("project_id:"))
            .and_then(|rest| rest.split(':').next())
            .map(str::to_string)
        else {
            return Ok(());
        };
        if values[pid].as_deref() == Some(id.as_str()) {
            return Ok(());
        }
        let allowed = match &self.vars[pid].kind {
            Kind::Text(domain) => domain.iter().all(|(l, m)| l.contains(&id) == *m),
            Kind::Finite(list) => list.contains(&id),
            _ => false,
        };
        let mut tried = ctx.clone();
        self.set(&mut tried, pid, Some(&id));
        if allowed
            && by_var[pid]
                .iter()
                .all(|(c, want)| holds(c, &tried, self.variables).0 == *want)
        {
            *ctx = tried;
            values[pid] = Some(id);
            return Ok(());
        }
        let Kind::Text(domain) = &self.vars[sub].kind else {
            return Err("the sub's project id and the project_id claim disagree".into());
        };
        let mut narrowed = domain.clone();
        narrowed.push((
            Lang::seq(
                lang::lits("project_id:", Fold::Exact)
                    .into_iter()
                    .chain([Item::Star(Class::Any)])
                    .collect(),
            ),
            false,
        ));
        let check = |value: Option<&str>| {
            let mut c = ctx.clone();
            self.set(&mut c, sub, value);
            by_var[sub]
                .iter()
                .all(|(cond, want)| holds(cond, &c, self.variables).0 == *want)
        };
        match self.solve_text(sub, &narrowed, &by_var[sub], Some(ctx), &[], &check) {
            Solved::Value(value) => {
                self.set(ctx, sub, value.as_deref());
                values[sub] = value;
                Ok(())
            }
            _ => Err("an id-first sub needs a project id that the project_id conditions refuse, and no other sub fits".into()),
        }
    }

    /// The shortest values read oddly (`project_path:x/x:ref_type:tag:ref:x`): where a readable
    /// one is of the same class and the role still admits the token, take it.
    fn make_readable(&self, ctx: &mut Context, values: &mut [Option<String>]) {
        for (v, var) in self.vars.iter().enumerate() {
            let (Some(claim), Kind::Text(domain), Some(current)) =
                (var.claim, &var.kind, values[v].clone())
            else {
                continue;
            };
            let mut best = current;
            // The request built once, the candidate set in place and put back when refused.
            let mut request = Request::web_identity(&self.route.provider_arn, std::mem::take(ctx));
            for rewrite in rewrites(claim) {
                let Some(candidate) = rewrite(&best) else {
                    continue;
                };
                if candidate == best || !domain.iter().all(|(l, m)| l.contains(&candidate) == *m) {
                    continue;
                }
                self.set(&mut request.context, v, Some(&candidate));
                if eval::allows(self.view, &request) {
                    best = candidate;
                } else {
                    self.set(&mut request.context, v, Some(&best));
                }
            }
            *ctx = request.context;
            values[v] = Some(best);
        }
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
            Kind::Time => {
                let found = self
                    .times(lits)
                    .into_iter()
                    .map(|t| t.to_string())
                    .filter(|t| fresh(t))
                    .find(|t| check(Some(t)));
                match found {
                    Some(t) => Solved::Value(Some(t)),
                    None if lits.iter().all(|(c, _)| at_critical_points(c)) => Solved::None,
                    None => Solved::Unknown(
                        "a condition compares the time as text with wildcards".to_string(),
                    ),
                }
            }
            Kind::Ip { outside } => {
                let found = self
                    .addresses(lits, *outside)
                    .into_iter()
                    .filter(|a| fresh(a))
                    .find(|a| check(Some(a)));
                match found {
                    Some(a) => Solved::Value(Some(a)),
                    None if lits.iter().all(|(c, _)| at_critical_points(c)) => Solved::None,
                    None => Solved::Unknown(
                        "a condition compares aws:SourceIp as text with wildcards".to_string(),
                    ),
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

    /// Times worth trying: now, and around every time the conditions name (later than now).
    fn times(&self, lits: &[(&Condition, bool)]) -> Vec<u64> {
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
    fn addresses(&self, lits: &[(&Condition, bool)], outside: bool) -> Vec<String> {
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
    fn critical_numbers(
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

type Rewrite = fn(&str) -> Option<String>;

/// Readable values to try in place of a claim's shortest one, each from the one before.
fn rewrites(claim: &str) -> Vec<Rewrite> {
    fn segments(sub: &str) -> Option<(&str, Vec<&str>, &str)> {
        let rest = sub.strip_prefix("project_path:")?;
        let (path, tail) = rest.split_once(':')?;
        Some(("project_path:", path.split('/').collect(), tail))
    }
    match claim {
        "sub" => vec![
            // GitLab's default components, in their order.
            |s| {
                let (head, path, tail) = segments(s)?;
                let path = path.join("/");
                let tail = match tail.split(':').collect::<Vec<_>>()[..] {
                    ["ref", r, "ref_type", t] => format!("ref_type:{t}:ref:{r}"),
                    ["ref", r] => format!("ref_type:branch:ref:{r}"),
                    ["ref_type", t] => format!("ref_type:{t}:ref:their-branch"),
                    _ => return None,
                };
                Some(format!("{head}{path}:{tail}"))
            },
            |s| Some(s.replacen(":ref_type:tag:", ":ref_type:branch:", 1)),
            |s| {
                let (head, mut path, tail) = segments(s)?;
                path[0] = "other-group";
                Some(format!("{head}{}:{tail}", path.join("/")))
            },
            |s| {
                let (head, mut path, tail) = segments(s)?;
                let last = path.len() - 1;
                path[last] = "their-project";
                Some(format!("{head}{}:{tail}", path.join("/")))
            },
            |s| {
                let (before, r) = s.rsplit_once(":ref:")?;
                let name = if before.ends_with(":ref_type:tag") {
                    "their-tag"
                } else {
                    "their-branch"
                };
                (r.len() <= 2).then(|| format!("{before}:ref:{name}"))
            },
        ],
        "project_id" | "namespace_id" | "user_id" => vec![|_| Some("99999991".into())],
        "user_login" => vec![|_| Some("someone-else".into())],
        "user_email" => vec![|_| Some("someone-else@example.com".into())],
        _ => vec![],
    }
}

/// Conditions the critical points of `times` and `addresses` decide: comparisons of numbers,
/// dates and addresses, literals, and `Null`.
fn at_critical_points(c: &Condition) -> bool {
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
fn value_lang(family: Family, pieces: &[Option<Piece>]) -> Result<Lang, String> {
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
fn arn_lang(pieces: &[Option<Piece>]) -> Lang {
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
fn topological(refs: &[BTreeSet<usize>]) -> Option<Vec<usize>> {
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

fn cidr(v: &str) -> Option<(IpAddr, u32)> {
    let (net, bits) = match v.split_once('/') {
        Some((n, b)) => (n, b.trim().parse::<u32>().ok()?),
        None => (v, 128),
    };
    let net: IpAddr = net.trim().parse().ok()?;
    let max = if net.is_ipv4() { 32 } else { 128 };
    Some((net, bits.min(max)))
}

fn in_range(a: IpAddr, net: IpAddr, bits: u32) -> bool {
    match (a, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// A range's first and last addresses and the ones just outside it.
fn range_edges(net: IpAddr, bits: u32) -> Vec<IpAddr> {
    match net {
        IpAddr::V4(n) => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            let first = u32::from(n) & mask;
            let last = first | !mask;
            [
                first.checked_sub(1),
                Some(first),
                Some(last),
                last.checked_add(1),
            ]
            .into_iter()
            .flatten()
            .map(|x| IpAddr::from(std::net::Ipv4Addr::from(x)))
            .collect()
        }
        IpAddr::V6(n) => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            let first = u128::from(n) & mask;
            let last = first | !mask;
            [
                first.checked_sub(1),
                Some(first),
                Some(last),
                last.checked_add(1),
            ]
            .into_iter()
            .flatten()
            .map(|x| IpAddr::from(std::net::Ipv6Addr::from(x)))
            .collect()
        }
    }
}

#[cfg(test)]
mod tests;
