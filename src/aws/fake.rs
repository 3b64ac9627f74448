//! An in-memory `Aws` for fast engine tests and for `--demo` (seeded by `demo`): the same rules the
//! emulator proves, plus injected failures per operation. Every behaviour relied on here is also
//! tested against the emulator.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::{
    AttachedPolicy, Aws, AwsError, AwsResult, CallLog, CallerIdentity, ManagedPolicy, NewRole,
    OidcProvider, Role,
};

#[derive(Default)]
pub struct FakeState {
    pub providers: BTreeMap<String, OidcProvider>,
    pub roles: BTreeMap<String, Role>,
    pub attached: BTreeMap<String, Vec<AttachedPolicy>>,
    pub policies: BTreeMap<String, ManagedPolicy>,
    /// Instance profile name → the roles in it.
    pub instance_profiles: BTreeMap<String, Vec<String>>,
    /// Who `GetCallerIdentity` says the caller is (default: a user named tester).
    pub caller: Option<CallerIdentity>,
    /// The account's id, in the ARNs it makes.
    pub account: String,
    /// The Organization, where this is its management account.
    pub organization: Option<super::fake_org::FakeOrg>,
    /// Its stack sets, where this is the management account.
    pub stack_sets: BTreeMap<String, super::fake_stacksets::FakeStackSet>,
}

/// A clone is the same account: state, injected failures and the call log are shared.
#[derive(Clone)]
pub struct FakeAws {
    pub state: Arc<Mutex<FakeState>>,
    failures: Arc<Mutex<BTreeMap<String, AwsError>>>,
    calls: CallLog,
}

pub const ACCOUNT: &str = "123456789012";

impl FakeAws {
    /// An account with a few AWS managed policies.
    pub fn new() -> Self {
        let mut state = FakeState {
            account: ACCOUNT.to_string(),
            ..FakeState::default()
        };
        for (path, name, attachable) in [
            ("", "ReadOnlyAccess", true),
            ("", "AdministratorAccess", true),
            ("job-function/", "ViewOnlyAccess", true),
            ("aws-service-role/", "AWSSupportServiceRolePolicy", false),
        ] {
            let arn = format!("arn:aws:iam::aws:policy/{path}{name}");
            state.policies.insert(
                arn.clone(),
                ManagedPolicy {
                    arn,
                    name: name.to_string(),
                    attachable,
                },
            );
        }
        FakeAws {
            state: Arc::new(Mutex::new(state)),
            failures: Arc::new(Mutex::new(BTreeMap::new())),
            calls: CallLog::default(),
        }
    }

    /// Make the next call of `operation` fail with `code`.
    #[cfg(test)]
    pub fn fail_next(&self, operation: &str, code: &str) {
        if let Ok(mut f) = self.failures.lock() {
            f.insert(
                operation.to_string(),
                AwsError::service(operation, code, "injected"),
            );
        }
    }

    /// Another account that shares this one's call log and injected failures.
    pub fn sibling(&self, account: &str) -> FakeAws {
        let fresh = FakeAws::new();
        if let Ok(mut s) = fresh.state.lock() {
            s.account = account.to_string();
        }
        FakeAws {
            state: fresh.state,
            failures: self.failures.clone(),
            calls: self.calls.clone(),
        }
    }

    pub(super) fn enter(
        &self,
        service: &str,
        operation: &str,
    ) -> AwsResult<std::sync::MutexGuard<'_, FakeState>> {
        self.calls.record(format!("{service}.{operation}"));
        if let Some(e) = self
            .failures
            .lock()
            .ok()
            .and_then(|mut f| f.remove(operation))
        {
            return Err(e);
        }
        self.state
            .lock()
            .map_err(|_| AwsError::service(operation, "InternalFailure", "poisoned"))
    }
}

impl Default for FakeAws {
    fn default() -> Self {
        Self::new()
    }
}

fn no_such(op: &str, what: &str) -> AwsError {
    AwsError::service(op, "NoSuchEntity", &format!("{what} not found"))
}

impl Aws for FakeAws {
    async fn caller_identity(&self) -> AwsResult<CallerIdentity> {
        let state = self.enter("sts", "GetCallerIdentity")?;
        Ok(state.caller.clone().unwrap_or_else(|| CallerIdentity {
            account: state.account.clone(),
            arn: format!("arn:aws:iam::{}:user/tester", state.account),
            user_id: "AIDATESTER".to_string(),
        }))
    }

    async fn get_oidc_provider(&self, arn: &str) -> AwsResult<Option<OidcProvider>> {
        Ok(self
            .enter("iam", "GetOpenIDConnectProvider")?
            .providers
            .get(arn)
            .cloned())
    }

    async fn create_oidc_provider(
        &self,
        url: &str,
        client_ids: &[String],
        thumbprints: &[String],
        tags: &[(String, String)],
    ) -> AwsResult<String> {
        const OP: &str = "CreateOpenIDConnectProvider";
        let mut s = self.enter("iam", OP)?;
        let arn = format!(
            "arn:aws:iam::{}:oidc-provider/{}",
            s.account,
            url.trim_start_matches("https://")
        );
        if s.providers.contains_key(&arn) {
            return Err(AwsError::service(OP, "EntityAlreadyExists", "exists"));
        }
        s.providers.insert(
            arn.clone(),
            OidcProvider {
                arn: arn.clone(),
                url: url.trim_start_matches("https://").to_string(),
                client_ids: client_ids.to_vec(),
                thumbprints: thumbprints.to_vec(),
                tags: tags.to_vec(),
            },
        );
        Ok(arn)
    }

    async fn add_client_id(&self, provider_arn: &str, client_id: &str) -> AwsResult<()> {
        const OP: &str = "AddClientIDToOpenIDConnectProvider";
        let mut s = self.enter("iam", OP)?;
        let p = s
            .providers
            .get_mut(provider_arn)
            .ok_or_else(|| no_such(OP, provider_arn))?;
        if !p.client_ids.iter().any(|c| c == client_id) {
            p.client_ids.push(client_id.to_string());
        }
        Ok(())
    }

    async fn get_role(&self, name: &str) -> AwsResult<Option<Role>> {
        Ok(self.enter("iam", "GetRole")?.roles.get(name).cloned())
    }

    async fn create_role(&self, role: &NewRole) -> AwsResult<String> {
        const OP: &str = "CreateRole";
        let mut s = self.enter("iam", OP)?;
        if s.roles.contains_key(&role.name) {
            return Err(AwsError::service(OP, "EntityAlreadyExists", "exists"));
        }
        let arn = format!("arn:aws:iam::{}:role{}{}", s.account, role.path, role.name);
        let trust_policy = serde_json::from_str(&role.trust_policy_json)
            .map_err(|_| AwsError::service(OP, "MalformedPolicyDocument", "not JSON"))?;
        s.roles.insert(
            role.name.clone(),
            Role {
                arn: arn.clone(),
                name: role.name.clone(),
                path: role.path.clone(),
                trust_policy,
                trust_ambiguity: Default::default(),
                description: Some(role.description.clone()),
                max_session_duration: role.max_session_duration,
                permissions_boundary: role.permissions_boundary.clone(),
                tags: role.tags.clone(),
            },
        );
        Ok(arn)
    }

    async fn update_trust_policy(&self, role: &str, policy_json: &str) -> AwsResult<()> {
        const OP: &str = "UpdateAssumeRolePolicy";
        let mut s = self.enter("iam", OP)?;
        let r = s.roles.get_mut(role).ok_or_else(|| no_such(OP, role))?;
        r.trust_policy = serde_json::from_str(policy_json)
            .map_err(|_| AwsError::service(OP, "MalformedPolicyDocument", "not JSON"))?;
        Ok(())
    }

    async fn update_role(
        &self,
        role: &str,
        description: Option<&str>,
        max_session_duration: Option<i32>,
    ) -> AwsResult<()> {
        const OP: &str = "UpdateRole";
        let mut s = self.enter("iam", OP)?;
        let r = s.roles.get_mut(role).ok_or_else(|| no_such(OP, role))?;
        if let Some(d) = description {
            r.description = Some(d.to_string());
        }
        if let Some(m) = max_session_duration {
            r.max_session_duration = m;
        }
        Ok(())
    }

    async fn put_permissions_boundary(&self, role: &str, arn: &str) -> AwsResult<()> {
        const OP: &str = "PutRolePermissionsBoundary";
        let mut s = self.enter("iam", OP)?;
        let r = s.roles.get_mut(role).ok_or_else(|| no_such(OP, role))?;
        r.permissions_boundary = Some(arn.to_string());
        Ok(())
    }

    async fn list_attached_policies(&self, role: &str) -> AwsResult<Vec<AttachedPolicy>> {
        Ok(self
            .enter("iam", "ListAttachedRolePolicies")?
            .attached
            .get(role)
            .cloned()
            .unwrap_or_default())
    }

    async fn get_policy(&self, arn: &str) -> AwsResult<Option<ManagedPolicy>> {
        Ok(self.enter("iam", "GetPolicy")?.policies.get(arn).cloned())
    }

    async fn list_aws_managed_policies(&self) -> AwsResult<Vec<ManagedPolicy>> {
        let s = self.enter("iam", "ListPolicies")?;
        Ok(s.policies
            .values()
            .filter(|p| p.arn.contains(":iam::aws:"))
            .cloned()
            .collect())
    }

    async fn list_customer_managed_policies(&self) -> AwsResult<Vec<ManagedPolicy>> {
        let s = self.enter("iam", "ListPolicies")?;
        Ok(s.policies
            .values()
            .filter(|p| !p.arn.contains(":iam::aws:"))
            .cloned()
            .collect())
    }

    async fn find_aws_managed_policy(&self, name: &str) -> AwsResult<Option<ManagedPolicy>> {
        let s = self.enter("iam", "ListPolicies")?;
        Ok(s.policies
            .values()
            .find(|p| p.name == name && p.arn.contains(":iam::aws:"))
            .cloned())
    }

    async fn attach_policy(&self, role: &str, policy_arn: &str) -> AwsResult<()> {
        const OP: &str = "AttachRolePolicy";
        let mut s = self.enter("iam", OP)?;
        let Some(policy) = s.policies.get(policy_arn).cloned() else {
            return Err(no_such(OP, policy_arn));
        };
        if !s.roles.contains_key(role) {
            return Err(no_such(OP, role));
        }
        let list = s.attached.entry(role.to_string()).or_default();
        if !list.iter().any(|a| a.arn == policy_arn) {
            list.push(AttachedPolicy {
                name: policy.name,
                arn: policy.arn,
            });
        }
        Ok(())
    }

    async fn list_inline_policies(&self, _role: &str) -> AwsResult<Vec<String>> {
        let _state = self.enter("iam", "ListRolePolicies")?;
        Ok(vec![])
    }

    async fn detach_policy(&self, role: &str, policy_arn: &str) -> AwsResult<()> {
        let mut s = self.enter("iam", "DetachRolePolicy")?;
        if let Some(list) = s.attached.get_mut(role) {
            list.retain(|a| a.arn != policy_arn);
        }
        Ok(())
    }

    async fn list_instance_profiles_for_role(&self, role: &str) -> AwsResult<Vec<String>> {
        let s = self.enter("iam", "ListInstanceProfilesForRole")?;
        Ok(s.instance_profiles
            .iter()
            .filter(|(_, roles)| roles.iter().any(|r| r == role))
            .map(|(name, _)| name.clone())
            .collect())
    }

    async fn remove_role_from_instance_profile(&self, profile: &str, role: &str) -> AwsResult<()> {
        const OP: &str = "RemoveRoleFromInstanceProfile";
        let mut s = self.enter("iam", OP)?;
        let roles = s
            .instance_profiles
            .get_mut(profile)
            .ok_or_else(|| no_such(OP, profile))?;
        let before = roles.len();
        roles.retain(|r| r != role);
        if roles.len() == before {
            return Err(no_such(OP, role));
        }
        Ok(())
    }

    async fn delete_role(&self, role: &str) -> AwsResult<()> {
        const OP: &str = "DeleteRole";
        let mut s = self.enter("iam", OP)?;
        if s.attached.get(role).is_some_and(|l| !l.is_empty()) {
            return Err(AwsError::service(OP, "DeleteConflict", "policies attached"));
        }
        if s.instance_profiles
            .values()
            .any(|roles| roles.iter().any(|r| r == role))
        {
            return Err(AwsError::service(
                OP,
                "DeleteConflict",
                "role is in an instance profile",
            ));
        }
        s.roles
            .remove(role)
            .map(drop)
            .ok_or_else(|| no_such(OP, role))
    }

    async fn delete_oidc_provider(&self, arn: &str) -> AwsResult<()> {
        const OP: &str = "DeleteOpenIDConnectProvider";
        let mut s = self.enter("iam", OP)?;
        s.providers
            .remove(arn)
            .map(drop)
            .ok_or_else(|| no_such(OP, arn))
    }

    async fn list_roles(&self) -> AwsResult<Vec<Role>> {
        let s = self.enter("iam", "ListRoles")?;
        Ok(s.roles
            .values()
            .cloned()
            .map(|mut r| {
                r.tags.clear();
                r
            })
            .collect())
    }

    async fn roles_with_policies(&self) -> AwsResult<Vec<(Role, Vec<AttachedPolicy>)>> {
        let s = self.enter("iam", "GetAccountAuthorizationDetails")?;
        Ok(s.roles
            .values()
            .map(|r| {
                let attached = s.attached.get(&r.name).cloned().unwrap_or_default();
                (r.clone(), attached)
            })
            .collect())
    }

    fn calls(&self) -> &CallLog {
        &self.calls
    }
}
