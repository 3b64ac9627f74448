//! The in-memory fake's Organization: units, member accounts (each a `FakeAws` of its own that
//! shares the call log), and `AssumeRole`, which as in AWS fails unless the role exists in the
//! target account.

use super::fake::FakeAws;
use super::org::{Account, AccountStatus, Children, Org, Organization};
use super::{AwsError, AwsResult};

#[derive(Clone)]
pub struct FakeOrg {
    pub id: String,
    pub root: String,
    /// Each unit's id and its parent's.
    pub units: Vec<(String, String)>,
    pub accounts: Vec<FakeAccount>,
}

#[derive(Clone)]
pub struct FakeAccount {
    pub account: Account,
    pub parent: String,
    /// `None`: the management account, which is the `FakeAws` that holds the Organization.
    pub aws: Option<FakeAws>,
}

/// The role Organizations creates in the accounts it creates.
const ACCESS_ROLE: &str = super::org::DEFAULT_MEMBER_ROLE;

impl FakeAws {
    /// Make this account the management account of a new Organization; gives the root's id.
    pub fn start_organization(&self) -> String {
        let Ok(mut s) = self.state.lock() else {
            return String::new();
        };
        let root = "r-demo".to_string();
        let account = Account {
            id: s.account.clone(),
            name: "management".into(),
            status: AccountStatus::Active,
        };
        s.organization = Some(FakeOrg {
            id: "o-demo0000".into(),
            root: root.clone(),
            units: Vec::new(),
            accounts: vec![FakeAccount {
                account,
                parent: root.clone(),
                aws: None,
            }],
        });
        root
    }

    /// A new organizational unit under `parent`.
    pub fn add_unit(&self, parent: &str, id: &str) {
        if let Ok(mut s) = self.state.lock()
            && let Some(o) = s.organization.as_mut()
        {
            o.units.push((id.to_string(), parent.to_string()));
        }
    }

    /// A new member account under `parent`, with the role Organizations creates in it; the
    /// account to seed.
    pub fn add_account(
        &self,
        parent: &str,
        id: &str,
        name: &str,
        status: AccountStatus,
    ) -> FakeAws {
        let member = self.sibling(id);
        if let Ok(mut m) = member.state.lock() {
            let trust = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{}:root", super::fake::ACCOUNT)},
                "Action": "sts:AssumeRole"}]});
            m.roles.insert(
                ACCESS_ROLE.into(),
                super::Role {
                    arn: format!("arn:aws:iam::{id}:role/{ACCESS_ROLE}"),
                    name: ACCESS_ROLE.into(),
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
        if let Ok(mut s) = self.state.lock()
            && let Some(o) = s.organization.as_mut()
        {
            o.accounts.push(FakeAccount {
                account: Account {
                    id: id.to_string(),
                    name: name.to_string(),
                    status,
                },
                parent: parent.to_string(),
                aws: Some(member.clone()),
            });
        }
        member
    }

    fn organization_state(&self, op: &str) -> AwsResult<FakeOrg> {
        self.enter("organizations", op)?
            .organization
            .clone()
            .ok_or_else(|| {
                AwsError::service(
                    op,
                    "AWSOrganizationsNotInUseException",
                    "Your account is not a member of an organization.",
                )
            })
    }
}

impl Org for FakeAws {
    type Member = FakeAws;

    async fn organization(&self) -> AwsResult<Option<Organization>> {
        let s = self.enter("organizations", "DescribeOrganization")?;
        Ok(s.organization.as_ref().map(|o| Organization {
            id: o.id.clone(),
            management_account: s.account.clone(),
        }))
    }

    async fn accounts(&self) -> AwsResult<Vec<Account>> {
        Ok(self
            .organization_state("ListAccounts")?
            .accounts
            .into_iter()
            .map(|a| a.account)
            .collect())
    }

    async fn root(&self) -> AwsResult<String> {
        Ok(self.organization_state("ListRoots")?.root)
    }

    async fn children(&self, parent: &str) -> AwsResult<Children> {
        let o = self.organization_state("ListAccountsForParent")?;
        self.organization_state("ListOrganizationalUnitsForParent")?;
        if parent != o.root && !o.units.iter().any(|(id, _)| id == parent) {
            return Err(AwsError::service(
                "ListAccountsForParent",
                "ParentNotFoundException",
                "We can't find a root or OU with the ParentId that you specified.",
            ));
        }
        Ok(Children {
            accounts: o
                .accounts
                .iter()
                .filter(|a| a.parent == parent)
                .map(|a| a.account.clone())
                .collect(),
            units: o
                .units
                .iter()
                .filter(|(_, p)| p == parent)
                .map(|(id, _)| id.clone())
                .collect(),
        })
    }

    async fn member(&self, role_arn: &str) -> AwsResult<FakeAws> {
        const OP: &str = "AssumeRole";
        let (own, org) = {
            let s = self.enter("sts", OP)?;
            (s.account.clone(), s.organization.clone())
        };
        let denied = || {
            AwsError::service(
                OP,
                "AccessDenied",
                &format!(
                    "User is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
                ),
            )
        };
        let mut parts = role_arn.splitn(6, ':');
        let account = parts.nth(4).unwrap_or_default();
        let name = parts
            .next()
            .and_then(|r| r.strip_prefix("role/"))
            .and_then(|r| r.rsplit('/').next())
            .unwrap_or_default();
        let target = if account == own {
            self.clone()
        } else {
            org.and_then(|o| o.accounts.into_iter().find(|a| a.account.id == account))
                .and_then(|a| a.aws)
                .ok_or_else(denied)?
        };
        let exists = target
            .state
            .lock()
            .map(|s| s.roles.contains_key(name))
            .unwrap_or(false);
        if exists { Ok(target) } else { Err(denied()) }
    }
}
