//! A local GitLab API v4 for the tests: the few endpoints the product uses, with the request and
//! response shapes of GitLab's documentation (projects, project and group CI/CD variables), every
//! request recorded so tests can assert exactly what was sent.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

pub const GOOD_TOKEN: &str = "glpat-good-test-token";
/// A valid token whose user is only a Reporter: variables are forbidden.
pub const REPORTER_TOKEN: &str = "glpat-reporter-test-token";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// Path and query, as sent (URL-encoded).
    pub target: String,
    pub token: Option<String>,
    pub form: BTreeMap<String, String>,
}

#[derive(Default)]
struct State {
    /// path_with_namespace → (id, namespace id)
    projects: BTreeMap<String, (u64, u64)>,
    /// full path → id
    groups: BTreeMap<String, u64>,
    /// Projects and groups anyone may read, without a token.
    public: std::collections::BTreeSet<String>,
    /// (owner api path, key, scope) → variable JSON
    variables: BTreeMap<(String, String, String), Value>,
    requests: Vec<Request>,
    /// Answers for the next requests, before anything else: a status and a Retry-After.
    busy: Vec<(Option<String>, u16, Option<u64>)>,
    /// Answer every request with a 302 to this URL (the request's own path appended).
    redirect: Option<String>,
}

pub struct FakeGitLab {
    pub url: String,
    state: Arc<Mutex<State>>,
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

fn parse_form(body: &str) -> BTreeMap<String, String> {
    body.split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

impl FakeGitLab {
    pub fn start() -> FakeGitLab {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let state: Arc<Mutex<State>> = Arc::default();
        let s = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(1000).flatten() {
                let s = s.clone();
                std::thread::spawn(move || serve(stream, &s));
            }
        });
        FakeGitLab { url, state }
    }

    pub fn add_project(&self, path: &str, id: u64, namespace_id: u64) {
        self.state
            .lock()
            .expect("state")
            .projects
            .insert(path.to_string(), (id, namespace_id));
    }

    /// A project anyone may read (`GET /projects/:path` without a token).
    pub fn add_public_project(&self, path: &str, id: u64, namespace_id: u64) {
        self.add_project(path, id, namespace_id);
        self.state
            .lock()
            .expect("state")
            .public
            .insert(path.to_string());
    }

    /// A group; `public`: anyone may read it.
    pub fn add_group(&self, path: &str, id: u64, public: bool) {
        let mut st = self.state.lock().expect("state");
        st.groups.insert(path.to_string(), id);
        if public {
            st.public.insert(path.to_string());
        }
    }

    pub fn set_variable(&self, project: &str, key: &str, value: &str) {
        let owner = format!("projects/{}", project.replace('/', "%2F"));
        let v = json!({"variable_type": "env_var", "key": key, "value": value, "protected": false,
            "masked": false, "raw": false, "environment_scope": "*", "description": null});
        self.state
            .lock()
            .expect("state")
            .variables
            .insert((owner, key.to_string(), "*".to_string()), v);
    }

    pub fn variable(&self, project: &str, key: &str) -> Option<Value> {
        let owner = format!("projects/{}", project.replace('/', "%2F"));
        self.state
            .lock()
            .expect("state")
            .variables
            .get(&(owner, key.to_string(), "*".to_string()))
            .cloned()
    }

    /// The next requests are answered with `status` (e.g. 429) and this `Retry-After`, one each.
    pub fn busy(&self, answers: &[(u16, Option<u64>)]) {
        let mut st = self.state.lock().expect("state");
        st.busy.extend(
            answers
                .iter()
                .map(|(status, after)| (None, *status, *after)),
        );
    }

    /// The same for the next requests of one method only (e.g. the POST that stores).
    pub fn busy_on(&self, method: &str, answers: &[(u16, Option<u64>)]) {
        let mut st = self.state.lock().expect("state");
        st.busy.extend(
            answers
                .iter()
                .map(|(status, after)| (Some(method.to_string()), *status, *after)),
        );
    }

    /// From now on, answer every request with `302 Found` to `base` + the request's path, as a
    /// moved or hostile server would.
    pub fn redirect_to(&self, base: &str) {
        self.state.lock().expect("state").redirect = Some(base.to_string());
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().expect("state").requests.clone()
    }

    /// The requests as `METHOD target`, for compact assertions.
    pub fn lines(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|r| format!("{} {}", r.method, r.target))
            .collect()
    }
}

fn respond(stream: &mut TcpStream, status: u16, body: &Value) {
    let text = body.to_string();
    let reason = match status {
        200 => "OK",
        201 => "Created",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        _ => "Error",
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
}

fn serve(mut stream: TcpStream, state: &Mutex<State>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let (head, body) = loop {
        let Ok(n) = stream.read(&mut chunk) else {
            return;
        };
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap_or(0))
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                break (
                    head,
                    String::from_utf8_lossy(&buf[end + 4..end + 4 + length]).to_string(),
                );
            }
        }
    };
    let mut lines = head.lines();
    let mut first = lines.next().unwrap_or_default().split_whitespace();
    let method = first.next().unwrap_or_default().to_string();
    let target = first.next().unwrap_or_default().to_string();
    let token = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.eq_ignore_ascii_case("private-token"))
        .map(|(_, v)| v.trim().to_string());
    let form = parse_form(&body);
    let mut st = state.lock().expect("state");
    st.requests.push(Request {
        method: method.clone(),
        target: target.clone(),
        token: token.clone(),
        form: form.clone(),
    });
    let due = st
        .busy
        .iter()
        .position(|(m, _, _)| m.as_deref().is_none_or(|m| m == method));
    if let Some(base) = &st.redirect {
        let _ = write!(
            stream,
            "HTTP/1.1 302 Found\r\nLocation: {base}{target}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        return;
    }
    if let Some((_, status, after)) = due.map(|i| st.busy.remove(i)) {
        let retry = after
            .map(|s| format!("Retry-After: {s}\r\n"))
            .unwrap_or_default();
        let text = json!({"message": "busy"}).to_string();
        let _ = write!(
            stream,
            "HTTP/1.1 {status} Busy\r\n{retry}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
            text.len()
        );
        return;
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    // GitLab answers anonymous reads of public projects and groups, and hides the rest (404); a
    // token it does not know is refused (401).
    let anonymous = token.is_none();
    if !anonymous
        && token.as_deref() != Some(GOOD_TOKEN)
        && token.as_deref() != Some(REPORTER_TOKEN)
    {
        return respond(&mut stream, 401, &json!({"message": "401 Unauthorized"}));
    }
    if anonymous {
        let read = path
            .strip_prefix("/api/v4/")
            .and_then(|r| r.split_once('/'))
            .filter(|(kind, id)| {
                method == "GET" && matches!(*kind, "projects" | "groups") && !id.contains('/')
            });
        match read {
            Some((_, id)) if st.public.contains(&decode(id)) => {}
            Some(_) => return respond(&mut stream, 404, &json!({"message": "404 Not Found"})),
            None => return respond(&mut stream, 401, &json!({"message": "401 Unauthorized"})),
        }
    }
    let query = parse_form(query);
    let scope = query
        .get("filter[environment_scope]")
        .cloned()
        .unwrap_or_else(|| "*".into());
    let Some(rest) = path.strip_prefix("/api/v4/") else {
        return respond(&mut stream, 404, &json!({"message": "404 Not Found"}));
    };
    let parts: Vec<&str> = rest.split('/').collect();
    match parts.as_slice() {
        ["projects", id] if method == "GET" => match st.projects.get(&decode(id)) {
            Some((pid, ns)) => respond(
                &mut stream,
                200,
                &json!({"id": pid, "path_with_namespace": decode(id), "name": decode(id).rsplit('/').next(),
                    "namespace": {"id": ns, "full_path": decode(id).rsplit_once('/').map(|x| x.0).unwrap_or("")}}),
            ),
            None => respond(
                &mut stream,
                404,
                &json!({"message": "404 Project Not Found"}),
            ),
        },
        ["groups", id] if method == "GET" => match st.groups.get(&decode(id)) {
            Some(gid) => respond(
                &mut stream,
                200,
                &json!({"id": gid, "full_path": decode(id), "name": decode(id).rsplit('/').next()}),
            ),
            None => respond(&mut stream, 404, &json!({"message": "404 Group Not Found"})),
        },
        [kind @ ("projects" | "groups"), id, "variables", rest @ ..] => {
            if *kind == "projects" && !st.projects.contains_key(&decode(id)) {
                return respond(
                    &mut stream,
                    404,
                    &json!({"message": "404 Project Not Found"}),
                );
            }
            if token.as_deref() == Some(REPORTER_TOKEN) {
                return respond(&mut stream, 403, &json!({"message": "403 Forbidden"}));
            }
            let owner = format!("{kind}/{id}");
            match (method.as_str(), rest) {
                ("GET", [key]) => match st.variables.get(&(owner, key.to_string(), scope)) {
                    Some(v) => respond(&mut stream, 200, v),
                    None => respond(
                        &mut stream,
                        404,
                        &json!({"message": "404 Variable Not Found"}),
                    ),
                },
                ("POST", []) => {
                    let key = form.get("key").cloned().unwrap_or_default();
                    let scope = form
                        .get("environment_scope")
                        .cloned()
                        .unwrap_or_else(|| "*".into());
                    let v = json!({"variable_type": form.get("variable_type").cloned().unwrap_or("env_var".into()),
                        "key": key, "value": form.get("value"), "protected": form.get("protected").map(|x| x == "true"),
                        "masked": form.get("masked").map(|x| x == "true"), "raw": false, "environment_scope": scope,
                        "description": null});
                    if st
                        .variables
                        .contains_key(&(owner.clone(), key.clone(), scope.clone()))
                    {
                        return respond(
                            &mut stream,
                            400,
                            &json!({"message": {"key": ["(ROLE_ARN) has already been taken"]}}),
                        );
                    }
                    st.variables.insert((owner, key, scope), v.clone());
                    respond(&mut stream, 201, &v)
                }
                ("PUT", [key]) => match st.variables.get_mut(&(owner, key.to_string(), scope)) {
                    Some(v) => {
                        for f in ["value"] {
                            if let Some(x) = form.get(f) {
                                v[f] = json!(x);
                            }
                        }
                        for f in ["protected", "masked"] {
                            if let Some(x) = form.get(f) {
                                v[f] = json!(x == "true");
                            }
                        }
                        let v = v.clone();
                        respond(&mut stream, 200, &v)
                    }
                    None => respond(
                        &mut stream,
                        404,
                        &json!({"message": "404 Variable Not Found"}),
                    ),
                },
                _ => respond(&mut stream, 404, &json!({"message": "404 Not Found"})),
            }
        }
        _ => respond(&mut stream, 404, &json!({"message": "404 Not Found"})),
    }
}
