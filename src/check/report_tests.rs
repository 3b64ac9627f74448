use proptest::prelude::*;

use super::*;
use crate::check::{Finding, Source};

fn finding(code: Code, message: &str) -> Finding {
    Finding {
        severity: code.severity(),
        code,
        message: message.into(),
        fix: "do this".into(),
        counterexample: None,
    }
}

fn report(role: &str, findings: Vec<Finding>) -> RoleReport {
    RoleReport {
        role: role.into(),
        arn: format!("arn:aws:iam::123456789012:role/{role}"),
        provider: None,
        findings,
        source: None,
    }
}

fn every_code() -> RoleReport {
    report(
        "web",
        Code::ALL.iter().map(|c| finding(*c, c.meaning())).collect(),
    )
}

#[test]
fn every_finding_is_one_entry_with_its_severity_on_each_scale() {
    let r = every_code();
    let cq = codequality(&Entry::of(std::slice::from_ref(&r)), false);
    let issues = cq.as_array().expect("an array");
    assert_eq!(issues.len(), Code::ALL.len());
    let sarif = sarif(&Entry::of(std::slice::from_ref(&r)), false);
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), Code::ALL.len());
    for ((c, issue), result) in Code::ALL.iter().zip(issues).zip(results) {
        assert_eq!(
            issue["check_name"],
            format!("aws-oidc-wizard/{}", c.as_str())
        );
        assert_eq!(issue["severity"], codequality_severity(c.severity()));
        assert_eq!(issue["location"]["path"], r.arn);
        assert_eq!(issue["location"]["lines"]["begin"], 1);
        assert_eq!(result["ruleId"], c.as_str());
        assert_eq!(result["level"], sarif_level(c.severity()));
        let rule = &sarif["runs"][0]["tool"]["driver"]["rules"]
            [result["ruleIndex"].as_u64().expect("index") as usize];
        assert_eq!(rule["id"], c.as_str());
        assert_eq!(
            result["partialFingerprints"]["awsOidcWizardFinding/v1"],
            issue["fingerprint"]
        );
    }
    // The scales keep the order of ours.
    let order = ["info", "minor", "major", "critical", "blocker"];
    let rank = |s: Severity| order.iter().position(|o| *o == codequality_severity(s));
    assert!(rank(Severity::Critical) > rank(Severity::High));
    assert!(rank(Severity::High) > rank(Severity::Medium));
    assert!(rank(Severity::Medium) > rank(Severity::Low));
}

#[test]
fn a_file_is_the_location_with_the_line_of_its_statement() {
    let mut r = report("gitlab", vec![finding(Code::NoSub, "no sub")]);
    r.source = Some(Source {
        path: "infra/trust #1.json".into(),
        line: 7,
        resource: "infra/trust #1.json".into(),
        statements: vec![7],
    });
    let cq = codequality(&Entry::of(std::slice::from_ref(&r)), false);
    assert_eq!(cq[0]["location"]["path"], "infra/trust #1.json");
    assert_eq!(cq[0]["location"]["lines"]["begin"], 7);
    let s = sarif(&Entry::of(std::slice::from_ref(&r)), false);
    let physical = &s["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(
        physical["artifactLocation"]["uri"],
        "infra/trust%20%231.json"
    );
    assert_eq!(physical["region"]["startLine"], 7);
}

#[test]
fn an_organization_s_entries_name_their_account() {
    let r = report("web", vec![finding(Code::NoSub, "no sub")]);
    let entries = [Entry {
        account: Some("210000000003"),
        report: &r,
    }];
    let cq = codequality(&entries, false);
    assert_eq!(cq[0]["account"], "210000000003");
    assert!(
        cq[0]["description"]
            .as_str()
            .is_some_and(|d| d.contains("210000000003"))
    );
    let s = sarif(&entries, false);
    assert_eq!(
        s["runs"][0]["results"][0]["properties"]["account"],
        "210000000003"
    );
}

#[test]
fn the_demo_says_so_in_every_entry() {
    let r = report("web", vec![finding(Code::NoSub, "no sub")]);
    let cq = codequality(&Entry::of(std::slice::from_ref(&r)), true);
    assert!(
        cq[0]["description"]
            .as_str()
            .is_some_and(|d| d.starts_with("DEMO "))
    );
    let s = sarif(&Entry::of(std::slice::from_ref(&r)), true);
    assert_eq!(s["runs"][0]["properties"]["demo"], true);
}

fn fingerprints(reports: &[RoleReport], account: Option<&str>) -> Vec<String> {
    let entries: Vec<Entry<'_>> = reports
        .iter()
        .map(|report| Entry { account, report })
        .collect();
    codequality(&entries, false)
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| i["fingerprint"].as_str().unwrap_or_default().to_string())
        .collect()
}

proptest! {
    /// Fingerprints: stable when only the words change (the next run, another counterexample),
    /// unique within a report (GitLab keeps one issue per fingerprint), and different for the same
    /// role in another account.
    #[test]
    fn fingerprints_are_stable_and_unique(
        roles in proptest::collection::btree_set("[a-zA-Z0-9+=,.@_-]{1,12}", 1..5),
        codes in proptest::collection::vec(0..Code::ALL.len(), 1..12),
        words in "\\PC{0,20}",
    ) {
        let make = |words: &str| -> Vec<RoleReport> {
            roles
                .iter()
                .map(|r| report(r, codes.iter().map(|c| finding(Code::ALL[*c], words)).collect()))
                .collect()
        };
        let first = fingerprints(&make("first words"), None);
        let next = fingerprints(&make(&words), None);
        prop_assert_eq!(&first, &next);
        let mut unique = first.clone();
        unique.sort();
        unique.dedup();
        prop_assert_eq!(unique.len(), first.len());
        let elsewhere = fingerprints(&make("first words"), Some("210000000003"));
        prop_assert!(first.iter().all(|f| !elsewhere.contains(f)));
    }
}
