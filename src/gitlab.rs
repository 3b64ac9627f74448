//! The GitLab side, through the REST API v4: store the role ARN as a CI/CD variable on a project or
//! group, and look up numeric project ids to pin. The token comes from `GITLAB_TOKEN` (or the
//! wizard's masked field); it is sent only in the `PRIVATE-TOKEN` header, never logged or stored.

use std::fmt;
use std::time::Duration;

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::{Deserialize, Serialize};

/// A GitLab access token: printed as `[redacted]`, whatever is asked of it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn new(value: &str) -> Option<Token> {
        let v = value.trim();
        (!v.is_empty()).then(|| Token(v.to_string()))
    }

    /// `GITLAB_TOKEN`, when set.
    pub fn from_env() -> Option<Token> {
        std::env::var("GITLAB_TOKEN")
            .ok()
            .and_then(|v| Token::new(&v))
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token([redacted])")
    }
}

/// Where the variable lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    Project(String),
    Group(String),
}

impl Owner {
    fn api_path(&self) -> String {
        match self {
            Owner::Project(p) => format!("projects/{}", utf8_percent_encode(p, NON_ALPHANUMERIC)),
            Owner::Group(g) => format!("groups/{}", utf8_percent_encode(g, NON_ALPHANUMERIC)),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Owner::Project(p) => format!("project {p}"),
            Owner::Group(g) => format!("group {g}"),
        }
    }
}

/// A CI/CD variable as the API returns it (the fields used here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variable {
    pub key: String,
    pub value: String,
    #[serde(default)]
    pub protected: bool,
    #[serde(default)]
    pub masked: bool,
    #[serde(default = "all_environments")]
    pub environment_scope: String,
}

fn all_environments() -> String {
    "*".to_string()
}

/// What the variable should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WantedVariable {
    pub owner: Owner,
    pub key: String,
    pub value: String,
    pub protected: bool,
    pub masked: bool,
    pub environment_scope: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VariableAction {
    Create,
    /// It exists with another value or other options.
    Update {
        from: String,
    },
    Unchanged,
}

/// What storing a variable did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    Created,
    Updated,
    Unchanged,
    /// It holds another value, and replacing was not allowed: nothing was written.
    Differs {
        from: String,
    },
}

impl Stored {
    pub fn word(&self) -> &'static str {
        match self {
            Stored::Created => "created",
            Stored::Updated => "updated",
            Stored::Unchanged => "unchanged",
            Stored::Differs { .. } => "differs",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Project {
    pub id: u64,
    pub path_with_namespace: String,
    pub namespace: Namespace,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Namespace {
    pub id: u64,
    pub full_path: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GitLabError {
    #[error(
        "GitLab said 401 Unauthorized: the token is invalid or expired (create a new one with the api scope)"
    )]
    Unauthorized,
    #[error(
        "GitLab said 403 Forbidden: the token needs the api scope and the Maintainer role on {0}"
    )]
    Forbidden(String),
    #[error(
        "GitLab said 404 Not Found: {0} does not exist, or the token cannot see it (check the path)"
    )]
    NotFound(String),
    #[error("GitLab answered {status}: {body}")]
    Other { status: u16, body: String },
    #[error("GitLab could not be reached at {url}: {reason}")]
    Network { url: String, reason: String },
    /// A 3xx: not followed, since the token would go with it (to another host, or in clear).
    #[error(
        "GitLab at {url} answered with a redirect to {to}: not followed, so the token goes nowhere else; use the URL it redirects to as the GitLab URL if that is the instance"
    )]
    Redirected { url: String, to: String },
}

/// The GitLab instance named by the environment, as glab reads it: `GITLAB_HOST` (a host or a URL),
/// then `CI_SERVER_URL` (set in every GitLab CI job). A bare host means https.
pub fn url_from_env(get: impl Fn(&str) -> Option<String>) -> Option<String> {
    ["GITLAB_HOST", "CI_SERVER_URL"]
        .iter()
        .filter_map(|k| get(k))
        .map(|v| v.trim().to_string())
        .find(|v| !v.is_empty())
        .map(|v| {
            if v.contains("://") {
                v
            } else {
                format!("https://{v}")
            }
        })
}

/// The GitLab URL to call: `explicit` (--gitlab-url, `GITLAB_HOST`, `CI_SERVER_URL`) or the
/// provider URL. HTTPS only, but for
/// loopback addresses (a local GitLab for testing): the token must not travel in clear.
pub fn instance_url(explicit: Option<&str>, provider_url: &str) -> Result<String, String> {
    let url = explicit
        .unwrap_or(provider_url)
        .trim_end_matches('/')
        .to_string();
    // Shown without any user name or password it holds, and with nothing raw in it.
    let shown = crate::sanitize::inline(&redacted(&url)).into_owned();
    let from = "(from --gitlab-url, GITLAB_HOST or CI_SERVER_URL)";
    let parsed = reqwest::Url::parse(&url)
        .map_err(|e| format!("GitLab URL {shown:?} {from} is not a URL: {e}"))?;
    // A user name or password in the URL would go out as Basic auth beside the token.
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(format!(
            "GitLab URL {shown:?} {from} holds a user name or password: give the instance URL alone (the token is sent by itself)"
        ));
    }
    if url.starts_with("https://") || is_loopback(&url) {
        Ok(url)
    } else {
        Err(format!(
            "GitLab URL {shown:?} {from}: must start with https:// (the token must not travel in clear)"
        ))
    }
}

/// The URL with whatever stands before an `@` in its authority replaced by `…`.
fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match authority.rfind('@') {
        Some(at) => format!("{scheme}://…@{}{tail}", &authority[at + 1..]),
        None => url.to_string(),
    }
}

/// A plain-http URL of this machine (a local GitLab for testing): its host is exactly a loopback
/// address or `localhost` (`http://127.0.0.1.example.com` is not).
pub fn is_loopback(url: &str) -> bool {
    reqwest::Url::parse(url).is_ok_and(|u| {
        u.scheme() == "http"
            && u.host_str().is_some_and(|h| {
                h.eq_ignore_ascii_case("localhost")
                    || h.trim_matches(['[', ']'])
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|a| a.is_loopback())
            })
    })
}

/// The most of an answer that is read: GitLab's API answers here are a few KiB.
const ANSWER_LIMIT: usize = 1 << 20;

/// An answer's body, read up to [`ANSWER_LIMIT`]: a server that sends more is not followed into
/// using all the memory there is (what was read is enough to say what went wrong).
async fn read_bounded(mut resp: reqwest::Response) -> String {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        let room = ANSWER_LIMIT - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            break;
        }
        body.extend_from_slice(&chunk);
    }
    String::from_utf8_lossy(&body).into_owned()
}

/// At most 300 characters of an answer, with control characters escaped: it reaches a terminal.
fn printable(body: &str) -> String {
    let head: String = body.chars().take(300).collect();
    crate::sanitize::terminal_safe(&head.replace(['\n', '\t'], " "))
}

/// The API base for a GitLab instance URL: `https://gitlab.com` → `https://gitlab.com/api/v4`.
pub fn api_base(instance_url: &str) -> String {
    format!("{}/api/v4", instance_url.trim_end_matches('/'))
}

/// How one attempt ended badly: GitLab asked to come back later, or it is final.
enum Busy {
    Again {
        status: u16,
        retry_after: Option<Duration>,
        body: String,
    },
    Done(GitLabError),
}

pub struct Client {
    http: reqwest::Client,
    base: String,
    /// None: anonymous, which GitLab answers for public groups and projects only.
    token: Option<Token>,
}

impl Client {
    pub fn new(instance_url: &str, token: Token) -> Result<Client, GitLabError> {
        Client::with(instance_url, Some(token))
    }

    /// A client with a token when there is one, anonymous otherwise (public lookups only).
    pub fn with(instance_url: &str, token: Option<Token>) -> Result<Client, GitLabError> {
        // No redirects: the token travels in a header reqwest does not know to drop, and the API
        // answers in place. No proxy for a loopback GitLab: it is plain http, and a proxy would
        // read the token (https goes through a proxy as a tunnel it cannot read).
        let builder = reqwest::Client::builder();
        let builder = if is_loopback(instance_url) {
            builder.no_proxy()
        } else {
            builder
        };
        let http = builder
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(20))
            .user_agent(concat!("aws-oidc-wizard/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| GitLabError::Network {
                url: instance_url.to_string(),
                reason: e.to_string(),
            })?;
        Ok(Client {
            http,
            base: api_base(instance_url),
            token,
        })
    }

    /// Send once more after a busy answer: 429 always (GitLab did not do it), 5xx only for a read
    /// (a write may have been done). The wait is GitLab's `Retry-After` (seconds, at most 30) or
    /// a jittered exponential backoff from 0.5 s, for 3 more attempts at most.
    async fn send(
        &self,
        req: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<Option<String>, GitLabError> {
        use backon::Retryable as _;
        let read = req
            .try_clone()
            .and_then(|r| r.build().ok())
            .is_some_and(|r| r.method() == reqwest::Method::GET);
        let attempt = || async {
            let req = req.try_clone().ok_or_else(|| {
                Busy::Done(GitLabError::Network {
                    url: self.base.clone(),
                    reason: "the request could not be repeated".into(),
                })
            })?;
            self.send_once(req, what).await
        };
        let backoff = backon::ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(500))
            .with_max_delay(Duration::from_secs(8))
            .with_max_times(3)
            .with_jitter();
        attempt
            .retry(backoff)
            .when(|e| matches!(e, Busy::Again { status, .. } if *status == 429 || read))
            .adjust(|e, next| match e {
                Busy::Again {
                    retry_after: Some(after),
                    ..
                } => next.map(|_| *after),
                _ => next,
            })
            .notify(|e, wait| {
                if let Busy::Again { status, .. } = e {
                    tracing::info!(
                        status,
                        wait_ms = wait.as_millis() as u64,
                        "GitLab is busy: trying again"
                    );
                }
            })
            .await
            .map_err(|e| match e {
                Busy::Again { status, body, .. } => GitLabError::Other { status, body },
                Busy::Done(e) => e,
            })
    }

    async fn send_once(
        &self,
        req: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<Option<String>, Busy> {
        let req = match &self.token {
            Some(t) => req.header("PRIVATE-TOKEN", &t.0),
            None => req,
        };
        let resp = req.send().await.map_err(|e| {
            Busy::Done(GitLabError::Network {
                url: self.base.clone(),
                reason: e.without_url().to_string(),
            })
        })?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|s| Duration::from_secs(s.min(30)));
        let location = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let body = read_bounded(resp).await;
        match status {
            200..=299 => Ok(Some(body)),
            300..=399 => Err(Busy::Done(GitLabError::Redirected {
                url: self.base.trim_end_matches("/api/v4").to_string(),
                to: location.map_or_else(|| "nowhere named".to_string(), |l| printable(&l)),
            })),
            401 => Err(Busy::Done(GitLabError::Unauthorized)),
            403 => Err(Busy::Done(GitLabError::Forbidden(what.to_string()))),
            404 => Ok(None),
            429 | 500 | 502 | 503 | 504 => Err(Busy::Again {
                status,
                retry_after,
                body: printable(&body),
            }),
            _ => Err(Busy::Done(GitLabError::Other {
                status,
                body: printable(&body),
            })),
        }
    }

    fn parse<T: for<'de> Deserialize<'de>>(body: &str) -> Result<T, GitLabError> {
        serde_json::from_str(body).map_err(|e| GitLabError::Other {
            status: 200,
            body: format!("unexpected answer: {e}"),
        })
    }

    /// `GET /projects/:path`.
    pub async fn project(&self, path: &str) -> Result<Project, GitLabError> {
        self.visible_project(path)
            .await?
            .ok_or_else(|| GitLabError::NotFound(Owner::Project(path.to_string()).describe()))
    }

    /// `GET /projects/:path`, `None` when GitLab does not show it (absent, or private to this
    /// client).
    pub async fn visible_project(&self, path: &str) -> Result<Option<Project>, GitLabError> {
        let owner = Owner::Project(path.to_string());
        let url = format!("{}/{}", self.base, owner.api_path());
        match self.send(self.http.get(url), &owner.describe()).await? {
            Some(body) => Self::parse(&body).map(Some),
            None => Ok(None),
        }
    }

    /// `GET /groups/:path?with_projects=false`, `None` when GitLab does not show it.
    pub async fn visible_group(&self, path: &str) -> Result<Option<Namespace>, GitLabError> {
        let owner = Owner::Group(path.to_string());
        let url = format!("{}/{}?with_projects=false", self.base, owner.api_path());
        match self.send(self.http.get(url), &owner.describe()).await? {
            Some(body) => Self::parse(&body).map(Some),
            None => Ok(None),
        }
    }

    /// `GET /:owner/variables/:key?filter[environment_scope]=…`; `None` when it does not exist.
    pub async fn variable(
        &self,
        owner: &Owner,
        key: &str,
        scope: &str,
    ) -> Result<Option<Variable>, GitLabError> {
        let url = format!("{}/{}/variables/{key}", self.base, owner.api_path());
        let req = self
            .http
            .get(url)
            .query(&[("filter[environment_scope]", scope)]);
        match self.send(req, &owner.describe()).await {
            Ok(Some(body)) => Self::parse(&body).map(Some),
            Ok(None) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Decide what storing `wanted` takes (one read).
    async fn plan_variable(&self, wanted: &WantedVariable) -> Result<VariableAction, GitLabError> {
        // A 404 here may also mean the project is not visible: tell them apart with the project.
        let existing = self
            .variable(&wanted.owner, &wanted.key, &wanted.environment_scope)
            .await?;
        Ok(match existing {
            None => {
                if let Owner::Project(p) = &wanted.owner {
                    self.project(p).await?;
                }
                VariableAction::Create
            }
            Some(v)
                if v.value == wanted.value
                    && v.protected == wanted.protected
                    && v.masked == wanted.masked =>
            {
                VariableAction::Unchanged
            }
            Some(v) => VariableAction::Update { from: v.value },
        })
    }

    /// Make the variable as wanted: create it, leave an equal one alone, and replace a different
    /// one only when `replace` (otherwise report the difference).
    pub async fn store(
        &self,
        wanted: &WantedVariable,
        replace: bool,
    ) -> Result<Stored, GitLabError> {
        let action = self.plan_variable(wanted).await?;
        match &action {
            VariableAction::Unchanged => return Ok(Stored::Unchanged),
            VariableAction::Update { from } if !replace => {
                return Ok(Stored::Differs { from: from.clone() });
            }
            _ => {}
        }
        self.apply_variable(wanted, &action).await?;
        Ok(if action == VariableAction::Create {
            Stored::Created
        } else {
            Stored::Updated
        })
    }

    /// Create or update the variable as planned.
    async fn apply_variable(
        &self,
        wanted: &WantedVariable,
        action: &VariableAction,
    ) -> Result<(), GitLabError> {
        let form = [
            ("key", wanted.key.as_str()),
            ("value", wanted.value.as_str()),
            ("protected", if wanted.protected { "true" } else { "false" }),
            ("masked", if wanted.masked { "true" } else { "false" }),
            ("environment_scope", wanted.environment_scope.as_str()),
            ("variable_type", "env_var"),
        ];
        let owner = &wanted.owner;
        let collection = format!("{}/{}/variables", self.base, owner.api_path());
        let req = match action {
            VariableAction::Unchanged => return Ok(()),
            VariableAction::Create => self.http.post(collection).form(&form),
            VariableAction::Update { .. } => self
                .http
                .put(format!("{collection}/{}", wanted.key))
                .query(&[(
                    "filter[environment_scope]",
                    wanted.environment_scope.as_str(),
                )])
                .form(&form),
        };
        match self.send(req, &owner.describe()).await? {
            Some(_) => Ok(()),
            None => Err(GitLabError::NotFound(owner.describe())),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_url_comes_from_gitlab_host_then_ci_server_url() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            url_from_env(env(&[
                ("GITLAB_HOST", "git.example.com"),
                ("CI_SERVER_URL", "https://ci")
            ])),
            Some("https://git.example.com".into())
        );
        assert_eq!(
            url_from_env(env(&[
                ("GITLAB_HOST", " "),
                ("CI_SERVER_URL", "https://gitlab.example.com")
            ])),
            Some("https://gitlab.example.com".into())
        );
        assert_eq!(url_from_env(env(&[])), None);
    }

    use super::*;

    #[test]
    fn only_this_machine_is_reached_in_clear() {
        for yes in [
            "http://127.0.0.1:8080",
            "http://localhost",
            "http://[::1]:9/x",
            "http://127.0.0.2",
        ] {
            assert!(is_loopback(yes), "{yes}");
            assert!(
                instance_url(Some(yes), "https://gitlab.com").is_ok(),
                "{yes}"
            );
        }
        for no in [
            "http://127.0.0.1.example.com",
            "http://localhost.example.com",
            "http://gitlab.com",
            "https://127.0.0.1",
            "http://10.0.0.1",
            "not a url",
        ] {
            assert!(!is_loopback(no), "{no}");
        }
        assert!(instance_url(Some("http://127.0.0.1.example.com"), "https://gitlab.com").is_err());
    }

    #[test]
    fn tokens_never_print() {
        let t = Token::new("glpat-secret").unwrap();
        assert!(!format!("{t:?}").contains("glpat"));
        assert!(Token::new("  ").is_none());
    }

    #[test]
    fn paths_are_url_encoded_and_bases_derived() {
        assert_eq!(
            Owner::Project("acme/sub/web".into()).api_path(),
            "projects/acme%2Fsub%2Fweb"
        );
        assert_eq!(api_base("https://gitlab.com"), "https://gitlab.com/api/v4");
        assert_eq!(
            api_base("https://git.example.com/gitlab"),
            "https://git.example.com/gitlab/api/v4"
        );
    }

    #[test]
    fn a_url_that_is_no_url_or_holds_a_password_is_refused_without_showing_it() {
        for bad in [
            "http://u:SECRET@127.0.0.1:99999",
            "https://u:SECRET@gitlab.example.com:99999",
            "https://u:SECRET@gitlab.example.com",
            "https://gitlab example.com",
            "https://u:SECRET@gitlab.example.com/\u{1b}[2J",
        ] {
            let e = instance_url(Some(bad), "https://gitlab.com").expect_err(bad);
            assert!(!e.contains("SECRET") && !e.contains('\u{1b}'), "{e}");
        }
        assert_eq!(redacted("https://a:b@h/x@y"), "https://…@h/x@y");
    }
}
