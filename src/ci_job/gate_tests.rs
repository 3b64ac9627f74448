use proptest::prelude::*;
use yaml_rust2::YamlLoader;

use super::*;

/// The component shipped in assets/ is the one the code writes.
#[test]
fn the_shipped_component_is_the_generated_one() {
    let shipped = include_str!("../../assets/component/templates/aws-oidc-audit.yml");
    assert_eq!(shipped, audit_component());
}

/// The component is the job: with each input at its default, it reads as `audit_job` of those
/// values.
#[test]
fn the_component_with_its_defaults_is_the_audit_job() {
    let text = audit_component();
    let docs = YamlLoader::load_from_str(&text).expect("yaml");
    assert_eq!(docs.len(), 2, "a header, then the job");
    let inputs = docs[0]["spec"]["inputs"].as_hash().expect("inputs");
    let mut body = text.split("\n---\n").nth(1).expect("body").to_string();
    for (k, v) in inputs {
        let k = k.as_str().expect("name");
        let default = v["default"].as_str().expect("default");
        body = body.replace(&format!("$[[ inputs.{k} ]]"), default);
    }
    let job = audit_job(
        &AuditSource::TerraformPlan("plan.json".into()),
        "https://gitlab.com",
        AUDIT_ROLE_VARIABLE,
        "us-east-1",
        crate::check::Severity::Medium,
    );
    assert_eq!(
        YamlLoader::load_from_str(&body).expect("body"),
        YamlLoader::load_from_str(&job).expect("job")
    );
}

#[test]
fn each_audit_source_runs_its_check() {
    for (source, flag) in [
        (
            AuditSource::TerraformPlan("infra/plan.json".into()),
            "terraform-plan",
        ),
        (AuditSource::TrustFile("trust.json".into()), "trust-file"),
        (
            AuditSource::CloudFormation("cfn/t.yaml".into()),
            "cloudformation",
        ),
        (AuditSource::Account, "account"),
    ] {
        let job = audit_job(
            &source,
            "https://gitlab.com",
            "AUDIT",
            "eu-west-1",
            crate::check::Severity::High,
        );
        let y = &YamlLoader::load_from_str(&job).expect("yaml")[0]["aws-oidc-audit"];
        assert_eq!(y["variables"]["AWS_OIDC_AUDIT"].as_str(), Some(flag));
        assert_eq!(
            y["variables"]["AWS_OIDC_AUDIT_FAIL_ON"].as_str(),
            Some("high")
        );
        assert_eq!(y["variables"]["AWS_ROLE_ARN"].as_str(), Some("$AUDIT"));
        assert_eq!(
            y["artifacts"]["reports"]["codequality"].as_str(),
            Some("gl-code-quality-report.json")
        );
    }
}

#[test]
fn secrets_are_written_with_their_fields_and_the_token() {
    let secrets = [
        parse_secret("DB=arn:aws:secretsmanager:us-east-1:1:secret:db-x#password").expect("ok"),
        parse_secret("KEY=ci/key").expect("ok"),
    ];
    let job = secrets_job("https://gitlab.com", "ROLE_ARN", "us-east-1", &[], &secrets);
    let y = &YamlLoader::load_from_str(&job).expect("yaml")[0]["deploy"];
    let db = &y["secrets"]["DB"];
    assert_eq!(
        db["aws_secrets_manager"]["secret_id"].as_str(),
        Some("arn:aws:secretsmanager:us-east-1:1:secret:db-x")
    );
    assert_eq!(
        db["aws_secrets_manager"]["field"].as_str(),
        Some("password")
    );
    assert_eq!(db["token"].as_str(), Some("$AWS_ID_TOKEN"));
    assert!(y["secrets"]["KEY"]["aws_secrets_manager"]["field"].is_badvalue());
    assert_eq!(y["variables"]["AWS_ROLE_ARN"].as_str(), Some("$ROLE_ARN"));
    for bad in [
        "DB",
        "=x",
        "D B=x",
        "DB=",
        "DB=x y",
        "DB=x#",
        "DB=x#$HOME",
        "DB=$X",
    ] {
        assert!(parse_secret(bad).is_err(), "{bad}");
    }
}

proptest! {
    /// A path the job reads is never one GitLab would expand, that leaves the checkout, or that
    /// holds a control character; and it is written back exactly (quoted).
    #[test]
    fn repository_paths_are_safe_and_kept(raw in "\\PC{0,12}|[a-z./$-]{0,12}|\\P{L}{0,6}") {
        if let Ok(p) = parse_repo_path(&raw) {
            prop_assert!(!p.contains('$') && !p.starts_with('/'));
            prop_assert!(!p.split('/').any(|s| s == ".."));
            prop_assert!(!p.chars().any(char::is_control));
            let job = audit_job(&AuditSource::TrustFile(p.clone()), "a", "V", "us-east-1", crate::check::Severity::Low);
            let y = &YamlLoader::load_from_str(&job).expect("yaml")[0]["aws-oidc-audit"];
            prop_assert_eq!(y["variables"]["AWS_OIDC_AUDIT_PATH"].as_str(), Some(p.as_str()));
        }
    }

    /// A secret parsed is written back exactly, and the job stays valid YAML.
    #[test]
    fn secrets_are_kept(var in "[A-Z_]{1,8}", id in "[a-zA-Z0-9/_+=.@:-]{1,20}", field in proptest::option::of("[a-z .]{1,8}")) {
        let raw = match &field {
            Some(f) => format!("{var}={id}#{f}"),
            None => format!("{var}={id}"),
        };
        let s = parse_secret(&raw).expect("valid");
        let job = secrets_job("https://gitlab.com", "ROLE_ARN", "us-east-1", &[], std::slice::from_ref(&s));
        let y = &YamlLoader::load_from_str(&job).expect("yaml")[0]["deploy"]["secrets"][var.as_str()];
        prop_assert_eq!(y["aws_secrets_manager"]["secret_id"].as_str(), Some(id.as_str()));
        prop_assert_eq!(y["aws_secrets_manager"]["field"].as_str(), field.as_deref());
    }
}
