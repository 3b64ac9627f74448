//! Every form of profile the AWS CLI accepts works by `--profile` and by `AWS_PROFILE` alike,
//! against the emulator, with nothing from the environment but the config files (and, for
//! `credential_source = Environment`, the keys it names): static keys, assume-role from a
//! `source_profile` and from a `credential_source`, `credential_process`, and web identity. The
//! region comes from the profile. Forms and keys: "Configuration and credential file settings",
//! AWS CLI User Guide.

mod common;

use std::path::Path;

use common::Emulator;

const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/deployer";

/// The config file with every form, each assuming (where it assumes) `deployer`.
fn config(dir: &Path) -> String {
    let process = dir.join("creds.sh");
    std::fs::write(
        &process,
        "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROCESS\", \"SecretAccessKey\": \"process-secret-not-real\"}'\n",
    )
    .expect("process");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&process, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let token = dir.join("token");
    std::fs::write(&token, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.").expect("token");
    format!(
        "[profile keys]\nregion = eu-west-1\naws_access_key_id = AKIDKEYS\naws_secret_access_key = keys-secret-not-real\n\n\
         [profile assume]\nregion = eu-central-1\nrole_arn = {ROLE_ARN}\nsource_profile = keys\n\n\
         [profile from-env]\nregion = eu-north-1\nrole_arn = {ROLE_ARN}\ncredential_source = Environment\n\n\
         [profile process]\nregion = ap-south-1\ncredential_process = {}\n\n\
         [profile web]\nregion = us-west-2\nrole_arn = {ROLE_ARN}\nweb_identity_token_file = {}\n",
        process.display(),
        token.display()
    )
}

/// `check --role-name deployer` (one STS and one IAM call) with the profile chosen `how`.
fn run(emu: &Emulator, dir: &Path, profile: &str, by_flag: bool, env_keys: bool) -> common::Run {
    let mut cmd = emu.command();
    cmd.env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_REGION")
        .env("AWS_CONFIG_FILE", dir.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"));
    if env_keys {
        cmd.env("AWS_ACCESS_KEY_ID", "AKIDENVIRONMENT")
            .env("AWS_SECRET_ACCESS_KEY", "env-secret-not-real");
    }
    if by_flag {
        cmd.args(["--profile", profile]);
    } else {
        cmd.env("AWS_PROFILE", profile);
    }
    cmd.args(["plan", "--project", "acme/web", "--role-name", "r"]);
    common::Run::from(cmd.output().expect("run"))
}

#[test]
fn every_profile_form_works_by_flag_and_by_environment() {
    let emu = Emulator::start();
    // The role the profiles assume: AWS (and the harness) refuse AssumeRole into one that is
    // not there.
    common::block_on(
        emu.iam()
            .create_role()
            .role_name("deployer")
            .assume_role_policy_document(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#,
            )
            .send(),
    )
    .expect("create the role to assume");
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("config"), config(dir.path())).expect("config");
    std::fs::write(dir.path().join("credentials"), "").expect("credentials");
    for (profile, region, assumes, env_keys) in [
        ("keys", "eu-west-1", None, false),
        ("assume", "eu-central-1", Some("sts.AssumeRole"), false),
        ("from-env", "eu-north-1", Some("sts.AssumeRole"), true),
        ("process", "ap-south-1", None, false),
        // Unsigned: the token is the credential (the harness names unsigned requests so).
        (
            "web",
            "us-west-2",
            Some("unsigned.AssumeRoleWithWebIdentity"),
            false,
        ),
    ] {
        for by_flag in [true, false] {
            // With keys in the environment, AWS_PROFILE yields to them (the AWS CLI's order:
            // "Configuration and credential precedence"), so `credential_source = Environment`
            // is a `--profile` form.
            if env_keys && !by_flag {
                continue;
            }
            emu.reset_calls();
            let run = run(&emu, dir.path(), profile, by_flag, env_keys);
            let how = if by_flag { "--profile" } else { "AWS_PROFILE" };
            assert_eq!(run.code, 0, "{profile} by {how}: {}", run.stderr);
            assert!(
                run.stderr
                    .contains(&format!("profile {profile}, region {region}")),
                "{profile} by {how}: the profile's region: {}",
                run.stderr
            );
            let calls = emu.calls();
            if let Some(assume) = assumes {
                assert_eq!(
                    calls.first().map(String::as_str),
                    Some(assume),
                    "{profile}: {calls:?}"
                );
                let said = format!("{}{}", run.stdout, run.stderr);
                assert!(
                    said.contains("assumed-role/deployer"),
                    "{profile} by {how} acts as the role: {said}"
                );
            }
            assert!(
                calls.contains(&"sts.GetCallerIdentity".to_string()),
                "{calls:?}"
            );
            for secret in [
                "keys-secret-not-real",
                "process-secret-not-real",
                "env-secret-not-real",
            ] {
                assert!(!run.stderr.contains(secret) && !run.stdout.contains(secret));
            }
        }
    }
}

/// A profile whose credentials cannot be had says why (the provider's own words), not a guess.
#[test]
fn a_profile_that_fails_names_the_real_cause() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("config"),
        "[profile broken]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123456789012:role/deployer\nsource_profile = missing\n",
    )
    .expect("config");
    std::fs::write(dir.path().join("credentials"), "").expect("credentials");
    let run = run(&emu, dir.path(), "broken", true, false);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let last = run.stderr.lines().last().unwrap_or_default();
    assert!(
        last.contains("missing"),
        "names the missing source profile: {last}"
    );
    assert!(!last.contains("logged in"), "{last}");
    assert!(emu.mutating_calls().is_empty());
}

/// A local stand-in for the IAM Identity Center portal (`GetRoleCredentials`, which the emulator
/// does not have): it answers every request with role credentials and records what it was sent.
struct SsoPortal {
    url: String,
    requests: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl SsoPortal {
    fn start() -> SsoPortal {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = requests.clone();
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                let mut head = String::new();
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    head.push_str(&line);
                }
                seen.lock().expect("seen").push(head);
                let body = serde_json::json!({"roleCredentials": {
                    "accessKeyId": "AKIDSSOTEST", "secretAccessKey": "sso-secret-not-real",
                    "sessionToken": "sso-session-not-real", "expiration": 4_102_444_800_000u64}})
                .to_string();
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        SsoPortal { url, requests }
    }
}

/// An SSO profile (an `sso-session` with a cached token from `aws sso login`): the credentials
/// come from the portal with that token, for the profile's account and role, and the region is
/// the profile's.
#[test]
fn an_sso_profile_works_by_flag_and_by_environment() {
    let emu = Emulator::start();
    let portal = SsoPortal::start();
    let home = tempfile::tempdir().expect("home");
    let config = home.path().join("config");
    std::fs::write(
        &config,
        "[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Deployer\nregion = ca-central-1\n\n\
         [sso-session corp]\nsso_region = us-east-1\nsso_start_url = https://corp.awsapps.com/start\nsso_registration_scopes = sso:account:access\n",
    )
    .expect("config");
    // The token cache `aws sso login` writes: named by the SHA-1 of the session's name.
    let cache = home.path().join(".aws/sso/cache");
    std::fs::create_dir_all(&cache).expect("cache");
    let name = {
        use sha1::Digest;
        let digest = sha1::Sha1::digest(b"corp");
        digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    std::fs::write(
        cache.join(format!("{name}.json")),
        serde_json::json!({"accessToken": "sso-access-token-not-real",
            "expiresAt": "2099-01-01T00:00:00Z", "region": "us-east-1",
            "startUrl": "https://corp.awsapps.com/start"})
        .to_string(),
    )
    .expect("token");
    for by_flag in [true, false] {
        emu.reset_calls();
        let mut cmd = emu.command();
        cmd.env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_REGION")
            .env("HOME", home.path())
            .env("AWS_CONFIG_FILE", &config)
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                home.path().join("credentials"),
            )
            .env("AWS_ENDPOINT_URL_SSO", &portal.url);
        if by_flag {
            cmd.args(["--profile", "sso"]);
        } else {
            cmd.env("AWS_PROFILE", "sso");
        }
        cmd.args(["plan", "--project", "acme/web", "--role-name", "r"]);
        let run = common::Run::from(cmd.output().expect("run"));
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stderr.contains("profile sso, region ca-central-1"),
            "{}",
            run.stderr
        );
        assert_eq!(
            emu.calls().first().map(String::as_str),
            Some("sts.GetCallerIdentity")
        );
        let asked = portal
            .requests
            .lock()
            .expect("requests")
            .pop()
            .expect("the portal was asked");
        assert!(
            asked.starts_with("GET /federation/credentials?")
                && asked.contains("account_id=123456789012")
                && asked.contains("role_name=Deployer"),
            "{asked}"
        );
        assert!(
            asked
                .to_lowercase()
                .contains("x-amz-sso_bearer_token: sso-access-token-not-real"),
            "{asked}"
        );
        for secret in ["sso-secret-not-real", "sso-access-token-not-real"] {
            assert!(!run.stderr.contains(secret) && !run.stdout.contains(secret));
        }
    }
}
