//! The rules of `check`, each a small function from the typed trust view (and what the probe
//! found) to findings.

use std::collections::BTreeMap;

use super::reason::{self, Verdict, Who, Witness};
use super::route::{self, Route};
use super::{Code, Finding, Severity, finding};
use crate::aws::OidcProvider;
use crate::iam::document::Ambiguity;
use crate::iam::{self, Caller, Context, Decided, Request, condition::holds};
use crate::plan::trust_view::{
    Condition, Effect, Qualifier, Statement, TrustView, supported_claims,
};
use serde_json::Value;

/// The trust names an OIDC provider that does not exist.
pub fn missing_providers(
    routes: &[Route],
    providers: &BTreeMap<String, Option<OidcProvider>>,
) -> Vec<Finding> {
    routes
        .iter()
        .filter(|r| matches!(providers.get(&r.provider_arn), Some(None)))
        .map(|r| {
            finding(
                Code::ProviderMissing,
                format!(
                    "the trust names OIDC provider {}, which does not exist: no pipeline can assume the role",
                    r.provider_arn
                ),
                "create the provider (aws-oidc-wizard apply) or delete the role",
            )
        })
        .collect()
}

/// Any AWS account's principals may call `sts:AssumeRole` (`{"AWS": "*"}`, or `"*"`).
pub fn any_aws_principal(view: &TrustView) -> Vec<Finding> {
    let stranger = "arn:aws:iam::999999999999:role/stranger";
    let request = Request {
        caller: Caller::Aws {
            arn: stranger.into(),
        },
        action: iam::ASSUME_ROLE.into(),
        context: Context::new()
            .with("aws:PrincipalArn", stranger)
            .with("aws:PrincipalAccount", "999999999999")
            .with("aws:PrincipalOrgID", "o-stranger")
            .with("aws:PrincipalType", "AssumedRole"),
    };
    match iam::evaluate(view, &request).decided_by {
        Decided::Allow(n) => vec![finding(
            Code::AnyAwsPrincipal,
            format!(
                "statement {n} lets principals of any AWS account call sts:AssumeRole on this role"
            ),
            "name the accounts or roles that may assume it, or remove the statement",
        )],
        _ => vec![],
    }
}

/// Who gets in through each GitLab route, each class of `reason::Who` asked in turn, every
/// finding with the token that gets in. Who is an outsider, a colleague or a developer is GitLab's
/// notion; other issuers are only checked for keys that never match and for being dead.
pub fn who_gets_in(
    view: &TrustView,
    routes: &[Route],
    anyone: &[Verdict],
    now: u64,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for (route, anyone) in routes
        .iter()
        .zip(anyone)
        .filter(|(r, _)| route::is_gitlab(view, r))
    {
        let mut unknown: Option<String> = None;
        let mut ask = |who: Who| match reason::admits(view, route, who, now) {
            Verdict::Admitted(w) => Some(w),
            Verdict::Unknown(why) => {
                unknown.get_or_insert(why);
                None
            }
            Verdict::Refused => None,
        };
        let gitlab_com = route.host == "gitlab.com";
        // Every class is a part of "anyone": when no token at all gets in, none does.
        if *anyone == Verdict::Refused {
            continue;
        }
        if let Some(w) = ask(Who::Outsider) {
            // Open to anyone: what a colleague or a developer could do adds nothing.
            out.push(outsider(view, route, &w, now));
            if let Some(why) = unknown {
                out.push(incomplete(route, &why));
            }
            continue;
        }
        {
            if let Some(w) = ask(Who::OutsiderInRange) {
                out.push(with_example(
                    Code::OpenFromNetwork,
                    format!(
                        "statement {} admits a token of any project on {} when the request comes from an address the policy names (e.g. aws:SourceIp {}): anyone who can run a job there (shared runners, a NAT'd network) gets in",
                        w.statement,
                        route.host,
                        w.values.get("aws:sourceip").map(String::as_str).unwrap_or("?")
                    ),
                    "add a sub condition naming your projects; an address range is no identity",
                    route,
                    &w,
                    now,
                ));
            }
            if let Some(w) = ask(Who::Colleague) {
                out.push(with_example(
                    Code::SubMatchesGroup,
                    format!(
                        "statement {} admits every project of a group, including ones created later (e.g. sub {:?})",
                        w.statement,
                        w.sub().unwrap_or_default()
                    ),
                    "name the projects, or pin project_id",
                    route,
                    &w,
                    now,
                ));
            }
            if gitlab_com && let Some(w) = ask(Who::Recycler) {
                out.push(with_example(
                    Code::PathOnly,
                    format!(
                        "statement {} trusts paths only: if a namespace it names is deleted or renamed, whoever registers the name again gets in (e.g. sub {:?} with ids that are not yours)",
                        w.statement,
                        w.sub().unwrap_or_default()
                    ),
                    "pin StringEquals gitlab.com:namespace_id (the id of the project's group or user namespace; apply pins it by default) or gitlab.com:project_id beside the sub",
                    route,
                    &w,
                    now,
                ));
            }
        }
        if let Some(w) = ask(Who::Developer) {
            let tag = w.sub().is_some_and(|s| s.contains(":ref_type:tag:"));
            out.push(with_example(
                Code::AnyRefUnprotected,
                format!(
                    "statement {} admits {} of the project, unprotected ones included: anyone with Developer access can push one (e.g. sub {:?}) and assume the role",
                    w.statement,
                    if tag { "tags" } else { "any ref" },
                    w.sub().unwrap_or_default()
                ),
                if gitlab_com {
                    "add StringEquals gitlab.com:ref_protected \"true\", or name the refs"
                } else {
                    "name the refs (and protect them)"
                },
                route,
                &w,
                now,
            ));
        }
        if let Some(w) = ask(Who::TagAsBranch) {
            out.push(with_example(
                Code::TagAsBranch,
                format!(
                    "statement {} admits a tag with the name of a branch it names (e.g. sub {:?}): a developer who may push tags gets in",
                    w.statement,
                    w.sub().unwrap_or_default()
                ),
                "write ref_type:branch in the sub instead of a wildcard",
                route,
                &w,
                now,
            ));
        }
        if let Some(w) = ask(Who::CaseVariant) {
            out.push(with_example(
                Code::SubIgnoreCase,
                format!(
                    "statement {} compares sub ignoring case: a ref of another case is another, unprotected ref (e.g. sub {:?})",
                    w.statement,
                    w.sub().unwrap_or_default()
                ),
                "use StringEquals or StringLike on sub: git refs are case-sensitive",
                route,
                &w,
                now,
            ));
        }
        if let Some(why) = unknown {
            out.push(incomplete(route, &why));
        }
    }
    out
}

fn incomplete(route: &Route, why: &str) -> Finding {
    finding(
        Code::AnalysisIncomplete,
        format!(
            "the analysis of who can assume the role through {} is incomplete: {why}",
            route.host
        ),
        "simplify the trust policy, or review it by hand with explain",
    )
}

/// A finding with the token that shows it.
fn with_example(
    code: Code,
    message: String,
    fix: &str,
    route: &Route,
    w: &Witness,
    now: u64,
) -> Finding {
    Finding {
        counterexample: Some(super::Counterexample::of(route, w, now)),
        ..finding(code, message, fix)
    }
}

/// Whether any token at all gets in, per route (what both `who_gets_in` and `dead` start from).
pub fn anyone(view: &TrustView, routes: &[Route], now: u64) -> Vec<Verdict> {
    routes
        .iter()
        .map(|r| reason::admits(view, r, Who::Anyone, now))
        .collect()
}

/// A role no token of its (existing) providers can get into is dead, not open. `anyone`: per
/// route, as `anyone` answers.
pub fn dead(routes: &[Route], anyone: &[Verdict]) -> Vec<Finding> {
    let live: Vec<(&Route, &Verdict)> = routes
        .iter()
        .zip(anyone)
        .filter(|(r, _)| r.client_ids.is_some())
        .collect();
    if live.is_empty() {
        return vec![];
    }
    let mut unknown = None;
    for (r, verdict) in live {
        match verdict {
            Verdict::Admitted(_) => return vec![],
            Verdict::Unknown(why) => unknown = Some((r, why)),
            Verdict::Refused => {}
        }
    }
    if let Some((r, why)) = unknown {
        return vec![incomplete(r, why)];
    }
    vec![finding(
        Code::Dead,
        "no token of the named providers can satisfy the trust policy: the role is dead (no pipeline can assume it)".to_string(),
        "fix the condition that never matches (see the findings above), or delete the role",
    )]
}

/// `sub` values of an Allow that no token GitLab issues can match.
pub fn dead_values(view: &TrustView, routes: &[Route]) -> Vec<Finding> {
    let mut out = Vec::new();
    let variables = view.version.as_deref() == Some("2012-10-17");
    for (s, reached) in allows_reaching(view, routes) {
        for r in reached.iter().filter(|r| route::is_gitlab(view, r)) {
            let key = format!("{}:sub", r.host).to_lowercase();
            for c in s.conditions.iter().filter(|c| {
                c.key.to_lowercase() == key && !c.operator.is_negated() && c.operator.base != "Null"
            }) {
                for v in c
                    .values
                    .iter()
                    .filter(|v| reason::matches_no_sub(c, v, variables))
                {
                    out.push(finding(
                        Code::SubNeverMatches,
                        format!(
                            "statement {}: sub value {v:?} ({}) matches no subject GitLab issues (project_path:GROUP/PROJECT:ref_type:branch|tag:ref:REF, or project_id:ID:…)",
                            s.index, c.operator.written
                        ),
                        "write the value as GitLab writes sub, e.g. project_path:GROUP/PROJECT:ref_type:branch:ref:main",
                    ));
                }
            }
        }
    }
    out
}

/// The finding for an outsider's token, named after what let it in.
fn outsider(view: &TrustView, route: &Route, w: &Witness, now: u64) -> Finding {
    let host = &route.host;
    let sub = w.sub().unwrap_or_default().to_string();
    let Some(s) = view.statements.iter().find(|s| s.index == w.statement) else {
        return with_example(
            Code::AdmitsAnyProject,
            format!("a token of any project on {host} is accepted (e.g. sub {sub:?})"),
            "add a sub condition naming your projects",
            route,
            w,
            now,
        );
    };
    let sub_key = format!("{host}:sub").to_lowercase();
    let subs: Vec<&Condition> = s
        .conditions
        .iter()
        .filter(|c| c.key.to_lowercase() == sub_key)
        .collect();
    let confining = |c: &&Condition| {
        // `sub` is in every token, so IfExists and ForAllValues compare it as usual.
        !c.operator.is_negated() && c.operator.base != "Null"
    };
    let (code, what, fix) = if s.principal.anyone {
        (
            Code::PrincipalAnyone,
            format!(
                "statement {} has Principal \"*\": tokens of any project (and of any OIDC provider of the account) are accepted",
                s.index
            ),
            "name the provider as {\"Federated\": ARN} and add a sub condition naming your projects",
        )
    } else if subs.is_empty() {
        (
            Code::NoSub,
            format!("no sub condition: any project on {host} can assume this role"),
            "add StringEquals on sub, e.g. project_path:GROUP/PROJECT:ref_type:branch:ref:main",
        )
    } else if !subs.iter().any(confining) {
        (
            Code::SubNotConfining,
            format!(
                "the sub condition ({}) only refuses some values: any other project on {host} can assume this role",
                subs.iter()
                    .map(|c| c.operator.written.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "use StringEquals (or StringLike) on sub, naming your projects",
        )
    } else if let Some(v) = subs
        .iter()
        .filter(|c| confining(c))
        .flat_map(|c| &c.values)
        .find(|v| takes_a_claim(view, v))
    {
        (
            Code::SubVariable,
            format!(
                "sub pattern {v:?} takes part of its value from the request (a policy variable): whoever brings the token chooses it, e.g. every user through their personal namespace"
            ),
            "write the group and project out: project_path:GROUP/PROJECT:ref_type:branch:ref:main",
        )
    } else {
        let values: Vec<&str> = subs
            .iter()
            .filter(|c| confining(c))
            .flat_map(|c| c.values.iter().map(String::as_str))
            .collect();
        (
            Code::SubMatchesEverything,
            format!(
                "sub pattern {} matches projects of any group (a * or ? in or before the top-level group): other people's pipelines can assume this role",
                values
                    .iter()
                    .map(|v| format!("{v:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "write the group and project out: project_path:GROUP/PROJECT:ref_type:branch:ref:main",
        )
    };
    with_example(
        code,
        format!("{what} (e.g. sub {sub:?})"),
        fix,
        route,
        w,
        now,
    )
}

/// Does a policy value hold a variable that names a request key (not `${*}`, `${?}`, `${$}`)?
fn takes_a_claim(view: &TrustView, value: &str) -> bool {
    view.version.as_deref() == Some("2012-10-17")
        && crate::iam::pattern::parts(value, true).is_some_and(|parts| {
            parts
                .iter()
                .any(|p| matches!(p, crate::iam::pattern::Part::Var { .. }))
        })
}

/// The Allow statements a route reaches, with the hosts of those routes.
fn allows_reaching<'a>(
    view: &'a TrustView,
    routes: &'a [Route],
) -> Vec<(&'a Statement, Vec<&'a Route>)> {
    view.statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
        .map(|s| {
            (
                s,
                routes
                    .iter()
                    .filter(|r| route::reaches(s, r))
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, r)| !r.is_empty())
        .collect()
}

/// Keys that never match (or always do), and operators that do not mean what they seem.
pub fn keys(view: &TrustView, routes: &[Route]) -> Vec<Finding> {
    let mut out = Vec::new();
    let variables = view.version.as_deref() == Some("2012-10-17");
    for (s, reached) in allows_reaching(view, routes) {
        for (i, c) in s.conditions.iter().enumerate() {
            let (op, key, values) = (&c.operator.written, &c.key, &c.values);
            let first_of_operator =
                s.conditions.iter().position(|d| d.operator == c.operator) == Some(i);
            if c.operator.qualifier == Some(Qualifier::ForAllValues) && first_of_operator {
                out.push(finding(
                    Code::ForAllValues,
                    format!("{op} is true when the claim is missing: it restricts nothing for single-valued claims"),
                    "use the plain operator (StringEquals / StringLike)",
                ));
            }
            if c.operator.base.starts_with("StringEquals") && values.iter().any(|v| v.contains('*'))
            {
                out.push(finding(
                    Code::EqualsWithWildcard,
                    format!("{op} on {key} with a '*': StringEquals compares literally, so the pattern never matches"),
                    "use StringLike for patterns",
                ));
            }
            // What the condition is when the request never carries its key.
            let never = || {
                if holds(c, &Context::new(), variables).0 {
                    "it is always true, so the condition restricts nothing".to_string()
                } else {
                    format!("it never matches, so statement {} is dead", s.index)
                }
            };
            let lower = key.to_lowercase();
            if lower.starts_with("https://") || lower.starts_with("http://") {
                out.push(finding(
                    Code::KeyWithScheme,
                    format!(
                        "condition key {key:?} contains the scheme: no request carries it, {}",
                        never()
                    ),
                    "write keys as host[/path]:claim, e.g. gitlab.com:sub",
                ));
                continue;
            }
            let Some((key_host, claim)) = lower.rsplit_once(':') else {
                continue;
            };
            if key_host == "aws" || key_host == "sts" {
                continue;
            }
            match reached.iter().find(|r| r.host.to_lowercase() == key_host) {
                None if key_host.contains('.') || key_host.contains('/') => out.push(finding(
                    Code::KeyOtherHost,
                    format!(
                        "condition key {key:?} is for {key_host}, not this statement's provider {}: {}",
                        reached.iter().map(|r| r.host.as_str()).collect::<Vec<_>>().join(", "),
                        never()
                    ),
                    "use keys of the role's provider",
                )),
                None => {}
                Some(r) if !supported_claims(&r.host).contains(&claim) => out.push(finding(
                    Code::UnsupportedKey,
                    format!("AWS does not support the condition key {key:?} for this issuer: {}", never()),
                    if r.host == "gitlab.com" {
                        "use sub, aud, project_id, namespace_id, ref_protected … (no environment key exists)"
                    } else {
                        "a self-managed issuer allows only aud and sub conditions"
                    },
                )),
                Some(_) => {}
            }
        }
    }
    out
}

/// Audiences the trust asks for that the provider does not list: tokens are rejected.
pub fn audiences(view: &TrustView, routes: &[Route]) -> Vec<Finding> {
    let mut out = Vec::new();
    for (s, reached) in allows_reaching(view, routes) {
        for r in reached {
            let Some(ids) = &r.client_ids else { continue };
            let key = format!("{}:aud", r.host).to_lowercase();
            for c in s.conditions.iter().filter(|c| {
                c.key.to_lowercase() == key
                    && c.operator.base.starts_with("StringEquals")
                    && !c.operator.if_exists
            }) {
                for v in c.values.iter().filter(|v| !ids.contains(v)) {
                    out.push(finding(
                        Code::AudienceNotRegistered,
                        format!("the trust asks for audience {v:?}, which the provider does not list ({}): tokens are rejected", ids.join(", ")),
                        "add the audience to the provider (run the setup again with that audience)",
                    ));
                }
            }
        }
    }
    out
}

/// Thumbprints, where they matter: IAM verifies the issuer's keys with the provider's thumbprints
/// only when the chain is not signed by a CA it trusts ("Obtain the thumbprint for an OpenID
/// Connect identity provider", IAM User Guide). `tls`: what the issuer's host presented (`Err`:
/// not reachable from here), for the self-managed routes with an existing provider.
pub fn thumbprints(
    routes: &[Route],
    providers: &BTreeMap<String, Option<OidcProvider>>,
    tls: &super::Handshakes,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in routes {
        let Some(Some(p)) = providers.get(&r.provider_arn) else {
            continue;
        };
        let host = r.host.split('/').next().unwrap_or_default();
        match tls.get(host) {
            Some(Ok(t)) if !t.public_ca => {
                let listed = p.thumbprints.iter().any(|x| x.eq_ignore_ascii_case(&t.thumbprint));
                if p.thumbprints.is_empty() {
                    out.push(finding(
                        Code::ThumbprintMissing,
                        format!("{host}'s certificate chain is not signed by a public CA and the provider lists no thumbprint: AWS cannot verify the issuer's keys, so tokens are refused"),
                        &format!("set the provider's thumbprint list to {} (IAM UpdateOpenIDConnectProviderThumbprint)", t.thumbprint),
                    ));
                } else if !listed {
                    out.push(finding(
                        Code::ThumbprintStale,
                        format!("{host}'s certificate chain is not signed by a public CA and now ends in a certificate with thumbprint {}, which the provider does not list ({}): tokens are refused", t.thumbprint, p.thumbprints.join(", ")),
                        &format!("add {} to the provider's thumbprint list (IAM UpdateOpenIDConnectProviderThumbprint)", t.thumbprint),
                    ));
                }
            }
            Some(Err(e)) => out.push(finding(
                Code::ThumbprintUnchecked,
                format!("{host} could not be reached over TLS from here ({e}), so its thumbprint was not compared with the provider's"),
                "run the check where the instance is reachable",
            )),
            _ => {}
        }
    }
    out
}

/// The fix of every finding about repeated keys.
const WRITE_EACH_KEY_ONCE: &str = "write each key once in every object of the trust policy";

/// A trust policy whose text repeats a key in one object: IAM does not document which value it
/// keeps, so every reading is audited (`findings_of`), and a verdict holds for every reading
/// (docs/adversary-model.md):
/// - critical (`duplicate-keys-open`) when some reading lets an outsider in that the main one does
///   not, otherwise `duplicate-keys` (medium);
/// - every other finding of another reading whose code the main reading lacks is said too, named
///   by its reading: an incomplete analysis, an open range, a developer's way in;
/// - incomplete where there were more readings than were audited;
/// - `main`: the main reading's findings; its `dead` goes when another reading lets some token in.
pub fn ambiguous(
    ambiguity: &Ambiguity,
    main: &mut Vec<Finding>,
    findings_of: impl Fn(&Value) -> Vec<Finding>,
) -> Vec<Finding> {
    if !ambiguity.is_ambiguous() {
        return Vec::new();
    }
    let open = |f: &Finding| f.severity == Severity::Critical;
    let main_open = main.iter().any(open);
    let readings = ambiguity.readings.len() + 1;
    let others: Vec<Vec<Finding>> = ambiguity.readings.iter().map(&findings_of).collect();
    if others
        .iter()
        .any(|f| !f.iter().any(|f| f.code == Code::Dead))
    {
        main.retain(|f| f.code != Code::Dead);
    }
    let mut out = Vec::new();
    if ambiguity.cut {
        out.push(finding(
            Code::AnalysisIncomplete,
            format!(
                "the trust policy repeats keys in more ways than {} readings: only the {readings} closest to the usual one were audited",
                iam::document::READINGS_BOUND
            ),
            WRITE_EACH_KEY_ONCE,
        ));
    }
    let read_as = |i: usize| {
        format!(
            "the trust policy repeats a key in one JSON object, and IAM does not document which value it keeps: read as reading {} of {readings}",
            i + 2
        )
    };
    let open_elsewhere = (!main_open)
        .then(|| {
            others
                .iter()
                .enumerate()
                .find_map(|(i, f)| f.iter().find(|f| open(f)).map(|f| (i, f)))
        })
        .flatten();
    out.push(match open_elsewhere {
        Some((i, f)) => Finding {
            counterexample: f.counterexample.clone(),
            ..finding(
                Code::DuplicateKeysOpen,
                format!("{}, {}", read_as(i), f.message),
                WRITE_EACH_KEY_ONCE,
            )
        },
        None => finding(
            Code::DuplicateKeys,
            format!(
                "the trust policy repeats a key in one JSON object, and IAM does not document which value it keeps: {readings} readings audited{}",
                if main_open {
                    ""
                } else {
                    ", none of them open to outsiders"
                }
            ),
            WRITE_EACH_KEY_ONCE,
        ),
    });
    // The other readings' own findings, each code once: a verdict that holds for the main
    // reading alone is no verdict on the role.
    let mut said: Vec<Code> = main.iter().chain(&out).map(|f| f.code).collect();
    for (i, found) in others.iter().enumerate() {
        for f in found {
            if f.code == Code::Dead || open(f) || said.contains(&f.code) {
                continue;
            }
            said.push(f.code);
            out.push(Finding {
                message: format!("{}: {}", read_as(i), f.message),
                ..f.clone()
            });
        }
    }
    out
}
