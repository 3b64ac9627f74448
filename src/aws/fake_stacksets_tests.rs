//! The demo's StackSets against what the emulator shows, and its reading of the templates.

use super::*;
use crate::rollout::{Rollout, apply, destroy};

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap()
        .block_on(f)
}

fn setup(policies: &[&str]) -> crate::plan::Setup {
    crate::plan::SetupInput {
        projects: vec!["acme/api".into()],
        refs: vec!["main".into()],
        role_name: Some("gitlab-acme-api".into()),
        policies: policies.iter().map(|p| p.to_string()).collect(),
        ..Default::default()
    }
    .validate()
    .expect("valid")
}

fn member(aws: &FakeAws, account: &str) -> FakeAws {
    aws.members().remove(account).expect("member")
}

/// The demo's rollout behaves as the emulator's (tests/rollout.rs): the provider kept where
/// one is there, a second run with no operation, a change as one update, and destroy
/// leaving the provider it did not make.
#[test]
fn the_demo_rolls_out_as_stacksets_does() {
    let aws = crate::aws::demo::account();
    let run = |setup: &crate::plan::Setup| {
        let rollout = Rollout {
            setup,
            units: vec![
                crate::aws::demo::UNITS[1].to_string(),
                "ou-demo-workload".into(),
            ],
            member_role: crate::aws::org::DEFAULT_MEMBER_ROLE.into(),
            region: "us-east-1".into(),
        };
        block_on(apply(&aws, &rollout, |_, _| true, |_| {})).expect("apply")
    };
    let first = setup(&["ReadOnlyAccess"]);
    let (_, done) = run(&first);
    assert!(done.failed().is_empty(), "{done:?}");
    assert_eq!(done.operations.len(), 2, "CreateProvider true and false");
    for id in ["210000000001", "210000000002", "210000000003"] {
        assert!(
            member(&aws, id)
                .state
                .lock()
                .unwrap()
                .roles
                .contains_key("gitlab-acme-api")
        );
    }
    let (_, again) = run(&first);
    assert!(again.operations.is_empty(), "{again:?}");
    let (_, changed) = run(&setup(&["ViewOnlyAccess"]));
    assert_eq!(changed.operations.len(), 1);
    assert_eq!(changed.operations[0].action, "UPDATE");
    let staging = member(&aws, "210000000002");
    let attached = staging.state.lock().unwrap().attached["gitlab-acme-api"].clone();
    assert_eq!(
        attached.iter().map(|a| a.arn.as_str()).collect::<Vec<_>>(),
        vec!["arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"]
    );
    let removed = block_on(destroy(
        &aws,
        "gitlab-acme-api",
        crate::aws::org::DEFAULT_MEMBER_ROLE,
        |_, _| true,
        |_| {},
    ));
    // acme-prod's provider is trusted by its own role: the instance there did not make it
    // (CreateProvider=false), so destroy goes on and keeps it.
    let removed = removed.expect("destroy");
    assert_eq!(removed.accounts.len(), 3);
    let provider = |id: &str| {
        member(&aws, id)
            .state
            .lock()
            .unwrap()
            .providers
            .contains_key(&format!("arn:aws:iam::{id}:oidc-provider/gitlab.com"))
    };
    assert!(provider("210000000001"), "the foreign provider is kept");
    assert!(!provider("210000000002"), "the one the stack made is gone");
    assert!(
        !member(&aws, "210000000002")
            .state
            .lock()
            .unwrap()
            .roles
            .contains_key("gitlab-acme-api")
    );
    assert!(aws.state.lock().unwrap().stack_sets.is_empty());
}

/// Units that overlap (the root and a unit under it) give one instance per account, as
/// StackSets does (found by an attack: the demo deployed twice and failed).
#[test]
fn overlapping_units_deploy_each_account_once() {
    let aws = crate::aws::demo::account();
    let s = setup(&["ReadOnlyAccess"]);
    let rollout = Rollout {
        setup: &s,
        units: vec!["r-demo".into(), "ou-demo-workload".into()],
        member_role: crate::aws::org::DEFAULT_MEMBER_ROLE.into(),
        region: "us-east-1".into(),
    };
    let (_, done) = block_on(apply(&aws, &rollout, |_, _| true, |_| {})).expect("apply");
    assert!(done.failed().is_empty(), "{done:?}");
    let instances = aws.state.lock().unwrap().stack_sets["aws-oidc-wizard-gitlab-acme-api"]
        .instances
        .len();
    assert_eq!(instances, 3);
}

#[test]
fn the_fake_reads_every_field_of_an_exported_template() {
    let setup = crate::plan::SetupInput {
        projects: vec!["acme/web".into()],
        refs: vec!["main".into()],
        role_name: Some("gitlab-acme-web".into()),
        role_path: Some("/ci/".into()),
        policies: vec!["ReadOnlyAccess".into(), "ViewOnlyAccess".into()],
        max_session_duration: Some("7200".into()),
        ..Default::default()
    }
    .validate()
    .expect("valid");
    let text = crate::export::cloudformation(&setup).expect("template");
    let t = Template::read(&text, "210000000001").expect("read");
    assert_eq!(t.url, "https://gitlab.com");
    assert_eq!(t.client_ids, vec!["https://gitlab.com".to_string()]);
    assert_eq!(t.role_name, "gitlab-acme-web");
    assert_eq!(t.path, "/ci/");
    assert_eq!(t.max_session, 7200);
    assert_eq!(
        t.policies,
        vec![
            "arn:aws:iam::aws:policy/ReadOnlyAccess".to_string(),
            "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess".to_string()
        ]
    );
    // The trust policy is the engine's, for that account.
    let engine = setup.trust("aws", "210000000001").expect("trust");
    assert_eq!(t.trust, engine.policy.to_value());
}
