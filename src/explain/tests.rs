use crate::plan::input::Answer;
use proptest::prelude::*;
use serde_json::json;

use super::*;

const PROVIDER: &str = "arn:aws:iam::123456789012:oidc-provider/gitlab.com";

fn provider(auds: &[&str]) -> OidcProvider {
    OidcProvider {
        arn: PROVIDER.into(),
        url: "gitlab.com".into(),
        client_ids: auds.iter().map(|a| a.to_string()).collect(),
        thumbprints: vec![],
        tags: vec![],
    }
}

fn trust() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": PROVIDER},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {
            "gitlab.com:aud": "https://gitlab.com",
            "gitlab.com:sub": "project_path:acme/web:ref_type:branch:ref:main"
        }}
    }]})
}

fn claims(sub: &str, aud: &str, exp: u64) -> Claims {
    json!({"iss": "https://gitlab.com", "aud": aud, "sub": sub, "exp": exp, "project_id": "4242"})
        .as_object()
        .cloned()
        .unwrap()
}

const NOW: u64 = 1_800_000_000;
const MAIN: &str = "project_path:acme/web:ref_type:branch:ref:main";

#[test]
fn a_matching_token_is_accepted() {
    let e = explain(
        "r",
        &trust(),
        Some(&provider(&["https://gitlab.com"])),
        &claims(MAIN, "https://gitlab.com", NOW + 600),
        NOW,
    );
    assert!(e.allowed, "{}", text(&e));
    assert!(text(&e).contains("NOT verified"));
    assert!(text(&e).contains("valid for 10 min more"));
}

#[test]
fn a_feature_branch_is_refused_with_the_sub_it_would_need() {
    let sub = "project_path:acme/web:ref_type:branch:ref:feature";
    let e = explain(
        "r",
        &trust(),
        Some(&provider(&["https://gitlab.com"])),
        &claims(sub, "https://gitlab.com", NOW + 600),
        NOW,
    );
    assert!(!e.allowed);
    let failed: Vec<&ConditionResult> = e.statements[0]
        .conditions
        .iter()
        .filter(|c| !c.passed)
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].key, "gitlab.com:sub");
    assert!(failed[0].reason.contains(MAIN), "{}", failed[0].reason);
    assert!(
        text(&e).contains("no Allow statement applies (statement 1 fails on gitlab.com:sub)"),
        "{}",
        text(&e)
    );
}

#[test]
fn issuer_audience_and_expiry_are_checked() {
    let mut c = claims(MAIN, "sts.amazonaws.com", NOW - 7200);
    c.insert("iss".into(), json!("https://gitlab.com/"));
    let e = explain(
        "r",
        &trust(),
        Some(&provider(&["https://gitlab.com"])),
        &c,
        NOW,
    );
    let failed: Vec<&str> = e
        .checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.name)
        .collect();
    assert_eq!(failed, ["iss", "aud", "exp"]);
    assert!(e.checks[0].detail.contains("trailing slash"));
    assert!(e.checks[2].detail.contains("expired 2 h ago"));
    assert!(!e.allowed);
}

#[test]
fn a_condition_key_the_issuer_does_not_support_never_matches() {
    let mut t = trust();
    t["Statement"][0]["Condition"]["StringEquals"]["gitlab.com:environment"] = json!("production");
    let mut c = claims(MAIN, "https://gitlab.com", NOW + 60);
    c.insert("environment".into(), json!("production"));
    let e = explain("r", &t, Some(&provider(&["https://gitlab.com"])), &c, NOW);
    assert!(!e.allowed);
    let env = e.statements[0]
        .conditions
        .iter()
        .find(|c| c.key == "gitlab.com:environment")
        .unwrap();
    assert!(
        env.reason.contains("not a condition key of this issuer"),
        "{}",
        env.reason
    );
}

#[test]
fn a_deny_statement_wins() {
    let mut t = trust();
    t["Statement"].as_array_mut().unwrap().push(json!({
        "Effect": "Deny", "Principal": {"Federated": PROVIDER}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"gitlab.com:project_id": "4242"}}
    }));
    let e = explain(
        "r",
        &t,
        Some(&provider(&["https://gitlab.com"])),
        &claims(MAIN, "https://gitlab.com", NOW + 60),
        NOW,
    );
    assert!(!e.allowed);
}

#[test]
fn tokens_are_decoded_without_verification() {
    use base64::Engine as _;
    let enc = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let token = format!(
        "{}.{}.sig",
        enc(&json!({"alg": "RS256"})),
        enc(&json!({"sub": MAIN, "aud": "x"}))
    );
    let c = decode_token(&token).unwrap();
    assert_eq!(c["sub"], MAIN);
    for bad in [
        "",
        "a.b",
        "a.b.c.d",
        "a.!!!.c",
        &format!("x.{}.y", enc(&json!([1, 2]))),
    ] {
        let e = decode_token(bad).unwrap_err();
        assert_eq!(e.answer, Answer::Token);
        assert!(
            !e.to_string().contains(bad) || bad.is_empty(),
            "the token is never echoed"
        );
    }
}

fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "[a-z*?:/_.]{0,12}".prop_map(Value::String),
        ".{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[A-Za-z:_.]{0,16}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn arb_policy() -> impl Strategy<Value = Value> {
    let op = prop_oneof![
        Just("StringEquals".to_string()),
        Just("StringLike".to_string()),
        Just("StringNotLike".to_string()),
        Just("StringEqualsIgnoreCase".to_string()),
        Just("ForAllValues:StringLike".to_string()),
        Just("ForAnyValue:StringEquals".to_string()),
        Just("StringEqualsIfExists".to_string()),
        Just("Null".to_string()),
        "[A-Za-z:]{0,20}",
    ];
    let key = prop_oneof![
        Just("gitlab.com:sub".to_string()),
        Just("gitlab.com:aud".to_string()),
        "[a-z.:_]{0,20}"
    ];
    let condition = prop::collection::btree_map(
        op,
        prop::collection::btree_map(key, arb_value(), 0..3),
        0..3,
    );
    prop_oneof![
        arb_value(),
        condition.prop_map(
            |c| json!({"Statement": [{"Effect": "Allow", "Principal": {"Federated": PROVIDER},
            "Action": "sts:AssumeRoleWithWebIdentity", "Condition": c}]})
        ),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn never_panics_on_arbitrary_policies_and_claims(policy in arb_policy(), claims in arb_value(), now in any::<u64>()) {
        let claims = claims.as_object().cloned().unwrap_or_default();
        let e = explain("r", &policy, Some(&provider(&["https://gitlab.com"])), &claims, now);
        let _ = text(&e);
        let e = explain("r", &policy, None, &claims, now);
        prop_assert!(!e.allowed || e.checks.iter().all(|c| c.passed));
    }

    #[test]
    fn like_never_panics_and_star_matches_everything(pattern in ".{0,12}", text in ".{0,24}") {
        let _ = crate::iam::pattern::like(&pattern, &text);
        prop_assert!(crate::iam::pattern::like("*", &text));
        prop_assert!(crate::iam::pattern::like(&text.replace(['*', '?'], "x"), &text.replace(['*', '?'], "x")));
    }
}

#[test]
fn the_provider_is_the_issuer_s_among_every_one_the_trust_names() {
    let other = "arn:aws:iam::123456789012:oidc-provider/git.example.com";
    let t = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Federated": other}, "Action": "sts:AssumeRoleWithWebIdentity",
         "Condition": {"StringEquals": {"git.example.com:sub": "x"}}},
        trust()["Statement"][0].clone(),
    ]});
    let e = explain(
        "r",
        &t,
        Some(&provider(&["https://gitlab.com"])),
        &claims(MAIN, "https://gitlab.com", NOW + 60),
        NOW,
    );
    assert!(e.allowed, "{}", text(&e));
    assert_eq!(e.decided_by, Decided::Allow(2));
    assert!(
        text(&e)
            .contains("Statement 1 (Allow): does not apply (its principal is not this provider)")
    );
    assert!(text(&e).contains("statement 2 (Allow) applies and no Deny does"));
}

#[test]
fn a_refusal_by_a_deny_names_the_statement_and_a_float_exp_is_a_number() {
    let mut t = trust();
    t["Statement"].as_array_mut().unwrap().push(json!({
        "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole*",
        "Condition": {"StringNotEquals": {"gitlab.com:user_login": "release-bot"}}
    }));
    let mut c = claims(MAIN, "https://gitlab.com", 0);
    c.insert("exp".into(), json!((NOW + 60) as f64 + 0.5));
    let e = explain("r", &t, Some(&provider(&["https://gitlab.com"])), &c, NOW);
    assert!(e.checks.iter().all(|c| c.passed), "{:?}", e.checks);
    assert!(!e.allowed);
    assert_eq!(e.decided_by, Decided::Deny(2));
    let verdict = verdict(&e);
    assert_eq!(
        verdict,
        "Verdict: AWS would refuse this token (AccessDenied): statement 2 (Deny) applies to it."
    );
    assert!(!text(&e).contains("0 checks failed"));
}
