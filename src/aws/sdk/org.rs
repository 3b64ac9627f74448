//! The Organization through the SDK: Organizations' listings, and `AssumeRole` into a member
//! account, whose connection is this one's configuration with the role's credentials (the same
//! bounded retries, endpoint and call counter).

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_organizations::error::ProvideErrorMetadata as _;

use super::{SdkAws, all_pages};
use crate::aws::org::{Account, AccountStatus, Children, Org, Organization};
use crate::aws::{AwsError, AwsResult};

/// Organizations answers at most 20 accounts a page; 10,000 accounts is far beyond the default
/// quota of an Organization.
const ACCOUNT_PAGES: usize = 500;

/// The name the member sessions carry in CloudTrail.
const SESSION_NAME: &str = "aws-oidc-wizard";

fn account(a: &aws_sdk_organizations::types::Account) -> Account {
    use aws_sdk_organizations::types::{AccountState as S, AccountStatus as Old};
    let status = match (a.state(), a.status()) {
        (Some(S::Active), _) => AccountStatus::Active,
        (Some(S::Suspended), _) => AccountStatus::Suspended,
        (Some(S::PendingClosure), _) => AccountStatus::PendingClosure,
        (Some(S::PendingActivation), _) => AccountStatus::PendingActivation,
        (Some(S::Closed), _) => AccountStatus::Closed,
        (None, Some(Old::Active)) => AccountStatus::Active,
        (None, Some(Old::Suspended)) => AccountStatus::Suspended,
        (None, Some(Old::PendingClosure)) => AccountStatus::PendingClosure,
        _ => AccountStatus::Unknown,
    };
    Account {
        id: a.id().unwrap_or_default().to_string(),
        name: a.name().unwrap_or_default().to_string(),
        status,
    }
}

impl Org for SdkAws {
    type Member = SdkAws;

    async fn organization(&self) -> AwsResult<Option<Organization>> {
        const OP: &str = "DescribeOrganization";
        match self.organizations.describe_organization().send().await {
            Ok(out) => Ok(out.organization().map(|o| Organization {
                id: o.id().unwrap_or_default().to_string(),
                management_account: o.master_account_id().unwrap_or_default().to_string(),
            })),
            Err(e)
                if e.as_service_error().and_then(|s| s.code())
                    == Some("AWSOrganizationsNotInUseException") =>
            {
                Ok(None)
            }
            Err(e) => Err(AwsError::from_sdk(OP, e)),
        }
    }

    async fn accounts(&self) -> AwsResult<Vec<Account>> {
        const OP: &str = "ListAccounts";
        all_pages(OP, ACCOUNT_PAGES, |token| {
            let request = self.organizations.list_accounts().set_next_token(token);
            async move {
                let page = request
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk(OP, e))?;
                let next = page.next_token().map(str::to_string);
                Ok((page.accounts().iter().map(account).collect(), next))
            }
        })
        .await
    }

    async fn root(&self) -> AwsResult<String> {
        const OP: &str = "ListRoots";
        let page = self
            .organizations
            .list_roots()
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(OP, e))?;
        page.roots()
            .iter()
            .find_map(|r| r.id().map(str::to_string))
            .ok_or_else(|| {
                AwsError::new(
                    OP,
                    crate::aws::ErrorKind::Other("the Organization has no root".into()),
                )
            })
    }

    async fn children(&self, parent: &str) -> AwsResult<Children> {
        const ACCOUNTS: &str = "ListAccountsForParent";
        const UNITS: &str = "ListOrganizationalUnitsForParent";
        let accounts = all_pages(ACCOUNTS, ACCOUNT_PAGES, |token| {
            let request = self
                .organizations
                .list_accounts_for_parent()
                .parent_id(parent)
                .set_next_token(token);
            async move {
                let page = request
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk(ACCOUNTS, e))?;
                let next = page.next_token().map(str::to_string);
                Ok((page.accounts().iter().map(account).collect(), next))
            }
        });
        let units = all_pages(UNITS, ACCOUNT_PAGES, |token| {
            let request = self
                .organizations
                .list_organizational_units_for_parent()
                .parent_id(parent)
                .set_next_token(token);
            async move {
                let page = request
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk(UNITS, e))?;
                let next = page.next_token().map(str::to_string);
                let units = page
                    .organizational_units()
                    .iter()
                    .filter_map(|u| u.id().map(str::to_string))
                    .collect();
                Ok((units, next))
            }
        });
        let (accounts, units) = futures_util::future::try_join(accounts, units).await?;
        Ok(Children { accounts, units })
    }

    async fn member(&self, role_arn: &str) -> AwsResult<SdkAws> {
        const OP: &str = "AssumeRole";
        let out = self
            .sts
            .assume_role()
            .role_arn(role_arn)
            .role_session_name(SESSION_NAME)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(OP, e))?;
        let Some(c) = out.credentials() else {
            return Err(AwsError::new(
                OP,
                crate::aws::ErrorKind::Other("STS answered without credentials".into()),
            ));
        };
        let expiry = std::time::SystemTime::try_from(*c.expiration()).ok();
        let credentials = Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            expiry,
            "AssumeRole",
        );
        let config = self
            .config
            .to_builder()
            .credentials_provider(SharedCredentialsProvider::new(credentials))
            .build();
        Ok(SdkAws::from_config(
            config,
            self.calls.clone(),
            self.connection.clone(),
        ))
    }
}
