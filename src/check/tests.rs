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

mod proofs {
    //! `check`'s verdicts held to `explain` on random trust policies (every operator family,
    //! Deny statements, policy variables, global keys) and random tokens:
    //! - no open finding (and no incomplete analysis) → no outsider token a random search makes
    //!   is accepted by `explain`;
    //! - every finding with a counterexample → `explain` accepts the counterexample;
    //! - "dead" → no token at all is accepted.
    use super::*;
    use crate::check::reason::space::{REGIONS, named};
    use crate::check::route::parse_sub;
    use crate::explain::{Claims, RequestKeys, explain_with};
    use crate::plan::trust_view::TrustView;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

    const NOW: u64 = 1_790_000_000;
    const OPEN: [&str; 6] = [
        "principal-anyone",
        "no-sub",
        "sub-not-confining",
        "sub-matches-everything",
        "sub-variable",
        "admits-any-project",
    ];
    const FRAGMENTS: [&str; 24] = [
        "project_path:",
        "project_id:",
        "acme",
        "Acme",
        "/",
        "web",
        "*",
        "?",
        ":ref_type:",
        "branch",
        "tag",
        ":ref:",
        "main",
        "MAIN",
        "v1",
        "${gitlab.com:user_login}",
        "${gitlab.com:sub}",
        "${aws:RequestedRegion}",
        "evil",
        "4242",
        "x",
        ":",
        "${*}",
        "-",
    ];
    const OPERATORS: [&str; 14] = [
        "StringLike",
        "StringEquals",
        "StringNotLike",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringLikeIfExists",
        "ForAnyValue:StringLike",
        "ForAllValues:StringEquals",
        "StringNotEqualsIgnoreCase",
        "ArnLike",
        "Null",
        "Bool",
        "NumericLessThan",
        "DateGreaterThan",
    ];
    const KEYS: [&str; 12] = [
        "gitlab.com:sub",
        "gitlab.com:sub",
        "gitlab.com:sub",
        "gitlab.com:aud",
        "gitlab.com:project_id",
        "gitlab.com:namespace_id",
        "gitlab.com:ref_protected",
        "gitlab.com:user_login",
        "aws:RequestedRegion",
        "aws:SecureTransport",
        "aws:CurrentTime",
        "aws:SourceIp",
    ];

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => prop::collection::vec(prop::sample::select(FRAGMENTS.to_vec()), 1..7)
                .prop_map(|f| f.concat()),
            1 => prop::sample::select(vec![
                "project_path:acme/web:ref_type:branch:ref:main", "project_path:acme/*",
                "true", "false", "4242", "1000", "2020-01-01T00:00:00Z", "2099-01-01T00:00:00Z",
                "10.0.0.0/8", "eu-west-1", "https://gitlab.com", "acme",
            ]).prop_map(str::to_string),
        ]
    }

    fn condition() -> impl Strategy<Value = (String, String, Vec<String>)> {
        (
            prop::sample::select(OPERATORS.to_vec()),
            prop::sample::select(KEYS.to_vec()),
            prop::collection::vec(value(), 1..3),
        )
            .prop_map(|(o, k, v)| (o.to_string(), k.to_string(), v))
    }

    fn block(conds: Vec<(String, String, Vec<String>)>) -> Value {
        let mut c = json!({});
        for (op, key, values) in conds {
            c[op][key] = json!(values);
        }
        c
    }

    fn arb_trust() -> impl Strategy<Value = Value> {
        let allow = (
            prop::collection::vec(condition(), 0..4),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(conds, aud, anyone)| {
                let mut c = block(conds);
                if aud {
                    c["StringEquals"]["gitlab.com:aud"] = json!("https://gitlab.com");
                }
                let principal = if anyone {
                    json!("*")
                } else {
                    json!({"Federated": PROVIDER})
                };
                json!({"Effect": "Allow", "Principal": principal,
                    "Action": "sts:AssumeRoleWithWebIdentity", "Condition": c})
            });
        let deny = prop::collection::vec(condition(), 1..3).prop_map(|conds| {
            json!({"Effect": "Deny", "Principal": "*", "Action": "sts:*", "Condition": block(conds)})
        });
        (
            prop::collection::vec(allow, 1..3),
            prop::collection::vec(deny, 0..2),
            prop::sample::select(vec!["2012-10-17", "2012-10-17", "2008-10-17"]),
        )
            .prop_map(|(mut s, d, version)| {
                s.extend(d);
                json!({"Version": version, "Statement": s})
            })
    }

    fn provider() -> OidcProvider {
        OidcProvider {
            arn: PROVIDER.into(),
            url: "gitlab.com".into(),
            client_ids: vec!["https://gitlab.com".into()],
            thumbprints: vec![],
            tags: vec![],
        }
    }

    /// Pieces a random token is made of: the trust's own words and a stranger's.
    fn words(doc: &Value) -> Vec<String> {
        let mut out: Vec<String> = [
            "evil",
            "other",
            "acme",
            "Acme",
            "web",
            "main",
            "MAIN",
            "v1",
            "x",
            "42",
            "4242",
            "1",
            "999",
            "feature",
            "their-project",
        ]
        .map(String::from)
        .to_vec();
        // Only what GitLab allows in a path segment (the token must be one GitLab issues).
        for v in doc
            .to_string()
            .split(|c: char| !(c.is_ascii_alphanumeric() || "_.-".contains(c)))
        {
            if !v.is_empty() && v.len() < 40 {
                out.push(v.to_string());
            }
        }
        out
    }

    struct Token {
        claims: Claims,
        request: RequestKeys,
    }

    fn random_token(rng: &mut TestRng, words: &[String]) -> Token {
        let pick = |rng: &mut TestRng| words[rng.random_range(0..words.len())].clone();
        let mut path = pick(rng);
        for _ in 0..rng.random_range(1..3) {
            path = format!("{path}/{}", pick(rng));
        }
        let ref_type = if rng.random_bool(0.5) {
            "branch"
        } else {
            "tag"
        };
        let git_ref = pick(rng);
        let id = rng.random_range(1..5000u32).to_string();
        let sub = match rng.random_range(0..6) {
            0 => format!("project_id:{id}:ref_type:{ref_type}:ref:{git_ref}"),
            1 => format!("project_path:{path}:ref:{git_ref}"),
            2 => format!("project_path:{path}:ref_type:{ref_type}"),
            _ => format!("project_path:{path}:ref_type:{ref_type}:ref:{git_ref}"),
        };
        let login = pick(rng);
        let claims = json!({
            "iss": "https://gitlab.com", "aud": "https://gitlab.com", "sub": sub,
            "project_id": if sub.starts_with("project_id:") { id.clone() } else { rng.random_range(1..5000u32).to_string() },
            "namespace_id": rng.random_range(1..5000u32).to_string(),
            "user_id": rng.random_range(1..5000u32).to_string(),
            "user_login": login,
            "ref_protected": if rng.random_bool(0.5) { "true" } else { "false" },
            "pipeline_source": "push", "runner_environment": "gitlab-hosted",
            "user_access_level": "owner", "user_email": "someone@example.com",
            "iat": NOW, "exp": NOW + 86_400 * 365 * 100,
        });
        let mut request = RequestKeys::new();
        request.insert(
            "aws:RequestedRegion".into(),
            REGIONS[rng.random_range(0..REGIONS.len())].to_string(),
        );
        let ip = ["203.0.113.9", "10.1.2.3", "192.168.0.1", "2001:db8::1"][rng.random_range(0..4)];
        request.insert("aws:SourceIp".into(), ip.into());
        let t = NOW + [0, 3600, 86_400 * 365 * 20][rng.random_range(0..3)];
        request.insert("aws:CurrentTime".into(), crate::explain::iso_time(t));
        Token {
            claims: claims.as_object().cloned().unwrap_or_default(),
            request,
        }
    }

    /// Is the token one an outsider could bring (`docs/adversary-model.md`)?
    fn outsider(doc: &Value, t: &Token) -> bool {
        let view = TrustView::read(doc);
        let n = named(&view, "gitlab.com");
        let claim = |k: &str| t.claims.get(k).and_then(Value::as_str).unwrap_or_default();
        let Some(sub) = parse_sub(claim("sub")).or_else(|| {
            // The shorter formats a project may choose.
            let rest = claim("sub").strip_prefix("project_path:")?;
            let project = rest.split(':').next()?;
            Some(crate::check::route::Sub {
                project,
                by_id: false,
                ref_type: "",
                git_ref: "",
            })
        }) else {
            return false;
        };
        let group = sub
            .project
            .split('/')
            .next()
            .unwrap_or_default()
            .to_lowercase();
        // 203.0.113.9 is in no range the generator writes; the others may be.
        let outside_ip =
            !doc.to_string().contains("SourceIp") || t.request["aws:SourceIp"] == "203.0.113.9";
        !(if sub.by_id {
            n.project_ids.contains(sub.project)
        } else {
            n.groups.contains(&group)
        }) && !n.project_ids.contains(claim("project_id"))
            && !n.namespace_ids.contains(claim("namespace_id"))
            && !n.user_ids.contains(claim("user_id"))
            && !n.logins.contains(&claim("user_login").to_lowercase())
            && !n.groups.contains(&claim("user_login").to_lowercase())
            && outside_ip
    }

    fn accepted(doc: &Value, t: &Token) -> bool {
        explain_with("r", doc, Some(&provider()), &t.claims, NOW, &t.request).allowed
    }

    fn findings(doc: &Value) -> Vec<Finding> {
        audit(&role_with(doc.clone(), 3600), &providers(), &[], NOW)
    }

    fn cases() -> u32 {
        std::env::var("AOW_PROOF_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(400)
    }

    /// The three properties on one random trust.
    fn hold(doc: &Value, rng: &mut TestRng) -> Result<(), TestCaseError> {
        let found = findings(doc);
        for f in &found {
            if let Some(c) = &f.counterexample {
                // The provider of the counterexample's issuer (Principal "*" reaches any of the
                // account's providers, not only gitlab.com's).
                let iss = c
                    .claims
                    .get("iss")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let host = iss.strip_prefix("https://").unwrap_or_default();
                let aud = c
                    .claims
                    .get("aud")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let p = OidcProvider {
                    arn: format!("arn:aws:iam::123456789012:oidc-provider/{host}"),
                    url: host.into(),
                    client_ids: vec![aud.into()],
                    thumbprints: vec![],
                    tags: vec![],
                };
                let e = explain_with("r", doc, Some(&p), &c.claims, NOW, &c.request);
                prop_assert!(
                    e.allowed,
                    "{}: its counterexample {:?} is refused by explain: {doc}",
                    f.code,
                    c
                );
            }
        }
        let incomplete = found
            .iter()
            .any(|f| f.code.as_str() == "analysis-incomplete");
        let open = found
            .iter()
            .any(|f| OPEN.contains(&f.code.as_str()) || f.code.as_str() == "open-from-network");
        let dead = found.iter().any(|f| f.code.as_str() == "dead");
        if std::env::var("AOW_PROOF_STATS").is_ok() {
            eprintln!(
                "STAT open={open} dead={dead} incomplete={incomplete} examples={} {:?}",
                found.iter().filter(|f| f.counterexample.is_some()).count(),
                found
                    .iter()
                    .find(|f| f.code.as_str() == "analysis-incomplete")
                    .map(|f| (&f.message, doc.to_string()))
            );
        }
        let words = words(doc);
        for _ in 0..200 {
            let t = random_token(rng, &words);
            if dead {
                prop_assert!(
                    !accepted(doc, &t),
                    "dead, yet explain accepts {:?}: {doc}",
                    t.claims
                );
            }
            if !open && !incomplete && outsider(doc, &t) {
                prop_assert!(
                    !accepted(doc, &t),
                    "no open finding, yet explain accepts an outsider's token {} {:?}: {doc}",
                    t.claims["sub"],
                    t.request
                );
            }
        }
        Ok(())
    }

    #[test]
    fn verdicts_hold_against_explain_on_random_trusts_and_tokens() {
        let mut runner = TestRunner::new(Config {
            cases: cases(),
            ..Config::default()
        });
        let rng = std::cell::RefCell::new(TestRng::deterministic_rng(RngAlgorithm::ChaCha));
        let result = runner.run(&arb_trust(), |doc| hold(&doc, &mut rng.borrow_mut()));
        if let Err(e) = result {
            panic!("{e}");
        }
    }
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
