//! `check`: audit one role, or every GitLab OIDC role of the account.

use super::{Body, CliError, Outcome, OutputFormat, ReportFormat, json_body};
use crate::aws::Aws;
use crate::check::report::{Entry, codequality, sarif};
use crate::plan::input::RoleName;

pub fn validate(role: Option<&str>) -> Result<(), CliError> {
    if let Some(role) = role {
        RoleName::parse(role)?;
    }
    Ok(())
}

pub async fn run<A: Aws>(
    aws: &A,
    role: Option<&str>,
    offline: bool,
    fail_on: crate::check::Severity,
    output: (OutputFormat, Option<ReportFormat>),
) -> Result<Outcome, CliError> {
    // The way the account was read, once; progress only on a terminal, after a second.
    let started = std::time::Instant::now();
    let terminal = super::exit::stderr_is_terminal();
    let note = |n: crate::check::Note| match n {
        crate::check::Note::Progress { done, total } => {
            if terminal && started.elapsed() > std::time::Duration::from_secs(1) {
                super::exit::redraw(&format!("reading roles: {done} of {total}"));
                if done == total {
                    say!();
                }
            }
        }
        other => {
            if let Some(line) = other.line() {
                note!("{line}");
            }
        }
    };
    let reports = if offline {
        crate::check::check_with(aws, role, |_| async { None }, note).await?
    } else {
        crate::check::check_with(
            aws,
            role,
            |host: String| async move { Some(crate::preflight::tls(&host, 443).await) },
            note,
        )
        .await?
    };
    let stdout = match output {
        (_, Some(format)) => report(format, &Entry::of(&reports)),
        (OutputFormat::Text, None) => crate::check::text(&reports).into(),
        (OutputFormat::Json, None) => json_body(&reports),
    };
    let failing = fails(reports.iter(), fail_on);
    Ok(if !failing {
        Outcome::success(stdout)
    } else {
        Outcome::negative(stdout)
    })
}

/// `check --org`: every account of the Organization in scope, one report grouped by account.
pub async fn run_org<A: crate::aws::org::Org>(
    aws: &A,
    scope: &crate::check::org::Scope,
    offline: bool,
    fail_on: crate::check::Severity,
    allow_unreadable: bool,
    output: (OutputFormat, Option<ReportFormat>),
) -> Result<Outcome, CliError> {
    use crate::check::org::check_org;
    // Progress on a terminal only, after a second, on one line.
    let started = std::time::Instant::now();
    let terminal = super::exit::stderr_is_terminal();
    let mut shown = false;
    let progress = |p: crate::check::org::Progress| {
        if terminal && started.elapsed() > std::time::Duration::from_secs(1) {
            super::exit::redraw(&p.line());
            shown = true;
        }
    };
    let audit = if offline {
        check_org(aws, scope, |_| async { None }, progress).await?
    } else {
        check_org(
            aws,
            scope,
            |host: String| async move { Some(crate::preflight::tls(&host, 443).await) },
            progress,
        )
        .await?
    };
    if shown {
        say!();
    }
    let stdout = match output {
        (_, Some(format)) => {
            let entries: Vec<Entry<'_>> = audit
                .roles
                .iter()
                .map(|r| Entry {
                    account: Some(&r.account),
                    report: &r.report,
                })
                .collect();
            report(format, &entries)
        }
        (OutputFormat::Text, None) => crate::check::org::text(&audit).into(),
        (OutputFormat::Json, None) => json_body(&audit),
    };
    let failing = fails(audit.roles.iter().map(|r| &r.report), fail_on);
    let unread: Vec<&str> = audit.unreadable().map(|a| a.account.as_str()).collect();
    if !unread.is_empty() {
        say!(
            "{} account{} could not be read: {}",
            unread.len(),
            if unread.len() == 1 { "" } else { "s" },
            unread.join(", ")
        );
    }
    Ok(if !unread.is_empty() && !allow_unreadable {
        Outcome::incomplete(stdout)
    } else if failing {
        Outcome::negative(stdout)
    } else {
        Outcome::success(stdout)
    })
}

/// A report in a code host's format; in the demo, every entry says so.
fn report(format: ReportFormat, entries: &[Entry<'_>]) -> Body {
    let demo = super::exit::is_demo();
    Body::Report(match format {
        ReportFormat::Codequality => codequality(entries, demo),
        ReportFormat::Sarif => sarif(entries, demo),
    })
}

/// `check --trust-file/--terraform-plan/--cloudformation`: what files will make, audited
/// without AWS. A file that cannot be read is bad input (exit 2, before anything is audited); a
/// trust not known before apply makes the run incomplete (exit 1), whatever `--fail-on` says.
pub fn run_files(
    files: &[(crate::check::files::Kind, std::path::PathBuf)],
    fail_on: crate::check::Severity,
    output: (OutputFormat, Option<ReportFormat>),
) -> Result<Outcome, CliError> {
    use crate::check::files;
    let mut planned = Vec::new();
    for (kind, path) in files {
        let shown = repo_path(path);
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::usage(format!("cannot read {shown}: {e}")))?;
        planned.push(files::read(*kind, &shown, &text).map_err(CliError::usage)?);
    }
    let reports = files::audit(&planned, crate::explain::now());
    let stdout = match output {
        (_, Some(format)) => report(format, &Entry::of(&reports)),
        (OutputFormat::Text, None) => crate::check::text(&reports).into(),
        (OutputFormat::Json, None) => json_body(&reports),
    };
    let unknown: Vec<String> = reports
        .iter()
        .filter(|r| {
            r.findings
                .iter()
                .any(|f| f.code == crate::check::Code::TrustUnknown)
        })
        .map(|r| crate::sanitize::inline(&r.role).into_owned())
        .collect();
    if !unknown.is_empty() {
        say!(
            "{} role{} not known before apply: {}",
            unknown.len(),
            if unknown.len() == 1 {
                "'s trust is"
            } else {
                "s' trusts are"
            },
            unknown.join(", ")
        );
        return Ok(Outcome::incomplete(stdout));
    }
    let failing = fails(reports.iter(), fail_on);
    Ok(if failing {
        Outcome::negative(stdout)
    } else {
        Outcome::success(stdout)
    })
}

/// A file as the reports name it: from the current directory (where a CI job runs, the
/// repository's root) when it is under it, without `./` or repeated separators, so that one file
/// keeps one fingerprint however it is typed.
fn repo_path(path: &std::path::Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            path.strip_prefix(cwd)
                .ok()
                .map(std::path::Path::to_path_buf)
        })
        .unwrap_or_else(|| path.to_path_buf());
    let parts: Vec<String> = relative
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let joined = parts.join("/");
    if relative.is_absolute() {
        format!("/{}", joined.trim_start_matches('/'))
    } else {
        joined
    }
}

/// Whether a finding at or above `fail_on` is present (severities are ordered most severe
/// first): exit 4.
fn fails<'a>(
    reports: impl Iterator<Item = &'a crate::check::RoleReport>,
    fail_on: crate::check::Severity,
) -> bool {
    reports
        .flat_map(|r| &r.findings)
        .any(|f| f.severity <= fail_on)
}
