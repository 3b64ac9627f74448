//! The desired setup: what the user asked for, validated, and the trust policy built from it.
//! Pure: no I/O here, so the CLI and the wizard validate the same way before any AWS call.

pub mod input;
pub mod org;
pub mod region;
pub mod trust;
pub mod trust_view;

use crate::plan::input::Answer;
use input::{
    Audience, Description, InputError, NamespaceId, PolicyArn, PolicyRef, ProjectId, ProjectPath,
    ProviderUrl, RefName, RefType, RoleName, RolePath, SessionDuration,
};

pub const DEFAULT_PROVIDER_URL: &str = "https://gitlab.com";
pub const DEFAULT_REF: &str = "main";
/// The tag put on everything this tool creates.
pub const MANAGED_BY_TAG: (&str, &str) = ("managed-by", "aws-oidc-wizard");

/// Whether these tags say this tool created the resource.
pub fn is_managed(tags: &[(String, String)]) -> bool {
    tags.iter()
        .any(|(k, v)| k == MANAGED_BY_TAG.0 && v == MANAGED_BY_TAG.1)
}

/// What the user typed, before validation (from flags or from the wizard's fields). Holds no
/// secret, so it can be kept in the journal.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct SetupInput {
    pub provider_url: Option<String>,
    pub audience: Option<String>,
    pub projects: Vec<String>,
    pub refs: Vec<String>,
    pub ref_type: Option<RefType>,
    pub ref_protected: bool,
    pub project_ids: Vec<String>,
    /// Numeric namespace ids to pin (gitlab.com): the named projects' namespaces.
    pub namespace_ids: Vec<String>,
    /// Certificate thumbprints (40 hex) for a self-managed instance behind a private CA.
    pub thumbprints: Vec<String>,
    pub role_name: Option<String>,
    pub role_path: Option<String>,
    pub description: Option<String>,
    pub policies: Vec<String>,
    /// Policies to detach from an existing role (names or ARNs); one not attached is left be.
    pub detach_policies: Vec<String>,
    pub max_session_duration: Option<String>,
    pub permissions_boundary: Option<String>,
}

/// A validated setup. Optional settings left out are not managed on an existing role.
#[derive(Debug, Clone, PartialEq)]
pub struct Setup {
    pub provider_url: ProviderUrl,
    pub audience: Audience,
    pub projects: Vec<ProjectPath>,
    pub refs: Vec<RefName>,
    pub ref_type: RefType,
    pub ref_protected: bool,
    pub project_ids: Vec<ProjectId>,
    pub namespace_ids: Vec<NamespaceId>,
    pub thumbprints: Vec<String>,
    pub role_name: RoleName,
    pub role_path: RolePath,
    pub description: Option<Description>,
    pub policies: Vec<PolicyRef>,
    pub detach_policies: Vec<PolicyRef>,
    pub max_session_duration: Option<SessionDuration>,
    pub permissions_boundary: Option<PolicyArn>,
}

impl SetupInput {
    /// Validate every field; the first error found is returned (flags in the order of `--help`).
    pub fn validate(&self) -> Result<Setup, InputError> {
        let provider_url =
            ProviderUrl::parse(self.provider_url.as_deref().unwrap_or(DEFAULT_PROVIDER_URL))?;
        let audience = Audience::parse(self.audience.as_deref().unwrap_or(provider_url.as_str()))?;
        if self.projects.is_empty() {
            return Err(InputError::new(
                ProjectPath::ANSWER,
                "",
                "is required: name the GitLab project (group/project) whose pipelines may assume the role",
            ));
        }
        let mut projects = self
            .projects
            .iter()
            .map(|p| ProjectPath::parse_for(p, &provider_url))
            .collect::<Result<Vec<_>, _>>()?;
        projects.sort();
        projects.dedup();
        let mut refs = if self.refs.is_empty() {
            vec![RefName::parse(DEFAULT_REF)?]
        } else {
            self.refs
                .iter()
                .map(|r| RefName::parse(r))
                .collect::<Result<Vec<_>, _>>()?
        };
        refs.sort();
        refs.dedup();
        let mut project_ids = self
            .project_ids
            .iter()
            .map(|p| ProjectId::parse(p))
            .collect::<Result<Vec<_>, _>>()?;
        project_ids.sort();
        project_ids.dedup();
        let mut namespace_ids = self
            .namespace_ids
            .iter()
            .map(|p| NamespaceId::parse(p))
            .collect::<Result<Vec<_>, _>>()?;
        namespace_ids.sort();
        namespace_ids.dedup();
        if self.thumbprints.len() > 5 {
            return Err(InputError::new(
                Answer::Thumbprint,
                "",
                "at most 5 thumbprints",
            ));
        }
        let mut thumbprints = Vec::new();
        for t in &self.thumbprints {
            let t = t.trim().replace(':', "").to_lowercase();
            if t.len() != 40 || !t.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(InputError::new(
                    Answer::Thumbprint,
                    &t,
                    "must be auto or the 40 hex digits of a certificate's SHA-1 fingerprint",
                ));
            }
            thumbprints.push(t);
        }
        let Some(role_name) = self.role_name.as_deref() else {
            return Err(InputError::new(RoleName::ANSWER, "", "is required"));
        };
        let role_name = RoleName::parse(role_name)?;
        let role_path = match &self.role_path {
            Some(p) => RolePath::parse(p)?,
            None => RolePath::default(),
        };
        let description = self
            .description
            .as_deref()
            .map(Description::parse)
            .transpose()?;
        let mut policies = self
            .policies
            .iter()
            .map(|p| PolicyRef::parse(p))
            .collect::<Result<Vec<_>, _>>()?;
        policies.sort();
        policies.dedup();
        let mut detach_policies = self
            .detach_policies
            .iter()
            .map(|p| PolicyRef::parse(p))
            .collect::<Result<Vec<_>, _>>()?;
        detach_policies.sort();
        detach_policies.dedup();
        if let Some(both) = detach_policies.iter().find(|d| policies.contains(d)) {
            return Err(InputError::new(
                Answer::DetachPolicy,
                both.display(),
                "is also to be attached: name each policy once",
            ));
        }
        let max_session_duration = self
            .max_session_duration
            .as_deref()
            .map(SessionDuration::parse)
            .transpose()?;
        let permissions_boundary = self
            .permissions_boundary
            .as_deref()
            .map(|b| PolicyArn::parse(Answer::PermissionsBoundary, b))
            .transpose()?;
        let setup = Setup {
            provider_url,
            audience,
            projects,
            refs,
            ref_type: self.ref_type.unwrap_or(RefType::Branch),
            ref_protected: self.ref_protected,
            project_ids,
            namespace_ids,
            thumbprints,
            role_name,
            role_path,
            description,
            policies,
            detach_policies,
            max_session_duration,
            permissions_boundary,
        };
        // The quota and the pins are checked now, with a stand-in account: the real ARN only
        // differs in its digits, which have a fixed length.
        setup.trust("aws", "000000000000")?;
        Ok(setup)
    }
}

impl Setup {
    /// The provider ARN in `account`.
    pub fn provider_arn(&self, partition: &str, account: &str) -> String {
        self.provider_url.provider_arn(partition, account)
    }

    /// The role ARN in `account`.
    pub fn role_arn(&self, partition: &str, account: &str) -> String {
        format!(
            "arn:{partition}:iam::{account}:role{}{}",
            self.role_path.as_str(),
            self.role_name.as_str()
        )
    }

    pub fn trust(&self, partition: &str, account: &str) -> Result<trust::Trust, InputError> {
        let provider_arn = self.provider_arn(partition, account);
        trust::build(&trust::TrustSpec {
            provider_url: &self.provider_url,
            provider_arn: &provider_arn,
            audience: &self.audience,
            projects: &self.projects,
            refs: &self.refs,
            ref_type: self.ref_type,
            ref_protected: self.ref_protected,
            project_ids: &self.project_ids,
            namespace_ids: &self.namespace_ids,
        })
    }

    /// The description a new role gets when none was given.
    pub fn default_description(&self) -> String {
        let projects: Vec<&str> = self.projects.iter().map(ProjectPath::as_str).collect();
        let mut d = format!("GitLab CI/CD (OIDC) role for {}", projects.join(", "));
        if d.len() > 1000 {
            d.truncate(997);
            d.push_str("...");
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> SetupInput {
        SetupInput {
            projects: vec!["acme/web".into()],
            role_name: Some("gitlab-web".into()),
            ..Default::default()
        }
    }

    #[test]
    fn defaults() {
        let s = input().validate().unwrap();
        assert_eq!(s.provider_url.as_str(), "https://gitlab.com");
        assert_eq!(s.audience.as_str(), "https://gitlab.com");
        assert_eq!(s.refs, vec![RefName::parse("main").unwrap()]);
        assert_eq!(s.ref_type, RefType::Branch);
        assert_eq!(s.role_path.as_str(), "/");
        assert_eq!(
            s.role_arn("aws", "123456789012"),
            "arn:aws:iam::123456789012:role/gitlab-web"
        );
        assert_eq!(
            s.provider_arn("aws", "123456789012"),
            "arn:aws:iam::123456789012:oidc-provider/gitlab.com"
        );
    }

    #[test]
    fn audience_defaults_to_a_self_managed_url() {
        let mut i = input();
        i.provider_url = Some("https://git.example.com".into());
        assert_eq!(
            i.validate().unwrap().audience.as_str(),
            "https://git.example.com"
        );
    }

    #[test]
    fn required_flags_are_named() {
        let mut i = input();
        i.projects.clear();
        assert_eq!(i.validate().unwrap_err().answer, Answer::Project);
        let mut i = input();
        i.role_name = None;
        assert_eq!(i.validate().unwrap_err().answer, Answer::RoleName);
    }

    #[test]
    fn each_bad_field_names_its_answer() {
        type Change = fn(&mut SetupInput);
        let cases: Vec<(Change, crate::plan::input::Answer)> = vec![
            (
                |i| i.provider_url = Some("http://x.com".into()),
                Answer::ProviderUrl,
            ),
            (|i| i.audience = Some(String::new()), Answer::Audience),
            (|i| i.projects = vec!["*".into()], Answer::Project),
            (|i| i.refs = vec!["a b".into()], Answer::Ref),
            (|i| i.role_name = Some("a/b".into()), Answer::RoleName),
            (|i| i.role_path = Some("x".into()), Answer::RolePath),
            (
                |i| i.description = Some("x".repeat(1001)),
                Answer::Description,
            ),
            (
                |i| i.policies = vec!["arn:aws:s3:::b".into()],
                Answer::Policy,
            ),
            (
                |i| i.max_session_duration = Some("60".into()),
                Answer::MaxSessionDuration,
            ),
            (
                |i| i.permissions_boundary = Some("Boundary".into()),
                Answer::PermissionsBoundary,
            ),
        ];
        for (change, flag) in cases {
            let mut i = input();
            change(&mut i);
            assert_eq!(i.validate().unwrap_err().answer, flag);
        }
    }

    #[test]
    fn path_in_role_arn() {
        let mut i = input();
        i.role_path = Some("/ci/".into());
        assert_eq!(
            i.validate().unwrap().role_arn("aws", "123456789012"),
            "arn:aws:iam::123456789012:role/ci/gitlab-web"
        );
    }
}
