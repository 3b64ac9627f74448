//! Reading the account for an audit: the roles a web-identity token can reach, with their
//! policies and providers, side by side within bounds that adapt to throttling.

use std::collections::BTreeMap;

use super::*;

/// The names of the account's GitLab OIDC roles (every page of `ListRoles`, one read), sorted:
/// what the wizard offers to pick from for Explain and Remove.
pub async fn gitlab_role_names<A: Aws>(aws: &A) -> Result<Vec<String>, EngineError> {
    let mut names: Vec<String> = aws
        .list_roles()
        .await
        .map_err(EngineError::aws(Step::Role))?
        .into_iter()
        .filter(is_gitlab_role)
        .map(|r| r.name)
        .collect();
    names.sort();
    Ok(names)
}

/// How `check` read the account, and how far it is: said once on stderr (the way) and as
/// progress on a terminal, never on stdout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// Every role and its attached policies in one paged read.
    ReadAtOnce { roles: usize },
    /// That read was denied: roles listed, then each web-identity role's policies read,
    /// `concurrency` at a time.
    OneByOne { denied: String, concurrency: usize },
    /// Roles whose policies have been read, of `total`.
    Progress { done: usize, total: usize },
}

impl Note {
    /// The one stderr line for the way the account was read (progress has none).
    pub fn line(&self) -> Option<String> {
        match self {
            Note::ReadAtOnce { roles } => Some(format!(
                "read {roles} role{} with GetAccountAuthorizationDetails",
                if *roles == 1 { "" } else { "s" }
            )),
            Note::OneByOne {
                denied,
                concurrency,
            } => Some(format!(
                "GetAccountAuthorizationDetails was refused ({denied}): reading each role's policies instead, {concurrency} at a time (allow iam:GetAccountAuthorizationDetails, e.g. with SecurityAudit, for one read)"
            )),
            Note::Progress { .. } => None,
        }
    }
}

/// Reads in flight at once when roles are read one by one: `AWS_OIDC_WIZARD_CONCURRENCY`
/// (1–64, default 16).
pub fn concurrency() -> usize {
    std::env::var("AWS_OIDC_WIZARD_CONCURRENCY")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| (1..=64).contains(n))
        .unwrap_or(16)
}

/// Audit one role by name, or every role a web-identity token can reach. Read-only: `GetRole`
/// and its attached policies for one role; for every role, `GetAccountAuthorizationDetails`
/// (with `ListRoles` beside it), or where that is denied `ListRoles` and each web-identity
/// role's attached policies, a few at a time; each named provider once; and for a self-managed
/// issuer, one TLS handshake per host to compare its thumbprint.
pub async fn check<A: Aws>(aws: &A, role: Option<&str>) -> Result<Vec<RoleReport>, EngineError> {
    check_with(
        aws,
        role,
        |host: String| async move { Some(crate::preflight::tls(&host, 443).await) },
        |_| {},
    )
    .await
}

/// `check`, with the TLS handshake given (`None` when the host is not to be contacted:
/// `--offline`; tests answer without a network) and `note` told how the account is read.
pub async fn check_with<A, F, Fut>(
    aws: &A,
    role: Option<&str>,
    tls: F,
    mut note: impl FnMut(Note),
) -> Result<Vec<RoleReport>, EngineError>
where
    A: Aws,
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Option<Result<crate::preflight::TlsReport, String>>>,
{
    let roles: Vec<(Role, Vec<AttachedPolicy>)> = match role {
        Some(name) => {
            let Some(r) = aws
                .get_role(name)
                .await
                .map_err(EngineError::aws(Step::Role))?
            else {
                return Err(EngineError::RoleNotFound {
                    name: name.to_string(),
                });
            };
            let attached = aws
                .list_attached_policies(&r.name)
                .await
                .map_err(EngineError::aws(Step::Permissions))?;
            vec![(r, attached)]
        }
        None => {
            let mut all = web_identity_roles(aws, &mut note).await?;
            // By name, whichever way the account was read (IAM promises no order).
            all.sort_by(|(a, _), (b, _)| {
                (a.name.to_lowercase(), &a.name).cmp(&(b.name.to_lowercase(), &b.name))
            });
            all
        }
    };
    let mut providers: BTreeMap<String, Option<OidcProvider>> = BTreeMap::new();
    let mut handshakes = Handshakes::new();
    let now = crate::explain::now();
    let mut named_of = Vec::with_capacity(roles.len());
    for (r, _) in &roles {
        let named = TrustView::read(&r.trust_policy).oidc_providers();
        for arn in &named {
            if !providers.contains_key(arn) {
                let p = aws
                    .get_oidc_provider(arn)
                    .await
                    .map_err(EngineError::aws(Step::Provider))?;
                // gitlab.com's and the big issuers' chains are public: only self-managed
                // issuers need a look.
                let host = provider_host(arn).split('/').next().unwrap_or_default();
                if p.is_some()
                    && host != "gitlab.com"
                    && !route::NOT_GITLAB.contains(&host)
                    && !handshakes.contains_key(host)
                    && let Some(seen) = tls(host.to_string()).await
                {
                    handshakes.insert(host.to_string(), seen);
                }
                providers.insert(arn.clone(), p);
            }
        }
        named_of.push(named.into_iter().next());
    }
    // Every AWS answer is in: the reasoning, which is all CPU, runs on every core, off the
    // async workers, so that the reads of other accounts (`check --org`) go on meanwhile.
    let (roles, findings) = reason_off_the_workers(roles, providers, handshakes, now).await;
    Ok(roles
        .into_iter()
        .zip(findings)
        .zip(named_of)
        .map(|(((r, _), findings), provider)| RoleReport {
            findings,
            role: r.name,
            arn: r.arn,
            provider,
            source: None,
        })
        .collect())
}

/// [`audit_all`] on tokio's blocking threads where there is a runtime (inline where not).
async fn reason_off_the_workers(
    roles: Vec<(Role, Vec<AttachedPolicy>)>,
    providers: BTreeMap<String, Option<OidcProvider>>,
    handshakes: Handshakes,
    now: u64,
) -> (Vec<(Role, Vec<AttachedPolicy>)>, Vec<Vec<Finding>>) {
    if tokio::runtime::Handle::try_current().is_err() {
        let findings = audit_all(&roles, &providers, &handshakes, now);
        return (roles, findings);
    }
    let work = tokio::task::spawn_blocking(move || {
        let findings = audit_all(&roles, &providers, &handshakes, now);
        (roles, findings)
    });
    match work.await {
        Ok(done) => done,
        // A panic in the reasoning is a bug; it stays a panic, as it would inline.
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// `audit_with` of every role, the roles shared among the machine's cores, in their order.
fn audit_all(
    roles: &[(Role, Vec<AttachedPolicy>)],
    providers: &BTreeMap<String, Option<OidcProvider>>,
    handshakes: &Handshakes,
    now: u64,
) -> Vec<Vec<Finding>> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let chunk = roles.len().div_ceil(cores).max(1);
    if roles.len() < 32 || cores == 1 {
        return roles
            .iter()
            .map(|(r, a)| audit_with(r, providers, handshakes, a, now))
            .collect();
    }
    std::thread::scope(|scope| {
        let parts: Vec<_> = roles
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(r, a)| audit_with(r, providers, handshakes, a, now))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| {
                // A panic in the reasoning is a bug; it stays a panic (the terminal guard
                // restores the screen), as it would on one thread.
                p.join().unwrap_or_else(|e| std::panic::resume_unwind(e))
            })
            .collect()
    })
}

/// Every role a web-identity token can reach, with its attached policies, in `ListRoles` order.
async fn web_identity_roles<A: Aws>(
    aws: &A,
    note: &mut impl FnMut(Note),
) -> Result<Vec<(Role, Vec<AttachedPolicy>)>, EngineError> {
    match aws.roles_with_policies().await {
        Ok(all) => {
            note(Note::ReadAtOnce { roles: all.len() });
            return Ok(all
                .into_iter()
                .filter(|(r, _)| is_web_identity_role(r))
                .collect());
        }
        Err(e) if e.is_access_denied() => note(Note::OneByOne {
            denied: e.code().to_string(),
            concurrency: concurrency(),
        }),
        Err(e) => return Err(EngineError::aws(Step::Role)(e)),
    }
    let roles: Vec<Role> = aws
        .list_roles()
        .await
        .map_err(EngineError::aws(Step::Role))?
        .into_iter()
        .filter(is_web_identity_role)
        .collect();
    let total = roles.len();
    let attached = read_each(
        &roles,
        concurrency(),
        |r: &Role| aws.list_attached_policies(&r.name),
        |done| note(Note::Progress { done, total }),
    )
    .await
    .map_err(EngineError::aws(Step::Permissions))?;
    Ok(roles.into_iter().zip(attached).collect())
}

/// Outer rounds for a read that IAM throttled beyond the SDK's own attempts.
const THROTTLED_ROUNDS: u32 = 5;

/// Read `read(item)` for every item, at most `width` in flight, results in the items' order.
/// While IAM throttles (a read still throttled after the SDK's attempts) the width halves and the
/// read goes back in the queue after a pause; each read that succeeds widens it again by one, up to
/// `width`. Any other error ends the read.
pub async fn read_each<'a, T, R, Fut>(
    items: &'a [T],
    width: usize,
    read: impl Fn(&'a T) -> Fut,
    mut done: impl FnMut(usize),
) -> crate::aws::AwsResult<Vec<R>>
where
    Fut: std::future::Future<Output = crate::aws::AwsResult<R>>,
{
    use futures_util::StreamExt as _;
    use futures_util::stream::FuturesUnordered;
    let max = width.max(1);
    let mut width = max;
    let mut results: Vec<Option<R>> = items.iter().map(|_| None).collect();
    let mut queue: std::collections::VecDeque<(usize, u32)> =
        (0..items.len()).map(|i| (i, 0)).collect();
    let mut running = FuturesUnordered::new();
    let mut finished = 0;
    loop {
        while running.len() < width
            && let Some((i, round)) = queue.pop_front()
        {
            let pause = if round == 0 {
                std::time::Duration::ZERO
            } else {
                std::time::Duration::from_millis(250 << round.min(5))
            };
            let fut = read(&items[i]);
            running.push(async move {
                tokio::time::sleep(pause).await;
                (i, round, fut.await)
            });
        }
        let Some((i, round, result)) = running.next().await else {
            break;
        };
        match result {
            Ok(r) => {
                results[i] = Some(r);
                finished += 1;
                width = (width + 1).min(max);
                done(finished);
            }
            Err(e) if e.is_throttling() && round < THROTTLED_ROUNDS => {
                width = (width / 2).max(1);
                tracing::debug!(width, "throttled: fewer reads at once");
                queue.push_back((i, round + 1));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(results.into_iter().flatten().collect())
}
