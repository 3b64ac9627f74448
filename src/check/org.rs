//! `check --org`: the audit of every account of an AWS Organization (or of some of its units),
//! with the same rules and proofs as one account's. The caller's own account is read with its
//! own credentials, every other one through `AssumeRole` into a member role; accounts are read
//! side by side, a bounded number at once. An account that cannot be read is an entry with its
//! reason, never left out.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;

use super::{RoleReport, check_with};
use crate::aws::AwsError;
use crate::aws::org::{Account, AccountStatus, Org, Organization, member_role_arn};
use crate::engine::{EngineError, Step};

/// Which accounts, and how to reach them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// Organizational units (or the root): every account under them, at any depth.
    pub units: Vec<String>,
    /// Accounts named one by one.
    pub accounts: Vec<String>,
    /// The role assumed in each member account.
    pub member_role: String,
}

impl Scope {
    /// Neither units nor accounts named: the whole Organization.
    pub fn is_whole(&self) -> bool {
        self.units.is_empty() && self.accounts.is_empty()
    }
}

/// The audit of an Organization: every account in scope, read or not, and every role found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgAudit {
    pub organization: String,
    pub management_account: String,
    /// The member role assumed in the accounts other than the caller's.
    pub member_role: String,
    /// In the Organization's order of account ids.
    pub accounts: Vec<AccountEntry>,
    /// Grouped by account, in the accounts' order; by role name within one.
    pub roles: Vec<AccountRole>,
}

impl OrgAudit {
    pub fn unreadable(&self) -> impl Iterator<Item = &AccountEntry> {
        self.accounts.iter().filter(|a| a.unreadable.is_some())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountEntry {
    pub account: String,
    pub name: String,
    pub status: AccountStatus,
    /// Web-identity roles audited there; absent when the account could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<Unreadable>,
}

/// Why an account could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreadable {
    /// The AWS error code, or `AccountNotActive` / `NotInOrganization`.
    pub code: String,
    pub reason: String,
}

/// A role's report, with the account it is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountRole {
    pub account: String,
    #[serde(flatten)]
    pub report: RoleReport,
}

/// How far the audit is, for a progress line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub accounts_done: usize,
    pub accounts: usize,
    pub roles: usize,
}

/// Accounts read at once: `AWS_OIDC_WIZARD_ACCOUNTS` (1–64, default 8). Each account's own
/// reads are bounded as one account's are; IAM throttles per account, so accounts side by side
/// do not slow each other.
pub fn account_concurrency() -> usize {
    std::env::var("AWS_OIDC_WIZARD_ACCOUNTS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| (1..=64).contains(n))
        .unwrap_or(8)
}

/// The Organization's accounts in `scope`, in the order of their ids, and the ids named in
/// `scope.accounts` that the Organization does not have.
pub async fn accounts_in_scope<A: Org>(
    aws: &A,
    scope: &Scope,
) -> Result<(Vec<Account>, Vec<String>), EngineError> {
    let org_error = |unit: Option<&str>| {
        let unit = unit.map(str::to_string);
        move |e: AwsError| match unit {
            Some(unit) if e.is_code("ParentNotFoundException") => {
                EngineError::UnitNotFound { unit }
            }
            _ => EngineError::Aws {
                step: Step::Organization,
                error: e,
            },
        }
    };
    let mut found: BTreeMap<String, Account> = BTreeMap::new();
    let named: BTreeSet<&str> = scope.accounts.iter().map(String::as_str).collect();
    // The whole list when it is all wanted, or when accounts are named (for their names and
    // states); the units walked level by level, each level's units side by side.
    if scope.is_whole() || !named.is_empty() {
        for a in aws.accounts().await.map_err(org_error(None))? {
            if scope.is_whole() || named.contains(a.id.as_str()) {
                found.insert(a.id.clone(), a);
            }
        }
    }
    let mut level: Vec<String> = scope.units.clone();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    while !level.is_empty() {
        level.retain(|u| seen.insert(u.clone()));
        let answers = futures_util::future::join_all(level.iter().map(|u| aws.children(u))).await;
        let mut next = Vec::new();
        for (unit, answer) in level.iter().zip(answers) {
            let children = answer.map_err(org_error(Some(unit)))?;
            for a in children.accounts {
                found.insert(a.id.clone(), a);
            }
            next.extend(children.units);
        }
        level = next;
    }
    let missing = scope
        .accounts
        .iter()
        .filter(|id| !found.contains_key(id.as_str()))
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    Ok((found.into_values().collect(), missing))
}

/// Audit every account in `scope`. `tls` as for [`check_with`] (each host is asked once for the
/// whole Organization); `progress` is told each time an account is done.
pub async fn check_org<A, F, Fut>(
    aws: &A,
    scope: &Scope,
    tls: F,
    mut progress: impl FnMut(Progress),
) -> Result<OrgAudit, EngineError>
where
    A: Org,
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Option<Result<crate::preflight::TlsReport, String>>>,
{
    let (me, org) = identity_and_organization(aws).await?;
    let (accounts, missing) = accounts_in_scope(aws, scope)
        .await
        .map_err(not_administrator(&me, &org))?;
    // The whole Organization's list holds the caller's own account; one without it was not
    // the Organization's list (as a member account may be answered).
    if scope.is_whole() && !accounts.iter().any(|a| a.id == me.account) {
        return Err(EngineError::NotOrgAdministrator {
            account: me.account.clone(),
            management: org.management_account.clone(),
            error: Box::new(AwsError::new(
                "ListAccounts",
                crate::aws::ErrorKind::Other(
                    "the list of accounts did not hold the caller's own account".into(),
                ),
            )),
        });
    }
    let total = accounts.len();
    progress(Progress {
        accounts_done: 0,
        accounts: total,
        roles: 0,
    });

    // One handshake per self-managed host for the whole Organization.
    type Seen = Option<Result<crate::preflight::TlsReport, String>>;
    let memo: Arc<tokio::sync::Mutex<BTreeMap<String, Seen>>> = Arc::default();
    let tls = &tls;
    let shared_tls = |host: String| {
        let memo = memo.clone();
        async move {
            let mut memo = memo.lock().await;
            if let Some(seen) = memo.get(&host) {
                return seen.clone();
            }
            let seen = tls(host.clone()).await;
            memo.insert(host, seen.clone());
            seen
        }
    };
    let shared_tls = &shared_tls;

    let read = |account: Account| {
        let me = &me;
        let member_role = &scope.member_role;
        async move {
            if account.status != AccountStatus::Active {
                return Err(Unreadable {
                    code: "AccountNotActive".into(),
                    reason: format!("the account is {}", account.status.words()),
                });
            }
            if account.id == me.account {
                return check_with(aws, None, shared_tls, |_| {})
                    .await
                    .map_err(|e| unreadable_by(&e));
            }
            let arn = member_role_arn(me.partition(), &account.id, member_role);
            let member = aws.member(&arn).await.map_err(|e| Unreadable {
                code: e.code().to_string(),
                reason: format!(
                    "could not assume {member_role} in it: {}",
                    if e.is_access_denied() {
                        MEMBER_ROLE_DENIED.to_string()
                    } else {
                        e.hint()
                    }
                ),
            })?;
            check_with(&member, None, shared_tls, |_| {})
                .await
                .map_err(|e| unreadable_by(&e))
        }
    };

    let mut results: Vec<Option<Result<Vec<RoleReport>, Unreadable>>> = vec![None; total];
    let mut done = 0;
    let mut roles = 0;
    {
        use futures_util::StreamExt as _;
        let mut running = futures_util::stream::iter(
            // Owned accounts, so that each future borrows nothing of the item it came from.
            accounts.iter().cloned().enumerate().map(|(i, a)| {
                let reading = read(a);
                async move { (i, reading.await) }
            }),
        )
        .buffer_unordered(account_concurrency());
        while let Some((i, result)) = running.next().await {
            done += 1;
            if let Ok(r) = &result {
                roles += r.len();
            }
            results[i] = Some(result);
            progress(Progress {
                accounts_done: done,
                accounts: total,
                roles,
            });
        }
    }

    let mut entries = Vec::with_capacity(total + missing.len());
    let mut all_roles = Vec::new();
    for (account, result) in accounts.into_iter().zip(results) {
        let result = result.unwrap_or_else(|| {
            Err(Unreadable {
                code: "NotRead".into(),
                reason: "the read did not finish".into(),
            })
        });
        match result {
            Ok(reports) => {
                entries.push(AccountEntry {
                    account: account.id.clone(),
                    name: account.name,
                    status: account.status,
                    roles: Some(reports.len()),
                    unreadable: None,
                });
                all_roles.extend(reports.into_iter().map(|report| AccountRole {
                    account: account.id.clone(),
                    report,
                }));
            }
            Err(why) => entries.push(AccountEntry {
                account: account.id,
                name: account.name,
                status: account.status,
                roles: None,
                unreadable: Some(why),
            }),
        }
    }
    for id in missing {
        entries.push(AccountEntry {
            account: id,
            name: String::new(),
            status: AccountStatus::Unknown,
            roles: None,
            unreadable: Some(Unreadable {
                code: "NotInOrganization".into(),
                reason: "the Organization has no such account".into(),
            }),
        });
    }
    Ok(OrgAudit {
        organization: org.id,
        management_account: org.management_account,
        member_role: scope.member_role.clone(),
        accounts: entries,
        roles: all_roles,
    })
}

/// Who the caller is and its Organization, side by side; an account in none is
/// `NoOrganization`.
pub async fn identity_and_organization<A: Org>(
    aws: &A,
) -> Result<(crate::aws::CallerIdentity, Organization), EngineError> {
    let (me, org) = futures_util::future::join(aws.caller_identity(), aws.organization()).await;
    let me = me.map_err(EngineError::aws(Step::Identity))?;
    match org.map_err(EngineError::aws(Step::Organization))? {
        Some(org) => Ok((me, org)),
        None => Err(EngineError::NoOrganization {
            account: me.account,
        }),
    }
}

/// An access denied while listing the Organization, in words: the caller is neither its
/// management account nor a delegated administrator.
pub fn not_administrator(
    me: &crate::aws::CallerIdentity,
    org: &Organization,
) -> impl FnOnce(EngineError) -> EngineError {
    let (account, management) = (me.account.clone(), org.management_account.clone());
    move |e| match e {
        EngineError::Aws { error, .. } if error.is_access_denied() => {
            EngineError::NotOrgAdministrator {
                account,
                management,
                error: Box::new(error),
            }
        }
        e => e,
    }
}

/// The caller's Organization, when the caller may audit it: its management account, or an
/// account that may list its accounts (a delegated administrator). `None` otherwise, and when
/// the account is in no Organization.
pub async fn auditable<A: Org>(aws: &A) -> Option<Organization> {
    let (me, org) = identity_and_organization(aws).await.ok()?;
    if me.account == org.management_account || aws.accounts().await.is_ok() {
        Some(org)
    } else {
        None
    }
}

/// Why `AssumeRole` into a member role is refused, as far as the caller can tell.
pub const MEMBER_ROLE_DENIED: &str = "the role is not there, or it does not trust this caller";

fn unreadable_by(e: &EngineError) -> Unreadable {
    Unreadable {
        code: e.code().to_string(),
        reason: e.to_string(),
    }
}

/// The report in text: accounts in order, each with its roles' findings or why it was not read.
pub fn text(audit: &OrgAudit) -> String {
    use std::fmt::Write as _;

    use crate::sanitize::inline;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Organization {} (management account {})",
        inline(&audit.organization),
        inline(&audit.management_account)
    );
    for a in &audit.accounts {
        let name = if a.name.is_empty() {
            String::new()
        } else {
            format!(" {}", inline(&a.name))
        };
        let _ = writeln!(s, "\n== account {}{name}", inline(&a.account));
        if let Some(why) = &a.unreadable {
            let _ = writeln!(
                s,
                "  ! not read: {} ({})",
                inline(&why.reason),
                inline(&why.code)
            );
            continue;
        }
        let reports: Vec<RoleReport> = audit
            .roles
            .iter()
            .filter(|r| r.account == a.account)
            .map(|r| r.report.clone())
            .collect();
        if reports.is_empty() {
            let _ = writeln!(s, "  no GitLab OIDC roles");
            continue;
        }
        // One account's report as `check --all` prints it, indented under the account, without
        // its own total.
        let body = super::text(&reports);
        for line in body.lines().take_while(|l| !l.is_empty()) {
            let _ = writeln!(s, "  {line}");
        }
    }
    let findings: usize = audit.roles.iter().map(|r| r.report.findings.len()).sum();
    let unread = audit.unreadable().count();
    let _ = writeln!(
        s,
        "\n{} account{} ({} not read), {} role{} checked, {findings} finding{}",
        audit.accounts.len(),
        plural(audit.accounts.len()),
        unread,
        audit.roles.len(),
        plural(audit.roles.len()),
        plural(findings),
    );
    s
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// "1,140": thousands grouped, for the progress line.
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Progress {
    /// "accounts 12 of 30 · roles 1,140"
    pub fn line(&self) -> String {
        format!(
            "accounts {} of {} · roles {}",
            self.accounts_done,
            self.accounts,
            grouped(self.roles)
        )
    }
}

#[cfg(test)]
#[path = "org_tests.rs"]
mod tests;
