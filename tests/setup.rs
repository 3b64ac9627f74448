//! The scripted setup against the AWS emulator: the real binary, the real SDK, counted calls.

mod common;

use common::{
    ACCOUNT, Emulator, attached_policies, block_on, providers, role_exists, trust_policy,
};
use serde_json::json;

const ROLE: &str = "gitlab-acme-web";
const PROVIDER_ARN: &str = "arn:aws:iam::123456789012:oidc-provider/gitlab.com";
const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/gitlab-acme-web";

/// `apply` for acme/web on main with two policies, plus `extra` flags.
fn apply_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "apply",
        "--project",
        "acme/web",
        "--role-name",
        ROLE,
        "--policy",
        "ReadOnlyAccess",
        "--policy",
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    ];
    args.extend_from_slice(extra);
    args
}

fn expected_trust() -> serde_json::Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": PROVIDER_ARN},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {
                "gitlab.com:aud": "https://gitlab.com",
                "gitlab.com:sub": "project_path:acme/web:ref_type:branch:ref:main"
            }}
        }]
    })
}

#[test]
fn fresh_account_gets_provider_role_and_policies_and_stdout_is_the_arn() {
    let emu = Emulator::start();
    let run = emu.run(&apply_args(&[]));
    run.assert_code(0);
    assert_eq!(
        run.stdout,
        format!("{ROLE_ARN}\n"),
        "stdout must be exactly the ARN"
    );
    let calls = emu.calls(); // before the checks below add their own

    let iam = emu.iam();
    assert_eq!(providers(&iam), vec![PROVIDER_ARN.to_string()]);
    let provider = block_on(
        iam.get_open_id_connect_provider()
            .open_id_connect_provider_arn(PROVIDER_ARN)
            .send(),
    )
    .expect("provider");
    assert_eq!(provider.client_id_list(), ["https://gitlab.com"]);
    assert!(
        provider
            .tags()
            .iter()
            .any(|t| t.key() == "managed-by" && t.value() == "aws-oidc-wizard")
    );
    // Exactly as designed, compared as JSON values (IAM returns it URL-encoded).
    assert_eq!(trust_policy(&iam, ROLE), expected_trust());
    assert_eq!(
        attached_policies(&iam, ROLE),
        vec![
            "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess".to_string(),
            "arn:aws:iam::aws:policy/ReadOnlyAccess".to_string()
        ]
    );
    let role = block_on(iam.get_role().role_name(ROLE).send()).expect("role");
    let role = role.role().expect("role");
    assert_eq!(role.max_session_duration(), Some(3600));
    assert!(role.tags().iter().any(|t| t.key() == "managed-by"));

    // The fewest calls: 5 + 2n for n = 2 policies, in 5 round trips: who the caller is; the
    // provider, the role and the policies read side by side (in any order); the provider; the
    // role; both attaches side by side.
    assert_eq!(calls.len(), 9, "{calls:?}");
    let mut reads = calls[1..5].to_vec();
    reads.sort();
    assert_eq!(calls[0], "sts.GetCallerIdentity");
    assert_eq!(
        reads,
        [
            "iam.GetOpenIDConnectProvider",
            "iam.GetPolicy",
            "iam.GetPolicy",
            "iam.GetRole"
        ]
    );
    assert_eq!(
        calls[5..],
        [
            "iam.CreateOpenIDConnectProvider",
            "iam.CreateRole",
            "iam.AttachRolePolicy",
            "iam.AttachRolePolicy",
        ]
    );
    assert!(calls.len() <= 5 + 2 * 2);
    assert!(
        run.stderr
            .contains("9 AWS calls, 4 of them changing something"),
        "{}",
        run.stderr
    );
}

#[test]
fn json_output_reports_created_then_a_second_run_changes_nothing() {
    let emu = Emulator::start();
    let first = emu.run(&apply_args(&["--output", "json"]));
    first.assert_code(0);
    let v = first.json();
    assert_eq!(v["account"], ACCOUNT);
    assert_eq!(v["provider_arn"], PROVIDER_ARN);
    assert_eq!(v["role_arn"], ROLE_ARN);
    let actions: Vec<(&str, &str)> = v["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| {
            (
                r["resource"].as_str().unwrap_or(""),
                r["action"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        actions,
        vec![
            ("oidc-provider", "created"),
            ("role", "created"),
            ("policy", "attached"),
            ("policy", "attached")
        ]
    );
    assert_eq!(v["aws_calls"]["total"], 9);

    emu.reset_calls();
    let second = emu.run(&apply_args(&["--output", "json"]));
    second.assert_code(0);
    let v = second.json();
    assert!(
        v["resources"]
            .as_array()
            .expect("resources")
            .iter()
            .all(|r| r["action"] == "unchanged"),
        "{v}"
    );
    assert_eq!(v["role_arn"], ROLE_ARN);
    // No mutating call at all, counted by the emulator; 4 + n reads: the caller, then side by
    // side the provider, the role (then its policies) and each wanted policy.
    let mut calls = emu.calls();
    assert!(emu.mutating_calls().is_empty(), "{calls:?}");
    assert_eq!(calls.remove(0), "sts.GetCallerIdentity");
    calls.sort();
    assert_eq!(
        calls,
        vec![
            "iam.GetOpenIDConnectProvider",
            "iam.GetPolicy",
            "iam.GetPolicy",
            "iam.GetRole",
            "iam.ListAttachedRolePolicies"
        ]
    );
    assert_eq!(v["aws_calls"]["mutating"], 0);
    assert_eq!(providers(&emu.iam()).len(), 1);
}

#[test]
fn existing_provider_with_another_audience_is_reused_and_the_audience_added() {
    let emu = Emulator::start();
    let iam = emu.iam();
    block_on(
        iam.create_open_id_connect_provider()
            .url("https://gitlab.com")
            .client_id_list("sts.amazonaws.com")
            .send(),
    )
    .expect("seed provider");
    emu.reset_calls();

    let run = emu.run(&apply_args(&["--output", "json"]));
    run.assert_code(0);
    let v = run.json();
    assert_eq!(v["resources"][0]["resource"], "oidc-provider");
    assert_eq!(v["resources"][0]["action"], "updated");
    assert_eq!(
        providers(&iam),
        vec![PROVIDER_ARN.to_string()],
        "no duplicate provider"
    );
    let provider = block_on(
        iam.get_open_id_connect_provider()
            .open_id_connect_provider_arn(PROVIDER_ARN)
            .send(),
    )
    .expect("provider");
    let mut ids = provider.client_id_list().to_vec();
    ids.sort();
    assert_eq!(ids, vec!["https://gitlab.com", "sts.amazonaws.com"]);
    let calls = emu.calls();
    assert!(calls.contains(&"iam.AddClientIDToOpenIDConnectProvider".to_string()));
    assert!(!calls.contains(&"iam.CreateOpenIDConnectProvider".to_string()));

    // With the audience that is already there: reused (not ours), nothing added.
    emu.reset_calls();
    let again = emu.run(&apply_args(&[
        "--audience",
        "sts.amazonaws.com",
        "--output",
        "json",
    ]));
    // The role's trust changes with the audience, which needs --yes: nothing may change.
    again.assert_code(3);
    // With JSON asked for, the refusal is JSON too: the envelope's error.
    let error = &again.envelope()["error"];
    assert_eq!(error["code"], "ConfirmationRequired", "{error}");
    assert_eq!(error["exit_code"], 3);
    assert!(emu.mutating_calls().is_empty());
}

#[test]
fn role_with_another_trust_policy_needs_yes_and_shows_the_diff() {
    let emu = Emulator::start();
    let iam = emu.iam();
    let old = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated": PROVIDER_ARN}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"gitlab.com:aud": "https://gitlab.com"}}}]});
    block_on(
        iam.create_role()
            .role_name(ROLE)
            .assume_role_policy_document(old.to_string())
            .send(),
    )
    .expect("seed role");
    emu.reset_calls();

    let refused = emu.run(&apply_args(&[]));
    refused.assert_code(3);
    assert!(refused.stdout.is_empty());
    assert!(
        refused.stderr.contains("--- current trust policy"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains(
            "+          \"gitlab.com:sub\": \"project_path:acme/web:ref_type:branch:ref:main\""
        ),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("--yes"));
    assert!(emu.mutating_calls().is_empty(), "{:?}", emu.calls());
    assert_eq!(
        trust_policy(&iam, ROLE),
        old,
        "nothing changed without --yes"
    );
    assert!(providers(&iam).is_empty(), "nothing changed without --yes");

    let applied = emu.run(&apply_args(&["--yes", "--output", "json"]));
    applied.assert_code(0);
    assert_eq!(trust_policy(&iam, ROLE), expected_trust());
    let v = applied.json();
    assert_eq!(v["resources"][1]["action"], "updated");
    // The role was not ours: it is adopted, not tagged behind the user's back.
    let again = emu.run(&apply_args(&["--output", "json"]));
    again.assert_code(0);
    assert_eq!(again.json()["resources"][1]["action"], "reused");
}

#[test]
fn a_missing_policy_fails_before_anything_is_created() {
    let emu = Emulator::start();
    let run = emu.run(&[
        "apply",
        "--project",
        "acme/web",
        "--role-name",
        ROLE,
        "--policy",
        "ReadOnlyAccess",
        "--policy",
        "NoSuchPolicyAnywhere",
    ]);
    run.assert_code(1);
    let last = run.stderr.lines().last().unwrap_or_default();
    assert!(last.contains("NoSuchPolicyAnywhere"), "{}", run.stderr);
    assert!(last.contains("permissions"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert!(emu.mutating_calls().is_empty(), "{:?}", emu.calls());
    let iam = emu.iam();
    assert!(providers(&iam).is_empty());
    assert!(!role_exists(&iam, ROLE));
}

#[test]
fn admin_policies_need_yes() {
    let emu = Emulator::start();
    let args = [
        "apply",
        "--project",
        "acme/web",
        "--role-name",
        ROLE,
        "--policy",
        "AdministratorAccess",
    ];
    let refused = emu.run(&args);
    refused.assert_code(3);
    assert!(
        refused
            .stderr
            .contains("AdministratorAccess is admin-level"),
        "{}",
        refused.stderr
    );
    assert!(
        refused
            .stderr
            .lines()
            .last()
            .unwrap_or_default()
            .contains("confirmation required")
    );
    assert!(emu.mutating_calls().is_empty());

    let mut with_yes = args.to_vec();
    with_yes.push("--yes");
    emu.run(&with_yes).assert_code(0);
    assert_eq!(
        attached_policies(&emu.iam(), ROLE),
        vec!["arn:aws:iam::aws:policy/AdministratorAccess".to_string()]
    );
    // Already attached: a re-run asks nothing.
    emu.run(&args).assert_code(0);
}

/// `--detach-policy` takes off what the setup no longer wants, with a confirmation, once; a policy
/// attached by hand and not named is left alone and said so.
#[test]
fn a_policy_is_detached_with_yes_and_one_not_named_is_left_alone() {
    let emu = Emulator::start();
    emu.run(&apply_args(&[])).assert_code(0);
    let iam = emu.iam();
    block_on(
        iam.attach_role_policy()
            .role_name(ROLE)
            .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
            .send(),
    )
    .expect("attach by hand");
    emu.reset_calls();
    let args = [
        "apply",
        "--project",
        "acme/web",
        "--role-name",
        ROLE,
        "--policy",
        "ReadOnlyAccess",
        "--detach-policy",
        "AmazonS3ReadOnlyAccess",
    ];
    let refused = emu.run(&args);
    refused.assert_code(3);
    assert!(
        refused
            .stderr
            .contains("AmazonS3ReadOnlyAccess will be detached from role gitlab-acme-web"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains(
            "keep     arn:aws:iam::aws:policy/AdministratorAccess  (attached, not in this setup; left alone)"
        ),
        "{}",
        refused.stderr
    );
    assert!(emu.mutating_calls().is_empty());

    let mut with_yes = args.to_vec();
    with_yes.push("--yes");
    let done = emu.run(&with_yes);
    done.assert_code(0);
    assert_eq!(done.stdout, format!("{ROLE_ARN}\n"));
    assert_eq!(emu.mutating_calls(), ["iam.DetachRolePolicy"]);
    let mut now = attached_policies(&iam, ROLE);
    now.sort();
    assert_eq!(
        now,
        [
            "arn:aws:iam::aws:policy/AdministratorAccess",
            "arn:aws:iam::aws:policy/ReadOnlyAccess"
        ]
    );
    // Gone already: the same command changes nothing and asks nothing.
    emu.reset_calls();
    emu.run(&args).assert_code(0);
    assert!(
        emu.mutating_calls().is_empty(),
        "{:?}",
        emu.mutating_calls()
    );
}

#[test]
fn plan_reads_only_and_prints_the_trust_policy() {
    let emu = Emulator::start();
    let mut args = apply_args(&[]);
    args[0] = "plan";
    let run = emu.run(&args);
    run.assert_code(0);
    assert!(run.stdout.contains("Provider  create"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("Role      create   arn:aws:iam::123456789012:role/gitlab-acme-web")
    );
    assert!(
        run.stdout
            .contains("Policy    attach   arn:aws:iam::aws:policy/ReadOnlyAccess")
    );
    assert!(
        run.stdout
            .contains("\"gitlab.com:sub\": \"project_path:acme/web:ref_type:branch:ref:main\"")
    );
    assert!(emu.mutating_calls().is_empty());

    args.extend(["--output", "json"]);
    let v = emu.run(&args).json();
    assert_eq!(v["provider"]["action"], "create");
    assert_eq!(v["role"]["action"]["kind"], "create");
    assert_eq!(v["trust_policy"], expected_trust());
    assert_eq!(v["converged"], false);
}

#[test]
fn patterns_and_several_projects_are_stored_with_string_like() {
    let emu = Emulator::start();
    let run = emu.run(&[
        "apply",
        "--project",
        "acme/web",
        "--project",
        "acme/api",
        "--ref",
        "release/*",
        "--ref-protected",
        "--project-id",
        "4242",
        "--role-name",
        ROLE,
        "--max-session-duration",
        "7200",
        "--description",
        "Deploys acme",
    ]);
    run.assert_code(0);
    assert!(
        run.stderr.contains("ref pattern 'release/*'"),
        "{}",
        run.stderr
    );
    let trust = trust_policy(&emu.iam(), ROLE);
    assert_eq!(
        trust["Statement"][0]["Condition"],
        json!({
            "StringEquals": {
                "gitlab.com:aud": "https://gitlab.com",
                "gitlab.com:project_id": "4242",
                "gitlab.com:ref_protected": "true"
            },
            "StringLike": {"gitlab.com:sub": [
                "project_path:acme/api:ref_type:branch:ref:release/*",
                "project_path:acme/web:ref_type:branch:ref:release/*"
            ]}
        })
    );
    let role = block_on(emu.iam().get_role().role_name(ROLE).send()).expect("role");
    assert_eq!(
        role.role().and_then(|r| r.max_session_duration()),
        Some(7200)
    );
    assert_eq!(
        role.role().and_then(|r| r.description()),
        Some("Deploys acme")
    );
}

#[test]
fn role_settings_are_updated_in_one_call_with_yes() {
    let emu = Emulator::start();
    emu.run(&apply_args(&[])).assert_code(0);
    emu.reset_calls();
    let run = emu.run(&apply_args(&[
        "--max-session-duration",
        "7200",
        "--description",
        "new words",
        "--yes",
    ]));
    run.assert_code(0);
    assert_eq!(emu.mutating_calls(), vec!["iam.UpdateRole"]);
    let role = block_on(emu.iam().get_role().role_name(ROLE).send()).expect("role");
    assert_eq!(
        role.role().and_then(|r| r.max_session_duration()),
        Some(7200)
    );
}

#[test]
fn a_run_cut_short_after_the_provider_is_finished_without_duplicates() {
    let emu = Emulator::start();
    let iam = emu.iam();
    // As if a first run had been killed right after CreateOpenIDConnectProvider.
    block_on(
        iam.create_open_id_connect_provider()
            .url("https://gitlab.com")
            .client_id_list("https://gitlab.com")
            .tags(
                aws_sdk_iam::types::Tag::builder()
                    .key("managed-by")
                    .value("aws-oidc-wizard")
                    .build()
                    .expect("tag"),
            )
            .send(),
    )
    .expect("seed");
    let v = emu
        .run(&apply_args(&["--output", "json"]))
        .assert_code(0)
        .json();
    assert_eq!(v["resources"][0]["action"], "unchanged");
    assert_eq!(v["resources"][1]["action"], "created");
    assert_eq!(providers(&iam).len(), 1);
    assert_eq!(attached_policies(&iam, ROLE).len(), 2);
}

#[test]
fn the_ci_job_is_written_after_apply_and_a_pipeline_is_never_lost() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join(".gitlab-ci.yml");
    let path_s = path.display().to_string();
    emu.run(&apply_args(&[
        "--audience",
        "sts.amazonaws.com",
        "--write-ci-job",
        &path_s,
        "--ci-variable",
        "DEPLOY_ROLE",
    ]))
    .assert_code(0);
    let yaml = std::fs::read_to_string(&path).expect("written");
    let docs = yaml_rust2::YamlLoader::load_from_str(&yaml).expect("valid YAML");
    assert_eq!(
        docs[0]["deploy"]["id_tokens"]["GITLAB_OIDC_TOKEN"]["aud"].as_str(),
        Some("sts.amazonaws.com")
    );
    assert_eq!(
        docs[0]["deploy"]["variables"]["AWS_ROLE_ARN"].as_str(),
        Some("$DEPLOY_ROLE")
    );
    // It runs only where the trust accepts its token: branch main (the default ref).
    assert_eq!(
        docs[0]["deploy"]["rules"][0]["if"].as_str(),
        Some(r#"$CI_COMMIT_BRANCH == "main""#)
    );

    // Something that is no pipeline: refused in words before any AWS call, and left alone.
    std::fs::write(&path, "# mine\n").expect("edit");
    emu.reset_calls();
    let refused = emu.run(&apply_args(&[
        "--audience",
        "sts.amazonaws.com",
        "--write-ci-job",
        &path_s,
        "--yes",
    ]));
    refused.assert_code(2);
    assert!(
        refused.stderr.contains("is not a GitLab CI pipeline"),
        "{}",
        refused.stderr
    );
    assert!(emu.calls().is_empty());
    assert_eq!(std::fs::read_to_string(&path).expect("kept"), "# mine\n");

    // The README's own example on a real pipeline: --yes is for AWS, never for the file. The
    // pipeline keeps every line; the job goes beside it and is included.
    let pipeline = "stages: [test]\n\n# unit tests\ntest:\n  stage: test\n  script: [make test]\n";
    std::fs::write(&path, pipeline).expect("pipeline");
    let run = emu.run(&apply_args(&[
        "--audience",
        "sts.amazonaws.com",
        "--write-ci-job",
        &path_s,
        "--yes",
    ]));
    run.assert_code(0);
    assert!(run.stderr.contains("included from"), "{}", run.stderr);
    let merged = std::fs::read_to_string(&path).expect("pipeline");
    // Every line kept; the job's stage joins the list of stages, the include goes at the end.
    assert_eq!(
        merged,
        pipeline.replace("[test]", "[test, deploy]") + "\ninclude:\n  - local: ci/aws-oidc.yml\n"
    );
    let doc = &yaml_rust2::YamlLoader::load_from_str(&merged).expect("valid YAML")[0];
    assert_eq!(doc["include"][0]["local"].as_str(), Some("ci/aws-oidc.yml"));
    assert_eq!(doc["test"]["stage"].as_str(), Some("test"));
    let job = std::fs::read_to_string(dir.path().join("ci/aws-oidc.yml")).expect("job file");
    let docs = yaml_rust2::YamlLoader::load_from_str(&job).expect("valid YAML");
    assert_eq!(
        docs[0]["deploy"]["id_tokens"]["GITLAB_OIDC_TOKEN"]["aud"].as_str(),
        Some("sts.amazonaws.com")
    );
    // Replacing the file takes its own consent.
    emu.run(&apply_args(&[
        "--audience",
        "sts.amazonaws.com",
        "--write-ci-job",
        &path_s,
        "--overwrite",
    ]))
    .assert_code(0);
    assert!(
        std::fs::read_to_string(&path)
            .expect("job")
            .starts_with("deploy:")
    );

    // The explicit style, printed without AWS.
    emu.reset_calls();
    let printed = emu.run(&[
        "ci-job",
        "--audience",
        "https://gitlab.com",
        "--ci-job-style",
        "assume-role",
    ]);
    printed.assert_code(0);
    let docs = yaml_rust2::YamlLoader::load_from_str(&printed.stdout).expect("valid YAML");
    assert_eq!(
        docs[0]["deploy"]["id_tokens"]["GITLAB_OIDC_TOKEN"]["aud"].as_str(),
        Some("https://gitlab.com")
    );
    assert!(!printed.stdout.contains("apk"));
    assert!(emu.calls().is_empty());

    // As JSON: the job, and where it was written (null when only printed).
    let json = emu.run(&["ci-job", "--output", "json"]);
    json.assert_code(0);
    let v = json.json();
    assert_eq!(v["path"], serde_json::Value::Null);
    assert!(
        v["yaml"]
            .as_str()
            .unwrap_or_default()
            .starts_with("deploy:")
    );
    let dir = tempfile::tempdir().expect("dir");
    let target = dir.path().join("job.yml");
    let target_arg = target.display().to_string();
    let written = emu.run(&["ci-job", "--write-ci-job", &target_arg, "--output", "json"]);
    written.assert_code(0);
    let v = written.json();
    assert_eq!(v["path"], target_arg.as_str());
    assert_eq!(
        std::fs::read_to_string(&target).expect("written"),
        v["yaml"].as_str().unwrap_or_default()
    );
}

#[test]
fn a_self_managed_provider_gets_its_thumbprint() {
    let emu = Emulator::start();
    let thumbprint = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280";
    let run = emu.run(&[
        "apply",
        "--provider-url",
        "https://git.example.com",
        "--project",
        "ops/infra",
        "--role-name",
        "gitlab-ops",
        "--skip-preflight",
        "--thumbprint",
        &thumbprint.to_uppercase(),
    ]);
    run.assert_code(0);
    let provider = block_on(
        emu.iam()
            .get_open_id_connect_provider()
            .open_id_connect_provider_arn("arn:aws:iam::123456789012:oidc-provider/git.example.com")
            .send(),
    )
    .expect("provider");
    assert_eq!(provider.thumbprint_list(), [thumbprint]);
    assert_eq!(provider.client_id_list(), ["https://git.example.com"]);
    let trust = trust_policy(&emu.iam(), "gitlab-ops");
    assert_eq!(
        trust["Statement"][0]["Condition"]["StringEquals"]["git.example.com:sub"],
        "project_path:ops/infra:ref_type:branch:ref:main"
    );

    emu.reset_calls();
    let auto = emu.run(&[
        "apply",
        "--provider-url",
        "https://git.example.com",
        "--project",
        "ops/infra",
        "--role-name",
        "x",
        "--skip-preflight",
        "--thumbprint",
        "auto",
    ]);
    auto.assert_code(2);
    assert!(
        auto.stderr
            .contains("--thumbprint auto needs the pre-flight"),
        "{}",
        auto.stderr
    );
    let bad = emu.run(&[
        "plan",
        "--provider-url",
        "https://git.example.com",
        "--project",
        "ops/infra",
        "--role-name",
        "x",
        "--thumbprint",
        "abc",
    ]);
    bad.assert_code(2);
    assert!(
        bad.stderr.starts_with("error: --thumbprint"),
        "{}",
        bad.stderr
    );
    assert!(emu.calls().is_empty());
}
