//! The per-account decision, over generated accounts: the rule that keeps a rollout from failing
//! on a provider that is there, and from ever taking one away.

use proptest::prelude::*;

use super::*;
use crate::aws::org::AccountStatus;
use crate::aws::stacksets::InstanceStatus;

fn setup() -> Setup {
    crate::plan::SetupInput {
        projects: vec!["acme/web".into()],
        role_name: Some("gitlab-acme-web".into()),
        policies: vec!["ReadOnlyAccess".into()],
        ..Default::default()
    }
    .validate()
    .expect("setup")
}

fn provider(audiences: Vec<String>) -> crate::aws::OidcProvider {
    crate::aws::OidcProvider {
        arn: "arn:aws:iam::111111111111:oidc-provider/gitlab.com".into(),
        url: "https://gitlab.com".into(),
        client_ids: audiences,
        thumbprints: Vec::new(),
        tags: Vec::new(),
    }
}

fn role() -> crate::aws::Role {
    crate::aws::Role {
        arn: "arn:aws:iam::111111111111:role/gitlab-acme-web".into(),
        name: "gitlab-acme-web".into(),
        path: "/".into(),
        trust_policy: serde_json::json!({}),
        trust_ambiguity: Default::default(),
        description: None,
        max_session_duration: 3600,
        permissions_boundary: None,
        tags: Vec::new(),
    }
}

fn instance(status: InstanceStatus) -> StackInstance {
    StackInstance {
        account: "111111111111".into(),
        region: "us-east-1".into(),
        unit: Some("ou-ab12-cdef3456".into()),
        status,
        detailed: None,
        reason: None,
    }
}

fn blank() -> AccountPlan {
    AccountPlan {
        account: "111111111111".into(),
        name: "dev".into(),
        status: AccountStatus::Active,
        action: AccountAction::Unchanged,
        changes: Vec::new(),
        problem: None,
        unreadable: None,
        instance: None,
    }
}

proptest! {
    /// Whatever the account holds and whatever its instance is:
    /// - an instance is told to create the provider only where the account has none, and only
    ///   when it is made;
    /// - an instance that is there is given another `CreateProvider` only from false to true
    ///   (which adds a provider and never deletes one), and only where the account has none;
    /// - a role of that name made outside the stack set is always named as a problem.
    #[test]
    fn the_provider_is_created_only_where_none_is_and_never_flipped(
        has_provider in any::<bool>(),
        audiences in proptest::collection::vec(prop_oneof![Just("https://gitlab.com".to_string()), "[a-z:/.]{1,20}"], 0..3),
        has_role in any::<bool>(),
        instance_state in prop_oneof![Just(None), Just(Some(InstanceStatus::Current)), Just(Some(InstanceStatus::Outdated)), Just(Some(InstanceStatus::Inoperable))],
        update in prop_oneof![Just(StackSetAction::Create), Just(StackSetAction::Update), Just(StackSetAction::Unchanged)],
        says_create in any::<bool>(),
    ) {
        let setup = setup();
        let rollout = Rollout {
            setup: &setup,
            units: vec!["ou-ab12-cdef3456".into()],
            member_role: "OrganizationAccountAccessRole".into(),
            region: "us-east-1".into(),
        };
        let seen = Seen {
            provider: has_provider.then(|| provider(audiences.clone())),
            role: has_role.then(role),
            says_create,
        };
        let instance = instance_state.map(instance);
        let mut plan = blank();
        decide(&mut plan, &seen, instance.as_ref(), update, &rollout);
        match plan.action {
            // Only an account with no instance gets a CreateProvider value, from what it holds.
            AccountAction::Deploy { create_provider } => {
                prop_assert_eq!(create_provider, !has_provider);
                prop_assert!(instance.is_none());
                if has_role {
                    prop_assert!(plan.problem.is_some());
                }
                if has_provider && !audiences.iter().any(|a| a == "https://gitlab.com") {
                    prop_assert!(plan.problem.is_some());
                }
            }
            // An instance that is there keeps the value it has: there is no field to change it.
            AccountAction::Redeploy => {
                prop_assert!(instance.is_some_and(|i| i.status != InstanceStatus::Current));
            }
            // false to true, for a current instance in an account without a provider.
            AccountAction::AddProvider => {
                prop_assert_eq!(instance.map(|i| i.status), Some(InstanceStatus::Current));
                prop_assert!(!has_provider);
                prop_assert!(!says_create);
            }
            AccountAction::Update | AccountAction::Unchanged => {
                prop_assert_eq!(instance.map(|i| i.status), Some(InstanceStatus::Current));
                // A current instance in an account without its provider is never left so
                // silently.
                if !has_provider {
                    prop_assert!(says_create && plan.problem.is_some());
                }
            }
            AccountAction::Skip { .. } | AccountAction::Unreadable => {
                prop_assert!(false, "decide neither skips nor fails to read")
            }
        }
    }
}

#[test]
fn stack_set_names_are_valid_and_distinct() {
    let plain = stack_set_name("gitlab-acme-web");
    assert_eq!(plain, "aws-oidc-wizard-gitlab-acme-web");
    let (a, b) = (
        stack_set_name("gitlab.acme_web"),
        stack_set_name("gitlab_acme.web"),
    );
    assert_ne!(a, b);
    for name in [plain, a, b] {
        assert!(name.len() <= 128);
        assert!(name.chars().next().is_some_and(|c| c.is_ascii_alphabetic()));
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
            "{name}"
        );
    }
}

proptest! {
    /// Every IAM role name gives a name CloudFormation takes: a letter first, then letters,
    /// digits and dashes, at most 128.
    #[test]
    fn every_role_name_gives_a_valid_stack_set_name(role in "[A-Za-z0-9+=,.@_-]{1,64}") {
        let name = stack_set_name(&role);
        prop_assert!(name.len() <= 128);
        prop_assert!(name.starts_with("aws-oidc-wizard-"));
        prop_assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'), "{}", name);
    }
}
