//! Which tokens does a role admit? `check` asks the IAM evaluator about the tokens the people who
//! matter could bring: an outsider with a group of their own on the issuer (a fresh top-level
//! group, fresh ids, any ref, any audience the provider accepts), a colleague who creates a new
//! project in a group the trust names, and a developer who pushes an unprotected branch of a
//! project the trust names. Their tokens are built from the trust's own values, each wildcard
//! filled in the ways that matter, and every candidate is asked of the full evaluator (so a Deny
//! that confines an Allow is taken into account). A token found is the witness the finding shows.

use std::collections::BTreeSet;

use crate::iam::condition::holds;
use crate::iam::{self, Context, Request, eval};
use crate::plan::trust_view::{Condition, Effect, Statement, TrustView, supported_claims};

/// One way a web-identity token can reach the role: an issuer and the provider ARN IAM uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub provider_arn: String,
    /// `host[/path]`: the issuer without `https://`, the prefix of its condition keys.
    pub host: String,
    /// The provider's audiences, when it exists and was read.
    pub client_ids: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// Anyone with an account on the issuer: a group, project, ids and refs of their own.
    Outsider,
    /// A member of a group the trust names, in a project created later.
    Colleague,
    /// A developer of a project the trust names, on a branch nobody protected.
    Developer,
    /// Any token at all, whoever brings it (is the role reachable?).
    Anyone,
}

/// A token the role admits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witness {
    /// The Allow statement that admitted it (1-based).
    pub statement: usize,
    pub sub: Option<String>,
}

/// The values the trust writes for one claim of this issuer, from every statement.
fn written<'a>(view: &'a TrustView, host: &str, claim: &str) -> Vec<&'a str> {
    let key = format!("{host}:{claim}").to_lowercase();
    view.statements
        .iter()
        .flat_map(|s| &s.conditions)
        .filter(|c| c.key.to_lowercase() == key && c.operator.base != "Null")
        .flat_map(|c| c.values.iter().map(String::as_str))
        .collect()
}

/// The parts of a GitLab `sub`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sub<'a> {
    /// `group/sub/project`, or the project id in the id-first form.
    pub project: &'a str,
    pub by_id: bool,
    pub ref_type: &'a str,
    pub git_ref: &'a str,
}

/// Read a `sub` as GitLab writes it: `project_path:<path>:ref_type:<branch|tag>:ref:<ref>` (or
/// `project_id:<id>:…`). `None` for anything GitLab never issues.
pub fn parse_sub(sub: &str) -> Option<Sub<'_>> {
    let (by_id, rest) = match (
        sub.strip_prefix("project_path:"),
        sub.strip_prefix("project_id:"),
    ) {
        (Some(rest), _) => (false, rest),
        (None, Some(rest)) => (true, rest),
        _ => return None,
    };
    let (project, rest) = rest.split_once(":ref_type:")?;
    let (ref_type, git_ref) = rest.split_once(":ref:")?;
    let path_ok = |p: &str| {
        let segments: Vec<&str> = p.split('/').collect();
        segments.len() >= 2
            && segments.iter().all(|s| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            })
    };
    let ok = if by_id {
        !project.is_empty() && project.chars().all(|c| c.is_ascii_digit())
    } else {
        path_ok(project)
    };
    (ok && (ref_type == "branch" || ref_type == "tag")
        && !git_ref.is_empty()
        && !git_ref.contains(['*', '?', ':']))
    .then_some(Sub {
        project,
        by_id,
        ref_type,
        git_ref,
    })
}

/// What the trust names literally: groups, projects, refs and ids (wildcard-free parts of its
/// `sub` values and its id pins). An outsider cannot take these; anything else is theirs to choose.
#[derive(Debug, Default)]
struct Named {
    groups: BTreeSet<String>,
    projects: BTreeSet<String>,
    refs: BTreeSet<String>,
    ids: BTreeSet<String>,
}

fn named(view: &TrustView, host: &str) -> Named {
    let mut n = Named::default();
    let plain = |s: &str| !s.contains(['*', '?', '$']);
    for v in written(view, host, "sub") {
        let rest = v
            .strip_prefix("project_path:")
            .or_else(|| v.strip_prefix("project_id:"));
        let Some(rest) = rest else { continue };
        // A project path has no ':', so it ends at the first one (or a wildcard may run on).
        let project = rest.split(':').next().unwrap_or(rest);
        if v.starts_with("project_id:") {
            if plain(project) {
                n.ids.insert(project.to_string());
            }
        } else {
            if let Some((group, _)) = project.split_once('/')
                && plain(group)
            {
                n.groups.insert(group.to_lowercase());
            }
            if plain(project) {
                n.projects.insert(project.to_lowercase());
            }
        }
        if let Some((_, r)) = rest.split_once(":ref:")
            && plain(r)
        {
            n.refs.insert(r.to_string());
        }
    }
    for claim in ["project_id", "namespace_id", "user_id"] {
        n.ids.extend(
            written(view, host, claim)
                .into_iter()
                .filter(|v| plain(v))
                .map(str::to_string),
        );
    }
    n
}

/// `sub`s of a stranger's project: names nobody's trust policy writes.
const CANONICAL: [&str; 3] = [
    "project_path:other-group/their-project:ref_type:branch:ref:their-branch",
    "project_id:99999991:ref_type:branch:ref:their-branch",
    "project_path:other-group/their-project:ref_type:tag:ref:their-tag",
];

/// What a `*` may stand for: every piece of a canonical `sub` between separators, so a pattern's
/// wildcard can become a group, a project, a ref, or the rest of a `sub`.
fn star_fillers() -> &'static [String] {
    static FILLERS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    FILLERS.get_or_init(fillers)
}

fn fillers() -> Vec<String> {
    let mut out: BTreeSet<String> = BTreeSet::new();
    for c in CANONICAL {
        out.extend(pieces(c));
    }
    sorted(out)
}

/// Every substring of `text` that starts and ends at a `:` or `/` boundary (or an end).
fn pieces(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let cuts: Vec<usize> = (0..=text.len())
        .filter(|&i| text.is_char_boundary(i))
        .filter(|&i| {
            i == 0
                || i == text.len()
                || matches!(bytes[i - 1], b':' | b'/')
                || matches!(bytes[i], b':' | b'/')
        })
        .collect();
    let mut out = Vec::new();
    for (a, &i) in cuts.iter().enumerate() {
        for &j in &cuts[a..] {
            out.push(text[i..j].to_string());
        }
    }
    out
}

/// Words before numbers, the longer first: the first token found, shown as the example, then
/// reads like a real one.
fn sorted(set: BTreeSet<String>) -> Vec<String> {
    let mut out: Vec<String> = set.into_iter().collect();
    out.sort_by_key(|f| {
        (
            f.contains("99999991"),
            !f.ends_with("their-branch"),
            std::cmp::Reverse(f.len()),
        )
    });
    out
}

/// The fillers for this trust: a stranger's pieces, and the literal pieces of the trust's own
/// `sub` values (so a wildcard of one value can take what another value, or a Deny, asks for).
fn fillers_for(view: &TrustView, host: &str) -> std::borrow::Cow<'static, [String]> {
    let subs = written(view, host, "sub");
    if !subs.iter().any(|v| v.contains(['*', '?'])) {
        // No wildcard to fill: the stranger's pieces serve the canonical subs.
        return std::borrow::Cow::Borrowed(star_fillers());
    }
    let mut out: BTreeSet<String> = star_fillers().iter().cloned().collect();
    for v in subs {
        for chunk in v.split(['*', '?']) {
            for p in pieces(chunk) {
                // A stranger's path before the trust's suffix, the trust's prefix before a
                // stranger's tail.
                if p.starts_with(':') {
                    for head in ["their-project", "other-group/their-project", "99999991"] {
                        out.insert(format!("{head}{p}"));
                    }
                }
                if p.starts_with('/') {
                    out.insert(format!("other-group{p}"));
                }
                if p.ends_with(':') || p.ends_with('/') {
                    for tail in [
                        "their-branch",
                        "their-project:ref_type:branch:ref:their-branch",
                    ] {
                        out.insert(format!("{p}{tail}"));
                    }
                }
                out.insert(p);
            }
        }
    }
    std::borrow::Cow::Owned(sorted(out))
}

const FEW_STARS: [&str; 8] = [
    "",
    "other-group",
    "other-group/their-project",
    "9",
    "branch",
    "tag",
    "their-project:ref_type:branch:ref:their-branch",
    "ref_type:branch:ref:their-branch",
];
const ONE_FILLERS: [char; 4] = ['x', '9', '-', '/'];

/// Ways of filling the wildcards of `pattern`: each wildcard in turn takes every filler while the
/// others take the short list (every pairing of two full lists adds nothing the patterns people
/// write need, at the square of the cost).
fn instances(pattern: &str, stars: &[String]) -> Vec<String> {
    let wild: Vec<usize> = pattern
        .char_indices()
        .filter(|(_, c)| *c == '*' || *c == '?')
        .map(|(i, _)| i)
        .collect();
    if wild.is_empty() {
        return vec![pattern.to_string()];
    }
    let few: Vec<String> = FEW_STARS.iter().map(|s| s.to_string()).collect();
    let mut out: Vec<String> = Vec::new();
    for full in 0..wild.len().min(4) {
        let mut partial = vec![String::new()];
        for (i, c) in pattern.char_indices() {
            let choices: Vec<String> = match c {
                '*' if wild.get(full) == Some(&i) => stars.to_vec(),
                '*' => few.clone(),
                '?' => ONE_FILLERS.iter().map(|c| c.to_string()).collect(),
                c => vec![c.to_string()],
            };
            if partial.len() * choices.len() > 20_000 {
                break;
            }
            partial = partial
                .iter()
                .flat_map(|prefix| choices.iter().map(move |ch| format!("{prefix}{ch}")))
                .collect();
        }
        out.extend(partial);
    }
    let mut seen = BTreeSet::new();
    out.retain(|v| seen.insert(v.clone()));
    out
}

/// The values `who` may bring for `claim`.
fn candidates(
    view: &TrustView,
    route: &Route,
    who: Who,
    claim: &str,
    stars: &[String],
    n: &Named,
) -> Vec<String> {
    let mine = written(view, &route.host, claim);
    let mut from_policy: Vec<String> = mine
        .iter()
        .flat_map(|v| {
            instances(
                &v.replace("${*}", "*")
                    .replace("${?}", "?")
                    .replace("${$}", "$"),
                stars,
            )
        })
        .collect();
    let fresh_id = |v: &String| !n.ids.contains(v);
    let mut out: Vec<String> = match claim {
        "sub" if !is_gitlab(view, route) => {
            from_policy.push("their-subject".into());
            from_policy
        }
        "sub" => {
            from_policy.extend(CANONICAL.iter().map(|s| s.to_string()));
            from_policy
                .into_iter()
                .filter(|s| match (parse_sub(s), who) {
                    (None, _) => false,
                    (Some(_), Who::Anyone) => true,
                    (Some(p), Who::Outsider) => {
                        if p.by_id {
                            !n.ids.contains(p.project)
                        } else {
                            let group = p
                                .project
                                .split('/')
                                .next()
                                .unwrap_or_default()
                                .to_lowercase();
                            !n.groups.contains(&group)
                        }
                    }
                    (Some(p), Who::Colleague) => {
                        let lower = p.project.to_lowercase();
                        let group = lower.split('/').next().unwrap_or_default();
                        // A new project in a group the trust names; or, when its `sub` names
                        // no group (ids confine it instead), any new project.
                        !p.by_id
                            && (n.groups.contains(group) || n.groups.is_empty())
                            && !n.projects.contains(&lower)
                    }
                    (Some(p), Who::Developer) => {
                        let known = if p.by_id {
                            n.ids.contains(p.project)
                        } else {
                            n.projects.contains(&p.project.to_lowercase())
                        };
                        // A project the trust names; or, when its `sub` names none (an id pin
                        // confines it instead), the project behind that pin.
                        let unnamed = n.projects.is_empty() && n.groups.is_empty();
                        (known || unnamed) && p.ref_type == "branch" && !n.refs.contains(p.git_ref)
                    }
                })
                .collect()
        }
        "aud" => match &route.client_ids {
            // IAM accepts only the provider's audiences; the token's is the bringer's choice.
            Some(ids) => ids.clone(),
            None => {
                from_policy.push("their-audience".into());
                from_policy
            }
        },
        "ref_protected" => match who {
            Who::Developer => vec!["false".into()],
            _ => vec!["true".into(), "false".into()],
        },
        "project_id" | "namespace_id" | "user_id" => {
            from_policy.push("99999991".into());
            let keep_named = matches!(
                (who, claim),
                (Who::Anyone, _)
                    | (Who::Developer, "project_id" | "namespace_id")
                    | (Who::Colleague, "namespace_id")
            );
            from_policy
                .into_iter()
                .filter(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()))
                .filter(|v| keep_named || fresh_id(v))
                .collect()
        }
        "user_login" | "user_email" => {
            from_policy.push(if claim == "user_login" {
                "someone-else".into()
            } else {
                "someone-else@example.com".into()
            });
            let literal: BTreeSet<&str> = mine
                .iter()
                .copied()
                .filter(|v| !v.contains(['*', '?']))
                .collect();
            from_policy
                .into_iter()
                .filter(|v| !v.is_empty() && (who == Who::Anyone || !literal.contains(v.as_str())))
                .collect()
        }
        "user_access_level" => {
            from_policy.extend(["developer", "maintainer", "owner"].map(String::from));
            match who {
                Who::Developer => vec!["developer".into()],
                _ => from_policy,
            }
        }
        "pipeline_source" => {
            from_policy.extend(
                [
                    "push",
                    "web",
                    "api",
                    "schedule",
                    "trigger",
                    "merge_request_event",
                ]
                .map(String::from),
            );
            from_policy
        }
        "runner_environment" => {
            from_policy.extend(["gitlab-hosted", "self-hosted"].map(String::from));
            from_policy
        }
        _ => {
            from_policy.push("their-value".into());
            from_policy
        }
    };
    let mut seen = BTreeSet::new();
    out.retain(|v| seen.insert(v.clone()));
    out
}

/// Issuers that are not GitLab, whose `sub` has another grammar.
pub const NOT_GITLAB: [&str; 5] = [
    "token.actions.githubusercontent.com",
    "accounts.google.com",
    "cognito-identity.amazonaws.com",
    "graph.facebook.com",
    "www.amazon.com",
];

/// Is this route's issuer a GitLab instance? Known other issuers are not; nor is one whose trust
/// writes `sub` values that are no GitLab subject.
pub fn is_gitlab(view: &TrustView, route: &Route) -> bool {
    if NOT_GITLAB.contains(&route.host.as_str()) {
        return false;
    }
    let subs = written(view, &route.host, "sub");
    subs.is_empty()
        || subs.iter().any(|v| {
            v.starts_with("project_path:")
                || v.starts_with("project_id:")
                || v.starts_with(['*', '?'])
        })
}

/// Does the statement speak of this route's web-identity sign-in (principal and action)?
pub fn reaches(s: &Statement, route: &Route) -> bool {
    let caller = iam::Caller::WebIdentity {
        provider: route.provider_arn.clone(),
    };
    eval::principal_matches(s, &caller) && eval::action_matches(s, iam::WEB_IDENTITY)
}

/// Is the statement one IAM would evaluate for this route's sign-in (valid, principal, action)?
pub fn in_play(s: &Statement, route: &Route) -> bool {
    !matches!(s.effect, Effect::Invalid(_))
        && !s.principal.negated
        && !s.actions.patterns.is_empty()
        && reaches(s, route)
}

/// A token `who` could bring that the role admits through `route`, if there is one.
///
/// Per claim, the candidates are first narrowed by the Allow's own conditions and by every Deny
/// whose conditions read that claim alone (a value such a Deny refuses is refused whatever the
/// other claims are). What is left is tried in combination, capped, each asked of the full
/// evaluator; the narrowing only drops what could never be admitted.
pub fn find(view: &TrustView, route: &Route, who: Who, now: u64) -> Option<Witness> {
    let stars = &fillers_for(view, &route.host);
    let n = named(view, &route.host);
    let claims = supported_claims(&route.host);
    let keys: Vec<String> = claims
        .iter()
        .map(|c| format!("{}:{c}", route.host).to_lowercase())
        .collect();
    let lists: Vec<Vec<String>> = claims
        .iter()
        .map(|c| candidates(view, route, who, c, stars, &n))
        .collect();
    if lists.iter().any(Vec::is_empty) {
        return None;
    }
    let mut base = Context::new();
    for (key, list) in keys.iter().zip(&lists) {
        base.set_one(key, &list[0]);
    }
    base.insert("aws:EpochTime", vec![now.to_string()]);
    let variables = view.version.as_deref() == Some("2012-10-17");
    let position = |key: &str| keys.iter().position(|k| k == &key.to_lowercase());
    // A claim no statement speaks of (nor names in a variable) cannot change the verdict.
    let spoken: Vec<bool> = keys
        .iter()
        .map(|key| {
            view.statements.iter().flat_map(|s| &s.conditions).any(|c| {
                c.key.to_lowercase() == *key
                    || c.values
                        .iter()
                        .any(|v| v.to_lowercase().contains(&format!("${{{key}")))
            })
        })
        .collect();
    // Denies that read one claim only (the rest of their conditions being fixed and true).
    let mut deny_on: Vec<Vec<&Statement>> = vec![Vec::new(); keys.len()];
    for d in view
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Deny && in_play(s, route))
    {
        let (fixed, varying): (Vec<_>, Vec<_>) = d
            .conditions
            .iter()
            .partition(|c| position(&c.key).is_none());
        if !fixed.iter().all(|c| holds(c, &base, variables).0) {
            continue;
        }
        let read: BTreeSet<usize> = varying.iter().filter_map(|c| position(&c.key)).collect();
        match read.len() {
            // Applies to every token of the route.
            0 => return None,
            1 => {
                if let Some(k) = read.first() {
                    deny_on[*k].push(d);
                }
            }
            _ => {}
        }
    }
    for allow in view
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow && in_play(s, route))
    {
        let mut narrowed: Vec<Vec<usize>> = Vec::new();
        for (k, list) in lists.iter().enumerate() {
            let own: Vec<&Condition> = allow
                .conditions
                .iter()
                .filter(|c| position(&c.key) == Some(k))
                .collect();
            let mut ctx = base.clone();
            let keep: Vec<usize> = (0..if spoken[k] { list.len() } else { 1 })
                .filter(|&i| {
                    ctx.set_one(&keys[k], &list[i]);
                    own.iter().all(|c| holds(c, &ctx, variables).0)
                        && !deny_on[k].iter().any(|d| {
                            d.conditions
                                .iter()
                                .filter(|c| position(&c.key) == Some(k))
                                .all(|c| holds(c, &ctx, variables).0)
                        })
                })
                .collect();
            narrowed.push(keep);
        }
        if narrowed.iter().any(Vec::is_empty) {
            continue;
        }
        // The combinations, capped, until one the whole trust admits.
        let mut request = Request::web_identity(&route.provider_arn, base.clone());
        let mut pos = vec![0usize; narrowed.len()];
        for (k, p) in pos.iter().enumerate() {
            request
                .context
                .set_one(&keys[k], &lists[k][narrowed[k][*p]]);
        }
        for _ in 0..5_000 {
            if eval::allows(view, &request) {
                let sub = keys
                    .iter()
                    .position(|k| k.ends_with(":sub"))
                    .map(|k| lists[k][narrowed[k][pos[k]]].clone());
                return Some(Witness {
                    statement: allow.index,
                    sub,
                });
            }
            // Next combination (odometer); done when it wraps.
            let mut k = 0;
            while k < pos.len() {
                pos[k] += 1;
                if pos[k] < narrowed[k].len() {
                    request
                        .context
                        .set_one(&keys[k], &lists[k][narrowed[k][pos[k]]]);
                    break;
                }
                pos[k] = 0;
                request.context.set_one(&keys[k], &lists[k][narrowed[k][0]]);
                k += 1;
            }
            if k == pos.len() {
                break;
            }
        }
    }
    None
}
