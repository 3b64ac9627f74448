//! The token found, made whole and readable: an id-first `sub` and the `project_id` claim
//! agree, and the shortest values give way to readable ones of the same class.

use super::lang::{self, Class, Fold, Item, Lang};
use super::space::Kind;
use super::{Solved, Solver};
use crate::iam::condition::holds;
use crate::iam::{Context, Request, eval};
use crate::plan::trust_view::Condition;

impl Solver<'_> {
    /// An id-first `sub` (`project_id:<id>:…`) carries the project's own id: the token's
    /// `project_id` claim is the same. Where the two were solved apart and differ, the claim takes
    /// the sub's id if it may; else the sub is solved again without the id-first form.
    pub(super) fn tie_project_id(
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
    pub(super) fn make_readable(&self, ctx: &mut Context, values: &mut [Option<String>]) {
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
