//! The tokens someone could present, as `docs/adversary-model.md` writes them down: one variable
//! per key of the `AssumeRoleWithWebIdentity` request context, each with the values its bringer
//! can give it. The claims of the token are the bringer's (within what GitLab issues), the global
//! keys are fixed by AWS or chosen by the caller, and every other key is absent.

use std::collections::BTreeSet;

use super::lang::{Class, Fold, Item, Lang, lits};
use crate::check::route::{Route, is_gitlab};
use crate::plan::trust_view::{TrustView, supported_claims};

/// Who brings the token: each a class of people, not a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// Anyone with an account on the issuer, in a top-level namespace of their own: none of the
    /// groups, projects or ids the trust names.
    Outsider,
    /// An outsider calling from inside a network range the policy names (an address they do not
    /// control unless that network is theirs too, such as shared runners).
    OutsiderInRange,
    /// Someone who registers a namespace of the name the trust names, after it was deleted or
    /// renamed: the paths the trust names, with ids it does not.
    Recycler,
    /// A member of a group the trust names, in a project created later.
    Colleague,
    /// A developer of a project the trust names, on a ref nobody protected.
    Developer,
    /// A developer who pushes a tag with the name of a branch the trust names.
    TagAsBranch,
    /// A developer who pushes a ref whose name differs from a named one only by case.
    CaseVariant,
    /// Any token at all (is the role reachable?).
    Anyone,
}

/// The values one variable may take.
#[derive(Debug, Clone)]
pub enum Kind {
    /// A string inside every `(lang, true)` and outside every `(lang, false)`.
    Text(Vec<(Lang, bool)>),
    /// One of these.
    Finite(Vec<String>),
    /// The request's time (`aws:EpochTime` and `aws:CurrentTime` together): now or later.
    Time,
    /// The caller's address: any; `outside` when only addresses outside every range the policy
    /// writes count.
    Ip { outside: bool },
}

#[derive(Debug, Clone)]
pub struct Var {
    /// The condition keys it sets, lower case.
    pub keys: Vec<String>,
    pub kind: Kind,
    /// The request may also lack the key.
    pub absent_ok: bool,
    /// Its values are decimal ids (GitLab's canonical numbers).
    pub numeric: bool,
    /// A claim of the token (shown in the counterexample's claims), not a key of the request.
    pub claim: Option<&'static str>,
}

impl Var {
    /// A readable value to try first where no condition reads the key (checked against the
    /// domain before use).
    pub fn sample(&self) -> Option<&'static str> {
        let key = self.keys.first()?;
        let claim = key.rsplit_once(':').map_or(key.as_str(), |(_, c)| c);
        Some(match claim {
            "project_id" | "namespace_id" | "user_id" => "99999991",
            "user_login" => "someone-else",
            "user_email" => "someone-else@example.com",
            "rolesessionname" => "gitlab-ci",
            "useragent" => "aws-cli/2",
            "sub" => "project_path:other-group/their-project:ref_type:branch:ref:their-branch",
            _ => return None,
        })
    }
}

/// The request keys of the unsigned `AssumeRoleWithWebIdentity` call that are never present
/// (there is no signing principal, no service in between): IAM User Guide, "AWS global condition
/// context keys". A condition on them sees an absent key.
pub const ABSENT: [&str; 20] = [
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalisawsservice",
    "aws:principalservicename",
    "aws:principalservicenameslist",
    "aws:principaltype",
    "aws:userid",
    "aws:username",
    "aws:multifactorauthpresent",
    "aws:multifactorauthage",
    "aws:tokenissuetime",
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:calledvia",
    "aws:calledviafirst",
    "aws:calledvialast",
];

/// Is `key` (lower case) one the request never carries?
pub fn absent(key: &str) -> bool {
    ABSENT.contains(&key)
        || [
            "aws:principaltag/",
            "aws:requesttag/",
            "aws:tagkeys",
            "sts:transitivetagkeys",
            "sts:sourceidentity",
            "sts:externalid",
        ]
        .iter()
        .any(|p| key.starts_with(p))
}

/// The commercial partition's regions: the endpoints a caller may send the request to.
pub const REGIONS: [&str; 34] = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-south-1",
    "eu-south-2",
    "eu-north-1",
    "il-central-1",
    "me-south-1",
    "me-central-1",
    "mx-central-1",
    "sa-east-1",
    "us-gov-west-1",
];

/// GitLab's pipeline sources (`CI_PIPELINE_SOURCE`).
const PIPELINE_SOURCES: [&str; 16] = [
    "push",
    "web",
    "trigger",
    "schedule",
    "api",
    "external",
    "pipeline",
    "chat",
    "webide",
    "merge_request_event",
    "external_pull_request_event",
    "parent_pipeline",
    "ondemand_dast_scan",
    "ondemand_dast_validation",
    "security_orchestration_policy",
    "container_registry_push",
];

/// What the trust names literally (no wildcard, no variable): an outsider cannot take these.
#[derive(Debug, Default, Clone)]
pub struct Named {
    /// Top-level groups, lower case (GitLab paths are unique whatever their case).
    pub groups: BTreeSet<String>,
    /// Project paths, lower case.
    pub projects: BTreeSet<String>,
    pub refs: BTreeSet<String>,
    /// Refs named as branches.
    pub branches: BTreeSet<String>,
    pub project_ids: BTreeSet<String>,
    pub namespace_ids: BTreeSet<String>,
    pub user_ids: BTreeSet<String>,
    pub logins: BTreeSet<String>,
    pub emails: BTreeSet<String>,
}

/// The values the trust writes for one claim of this issuer, from every statement.
pub fn written<'a>(view: &'a TrustView, host: &str, claim: &str) -> Vec<&'a str> {
    let key = format!("{host}:{claim}").to_lowercase();
    view.statements
        .iter()
        .flat_map(|s| &s.conditions)
        .filter(|c| c.key.to_lowercase() == key && c.operator.base != "Null")
        .flat_map(|c| c.values.iter().map(String::as_str))
        .collect()
}

pub fn named(view: &TrustView, host: &str) -> Named {
    let mut n = Named::default();
    let plain = |s: &str| !s.is_empty() && !s.contains(['*', '?', '$']);
    for v in written(view, host, "sub") {
        let rest = v
            .strip_prefix("project_path:")
            .or_else(|| v.strip_prefix("project_id:"));
        let Some(rest) = rest else { continue };
        // A project path has no ':', so it ends at the first one (or a wildcard may run on).
        let project = rest.split(':').next().unwrap_or(rest);
        if v.starts_with("project_id:") {
            if plain(project) {
                n.project_ids.insert(project.to_string());
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
        if let Some((_, r)) = rest.split_once(":ref:") {
            let r = r.split(":ref_type:").next().unwrap_or(r);
            if plain(r) {
                n.refs.insert(r.to_string());
                if rest.contains(":ref_type:branch:ref:") {
                    n.branches.insert(r.to_string());
                }
            }
        }
    }
    let plain_values = |claim: &str| -> BTreeSet<String> {
        written(view, host, claim)
            .into_iter()
            .filter(|v| plain(v))
            .map(str::to_string)
            .collect()
    };
    n.project_ids.extend(plain_values("project_id"));
    n.namespace_ids = plain_values("namespace_id");
    n.user_ids = plain_values("user_id");
    n.logins = plain_values("user_login")
        .into_iter()
        .map(|v| v.to_lowercase())
        .collect();
    n.emails = plain_values("user_email");
    n
}

fn star() -> Item {
    Item::Star(Class::Any)
}

/// `project_path:` then a path (two segments or more).
fn path_first() -> Vec<Item> {
    let mut items = lits("project_path:", Fold::Exact);
    items.extend([
        Item::One(Class::Seg),
        Item::Star(Class::Seg),
        Item::Lit('/', Fold::Exact),
        Item::One(Class::Seg),
        Item::Star(Class::Path),
    ]);
    items
}

fn id_first() -> Vec<Item> {
    let mut items = lits("project_id:", Fold::Exact);
    items.extend([Item::One(Class::NonZeroDigit), Item::Star(Class::Digit)]);
    items
}

fn git_ref() -> Vec<Item> {
    vec![Item::One(Class::Ref), Item::Star(Class::Ref)]
}

/// The `sub`s GitLab issues. `any_format`: the bringer owns the project and may choose its
/// `ci_id_token_sub_claim_components` (project_path first, then ref_type and ref in either
/// order, or one of them); otherwise the default `project_path:…:ref_type:…:ref:…` and the
/// id-first form.
pub fn sub_grammar(any_format: bool) -> Lang {
    static GRAMMARS: std::sync::OnceLock<[Lang; 2]> = std::sync::OnceLock::new();
    let [default, any] =
        GRAMMARS.get_or_init(|| [build_sub_grammar(false), build_sub_grammar(true)]);
    if any_format {
        any.clone()
    } else {
        default.clone()
    }
}

fn build_sub_grammar(any_format: bool) -> Lang {
    let mut seqs = Vec::new();
    for ref_type in ["branch", "tag"] {
        let mut tail = lits(":ref_type:", Fold::Exact);
        tail.extend(lits(ref_type, Fold::Exact));
        tail.extend(lits(":ref:", Fold::Exact));
        tail.extend(git_ref());
        for head in [path_first(), id_first()] {
            let mut items = head;
            items.extend(tail.iter().copied());
            seqs.push(Lang::seq(items));
        }
        if any_format {
            let mut items = path_first();
            items.extend(lits(":ref:", Fold::Exact));
            items.extend(git_ref());
            items.extend(lits(":ref_type:", Fold::Exact));
            items.extend(lits(ref_type, Fold::Exact));
            seqs.push(Lang::seq(items));
            let mut items = path_first();
            items.extend(lits(":ref_type:", Fold::Exact));
            items.extend(lits(ref_type, Fold::Exact));
            seqs.push(Lang::seq(items));
        }
    }
    if any_format {
        let mut items = path_first();
        items.extend(lits(":ref:", Fold::Exact));
        items.extend(git_ref());
        seqs.push(Lang::seq(items));
    }
    Lang::unions(seqs)
}

/// `project_path:<one of names>/…`, `project_path:<one of names>:…` or the like: `prefix`, a
/// name (case-insensitive), then `sep` and anything.
fn named_prefix<'a>(prefix: &str, names: impl IntoIterator<Item = &'a String>, sep: &str) -> Lang {
    Lang::unions(names.into_iter().map(|name| {
        let mut items = lits(prefix, Fold::Exact);
        items.extend(lits(name, Fold::Unicode));
        items.extend(lits(sep, Fold::Exact));
        items.push(star());
        Lang::seq(items)
    }))
}

/// Ending in `:ref:<one of refs>` (exactly, or whatever the case).
fn ref_suffix<'a>(refs: impl IntoIterator<Item = &'a String>, infix: &str, fold: Fold) -> Lang {
    Lang::unions(refs.into_iter().map(|r| {
        let mut items = vec![star()];
        items.extend(lits(infix, Fold::Exact));
        items.extend(lits(r, fold));
        Lang::seq(items)
    }))
}

fn exact_set<'a>(values: impl IntoIterator<Item = &'a String>, fold: Fold) -> Lang {
    Lang::unions(values.into_iter().map(|v| Lang::literal(v, fold)))
}

fn digits() -> Lang {
    Lang::seq(vec![
        Item::One(Class::NonZeroDigit),
        Item::Star(Class::Digit),
    ])
}

/// The variables of a request through `route` brought by `who`; `None` when the class is empty
/// for this trust (no branch named, say).
pub fn space(view: &TrustView, route: &Route, who: Who) -> Option<Vec<Var>> {
    let host = &route.host;
    let gitlab = is_gitlab(view, route);
    let n = named(view, host);
    let mut vars = Vec::new();
    let key = |claim: &str| format!("{host}:{claim}").to_lowercase();
    let developer = matches!(who, Who::Developer | Who::TagAsBranch | Who::CaseVariant);
    let stranger = matches!(who, Who::Outsider | Who::OutsiderInRange | Who::Recycler);
    for claim in supported_claims(host) {
        let text = |parts: Vec<(Lang, bool)>, numeric: bool| Var {
            keys: vec![key(claim)],
            kind: Kind::Text(parts),
            absent_ok: false,
            numeric,
            claim: Some(claim),
        };
        let finite = |values: Vec<&str>| Var {
            keys: vec![key(claim)],
            kind: Kind::Finite(values.into_iter().map(str::to_string).collect()),
            absent_ok: false,
            numeric: false,
            claim: Some(claim),
        };
        let ids = |excluded: &BTreeSet<String>| {
            text(
                vec![(digits(), true), (exact_set(excluded, Fold::Exact), false)],
                true,
            )
        };
        let var = match *claim {
            "aud" => match &route.client_ids {
                Some(ids) => finite(ids.iter().map(String::as_str).collect()),
                None => text(vec![(Lang::plus(Class::Text), true)], false),
            },
            "sub" if !gitlab => {
                if who != Who::Anyone {
                    // Who is an outsider is GitLab's notion; other issuers are asked only
                    // whether any token gets in.
                    return None;
                }
                text(vec![(Lang::plus(Class::Text), true)], false)
            }
            "sub" => {
                let mut parts = vec![(sub_grammar(!developer), true)];
                let by_group = named_prefix("project_path:", &n.groups, "/");
                let by_project = named_prefix("project_path:", &n.projects, ":");
                let by_id = named_prefix("project_id:", &n.project_ids, ":");
                match who {
                    Who::Outsider | Who::OutsiderInRange => {
                        parts.push((by_group, false));
                        parts.push((by_id, false));
                    }
                    Who::Recycler => {
                        if n.groups.is_empty() {
                            return None;
                        }
                        parts.push((by_group, true));
                        parts.push((by_id, false));
                    }
                    Who::Colleague => {
                        if !n.groups.is_empty() {
                            parts.push((by_group, true));
                        }
                        parts.push((by_project, false));
                        parts.push((by_id, false));
                    }
                    Who::Developer | Who::TagAsBranch | Who::CaseVariant => {
                        if !n.projects.is_empty() || !n.project_ids.is_empty() {
                            parts.push((by_project.union(by_id), true));
                        } else if !n.groups.is_empty() {
                            // Only groups named: a project of theirs is the colleague's case.
                            return None;
                        }
                        let exact = ref_suffix(&n.refs, ":ref:", Fold::Exact);
                        match who {
                            Who::Developer => {
                                parts.push((ref_suffix(&n.refs, ":ref:", Fold::Unicode), false));
                            }
                            Who::TagAsBranch => {
                                if n.branches.is_empty() {
                                    return None;
                                }
                                parts.push((
                                    ref_suffix(&n.branches, ":ref_type:tag:ref:", Fold::Exact),
                                    true,
                                ));
                            }
                            _ => {
                                if n.refs.is_empty() {
                                    return None;
                                }
                                parts.push((ref_suffix(&n.refs, ":ref:", Fold::Unicode), true));
                                parts.push((exact, false));
                            }
                        }
                    }
                    Who::Anyone => {}
                }
                text(parts, false)
            }
            "project_id" if developer && !n.project_ids.is_empty() => {
                finite(n.project_ids.iter().map(String::as_str).collect())
            }
            "project_id" if who == Who::Anyone || developer => ids(&BTreeSet::new()),
            "project_id" => ids(&n.project_ids),
            "namespace_id" if stranger => ids(&n.namespace_ids),
            "namespace_id" => ids(&BTreeSet::new()),
            "user_id" if stranger => ids(&n.user_ids),
            "user_id" => ids(&BTreeSet::new()),
            "user_login" => {
                let mut parts = vec![(Lang::plus(Class::Seg), true)];
                if stranger {
                    parts.push((
                        exact_set(n.logins.iter().chain(&n.groups), Fold::Unicode),
                        false,
                    ));
                }
                text(parts, false)
            }
            "user_email" => {
                let mut parts = vec![(Lang::plus(Class::Text), true)];
                if stranger {
                    parts.push((exact_set(&n.emails, Fold::Unicode), false));
                }
                text(parts, false)
            }
            "ref_protected" if developer => finite(vec!["false"]),
            "ref_protected" => finite(vec!["true", "false"]),
            "user_access_level" if developer => finite(vec!["developer"]),
            "user_access_level" => finite(vec!["developer", "maintainer", "owner"]),
            "pipeline_source" => finite(PIPELINE_SOURCES.to_vec()),
            "runner_environment" => finite(vec!["gitlab-hosted", "self-hosted"]),
            _ => text(vec![(Lang::plus(Class::Text), true)], false),
        };
        vars.push(var);
    }
    vars.extend(globals(who == Who::Outsider));
    Some(vars)
}

/// The global keys of every `AssumeRoleWithWebIdentity` request, and the ones its caller picks.
/// `outside`: the caller's address is outside every range the policy writes (an outsider's own
/// network).
fn globals(outside: bool) -> Vec<Var> {
    let var = |keys: &[&str], kind: Kind, absent_ok: bool| Var {
        keys: keys.iter().map(|k| k.to_string()).collect(),
        kind,
        absent_ok,
        numeric: false,
        claim: None,
    };
    let any = || Kind::Text(vec![(Lang::plus(Class::Text), true)]);
    vec![
        // STS answers over TLS only.
        var(
            &["aws:securetransport"],
            Kind::Finite(vec!["true".into()]),
            false,
        ),
        var(
            &["aws:viaawsservice"],
            Kind::Finite(vec!["false".into()]),
            false,
        ),
        var(&["aws:epochtime", "aws:currenttime"], Kind::Time, false),
        var(
            &["aws:requestedregion"],
            Kind::Finite(REGIONS.iter().map(|r| r.to_string()).collect()),
            false,
        ),
        var(&["aws:sourceip"], Kind::Ip { outside }, false),
        var(
            &["sts:rolesessionname"],
            Kind::Text(vec![(
                Lang::seq(vec![
                    Item::One(Class::Session),
                    Item::One(Class::Session),
                    Item::Star(Class::Session),
                ]),
                true,
            )]),
            false,
        ),
        var(&["aws:useragent"], any(), true),
        var(&["aws:referer"], any(), true),
        var(&["aws:sourcevpc"], any(), true),
        var(&["aws:sourcevpce"], any(), true),
        var(&["aws:vpcsourceip"], any(), true),
    ]
}
