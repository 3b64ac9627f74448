//! `export`: the setup `apply` would make, as infrastructure as code: one self-contained Terraform
//! root module (`hashicorp/aws` resources) or one CloudFormation template (YAML, ready for
//! StackSets). Pure: the same validated `Setup` and the engine's own trust policy, with the
//! account-specific parts (partition, account id, whether the provider exists) left to the tool
//! that deploys it. No AWS call.

use std::fmt::Write as _;

use serde_json::Value;

use crate::plan::input::{InputError, PolicyRef};
use crate::plan::{MANAGED_BY_TAG, Setup};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A Terraform root module (hashicorp/aws).
    Terraform,
    /// A CloudFormation template (YAML; StackSets-ready).
    Cloudformation,
}

/// The stand-in for the provider ARN in the trust policy; each format writes its own expression.
const PROVIDER_ARN: &str = "__AOW_PROVIDER_ARN__";

/// AWS managed policies that live under `job-function/`: a bare name is written with its path,
/// since a template cannot look a policy up by name.
const JOB_FUNCTION: [&str; 7] = [
    "Billing",
    "DatabaseAdministrator",
    "DataScientist",
    "NetworkAdministrator",
    "SupportUser",
    "SystemAdministrator",
    "ViewOnlyAccess",
];

/// The policy's path and name under `arn:PARTITION:iam::aws:policy/`, or its whole ARN.
enum PolicyTarget {
    AwsManaged(String),
    Arn(String),
}

fn policy_target(p: &PolicyRef) -> PolicyTarget {
    match p {
        PolicyRef::Arn(arn) => PolicyTarget::Arn(arn.as_str().to_string()),
        PolicyRef::AwsManagedName(n) if !n.contains('/') && JOB_FUNCTION.contains(&n.as_str()) => {
            PolicyTarget::AwsManaged(format!("job-function/{n}"))
        }
        PolicyRef::AwsManagedName(n) => PolicyTarget::AwsManaged(n.clone()),
    }
}

/// The trust policy the engine builds, with the provider ARN as the stand-in.
fn trust_document(setup: &Setup) -> Result<Value, InputError> {
    let mut doc = setup.trust("aws", "000000000000")?.policy.to_value();
    let real = setup.provider_arn("aws", "000000000000");
    replace_string(&mut doc, &real, PROVIDER_ARN);
    Ok(doc)
}

fn replace_string(v: &mut Value, from: &str, to: &str) {
    match v {
        Value::String(s) if s == from => *s = to.to_string(),
        Value::Array(items) => items.iter_mut().for_each(|i| replace_string(i, from, to)),
        Value::Object(map) => map.values_mut().for_each(|i| replace_string(i, from, to)),
        _ => {}
    }
}

fn description(setup: &Setup) -> String {
    setup
        .description
        .as_ref()
        .map(|d| d.as_str().to_string())
        .unwrap_or_else(|| setup.default_description())
}

fn session(setup: &Setup) -> i32 {
    setup.max_session_duration.unwrap_or_default().seconds()
}

/// The provider's host and path, as IAM names it in the provider ARN.
fn provider_host(setup: &Setup) -> String {
    crate::plan::trust_view::provider_host(&setup.provider_arn("aws", "000000000000")).to_string()
}

// ---------------------------------------------------------------------------------------------
// Terraform

/// A string as an HCL literal: see [`hcl_inner`].
fn hcl_string(s: &str) -> String {
    format!("\"{}\"", hcl_inner(s))
}

/// What goes between an HCL literal's quotes: quotes and backslashes escaped, `${`/`%{` kept
/// literal, and every character of [`crate::sanitize::acts_on`] escaped (`\r`, `\u001B`), so
/// the file parses and holds the same value.
fn hcl_inner(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // HCL's \u takes four hex digits, \U eight (beyond the BMP).
            c if crate::sanitize::acts_on(c) && (c as u32) > 0xFFFF => {
                let _ = write!(out, "\\U{:08X}", c as u32);
            }
            c if crate::sanitize::acts_on(c) => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Text for a `#` comment: on one line whatever it holds (a line end would end the comment and
/// start code), with nothing raw in it.
fn hcl_comment(s: &str) -> String {
    crate::sanitize::terminal_safe(&s.replace('\n', "\\n").replace('\t', "\\t"))
}

/// A JSON value as an HCL expression for `jsonencode`, indented by `indent` spaces.
fn hcl_value(v: &Value, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let inner = " ".repeat(indent + 2);
    match v {
        Value::String(s) if s == PROVIDER_ARN => "local.provider_arn".to_string(),
        Value::String(s) => hcl_string(s),
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(|i| hcl_value(i, indent + 2)).collect();
            if parts.iter().all(|p| !p.contains('\n')) && parts.join(", ").len() < 60 {
                format!("[{}]", parts.join(", "))
            } else {
                format!("[\n{inner}{}\n{pad}]", parts.join(&format!(",\n{inner}")))
            }
        }
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{inner}{} = {}", hcl_string(k), hcl_value(v, indent + 2)))
                .collect();
            format!("{{\n{}\n{pad}}}", parts.join("\n"))
        }
    }
}

/// What a Terraform module declares: from a setup's answers, or read from a live role.
pub struct Module {
    /// What the header comment says it is for.
    pub about: String,
    pub provider_url: String,
    /// The provider's host and path, as in its ARN.
    pub provider_host: String,
    pub client_ids: Vec<String>,
    pub thumbprints: Vec<String>,
    pub provider_tags: Vec<(String, String)>,
    pub role_name: String,
    pub role_path: String,
    pub description: Option<String>,
    pub max_session_duration: i32,
    pub permissions_boundary: Option<String>,
    pub role_tags: Vec<(String, String)>,
    /// The trust policy; the provider ARN as `PROVIDER_ARN` where it is to be an expression.
    pub trust: Value,
    /// Each policy: a comment and its ARN as an HCL expression.
    pub policies: Vec<(String, String)>,
    /// Existing resources to adopt: `import` blocks for them.
    pub imports: Option<Imports>,
}

pub struct Imports {
    /// The provider's ARN, when it exists.
    pub provider_arn: Option<String>,
    pub policy_arns: Vec<String>,
}

fn hcl_tags(tags: &[(String, String)]) -> String {
    let parts: Vec<String> = tags
        .iter()
        .map(|(k, v)| format!("{} = {}", hcl_string(k), hcl_string(v)))
        .collect();
    format!("{{ {} }}", parts.join(", "))
}

impl Module {
    /// The module the engine's setup gives (what `apply` would make).
    pub fn from_setup(setup: &Setup) -> Result<Module, InputError> {
        let tag = vec![(MANAGED_BY_TAG.0.to_string(), MANAGED_BY_TAG.1.to_string())];
        Ok(Module {
            about: setup
                .projects
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            provider_url: setup.provider_url.as_str().to_string(),
            provider_host: provider_host(setup),
            client_ids: vec![setup.audience.as_str().to_string()],
            thumbprints: setup.thumbprints.clone(),
            provider_tags: tag.clone(),
            role_name: setup.role_name.as_str().to_string(),
            role_path: setup.role_path.as_str().to_string(),
            description: Some(description(setup)),
            max_session_duration: session(setup),
            permissions_boundary: setup
                .permissions_boundary
                .as_ref()
                .map(|b| b.as_str().to_string()),
            role_tags: tag,
            trust: trust_document(setup)?,
            policies: setup
                .policies
                .iter()
                .map(|p| {
                    let arn = match policy_target(p) {
                        PolicyTarget::Arn(arn) => hcl_string(&arn),
                        PolicyTarget::AwsManaged(path) => format!(
                            "\"arn:${{data.aws_partition.current.partition}}:iam::aws:policy/{path}\""
                        ),
                    };
                    (p.display().to_string(), arn)
                })
                .collect(),
            imports: None,
        })
    }

    /// The module as HCL.
    pub fn to_hcl(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "# Made by aws-oidc-wizard: GitLab CI/CD (OIDC) for {}.\n# Apply with `terraform init && terraform apply`; the role ARN is the role_arn output.\n",
            hcl_comment(&self.about)
        );
        s.push_str(
            "terraform {\n  required_version = \">= 1.5\"\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = \">= 5.0\"\n    }\n  }\n}\n\n",
        );
        let _ = writeln!(
            s,
            "variable \"create_provider\" {{\n  description = \"Create the OIDC provider; false where the account already has one for {} (a provider URL is unique per account).\"\n  type        = bool\n  default     = true\n}}\n",
            hcl_inner(&self.provider_url)
        );
        let _ = writeln!(
            s,
            "variable \"role_name\" {{\n  description = \"Name of the IAM role.\"\n  type        = string\n  default     = {}\n}}\n",
            hcl_string(&self.role_name)
        );
        s.push_str(
            "data \"aws_partition\" \"current\" {}\ndata \"aws_caller_identity\" \"current\" {}\n\n",
        );
        let _ = writeln!(
            s,
            "# The provider's ARN as IAM makes it, known when the plan is made (not only after the\n# provider is created), so the plan shows the whole trust policy and can be audited before\n# apply (`check --terraform-plan`); the role waits for the provider with depends_on.\nlocals {{\n  provider_arn = \"arn:${{data.aws_partition.current.partition}}:iam::${{data.aws_caller_identity.current.account_id}}:oidc-provider/{}\"\n}}\n",
            hcl_inner(&self.provider_host)
        );
        let list = |items: &[String]| -> String {
            items
                .iter()
                .map(|i| hcl_string(i))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            s,
            "resource \"aws_iam_openid_connect_provider\" \"gitlab\" {{\n  count           = var.create_provider ? 1 : 0\n  url             = {}\n  client_id_list  = [{}]\n  thumbprint_list = [{}]\n  tags            = {}\n}}\n",
            hcl_string(&self.provider_url),
            list(&self.client_ids),
            list(&self.thumbprints),
            hcl_tags(&self.provider_tags)
        );
        let _ = writeln!(
            s,
            "resource \"aws_iam_role\" \"gitlab\" {{\n  depends_on           = [aws_iam_openid_connect_provider.gitlab]\n  name                 = var.role_name\n  path                 = {}",
            hcl_string(&self.role_path)
        );
        if let Some(d) = &self.description {
            let _ = writeln!(s, "  description          = {}", hcl_string(d));
        }
        let _ = writeln!(s, "  max_session_duration = {}", self.max_session_duration);
        if let Some(b) = &self.permissions_boundary {
            let _ = writeln!(s, "  permissions_boundary = {}", hcl_string(b));
        }
        let _ = writeln!(
            s,
            "  tags                 = {}\n  assume_role_policy = jsonencode({})\n}}\n",
            hcl_tags(&self.role_tags),
            hcl_value(&self.trust, 2)
        );
        for (i, (about, arn)) in self.policies.iter().enumerate() {
            let _ = writeln!(
                s,
                "# {}\nresource \"aws_iam_role_policy_attachment\" \"policy_{i}\" {{\n  role       = aws_iam_role.gitlab.name\n  policy_arn = {arn}\n}}\n",
                hcl_comment(about)
            );
        }
        if let Some(imports) = &self.imports {
            s.push_str(
                "# What exists already: `terraform plan` adopts it (imports only, no change).\n",
            );
            if let Some(arn) = &imports.provider_arn {
                let _ = writeln!(
                    s,
                    "import {{\n  to = aws_iam_openid_connect_provider.gitlab[0]\n  id = {}\n}}\n",
                    hcl_string(arn)
                );
            }
            let _ = writeln!(
                s,
                "import {{\n  to = aws_iam_role.gitlab\n  id = {}\n}}\n",
                hcl_string(&self.role_name)
            );
            for (i, arn) in imports.policy_arns.iter().enumerate() {
                let _ = writeln!(
                    s,
                    "import {{\n  to = aws_iam_role_policy_attachment.policy_{i}\n  id = {}\n}}\n",
                    hcl_string(&format!("{}/{arn}", self.role_name))
                );
            }
        }
        s.push_str(
            "output \"role_arn\" {\n  description = \"Store it as the ROLE_ARN CI/CD variable of the projects.\"\n  value       = aws_iam_role.gitlab.arn\n}\n",
        );
        s
    }
}

/// One Terraform root module: the provider (unless the account has it: `create_provider`), the
/// role with the engine's trust policy, its attachments, boundary, session length and tags.
pub fn terraform(setup: &Setup) -> Result<String, InputError> {
    Ok(Module::from_setup(setup)?.to_hcl())
}

/// The module of a live setup, read back: the role as it is (its own trust policy, with the
/// provider it names as the module's provider), its policies and the provider, each with an
/// `import` block, so that `terraform plan` adopts them with no change.
pub fn terraform_of(
    role: &crate::aws::Role,
    attached: &[crate::aws::AttachedPolicy],
    provider: Option<&crate::aws::OidcProvider>,
) -> String {
    let mut trust = role.trust_policy.clone();
    let provider_arn = provider.map(|p| p.arn.clone());
    if let Some(arn) = &provider_arn {
        replace_string(&mut trust, arn, PROVIDER_ARN);
    }
    let (url, host) = match provider {
        Some(p) => {
            let host = crate::plan::trust_view::provider_host(&p.arn).to_string();
            let url = if p.url.starts_with("https://") {
                p.url.clone()
            } else {
                format!("https://{}", p.url)
            };
            (url, host)
        }
        None => (String::new(), String::new()),
    };
    let module = Module {
        about: format!("role {} (read from the account)", role.name),
        provider_url: url,
        provider_host: host,
        client_ids: provider.map(|p| p.client_ids.clone()).unwrap_or_default(),
        thumbprints: provider.map(|p| p.thumbprints.clone()).unwrap_or_default(),
        provider_tags: provider.map(|p| p.tags.clone()).unwrap_or_default(),
        role_name: role.name.clone(),
        role_path: role.path.clone(),
        description: role.description.clone(),
        max_session_duration: role.max_session_duration,
        permissions_boundary: role.permissions_boundary.clone(),
        role_tags: role.tags.clone(),
        trust,
        policies: attached
            .iter()
            .map(|a| (a.name.clone(), hcl_string(&a.arn)))
            .collect(),
        imports: Some(Imports {
            provider_arn,
            policy_arns: attached.iter().map(|a| a.arn.clone()).collect(),
        }),
    };
    module.to_hcl()
}

// ---------------------------------------------------------------------------------------------
// CloudFormation

/// A string as a YAML (and JSON) double-quoted scalar.
fn yaml_string(s: &str) -> String {
    crate::sanitize::yaml_quoted(s)
}

/// A free text as a resource property that CloudFormation keeps as written: `${` is a
/// substitution only inside `Fn::Sub`, but cfn-lint flags a bare one (E1029), so a text with one
/// is joined from parts split between `$` and `{`. A `{{resolve:…}}` dynamic
/// reference is replaced at deploy by the secret or parameter it names, in any property, and has
/// no escape: such a text is refused.
fn cfn_text(s: &str) -> Result<String, InputError> {
    if s.contains("{{resolve:") {
        return Err(InputError::new(
            crate::plan::input::Description::ANSWER,
            s,
            "holds a `{{resolve:…}}` dynamic reference, which CloudFormation would replace with the value it names: not exported",
        ));
    }
    if !s.contains("${") {
        return Ok(yaml_string(s));
    }
    // Split between each `$` and its `{`: the joined value is the text, and no part of it reads
    // as a substitution (a `!Sub` with only escaped ones is flagged as needless, W1020).
    let mut parts = Vec::new();
    let mut rest = s;
    while let Some(at) = rest.find("${") {
        parts.push(yaml_string(&rest[..=at]));
        rest = &rest[at + 1..];
    }
    parts.push(yaml_string(rest));
    Ok(format!("!Join [\"\", [{}]]", parts.join(", ")))
}

/// The trust policy as YAML flow (JSON), the provider ARN as the template's expression.
fn cfn_document(doc: &Value, indent: usize, host: &str) -> String {
    let pad = " ".repeat(indent);
    let inner = " ".repeat(indent + 2);
    match doc {
        Value::String(s) if s == PROVIDER_ARN => {
            format!(
                "{{\"Fn::If\": [\"CreateProvider\", {{\"Ref\": \"GitLabProvider\"}}, {{\"Fn::Sub\": \"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:oidc-provider/{host}\"}}]}}"
            )
        }
        Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|i| cfn_document(i, indent + 2, host))
                .collect();
            format!("[\n{inner}{}\n{pad}]", parts.join(&format!(",\n{inner}")))
        }
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{inner}{}: {}",
                        yaml_string(k),
                        cfn_document(v, indent + 2, host)
                    )
                })
                .collect();
            format!("{{\n{}\n{pad}}}", parts.join(",\n"))
        }
        other => crate::sanitize::json(other),
    }
}

/// One CloudFormation template. Ready for StackSets (service-managed, auto-deployment to an OU):
/// the provider is made only where `CreateProvider` is `true`, since an account holds one
/// provider per URL.
pub fn cloudformation(setup: &Setup) -> Result<String, InputError> {
    let doc = trust_document(setup)?;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "AWSTemplateFormatVersion: \"2010-09-09\"\nDescription: {}",
        yaml_string(&format!(
            "GitLab CI/CD (OIDC) for {} (made by aws-oidc-wizard)",
            setup
                .projects
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    );
    let _ = writeln!(
        s,
        "Parameters:\n  CreateProvider:\n    Description: {}\n    Type: String\n    AllowedValues: [\"true\", \"false\"]\n    Default: \"true\"\n  RoleName:\n    Description: Name of the IAM role.\n    Type: String\n    Default: {}",
        yaml_string(&format!(
            "Create the OIDC provider for {}; \"false\" where the account already has it (a provider URL is unique per account).",
            setup.provider_url.as_str()
        )),
        yaml_string(setup.role_name.as_str())
    );
    s.push_str(
        "Conditions:\n  CreateProvider: !Equals [!Ref CreateProvider, \"true\"]\nResources:\n",
    );
    let tags = format!(
        "      Tags:\n        - Key: {}\n          Value: {}\n",
        yaml_string(MANAGED_BY_TAG.0),
        yaml_string(MANAGED_BY_TAG.1)
    );
    let _ = write!(
        s,
        "  GitLabProvider:\n    Type: AWS::IAM::OIDCProvider\n    Condition: CreateProvider\n    Properties:\n      Url: {}\n      ClientIdList:\n        - {}\n",
        yaml_string(setup.provider_url.as_str()),
        yaml_string(setup.audience.as_str())
    );
    if !setup.thumbprints.is_empty() {
        s.push_str("      ThumbprintList:\n");
        for t in &setup.thumbprints {
            let _ = writeln!(s, "        - {}", yaml_string(t));
        }
    }
    s.push_str(&tags);
    let _ = writeln!(
        s,
        "  GitLabRole:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: !Ref RoleName\n      Path: {}\n      Description: {}\n      MaxSessionDuration: {}",
        yaml_string(setup.role_path.as_str()),
        cfn_text(&description(setup))?,
        session(setup)
    );
    if let Some(b) = &setup.permissions_boundary {
        let _ = writeln!(s, "      PermissionsBoundary: {}", yaml_string(b.as_str()));
    }
    if !setup.policies.is_empty() {
        s.push_str("      ManagedPolicyArns:\n");
        for p in &setup.policies {
            match policy_target(p) {
                PolicyTarget::Arn(arn) => {
                    let _ = writeln!(s, "        - {}", yaml_string(&arn));
                }
                PolicyTarget::AwsManaged(path) => {
                    let _ = writeln!(
                        s,
                        "        - !Sub \"arn:${{AWS::Partition}}:iam::aws:policy/{path}\""
                    );
                }
            }
        }
    }
    s.push_str(&tags);
    let _ = writeln!(
        s,
        "      AssumeRolePolicyDocument: {}",
        cfn_document(&doc, 8, &provider_host(setup))
    );
    s.push_str(
        "Outputs:\n  RoleArn:\n    Description: Store it as the ROLE_ARN CI/CD variable of the projects.\n    Value: !GetAtt GitLabRole.Arn\n",
    );
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::SetupInput;

    fn setup(policies: &[&str]) -> Setup {
        SetupInput {
            projects: vec!["acme/web".into()],
            refs: vec!["release/$v".into()],
            role_name: Some("gitlab-acme-web".into()),
            policies: policies.iter().map(|p| p.to_string()).collect(),
            ..Default::default()
        }
        .validate()
        .expect("valid")
    }

    #[test]
    fn hcl_strings_keep_dollar_braces_and_quotes_literal() {
        assert_eq!(hcl_string("a${$}b"), "\"a$${$}b\"");
        assert_eq!(hcl_string("100%{x}"), "\"100%%{x}\"");
        assert_eq!(hcl_string("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
        assert_eq!(hcl_string("$5"), "\"$5\"");
    }

    #[test]
    fn a_bare_job_function_name_gets_its_path() {
        let tf = terraform(&setup(&["ViewOnlyAccess", "ReadOnlyAccess"])).expect("tf");
        assert!(
            tf.contains("iam::aws:policy/job-function/ViewOnlyAccess\""),
            "{tf}"
        );
        assert!(tf.contains("iam::aws:policy/ReadOnlyAccess\""), "{tf}");
        let cfn = cloudformation(&setup(&["ViewOnlyAccess"])).expect("cfn");
        assert!(
            cfn.contains("iam::aws:policy/job-function/ViewOnlyAccess\""),
            "{cfn}"
        );
    }

    #[test]
    fn the_trust_policy_is_the_engines_with_the_provider_as_an_expression() {
        let s = setup(&[]);
        let tf = terraform(&s).expect("tf");
        assert!(tf.contains("\"Federated\" = local.provider_arn"), "{tf}");
        assert!(!tf.contains(PROVIDER_ARN));
        // The sub of a ref with a `$` keeps IAM's `${$}` literal in HCL.
        assert!(tf.contains("ref:release/$${$}v"), "{tf}");
        let cfn = cloudformation(&s).expect("cfn");
        assert!(!cfn.contains(PROVIDER_ARN));
        assert!(cfn.contains("\"Fn::If\": [\"CreateProvider\""), "{cfn}");
    }

    #[test]
    fn a_cloudformation_text_keeps_its_value_and_no_reference_is_resolved() {
        assert_eq!(cfn_text("plain").unwrap(), "\"plain\"");
        assert_eq!(
            cfn_text("a ${AWS::Region} b ${x}").unwrap(),
            r#"!Join ["", ["a $", "{AWS::Region} b $", "{x}"]]"#
        );
        let e = cfn_text("x {{resolve:secretsmanager:db}}").unwrap_err();
        assert!(e.to_string().contains("dynamic reference"), "{e}");
    }
}
