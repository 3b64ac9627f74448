//! The rules of `check` on the shapes of trust policy reviewers meet: each opens the role (or
//! not) as IAM would evaluate it, and gets its exact code and severity.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::*;

const PROVIDER: &str = "arn:aws:iam::123456789012:oidc-provider/gitlab.com";
const OTHER: &str = "arn:aws:iam::123456789012:oidc-provider/git.example.com";
const SUB: &str = "project_path:acme/web:ref_type:branch:ref:main";

fn role_with(trust: Value, max_session: i32) -> Role {
    Role {
        arn: "arn:aws:iam::123456789012:role/r".into(),
        name: "r".into(),
        path: "/".into(),
        trust_policy: trust,
        trust_ambiguity: Default::default(),
        description: None,
        max_session_duration: max_session,
        permissions_boundary: None,
        tags: vec![],
    }
}

fn statement(condition: Value) -> Value {
    json!({"Effect": "Allow", "Principal": {"Federated": PROVIDER},
        "Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition})
}

fn trust(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn role(condition: Value, max_session: i32) -> Role {
    role_with(trust(vec![statement(condition)]), max_session)
}

fn providers() -> BTreeMap<String, Option<OidcProvider>> {
    BTreeMap::from([
        (
            PROVIDER.to_string(),
            Some(OidcProvider {
                arn: PROVIDER.into(),
                url: "gitlab.com".into(),
                client_ids: vec!["https://gitlab.com".into()],
                thumbprints: vec![],
                tags: vec![],
            }),
        ),
        (
            OTHER.to_string(),
            Some(OidcProvider {
                arn: OTHER.into(),
                url: "git.example.com".into(),
                client_ids: vec!["https://git.example.com".into()],
                thumbprints: vec![],
                tags: vec![],
            }),
        ),
    ])
}

fn codes(role: &Role) -> Vec<(Severity, &'static str)> {
    audit(role, &providers(), &[], 0)
        .into_iter()
        .map(|f| (f.severity, f.code.as_str()))
        .collect()
}

fn aud() -> Value {
    json!({"gitlab.com:aud": "https://gitlab.com"})
}

fn with_aud(op: &str, key: &str, value: Value) -> Value {
    let mut c = json!({"StringEquals": aud()});
    c[op][key] = value;
    c
}

use Severity::*;

#[test]
fn what_opens_a_role_to_other_people_s_pipelines_is_critical() {
    for (name, trust_policy, want) in [
        (
            "aud only",
            trust(vec![statement(json!({"StringEquals": aud()}))]),
            "no-sub",
        ),
        (
            "* sub",
            trust(vec![statement(with_aud(
                "StringLike",
                "gitlab.com:sub",
                json!("*"),
            ))]),
            "sub-matches-everything",
        ),
        (
            "? in the group",
            trust(vec![statement(with_aud(
                "StringLike",
                "gitlab.com:sub",
                json!("project_path:acm?/web:ref_type:branch:ref:main"),
            ))]),
            "sub-matches-everything",
        ),
        (
            "* after the group's name",
            trust(vec![statement(with_aud(
                "StringLike",
                "gitlab.com:sub",
                json!("project_path:acme*"),
            ))]),
            "sub-matches-everything",
        ),
        (
            "Principal *",
            trust(vec![
                json!({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": aud()}}),
            ]),
            "principal-anyone",
        ),
        (
            "a second provider's statement",
            trust(vec![
                statement(with_aud("StringEquals", "gitlab.com:sub", json!(SUB))),
                json!({"Effect": "Allow", "Principal": {"Federated": OTHER}, "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {"git.example.com:aud": "https://git.example.com"}}}),
            ]),
            "no-sub",
        ),
        (
            "IfExists on a key IAM never offers is true",
            trust(vec![statement(json!({"StringEquals": aud(),
            "StringEqualsIfExists": {"gitlab.com:environment": "production"}}))]),
            "no-sub",
        ),
        (
            "only a negated sub",
            trust(vec![statement(with_aud(
                "StringNotEquals",
                "gitlab.com:sub",
                json!(SUB),
            ))]),
            "sub-not-confining",
        ),
        (
            "ForAllValues on sub",
            trust(vec![statement(with_aud(
                "ForAllValues:StringLike",
                "gitlab.com:sub",
                json!("project_path:*"),
            ))]),
            "sub-matches-everything",
        ),
    ] {
        let found = codes(&role_with(trust_policy, 3600));
        assert!(found.contains(&(Critical, want)), "{name}: {found:?}");
    }
    let any_aws = role_with(
        trust(vec![
            json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}),
        ]),
        3600,
    );
    assert_eq!(codes(&any_aws), [(Critical, "any-aws-principal")]);
}

#[test]
fn shapes_that_are_safe_raise_no_false_alarm() {
    for (name, trust_policy) in [
        (
            "exact",
            trust(vec![statement(with_aud(
                "StringEquals",
                "gitlab.com:sub",
                json!(SUB),
            ))]),
        ),
        (
            "key names in another case",
            trust(vec![statement(
                json!({"StringEquals": {"GitLab.com:Aud": "https://gitlab.com", "gitlab.com:Sub": SUB}}),
            )]),
        ),
        (
            "an aud-only Allow confined by a Deny",
            trust(vec![
                statement(json!({"StringEquals": aud()})),
                json!({"Effect": "Deny", "Principal": "*", "Action": "sts:*", "Condition": {"StringNotEquals": {"gitlab.com:sub": SUB}}}),
            ]),
        ),
        (
            "a protected ref pattern pinned to a project id",
            trust(vec![statement(
                json!({"StringEquals": {"gitlab.com:aud": "https://gitlab.com",
            "gitlab.com:ref_protected": "true", "gitlab.com:project_id": "4242"},
            "StringLike": {"gitlab.com:sub": "project_path:acme/web:ref_type:branch:ref:release/*"}}),
            )]),
        ),
        (
            "Principal * confined to one project",
            trust(vec![
                json!({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"gitlab.com:aud": "https://gitlab.com", "gitlab.com:sub": SUB}}}),
            ]),
        ),
    ] {
        // Paths without ids are a low hardening finding of their own (below).
        let found: Vec<_> = codes(&role_with(trust_policy, 3600))
            .into_iter()
            .filter(|c| *c != (Low, "path-only"))
            .collect();
        assert!(found.is_empty(), "{name}: {found:?}");
    }
}

#[test]
fn a_trust_of_paths_alone_is_a_low_hardening_finding_and_an_id_pin_clears_it() {
    let exact = role(with_aud("StringEquals", "gitlab.com:sub", json!(SUB)), 3600);
    assert_eq!(codes(&exact), [(Low, "path-only")]);
    let report = audit(&exact, &providers(), &[], 0);
    let example = report[0].counterexample.as_ref().expect("a token");
    assert_eq!(example.claims["sub"], json!(SUB));
    for pin in ["gitlab.com:namespace_id", "gitlab.com:project_id"] {
        let pinned = role(
            json!({"StringEquals": {"gitlab.com:aud": "https://gitlab.com", "gitlab.com:sub": SUB, pin: "4242"}}),
            3600,
        );
        assert_eq!(codes(&pinned), [], "{pin}");
    }
}

#[test]
fn a_project_id_pin_is_not_any_project_and_a_ref_star_is_any_ref() {
    let pinned = role(
        json!({"StringEquals": {"gitlab.com:aud": "https://gitlab.com", "gitlab.com:project_id": "4242"}}),
        3600,
    );
    assert_eq!(codes(&pinned), [(High, "any-ref-unprotected")], "pinned");
    let any_ref = role(
        with_aud(
            "StringLike",
            "gitlab.com:sub",
            json!("project_path:acme/web:*"),
        ),
        3600,
    );
    assert_eq!(
        codes(&any_ref),
        [(High, "any-ref-unprotected"), (Low, "path-only")]
    );
    let group = role(
        with_aud(
            "StringLike",
            "gitlab.com:sub",
            json!("project_path:acme/*:ref_type:branch:ref:main"),
        ),
        3600,
    );
    assert_eq!(
        codes(&group),
        [(High, "sub-matches-group"), (Low, "path-only")]
    );
    let report = audit(&any_ref, &providers(), &[], 0);
    assert!(
        report[0]
            .message
            .contains("e.g. sub \"project_path:acme/web:ref_type:branch:ref:"),
        "{}",
        report[0].message
    );
}

#[test]
fn a_key_that_never_matches_makes_the_role_dead_not_open() {
    for (name, condition, key_code) in [
        (
            "https:// in the key",
            json!({"StringEquals": {"https://gitlab.com:aud": "https://gitlab.com", "gitlab.com:sub": SUB}}),
            "key-with-scheme",
        ),
        (
            "environment key",
            with_aud(
                "StringEquals",
                "gitlab.com:environment",
                json!("production"),
            ),
            "unsupported-key",
        ),
        (
            "other host key",
            json!({"StringEquals": {"gitlab.com:aud": "https://gitlab.com", "gitlab.com:sub": SUB, "git.example.com:sub": SUB}}),
            "key-other-host",
        ),
    ] {
        let r = role(condition, 3600);
        let found = codes(&r);
        assert!(
            found.contains(&(High, key_code)) && found.contains(&(High, "dead")),
            "{name}: {found:?}"
        );
        assert!(
            !found.iter().any(|(s, _)| *s == Critical),
            "{name}: {found:?}"
        );
        let f = audit(&r, &providers(), &[], 0);
        let key = f.iter().find(|f| f.code.as_str() == key_code).unwrap();
        assert!(
            key.message.contains("statement 1 is dead"),
            "{}",
            key.message
        );
    }
}

#[test]
fn for_all_values_is_medium_and_short_sessions_low() {
    let r = role(
        json!({"StringEquals": {"gitlab.com:aud": "https://gitlab.com", "gitlab.com:sub": SUB},
        "ForAllValues:StringEquals": {"gitlab.com:project_id": "4242"}}),
        900,
    );
    assert_eq!(
        codes(&r),
        [(Medium, "for-all-values"), (Low, "short-session")]
    );
}

#[test]
fn findings_come_most_severe_first() {
    let bad = json!({"StringEquals": {"gitlab.com:aud": "sts.amazonaws.com"}});
    let admin = [AttachedPolicy {
        name: "AdministratorAccess".into(),
        arn: "arn:aws:iam::aws:policy/AdministratorAccess".into(),
    }];
    let f = audit(&role(bad, 3600), &providers(), &admin, 0);
    // The provider does not list that audience: no token gets in (dead), though the trust
    // would let any project in once it did.
    let got: Vec<_> = f.iter().map(|f| (f.severity, f.code.as_str())).collect();
    assert_eq!(
        got,
        [
            (High, "audience-not-registered"),
            (High, "dead"),
            (High, "admin-policy")
        ]
    );
    let open = audit(
        &role(json!({"StringEquals": aud()}), 3600),
        &providers(),
        &admin,
        0,
    );
    assert_eq!(
        (open[0].severity, open[0].code.as_str()),
        (Critical, "no-sub")
    );
}

#[test]
fn every_role_a_web_identity_token_can_reach_is_listed() {
    let reach = |t: Value| is_web_identity_role(&role_with(t, 3600));
    assert!(reach(trust(vec![statement(json!({}))])));
    assert!(reach(trust(vec![
        json!({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRoleWithWebIdentity"})
    ])));
    assert!(reach(trust(vec![
        json!({"Effect": "Allow", "Principal": {"Federated": "accounts.google.com"}, "Action": "sts:*"})
    ])));
    assert!(!reach(trust(vec![
        json!({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
    ])));
    assert!(!reach(trust(vec![
        json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})
    ])));
    assert!(!reach(trust(vec![
        json!({"Effect": "Allow", "Principal": {"Federated": PROVIDER}, "Action": "sts:AssumeRole"})
    ])));
    assert!(!reach(trust(vec![
        json!({"Effect": "Deny", "Principal": {"Federated": PROVIDER}, "Action": "sts:AssumeRoleWithWebIdentity"})
    ])));
}

#[tokio::test]
async fn the_gitlab_roles_to_pick_from_are_named_in_order_in_one_read() {
    let fake = crate::aws::fake::FakeAws::new();
    {
        let mut state = fake.state.lock().expect("state");
        for (name, trust) in [
            ("web", role(json!({}), 3600).trust_policy),
            ("api", role(json!({}), 3600).trust_policy),
            (
                "ec2",
                json!({"Statement": {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}}),
            ),
        ] {
            let mut r = role(json!({}), 3600);
            r.name = name.into();
            r.trust_policy = trust;
            state.roles.insert(name.into(), r);
        }
    }
    assert_eq!(
        gitlab_role_names(&fake).await.expect("listed"),
        ["api", "web"]
    );
    assert_eq!(fake.calls().snapshot(), ["iam.ListRoles"]);
}

/// Thumbprints matter only where the issuer's chain is not signed by a public CA; each
/// self-managed host is contacted once, gitlab.com never, and `--offline` contacts none.
#[tokio::test]
async fn thumbprints_are_compared_where_they_matter() {
    use crate::preflight::TlsReport;
    use std::sync::{Arc, Mutex};
    const TP: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let hosts = [
        ("private-listed.example", false, vec![TP]),
        ("private-missing.example", false, vec![]),
        (
            "private-stale.example",
            false,
            vec!["bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"],
        ),
        ("public.example", true, vec![]),
        ("unreachable.example", false, vec![TP]),
    ];
    let fake = crate::aws::fake::FakeAws::new();
    {
        let mut state = fake.state.lock().expect("state");
        let mut all = hosts.iter().map(|h| (h.0, h.2.clone())).collect::<Vec<_>>();
        all.push(("gitlab.com", vec![]));
        for (host, thumbprints) in all {
            let arn = format!("arn:aws:iam::123456789012:oidc-provider/{host}");
            state.providers.insert(
                arn.clone(),
                OidcProvider {
                    arn: arn.clone(),
                    url: host.into(),
                    client_ids: vec![format!("https://{host}")],
                    thumbprints: thumbprints.iter().map(|t| t.to_string()).collect(),
                    tags: vec![],
                },
            );
            let mut r = role_with(
                trust(vec![
                    json!({"Effect": "Allow", "Principal": {"Federated": arn},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {"StringEquals": {format!("{host}:aud"): format!("https://{host}"),
                        format!("{host}:sub"): SUB}}}),
                ]),
                3600,
            );
            r.name = host.into();
            state.roles.insert(host.into(), r);
        }
    }
    let contacted = Arc::new(Mutex::new(Vec::new()));
    let seen = contacted.clone();
    let reports = check_with(
        &fake,
        None,
        move |host: String| {
            seen.lock().expect("log").push(host.clone());
            let public = hosts.iter().find(|h| h.0 == host).is_some_and(|h| h.1);
            async move {
                Some(if host == "unreachable.example" {
                    Err("connection refused".to_string())
                } else {
                    Ok(TlsReport {
                        public_ca: public,
                        verify_error: None,
                        presented: 2,
                        thumbprint: TP.to_uppercase(),
                    })
                })
            }
        },
        |_| {},
    )
    .await
    .expect("checked");
    let by = |name: &str| -> Vec<(Severity, &'static str)> {
        reports
            .iter()
            .find(|r| r.role == name)
            .map(|r| {
                r.findings
                    .iter()
                    .map(|f| (f.severity, f.code.as_str()))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(by("private-listed.example"), []);
    assert_eq!(
        by("private-missing.example"),
        [(Medium, "thumbprint-missing")]
    );
    assert_eq!(by("private-stale.example"), [(Medium, "thumbprint-stale")]);
    assert_eq!(by("public.example"), []);
    assert_eq!(by("unreachable.example"), [(Low, "thumbprint-unchecked")]);
    // gitlab.com's role trusts a path only: a hardening, not a thumbprint matter.
    assert_eq!(by("gitlab.com"), [(Low, "path-only")]);
    let mut contacted = contacted.lock().expect("log").clone();
    contacted.sort();
    assert_eq!(
        contacted,
        [
            "private-listed.example",
            "private-missing.example",
            "private-stale.example",
            "public.example",
            "unreachable.example"
        ]
    );
    let offline = check_with(&fake, None, |_| async { None }, |_| {})
        .await
        .expect("checked");
    assert!(
        offline
            .iter()
            .flat_map(|r| &r.findings)
            .all(|f| f.code.as_str() == "path-only"),
        "{offline:?}"
    );
}

mod read_each {
    //! The one-by-one read of `check --all`: order kept, width bounded, fewer reads at once while
    //! IAM throttles, and every read done in the end.
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use crate::aws::AwsError;
    use crate::check::read_each;

    fn run<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap()
            .block_on(f)
    }

    /// A reader that records how many reads are in flight, and throttles the first `throttle`
    /// reads of items whose number is odd.
    struct Reader {
        in_flight: AtomicUsize,
        widest: Mutex<Vec<usize>>,
        throttled: AtomicUsize,
        throttle: usize,
    }

    impl Reader {
        async fn read(&self, item: &usize) -> Result<String, AwsError> {
            let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.widest.lock().unwrap().push(now);
            // Later items answer sooner: the order of answers is not the order of items.
            tokio::time::sleep(Duration::from_millis(20 - (*item as u64 % 20))).await;
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            if item % 2 == 1 && self.throttled.fetch_add(1, Ordering::SeqCst) < self.throttle {
                return Err(AwsError::service(
                    "ListAttachedRolePolicies",
                    "Throttling",
                    "Rate exceeded",
                ));
            }
            Ok(format!("policies of {item}"))
        }
    }

    fn reader(throttle: usize) -> Arc<Reader> {
        Arc::new(Reader {
            in_flight: AtomicUsize::new(0),
            widest: Mutex::new(Vec::new()),
            throttled: AtomicUsize::new(0),
            throttle,
        })
    }

    #[test]
    fn results_keep_the_order_of_the_roles_and_the_width_is_bounded() {
        let items: Vec<usize> = (0..100).collect();
        let r = reader(0);
        let mut progress = Vec::new();
        let out = run(read_each(&items, 16, |i| r.read(i), |n| progress.push(n))).unwrap();
        assert_eq!(
            out,
            items
                .iter()
                .map(|i| format!("policies of {i}"))
                .collect::<Vec<_>>()
        );
        assert_eq!(progress, (1..=100).collect::<Vec<_>>());
        let widest = *r.widest.lock().unwrap().iter().max().unwrap();
        assert_eq!(widest, 16);
    }

    #[test]
    fn a_burst_of_throttles_narrows_the_reads_and_ends_complete() {
        let items: Vec<usize> = (0..60).collect();
        let r = reader(30);
        let out = run(read_each(&items, 16, |i| r.read(i), |_| {})).unwrap();
        assert_eq!(out.len(), 60);
        assert_eq!(out[59], "policies of 59");
        assert!(r.throttled.load(Ordering::SeqCst) >= 30);
        // After the burst began, fewer reads ran at once than before it.
        let seen = r.widest.lock().unwrap().clone();
        let late = &seen[seen.len() - 10..];
        assert!(late.iter().all(|w| *w < 16), "{seen:?}");
    }

    #[test]
    fn throttling_that_never_ends_and_other_errors_fail_the_read() {
        let items: Vec<usize> = (0..4).collect();
        let r = reader(usize::MAX);
        let e = run(read_each(&items, 4, |i| r.read(i), |_| {})).unwrap_err();
        assert_eq!(e.code(), "Throttling");
        let denied = run(read_each(
            &items,
            4,
            |_| async {
                Err::<(), _>(AwsError::service(
                    "ListAttachedRolePolicies",
                    "AccessDenied",
                    "no",
                ))
            },
            |_| {},
        ))
        .unwrap_err();
        assert_eq!(denied.code(), "AccessDenied");
    }
}

/// A verdict on a trust policy that repeats a key holds for every reading: "dead" only when every
/// reading is, and past the readings' bound the audit says it is incomplete, an open reading
/// being found among the ones closest to the usual one.
#[test]
fn verdicts_on_repeated_keys_hold_for_every_reading() {
    let head = format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"Federated": "{PROVIDER}"}}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": "#
    );
    let main = "project_path:acme/web:ref_type:branch:ref:main";
    let role_of = |text: &str| {
        let r = crate::iam::document::readings(text).expect("json");
        Role {
            trust_policy: r.main,
            trust_ambiguity: r.others,
            ..role_with(json!({}), 3600)
        }
    };
    // Read with its last value, StringEquals with a '*' admits nothing; read with its first, the
    // named project's main does.
    let dead_one_way = role_of(&format!(
        r#"{head}{{"StringEquals": {{"gitlab.com:aud": "https://gitlab.com", "gitlab.com:sub": "{main}", "gitlab.com:sub": "project_path:*"}}}}}}]}}"#
    ));
    let found = codes(&dead_one_way);
    assert!(!found.iter().any(|(_, c)| *c == "dead"), "{found:?}");
    assert!(
        found.contains(&(Severity::Medium, "duplicate-keys")),
        "{found:?}"
    );
    // An open first value, then a statement whose Sid is said 70 times: the open reading is still
    // audited, and the cut is said.
    let sids: Vec<String> = (0..70).map(|i| format!(r#""Sid": "s{i}""#)).collect();
    let hidden = role_of(&format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"Federated": "{PROVIDER}"}}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {{"StringEquals": {{"gitlab.com:aud": "https://gitlab.com"}}, "StringLike": {{"gitlab.com:sub": "project_path:*", "gitlab.com:sub": "{main}"}}}}}}, {{{}, "Effect": "Allow", "Principal": {{"Federated": "{PROVIDER}"}}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {{"StringEquals": {{"gitlab.com:aud": "https://gitlab.com", "gitlab.com:sub": "{main}"}}}}}}]}}"#,
        sids.join(", ")
    ));
    let found = codes(&hidden);
    assert!(
        found.contains(&(Severity::Critical, "duplicate-keys-open")),
        "{found:?}"
    );
    assert!(
        found.contains(&(Severity::Medium, "analysis-incomplete")),
        "{found:?}"
    );
    // Read with its first value, a date compared to the login (a login may be written as a date):
    // the analysis of that reading is incomplete, and so is the verdict on the role, though the
    // usual reading is closed.
    let undecided = role_of(&format!(
        r#"{head}{{"DateGreaterThan": {{"gitlab.com:user_login": "1000"}}, "StringEquals": {{"gitlab.com:aud": "https://gitlab.com"}}}}}}], "Statement": [{{"Effect": "Allow", "Principal": {{"Federated": "{PROVIDER}"}}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {{"StringEquals": {{"gitlab.com:aud": "https://gitlab.com", "gitlab.com:sub": "{main}"}}}}}}]}}"#
    ));
    let found = codes(&undecided);
    assert!(
        found.contains(&(Severity::Medium, "analysis-incomplete")),
        "{found:?}"
    );
    // Read with its first value, any project gets in from a named range (not an outsider's, so not
    // open): said, named by its reading.
    let ranged = role_of(&format!(
        r#"{head}{{"StringEquals": {{"gitlab.com:aud": "https://gitlab.com"}}, "IpAddress": {{"aws:SourceIp": "10.0.0.0/8"}}}}}}], "Statement": [{{"Effect": "Allow", "Principal": {{"Federated": "{PROVIDER}"}}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {{"StringEquals": {{"gitlab.com:aud": "https://gitlab.com", "gitlab.com:sub": "{main}"}}}}}}]}}"#
    ));
    let found = codes(&ranged);
    assert!(
        found.contains(&(Severity::Medium, "open-from-network")),
        "{found:?}"
    );
}

#[test]
fn a_finding_found_by_two_routes_is_one_finding() {
    // `"*"` reaches the role through gitlab.com and through any other issuer: one
    // principal-anyone, not one per route.
    let star = role_with(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
            "Action": "sts:AssumeRoleWithWebIdentity"}]}),
        3600,
    );
    let found = codes(&star);
    assert_eq!(
        found
            .iter()
            .filter(|(_, c)| *c == "principal-anyone")
            .count(),
        1,
        "{found:?}"
    );
}
