use super::*;
use crate::aws::fake::{ACCOUNT, FakeAws};
use crate::aws::org::DEFAULT_MEMBER_ROLE;

fn scope() -> Scope {
    Scope {
        units: Vec::new(),
        accounts: Vec::new(),
        member_role: DEFAULT_MEMBER_ROLE.into(),
    }
}

/// A role trusting every project of the group `acme` on gitlab.com, in `aws`.
fn weak_role(aws: &FakeAws, name: &str) {
    let account = aws.state.lock().unwrap().account.clone();
    let provider = format!("arn:aws:iam::{account}:oidc-provider/gitlab.com");
    let trust = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated": provider},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"gitlab.com:aud": "https://gitlab.com"},
                      "StringLike": {"gitlab.com:sub": "project_path:acme/*:ref_type:branch:ref:*"}}}]});
    let mut s = aws.state.lock().unwrap();
    s.providers.insert(
        provider.clone(),
        crate::aws::OidcProvider {
            arn: provider.clone(),
            url: "https://gitlab.com".into(),
            client_ids: vec!["https://gitlab.com".into()],
            thumbprints: Vec::new(),
            tags: Vec::new(),
        },
    );
    s.roles.insert(
        name.into(),
        crate::aws::Role {
            arn: format!("arn:aws:iam::{account}:role/{name}"),
            name: name.into(),
            path: "/".into(),
            trust_policy: trust,
            trust_ambiguity: Default::default(),
            description: None,
            max_session_duration: 3600,
            permissions_boundary: None,
            tags: Vec::new(),
        },
    );
}

/// management (root), ou-dev { 111 (weak role), ou-deep { 222 } }, ou-prod { 333 (suspended) }
fn organization() -> (FakeAws, FakeAws, FakeAws) {
    let aws = FakeAws::new();
    let root = aws.start_organization();
    aws.add_unit(&root, "ou-dev");
    aws.add_unit("ou-dev", "ou-deep");
    aws.add_unit(&root, "ou-prod");
    let dev = aws.add_account("ou-dev", "111111111111", "dev", AccountStatus::Active);
    let deep = aws.add_account(
        "ou-deep",
        "222222222222",
        "deep\u{1b}[2J",
        AccountStatus::Active,
    );
    aws.add_account("ou-prod", "333333333333", "old", AccountStatus::Suspended);
    weak_role(&dev, "gitlab-dev-deploy");
    (aws, dev, deep)
}

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn a_weak_role_in_a_member_account_carries_that_accounts_id() {
    let (aws, _, _) = organization();
    let audit = run(check_org(&aws, &scope(), |_| async { None }, |_| {})).unwrap();
    assert_eq!(
        audit
            .accounts
            .iter()
            .map(|a| a.account.as_str())
            .collect::<Vec<_>>(),
        ["111111111111", ACCOUNT, "222222222222", "333333333333"]
    );
    let weak: Vec<_> = audit
        .roles
        .iter()
        .filter(|r| !r.report.findings.is_empty())
        .collect();
    assert_eq!(weak.len(), 1);
    assert_eq!(weak[0].account, "111111111111");
    assert_eq!(weak[0].report.role, "gitlab-dev-deploy");
    assert!(weak[0].report.arn.contains(":111111111111:"));
}

#[test]
fn an_account_that_cannot_be_read_is_an_entry_with_its_reason() {
    let (aws, _, deep) = organization();
    deep.state.lock().unwrap().roles.remove(DEFAULT_MEMBER_ROLE);
    let audit = run(check_org(&aws, &scope(), |_| async { None }, |_| {})).unwrap();
    let unread: Vec<_> = audit
        .unreadable()
        .map(|a| (a.account.as_str(), a.unreadable.clone().unwrap().code))
        .collect();
    assert_eq!(
        unread,
        [
            ("222222222222", "AccessDenied".to_string()),
            ("333333333333", "AccountNotActive".to_string())
        ]
    );
    let text = text(&audit);
    assert!(
        text.contains("== account 222222222222 deep\\u{1b}[2J"),
        "{text}"
    );
    assert!(
        text.contains("could not assume OrganizationAccountAccessRole"),
        "{text}"
    );
    assert!(text.contains("the account is suspended"), "{text}");
    assert!(
        text.contains("4 accounts (2 not read), 1 role checked, "),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'));
}

#[test]
fn units_are_walked_to_any_depth_and_named_accounts_add_to_them() {
    let (aws, _, _) = organization();
    let by_unit = Scope {
        units: vec!["ou-dev".into()],
        ..scope()
    };
    let (accounts, missing) = run(accounts_in_scope(&aws, &by_unit)).unwrap();
    assert_eq!(
        accounts.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["111111111111", "222222222222"]
    );
    assert!(missing.is_empty());
    let both = Scope {
        units: vec!["ou-deep".into()],
        accounts: vec!["333333333333".into(), "999999999999".into()],
        ..scope()
    };
    let (accounts, missing) = run(accounts_in_scope(&aws, &both)).unwrap();
    assert_eq!(
        accounts.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["222222222222", "333333333333"]
    );
    assert_eq!(missing, ["999999999999"]);
    let unknown = Scope {
        units: vec!["ou-nope".into()],
        ..scope()
    };
    assert!(matches!(
        run(accounts_in_scope(&aws, &unknown)),
        Err(EngineError::UnitNotFound { .. })
    ));
}

#[test]
fn an_account_outside_any_organization_is_told_so() {
    let aws = FakeAws::new();
    assert!(matches!(
        run(check_org(&aws, &scope(), |_| async { None }, |_| {})),
        Err(EngineError::NoOrganization { .. })
    ));
}

#[test]
fn a_caller_that_may_not_list_accounts_is_told_which_account_can() {
    let (aws, _, _) = organization();
    aws.fail_next("ListAccounts", "AccessDeniedException");
    let e = run(check_org(&aws, &scope(), |_| async { None }, |_| {})).unwrap_err();
    assert!(matches!(e, EngineError::NotOrgAdministrator { .. }));
    assert!(e.to_string().contains("management account"), "{e}");
}

#[test]
fn progress_counts_accounts_and_roles() {
    let (aws, _, _) = organization();
    let mut seen = Vec::new();
    run(check_org(
        &aws,
        &scope(),
        |_| async { None },
        |p| seen.push(p),
    ))
    .unwrap();
    assert_eq!(seen.first().map(|p| p.accounts_done), Some(0));
    let last = seen.last().unwrap();
    assert_eq!((last.accounts_done, last.accounts, last.roles), (4, 4, 1));
    assert_eq!(
        Progress {
            accounts_done: 12,
            accounts: 30,
            roles: 1140
        }
        .line(),
        "accounts 12 of 30 · roles 1,140"
    );
}
