//! The wizard's own words for what the engine and AWS report: fields and keys where the command
//! line would name flags. The engine's messages stay as they are; where its hint speaks of a
//! flag, the wizard says what to do on its screens instead.

use crate::aws::{AwsError, ErrorKind};
use crate::engine::EngineError;
use crate::plan::input::{Answer, InputError};

/// What the demo says of GitLab (`g` on Done, Ctrl-L on Who may assume).
pub const DEMO_NO_GITLAB: &str = "DEMO: the demo reaches no GitLab; this works on your own account";

/// The wizard's field for the answer an input error names.
pub fn field_label(answer: Answer) -> &'static str {
    match answer {
        Answer::ProviderUrl => "Provider URL",
        Answer::Audience => "Audience",
        Answer::Project => "Projects",
        Answer::Ref => "Refs",
        Answer::RefType => "Ref type",
        Answer::RefProtected => "Protected only",
        Answer::ProjectId => "Project IDs",
        Answer::NamespaceId => "the namespace ids",
        Answer::Thumbprint => "the pre-flight's thumbprint",
        Answer::RoleName => "Role name",
        Answer::RolePath => "Role path",
        Answer::Description => "Description",
        Answer::Policy | Answer::DetachPolicy => "Permissions",
        Answer::MaxSessionDuration => "Max session",
        Answer::PermissionsBoundary => "Boundary ARN",
        Answer::Token => "ID token",
        Answer::Region => "Region",
        Answer::CiVariable => "the CI/CD variable",
        Answer::Unit => "Organizational units",
        Answer::Account => "Accounts",
        Answer::MemberRole => "Member role",
    }
}

/// An input error as the wizard says it: the field, the value and the rule.
pub fn input_error(e: &InputError) -> String {
    let field = field_label(e.answer);
    if e.value.is_empty() {
        format!("{field} {}", e.rule)
    } else {
        format!("{field} {:?} {}", e.value, e.rule)
    }
}

/// What to do about an error, in wizard keys.
pub fn hint(e: &EngineError) -> String {
    match e {
        EngineError::Input(_) => "go back (Esc) and correct it".into(),
        EngineError::Aws { error, .. } => aws_hint(error),
        EngineError::RolePathConflict { existing, .. } => format!(
            "IAM cannot move a role: go back to the Role screen (Esc) and set Role path to {existing}, or choose another Role name"
        ),
        EngineError::RoleNotFound { .. } => {
            "check the role name and that this is the right account (Account screen)".into()
        }
        EngineError::NotOurs { .. } => {
            "check the name; f removes it anyway, after you confirm".into()
        }
        EngineError::InInstanceProfiles { .. } => {
            "EC2 instances may use it; f removes the role from them and then deletes it, after you confirm".into()
        }
        EngineError::ConfirmationRequired { .. } => "answer the question with y to go on".into(),
        other => other.hint(),
    }
}

fn aws_hint(e: &AwsError) -> String {
    match &e.kind {
        ErrorKind::Credentials(_) => "set the Profile field on the Account screen (after `aws configure` or `aws sso login`), or start the wizard with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set; then r".into(),
        ErrorKind::Profile(_) => "change the Profile field on the Account screen to a known profile (empty for the default chain), then r".into(),
        ErrorKind::Timeout => "AWS did not answer in time; check the network and press r: finished steps are not repeated".into(),
        ErrorKind::Network(_) => "the AWS endpoint could not be reached; check the network or proxy settings and press r".into(),
        _ => e.hint(),
    }
}

/// Keys typed before the screen they would act on was drawn.
pub const KEYS_DROPPED: &str =
    "keys typed before this appeared were not used: nothing was done with them";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::AwsError;
    use crate::engine::Step;

    /// No wizard message names a command-line flag.
    #[test]
    fn hints_speak_of_fields_and_keys() {
        let errors = [
            EngineError::Aws {
                step: Step::Identity,
                error: AwsError::new("GetCallerIdentity", ErrorKind::Credentials("none".into())),
            },
            EngineError::Aws {
                step: Step::Role,
                error: AwsError::new("CreateRole", ErrorKind::Timeout),
            },
            EngineError::Aws {
                step: Step::Role,
                error: AwsError::new("CreateRole", ErrorKind::Network("refused".into())),
            },
            EngineError::RolePathConflict {
                name: "web".into(),
                existing: "/ci/".into(),
                wanted: "/".into(),
            },
            EngineError::RoleNotFound { name: "web".into() },
            EngineError::NotOurs { name: "web".into() },
            EngineError::InInstanceProfiles {
                name: "web".into(),
                profiles: vec!["ec2-web".into()],
            },
            EngineError::ConfirmationRequired { reasons: vec![] },
            EngineError::Input(InputError::new(
                Answer::RoleName,
                "a b",
                "may contain only …",
            )),
        ];
        for e in &errors {
            let h = hint(e);
            assert!(!h.contains("--"), "{e:?}: {h}");
            assert!(!h.is_empty(), "{e:?}");
        }
        let input = InputError::new(Answer::RoleName, "a b", "may contain only letters");
        assert_eq!(
            input_error(&input),
            "Role name \"a b\" may contain only letters"
        );
        assert_eq!(
            input_error(&InputError::new(Answer::Project, "", "is required")),
            "Projects is required"
        );
    }
}
