//! The real AWS SDK behind the `Aws` trait: clients built once, with bounded retries and timeouts,
//! a bounded credentials look-up (no long instance-metadata probing off EC2), and the call counter.

use aws_sdk_iam::types::Tag;
use serde_json::Value;

mod connect;
mod org;
mod stacksets;

pub use connect::{ConnectOptions, Connection, FALLBACK_REGION, Limits, SdkAws};

use super::calls::CallLog;
use super::{
    AttachedPolicy, Aws, AwsError, AwsResult, CallerIdentity, ManagedPolicy, NewRole, OidcProvider,
    Role,
};

impl SdkAws {
    /// Page through `ListPolicies` of one scope, handing each page to `take` until it returns true.
    async fn policy_pages(
        &self,
        scope: aws_sdk_iam::types::PolicyScopeType,
        mut take: impl FnMut(Vec<ManagedPolicy>) -> bool,
    ) -> AwsResult<()> {
        // Bounded: about 1,300 AWS managed policies exist, and an account holds at most 5,000
        // customer managed ones; 1,000 a page.
        let fetch = |marker| {
            let request = self
                .iam
                .list_policies()
                .scope(scope.clone())
                .max_items(1000)
                .set_marker(marker);
            async move {
                let page = request
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("ListPolicies", e))?;
                let policies = page
                    .policies()
                    .iter()
                    .map(|p| ManagedPolicy {
                        arn: p.arn().unwrap_or_default().to_string(),
                        name: p.policy_name().unwrap_or_default().to_string(),
                        attachable: p.is_attachable(),
                    })
                    .collect();
                Ok((policies, next_marker(page.is_truncated(), page.marker())))
            }
        };
        pages("ListPolicies", 20, fetch, &mut take).await
    }
}

/// A listing that was still going when its bound ran out: an error, never a part of the list
/// taken for the whole (a provider "no other role trusts" must be true of every role).
fn too_many_pages(op: &str) -> AwsError {
    AwsError::new(
        op,
        super::ErrorKind::Other(
            "IAM was still answering with more pages when the bound on pages ran out: stopped rather than act on part of the list".into(),
        ),
    )
}

/// The marker of the page after this one, when IAM says there is one.
fn next_marker(truncated: bool, marker: Option<&str>) -> Option<String> {
    marker.filter(|_| truncated).map(str::to_string)
}

/// Every page of one listing, at most `bound` pages: `fetch(marker)` sends one request and
/// gives its items with the next page's marker; `take` gets each page's items and says whether
/// to stop early. A listing still going when the bound runs out is an error
/// ([`too_many_pages`]), never a part of it taken for the whole.
async fn pages<T, Fut>(
    op: &str,
    bound: usize,
    mut fetch: impl FnMut(Option<String>) -> Fut,
    mut take: impl FnMut(Vec<T>) -> bool,
) -> AwsResult<()>
where
    Fut: std::future::Future<Output = AwsResult<(Vec<T>, Option<String>)>>,
{
    let mut marker = None;
    for _ in 0..bound {
        let (items, next) = fetch(marker.take()).await?;
        if take(items) {
            return Ok(());
        }
        match next {
            Some(m) => marker = Some(m),
            None => return Ok(()),
        }
    }
    Err(too_many_pages(op))
}

/// [`pages`], every item of every page.
async fn all_pages<T, Fut>(
    op: &str,
    bound: usize,
    fetch: impl FnMut(Option<String>) -> Fut,
) -> AwsResult<Vec<T>>
where
    Fut: std::future::Future<Output = AwsResult<(Vec<T>, Option<String>)>>,
{
    let mut out = Vec::new();
    pages(op, bound, fetch, |items| {
        out.extend(items);
        false
    })
    .await?;
    Ok(out)
}

fn tags(pairs: &[(String, String)]) -> AwsResult<Vec<Tag>> {
    pairs
        .iter()
        .map(|(k, v)| {
            Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| AwsError::new("Tag", super::ErrorKind::Other(e.to_string())))
        })
        .collect()
}

fn tag_pairs(tags: &[Tag]) -> Vec<(String, String)> {
    tags.iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

/// IAM returns policy documents URL-encoded (RFC 3986); decode, then parse as JSON.
pub fn decode_policy_document(raw: &str) -> Result<Value, String> {
    decode_policy_readings(raw).map(|r| r.main)
}

/// Every reading of a policy document as IAM returns it (a repeated key reads more than one way).
pub fn decode_policy_readings(raw: &str) -> Result<crate::iam::document::Readings, String> {
    let decoded = if raw.trim_start().starts_with('{') {
        raw.to_string()
    } else {
        percent_encoding::percent_decode_str(raw)
            .decode_utf8()
            .map_err(|e| format!("the policy document is not valid URL-encoded UTF-8: {e}"))?
            .into_owned()
    };
    crate::iam::document::readings(&decoded)
        .map_err(|e| format!("the policy document is not valid JSON: {e}"))
}

/// A role's trust policy as IAM returns it: one that cannot be read is a role whose trust is
/// unknown (audited as such), not a failure of the whole listing.
fn trust_of(raw: Option<&str>) -> crate::iam::document::Readings {
    decode_policy_readings(raw.unwrap_or("{}"))
        .unwrap_or_else(crate::iam::document::Readings::unreadable)
}

fn role_from_sdk(_op: &str, role: &aws_sdk_iam::types::Role) -> AwsResult<Role> {
    let trust = trust_of(role.assume_role_policy_document());
    Ok(Role {
        arn: role.arn().to_string(),
        name: role.role_name().to_string(),
        path: role.path().to_string(),
        trust_policy: trust.main,
        trust_ambiguity: trust.others,
        description: role.description().map(str::to_string),
        max_session_duration: role.max_session_duration().unwrap_or(3600),
        permissions_boundary: role
            .permissions_boundary()
            .and_then(|b| b.permissions_boundary_arn())
            .map(str::to_string),
        tags: tag_pairs(role.tags()),
    })
}

/// A role as `GetAccountAuthorizationDetails` tells it: with its trust policy, boundary, tags and
/// attached managed policies (no session length or description: IAM's defaults stand in).
fn role_detail(d: &aws_sdk_iam::types::RoleDetail) -> (Role, Vec<AttachedPolicy>) {
    let trust = trust_of(d.assume_role_policy_document());
    let role = Role {
        arn: d.arn().unwrap_or_default().to_string(),
        name: d.role_name().unwrap_or_default().to_string(),
        path: d.path().unwrap_or("/").to_string(),
        trust_policy: trust.main,
        trust_ambiguity: trust.others,
        description: None,
        max_session_duration: 3600,
        permissions_boundary: d
            .permissions_boundary()
            .and_then(|b| b.permissions_boundary_arn())
            .map(str::to_string),
        tags: tag_pairs(d.tags()),
    };
    let attached = d
        .attached_managed_policies()
        .iter()
        .map(|p| AttachedPolicy {
            name: p.policy_name().unwrap_or_default().to_string(),
            arn: p.policy_arn().unwrap_or_default().to_string(),
        })
        .collect();
    (role, attached)
}

/// `NoSuchEntity` becomes `None`.
fn not_found_as_none<T>(result: AwsResult<T>) -> AwsResult<Option<T>> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_code("NoSuchEntity") => Ok(None),
        Err(e) => Err(e),
    }
}

impl Aws for SdkAws {
    async fn caller_identity(&self) -> AwsResult<CallerIdentity> {
        const OP: &str = "GetCallerIdentity";
        let out = self.sts.get_caller_identity().send().await.map_err(|e| {
            let mut err = AwsError::from_sdk(OP, e);
            if let (super::ErrorKind::Credentials(reason), Some(profile)) =
                (&mut err.kind, &self.connection.profile)
            {
                reason.push_str(&format!(" (profile {profile})"));
            }
            err
        })?;
        Ok(CallerIdentity {
            account: out.account().unwrap_or_default().to_string(),
            arn: out.arn().unwrap_or_default().to_string(),
            user_id: out.user_id().unwrap_or_default().to_string(),
        })
    }

    async fn get_oidc_provider(&self, arn: &str) -> AwsResult<Option<OidcProvider>> {
        const OP: &str = "GetOpenIDConnectProvider";
        let result = self
            .iam
            .get_open_id_connect_provider()
            .open_id_connect_provider_arn(arn)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(OP, e));
        Ok(not_found_as_none(result)?.map(|out| OidcProvider {
            arn: arn.to_string(),
            url: out.url().unwrap_or_default().to_string(),
            client_ids: out.client_id_list().to_vec(),
            thumbprints: out.thumbprint_list().to_vec(),
            tags: tag_pairs(out.tags()),
        }))
    }

    async fn create_oidc_provider(
        &self,
        url: &str,
        client_ids: &[String],
        thumbprints: &[String],
        tag_list: &[(String, String)],
    ) -> AwsResult<String> {
        const OP: &str = "CreateOpenIDConnectProvider";
        let out = self
            .iam
            .create_open_id_connect_provider()
            .url(url)
            .set_client_id_list(Some(client_ids.to_vec()))
            .set_thumbprint_list((!thumbprints.is_empty()).then(|| thumbprints.to_vec()))
            .set_tags(Some(tags(tag_list)?))
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(OP, e))?;
        Ok(out
            .open_id_connect_provider_arn()
            .unwrap_or_default()
            .to_string())
    }

    async fn add_client_id(&self, provider_arn: &str, client_id: &str) -> AwsResult<()> {
        const OP: &str = "AddClientIDToOpenIDConnectProvider";
        self.iam
            .add_client_id_to_open_id_connect_provider()
            .open_id_connect_provider_arn(provider_arn)
            .client_id(client_id)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(OP, e))?;
        Ok(())
    }

    async fn get_role(&self, name: &str) -> AwsResult<Option<Role>> {
        const OP: &str = "GetRole";
        let result = self
            .iam
            .get_role()
            .role_name(name)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(OP, e));
        let Some(out) = not_found_as_none(result)? else {
            return Ok(None);
        };
        out.role().map(|r| role_from_sdk(OP, r)).transpose()
    }

    async fn create_role(&self, role: &NewRole) -> AwsResult<String> {
        const OP: &str = "CreateRole";
        let out = self
            .iam
            .create_role()
            .role_name(&role.name)
            .path(&role.path)
            .assume_role_policy_document(&role.trust_policy_json)
            .description(&role.description)
            .max_session_duration(role.max_session_duration)
            .set_permissions_boundary(role.permissions_boundary.clone())
            .set_tags(Some(tags(&role.tags)?))
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(OP, e))?;
        Ok(out.role().map(|r| r.arn().to_string()).unwrap_or_default())
    }

    async fn update_trust_policy(&self, role: &str, policy_json: &str) -> AwsResult<()> {
        self.iam
            .update_assume_role_policy()
            .role_name(role)
            .policy_document(policy_json)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("UpdateAssumeRolePolicy", e))?;
        Ok(())
    }

    async fn update_role(
        &self,
        role: &str,
        description: Option<&str>,
        max_session_duration: Option<i32>,
    ) -> AwsResult<()> {
        self.iam
            .update_role()
            .role_name(role)
            .set_description(description.map(str::to_string))
            .set_max_session_duration(max_session_duration)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("UpdateRole", e))?;
        Ok(())
    }

    async fn put_permissions_boundary(&self, role: &str, arn: &str) -> AwsResult<()> {
        self.iam
            .put_role_permissions_boundary()
            .role_name(role)
            .permissions_boundary(arn)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("PutRolePermissionsBoundary", e))?;
        Ok(())
    }

    async fn list_attached_policies(&self, role: &str) -> AwsResult<Vec<AttachedPolicy>> {
        // Bounded: a role has at most 20 managed policies; 10 pages is far beyond any real answer.
        all_pages("ListAttachedRolePolicies", 10, |marker| {
            let request = self
                .iam
                .list_attached_role_policies()
                .role_name(role)
                .set_marker(marker);
            async move {
                let page = request
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("ListAttachedRolePolicies", e))?;
                let attached = page
                    .attached_policies()
                    .iter()
                    .map(|p| AttachedPolicy {
                        name: p.policy_name().unwrap_or_default().to_string(),
                        arn: p.policy_arn().unwrap_or_default().to_string(),
                    })
                    .collect();
                Ok((attached, next_marker(page.is_truncated(), page.marker())))
            }
        })
        .await
    }

    async fn get_policy(&self, arn: &str) -> AwsResult<Option<ManagedPolicy>> {
        const OP: &str = "GetPolicy";
        let result = self
            .iam
            .get_policy()
            .policy_arn(arn)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(OP, e));
        Ok(not_found_as_none(result)?.and_then(|out| {
            out.policy().map(|p| ManagedPolicy {
                arn: p.arn().unwrap_or(arn).to_string(),
                name: p.policy_name().unwrap_or_default().to_string(),
                attachable: p.is_attachable(),
            })
        }))
    }

    async fn list_aws_managed_policies(&self) -> AwsResult<Vec<ManagedPolicy>> {
        let mut all = Vec::new();
        self.policy_pages(aws_sdk_iam::types::PolicyScopeType::Aws, |page| {
            all.extend(page);
            false
        })
        .await?;
        Ok(all)
    }

    async fn list_customer_managed_policies(&self) -> AwsResult<Vec<ManagedPolicy>> {
        let mut all = Vec::new();
        self.policy_pages(aws_sdk_iam::types::PolicyScopeType::Local, |page| {
            all.extend(page);
            false
        })
        .await?;
        Ok(all)
    }

    async fn find_aws_managed_policy(&self, name: &str) -> AwsResult<Option<ManagedPolicy>> {
        let mut found = None;
        self.policy_pages(aws_sdk_iam::types::PolicyScopeType::Aws, |page| {
            found = page.into_iter().find(|p| p.name == name);
            found.is_some()
        })
        .await?;
        Ok(found)
    }

    async fn attach_policy(&self, role: &str, policy_arn: &str) -> AwsResult<()> {
        self.iam
            .attach_role_policy()
            .role_name(role)
            .policy_arn(policy_arn)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("AttachRolePolicy", e))?;
        Ok(())
    }

    async fn list_inline_policies(&self, role: &str) -> AwsResult<Vec<String>> {
        all_pages("ListRolePolicies", 20, |marker| {
            let request = self
                .iam
                .list_role_policies()
                .role_name(role)
                .set_marker(marker);
            async move {
                let page = request
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("ListRolePolicies", e))?;
                let next = next_marker(page.is_truncated(), page.marker());
                Ok((page.policy_names().to_vec(), next))
            }
        })
        .await
    }

    async fn detach_policy(&self, role: &str, policy_arn: &str) -> AwsResult<()> {
        self.iam
            .detach_role_policy()
            .role_name(role)
            .policy_arn(policy_arn)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("DetachRolePolicy", e))?;
        Ok(())
    }

    async fn list_instance_profiles_for_role(&self, role: &str) -> AwsResult<Vec<String>> {
        all_pages("ListInstanceProfilesForRole", 20, |marker| {
            let request = self
                .iam
                .list_instance_profiles_for_role()
                .role_name(role)
                .set_marker(marker);
            async move {
                let page = request
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("ListInstanceProfilesForRole", e))?;
                let profiles = page
                    .instance_profiles()
                    .iter()
                    .map(|p| p.instance_profile_name().to_string())
                    .collect();
                Ok((profiles, next_marker(page.is_truncated(), page.marker())))
            }
        })
        .await
    }

    async fn remove_role_from_instance_profile(&self, profile: &str, role: &str) -> AwsResult<()> {
        self.iam
            .remove_role_from_instance_profile()
            .instance_profile_name(profile)
            .role_name(role)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("RemoveRoleFromInstanceProfile", e))?;
        Ok(())
    }

    async fn delete_role(&self, role: &str) -> AwsResult<()> {
        self.iam
            .delete_role()
            .role_name(role)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("DeleteRole", e))?;
        Ok(())
    }

    async fn delete_oidc_provider(&self, arn: &str) -> AwsResult<()> {
        self.iam
            .delete_open_id_connect_provider()
            .open_id_connect_provider_arn(arn)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("DeleteOpenIDConnectProvider", e))?;
        Ok(())
    }

    async fn list_roles(&self) -> AwsResult<Vec<Role>> {
        // Bounded: 1,000 roles a page; the default quota is 1,000 roles, raisable to 5,000.
        all_pages("ListRoles", 50, |marker| {
            let request = self.iam.list_roles().max_items(1000).set_marker(marker);
            async move {
                let page = request
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("ListRoles", e))?;
                let roles = page
                    .roles()
                    .iter()
                    .map(|r| role_from_sdk("ListRoles", r))
                    .collect::<AwsResult<Vec<Role>>>()?;
                Ok((roles, next_marker(page.is_truncated(), page.marker())))
            }
        })
        .await
    }

    async fn roles_with_policies(&self) -> AwsResult<Vec<(Role, Vec<AttachedPolicy>)>> {
        let (details, listed) = tokio::join!(self.role_details(), self.list_roles());
        let listed: std::collections::HashMap<String, Role> =
            listed?.into_iter().map(|r| (r.arn.clone(), r)).collect();
        Ok(details?
            .into_iter()
            .map(|(mut role, attached)| {
                // A role made between the two reads is not in ListRoles: IAM's defaults then.
                if let Some(l) = listed.get(&role.arn) {
                    role.max_session_duration = l.max_session_duration;
                    role.description = l.description.clone();
                }
                (role, attached)
            })
            .collect())
    }

    fn calls(&self) -> &CallLog {
        &self.calls
    }
}

impl SdkAws {
    /// Every page of `GetAccountAuthorizationDetails Filter=Role`: roles with trust policy,
    /// boundary, tags and attached managed policies (no session length or description).
    async fn role_details(&self) -> AwsResult<Vec<(Role, Vec<AttachedPolicy>)>> {
        const OP: &str = "GetAccountAuthorizationDetails";
        // Bounded as ListRoles: 1,000 roles a page, at most 5,000 roles an account.
        all_pages(OP, 50, |marker| {
            let request = self
                .iam
                .get_account_authorization_details()
                .filter(aws_sdk_iam::types::EntityType::Role)
                .max_items(1000)
                .set_marker(marker);
            async move {
                let page = request
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk(OP, e))?;
                let details = page.role_detail_list().iter().map(role_detail).collect();
                Ok((details, next_marker(page.is_truncated(), page.marker())))
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_url_encoded_documents() {
        let v = decode_policy_document(
            "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D",
        )
        .unwrap();
        assert_eq!(v["Version"], "2012-10-17");
        let raw = decode_policy_document("{\"a\": 1}").unwrap();
        assert_eq!(raw["a"], 1);
        assert!(decode_policy_document("%7Bnot json").is_err());
    }

    #[tokio::test]
    async fn a_listing_is_whole_or_an_error_never_a_part() {
        // Three pages, then done: every item, in order.
        let three = |marker: Option<String>| async move {
            let n: usize = marker.map_or(0, |m| m.parse().unwrap());
            Ok((vec![n], (n < 2).then(|| (n + 1).to_string())))
        };
        assert_eq!(all_pages("ListRoles", 3, three).await.unwrap(), [0, 1, 2]);
        // Still going when the bound runs out: an error, not the first pages.
        let endless = |marker: Option<String>| async move {
            let n: usize = marker.map_or(0, |m| m.parse().unwrap());
            Ok((vec![n], Some((n + 1).to_string())))
        };
        let e = all_pages("ListRoles", 3, endless).await.unwrap_err();
        assert!(
            e.to_string().contains("still answering with more pages"),
            "{e}"
        );
        // A caller that has what it wants stops early, whatever is left.
        let mut seen = Vec::new();
        pages("ListPolicies", 3, endless, |items| {
            seen.extend(items);
            seen.len() == 2
        })
        .await
        .unwrap();
        assert_eq!(seen, [0, 1]);
    }
}
