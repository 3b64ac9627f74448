//! The account a run talks to: the real one through the SDK, or the demo's in-memory one
//! (`--demo`). One type, so that the faces need no second code path for the demo.

use super::demo;
use super::fake::FakeAws;
use super::sdk::SdkAws;
use super::stacksets::{CallAs, Operation, StackInstance, StackSet, StackSets, Targets};
use super::{
    AttachedPolicy, Aws, AwsResult, CallLog, CallerIdentity, ManagedPolicy, NewRole, OidcProvider,
    Role,
};

pub enum AnyAws {
    Sdk(Box<SdkAws>),
    Demo(FakeAws),
}

impl AnyAws {
    pub fn demo() -> AnyAws {
        AnyAws::Demo(demo::account())
    }

    pub fn is_demo(&self) -> bool {
        matches!(self, AnyAws::Demo(_))
    }
}

/// Each operation, passed on to the account in use.
macro_rules! delegate {
    ($( fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty; )*) => {
        impl Aws for AnyAws {
            $(
                async fn $name(&self $(, $arg: $ty)*) -> $ret {
                    match self {
                        AnyAws::Sdk(a) => a.$name($($arg),*).await,
                        AnyAws::Demo(a) => a.$name($($arg),*).await,
                    }
                }
            )*
            fn calls(&self) -> &CallLog {
                match self {
                    AnyAws::Sdk(a) => a.calls(),
                    AnyAws::Demo(a) => a.calls(),
                }
            }
        }
    };
}

delegate! {
    fn caller_identity(&self) -> AwsResult<CallerIdentity>;
    fn get_oidc_provider(&self, arn: &str) -> AwsResult<Option<OidcProvider>>;
    fn create_oidc_provider(&self, url: &str, client_ids: &[String], thumbprints: &[String], tags: &[(String, String)]) -> AwsResult<String>;
    fn add_client_id(&self, provider_arn: &str, client_id: &str) -> AwsResult<()>;
    fn get_role(&self, name: &str) -> AwsResult<Option<Role>>;
    fn create_role(&self, role: &NewRole) -> AwsResult<String>;
    fn update_trust_policy(&self, role: &str, policy_json: &str) -> AwsResult<()>;
    fn update_role(&self, role: &str, description: Option<&str>, max_session_duration: Option<i32>) -> AwsResult<()>;
    fn put_permissions_boundary(&self, role: &str, arn: &str) -> AwsResult<()>;
    fn list_attached_policies(&self, role: &str) -> AwsResult<Vec<AttachedPolicy>>;
    fn get_policy(&self, arn: &str) -> AwsResult<Option<ManagedPolicy>>;
    fn list_aws_managed_policies(&self) -> AwsResult<Vec<ManagedPolicy>>;
    fn list_customer_managed_policies(&self) -> AwsResult<Vec<ManagedPolicy>>;
    fn find_aws_managed_policy(&self, name: &str) -> AwsResult<Option<ManagedPolicy>>;
    fn attach_policy(&self, role: &str, policy_arn: &str) -> AwsResult<()>;
    fn list_inline_policies(&self, role: &str) -> AwsResult<Vec<String>>;
    fn detach_policy(&self, role: &str, policy_arn: &str) -> AwsResult<()>;
    fn list_instance_profiles_for_role(&self, role: &str) -> AwsResult<Vec<String>>;
    fn remove_role_from_instance_profile(&self, profile: &str, role: &str) -> AwsResult<()>;
    fn delete_role(&self, role: &str) -> AwsResult<()>;
    fn delete_oidc_provider(&self, arn: &str) -> AwsResult<()>;
    fn list_roles(&self) -> AwsResult<Vec<Role>>;
    fn roles_with_policies(&self) -> AwsResult<Vec<(Role, Vec<AttachedPolicy>)>>;
}

impl super::org::Org for AnyAws {
    type Member = AnyAws;

    async fn organization(&self) -> AwsResult<Option<super::org::Organization>> {
        match self {
            AnyAws::Sdk(a) => a.organization().await,
            AnyAws::Demo(a) => a.organization().await,
        }
    }

    async fn accounts(&self) -> AwsResult<Vec<super::org::Account>> {
        match self {
            AnyAws::Sdk(a) => a.accounts().await,
            AnyAws::Demo(a) => a.accounts().await,
        }
    }

    async fn root(&self) -> AwsResult<String> {
        match self {
            AnyAws::Sdk(a) => a.root().await,
            AnyAws::Demo(a) => a.root().await,
        }
    }

    async fn children(&self, parent: &str) -> AwsResult<super::org::Children> {
        match self {
            AnyAws::Sdk(a) => a.children(parent).await,
            AnyAws::Demo(a) => a.children(parent).await,
        }
    }

    async fn member(&self, role_arn: &str) -> AwsResult<AnyAws> {
        Ok(match self {
            AnyAws::Sdk(a) => AnyAws::Sdk(Box::new(a.member(role_arn).await?)),
            AnyAws::Demo(a) => AnyAws::Demo(a.member(role_arn).await?),
        })
    }
}

/// Each StackSets operation, passed on to the SDK or to the demo's in-memory stack sets.
macro_rules! delegate_stacksets {
    ($( fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty; )*) => {
        impl StackSets for AnyAws {
            $(
                async fn $name(&self $(, $arg: $ty)*) -> $ret {
                    match self {
                        AnyAws::Sdk(a) => a.$name($($arg),*).await,
                        AnyAws::Demo(a) => a.$name($($arg),*).await,
                    }
                }
            )*
        }
    };
}

delegate_stacksets! {
    fn describe_stack_set(&self, name: &str, call_as: CallAs) -> AwsResult<Option<StackSet>>;
    fn create_stack_set(&self, name: &str, template: &str, description: &str, parameters: &[(String, String)], call_as: CallAs) -> AwsResult<()>;
    fn update_stack_set(&self, name: &str, template: &str, parameters: &[(String, String)], call_as: CallAs) -> AwsResult<String>;
    fn delete_stack_set(&self, name: &str, call_as: CallAs) -> AwsResult<()>;
    fn create_stack_instances(&self, name: &str, targets: &Targets, regions: &[String], overrides: &[(String, String)], call_as: CallAs) -> AwsResult<String>;
    fn update_stack_instances(&self, name: &str, targets: &Targets, regions: &[String], overrides: &[(String, String)], call_as: CallAs) -> AwsResult<String>;
    fn delete_stack_instances(&self, name: &str, targets: &Targets, regions: &[String], call_as: CallAs) -> AwsResult<String>;
    fn list_stack_instances(&self, name: &str, call_as: CallAs) -> AwsResult<Vec<StackInstance>>;
    fn list_operations(&self, name: &str, call_as: CallAs) -> AwsResult<Vec<Operation>>;
    fn instance_overrides(&self, name: &str, account: &str, region: &str, call_as: CallAs) -> AwsResult<Vec<(String, String)>>;
    fn describe_operation(&self, name: &str, id: &str, call_as: CallAs) -> AwsResult<Operation>;
}
