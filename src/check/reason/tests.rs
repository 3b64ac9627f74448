//! The reasoning on hand-written shapes of each class `Who` names; the property tests in
//! `src/check/tests.rs` hold it to the evaluator on random trusts.

use serde_json::{Value, json};

use super::*;

const PROVIDER: &str = "arn:aws:iam::123456789012:oidc-provider/gitlab.com";
const NOW: u64 = 1_790_000_000;

fn route() -> Route {
    Route {
        provider_arn: PROVIDER.into(),
        host: "gitlab.com".into(),
        client_ids: Some(vec!["https://gitlab.com".into()]),
    }
}

fn view(condition: Value) -> TrustView {
    TrustView::read(&json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Federated": PROVIDER},
            "Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition}]
    }))
}

fn admitted(v: &TrustView, who: Who) -> Option<Witness> {
    match admits(v, &route(), who, NOW) {
        Verdict::Admitted(w) => {
            // Every witness is a request the evaluator admits.
            let mut ctx = Context::new();
            for (k, val) in &w.values {
                ctx.insert(k, vec![val.clone()]);
            }
            assert!(eval::allows(v, &Request::web_identity(PROVIDER, ctx)));
            Some(w)
        }
        Verdict::Refused => None,
        Verdict::Unknown(why) => panic!("unknown: {why}"),
    }
}

fn sub(w: &Witness) -> String {
    w.sub().unwrap_or_default().to_string()
}

#[test]
fn a_claim_in_a_variable_lets_every_user_in_through_their_namespace() {
    // IAM User Guide, "IAM policy elements: Variables and tags": ${key} takes the request's value.
    for pattern in [
        "project_path:${gitlab.com:user_login}/*",
        "project_path:${gitlab.com:user_login}/*:ref_type:branch:ref:main",
        "${gitlab.com:sub}",
        "project_path:${gitlab.com:namespace_id, 'acme'}/*",
    ] {
        let v = view(json!({"StringLike": {"gitlab.com:sub": pattern}}));
        let w = admitted(&v, Who::Outsider).unwrap_or_else(|| panic!("{pattern}"));
        assert!(sub(&w).starts_with("project_path:") || sub(&w).starts_with("project_id:"));
    }
    // In a 2008-10-17 policy the same text is literal: nobody's sub.
    let old = TrustView {
        version: Some("2008-10-17".into()),
        ..view(json!({"StringLike": {"gitlab.com:sub": "project_path:${gitlab.com:user_login}/*"}}))
    };
    assert!(admitted(&old, Who::Anyone).is_none());
}

#[test]
fn global_keys_are_present_with_the_values_aws_gives_them() {
    // "AWS global condition context keys": SecureTransport, CurrentTime, EpochTime, RequestedRegion
    // and SourceIp are in every request.
    for guard in [
        json!({"Bool": {"aws:SecureTransport": "true"}}),
        json!({"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}),
        json!({"NumericGreaterThan": {"aws:EpochTime": "1"}}),
        json!({"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}),
        json!({"DateLessThan": {"aws:CurrentTime": "2099-01-01T00:00:00Z"}}),
        json!({"DateGreaterThan": {"aws:CurrentTime": "2040-01-01T00:00:00Z"}}),
    ] {
        let mut c = guard.as_object().cloned().unwrap_or_default();
        c.insert(
            "StringEquals".into(),
            json!({"gitlab.com:aud": "https://gitlab.com"}),
        );
        // StringEquals may be the guard's own operator: merge.
        if let Some(Value::Object(g)) = guard.get("StringEquals") {
            let mut m = g.clone();
            m.insert("gitlab.com:aud".into(), json!("https://gitlab.com"));
            c.insert("StringEquals".into(), Value::Object(m));
        }
        let v = view(Value::Object(c));
        assert!(admitted(&v, Who::Outsider).is_some(), "{guard}");
    }
    // A window that has closed lets nobody in.
    let closed = view(json!({"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}));
    assert!(admitted(&closed, Who::Anyone).is_none());
    let insecure = view(json!({"Bool": {"aws:SecureTransport": "false"}}));
    assert!(admitted(&insecure, Who::Anyone).is_none());
}

#[test]
fn an_address_range_keeps_outsiders_out_of_their_own_network_only() {
    let v = view(json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}));
    assert!(admitted(&v, Who::Outsider).is_none());
    let w = admitted(&v, Who::OutsiderInRange).expect("in range");
    assert!(w.values["aws:sourceip"].starts_with("10."));
}

#[test]
fn ignore_case_on_sub_admits_another_ref() {
    let v = view(json!({"StringEqualsIgnoreCase": {
        "gitlab.com:sub": "project_path:acme/web:ref_type:branch:ref:main"}}));
    assert!(admitted(&v, Who::Outsider).is_none());
    let w = admitted(&v, Who::CaseVariant).expect("case");
    assert!(sub(&w).ends_with(":ref:MAIN") || !sub(&w).ends_with(":ref:main"));
    let exact = view(json!({"StringEquals": {
        "gitlab.com:sub": "project_path:acme/web:ref_type:branch:ref:main"}}));
    assert!(admitted(&exact, Who::CaseVariant).is_none());
    assert!(admitted(&exact, Who::Developer).is_none());
}

#[test]
fn tags_named_like_branches_and_unprotected_tag_patterns() {
    for pattern in [
        "project_path:acme/web:ref_type:*:ref:main",
        "project_path:acme/web:ref_type:???:ref:main",
        "project_path:acme/web:*:ref:main",
    ] {
        let v = view(
            json!({"StringLike": {"gitlab.com:sub": [pattern, "project_path:acme/web:ref_type:branch:ref:main"]}}),
        );
        let w = admitted(&v, Who::TagAsBranch).unwrap_or_else(|| panic!("{pattern}"));
        assert_eq!(sub(&w), "project_path:acme/web:ref_type:tag:ref:main");
    }
    let tags = view(
        json!({"StringLike": {"gitlab.com:sub": "project_path:acme/web:ref_type:tag:ref:v*"}}),
    );
    let w = admitted(&tags, Who::Developer).expect("tag pattern");
    assert!(sub(&w).contains(":ref_type:tag:ref:v"));
    let protected = view(json!({
        "StringLike": {"gitlab.com:sub": "project_path:acme/web:ref_type:tag:ref:v*"},
        "StringEquals": {"gitlab.com:ref_protected": "true"}}));
    assert!(admitted(&protected, Who::Developer).is_none());
}

#[test]
fn paths_without_ids_are_open_to_whoever_registers_the_name_again() {
    let v = view(
        json!({"StringEquals": {"gitlab.com:sub": "project_path:acme/web:ref_type:branch:ref:main"}}),
    );
    assert!(admitted(&v, Who::Outsider).is_none());
    assert!(admitted(&v, Who::Recycler).is_some());
    for pin in ["gitlab.com:namespace_id", "gitlab.com:project_id"] {
        let pinned = view(json!({"StringEquals": {
            "gitlab.com:sub": "project_path:acme/web:ref_type:branch:ref:main", pin: "4242"}}));
        assert!(admitted(&pinned, Who::Recycler).is_none(), "{pin}");
    }
}

#[test]
fn wildcards_anywhere_before_the_group_are_open_and_inside_it_are_not() {
    for open in [
        "project_path:*",
        "project_path:acme*",
        "project_path:a?me/*",
        "*acme/web*",
        "project_path:*/web:ref_type:branch:ref:main",
        "*:ref_type:branch:ref:main",
    ] {
        let v = view(json!({"StringLike": {"gitlab.com:sub": open}}));
        assert!(admitted(&v, Who::Outsider).is_some(), "{open}");
    }
    for closed in [
        "project_path:acme/*",
        "project_path:acme/web:*",
        "project_path:acme/w?b:ref_type:branch:ref:*",
    ] {
        let v = view(json!({"StringLike": {"gitlab.com:sub": closed}}));
        assert!(admitted(&v, Who::Outsider).is_none(), "{closed}");
    }
}

#[test]
fn a_deny_narrows_what_an_allow_admits() {
    let v = TrustView::read(&json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Federated": PROVIDER},
             "Action": "sts:AssumeRoleWithWebIdentity",
             "Condition": {"StringLike": {"gitlab.com:sub": "project_path:*"}}},
            {"Effect": "Deny", "Principal": "*", "Action": "*",
             "Condition": {"StringNotLike": {"gitlab.com:sub": "project_path:acme/*"}}}
        ]
    }));
    assert!(admitted(&v, Who::Outsider).is_none());
    assert!(admitted(&v, Who::Colleague).is_some());
}

#[test]
fn values_gitlab_never_issues_are_dead() {
    for dead in [
        "acme/web:ref_type:branch:ref:main",
        "project_path:acme:ref_type:branch:ref:main",
        "project_path:acme/web:ref_type:branches:ref:main",
    ] {
        let v = view(json!({"StringEquals": {"gitlab.com:sub": dead}}));
        assert!(admitted(&v, Who::Anyone).is_none(), "{dead}");
        let c = &v.statements[0].conditions[0];
        assert!(matches_no_sub(c, dead, true), "{dead}");
    }
    let v = view(
        json!({"StringEquals": {"gitlab.com:sub": "project_path:acme/web:ref_type:branch:ref:main"}}),
    );
    assert!(!matches_no_sub(
        &v.statements[0].conditions[0],
        "project_path:acme/web:ref_type:branch:ref:main",
        true
    ));
}

#[test]
fn ids_compared_as_numbers() {
    // Numbers other than the owner's belong to someone else.
    let v = view(json!({"NumericLessThan": {"gitlab.com:project_id": "1000"}}));
    let w = admitted(&v, Who::Outsider).expect("small ids are other people's");
    assert!(
        w.claims["project_id"]
            .parse::<u64>()
            .is_ok_and(|n| n < 1000)
    );
    let v = view(json!({"NumericEquals": {"gitlab.com:project_id": "4242"},
        "StringEquals": {"gitlab.com:project_id": "4242"}}));
    assert!(admitted(&v, Who::Outsider).is_none());
}

#[test]
fn keys_whose_value_is_not_documented_are_unknown_not_absent() {
    let v = view(json!({"StringEquals": {"aws:SomethingNew": "x"}}));
    assert!(matches!(
        admits(&v, &route(), Who::Outsider, NOW),
        Verdict::Unknown(_)
    ));
}

#[test]
fn address_ranges_have_their_ends_and_neighbours() {
    use super::values::{in_range, range_edges};
    use std::net::IpAddr;
    let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
    assert_eq!(
        range_edges(ip("10.1.2.3"), 8),
        [
            ip("9.255.255.255"),
            ip("10.0.0.0"),
            ip("10.255.255.255"),
            ip("11.0.0.0")
        ]
    );
    assert_eq!(
        range_edges(ip("0.0.0.0"), 0),
        [ip("0.0.0.0"), ip("255.255.255.255")]
    );
    assert_eq!(
        range_edges(ip("2001:db8::1"), 128),
        [
            ip("2001:db8::"),
            ip("2001:db8::1"),
            ip("2001:db8::1"),
            ip("2001:db8::2")
        ]
    );
    assert!(in_range(ip("10.200.0.1"), ip("10.0.0.0"), 8));
    assert!(!in_range(ip("11.0.0.0"), ip("10.0.0.0"), 8));
    assert!(in_range(ip("203.0.113.7"), ip("0.0.0.0"), 0));
    assert!(!in_range(ip("::ffff:10.0.0.1"), ip("10.0.0.0"), 8));
}
