//! `only_adds_subjects` against the evaluator: whenever it says a replacement takes nothing away,
//! every token the old trust accepts, the new one accepts too. Old and new trusts are generated
//! from small pools so that subsets, supersets, other operators and other conditions all occur.

use super::*;
use crate::iam::Context;
use crate::iam::eval::{Request, allows};
use crate::plan::trust_view::TrustView;
use proptest::prelude::*;
use serde_json::json;

const ARN: &str = "arn:aws:iam::123456789012:oidc-provider/gitlab.com";
const SUBS: [&str; 5] = [
    "project_path:acme/web:ref_type:branch:ref:main",
    "project_path:acme/api:ref_type:branch:ref:main",
    "project_path:acme/web:ref_type:tag:ref:v1",
    "project_path:acme/*:ref_type:branch:ref:main",
    "project_path:other/x:ref_type:branch:ref:*",
];

#[derive(Debug, Clone)]
struct Shape {
    like: bool,
    subs: Vec<usize>,
    protected: Option<bool>,
    deny_tags: bool,
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        any::<bool>(),
        proptest::collection::vec(0..SUBS.len(), 0..4),
        proptest::option::of(any::<bool>()),
        any::<bool>(),
    )
        .prop_map(|(like, subs, protected, deny_tags)| Shape {
            like,
            subs,
            protected,
            deny_tags,
        })
}

fn doc(s: &Shape) -> Value {
    let op = if s.like { "StringLike" } else { "StringEquals" };
    let subs: Vec<&str> = s.subs.iter().map(|i| SUBS[*i]).collect();
    let mut condition = json!({
        "StringEquals": {"gitlab.com:aud": "https://gitlab.com"},
    });
    condition[op]["gitlab.com:sub"] = json!(subs);
    if let Some(p) = s.protected {
        condition["StringEquals"]["gitlab.com:ref_protected"] = json!(p.to_string());
    }
    let mut statements = vec![json!({
        "Effect": "Allow",
        "Principal": {"Federated": ARN},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": condition,
    })];
    if s.deny_tags {
        statements.push(json!({
            "Effect": "Deny",
            "Principal": {"Federated": ARN},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringLike": {"gitlab.com:sub": "*:ref_type:tag:*"}},
        }));
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn tokens() -> Vec<Context> {
    let subs = [
        "project_path:acme/web:ref_type:branch:ref:main",
        "project_path:acme/api:ref_type:branch:ref:main",
        "project_path:acme/web:ref_type:tag:ref:v1",
        "project_path:acme/new:ref_type:branch:ref:main",
        "project_path:other/x:ref_type:branch:ref:dev",
        "project_path:acme/*:ref_type:branch:ref:main",
    ];
    let mut out = Vec::new();
    for sub in subs {
        for protected in ["true", "false"] {
            out.push(
                Context::new()
                    .with("gitlab.com:aud", "https://gitlab.com")
                    .with("gitlab.com:sub", sub)
                    .with("gitlab.com:ref_protected", protected),
            );
        }
    }
    out
}

fn accepts(doc: &Value, token: &Context) -> bool {
    allows(
        &TrustView::read(doc),
        &Request::web_identity(ARN, token.clone()),
    )
}

proptest! {
    #[test]
    fn what_it_calls_taking_nothing_away_accepts_every_token_accepted_today(
        now in shape(),
        then in shape(),
        extra in proptest::collection::vec(0..SUBS.len(), 0..3),
    ) {
        let current = doc(&now);
        // A superset of today's values, otherwise the same: always "takes nothing away".
        let mut wider = now.clone();
        wider.subs.extend(extra);
        prop_assert!(only_adds_subjects(&current, &doc(&wider)));
        for new in [doc(&then), doc(&wider)] {
            if only_adds_subjects(&current, &new) {
                for token in tokens() {
                    prop_assert!(
                        !accepts(&current, &token) || accepts(&new, &token),
                        "{current} → {new}: {token:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn taking_a_value_away_or_changing_anything_else_is_taking_away() {
    let base = Shape {
        like: false,
        subs: vec![0, 1],
        protected: Some(true),
        deny_tags: false,
    };
    let current = doc(&base);
    let fewer = Shape {
        subs: vec![0],
        ..base.clone()
    };
    let other_op = Shape {
        like: true,
        ..base.clone()
    };
    let denied = Shape {
        deny_tags: true,
        ..base.clone()
    };
    let unprotected = Shape {
        protected: None,
        ..base.clone()
    };
    for changed in [fewer, other_op, denied, unprotected] {
        assert!(!only_adds_subjects(&current, &doc(&changed)), "{changed:?}");
    }
    assert!(only_adds_subjects(&current, &current));
    assert!(!only_adds_subjects(&json!("not a policy"), &current));
}
