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
