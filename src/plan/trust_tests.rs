//! Tests of the trust policy built from the answers.

use super::*;
use serde_json::json;

const ARN: &str = "arn:aws:iam::123456789012:oidc-provider/gitlab.com";

fn spec<'a>(
    url: &'a ProviderUrl,
    aud: &'a Audience,
    projects: &'a [ProjectPath],
    refs: &'a [RefName],
) -> TrustSpec<'a> {
    TrustSpec {
        provider_url: url,
        provider_arn: ARN,
        audience: aud,
        projects,
        refs,
        ref_type: RefType::Branch,
        ref_protected: false,
        project_ids: &[],
        namespace_ids: &[],
    }
}

fn p(s: &str) -> ProjectPath {
    ProjectPath::parse(s).unwrap()
}
fn r(s: &str) -> RefName {
    RefName::parse(s).unwrap()
}

#[test]
fn one_project_one_branch_is_exact() {
    let url = ProviderUrl::parse("https://gitlab.com").unwrap();
    let aud = Audience::parse("https://gitlab.com").unwrap();
    let trust = build(&spec(&url, &aud, &[p("acme/web")], &[r("main")])).unwrap();
    assert_eq!(
        trust.policy.to_value(),
        json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Federated": ARN},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {
                    "gitlab.com:aud": "https://gitlab.com",
                    "gitlab.com:sub": "project_path:acme/web:ref_type:branch:ref:main"
                }}
            }]
        })
    );
    assert!(trust.warnings.is_empty());
    assert!(!trust.policy.to_json().contains("https://gitlab.com:"));
}

#[test]
fn several_projects_and_refs_become_a_sorted_list() {
    let url = ProviderUrl::parse("https://gitlab.com").unwrap();
    let aud = Audience::parse("sts.amazonaws.com").unwrap();
    let trust = build(&spec(
        &url,
        &aud,
        &[p("b/two"), p("a/one")],
        &[r("prod"), r("main")],
    ))
    .unwrap();
    let v = trust.policy.to_value();
    assert_eq!(
        v["Statement"][0]["Condition"]["StringEquals"]["gitlab.com:sub"],
        json!([
            "project_path:a/one:ref_type:branch:ref:main",
            "project_path:a/one:ref_type:branch:ref:prod",
            "project_path:b/two:ref_type:branch:ref:main",
            "project_path:b/two:ref_type:branch:ref:prod"
        ])
    );
    assert_eq!(
        v["Statement"][0]["Condition"]["StringEquals"]["gitlab.com:aud"],
        json!("sts.amazonaws.com")
    );
}

#[test]
fn patterns_use_string_like_for_sub_only() {
    let url = ProviderUrl::parse("https://gitlab.com").unwrap();
    let aud = Audience::parse("https://gitlab.com").unwrap();
    let mut s = spec(&url, &aud, &[], &[]);
    let projects = [p("acme/web")];
    let refs = [r("release/*")];
    s.projects = &projects;
    s.refs = &refs;
    s.ref_protected = true;
    let trust = build(&s).unwrap();
    let c = &trust.policy.to_value()["Statement"][0]["Condition"];
    assert_eq!(
        c["StringLike"],
        json!({"gitlab.com:sub": "project_path:acme/web:ref_type:branch:ref:release/*"})
    );
    assert_eq!(
        c["StringEquals"],
        json!({"gitlab.com:aud": "https://gitlab.com", "gitlab.com:ref_protected": "true"})
    );
    assert_eq!(trust.warnings.len(), 1, "{:?}", trust.warnings);
    assert!(!trust.warnings[0].contains("unprotected"));
}

#[test]
fn ref_type_any_is_a_pattern_with_a_warning() {
    let url = ProviderUrl::parse("https://gitlab.com").unwrap();
    let aud = Audience::parse("https://gitlab.com").unwrap();
    let projects = [p("acme/web")];
    let refs = [r("main")];
    let mut s = spec(&url, &aud, &projects, &refs);
    s.ref_type = RefType::Any;
    let trust = build(&s).unwrap();
    let c = &trust.policy.to_value()["Statement"][0]["Condition"];
    assert_eq!(
        c["StringLike"]["gitlab.com:sub"],
        json!("project_path:acme/web:ref_type:*:ref:main")
    );
    assert!(
        trust
            .warnings
            .iter()
            .any(|w| w.contains("tag with the same name"))
    );
    assert!(
        trust
            .warnings
            .iter()
            .any(|w| w.contains("protected refs only"))
    );
}

#[test]
fn self_managed_with_path_prefixes_keys_without_scheme() {
    let url = ProviderUrl::parse("https://git.example.com/gitlab").unwrap();
    let aud = Audience::parse("https://git.example.com/gitlab").unwrap();
    let projects = [p("ops/infra")];
    let refs = [r("main")];
    let mut s = spec(&url, &aud, &projects, &refs);
    s.provider_arn = "arn:aws:iam::123456789012:oidc-provider/git.example.com/gitlab";
    let json = build(&s).unwrap().policy.to_json();
    assert!(json.contains("\"git.example.com/gitlab:aud\""));
    assert!(json.contains("\"git.example.com/gitlab:sub\""));
    assert!(!json.contains("https://git.example.com/gitlab:"));
    s.ref_protected = true;
    assert_eq!(build(&s).unwrap_err().answer, Answer::RefProtected);
}

#[test]
fn quota_is_enforced_with_the_excess_named() {
    let url = ProviderUrl::parse("https://gitlab.com").unwrap();
    let aud = Audience::parse("https://gitlab.com").unwrap();
    let projects: Vec<ProjectPath> = (0..40)
        .map(|i| p(&format!("acme/project-number-{i}")))
        .collect();
    let refs = [r("main")];
    let err = build(&spec(&url, &aud, &projects, &refs)).unwrap_err();
    assert!(
        err.rule.contains("over IAM's 2048-character quota"),
        "{}",
        err.rule
    );
    let fits: Vec<ProjectPath> = projects[..5].to_vec();
    let ok = build(&spec(&url, &aud, &fits, &refs)).unwrap();
    assert!(ok.policy.quota_length() <= TRUST_POLICY_QUOTA);
}

#[test]
fn project_ids_are_pinned_on_gitlab_com_only() {
    let url = ProviderUrl::parse("https://gitlab.com").unwrap();
    let aud = Audience::parse("https://gitlab.com").unwrap();
    let projects = [p("acme/web")];
    let refs = [r("main")];
    let ids = [ProjectId::parse("4242").unwrap()];
    let mut s = spec(&url, &aud, &projects, &refs);
    s.project_ids = &ids;
    let v = build(&s).unwrap().policy.to_value();
    assert_eq!(
        v["Statement"][0]["Condition"]["StringEquals"]["gitlab.com:project_id"],
        json!("4242")
    );
    let self_managed = ProviderUrl::parse("https://git.example.com").unwrap();
    s.provider_url = &self_managed;
    assert_eq!(build(&s).unwrap_err().answer, Answer::ProjectId);
    assert!(ProjectId::parse("12a").is_err());
    assert!(ProjectId::parse("0").is_err());
}

#[test]
fn empty_projects_refused() {
    let url = ProviderUrl::parse("https://gitlab.com").unwrap();
    let aud = Audience::parse("https://gitlab.com").unwrap();
    assert!(build(&spec(&url, &aud, &[], &[r("main")])).is_err());
}

#[test]
fn equal_meaning_compares_equal() {
    let a = json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": ARN},
        "Condition": {"StringEquals": {"gitlab.com:sub": ["y", "x"], "gitlab.com:aud": "a"}}}});
    let b = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["sts:AssumeRoleWithWebIdentity"],
        "Principal": {"Federated": [ARN]},
        "Condition": {"StringEquals": {"gitlab.com:aud": ["a"], "gitlab.com:sub": ["x", "y"]}}}]});
    assert!(same_policy(&a, &b));
    let c = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": ARN},
        "Condition": {"StringEquals": {"gitlab.com:aud": "a"}}}]});
    assert!(!same_policy(&a, &c));
    let d = diff(&c, &a);
    assert!(d.contains("+") && d.contains("gitlab.com:sub"), "{d}");
}

#[test]
fn a_dollar_in_a_ref_is_written_as_iam_s_literal_and_matches_the_token() {
    let url = ProviderUrl::parse("https://gitlab.com").unwrap();
    let aud = Audience::parse("https://gitlab.com").unwrap();
    let trust = build(&spec(&url, &aud, &[p("acme/web")], &[r("a${b}")])).unwrap();
    let doc = trust.policy.to_value();
    let sub = &doc["Statement"][0]["Condition"]["StringEquals"]["gitlab.com:sub"];
    assert_eq!(sub, "project_path:acme/web:ref_type:branch:ref:a${$}{b}");
    let view = crate::plan::trust_view::TrustView::read(&doc);
    let token = |sub: &str| {
        crate::iam::Request::web_identity(
            "arn:aws:iam::123456789012:oidc-provider/gitlab.com",
            crate::iam::Context::new()
                .with("gitlab.com:aud", "https://gitlab.com")
                .with("gitlab.com:sub", sub),
        )
    };
    assert!(
        crate::iam::evaluate(
            &view,
            &token("project_path:acme/web:ref_type:branch:ref:a${b}")
        )
        .allowed
    );
    assert!(
        !crate::iam::evaluate(&view, &token("project_path:acme/web:ref_type:branch:ref:a")).allowed
    );
}

#[test]
fn capitals_in_a_project_path_are_warned_about() {
    let url = ProviderUrl::parse("https://gitlab.com").unwrap();
    let aud = Audience::parse("https://gitlab.com").unwrap();
    let trust = build(&spec(&url, &aud, &[p("Acme/Web")], &[r("main")])).unwrap();
    assert!(
        trust
            .warnings
            .iter()
            .any(|w| w.contains("'Acme/Web' has capitals")),
        "{:?}",
        trust.warnings
    );
}
