//! The ways a web-identity token reaches a role (an issuer and the provider ARN IAM uses), and
//! the grammar of the `sub` GitLab issues.

use crate::iam::{self, eval};
use crate::plan::trust_view::{Effect, Statement, TrustView};

use super::reason::space::written;

/// One way a web-identity token can reach the role: an issuer and the provider ARN IAM uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub provider_arn: String,
    /// `host[/path]`: the issuer without `https://`, the prefix of its condition keys.
    pub host: String,
    /// The provider's audiences, when it exists and was read.
    pub client_ids: Option<Vec<String>>,
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
    if route.host == "gitlab.com" || route.host.split(['.', '/']).any(|p| p == "gitlab") {
        return true;
    }
    let subs = written(view, &route.host, "sub");
    subs.is_empty()
        || subs.iter().any(|v| {
            v.starts_with("project_path:")
                || v.starts_with("project_id:")
                || v.starts_with(['*', '?', '$'])
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
