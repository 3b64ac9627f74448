//! Test harness: one AWS emulator (moto server, tests/emulator/moto_server.py) per test, the real
//! binary run against it, and SDK clients to seed and inspect its state.
//!
//! A test that needs the emulator fails when it cannot start it: it never skips.
#![allow(dead_code)]

pub mod gitlab;
pub mod org;
pub mod proxy;
pub mod tmux;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const ACCOUNT: &str = "123456789012";
pub const BIN: &str = env!("CARGO_BIN_EXE_aws-oidc-wizard");

pub struct Emulator {
    child: Child,
    pub endpoint: String,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
    /// The GitLab every run reaches by default (GITLAB_HOST): nothing in it until a test adds
    /// it, so the namespace lookup of a setup finds nothing and nothing reaches gitlab.com.
    pub gitlab: gitlab::FakeGitLab,
}

fn python() -> PathBuf {
    match std::env::var_os("AOW_EMULATOR_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/emulator-venv/bin/python"),
    }
}

impl Emulator {
    pub fn start() -> Emulator {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("moto.log");
        let python = python();
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/emulator/moto_server.py");
        let mut child = Command::new(&python)
            .arg(&script)
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            .current_dir(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start the AWS emulator with {}: {e}. Run the suite with `bash tests/run`, which installs it.",
                    python.display()
                )
            });
        let stdout = child.stdout.take().expect("emulator stdout");
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let Some(port) = line
            .strip_prefix("PORT ")
            .and_then(|p| p.trim().parse::<u16>().ok())
        else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the AWS emulator did not start (said {line:?}); its log:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        };
        Emulator {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
            log,
            _dir: dir,
            gitlab: gitlab::FakeGitLab::start(),
        }
    }

    fn http(&self, method: &str, path: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to emulator");
        write!(
            s,
            "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
        )
        .expect("send");
        let mut resp = String::new();
        s.read_to_string(&mut resp).expect("read");
        resp.split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default()
    }

    /// Every AWS operation the emulator received since the last reset, as `service.Action`.
    pub fn calls(&self) -> Vec<String> {
        serde_json::from_str(&self.http("GET", "/_harness/calls")).expect("calls JSON")
    }

    pub fn mutating_calls(&self) -> Vec<String> {
        self.calls()
            .into_iter()
            .filter(|c| aws_oidc_wizard::aws::calls::is_mutating(c))
            .collect()
    }

    pub fn reset_calls(&self) {
        self.http("POST", "/_harness/calls/reset");
    }

    /// The real binary, with credentials for the emulator and nothing else from this machine.
    pub fn command(&self) -> Command {
        let mut c = Command::new(BIN);
        c.env_clear();
        for (k, v) in self.env_pairs() {
            c.env(k, v);
        }
        c.stdin(Stdio::null());
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.command().args(args).output().expect("run the binary"))
    }

    pub fn iam(&self) -> aws_sdk_iam::Client {
        let creds = aws_sdk_iam::config::Credentials::new(
            "AKIDEXAMPLETESTONLY",
            "test-secret-not-real",
            None,
            None,
            "test",
        );
        let conf = aws_sdk_iam::config::Builder::new()
            .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
            .region(aws_sdk_iam::config::Region::new("us-east-1"))
            .credentials_provider(creds)
            .endpoint_url(&self.endpoint)
            .build();
        aws_sdk_iam::Client::from_conf(conf)
    }

    /// Organizations, as the caller (the management account once it made the Organization).
    pub fn organizations(&self) -> aws_sdk_organizations::Client {
        aws_sdk_organizations::Client::from_conf(
            aws_sdk_organizations::config::Builder::from(&self.sdk_config(None)).build(),
        )
    }

    /// IAM in `account`, through `AssumeRole` into its OrganizationAccountAccessRole.
    pub fn iam_in(&self, account: &str) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::new(&self.sdk_config(Some(account)))
    }

    /// The SDK's configuration for the emulator: the caller's keys, or with `account` the
    /// credentials of its OrganizationAccountAccessRole.
    pub fn sdk_config(&self, account: Option<&str>) -> aws_types::SdkConfig {
        let base = aws_types::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_types::region::Region::new("us-east-1"))
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(
                    aws_credential_types::Credentials::new(
                        "AKIDEXAMPLETESTONLY",
                        "test-secret-not-real",
                        None,
                        None,
                        "test",
                    ),
                ),
            )
            .endpoint_url(&self.endpoint)
            .build();
        let Some(account) = account else {
            return base;
        };
        let sts = aws_sdk_sts::Client::new(&base);
        let out = block_on(
            sts.assume_role()
                .role_arn(format!(
                    "arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
                ))
                .role_session_name("test-seed")
                .send(),
        )
        .expect("assume the member role");
        let c = out.credentials().expect("credentials");
        base.to_builder()
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(
                    aws_credential_types::Credentials::new(
                        c.access_key_id(),
                        c.secret_access_key(),
                        Some(c.session_token().to_string()),
                        None,
                        "test",
                    ),
                ),
            )
            .build()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A finished run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    /// The whole of stdout as JSON: the envelope of `--output json`.
    #[track_caller]
    pub fn envelope(&self) -> serde_json::Value {
        let v: serde_json::Value = serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        });
        assert_eq!(v["schema_version"], 1, "{v}");
        assert!(v["command"].is_string(), "{v}");
        v
    }

    /// The `result` of the envelope (the run must have succeeded in the envelope's terms).
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        let mut v = self.envelope();
        assert!(
            v.get("error").is_none(),
            "an error, not a result: {v}\nstderr:\n{}",
            self.stderr
        );
        v["result"].take()
    }

    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "exit code; stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// Run a child to completion, killing it past `limit` (a guard against a hang, not a timing check).
pub fn run_with_guard(mut cmd: Command, limit: Duration) -> (Run, Duration) {
    let started = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("the binary was still running after {limit:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    (Run::from(out), started.elapsed())
}

pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

/// The role's trust policy as IAM holds it, URL-decoded and parsed.
/// A claims file of a gitlab.com pipeline of `project` on branch `reference`, valid for ten
/// minutes from now, written into `dir`: its path, for `explain --claims`.
pub fn claims_file(
    dir: &std::path::Path,
    project: &str,
    reference: &str,
    protected: bool,
) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let path = dir.join("claims.json");
    std::fs::write(
        &path,
        serde_json::json!({
            "iss": "https://gitlab.com", "aud": "https://gitlab.com",
            "sub": format!("project_path:{project}:ref_type:branch:ref:{reference}"),
            "project_path": project, "ref": reference, "ref_type": "branch",
            "ref_protected": protected.to_string(), "iat": now, "nbf": now, "exp": now + 600,
        })
        .to_string(),
    )
    .expect("claims");
    path.display().to_string()
}

pub fn trust_policy(iam: &aws_sdk_iam::Client, role: &str) -> serde_json::Value {
    block_on(async {
        let out = iam
            .get_role()
            .role_name(role)
            .send()
            .await
            .expect("GetRole");
        let raw = out
            .role()
            .expect("role")
            .assume_role_policy_document()
            .expect("document")
            .to_string();
        aws_oidc_wizard::aws::sdk::decode_policy_document(&raw).expect("decodable")
    })
}

pub fn attached_policies(iam: &aws_sdk_iam::Client, role: &str) -> Vec<String> {
    block_on(async {
        let out = iam
            .list_attached_role_policies()
            .role_name(role)
            .send()
            .await
            .expect("list");
        let mut arns: Vec<String> = out
            .attached_policies()
            .iter()
            .filter_map(|p| p.policy_arn().map(str::to_string))
            .collect();
        arns.sort();
        arns
    })
}

pub fn providers(iam: &aws_sdk_iam::Client) -> Vec<String> {
    block_on(async {
        let out = iam
            .list_open_id_connect_providers()
            .send()
            .await
            .expect("list providers");
        out.open_id_connect_provider_list()
            .iter()
            .filter_map(|p| p.arn().map(str::to_string))
            .collect()
    })
}

pub fn role_exists(iam: &aws_sdk_iam::Client, role: &str) -> bool {
    block_on(async { iam.get_role().role_name(role).send().await.is_ok() })
}

/// A loopback TCP server that accepts connections and never answers: a hung AWS endpoint or
/// instance-metadata service. Counts the connections it accepted.
pub struct Blackhole {
    pub addr: std::net::SocketAddr,
    accepted: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Blackhole {
    pub fn start() -> Blackhole {
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = accepted.clone();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            // Bounded: at most 100 connections, then the thread ends with the test process.
            for stream in listener.incoming().take(100) {
                counter.fetch_add(1, Ordering::SeqCst);
                held.push(stream);
            }
        });
        Blackhole { addr, accepted }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn accepted(&self) -> usize {
        self.accepted.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Wait (bounded) until something has connected.
    pub fn wait_for_connection(&self, limit: Duration) {
        let started = Instant::now();
        while self.accepted() == 0 {
            assert!(
                started.elapsed() < limit,
                "nothing connected within {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Emulator {
    /// Make every request for `action` fail with the AWS error `code` until `clear_faults`.
    pub fn fail(&self, action: &str, code: &str) {
        self.http(
            "POST",
            &format!("/_harness/fail?action={action}&code={code}&status=403"),
        );
    }

    /// Make the next `times` requests for `action` fail with this AWS error, then work again.
    pub fn fail_times(&self, action: &str, code: &str, status: u16, message: &str, times: usize) {
        let message: String =
            percent_encoding::utf8_percent_encode(message, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        self.http(
            "POST",
            &format!(
                "/_harness/fail?action={action}&code={code}&status={status}&times={times}&message={message}"
            ),
        );
    }

    pub fn clear_faults(&self) {
        self.http("POST", "/_harness/fail/clear");
    }

    /// The environment the binary gets, as `NAME=value` pairs (for a shell command line).
    pub fn env_pairs(&self) -> Vec<(String, String)> {
        let dir = self._dir.path();
        vec![
            ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
            ("HOME".into(), dir.display().to_string()),
            (
                "AWS_CONFIG_FILE".into(),
                dir.join("no-config").display().to_string(),
            ),
            (
                "AWS_SHARED_CREDENTIALS_FILE".into(),
                dir.join("no-credentials").display().to_string(),
            ),
            ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
            ("AWS_ENDPOINT_URL".into(), self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID".into(), "AKIDEXAMPLETESTONLY".into()),
            (
                "AWS_SECRET_ACCESS_KEY".into(),
                "test-secret-not-real".into(),
            ),
            ("AWS_REGION".into(), "us-east-1".into()),
            ("GITLAB_HOST".into(), self.gitlab.url.clone()),
        ]
    }
}

impl Emulator {
    /// Forget everything: all AWS state (moto's reset) and the harness's calls, faults and rules.
    pub fn reset(&self) {
        self.http("POST", "/moto-api/reset");
        self.http("POST", "/_harness/calls/reset");
        self.clear_faults();
    }

    /// Arm the killer: the `n`-th AWS request from now is carried out, then the caller is killed.
    pub fn kill_after(&self, n: usize) {
        self.http("POST", &format!("/_harness/kill-after?n={n}"));
    }

    pub fn kill_pid(&self, pid: u32) {
        self.http("POST", &format!("/_harness/kill-pid?pid={pid}"));
    }
}

/// `cfn-lint` (the one pinned in the emulator venv) on these templates: every one passes with
/// nothing reported, or the test fails with what it said.
#[allow(dead_code)]
pub fn cfn_lint(paths: &[std::path::PathBuf]) {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/emulator-venv/bin/cfn-lint");
    let out = Command::new(&venv).args(paths).output().unwrap_or_else(|e| {
        panic!(
            "cannot run {} ({e}): run the suite with `bash tests/run`, which installs the pinned cfn-lint",
            venv.display()
        )
    });
    assert!(
        out.status.success(),
        "cfn-lint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `check-jsonschema` (the one pinned in the emulator venv) on a file, against a schema of
/// tests/schemas/: whether it passed, and what it said.
pub fn schema_check(schema: &str, path: &std::path::Path) -> (bool, String) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let tool = root.join("target/emulator-venv/bin/check-jsonschema");
    let out = Command::new(&tool)
        .arg("--schemafile")
        .arg(root.join("tests/schemas").join(schema))
        .arg(path)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {} ({e}): run the suite with `bash tests/run`, which installs it",
                tool.display()
            )
        });
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// [`schema_check`] that must pass.
pub fn assert_valid(schema: &str, path: &std::path::Path) {
    let (ok, said) = schema_check(schema, path);
    assert!(
        ok,
        "{} is not valid against tests/schemas/{schema}:\n{said}\n{}",
        path.display(),
        std::fs::read_to_string(path).unwrap_or_default()
    );
}

/// `check` with `args` and `--output codequality` or `sarif`, run by the binary against `emu`:
/// it must exit 4 (the fixtures hold findings) and its report be valid against the format's
/// published schema (tests/schemas/). The report's entries: the issues, or the run's results.
pub fn check_report(emu: &Emulator, args: &[&str], format: &str) -> Vec<serde_json::Value> {
    let (schema, entries) = match format {
        "codequality" => ("codequality-report.json", ""),
        "sarif" => ("sarif-schema-2.1.0.json", "/runs/0/results"),
        other => panic!("no report format {other}"),
    };
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--output", format]);
    let run = emu.run(&all);
    run.assert_code(4);
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join(format!("{format}.json"));
    std::fs::write(&path, &run.stdout).expect("write");
    assert_valid(schema, &path);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    report
        .pointer(entries)
        .and_then(serde_json::Value::as_array)
        .cloned()
        .unwrap_or_else(|| panic!("no entries at {entries:?}: {report}"))
}
