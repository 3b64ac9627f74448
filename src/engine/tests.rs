//! Engine behaviour on the in-memory fake: decisions, idempotency, failure before change, races.

use super::*;
use crate::aws::fake::FakeAws;
use crate::aws::{AttachedPolicy, Aws};
use crate::plan::{Setup, SetupInput};

fn setup(policies: &[&str]) -> Setup {
    SetupInput {
        projects: vec!["acme/web".into()],
        role_name: Some("gitlab-web".into()),
        policies: policies.iter().map(|p| p.to_string()).collect(),
        ..Default::default()
    }
    .validate()
    .unwrap()
}

fn run<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

async fn converge(aws: &FakeAws, s: &Setup) -> Outcome {
    let p = plan(aws, s).await.unwrap();
    apply(aws, &p, |_| {}).await.unwrap()
}

#[test]
fn fresh_setup_then_rerun_is_converged_with_only_reads() {
    run(async {
        let aws = FakeAws::new();
        let s = setup(&["ReadOnlyAccess", "job-function/ViewOnlyAccess"]);
        let out = converge(&aws, &s).await;
        assert_eq!(out.role_arn, "arn:aws:iam::123456789012:role/gitlab-web");
        assert_eq!(aws.calls().total(), 5 + 2 * 2);
        let before = aws.calls().total();
        let p = plan(&aws, &s).await.unwrap();
        assert!(p.is_converged());
        assert!(p.confirmations().is_empty());
        let out = apply(&aws, &p, |_| {}).await.unwrap();
        assert!(out.resources.iter().all(|r| r.action == Done::Unchanged));
        let mut rerun: Vec<String> = aws.calls().snapshot()[before..].to_vec();
        // The identity, then the provider, the role (then its policies) and each wanted policy
        // side by side.
        assert_eq!(rerun.remove(0), "sts.GetCallerIdentity");
        rerun.sort();
        assert_eq!(
            rerun,
            [
                "iam.GetOpenIDConnectProvider",
                "iam.GetPolicy",
                "iam.GetPolicy",
                "iam.GetRole",
                "iam.ListAttachedRolePolicies"
            ]
        );
    });
}

#[test]
fn a_managed_policy_named_without_its_path_is_found_by_listing() {
    run(async {
        let aws = FakeAws::new();
        let p = plan(&aws, &setup(&["ViewOnlyAccess"])).await.unwrap();
        assert_eq!(
            p.policies[0].arn,
            "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
        );
        assert!(
            aws.calls()
                .snapshot()
                .contains(&"iam.ListPolicies".to_string())
        );
    });
}

#[test]
fn unattachable_and_missing_policies_stop_the_plan_before_any_change() {
    run(async {
        let aws = FakeAws::new();
        let e = plan(
            &aws,
            &setup(&["aws-service-role/AWSSupportServiceRolePolicy"]),
        )
        .await
        .unwrap_err();
        assert!(matches!(e, EngineError::PolicyNotAttachable { .. }), "{e}");
        let e = plan(&aws, &setup(&["NotAPolicy"])).await.unwrap_err();
        assert!(matches!(e, EngineError::PolicyNotFound { .. }), "{e}");
        assert_eq!(e.exit_code(), 1);
        assert_eq!(aws.calls().mutating(), 0);
    });
}

#[test]
fn policies_attached_by_others_are_reported_and_kept() {
    run(async {
        let aws = FakeAws::new();
        let s = setup(&["ReadOnlyAccess"]);
        converge(&aws, &s).await;
        aws.state
            .lock()
            .unwrap()
            .attached
            .get_mut("gitlab-web")
            .unwrap()
            .push(AttachedPolicy {
                name: "Theirs".into(),
                arn: "arn:aws:iam::123456789012:policy/Theirs".into(),
            });
        let p = plan(&aws, &s).await.unwrap();
        assert_eq!(p.other_attached.len(), 1);
        assert!(p.is_converged());
        let out = apply(&aws, &p, |_| {}).await.unwrap();
        assert_eq!(out.left_alone[0].name, "Theirs");
        assert_eq!(aws.state.lock().unwrap().attached["gitlab-web"].len(), 2);
    });
}

#[test]
fn a_failure_names_its_step_and_a_rerun_finishes_without_repeating() {
    run(async {
        let aws = FakeAws::new();
        let s = setup(&["ReadOnlyAccess"]);
        aws.fail_next("AttachRolePolicy", "AccessDenied");
        let p = plan(&aws, &s).await.unwrap();
        let e = apply(&aws, &p, |_| {}).await.unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.starts_with("step \"permissions\": AttachRolePolicy failed: AccessDenied"),
            "{msg}"
        );
        assert!(msg.contains("iam:AttachRolePolicy"), "{msg}");
        let before = aws.calls().total();
        let out = converge(&aws, &s).await;
        let rerun = aws.calls().snapshot()[before..].to_vec();
        assert!(!rerun.contains(&"iam.CreateRole".to_string()));
        assert!(!rerun.contains(&"iam.CreateOpenIDConnectProvider".to_string()));
        assert_eq!(out.resources[2].action, Done::Attached);
    });
}

#[test]
fn a_provider_created_meanwhile_is_adopted() {
    run(async {
        let aws = FakeAws::new();
        let s = setup(&[]);
        let p = plan(&aws, &s).await.unwrap();
        // Someone else creates it between our plan and apply.
        aws.create_oidc_provider(
            "https://gitlab.com",
            &["sts.amazonaws.com".into()],
            &[],
            &[],
        )
        .await
        .unwrap();
        let out = apply(&aws, &p, |_| {}).await.unwrap();
        assert_eq!(out.resources[0].action, Done::Updated);
        let state = aws.state.lock().unwrap();
        assert_eq!(state.providers.len(), 1);
        assert_eq!(state.providers.values().next().unwrap().client_ids.len(), 2);
    });
}

#[test]
fn a_role_at_another_path_is_a_conflict() {
    run(async {
        let aws = FakeAws::new();
        converge(&aws, &setup(&[])).await;
        let mut input = SetupInput {
            projects: vec!["acme/web".into()],
            role_name: Some("gitlab-web".into()),
            ..Default::default()
        };
        input.role_path = Some("/ci/".into());
        let e = plan(&aws, &input.validate().unwrap()).await.unwrap_err();
        assert!(matches!(e, EngineError::RolePathConflict { .. }), "{e}");
    });
}

#[test]
fn progress_reports_each_action_in_order() {
    run(async {
        let aws = FakeAws::new();
        let p = plan(&aws, &setup(&["ReadOnlyAccess"])).await.unwrap();
        assert_eq!(
            p.actions(),
            [
                Action::CreateProvider,
                Action::CreateRole,
                Action::AttachPolicy {
                    arn: "arn:aws:iam::aws:policy/ReadOnlyAccess".into(),
                    name: "ReadOnlyAccess".into()
                }
            ]
        );
        let mut seen = Vec::new();
        apply(&aws, &p, |e| {
            if let Progress::Finished { index, done, .. } = e {
                seen.push((index, done));
            }
        })
        .await
        .unwrap();
        assert_eq!(
            seen,
            [(0, Done::Created), (1, Done::Created), (2, Done::Attached)]
        );
    });
}

#[test]
fn actions_resume_from_a_failed_one_without_repeating_finished_ones() {
    run(async {
        let aws = FakeAws::new();
        let p = plan(&aws, &setup(&["ReadOnlyAccess"])).await.unwrap();
        let actions = p.actions();
        aws.fail_next("CreateRole", "AccessDenied");
        execute(&aws, &p, &actions[0]).await.unwrap();
        assert!(execute(&aws, &p, &actions[1]).await.is_err());
        let before = aws.calls().total();
        for a in &actions[1..] {
            execute(&aws, &p, a).await.unwrap();
        }
        assert_eq!(
            aws.calls().snapshot()[before..],
            ["iam.CreateRole", "iam.AttachRolePolicy"]
        );
    });
}

#[test]
fn role_settings_are_one_call() {
    run(async {
        let aws = FakeAws::new();
        converge(&aws, &setup(&[])).await;
        let mut input = SetupInput {
            projects: vec!["acme/web".into()],
            role_name: Some("gitlab-web".into()),
            ..Default::default()
        };
        input.description = Some("new".into());
        input.max_session_duration = Some("7200".into());
        let p = plan(&aws, &input.validate().unwrap()).await.unwrap();
        assert_eq!(
            p.actions(),
            [Action::UpdateRoleSettings {
                description: Some("new".into()),
                max_session_duration: Some(7200)
            }]
        );
    });
}

#[test]
fn a_detached_policy_is_planned_confirmed_and_gone_once() {
    run(async {
        let aws = FakeAws::new();
        converge(&aws, &setup(&["ReadOnlyAccess", "AdministratorAccess"])).await;
        let mut input = SetupInput {
            projects: vec!["acme/web".into()],
            role_name: Some("gitlab-web".into()),
            policies: vec!["ReadOnlyAccess".into()],
            detach_policies: vec!["AdministratorAccess".into()],
            ..Default::default()
        };
        let s = input.validate().unwrap();
        let p = plan(&aws, &s).await.unwrap();
        let admin = "arn:aws:iam::aws:policy/AdministratorAccess";
        assert_eq!(
            p.actions(),
            [Action::DetachPolicy {
                arn: admin.into(),
                name: "AdministratorAccess".into()
            }]
        );
        assert!(p.other_attached.is_empty(), "{:?}", p.other_attached);
        // Detaching an admin-level policy is no danger: no admin-level warning for it.
        assert!(
            !p.warnings.iter().any(|w| w.contains("admin-level")),
            "{:?}",
            p.warnings
        );
        assert!(!p.is_converged());
        assert!(
            p.confirmations()
                .iter()
                .any(|c| c.contains("AdministratorAccess will be detached")),
            "{:?}",
            p.confirmations()
        );
        let out = apply(&aws, &p, |_| {}).await.unwrap();
        assert!(
            out.resources
                .iter()
                .any(|r| r.id == admin && r.action == Done::Detached)
        );
        let now = aws.list_attached_policies("gitlab-web").await.unwrap();
        assert_eq!(now.len(), 1, "{now:?}");
        // Asked again: nothing attached to detach, so converged.
        let again = plan(&aws, &s).await.unwrap();
        assert!(again.is_converged(), "{:?}", again.actions());
        // Detached meanwhile by someone else: the step still succeeds.
        assert_eq!(
            execute(&aws, &p, &p.actions()[0]).await.unwrap(),
            Done::Detached
        );
        // The same policy to attach and detach is refused before any call.
        input.policies.push("AdministratorAccess".into());
        let e = input.validate().unwrap_err();
        assert!(e.to_string().contains("name each policy once"), "{e}");
    });
}

/// The actions run in waves: the provider, then the role, then every attach side by side. A wave
/// reports its successes in the plan's order, then the first failure by index; the other
/// attaches of the wave are done, and the next run (a fresh plan) makes only the refused one.
#[test]
fn actions_run_in_waves_and_a_refused_attach_leaves_only_itself_to_do() {
    run(async {
        let aws = FakeAws::new();
        let s = setup(&[
            "ReadOnlyAccess",
            "job-function/ViewOnlyAccess",
            "AdministratorAccess",
        ]);
        let p = plan(&aws, &s).await.unwrap();
        assert_eq!(p.actions().len(), 5);
        aws.fail_next("AttachRolePolicy", "AccessDenied");
        let mut seen = Vec::new();
        let err = apply(&aws, &p, |e| {
            seen.push(match e {
                Progress::Started { index, .. } => format!("started {index}"),
                Progress::Finished { index, .. } => format!("finished {index}"),
                Progress::Failed { index, .. } => format!("failed {index}"),
            })
        })
        .await
        .expect_err("refused");
        assert_eq!(err.code(), "AccessDenied");
        assert_eq!(
            seen,
            [
                "started 0",
                "finished 0",
                "started 1",
                "finished 1",
                "started 2",
                "started 3",
                "started 4",
                "finished 3",
                "finished 4",
                "failed 2"
            ]
        );
        let before = aws.calls().total();
        let again = plan(&aws, &s).await.unwrap();
        let actions: Vec<&str> = again.actions().iter().map(|a| a.operation()).collect();
        assert_eq!(
            actions,
            ["AttachRolePolicy"],
            "{:?}",
            aws.calls().snapshot()[before..].to_vec()
        );
        apply(&aws, &again, |_| {}).await.unwrap();
        assert!(plan(&aws, &s).await.unwrap().is_converged());
    });
}
