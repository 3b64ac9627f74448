use super::*;

#[test]
fn statement_lines_follow_the_last_statement_key() {
    let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Sid\": \"a[{\\\"\"},\n\n    {\n      \"Effect\": \"Allow\"\n    }\n  ]\n}\n";
    assert_eq!(statement_lines(text, 0), vec![4, 6]);
    let one = "{\"Statement\":\n {\"Effect\": \"Allow\"}}";
    assert_eq!(statement_lines(one, 0), vec![2]);
    let repeated = "{\"Statement\": [{}],\n\"Statement\": [\n{}, {}]}";
    assert_eq!(statement_lines(repeated, 0), vec![3, 3]);
    assert!(statement_lines("[1, 2]", 0).is_empty());
    assert!(statement_lines("{\"Statement\": 5", 0).len() <= 1);
}

use proptest::prelude::*;

use crate::plan::SetupInput;
use crate::plan::input::RefType;

const NOW: u64 = 1_790_000_000;

fn codes(reports: &[RoleReport]) -> Vec<Vec<&'static str>> {
    reports
        .iter()
        .map(|r| r.findings.iter().map(|f| f.code.as_str()).collect())
        .collect()
}

#[test]
fn a_trust_file_is_audited_where_its_statements_are() {
    let text = "{\"Version\": \"2012-10-17\", \"Statement\": [\n{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"ec2.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"},\n{\"Effect\": \"Allow\", \"Principal\": {\"Federated\": \"arn:aws:iam::1:oidc-provider/gitlab.com\"}, \"Action\": \"sts:AssumeRoleWithWebIdentity\"}]}";
    let planned = read(Kind::TrustFile, "ci/trust.json", text).expect("read");
    let reports = audit(&[planned], NOW);
    assert_eq!(reports[0].role, "trust");
    assert!(codes(&reports)[0].contains(&"no-sub"), "{reports:?}");
    let source = reports[0].source.as_ref().expect("source");
    assert_eq!(source.statements, vec![2, 3]);
    // A file that is not a trust document is bad input.
    assert!(read(Kind::TrustFile, "x.json", "[1]").is_err());
    assert!(read(Kind::TrustFile, "x.json", "{").is_err());
    // A trust no token reaches is still listed, with nothing found.
    let ec2 = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}"#;
    let reports = audit(
        &[read(Kind::TrustFile, "ec2.json", ec2).expect("read")],
        NOW,
    );
    assert_eq!(codes(&reports), vec![Vec::<&str>::new()]);
}

/// A plan whose trust takes a value known only after apply: listed as unknown, never dropped,
/// never clean; a plan that is not a plan is bad input.
#[test]
fn a_plan_s_unknown_trust_is_listed_as_unknown() {
    let plan = serde_json::json!({
        "format_version": "1.2",
        "planned_values": {"root_module": {
            "resources": [
                {"address": "aws_iam_role.later", "mode": "managed", "type": "aws_iam_role",
                 "values": {"name": "later", "path": "/"}},
                {"address": "data.aws_iam_role.x", "mode": "data", "type": "aws_iam_role",
                 "values": {"name": "x", "assume_role_policy": "{}"}}
            ],
            "child_modules": [{"resources": [
                {"address": "module.ci.aws_iam_role.open", "mode": "managed", "type": "aws_iam_role",
                 "values": {"name": "open", "path": "/ci/", "max_session_duration": 3600,
                    "assume_role_policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"arn:aws:iam::1:oidc-provider/gitlab.com\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":{\"StringEquals\":{\"gitlab.com:aud\":\"https://gitlab.com\"}}}]}"}},
                {"address": "module.ci.aws_iam_role_policy_attachment.admin", "mode": "managed",
                 "type": "aws_iam_role_policy_attachment",
                 "values": {"role": "open", "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"}},
                {"address": "module.ci.aws_iam_openid_connect_provider.gitlab", "mode": "managed",
                 "type": "aws_iam_openid_connect_provider",
                 "values": {"url": "https://gitlab.com", "client_id_list": ["sts.amazonaws.com"]}}
            ]}]
        }},
        "resource_changes": [
            {"address": "aws_iam_role.later", "change": {"after_unknown": {"assume_role_policy": true}}}
        ]
    });
    let planned = read(Kind::TerraformPlan, "plan.json", &plan.to_string()).expect("read");
    let reports = audit(&[planned], NOW);
    assert_eq!(
        reports.len(),
        2,
        "the data source is not a role the plan makes"
    );
    assert_eq!(reports[0].role, "later");
    assert_eq!(codes(&reports)[0], vec!["trust-unknown"]);
    assert_eq!(reports[1].role, "open");
    let open = &codes(&reports)[1];
    // The provider the plan makes lists sts.amazonaws.com only: the trust's audience is not
    // registered, so the role is dead, and said so; the admin policy attached is found.
    assert!(open.contains(&"audience-not-registered"), "{open:?}");
    assert!(open.contains(&"admin-policy"), "{open:?}");
    assert!(read(Kind::TerraformPlan, "plan.json", "{}").is_err());
    assert!(read(Kind::TerraformPlan, "plan.json", "not json").is_err());
}

#[test]
fn a_template_s_short_and_long_forms_resolve_alike() {
    let template = "Parameters:\n  Group:\n    Type: String\n    Default: acme\n  Secret:\n    Type: String\nConditions:\n  Always: !Equals [!Ref Group, acme]\n  Never: !Not [!Condition Always]\nResources:\n  Provider:\n    Type: AWS::IAM::OIDCProvider\n    Properties:\n      Url: https://gitlab.com\n      ClientIdList: [https://gitlab.com]\n  Short:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Principal:\n              Federated: !GetAtt Provider.Arn\n            Action: sts:AssumeRoleWithWebIdentity\n            Condition:\n              StringLike:\n                gitlab.com:sub: !Sub \"project_path:${Group}/*\"\n  Long:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: {\"Fn::Join\": [\"-\", [\"long\", {\"Ref\": \"Group\"}]]}\n      AssumeRolePolicyDocument: {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Federated\": {\"Ref\": \"Provider\"}}, \"Action\": \"sts:AssumeRoleWithWebIdentity\", \"Condition\": {\"StringLike\": {\"gitlab.com:sub\": {\"Fn::If\": [\"Never\", \"x\", {\"Fn::Sub\": [\"project_path:${G}/*\", {\"G\": {\"Ref\": \"Group\"}}]}]}}}}]}\n  NotMade:\n    Type: AWS::IAM::Role\n    Condition: Never\n    Properties:\n      AssumeRolePolicyDocument: {}\n  Unknown:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement:\n          - Principal: {Federated: !Sub \"arn:aws:iam::${AWS::AccountId}:oidc-provider/${Secret}\"}\n";
    let planned = read(Kind::CloudFormation, "t.yaml", template).expect("read");
    let trusts: Vec<(&str, &Result<String, String>)> = planned
        .roles
        .iter()
        .map(|r| (r.name.as_str(), &r.trust))
        .collect();
    assert_eq!(trusts.len(), 3, "{trusts:?}");
    let doc = |i: usize| -> serde_json::Value {
        serde_json::from_str(trusts[i].1.as_ref().expect("known")).expect("json")
    };
    assert_eq!(trusts[1].0, "long-acme");
    assert_eq!(doc(0), doc(1));
    assert_eq!(
        doc(0)["Statement"][0]["Condition"]["StringLike"]["gitlab.com:sub"],
        "project_path:acme/*"
    );
    assert_eq!(
        doc(0)["Statement"][0]["Principal"]["Federated"],
        "arn:aws:iam::000000000000:oidc-provider/gitlab.com"
    );
    assert!(
        trusts[2].1.as_ref().is_err_and(|e| e.contains("Secret")),
        "{trusts:?}"
    );
    assert_eq!(planned.roles[0].source.line, 16);
    assert_eq!(planned.roles[0].source.statements, vec![22]);
    let reports = audit(&[planned], NOW);
    assert!(
        codes(&reports)[0].contains(&"sub-matches-group"),
        "{reports:?}"
    );
    assert_eq!(codes(&reports)[2], vec!["trust-unknown"]);
    assert!(read(Kind::CloudFormation, "t.yaml", "a: [").is_err());
    assert!(read(Kind::CloudFormation, "t.yaml", "a: 1").is_err());
}

fn arb_setup() -> impl Strategy<Value = SetupInput> {
    let word = "[a-z][a-z0-9-]{0,6}";
    (
        proptest::collection::vec((word, word), 1..3),
        proptest::collection::vec("[a-zA-Z0-9/_.*$-]{1,10}", 0..3),
        any::<bool>(),
        proptest::option::of("[ -~]{0,30}"),
        proptest::option::of(prop_oneof![Just("/".to_string()), "/[a-z]{1,5}/"]),
        proptest::collection::vec(
            prop_oneof![
                Just("ReadOnlyAccess".to_string()),
                Just("ViewOnlyAccess".to_string()),
                Just("arn:aws:iam::123456789012:policy/ci".to_string()),
            ],
            0..3,
        ),
        proptest::option::of(3600u32..43200),
        proptest::collection::vec("[1-9][0-9]{0,5}", 0..2),
        any::<bool>(),
    )
        .prop_map(
            |(projects, refs, protected, description, path, policies, session, ids, tags)| {
                SetupInput {
                    projects: projects.iter().map(|(g, p)| format!("{g}/{p}")).collect(),
                    refs,
                    ref_type: Some(if tags { RefType::Tag } else { RefType::Branch }),
                    ref_protected: protected,
                    project_ids: ids,
                    role_name: Some("gitlab-ci".into()),
                    role_path: path,
                    description,
                    policies,
                    max_session_duration: session.map(|s| s.to_string()),
                    ..Default::default()
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    /// The tool's own CloudFormation export, read back, is the role the engine makes: the same
    /// trust policy (provider ARN and all), name, path, session length and policies. Its own
    /// audit therefore reads what apply would make, never an unknown.
    #[test]
    fn the_own_template_reads_back_as_the_engines_role(input in arb_setup()) {
        let setup = input.validate();
        prop_assume!(setup.is_ok());
        let setup = setup.expect("valid");
        let template = crate::export::cloudformation(&setup).expect("template");
        let planned = read(Kind::CloudFormation, "t.yaml", &template)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{template}")))?;
        prop_assert_eq!(planned.roles.len(), 1);
        let role = &planned.roles[0];
        let trust: serde_json::Value = serde_json::from_str(
            role.trust.as_ref().map_err(|e| TestCaseError::fail(e.clone()))?,
        )
        .expect("json");
        let engine = setup.trust("aws", "000000000000").expect("trust").policy.to_value();
        prop_assert_eq!(trust, engine, "{}", template);
        prop_assert_eq!(&role.name, setup.role_name.as_str());
        prop_assert_eq!(&role.path, setup.role_path.as_str());
        prop_assert_eq!(
            role.max_session_duration,
            setup.max_session_duration.map_or(3600, |s| s.seconds())
        );
        prop_assert_eq!(role.attached.len(), setup.policies.len());
        prop_assert_eq!(role.source.statements.len(), 1);
        let reports = audit(std::slice::from_ref(&planned), NOW);
        prop_assert!(reports.iter().flat_map(|r| &r.findings).all(|f| f.code != Code::TrustUnknown));
    }
}

/// A condition value longer than the analysis's position numbers once held (65,536 characters)
/// is analysed, not a crash; a file without a Statement is no trust document.
#[test]
fn a_very_long_value_is_analysed_and_a_document_needs_statements() {
    let long = "a".repeat(65_600);
    let text = format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"Federated": "arn:aws:iam::1:oidc-provider/gitlab.com"}}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {{"StringLike": {{"gitlab.com:sub": "project_path:acme/{long}*"}}}}}}]}}"#
    );
    let reports = audit(
        &[read(Kind::TrustFile, "long.json", &text).expect("read")],
        NOW,
    );
    assert_eq!(reports.len(), 1);
    for not_a_trust in [r#"{"Role": {"AssumeRolePolicyDocument": {}}}"#, "{}", "[]"] {
        assert!(
            read(Kind::TrustFile, "x.json", not_a_trust).is_err(),
            "{not_a_trust}"
        );
    }
}

/// What CloudFormation does not take, or a template that reads more than one way, is refused;
/// what makes resources this reading cannot see is listed as unknown, never passed over.
#[test]
fn a_template_that_reads_more_than_one_way_is_refused_and_what_it_cannot_see_is_unknown() {
    let role = "  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: '*', Action: 'sts:AssumeRoleWithWebIdentity'}]}\n";
    for refused in [
        format!("Resources:\n{role}  X: &a {{Type: AWS::SNS::Topic}}\n  Y: *a\n"),
        format!("Resources:\n{role}  Y:\n    <<: {{Type: AWS::SNS::Topic}}\n"),
        format!("Resources:\n{role}Resources:\n{role}"),
        format!("Resources:\n{role}{role}"),
        format!("Resources:\n{role}---\nResources:\n{role}"),
    ] {
        assert!(
            read(Kind::CloudFormation, "t.yaml", &refused).is_err(),
            "{refused}"
        );
    }
    for (unseen, name) in [
        ("Transform: AWS::Serverless-2016-10-31\n", "Transform"),
        ("", "S"),
    ] {
        let text = format!(
            "{unseen}Resources:\n{role}  S:\n    Type: AWS::CloudFormation::Stack\n    Properties: {{TemplateURL: x}}\n  F:\n    Type: AWS::Serverless::Function\n"
        );
        let planned = read(Kind::CloudFormation, "t.yaml", &text).expect("read");
        let reports = audit(&[planned], NOW);
        let unknown: Vec<&str> = reports
            .iter()
            .filter(|r| r.findings.iter().any(|f| f.code == Code::TrustUnknown))
            .map(|r| r.role.as_str())
            .collect();
        assert!(unknown.contains(&name), "{unknown:?}");
        assert!(
            reports.iter().any(|r| r.role == "R"),
            "the role it can read is read too"
        );
    }
}

/// A list parameter is a list; `AWS::NoValue` leaves its item out; the account id decides no
/// condition; a dynamic reference is read at deploy.
#[test]
fn parameters_novalue_the_account_and_dynamic_references_read_as_cloudformation_does() {
    let template = |condition: &str, sub: &str| {
        format!(
            "Parameters:\n  Subs: {{Type: CommaDelimitedList, Default: 'project_path:acme/web:ref_type:branch:ref:main,*'}}\nConditions:\n  C: {condition}\nResources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Allow\n            Principal: {{Federated: arn:aws:iam::1:oidc-provider/gitlab.com}}\n            Action: sts:AssumeRoleWithWebIdentity\n            Condition: {{StringLike: {{gitlab.com:sub: {sub}}}}}\n"
        )
    };
    let codes_of = |text: String| -> Vec<&'static str> {
        let planned = read(Kind::CloudFormation, "t.yaml", &text).expect("read");
        audit(&[planned], NOW)[0]
            .findings
            .iter()
            .map(|f| f.code.as_str())
            .collect()
    };
    // The list's `*` is one value of the list: anyone's sub matches it.
    assert!(codes_of(template("!Equals [a, a]", "!Ref Subs")).contains(&"sub-matches-everything"));
    // NoValue: the `*` branch is not taken, and the item is left out.
    let novalue =
        "['project_path:acme/web:ref_type:branch:ref:main', !If [C, '*', !Ref AWS::NoValue]]";
    assert!(!codes_of(template("!Equals [a, b]", novalue)).contains(&"trust-unknown"));
    assert!(codes_of(template("!Equals [a, a]", novalue)).contains(&"sub-matches-everything"));
    // The account decides nothing before deploy.
    let on_account = template(
        "!Equals [!Ref 'AWS::AccountId', '123456789012']",
        "!If [C, x, '*']",
    );
    assert_eq!(codes_of(on_account), ["trust-unknown"]);
    assert_eq!(
        codes_of(template("!Equals [a, a]", "'{{resolve:ssm:/ci/sub}}'")),
        ["trust-unknown"]
    );
}

/// An attachment whose role is known only after apply (`role = aws_iam_role.r.id`, a name from
/// `name_prefix`) is matched by what the configuration names; one the configuration does not
/// tell goes to every role of its module: an attachment is never lost.
#[test]
fn a_plan_s_attachment_finds_its_role_through_the_configuration() {
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::1:oidc-provider/gitlab.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"gitlab.com:sub":"project_path:acme/web:ref_type:branch:ref:main"}}}]}"#;
    let role = |address: &str| {
        serde_json::json!({"address": address, "mode": "managed", "type": "aws_iam_role",
            "values": {"path": "/", "assume_role_policy": trust}})
    };
    let attach = |address: &str| {
        serde_json::json!({"address": address, "mode": "managed",
            "type": "aws_iam_role_policy_attachment",
            "values": {"policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"}})
    };
    let plan = serde_json::json!({
        "planned_values": {"root_module": {
            "resources": [role("aws_iam_role.deploy"), role("aws_iam_role.other"), attach("aws_iam_role_policy_attachment.admin")],
            "child_modules": [{"resources": [
                role("module.ci.aws_iam_role.r[\"a\"]"), role("module.ci.aws_iam_role.s"),
                attach("module.ci.aws_iam_role_policy_attachment.x")
            ]}]
        }},
        "configuration": {"root_module": {
            "resources": [{"address": "aws_iam_role_policy_attachment.admin",
                "expressions": {"role": {"references": ["aws_iam_role.deploy.id", "aws_iam_role.deploy"]}}}],
            "module_calls": {"ci": {"module": {"resources": [
                {"address": "aws_iam_role_policy_attachment.x", "expressions": {"role": {"constant_value": "?"}}}
            ]}}}
        }}
    });
    let planned = read(Kind::TerraformPlan, "plan.json", &plan.to_string()).expect("read");
    let admin: Vec<&str> = planned
        .roles
        .iter()
        .filter(|r| !r.attached.is_empty())
        .map(|r| r.source.resource.as_str())
        .collect();
    assert_eq!(
        admin,
        [
            "aws_iam_role.deploy",
            "module.ci.aws_iam_role.r[\"a\"]",
            "module.ci.aws_iam_role.s"
        ]
    );
}

/// Where the stack is deployed decides no condition (partition, region, URL suffix, account);
/// `Fn::Transform` anywhere, a module and a dynamic reference from a default are unknown; an
/// errored plan is refused; roles made through CloudFormation from Terraform are unknown; an
/// attachment of one policy to several roles counts for each.
#[test]
fn what_is_decided_at_deploy_is_never_guessed() {
    let open = "Statement: [{Effect: Allow, Principal: {Federated: arn:aws:iam::1:oidc-provider/gitlab.com}, Action: 'sts:AssumeRoleWithWebIdentity', Condition: {StringLike: {gitlab.com:sub: !If [C, 'project_path:*', 'project_path:acme/web:ref_type:branch:ref:main']}}}]";
    for pseudo in [
        "!Ref AWS::Partition",
        "!Ref AWS::URLSuffix",
        "!Sub '${AWS::Partition}'",
    ] {
        let text = format!(
            "Conditions:\n  C: !Equals [{pseudo}, aws-us-gov]\nResources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {{{open}}}\n"
        );
        let reports = audit(
            &[read(Kind::CloudFormation, "t.yaml", &text).expect("read")],
            NOW,
        );
        assert_eq!(codes(&reports), vec![vec!["trust-unknown"]], "{pseudo}");
    }
    for text in [
        "Mappings:\n  A:\n    '000000000000': {S: 'project_path:acme/web:ref_type:branch:ref:main'}\n    '444455556666': {S: 'project_path:*'}\nResources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Federated: arn:aws:iam::1:oidc-provider/gitlab.com}, Action: 'sts:AssumeRoleWithWebIdentity', Condition: {StringLike: {gitlab.com:sub: !FindInMap [A, !Ref 'AWS::AccountId', S]}}}]}\n".to_string(),
        "Resources:\n  Fn::Transform: {Name: AWS::Include, Parameters: {Location: s3://b/k}}\n".to_string(),
        "Resources:\n  M:\n    Type: Acme::Roles::Ci::MODULE\n".to_string(),
        "Parameters:\n  S: {Type: String, Default: '{{resolve:ssm:/sub}}'}\nResources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Federated: arn:aws:iam::1:oidc-provider/gitlab.com}, Action: 'sts:AssumeRoleWithWebIdentity', Condition: {StringEquals: {gitlab.com:sub: !Ref S}}}]}\n".to_string(),
    ] {
        let reports = audit(&[read(Kind::CloudFormation, "t.yaml", &text).expect("read")], NOW);
        assert!(
            reports.iter().any(|r| r.findings.iter().any(|f| f.code == Code::TrustUnknown)),
            "{text}: {reports:?}"
        );
    }
    let errored = serde_json::json!({"errored": true, "planned_values": {"root_module": {}}});
    assert!(read(Kind::TerraformPlan, "p.json", &errored.to_string()).is_err());
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::1:oidc-provider/gitlab.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"gitlab.com:sub":"project_path:acme/web:ref_type:branch:ref:main"}}}]}"#;
    let plan = serde_json::json!({"planned_values": {"root_module": {"resources": [
        {"address": "aws_cloudformation_stack.s", "mode": "managed", "type": "aws_cloudformation_stack", "values": {}},
        {"address": "aws_iam_role.a", "mode": "managed", "type": "aws_iam_role", "values": {"name": "a", "assume_role_policy": trust}},
        {"address": "aws_iam_policy_attachment.p", "mode": "managed", "type": "aws_iam_policy_attachment",
         "values": {"roles": ["a"], "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"}}
    ]}}});
    let reports = audit(
        &[read(Kind::TerraformPlan, "p.json", &plan.to_string()).expect("read")],
        NOW,
    );
    assert_eq!(codes(&reports)[0], vec!["trust-unknown"]);
    assert!(codes(&reports)[1].contains(&"admin-policy"), "{reports:?}");
    for malformed in [
        r#"{"Statement": "x"}"#,
        r#"{"Statement": [1]}"#,
        r#"{"Statement": []}"#,
        r#"{"Statement": [{}]}"#,
        r#"{"Statement": null}"#,
    ] {
        assert!(
            read(Kind::TrustFile, "x.json", malformed).is_err(),
            "{malformed}"
        );
    }
}
