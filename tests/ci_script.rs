//! The CI jobs checked by their consumers: GitLab's CI schema (vendored in tests/schemas/, run by
//! the pinned check-jsonschema) on every variant and on a merged pipeline; and the script lines run
//! by `sh` and `bash` as a GitLab runner runs them: each line in
//! one shell, stopping at the first that fails. The AWS CLI is a stand-in here (a script named
//! `aws` on PATH that prints what STS would, or fails as STS refuses): what is tested is the
//! shell's side (a refused assume-role fails its own line; the token file lives outside the
//! checkout, private, and is gone after `after_script`). Then the same scripts run with the real
//! AWS CLI (pinned in the emulator venv) against the emulator, holding nothing but a token: the
//! CLI must end up as the assumed role.

mod common;

use std::path::Path;
use std::process::Command;

use common::{BIN, Emulator};

fn job(style: &str) -> yaml_rust2::Yaml {
    let out = Command::new(BIN)
        .args(["ci-job", "--ci-job-style", style])
        .output()
        .expect("ci-job");
    assert!(out.status.success());
    yaml_rust2::YamlLoader::load_from_str(&String::from_utf8_lossy(&out.stdout))
        .expect("YAML")
        .remove(0)
}

fn lines(y: &yaml_rust2::Yaml, key: &str) -> Vec<String> {
    y["deploy"][key]
        .as_vec()
        .map(|v| {
            v.iter()
                .filter_map(|l| l.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A stand-in `aws`: `sts assume-role-with-web-identity` prints three tab-separated values or,
/// with STS_REFUSES set, fails as STS does; `sts get-caller-identity` says whose keys it has.
fn fake_aws(dir: &Path) {
    let path = dir.join("aws");
    std::fs::write(
        &path,
        "#!/bin/sh\n\
         case \"$2\" in\n\
         assume-role-with-web-identity)\n\
           if [ -n \"$STS_REFUSES\" ]; then echo 'An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized' >&2; exit 254; fi\n\
           printf 'ASIAFAKEKEY\\tfake-secret\\tfake-session-token\\n' ;;\n\
         get-caller-identity)\n\
           if [ -z \"$AWS_ACCESS_KEY_ID\" ] && [ ! -s \"$AWS_WEB_IDENTITY_TOKEN_FILE\" ]; then echo 'Unable to locate credentials' >&2; exit 253; fi\n\
           echo \"caller with key ${AWS_ACCESS_KEY_ID:-from-token-file} session ${AWS_SESSION_TOKEN:-none}\" ;;\n\
         esac\n",
    )
    .expect("stand-in aws");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

/// Run the lines as a runner does (one shell, stop at the first failing line): the line that
/// failed, if one did, and what the shell printed.
fn run(
    shell: &str,
    dir: &Path,
    env: &[(&str, &str)],
    script: &[String],
) -> (Option<usize>, String) {
    let mut program = String::new();
    for (i, line) in script.iter().enumerate() {
        program.push_str(&format!(
            "{line}\nrc=$?; if [ $rc -ne 0 ]; then echo \"LINE {i} FAILED\"; exit $rc; fi\n"
        ));
    }
    let mut cmd = Command::new(shell);
    cmd.arg("-c").arg(program).current_dir(dir);
    cmd.env("PATH", format!("{}:/usr/bin:/bin", dir.display()));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("shell");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let failed = text.lines().find_map(|l| {
        l.strip_prefix("LINE ")?
            .strip_suffix(" FAILED")?
            .parse()
            .ok()
    });
    (failed, text)
}

const CI: [(&str, &str); 4] = [
    ("GITLAB_OIDC_TOKEN", "eyJ.fake.token"),
    ("ROLE_ARN", "arn:aws:iam::123456789012:role/gitlab-acme-web"),
    ("CI_PROJECT_ID", "42"),
    ("CI_PIPELINE_ID", "7"),
];

#[test]
fn a_refused_assume_role_fails_its_own_line_under_sh_and_bash() {
    let job = job("assume-role");
    let script = lines(&job, "script");
    for shell in ["sh", "bash"] {
        let dir = tempfile::tempdir().expect("dir");
        fake_aws(dir.path());
        let (failed, text) = run(shell, dir.path(), &CI, &script);
        assert_eq!(failed, None, "{shell}: {text}");
        assert!(
            text.contains("caller with key ASIAFAKEKEY session fake-session-token"),
            "{shell}: {text}"
        );
        let mut refused = CI.to_vec();
        refused.push(("STS_REFUSES", "1"));
        let (failed, text) = run(shell, dir.path(), &refused, &script);
        assert_eq!(
            failed,
            Some(0),
            "{shell}: the assume-role line itself fails: {text}"
        );
        assert!(
            text.contains("AccessDenied") && !text.contains("Unable to locate"),
            "{text}"
        );
    }
}

#[test]
fn the_token_file_is_outside_the_checkout_private_and_removed_after_the_job() {
    let job = job("token-file");
    let vars = &job["deploy"]["variables"];
    let file_template = vars["AWS_WEB_IDENTITY_TOKEN_FILE"]
        .as_str()
        .expect("token file");
    assert!(!file_template.contains("CI_PROJECT_DIR"), "{file_template}");
    for shell in ["sh", "bash"] {
        let dir = tempfile::tempdir().expect("dir");
        fake_aws(dir.path());
        let token_file = dir.path().join("tmp-token");
        let token_arg = token_file.display().to_string();
        let mut env = CI.to_vec();
        env.push(("AWS_WEB_IDENTITY_TOKEN_FILE", &token_arg));
        let script = lines(&job, "script");
        let (failed, text) = run(shell, dir.path(), &env, &script);
        assert_eq!(failed, None, "{shell}: {text}");
        assert!(text.contains("caller with key from-token-file"), "{text}");
        assert_eq!(
            std::fs::read_to_string(&token_file).expect("token"),
            "eyJ.fake.token"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&token_file)
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "{shell}: readable by others: {mode:o}");
        }
        let (failed, text) = run(shell, dir.path(), &env, &lines(&job, "after_script"));
        assert_eq!(failed, None, "{text}");
        assert!(!token_file.exists(), "{shell}: removed after the job");
    }
}

/// Validate a pipeline file against GitLab's CI schema (tests/schemas/) with the pinned
/// check-jsonschema of the emulator venv.
fn assert_valid_pipeline(path: &Path) {
    common::assert_valid("gitlab-ci.json", path);
}

/// Every job variant, alone and merged into an existing pipeline (anchors, include:, stages:,
/// comments), passes GitLab's schema; a broken job does not (the check can fail).
#[test]
fn every_job_and_a_merged_pipeline_pass_gitlabs_schema() {
    let dir = tempfile::tempdir().expect("dir");
    let variants: [(&str, &str, &[&str]); 4] = [
        ("token-file", "https://gitlab.com", &[]),
        (
            "assume-role",
            "https://gitlab.com",
            &["--ref", "main", "--ref-protected"],
        ),
        (
            "token-file",
            "sts.amazonaws.com",
            &["--ref", "release/*", "--ref", "main"],
        ),
        (
            "assume-role",
            "https://gitlab.example.com/gitlab",
            &["--ref-type", "tag", "--ref", "v*"],
        ),
    ];
    for (i, (style, aud, refs)) in variants.into_iter().enumerate() {
        let out = Command::new(BIN)
            .args([
                "ci-job",
                "--ci-job-style",
                style,
                "--audience",
                aud,
                "--ci-variable",
                "DEPLOY_ROLE",
            ])
            .args(refs)
            .output()
            .expect("ci-job");
        assert!(out.status.success());
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).contains("rules:"),
            !refs.is_empty()
        );
        let path = dir.path().join(format!("{style}-{i}.yml"));
        std::fs::write(&path, &out.stdout).expect("job");
        assert_valid_pipeline(&path);
    }
    // A pipeline of someone's: the job goes beside it and one include entry is added.
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).expect("repo");
    let pipeline = repo.join(".gitlab-ci.yml");
    std::fs::write(
        &pipeline,
        "# our pipeline\nstages: [build, test]\n\n.defaults: &defaults\n  image: alpine:3.20\n\ninclude:\n  - template: Security/SAST.gitlab-ci.yml\n\nbuild:\n  <<: *defaults\n  stage: build\n  script:\n    - make\n",
    )
    .expect("pipeline");
    let arg = pipeline.display().to_string();
    let out = Command::new(BIN)
        .args(["ci-job", "--write-ci-job", &arg])
        .output()
        .expect("ci-job");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_valid_pipeline(&pipeline);
    assert_valid_pipeline(&repo.join("ci/aws-oidc.yml"));
    let merged = std::fs::read_to_string(&pipeline).expect("read");
    assert!(merged.contains("# our pipeline"), "{merged}");
    // The job's stage is declared where the pipeline lists its stages.
    assert!(
        merged.contains("stages: [build, test, deploy]\n"),
        "{merged}"
    );
    let job = std::fs::read_to_string(repo.join("ci/aws-oidc.yml")).expect("job");
    assert!(job.contains("\n  stage: deploy\n"), "{job}");
    // The check itself can fail: a job with a misspelt key is refused.
    let bad = dir.path().join("bad.yml");
    std::fs::write(&bad, "deploy:\n  scirpt: [echo]\n").expect("bad");
    assert!(!common::schema_check("gitlab-ci.json", &bad).0);
}

/// The AWS CLI of the emulator venv (pinned in tests/emulator/requirements.txt).
fn real_aws_dir() -> std::path::PathBuf {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/emulator-venv/bin");
    assert!(
        bin.join("aws").exists(),
        "no AWS CLI at {}: run the suite with `bash tests/run`, which installs it",
        bin.display()
    );
    bin
}

/// An emulator whose account has the role the jobs assume (`gitlab-acme-web`, made by `apply`).
fn emulator_with_the_role() -> Emulator {
    let emu = Emulator::start();
    emu.run(&[
        "apply",
        "--project",
        "acme/web",
        "--role-name",
        "gitlab-acme-web",
        "--policy",
        "ReadOnlyAccess",
    ])
    .assert_code(0);
    emu
}

/// Both job styles, as a runner would run them, with the real AWS CLI and only what GitLab gives
/// a job (a token, the role's ARN in the variable, the CI_* ids): no keys, no config. The last
/// line, `aws sts get-caller-identity`, must answer as the assumed role.
#[test]
fn each_job_assumes_the_role_with_the_real_aws_cli_and_only_a_token() {
    let emu = emulator_with_the_role();
    for style in ["token-file", "assume-role"] {
        let job = job(style);
        for shell in ["sh", "bash"] {
            emu.reset_calls();
            let (ok, text, job_id) = run_with_real_cli(&emu, &job, shell, None);
            assert!(ok, "{style} under {shell}:\n{text}");
            let arn = text
                .lines()
                .find_map(|l| l.trim().strip_prefix("\"Arn\": \""))
                .unwrap_or_else(|| panic!("{style} under {shell}: no caller ARN in:\n{text}"));
            assert!(
                arn.starts_with(
                    "arn:aws:sts::123456789012:assumed-role/gitlab-acme-web/gitlab-42-7"
                ),
                "{style} under {shell}: the CLI is not the assumed role: {arn}"
            );
            let calls = emu.calls();
            assert!(
                // Unsigned, as STS takes it: the token is the only credential sent.
                calls
                    .iter()
                    .any(|c| c == "unsigned.AssumeRoleWithWebIdentity"),
                "{style} under {shell}: {calls:?}"
            );
            assert!(
                !Path::new(&format!("/tmp/aws-web-identity-token-{job_id}")).exists(),
                "{style}: the token file is left behind"
            );
        }
    }
}

/// The job's `script` (then `after_script`) run by `shell` as a runner runs it, with the real AWS
/// CLI against the emulator and nothing but a token; `shims`: a directory put first on PATH.
/// Whether it passed, what it printed, and the job id it ran as.
fn run_with_real_cli(
    emu: &Emulator,
    job: &yaml_rust2::Yaml,
    shell: &str,
    shims: Option<&Path>,
) -> (bool, String, String) {
    let home = tempfile::tempdir().expect("home");
    run_job(emu, &job["deploy"], shell, shims, home.path(), &[])
}

/// One job (`job`: its mapping) run by `shell` as a runner runs it, in `dir` (the checkout), with
/// only what GitLab gives a job (a token, the role's ARN, the CI_* ids), its own `variables:`
/// expanded as GitLab does, the real AWS CLI and `first` on PATH, and `extra` variables. Whether it
/// passed, what it printed, and the job id it ran as.
fn run_job(
    emu: &Emulator,
    job: &yaml_rust2::Yaml,
    shell: &str,
    first: Option<&Path>,
    dir: &Path,
    extra: &[(&str, &str)],
) -> (bool, String, String) {
    // One job id per run: tests of this file run side by side, each job with its token file.
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let job_id = format!(
        "{}-{}",
        std::process::id(),
        RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    );
    let lines = |key: &str| -> Vec<String> {
        job[key]
            .as_vec()
            .into_iter()
            .flatten()
            .filter_map(|l| l.as_str().map(str::to_string))
            .collect()
    };
    let mut program = String::new();
    for (i, line) in lines("script").iter().enumerate() {
        program.push_str(&format!(
            "{line}\nrc=$?; if [ $rc -ne 0 ]; then echo \"LINE {i} FAILED\"; exit $rc; fi\n"
        ));
    }
    for line in lines("after_script") {
        program.push_str(&format!("{line}\n"));
    }
    let aws = real_aws_dir();
    let path = match first {
        Some(first) => format!("{}:{}:/usr/bin:/bin", first.display(), aws.display()),
        None => format!("{}:/usr/bin:/bin", aws.display()),
    };
    let mut env: Vec<(String, String)> = vec![
        ("PATH".into(), path),
        ("HOME".into(), dir.display().to_string()),
        ("CI_PROJECT_DIR".into(), dir.display().to_string()),
        ("AWS_CONFIG_FILE".into(), "/nonexistent/config".into()),
        ("AWS_SHARED_CREDENTIALS_FILE".into(), "/nonexistent/credentials".into()),
        ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        ("AWS_ENDPOINT_URL".into(), emu.endpoint.clone()),
        ("GITLAB_OIDC_TOKEN".into(), "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwcm9qZWN0X3BhdGg6YWNtZS93ZWI6cmVmX3R5cGU6YnJhbmNoOnJlZjptYWluIn0.c2ln".into()),
        ("ROLE_ARN".into(), "arn:aws:iam::123456789012:role/gitlab-acme-web".into()),
        ("CI_PROJECT_ID".into(), "42".into()),
        ("CI_PIPELINE_ID".into(), "7".into()),
        ("CI_JOB_ID".into(), job_id.clone()),
    ];
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    // The job's own `variables:`, expanded as GitLab does.
    if let Some(map) = job["variables"].as_hash() {
        for (k, v) in map {
            let (Some(k), Some(v)) = (k.as_str(), v.as_str()) else {
                continue;
            };
            let mut value = v.to_string();
            for (name, val) in env.clone() {
                value = value.replace(&format!("${name}"), &val);
            }
            env.push((k.to_string(), value));
        }
    }
    let out = Command::new(shell)
        .arg("-c")
        .arg(&program)
        .current_dir(dir)
        .env_clear()
        .envs(env)
        .output()
        .expect("shell");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.success() && !text.contains("FAILED"),
        text,
        job_id,
    )
}

/// The assume-role step retries STS's transient "Couldn't retrieve verification key" (the
/// emulator answers it twice, then works): 3 calls, 5 s then 10 s of backoff (a `sleep` shim
/// records them), and the job goes on. Three in a row fail the step itself after the third try;
/// any other refusal fails it at once, without a wait.
#[test]
fn the_assume_role_step_retries_the_transient_verification_key_failure() {
    let emu = Emulator::start();
    emu.run(&[
        "apply",
        "--project",
        "acme/web",
        "--role-name",
        "gitlab-acme-web",
    ])
    .assert_code(0);
    let shims = tempfile::tempdir().expect("shims");
    let slept = shims.path().join("slept");
    let sleep = shims.path().join("sleep");
    std::fs::write(
        &sleep,
        format!("#!/bin/sh\necho \"$1\" >> '{}'\n", slept.display()),
    )
    .expect("sleep shim");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&sleep, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    const TRANSIENT: &str = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";
    for style in ["token-file", "assume-role"] {
        let job = job(style);
        for (code, times, passes, tries, sleeps) in [
            ("InvalidIdentityToken", 2, true, 3, "5\n10\n"),
            ("InvalidIdentityToken", 3, false, 3, "5\n10\n"),
            ("AccessDenied", 1, false, 1, ""),
        ] {
            emu.reset_calls();
            let _ = std::fs::remove_file(&slept);
            let message = if code == "AccessDenied" {
                "Not authorized to perform sts:AssumeRoleWithWebIdentity"
            } else {
                TRANSIENT
            };
            emu.fail_times("AssumeRoleWithWebIdentity", code, 400, message, times);
            let (ok, text, _) = run_with_real_cli(&emu, &job, "sh", Some(shims.path()));
            emu.clear_faults();
            assert_eq!(ok, passes, "{style}, {code} x{times}:\n{text}");
            let calls = emu
                .calls()
                .iter()
                .filter(|c| c.ends_with(".AssumeRoleWithWebIdentity"))
                .count();
            assert_eq!(calls, tries, "{style}, {code} x{times}:\n{text}");
            assert_eq!(
                std::fs::read_to_string(&slept).unwrap_or_default(),
                sleeps,
                "{style}, {code} x{times}"
            );
            if !passes {
                // The assume-role step itself fails (the line after the token file's, or the
                // first), with STS's own words.
                let step = if style == "token-file" { 1 } else { 0 };
                assert!(
                    text.contains(&format!("LINE {step} FAILED")) && text.contains(code),
                    "{style}, {code} x{times}:\n{text}"
                );
            }
        }
    }
}

fn ci_job_text(args: &[&str]) -> String {
    let out = Command::new(BIN)
        .arg("ci-job")
        .args(args)
        .output()
        .expect("ci-job");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The audit job (each source), the secrets-manager job and the audit component (its `spec:`
/// header and its job, each a document) pass GitLab's CI schema.
#[test]
fn the_audit_and_secrets_jobs_and_the_component_pass_gitlabs_schema() {
    let dir = tempfile::tempdir().expect("dir");
    let component = ci_job_text(&["--style", "audit", "--component"]);
    let (header, body) = component.split_once("\n---\n").expect("two documents");
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/component/templates/aws-oidc-audit.yml"),
    )
    .expect("shipped component");
    assert_eq!(shipped, component);
    let jobs = [
        (
            "audit-plan.yml",
            ci_job_text(&["--style", "audit", "--terraform-plan", "infra/plan.json"]),
        ),
        (
            "audit-trust.yml",
            ci_job_text(&[
                "--style",
                "audit",
                "--trust-file",
                "trust policy.json",
                "--fail-on",
                "high",
            ]),
        ),
        (
            "audit-cfn.yml",
            ci_job_text(&["--style", "audit", "--cloudformation", "cfn/t.yaml"]),
        ),
        ("audit-account.yml", ci_job_text(&["--style", "audit"])),
        (
            "secrets.yml",
            ci_job_text(&[
                "--style",
                "secrets-manager",
                "--secret",
                "DB=arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf#password",
                "--secret",
                "KEY=ci/key",
                "--ref",
                "main",
                "--ref-protected",
            ]),
        ),
        ("component-header.yml", format!("{header}\n")),
        ("component-job.yml", body.to_string()),
    ];
    for (name, text) in jobs {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        assert_valid_pipeline(&path);
    }
    // What a style does not take, or lacks, is bad input: exit 2, one line, nothing printed.
    for bad in [
        &["--secret", "DB=db"][..],
        &["--style", "secrets-manager"],
        &["--style", "secrets-manager", "--secret", "DB=db#"],
        &["--component"],
        &["--style", "token-file", "--terraform-plan", "plan.json"],
        &["--style", "audit", "--terraform-plan", "/etc/plan.json"],
        &["--style", "audit", "--trust-file", "$HOME/trust.json"],
        &["--style", "audit", "--component", "--trust-file", "t.json"],
        &["--ref", "main", "--ref", "it's"],
        &[
            "--style",
            "secrets-manager",
            "--secret",
            "DB=a",
            "--secret",
            "DB=b",
        ],
        &["--style", "secrets-manager", "--secret", "AWS_ROLE_ARN=a"],
        &["--ci-variable", "GITLAB_OIDC_TOKEN"],
        &["--ci-variable", "CI_JOB_TOKEN"],
        &["--audience", "$AUD"],
    ] {
        let out = Command::new(BIN)
            .arg("ci-job")
            .args(bad)
            .output()
            .expect("ci-job");
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(out.stdout.is_empty(), "{bad:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr).lines().count(),
            1,
            "{bad:?}"
        );
    }
}

/// A plan (`terraform show -json`) with one role: open to any project when `open`.
fn plan_json(open: bool) -> String {
    let sub = if open {
        String::new()
    } else {
        r#","gitlab.com:sub":"project_path:acme/web:ref_type:branch:ref:main","gitlab.com:namespace_id":"42""#.to_string()
    };
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"arn:aws:iam::123456789012:oidc-provider/gitlab.com"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringEquals":{{"gitlab.com:aud":"https://gitlab.com"{sub}}}}}}}]}}"#
    );
    serde_json::json!({
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [
            {"address": "aws_iam_role.gitlab", "mode": "managed", "type": "aws_iam_role",
             "values": {"name": "gitlab-acme-web", "path": "/", "max_session_duration": 3600,
                        "assume_role_policy": trust}}
        ]}}
    })
    .to_string()
}

/// The audit job run as a runner runs it under `sh`, with the tool on PATH: an open trust in the
/// plan fails the audit step and still leaves a valid Code Quality report for the widget; a
/// closed one passes. The account source reads the emulator's account through the job's token
/// (the web-identity token file, as the job writes it).
#[test]
fn the_audit_job_gates_a_plan_and_an_account_and_leaves_its_report() {
    let emu = emulator_with_the_role();
    let bin_dir = Path::new(BIN).parent().expect("bin dir").to_path_buf();
    let audit_role = [(
        "AWS_OIDC_AUDIT_ROLE_ARN",
        "arn:aws:iam::123456789012:role/gitlab-acme-web",
    )];
    let run_audit = |job: &yaml_rust2::Yaml, dir: &Path| -> (bool, String, String) {
        run_job(
            &emu,
            &job["aws-oidc-audit"],
            "sh",
            Some(&bin_dir),
            dir,
            &audit_role,
        )
    };
    let report = |dir: &Path| -> serde_json::Value {
        let path = dir.join("gl-code-quality-report.json");
        common::assert_valid("codequality-report.json", &path);
        serde_json::from_str(&std::fs::read_to_string(&path).expect("report")).expect("json")
    };
    let job = yaml_rust2::YamlLoader::load_from_str(&ci_job_text(&[
        "--style",
        "audit",
        "--terraform-plan",
        "infra/plan.json",
    ]))
    .expect("yaml")
    .remove(0);
    for (open, passes) in [(true, false), (false, true)] {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::create_dir(dir.path().join("infra")).expect("infra");
        std::fs::write(dir.path().join("infra/plan.json"), plan_json(open)).expect("plan");
        emu.reset_calls();
        let (ok, text, _) = run_audit(&job, dir.path());
        assert_eq!(ok, passes, "open={open}:\n{text}");
        if !passes {
            assert!(
                text.contains("LINE 0 FAILED"),
                "the audit step fails:\n{text}"
            );
        }
        let entries = report(dir.path());
        let codes: Vec<&str> = entries
            .as_array()
            .expect("array")
            .iter()
            .filter_map(|e| e["check_name"].as_str())
            .collect();
        assert_eq!(codes.contains(&"aws-oidc-wizard/no-sub"), open, "{entries}");
        assert!(emu.calls().is_empty(), "a plan is audited without AWS");
    }
    let account = yaml_rust2::YamlLoader::load_from_str(&ci_job_text(&["--style", "audit"]))
        .expect("yaml")
        .remove(0);
    let dir = tempfile::tempdir().expect("dir");
    emu.reset_calls();
    let (ok, text, job_id) = run_audit(&account, dir.path());
    assert!(ok, "{text}");
    let calls = emu.calls();
    assert!(
        calls
            .iter()
            .any(|c| c == "unsigned.AssumeRoleWithWebIdentity"),
        "the job's token is the credential: {calls:?}"
    );
    assert!(
        calls
            .iter()
            .any(|c| c.ends_with("GetAccountAuthorizationDetails")),
        "{calls:?}"
    );
    let _ = report(dir.path());
    assert!(
        !Path::new(&format!("/tmp/aws-web-identity-token-{job_id}")).exists(),
        "the token file is removed"
    );
}
