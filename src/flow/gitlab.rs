//! The GitLab half of a setup: pin the numeric project ids in the trust policy, and store the role
//! ARN as a CI/CD variable (create it, leave an equal one alone, replace a different one only with
//! the user's yes).

use crate::gitlab::{
    Client, GitLabError, Namespace, Owner, Project, Stored, Token, WantedVariable,
};
use crate::plan::input::ProjectPath;

/// A client for the GitLab API of `provider_url`'s instance, or of `explicit` (`--gitlab-url`).
pub fn client(explicit: Option<&str>, provider_url: &str, token: Token) -> Result<Client, String> {
    let url = crate::gitlab::instance_url(explicit, provider_url)?;
    Client::new(&url, token).map_err(|e| e.to_string())
}

/// The numeric ids of these projects, looked up one by one, in their order.
pub async fn pin_project_ids(
    client: &Client,
    projects: &[String],
) -> Result<Vec<Project>, GitLabError> {
    let mut found = Vec::with_capacity(projects.len());
    for p in projects {
        found.push(client.project(p).await?);
    }
    Ok(found)
}

/// What looking the projects' namespaces up found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NamespaceIds {
    /// Each namespace GitLab showed, with its id.
    pub found: Vec<(String, u64)>,
    /// The namespaces GitLab did not show (private to this client, or absent).
    pub hidden: Vec<String>,
}

/// The namespace of a project path: everything before its last `/` (`acme/platform/api` →
/// `acme/platform`), which is what GitLab's `namespace_id` claim names.
pub fn namespace_of(project: &str) -> &str {
    project.rsplit_once('/').map_or(project, |(ns, _)| ns)
}

/// The id to pin from GitLab's answer `n` about the namespace `ns`: only an answer about that very
/// namespace counts, and a GitLab id is never 0.
pub fn pinnable(n: &Namespace, ns: &str) -> Option<u64> {
    (n.full_path.eq_ignore_ascii_case(ns) && n.id > 0).then_some(n.id)
}

/// The ids of the named projects' namespaces, one lookup per namespace, side by side: the first
/// project of it (`GET /projects/:path`, which any public project answers and which names its
/// namespace, a user's included), then the namespace as a group (a private project of a public
/// group).
pub async fn namespace_ids(
    client: &Client,
    projects: &[String],
) -> Result<NamespaceIds, GitLabError> {
    let mut namespaces: Vec<(&str, &str)> = Vec::new();
    for p in projects {
        let ns = namespace_of(p);
        if !namespaces.iter().any(|(n, _)| *n == ns) {
            namespaces.push((ns, p));
        }
    }
    let lookups = namespaces.iter().map(|(ns, project)| async move {
        if let Some(id) = client
            .visible_project(project)
            .await?
            .and_then(|p| pinnable(&p.namespace, ns))
        {
            return Ok::<_, GitLabError>((ns.to_string(), Some(id)));
        }
        let group = client.visible_group(ns).await?;
        Ok((ns.to_string(), group.and_then(|g| pinnable(&g, ns))))
    });
    let mut out = NamespaceIds::default();
    for (ns, id) in futures_util::future::try_join_all(lookups).await? {
        match id {
            Some(id) => out.found.push((ns, id)),
            None => out.hidden.push(ns),
        }
    }
    Ok(out)
}

/// Where the namespace ids of the issuer `provider` (gitlab.com) are looked up, and with which
/// token. The ids are gitlab.com's: the GitLab `named` for other work (`--gitlab-url`,
/// `GITLAB_HOST`, `CI_SERVER_URL`) is asked, with `token`, only when it is the provider itself or
/// this machine (a local GitLab standing in for it); otherwise gitlab.com is asked anonymously, so
/// another instance's token never goes there. A named URL that is not usable is not asked either.
pub fn lookup_target(
    named: Option<&str>,
    provider: &str,
    token: Option<Token>,
) -> (String, Option<Token>) {
    let named = crate::gitlab::instance_url(named, provider).unwrap_or_default();
    if named == provider.trim_end_matches('/') || crate::gitlab::is_loopback(&named) {
        (named, token)
    } else {
        (provider.trim_end_matches('/').to_string(), None)
    }
}

/// The projects that have a variable and an id of their own: the named ones, not the patterns.
pub fn named_projects<S: AsRef<str>>(projects: &[S]) -> Vec<String> {
    projects
        .iter()
        .map(AsRef::as_ref)
        .filter(|p| ProjectPath::parse(p).is_ok_and(|p| !p.is_pattern()))
        .map(str::to_string)
        .collect()
}

/// How the variable is stored: its name and options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableSpec {
    pub key: String,
    pub protected: bool,
    pub masked: bool,
    pub environment_scope: String,
}

impl VariableSpec {
    /// Unprotected, unmasked, every environment: what the wizard stores.
    pub fn plain(key: &str) -> VariableSpec {
        VariableSpec {
            key: key.to_string(),
            protected: false,
            masked: false,
            environment_scope: "*".to_string(),
        }
    }
}

/// What happened to the variable of one owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOn {
    pub owner: Owner,
    pub stored: Stored,
}

impl StoredOn {
    /// One line about it: `✓ GitLab variable ROLE_ARN on project acme/web: created`.
    pub fn line(&self, key: &str) -> String {
        let mark = match self.stored {
            Stored::Unchanged => "=",
            Stored::Differs { .. } => "?",
            _ => "✓",
        };
        format!(
            "{mark} GitLab variable {key} on {}: {}",
            self.owner.describe(),
            self.stored.word()
        )
    }

    /// What replacing it would change, for the question to the user.
    pub fn difference(&self, key: &str, arn: &str) -> Option<String> {
        match &self.stored {
            Stored::Differs { from } => Some(format!(
                "GitLab variable {key} on {} is {from:?}; it would become {arn:?}",
                self.owner.describe()
            )),
            _ => None,
        }
    }
}

/// Store `arn` in the variable of every owner. A different value is replaced only when
/// `replace`; otherwise it is left as it is and reported as `Stored::Differs`.
pub async fn store_role_arn(
    client: &Client,
    spec: &VariableSpec,
    owners: &[Owner],
    arn: &str,
    replace: bool,
) -> Result<Vec<StoredOn>, GitLabError> {
    let mut out = Vec::with_capacity(owners.len());
    for owner in owners {
        let wanted = WantedVariable {
            owner: owner.clone(),
            key: spec.key.clone(),
            value: arn.to_string(),
            protected: spec.protected,
            masked: spec.masked,
            environment_scope: spec.environment_scope.clone(),
        };
        let stored = client.store(&wanted, replace).await?;
        out.push(StoredOn {
            owner: owner.clone(),
            stored,
        });
    }
    Ok(out)
}
