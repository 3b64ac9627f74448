//! `check`'s findings in the formats code hosts read (docs/findings.md, "Reports for code hosts"):
//! - GitLab's Code Quality report (a subset of the CodeClimate spec: an array of issues), shown in
//!   the merge request widget;
//! - SARIF 2.1.0 (OASIS), the exchange format of code scanners.
//!
//! One entry per finding. Its location is where the trust lives: the file and line it was read
//! from, or else the role's ARN. Its fingerprint is stable from run to run: it is made of that
//! place (the account, the role's ARN, or the file and resource), the finding's code and how many
//! findings of that code came before it in the same role, never of the message, which may name a
//! counterexample that changes.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{Code, RoleReport, Severity};

/// A role's report, with the account it is in (`check --org`).
pub struct Entry<'a> {
    pub account: Option<&'a str>,
    pub report: &'a RoleReport,
}

impl<'a> Entry<'a> {
    pub fn of(reports: &'a [RoleReport]) -> Vec<Entry<'a>> {
        reports
            .iter()
            .map(|report| Entry {
                account: None,
                report,
            })
            .collect()
    }
}

/// The scale of a Code Quality report: `info`, `minor`, `major`, `critical`, `blocker`.
pub fn codequality_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::High => "major",
        Severity::Medium => "minor",
        Severity::Low => "info",
    }
}

/// SARIF's `level`.
pub fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// The score code hosts sort security results by (`security-severity`, 0.0 to 10.0, the CVSS
/// bands: critical 9.0 and up, high 7.0 to 8.9, medium 4.0 to 6.9, low below 4.0).
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "2.0",
    }
}

const TOOL: &str = "aws-oidc-wizard";

/// Where a finding is: the file and the line of its statement (else of the role), or the role's
/// ARN (with line 1, which Code Quality requires).
fn place(e: &Entry<'_>, f: &super::Finding) -> (String, usize) {
    match &e.report.source {
        Some(s) => (s.path.clone(), line_of(s, f)),
        None => (e.report.arn.clone(), 1),
    }
}

fn line_of(s: &super::Source, f: &super::Finding) -> usize {
    statement_of(f)
        .and_then(|n| s.statements.get(n.checked_sub(1)?))
        .copied()
        .unwrap_or(s.line)
}

/// The statement a finding is about (1-based): its counterexample's, or the one its message
/// starts with ("statement 2 …").
fn statement_of(f: &super::Finding) -> Option<usize> {
    f.counterexample.as_ref().map(|c| c.statement).or_else(|| {
        let rest = f.message.strip_prefix("statement ")?;
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    })
}

/// The identity of a role's place in a fingerprint: the same role in the same place gives the same
/// one in the next run.
fn identity(e: &Entry<'_>) -> String {
    match &e.report.source {
        Some(s) => format!("file\0{}\0{}", s.path, s.resource),
        None => format!("aws\0{}\0{}", e.account.unwrap_or_default(), e.report.arn),
    }
}

/// Each finding of the entries with its stable fingerprint (32 hex digits of a SHA-256).
fn fingerprinted<'a>(
    entries: &'a [Entry<'a>],
) -> impl Iterator<Item = (&'a Entry<'a>, &'a super::Finding, String)> {
    entries.iter().flat_map(|e| {
        let id = identity(e);
        let mut seen: Vec<Code> = Vec::new();
        e.report.findings.iter().map(move |f| {
            let n = seen.iter().filter(|c| **c == f.code).count();
            seen.push(f.code);
            let digest = Sha256::digest(format!("{TOOL}\0{id}\0{}\0{n}", f.code.as_str()));
            let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
            (e, f, hex)
        })
    })
}

/// What a finding says, with the role (and account) it is about.
fn description(e: &Entry<'_>, f: &super::Finding, demo: bool) -> String {
    let who = match (e.account, &e.report.source) {
        (_, Some(s)) => format!("{} ({})", e.report.role, s.resource),
        (Some(a), None) => format!("{} in {a}", e.report.role),
        (None, None) => e.report.role.clone(),
    };
    format!("{}{who}: {}", if demo { "DEMO " } else { "" }, f.message)
}

/// GitLab's Code Quality report: a JSON array, one issue per finding.
pub fn codequality(entries: &[Entry<'_>], demo: bool) -> Value {
    let issues: Vec<Value> = fingerprinted(entries)
        .map(|(e, f, fingerprint)| {
            let (path, line) = place(e, f);
            let mut issue = json!({
                "type": "issue",
                "engine_name": TOOL,
                "check_name": format!("{TOOL}/{}", f.code.as_str()),
                "description": description(e, f, demo),
                "content": {"body": format!("Fix: {}", f.fix)},
                "categories": ["Security"],
                "severity": codequality_severity(f.severity),
                "fingerprint": fingerprint,
                "location": {"path": path, "lines": {"begin": line}},
            });
            if let (Some(a), Some(o)) = (e.account, issue.as_object_mut()) {
                o.insert("account".into(), a.into());
            }
            issue
        })
        .collect();
    Value::Array(issues)
}

/// A SARIF 2.1.0 log with one run: every finding code as a rule, one result per finding.
pub fn sarif(entries: &[Entry<'_>], demo: bool) -> Value {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "shortDescription": {"text": c.meaning()},
                "defaultConfiguration": {"level": sarif_level(c.severity())},
                "properties": {
                    "tags": ["security"],
                    "security-severity": security_severity(c.severity()),
                },
            })
        })
        .collect();
    let results: Vec<Value> = fingerprinted(entries)
        .map(|(e, f, fingerprint)| {
            let rule_index = Code::ALL.iter().position(|c| *c == f.code).unwrap_or(0);
            let logical = json!({
                "name": e.report.role,
                "fullyQualifiedName": e.report.source.as_ref().map_or(e.report.arn.clone(), |s| s.resource.clone()),
                "kind": "resource",
            });
            let location = match &e.report.source {
                Some(s) => json!({
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri_reference(&s.path)},
                        "region": {"startLine": line_of(s, f)},
                    },
                    "logicalLocations": [logical],
                }),
                None => json!({"logicalLocations": [logical]}),
            };
            let mut properties = json!({"severity": f.severity});
            if let (Some(a), Some(o)) = (e.account, properties.as_object_mut()) {
                o.insert("account".into(), a.into());
            }
            json!({
                "ruleId": f.code.as_str(),
                "ruleIndex": rule_index,
                "level": sarif_level(f.severity),
                "message": {"text": format!("{} Fix: {}", description(e, f, demo), f.fix)},
                "locations": [location],
                "partialFingerprints": {"awsOidcWizardFinding/v1": fingerprint},
                "properties": properties,
            })
        })
        .collect();
    let mut run = json!({
        "tool": {"driver": {
            "name": TOOL,
            "version": env!("CARGO_PKG_VERSION"),
            "rules": rules,
        }},
        "results": results,
        "columnKind": "unicodeCodePoints",
    });
    if demo && let Some(o) = run.as_object_mut() {
        o.insert("properties".into(), json!({"demo": true}));
    }
    json!({
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    })
}

/// A relative file path as a URI reference (RFC 3986): each byte outside the unreserved set and
/// `/` percent-encoded, so a space or `#` in a file name stays part of the path.
fn uri_reference(path: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(path, KEEP).to_string()
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
