//! Typed inputs: every value the user gives is parsed here once, against AWS's and GitLab's rules,
//! before any AWS call. After parsing, the rest of the program trusts these types.

use std::fmt;

pub use super::region::{KNOWN_REGIONS, REGIONS, check_region};

/// Which answer a value is for: the pure layer's name for it. Each face says it in its own
/// words: the command line by its flag (`cli::flags`), the wizard by its field
/// (`tui::app::words::field_label`), the config file by its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    ProviderUrl,
    Audience,
    Project,
    Ref,
    RefProtected,
    RefType,
    ProjectId,
    NamespaceId,
    Thumbprint,
    RoleName,
    RolePath,
    Description,
    Policy,
    DetachPolicy,
    MaxSessionDuration,
    PermissionsBoundary,
    Token,
    Region,
    CiVariable,
    /// An organizational unit (or root) of the Organization.
    Unit,
    /// An account id.
    Account,
    /// The role assumed in member accounts.
    MemberRole,
}

/// Bad input: which answer, what was given, and the rule it broke. Exit code 2. Shown by each
/// face in its words (the command line's `Display` names the flag).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub answer: Answer,
    pub value: String,
    pub rule: String,
}

impl std::error::Error for InputError {}

impl InputError {
    pub fn new(answer: Answer, value: &str, rule: impl Into<String>) -> Self {
        InputError {
            answer,
            value: value.to_string(),
            rule: rule.into(),
        }
    }
}

type Parsed<T> = Result<T, InputError>;

/// The OIDC issuer URL, e.g. `https://gitlab.com` or `https://git.example.com/gitlab`.
/// Stored exactly as the token's `iss` will be, scheme and host lowercased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderUrl {
    url: String,
}

impl ProviderUrl {
    pub const ANSWER: Answer = Answer::ProviderUrl;

    pub fn parse(raw: &str) -> Parsed<Self> {
        let err = |rule: &str| InputError::new(Self::ANSWER, raw, rule);
        let trimmed = raw.trim();
        if trimmed.len() > 255 {
            return Err(err("must be at most 255 characters"));
        }
        let lower = trimmed.to_ascii_lowercase();
        let Some(rest_lower) = lower.strip_prefix("https://") else {
            return Err(err("must start with https://"));
        };
        let rest = &trimmed["https://".len()..];
        if rest.contains('?') || rest.contains('#') {
            return Err(err("must not contain a query or fragment"));
        }
        if rest.contains('@') {
            return Err(err("must not contain user information"));
        }
        if rest.chars().any(char::is_whitespace) {
            return Err(err("must not contain spaces"));
        }
        let (host, path) = match rest.find('/') {
            Some(i) => (&rest_lower[..i], &rest[i..]),
            None => (rest_lower, ""),
        };
        if host.contains(':') {
            return Err(err(
                "must not contain a port (IAM rejects provider URLs with a port)",
            ));
        }
        if host.is_empty()
            || !host
                .split('.')
                .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        {
            return Err(err("has no valid host name"));
        }
        if path.ends_with('/') {
            return Err(err(
                "must not end with '/': GitLab's tokens carry the issuer without one, and IAM matches it exactly",
            ));
        }
        if path.contains("//") {
            return Err(err("has an empty path segment"));
        }
        Ok(ProviderUrl {
            url: format!("https://{host}{path}"),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// `host[/path]`: the provider ARN's suffix and the prefix of its condition keys.
    pub fn host_path(&self) -> &str {
        &self.url["https://".len()..]
    }

    /// gitlab.com supports more condition keys and gets AWS's shared-issuer guardrail.
    pub fn is_gitlab_com(&self) -> bool {
        self.host_path() == "gitlab.com"
    }

    /// The ARN of this issuer's IAM OIDC provider in `account`.
    pub fn provider_arn(&self, partition: &str, account: &str) -> String {
        format!(
            "arn:{partition}:iam::{account}:oidc-provider/{}",
            self.host_path()
        )
    }
}

impl fmt::Display for ProviderUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

/// The `aud` claim the CI job asks for; an OIDC provider client ID.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Audience(String);

impl Audience {
    pub const ANSWER: Answer = Answer::Audience;

    pub fn parse(raw: &str) -> Parsed<Self> {
        if raw.is_empty() || raw.len() > 255 {
            return Err(InputError::new(
                Self::ANSWER,
                raw,
                "must be 1 to 255 characters",
            ));
        }
        if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(InputError::new(
                Self::ANSWER,
                raw,
                "must not contain spaces",
            ));
        }
        Ok(Audience(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A GitLab project path `group/subgroup/project`, possibly with `*` as a pattern.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ProjectPath(String);

impl ProjectPath {
    pub const ANSWER: Answer = Answer::Project;

    pub fn parse(raw: &str) -> Parsed<Self> {
        let err = |rule: &str| InputError::new(Self::ANSWER, raw, rule);
        let segments: Vec<&str> = raw.split('/').collect();
        if raw.len() > 255 {
            return Err(err("must be at most 255 characters"));
        }
        if segments.len() < 2 || segments.iter().any(|s| s.is_empty()) {
            return Err(err(
                "must be a full project path like group/project or group/subgroup/project",
            ));
        }
        // A clone URL's path: GitLab's `sub` carries the project path without `.git`.
        if let Some(path) = raw.strip_suffix(".git") {
            return Err(err(&format!(
                "ends in .git, which GitLab's sub never does: did you mean {path}?"
            )));
        }
        for s in &segments {
            if !s
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '*'))
            {
                return Err(err(
                    "may contain only letters, digits, '_', '-', '.', '/' and '*' as a wildcard",
                ));
            }
            if s.starts_with(['-', '.']) {
                return Err(err("path segments must not start with '-' or '.'"));
            }
        }
        if segments[0].contains('*') {
            return Err(err(
                "the top-level group must be written out: a '*' there would let projects of other groups assume the role",
            ));
        }
        Ok(ProjectPath(raw.to_string()))
    }

    /// As `parse`, for the projects of `provider`: a path copied with the instance's host in front
    /// (`gitlab.com/acme/web`, from the address bar) is refused. GitLab's `sub` never carries the
    /// host, so such a trust would let no pipeline in, and nothing else would say why.
    pub fn parse_for(raw: &str, provider: &ProviderUrl) -> Parsed<Self> {
        let path = Self::parse(raw)?;
        let first = raw.split('/').next().unwrap_or_default();
        let host = provider.host_path().split('/').next().unwrap_or_default();
        let is_host = [host, "gitlab.com", "www.gitlab.com"]
            .iter()
            .any(|h| first.eq_ignore_ascii_case(h));
        if is_host {
            let rest = raw.split_once('/').map_or("", |(_, r)| r);
            return Err(InputError::new(
                Self::ANSWER,
                raw,
                format!(
                    "starts with the host {first}: GitLab's sub has no host, so the project path is {rest}"
                ),
            ));
        }
        Ok(path)
    }

    /// Whether the first segment looks like a host name (`code.example.org/acme/web`): legal as a
    /// group name, so only a warning.
    pub fn looks_like_host(&self) -> Option<&str> {
        let first = self.0.split('/').next()?;
        let tld = first.rsplit_once('.')?.1;
        (tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())).then_some(first)
    }

    pub fn is_pattern(&self) -> bool {
        self.0.contains('*')
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A GitLab numeric project id, pinned in the trust policy (gitlab.com only): it survives renames
/// and a path being reused by another project.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ProjectId(String);

impl ProjectId {
    pub const ANSWER: Answer = Answer::ProjectId;

    pub fn parse(raw: &str) -> Parsed<Self> {
        gitlab_id(Self::ANSWER, raw, "project").map(ProjectId)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A GitLab numeric namespace id (a group's, a subgroup's or a user's), pinned in the trust policy
/// (gitlab.com only): a deleted namespace's name registered again by someone else has another id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct NamespaceId(String);

impl NamespaceId {
    pub const ANSWER: Answer = Answer::NamespaceId;

    pub fn parse(raw: &str) -> Parsed<Self> {
        gitlab_id(Self::ANSWER, raw, "namespace").map(NamespaceId)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A GitLab id: a whole number without leading zeros, as GitLab writes it in its tokens.
fn gitlab_id(answer: Answer, raw: &str, what: &str) -> Parsed<String> {
    let t = raw.trim();
    if t.is_empty() || t.len() > 20 || !t.chars().all(|c| c.is_ascii_digit()) || t.starts_with('0')
    {
        return Err(InputError::new(
            answer,
            raw,
            format!("must be a GitLab {what} id: a whole number like 4242"),
        ));
    }
    Ok(t.to_string())
}

/// A branch or tag name, or a pattern with `*`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RefName(String);

impl RefName {
    pub const ANSWER: Answer = Answer::Ref;

    pub fn parse(raw: &str) -> Parsed<Self> {
        let err = |rule: &str| InputError::new(Self::ANSWER, raw, rule);
        if raw.is_empty() || raw.len() > 255 {
            return Err(err("must be 1 to 255 characters"));
        }
        // Git forbids these in ref names; '?' would also be a StringLike wildcard.
        if raw
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "?:~^[\\".contains(c))
        {
            return Err(err(
                "is not a valid git ref name (no spaces or any of ? : ~ ^ [ \\)",
            ));
        }
        // GitLab's `ref` claim is the short name: `refs/heads/main` is never in a token.
        for (prefix, kind) in [("refs/heads/", "branch"), ("refs/tags/", "tag")] {
            if let Some(short) = raw.strip_prefix(prefix) {
                return Err(err(&format!(
                    "is a full git ref; GitLab's claim is `{short}` (write the {kind} name only)"
                )));
            }
        }
        // The rest of `git check-ref-format`: no component starts with '.' or ends with
        // '.lock', no '..', '//', '@{', no leading or trailing '/', no trailing '.', not '@'.
        let bad_component = raw
            .split('/')
            .any(|c| c.is_empty() || c.starts_with('.') || c.ends_with(".lock"));
        if bad_component
            || raw.contains("..")
            || raw.contains("@{")
            || raw.ends_with('.')
            || raw == "@"
        {
            return Err(err(
                "is not a valid git ref name (git forbids '..', '@{', a lone '@', a part starting with '.' or ending in '.lock', and a '/' or '.' at the end)",
            ));
        }
        Ok(RefName(raw.to_string()))
    }

    pub fn is_pattern(&self) -> bool {
        self.0.contains('*')
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Which kind of ref a pipeline must run for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum RefType {
    Branch,
    Tag,
    Any,
}

impl RefType {
    /// The `ref_type` part of GitLab's `sub` claim.
    pub fn sub_part(self) -> &'static str {
        match self {
            RefType::Branch => "branch",
            RefType::Tag => "tag",
            RefType::Any => "*",
        }
    }
}

/// An IAM role name: 1–64 of `[A-Za-z0-9+=,.@_-]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleName(String);

impl RoleName {
    pub const ANSWER: Answer = Answer::RoleName;

    pub fn parse(raw: &str) -> Parsed<Self> {
        if raw.is_empty() || raw.len() > 64 {
            return Err(InputError::new(
                Self::ANSWER,
                raw,
                "must be 1 to 64 characters",
            ));
        }
        if !raw.chars().all(is_iam_name_char) {
            return Err(InputError::new(
                Self::ANSWER,
                raw,
                "may contain only letters, digits and + = , . @ _ -",
            ));
        }
        Ok(RoleName(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_iam_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)
}

/// An IAM path: `/` or `/a/b/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolePath(String);

impl Default for RolePath {
    fn default() -> Self {
        RolePath("/".to_string())
    }
}

impl RolePath {
    pub const ANSWER: Answer = Answer::RolePath;

    pub fn parse(raw: &str) -> Parsed<Self> {
        let err = |rule: &str| InputError::new(Self::ANSWER, raw, rule);
        if raw.len() > 512 {
            return Err(err("must be at most 512 characters"));
        }
        if !raw.starts_with('/') || !raw.ends_with('/') {
            return Err(err("must start and end with '/', like / or /ci/gitlab/"));
        }
        if raw.contains("//") {
            return Err(err("must not contain an empty segment"));
        }
        if !raw.chars().all(|c| ('!'..='~').contains(&c)) {
            return Err(err("may contain only printable ASCII without spaces"));
        }
        Ok(RolePath(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A role description: at most 1000 characters IAM accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description(String);

impl Description {
    pub const ANSWER: Answer = Answer::Description;

    pub fn parse(raw: &str) -> Parsed<Self> {
        if raw.chars().count() > 1000 {
            return Err(InputError::new(
                Self::ANSWER,
                raw,
                "must be at most 1000 characters",
            ));
        }
        let ok = |c: char| {
            matches!(c, '\t' | '\n' | '\r')
                || (' '..='~').contains(&c)
                || ('\u{a1}'..='\u{ff}').contains(&c)
        };
        if !raw.chars().all(ok) {
            return Err(InputError::new(
                Self::ANSWER,
                raw,
                "may contain only printable Latin-1 characters",
            ));
        }
        Ok(Description(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The role's maximum session duration in seconds: 3600–43200.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionDuration(i32);

impl Default for SessionDuration {
    fn default() -> Self {
        SessionDuration(3600)
    }
}

impl SessionDuration {
    pub const ANSWER: Answer = Answer::MaxSessionDuration;

    pub fn parse(raw: &str) -> Parsed<Self> {
        let err = || {
            InputError::new(
                Self::ANSWER,
                raw,
                "must be a whole number of seconds from 3600 to 43200",
            )
        };
        let n: i32 = raw.trim().parse().map_err(|_| err())?;
        if !(3600..=43200).contains(&n) {
            return Err(err());
        }
        Ok(SessionDuration(n))
    }

    pub fn seconds(self) -> i32 {
        self.0
    }
}

/// A managed-policy ARN: `arn:<partition>:iam::<aws|account>:policy/<path/>name`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PolicyArn(String);

impl PolicyArn {
    pub fn parse(answer: Answer, raw: &str) -> Parsed<Self> {
        let err = || {
            InputError::new(
                answer,
                raw,
                "must be a policy ARN like arn:aws:iam::aws:policy/ReadOnlyAccess or arn:aws:iam::123456789012:policy/name",
            )
        };
        let parts: Vec<&str> = raw.splitn(6, ':').collect();
        let [arn, partition, service, region, account, resource] = parts[..] else {
            return Err(err());
        };
        let partition_ok = partition == "aws" || partition.starts_with("aws-");
        let account_ok = account == "aws"
            || (account.len() == 12 && account.chars().all(|c| c.is_ascii_digit()));
        let Some(path_name) = resource.strip_prefix("policy/") else {
            return Err(err());
        };
        if arn != "arn" || !partition_ok || service != "iam" || !region.is_empty() || !account_ok {
            return Err(err());
        }
        policy_path_name_ok(path_name)
            .then(|| PolicyArn(raw.to_string()))
            .ok_or_else(err)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The policy's name: the last segment of the ARN.
    pub fn name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }

    pub fn is_aws_managed(&self) -> bool {
        self.0.split(':').nth(4) == Some("aws")
    }
}

fn policy_path_name_ok(path_name: &str) -> bool {
    let segments: Vec<&str> = path_name.split('/').collect();
    path_name.len() <= 512
        && segments
            .iter()
            .all(|s| !s.is_empty() && s.chars().all(is_iam_name_char))
        && segments.last().is_some_and(|n| n.len() <= 128)
}

/// What `--policy` names: an ARN, or an AWS managed policy by name (optionally with its path,
/// like `job-function/ViewOnlyAccess`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum PolicyRef {
    Arn(PolicyArn),
    AwsManagedName(String),
}

impl PolicyRef {
    pub const ANSWER: Answer = Answer::Policy;

    pub fn parse(raw: &str) -> Parsed<Self> {
        if raw.starts_with("arn:") {
            return PolicyArn::parse(Self::ANSWER, raw).map(PolicyRef::Arn);
        }
        if policy_path_name_ok(raw) {
            return Ok(PolicyRef::AwsManagedName(raw.to_string()));
        }
        Err(InputError::new(
            Self::ANSWER,
            raw,
            "must be an AWS managed policy name like ReadOnlyAccess, or a policy ARN",
        ))
    }

    /// The bare policy name, for matching against what is attached.
    pub fn name(&self) -> &str {
        match self {
            PolicyRef::Arn(arn) => arn.name(),
            PolicyRef::AwsManagedName(n) => n.rsplit('/').next().unwrap_or(n),
        }
    }

    /// The ARN this most likely is, in `partition`: an AWS managed name without a path lives at the root.
    pub fn likely_arn(&self, partition: &str) -> String {
        match self {
            PolicyRef::Arn(arn) => arn.as_str().to_string(),
            PolicyRef::AwsManagedName(n) => format!("arn:{partition}:iam::aws:policy/{n}"),
        }
    }

    /// Whether `attached_arn` is this policy.
    pub fn matches(&self, attached_arn: &str) -> bool {
        match self {
            PolicyRef::Arn(arn) => arn.as_str() == attached_arn,
            PolicyRef::AwsManagedName(n) => {
                attached_arn.split(':').nth(4) == Some("aws")
                    && attached_arn
                        .split_once(":policy/")
                        .is_some_and(|(_, p)| p == n || p.ends_with(&format!("/{n}")))
            }
        }
    }

    pub fn display(&self) -> &str {
        match self {
            PolicyRef::Arn(arn) => arn.as_str(),
            PolicyRef::AwsManagedName(n) => n,
        }
    }
}

/// Policies that hand out (nearly) full control of the account: attaching one needs a confirmation.
pub const ADMIN_POLICY_NAMES: [&str; 3] =
    ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];

/// The warning an admin-level policy about to be attached gets (plan, apply and export).
pub fn admin_warning(name: &str) -> String {
    format!(
        "{name} is admin-level: every pipeline allowed by the trust policy gets (nearly) full control of the account"
    )
}

pub fn is_admin_policy_arn(arn: &str) -> bool {
    arn.split(':').nth(4) == Some("aws")
        && arn
            .rsplit('/')
            .next()
            .is_some_and(|n| ADMIN_POLICY_NAMES.contains(&n))
}

#[cfg(test)]
#[path = "input_tests.rs"]
mod tests;
