//! `export` checked by its real consumers: the Terraform module by `terraform` (with the
//! `hashicorp/aws` provider from the machine's local mirror) applied to the emulator, after which
//! the tool's own `plan` finds the setup converged; the CloudFormation template by `cfn-lint` (the
//! one pinned in the emulator venv) on every variant, and its role deployed through the
//! emulator's CloudFormation. A missing `terraform` or mirror fails the test, saying what to
//! install.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Emulator, block_on, trust_policy};

const FLAGS: [&str; 8] = [
    "--project",
    "acme/web",
    "--role-name",
    "gitlab-acme-web",
    "--policy",
    "ReadOnlyAccess",
    "--policy",
    "ViewOnlyAccess",
];

fn export(emu: &Emulator, format: &str, flags: &[&str]) -> String {
    let mut args = vec!["export", "--format", format];
    args.extend_from_slice(flags);
    let run = emu.run(&args);
    run.assert_code(0);
    assert!(
        emu.calls().is_empty(),
        "export makes no AWS call: {:?}",
        emu.calls()
    );
    run.stdout
}

/// The local filesystem mirror of the `hashicorp/aws` provider: `AOW_TF_PLUGIN_MIRROR`, or the
/// machine image's `/opt/tf-plugins`.
fn mirror() -> PathBuf {
    let path = std::env::var_os("AOW_TF_PLUGIN_MIRROR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/opt/tf-plugins"));
    assert!(
        path.join("registry.terraform.io/hashicorp/aws").is_dir(),
        "no filesystem mirror of the hashicorp/aws provider at {}: install terraform and mirror the provider there \
         (`terraform providers mirror {}` in a module that requires hashicorp/aws 5.100.0), or set AOW_TF_PLUGIN_MIRROR",
        path.display(),
        path.display()
    );
    path
}

/// Run terraform in `dir` with the mirror-only CLI config: its exit code and output.
fn terraform_run(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new("terraform")
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", dir.join("cli.tfrc"))
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run terraform ({e}): install Terraform ≥ 1.5 (https://developer.hashicorp.com/terraform/install)")
        });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

fn terraform(dir: &Path, args: &[&str]) -> String {
    let (code, text) = terraform_run(dir, args);
    assert_eq!(code, Some(0), "terraform {args:?} failed:\n{text}");
    text
}

/// A directory holding `module`, a CLI config that takes `hashicorp/aws` from the local mirror
/// only, and the test's own provider block pointing at the emulator (the module has none).
fn module_dir(emu: &Emulator, module: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("main.tf"), module).expect("main.tf");
    std::fs::write(
        dir.path().join("cli.tfrc"),
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"registry.terraform.io/hashicorp/aws\"]\n  }}\n  direct {{\n    exclude = [\"registry.terraform.io/hashicorp/aws\"]\n  }}\n}}\n",
            mirror().display()
        ),
    )
    .expect("cli config");
    std::fs::write(
        dir.path().join("emulator.tf"),
        format!(
            "provider \"aws\" {{\n  region                      = \"us-east-1\"\n  access_key                  = \"test\"\n  secret_key                  = \"test\"\n  skip_credentials_validation = true\n  skip_metadata_api_check     = true\n  endpoints {{\n    iam = \"{0}\"\n    sts = \"{0}\"\n  }}\n}}\n",
            emu.endpoint
        ),
    )
    .expect("provider block");
    dir
}

/// `export --format terraform` → `terraform apply` on the emulator → the tool's `plan` with the
/// same flags is converged (nothing to add, change or attach).
#[test]
fn the_terraform_module_applies_and_the_tool_finds_the_setup_converged() {
    let emu = Emulator::start();
    let module = export(&emu, "terraform", &FLAGS);
    let dir = module_dir(&emu, &module);
    terraform(dir.path(), &["init", "-input=false", "-no-color"]);
    terraform(dir.path(), &["validate", "-no-color"]);
    // Audited from the plan, before anything exists: the whole trust is known then.
    terraform(
        dir.path(),
        &["plan", "-out=plan.tfplan", "-input=false", "-no-color"],
    );
    let shown = terraform(dir.path(), &["show", "-json", "-no-color", "plan.tfplan"]);
    let plan_json = dir.path().join("plan.json");
    std::fs::write(&plan_json, shown.trim_start()).expect("plan json");
    let before = emu.run(&[
        "check",
        "--terraform-plan",
        plan_json.to_str().expect("path"),
        "--output",
        "json",
    ]);
    let applied = terraform(
        dir.path(),
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    );
    assert!(
        applied.contains("Resources: 4 added, 0 changed, 0 destroyed"),
        "{applied}"
    );
    assert!(
        applied.contains("role_arn = \"arn:aws:iam::123456789012:role/gitlab-acme-web\""),
        "{applied}"
    );

    let mut args = vec!["plan", "--output", "json"];
    args.extend_from_slice(&FLAGS);
    let plan = emu.run(&args);
    plan.assert_code(0);
    let plan = plan.json();
    assert_eq!(plan["converged"], true, "{plan:#}");
    assert_eq!(plan["provider"]["action"], "unchanged", "tagged as ours");
    assert_eq!(plan["role"]["action"]["kind"], "unchanged", "{plan:#}");

    // The tool's own module passes its own audit before apply, with what the role has after.
    assert_same_audit(&emu, &before, "aws_iam_role.gitlab");
}

/// The audit of a file before apply (`before`) and of the role it made, read now: the same role,
/// exit code and finding codes, none of them `trust-unknown`.
fn assert_same_audit(emu: &Emulator, before: &common::Run, resource: &str) {
    let after = &emu.run(&[
        "check",
        "--role-name",
        "gitlab-acme-web",
        "--offline",
        "--output",
        "json",
    ]);
    let codes = |run: &common::Run| -> Vec<String> {
        let reports = run.json();
        let reports = reports.as_array().expect("reports");
        assert_eq!(reports.len(), 1, "{reports:?}");
        assert_eq!(reports[0]["role"], "gitlab-acme-web");
        reports[0]["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| f["code"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(
        before.code, after.code,
        "{}{}",
        before.stdout, before.stderr
    );
    let found = codes(before);
    assert!(!found.contains(&"trust-unknown".to_string()), "{found:?}");
    assert_eq!(found, codes(after), "{}", before.stdout);
    assert_eq!(before.json()[0]["source"]["resource"], resource);
}

fn cfn_lint(template: &str) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("template.yaml");
    std::fs::write(&path, template).expect("template");
    common::cfn_lint(&[path]);
}

/// Every variant of the template passes cfn-lint with nothing reported.
#[test]
fn every_template_variant_passes_cfn_lint() {
    let emu = Emulator::start();
    let variants: [&[&str]; 4] = [
        &FLAGS,
        &[
            "--project",
            "acme/web",
            "--project",
            "acme/api",
            "--ref",
            "release/*",
            "--ref-type",
            "tag",
            "--role-name",
            "r",
        ],
        &[
            "--project",
            "acme/web",
            "--ref-protected",
            "--project-id",
            "4242",
            "--role-name",
            "r",
            "--role-path",
            "/ci/",
            "--description",
            "CI role: \"deploy\" ${not a variable}",
            "--max-session-duration",
            "7200",
            "--permissions-boundary",
            "arn:aws:iam::123456789012:policy/boundary",
            "--policy",
            "arn:aws:iam::123456789012:policy/ci-deploy",
        ],
        &[
            "--provider-url",
            "https://gitlab.example.com",
            "--skip-preflight",
            "--thumbprint",
            "0123456789abcdef0123456789abcdef01234567",
            "--project",
            "acme/web",
            "--role-name",
            "r",
        ],
    ];
    for flags in variants {
        cfn_lint(&export(&emu, "cloudformation", flags));
    }
}

/// The template's role, deployed by the emulator's CloudFormation with `CreateProvider=false` (the
/// account has the provider), is the role the engine makes: the same trust policy, path,
/// description, session length and tag. The emulator's CloudFormation does not attach
/// `ManagedPolicyArns`, so those are checked to name policies that exist.
#[test]
fn the_templates_role_deployed_is_the_engines() {
    let emu = Emulator::start();
    let template = export(&emu, "cloudformation", &FLAGS);
    // The engine's role, for comparison, under another name.
    let mut engine = vec!["apply", "--yes"];
    let mut flags = FLAGS.to_vec();
    flags[3] = "made-by-the-engine";
    engine.extend_from_slice(&flags);
    emu.run(&engine).assert_code(0);

    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("template.yaml");
    std::fs::write(&path, &template).expect("template");
    let python = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/emulator-venv/bin/python");
    let out = Command::new(&python)
        .arg("-c")
        .arg(
            "import boto3, sys\n\
             cf = boto3.client('cloudformation', endpoint_url=sys.argv[1], region_name='us-east-1',\n\
                 aws_access_key_id='test', aws_secret_access_key='test')\n\
             cf.create_stack(StackName='gitlab-oidc', TemplateBody=open(sys.argv[2]).read(),\n\
                 Parameters=[{'ParameterKey': 'CreateProvider', 'ParameterValue': 'false'}],\n\
                 Capabilities=['CAPABILITY_NAMED_IAM'])\n\
             s = cf.describe_stacks(StackName='gitlab-oidc')['Stacks'][0]\n\
             print(s['StackStatus'])\n\
             print(s['Outputs'][0]['OutputValue'])\n",
        )
        .arg(&emu.endpoint)
        .arg(&path)
        .output()
        .expect("run boto3 from the emulator venv");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && said.starts_with("CREATE_COMPLETE"),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("arn:aws:iam::123456789012:role/gitlab-acme-web"),
        "RoleArn output: {said}"
    );
    let before = emu.run(&[
        "check",
        "--cloudformation",
        path.to_str().expect("path"),
        "--output",
        "json",
    ]);
    assert_same_audit(&emu, &before, "GitLabRole");
    let iam = emu.iam();
    let exported = trust_policy(&iam, "gitlab-acme-web");
    let made = trust_policy(&iam, "made-by-the-engine");
    assert_eq!(exported, made);
    let get = |name: &str| {
        block_on(iam.get_role().role_name(name).send())
            .expect("role")
            .role
            .expect("role")
    };
    let (a, b) = (get("gitlab-acme-web"), get("made-by-the-engine"));
    assert_eq!(a.path, b.path);
    assert_eq!(a.max_session_duration, b.max_session_duration);
    assert_eq!(
        a.description.as_deref(),
        Some("GitLab CI/CD (OIDC) role for acme/web")
    );
    assert_eq!(a.description, b.description);
    let tags = |r: &aws_sdk_iam::types::Role| -> Vec<(String, String)> {
        r.tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect()
    };
    assert_eq!(tags(&a), tags(&b));
    // The policies the template names exist under those ARNs.
    for line in template.lines().filter(|l| l.contains("iam::aws:policy/")) {
        let arn = line
            .split('"')
            .nth(1)
            .expect("quoted ARN")
            .replace("${AWS::Partition}", "aws");
        block_on(iam.get_policy().policy_arn(&arn).send())
            .unwrap_or_else(|e| panic!("{arn} does not exist: {e:?}"));
    }
}

/// Bad input is refused as `apply` refuses it (exit 2, the same words), an unknown format lists
/// the formats, and `--output json` wraps the text.
#[test]
fn bad_input_is_refused_as_apply_refuses_it() {
    let emu = Emulator::start();
    for bad in [
        &["--project", "*/*", "--role-name", "r"][..],
        &["--project", "acme/web", "--role-name", "no spaces"],
        &["--project", "acme/web"],
    ] {
        let mut export = vec!["export", "--format", "terraform"];
        export.extend_from_slice(bad);
        let mut apply = vec!["apply"];
        apply.extend_from_slice(bad);
        let (e, a) = (emu.run(&export), emu.run(&apply));
        e.assert_code(2);
        a.assert_code(2);
        assert_eq!(e.stderr, a.stderr);
        assert!(e.stdout.is_empty());
    }
    assert!(emu.calls().is_empty());
    // Apply's warnings, on stderr (a ref pattern, an admin-level policy).
    let warned = emu.run(&[
        "export",
        "--format",
        "terraform",
        "--project",
        "acme/web",
        "--ref",
        "release/*",
        "--role-name",
        "r",
        "--policy",
        "AdministratorAccess",
    ]);
    warned.assert_code(0);
    let plan = emu.run(&[
        "plan",
        "--project",
        "acme/web",
        "--ref",
        "release/*",
        "--role-name",
        "r",
        "--policy",
        "AdministratorAccess",
    ]);
    for needle in [
        "ref pattern 'release/*'",
        "AdministratorAccess is admin-level",
    ] {
        assert!(
            warned.stderr.contains(needle),
            "{needle}: {}",
            warned.stderr
        );
        assert!(plan.stdout.contains(needle), "{needle}: {}", plan.stdout);
    }
    assert!(
        !warned.stdout.contains("warning"),
        "stdout is the module only"
    );
    let unknown = emu.run(&[
        "export",
        "--format",
        "pulumi",
        "--project",
        "a/b",
        "--role-name",
        "r",
    ]);
    unknown.assert_code(2);
    assert!(
        unknown
            .stderr
            .contains("[possible values: terraform, cloudformation]"),
        "{}",
        unknown.stderr
    );
    let json = emu.run(&[
        "export",
        "--format",
        "cloudformation",
        "--output",
        "json",
        "--project",
        "a/b",
        "--role-name",
        "r",
    ]);
    json.assert_code(0);
    let v = json.json();
    assert_eq!(v["format"], "cloudformation");
    assert!(
        v["content"]
            .as_str()
            .unwrap_or_default()
            .starts_with("AWSTemplateFormatVersion")
    );
}

/// The tool's `apply` → `export --from-role` → `terraform plan` only imports (nothing to add,
/// change or destroy) → `terraform apply` changes nothing in AWS → the next plan is empty
/// (`-detailed-exitcode` 0).
#[test]
fn a_live_setup_exported_from_its_role_is_adopted_by_terraform_without_a_change() {
    let emu = Emulator::start();
    let mut apply = vec!["apply"];
    apply.extend_from_slice(&FLAGS);
    emu.run(&apply).assert_code(0);
    emu.reset_calls();
    let run = emu.run(&[
        "export",
        "--format",
        "terraform",
        "--from-role",
        "gitlab-acme-web",
    ]);
    run.assert_code(0);
    assert!(emu.mutating_calls().is_empty());
    let module = run.stdout;
    assert_eq!(module.matches("import {").count(), 4, "{module}");
    let dir = module_dir(&emu, &module);
    terraform(dir.path(), &["init", "-input=false", "-no-color"]);
    let plan = terraform(dir.path(), &["plan", "-input=false", "-no-color"]);
    assert!(
        plan.contains("Plan: 4 to import, 0 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
    emu.reset_calls();
    terraform(
        dir.path(),
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    );
    assert!(
        emu.mutating_calls().is_empty(),
        "terraform apply changed AWS: {:?}",
        emu.mutating_calls()
    );
    let (code, text) = terraform_run(
        dir.path(),
        &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
    );
    assert_eq!(code, Some(0), "{text}");
    // Not for CloudFormation, and not with setup flags; a role with no provider is said so.
    let cfn = emu.run(&[
        "export",
        "--format",
        "cloudformation",
        "--from-role",
        "gitlab-acme-web",
    ]);
    cfn.assert_code(2);
    let both = emu.run(&[
        "export",
        "--format",
        "terraform",
        "--from-role",
        "gitlab-acme-web",
        "--project",
        "a/b",
    ]);
    both.assert_code(2);
    assert!(
        both.stderr.contains("give no setup flags"),
        "{}",
        both.stderr
    );
    let missing = emu.run(&["export", "--format", "terraform", "--from-role", "nobody"]);
    assert_ne!(missing.code, 0);
    assert!(missing.stdout.is_empty());
}
