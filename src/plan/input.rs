//! Typed inputs: every value the user gives is parsed here once, against AWS's and GitLab's rules,
//! before any AWS call. After parsing, the rest of the program trusts these types.

use std::fmt;

/// Bad input: which flag, what was given, and the rule it broke. Exit code 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{flag} {value:?}: {rule}")]
pub struct InputError {
    pub flag: &'static str,
    pub value: String,
    pub rule: String,
}

impl InputError {
    pub fn new(flag: &'static str, value: &str, rule: impl Into<String>) -> Self {
        InputError {
            flag,
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
    pub const FLAG: &'static str = "--provider-url";

    pub fn parse(raw: &str) -> Parsed<Self> {
        let err = |rule: &str| InputError::new(Self::FLAG, raw, rule);
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
    pub const FLAG: &'static str = "--audience";

    pub fn parse(raw: &str) -> Parsed<Self> {
        if raw.is_empty() || raw.len() > 255 {
            return Err(InputError::new(
                Self::FLAG,
                raw,
                "must be 1 to 255 characters",
            ));
        }
        if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(InputError::new(Self::FLAG, raw, "must not contain spaces"));
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
    pub const FLAG: &'static str = "--project";

    pub fn parse(raw: &str) -> Parsed<Self> {
        let err = |rule: &str| InputError::new(Self::FLAG, raw, rule);
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
                Self::FLAG,
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
    pub const FLAG: &'static str = "--project-id";

    pub fn parse(raw: &str) -> Parsed<Self> {
        gitlab_id(Self::FLAG, raw, "project").map(ProjectId)
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
    pub const FLAG: &'static str = "--namespace-id";

    pub fn parse(raw: &str) -> Parsed<Self> {
        gitlab_id(Self::FLAG, raw, "namespace").map(NamespaceId)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A GitLab id: a whole number without leading zeros, as GitLab writes it in its tokens.
fn gitlab_id(flag: &'static str, raw: &str, what: &str) -> Parsed<String> {
    let t = raw.trim();
    if t.is_empty() || t.len() > 20 || !t.chars().all(|c| c.is_ascii_digit()) || t.starts_with('0')
    {
        return Err(InputError::new(
            flag,
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
    pub const FLAG: &'static str = "--ref";

    pub fn parse(raw: &str) -> Parsed<Self> {
        let err = |rule: &str| InputError::new(Self::FLAG, raw, rule);
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
    pub const FLAG: &'static str = "--role-name";

    pub fn parse(raw: &str) -> Parsed<Self> {
        if raw.is_empty() || raw.len() > 64 {
            return Err(InputError::new(
                Self::FLAG,
                raw,
                "must be 1 to 64 characters",
            ));
        }
        if !raw.chars().all(is_iam_name_char) {
            return Err(InputError::new(
                Self::FLAG,
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
    pub const FLAG: &'static str = "--role-path";

    pub fn parse(raw: &str) -> Parsed<Self> {
        let err = |rule: &str| InputError::new(Self::FLAG, raw, rule);
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
    pub const FLAG: &'static str = "--description";

    pub fn parse(raw: &str) -> Parsed<Self> {
        if raw.chars().count() > 1000 {
            return Err(InputError::new(
                Self::FLAG,
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
                Self::FLAG,
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
    pub const FLAG: &'static str = "--max-session-duration";

    pub fn parse(raw: &str) -> Parsed<Self> {
        let err = || {
            InputError::new(
                Self::FLAG,
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
    pub fn parse(flag: &'static str, raw: &str) -> Parsed<Self> {
        let err = || {
            InputError::new(
                flag,
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
    pub const FLAG: &'static str = "--policy";

    pub fn parse(raw: &str) -> Parsed<Self> {
        if raw.starts_with("arn:") {
            return PolicyArn::parse(Self::FLAG, raw).map(PolicyRef::Arn);
        }
        if policy_path_name_ok(raw) {
            return Ok(PolicyRef::AwsManagedName(raw.to_string()));
        }
        Err(InputError::new(
            Self::FLAG,
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

/// Commercial, China and GovCloud regions offered first in the wizard's region choice (any of
/// `KNOWN_REGIONS` is accepted).
pub const REGIONS: [&str; 19] = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "eu-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ap-south-1",
    "sa-east-1",
    "cn-north-1",
    "us-gov-west-1",
    "us-gov-east-1",
];

/// Every region of every partition, as the AWS SDK's endpoint rules list them (the `regions` of
/// each partition in aws-sdk-sts 1.124's `partitions.json`).
pub const KNOWN_REGIONS: [&str; 46] = [
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "cn-north-1",
    "cn-northwest-1",
    "eusc-de-east-1",
    "us-iso-east-1",
    "us-iso-west-1",
    "us-isob-east-1",
    "us-isob-west-1",
    "eu-isoe-west-1",
    "us-isof-east-1",
    "us-isof-south-1",
    "us-gov-east-1",
    "us-gov-west-1",
];

/// An AWS region: one of `KNOWN_REGIONS`. A well-formed name that is not one (`us-east-9`) is
/// refused too: it would be written into the CI job, where every pipeline would fail to reach STS.
pub fn check_region(region: &str) -> Result<(), InputError> {
    if KNOWN_REGIONS.contains(&region) {
        return Ok(());
    }
    if well_formed_region(region) {
        let (area, _) = region.rsplit_once('-').unwrap_or((region, ""));
        let near: Vec<&str> = KNOWN_REGIONS
            .iter()
            .filter(|r| r.rsplit_once('-').is_some_and(|(a, _)| a == area))
            .copied()
            .collect();
        let hint = if near.is_empty() {
            String::new()
        } else {
            format!(" ({} are)", near.join(", "))
        };
        return Err(InputError::new(
            "--region",
            region,
            format!("is not an AWS region{hint}"),
        ));
    }
    Err(InputError::new(
        "--region",
        region,
        "is not an AWS region name (like eu-west-1 or us-east-1)",
    ))
}

/// `geo-area-N` (`eu-west-1`, `us-gov-west-1`, `ap-southeast-5`).
fn well_formed_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts[0].len() == 2
        && parts
            .last()
            .is_some_and(|n| !n.is_empty() && n.len() <= 2 && n.chars().all(|c| c.is_ascii_digit()))
}

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
mod tests {
    use super::*;

    #[test]
    fn provider_url_accepts_hosts_and_paths() {
        assert_eq!(
            ProviderUrl::parse("https://gitlab.com")
                .unwrap()
                .host_path(),
            "gitlab.com"
        );
        let u = ProviderUrl::parse("HTTPS://Git.Example.com/gitlab").unwrap();
        assert_eq!(u.as_str(), "https://git.example.com/gitlab");
        assert_eq!(u.host_path(), "git.example.com/gitlab");
        assert!(
            ProviderUrl::parse("https://gitlab.com")
                .unwrap()
                .is_gitlab_com()
        );
        assert!(!u.is_gitlab_com());
    }

    #[test]
    fn provider_url_rejects_what_iam_rejects() {
        for (bad, words) in [
            ("http://gitlab.com", "https://"),
            ("gitlab.com", "https://"),
            ("https://gitlab.com:8443", "port"),
            ("https://gitlab.com/?x=1", "query"),
            ("https://gitlab.com#frag", "fragment"),
            ("https://user@gitlab.com", "user"),
            ("https://", "host"),
            ("https://gitlab..com", "host"),
            ("https://gitlab.com/", "'/'"),
            ("https://gitlab.com/a//b", "empty"),
            ("https://git lab.com", "spaces"),
        ] {
            let e = ProviderUrl::parse(bad).unwrap_err();
            assert_eq!(e.flag, "--provider-url");
            assert!(e.rule.contains(words), "{bad}: {}", e.rule);
        }
        let long = format!("https://{}.com", "a".repeat(250));
        assert!(ProviderUrl::parse(&long).unwrap_err().rule.contains("255"));
    }

    #[test]
    fn audience_length() {
        assert!(Audience::parse("sts.amazonaws.com").is_ok());
        assert!(Audience::parse("").is_err());
        assert!(Audience::parse(&"a".repeat(256)).is_err());
        assert!(Audience::parse(&"a".repeat(255)).is_ok());
        assert!(Audience::parse("a b").is_err());
    }

    #[test]
    fn project_paths() {
        assert!(ProjectPath::parse("group/project").is_ok());
        assert!(ProjectPath::parse("group/sub.group/my-project_2").is_ok());
        assert!(ProjectPath::parse("group/*").unwrap().is_pattern());
        for bad in [
            "project", "group/", "/group/p", "*", "*/*", "gr*/p", "g/p?", "g/p q", "g/-p", "g//p",
        ] {
            assert!(ProjectPath::parse(bad).is_err(), "{bad}");
        }
        assert!(
            ProjectPath::parse("*/*")
                .unwrap_err()
                .rule
                .contains("top-level group")
        );
    }

    #[test]
    fn refs() {
        assert!(RefName::parse("main").is_ok());
        assert!(RefName::parse("release/1.2").is_ok());
        assert!(RefName::parse("v*").unwrap().is_pattern());
        for bad in ["", "a b", "a:b", "a?", "a..b", "/a", "a/"] {
            assert!(RefName::parse(bad).is_err(), "{bad}");
        }
        // git check-ref-format's rules.
        for bad in ["a.lock", "a/.b", ".a", "@", "a@{b", "a.", "a//b"] {
            let e = RefName::parse(bad).unwrap_err();
            assert!(e.rule.contains("git forbids"), "{bad}: {}", e.rule);
        }
        for good in ["a${b}", "a$b", "feature/x.y", "@foo", "a@b"] {
            assert!(RefName::parse(good).is_ok(), "{good}");
        }
        let full = RefName::parse("refs/heads/main").unwrap_err();
        assert!(
            full.rule.contains("GitLab's claim is `main`"),
            "{}",
            full.rule
        );
        let tag = RefName::parse("refs/tags/v1").unwrap_err();
        assert!(
            tag.rule.contains("`v1` (write the tag name only)"),
            "{}",
            tag.rule
        );
    }

    #[test]
    fn a_clone_path_is_refused_with_the_project_path() {
        let e = ProjectPath::parse("acme/web.git").unwrap_err();
        assert!(e.rule.contains("did you mean acme/web?"), "{}", e.rule);
        assert!(ProjectPath::parse("acme/web.github").is_ok());
    }

    #[test]
    fn role_names() {
        assert!(RoleName::parse("gitlab-ci_deploy+=,.@").is_ok());
        assert!(RoleName::parse(&"r".repeat(64)).is_ok());
        assert!(RoleName::parse(&"r".repeat(65)).is_err());
        assert!(RoleName::parse("").is_err());
        assert!(RoleName::parse("bad name").is_err());
        assert!(RoleName::parse("bad/name").is_err());
    }

    #[test]
    fn role_paths() {
        assert!(RolePath::parse("/").is_ok());
        assert!(RolePath::parse("/ci/gitlab/").is_ok());
        for bad in ["ci/", "/ci", "//", "/a b/"] {
            assert!(RolePath::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn descriptions() {
        assert!(Description::parse("Deploys from GitLab CI — not really").is_err());
        assert!(Description::parse("Deploys from GitLab CI").is_ok());
        assert!(Description::parse(&"d".repeat(1001)).is_err());
    }

    #[test]
    fn session_durations() {
        assert_eq!(SessionDuration::parse("3600").unwrap().seconds(), 3600);
        assert_eq!(SessionDuration::parse("43200").unwrap().seconds(), 43200);
        for bad in ["3599", "43201", "1h", "", "-1"] {
            assert!(SessionDuration::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn regions() {
        for ok in [
            "us-east-1",
            "eu-west-3",
            "us-gov-west-1",
            "ap-southeast-5",
            "cn-northwest-1",
        ] {
            assert!(check_region(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "eu",
            "eu-west",
            "EU-WEST-1",
            "eu-west-one",
            "eu_west_1",
            "europe-west-1",
            "eu-west-123",
        ] {
            assert!(check_region(bad).is_err(), "{bad}");
        }
        assert!(REGIONS.iter().all(|r| check_region(r).is_ok()));
        assert!(KNOWN_REGIONS.iter().all(|r| check_region(r).is_ok()));
        let nine = check_region("us-east-9").unwrap_err().rule;
        assert!(nine.contains("us-east-1, us-east-2 are"), "{nine}");
        assert!(check_region("eusc-de-east-1").is_ok());
        for host in [
            "gitlab.com/acme/web",
            "GitLab.com/acme/web",
            "www.gitlab.com/a/b",
        ] {
            let e =
                ProjectPath::parse_for(host, &ProviderUrl::parse("https://gitlab.com").unwrap())
                    .unwrap_err();
            assert!(
                e.rule.contains("starts with the host"),
                "{host}: {}",
                e.rule
            );
        }
        let own = ProviderUrl::parse("https://git.example.org").unwrap();
        assert!(ProjectPath::parse_for("git.example.org/acme/web", &own).is_err());
        assert!(ProjectPath::parse_for("acme/web", &own).is_ok());
        let dotted = ProjectPath::parse("code.example.io/acme/web").unwrap();
        assert_eq!(dotted.looks_like_host(), Some("code.example.io"));
        assert_eq!(
            ProjectPath::parse("my.group/web")
                .unwrap()
                .looks_like_host(),
            Some("my.group")
        );
        assert_eq!(
            ProjectPath::parse("acme/web.site")
                .unwrap()
                .looks_like_host(),
            None
        );
    }

    #[test]
    fn policies() {
        let by_name = PolicyRef::parse("ReadOnlyAccess").unwrap();
        assert_eq!(
            by_name.likely_arn("aws"),
            "arn:aws:iam::aws:policy/ReadOnlyAccess"
        );
        assert!(by_name.matches("arn:aws:iam::aws:policy/ReadOnlyAccess"));
        assert!(!by_name.matches("arn:aws:iam::123456789012:policy/ReadOnlyAccess"));
        let with_path = PolicyRef::parse("job-function/ViewOnlyAccess").unwrap();
        assert_eq!(with_path.name(), "ViewOnlyAccess");
        assert!(with_path.matches("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"));
        let arn = PolicyRef::parse("arn:aws:iam::123456789012:policy/team/deploy").unwrap();
        assert_eq!(arn.name(), "deploy");
        assert!(PolicyRef::parse("arn:aws:iam::aws:policy/ReadOnlyAccess").is_ok());
        assert!(PolicyRef::parse("arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess").is_ok());
        for bad in [
            "arn:aws:s3:::bucket",
            "arn:aws:iam::12345:policy/x",
            "arn:aws:iam::aws:role/x",
            "arn:aws:iam:us-east-1:aws:policy/x",
            "Read Only",
            "",
        ] {
            assert!(PolicyRef::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn admin_policies() {
        assert!(is_admin_policy_arn(
            "arn:aws:iam::aws:policy/AdministratorAccess"
        ));
        assert!(is_admin_policy_arn(
            "arn:aws:iam::aws:policy/PowerUserAccess"
        ));
        assert!(is_admin_policy_arn("arn:aws:iam::aws:policy/IAMFullAccess"));
        assert!(!is_admin_policy_arn(
            "arn:aws:iam::aws:policy/ReadOnlyAccess"
        ));
        assert!(!is_admin_policy_arn(
            "arn:aws:iam::123456789012:policy/AdministratorAccess"
        ));
    }
}
