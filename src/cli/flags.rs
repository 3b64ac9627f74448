//! The command line's words for the pure layer's answers: each is its flag.

use std::fmt;

use crate::plan::input::{Answer, InputError};

impl Answer {
    /// The flag that gives this answer on the command line.
    pub fn flag(self) -> &'static str {
        match self {
            Answer::ProviderUrl => "--provider-url",
            Answer::Audience => "--audience",
            Answer::Project => "--project",
            Answer::Ref => "--ref",
            Answer::RefType => "--ref-type",
            Answer::RefProtected => "--ref-protected",
            Answer::ProjectId => "--project-id",
            Answer::NamespaceId => "--namespace-id",
            Answer::Thumbprint => "--thumbprint",
            Answer::RoleName => "--role-name",
            Answer::RolePath => "--role-path",
            Answer::Description => "--description",
            Answer::Policy => "--policy",
            Answer::DetachPolicy => "--detach-policy",
            Answer::MaxSessionDuration => "--max-session-duration",
            Answer::PermissionsBoundary => "--permissions-boundary",
            Answer::Token => "--token",
            Answer::Region => "--region",
            Answer::CiVariable => "--ci-variable",
            Answer::Unit => "--ou",
            Answer::Account => "--account",
            Answer::MemberRole => "--member-role-name",
        }
    }
}

/// As the command line says it: the flag, the value and the rule.
impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:?}: {}", self.answer.flag(), self.value, self.rule)
    }
}
