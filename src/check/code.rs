//! What a finding is about: one code each, with its severity and what it means. The list in
//! `docs/findings.md` is held to this one by a test.

use serde::Serialize;

use super::Severity;

macro_rules! codes {
    ($($variant:ident $name:literal $severity:ident $meaning:literal,)*) => {
        /// A finding's code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum Code {
            $(#[serde(rename = $name)] $variant,)*
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// What it means, in one line (the docs' list).
            pub fn meaning(self) -> &'static str {
                match self { $(Code::$variant => $meaning,)* }
            }
        }
    };
}

codes! {
    AnyAwsPrincipal "any-aws-principal" Critical "principals of any AWS account may call sts:AssumeRole",
    PrincipalAnyone "principal-anyone" Critical "Principal \"*\": tokens of any project, of any of the account's OIDC providers, get in",
    NoSub "no-sub" Critical "no sub condition: a token of any project on the issuer gets in",
    SubNotConfining "sub-not-confining" Critical "the sub condition only refuses some values: any other project gets in",
    SubMatchesEverything "sub-matches-everything" Critical "a sub pattern matches projects of groups the trust does not name",
    SubVariable "sub-variable" Critical "a sub pattern takes part of its value from the request (a policy variable the token's bringer chooses)",
    DuplicateKeysOpen "duplicate-keys-open" Critical "the trust policy repeats a key, and one of its readings lets an outsider in",
    AdmitsAnyProject "admits-any-project" Critical "an outsider's token gets in (a shape none of the codes above names)",
    ProviderMissing "provider-missing" High "the trust names an OIDC provider that does not exist",
    SubMatchesGroup "sub-matches-group" High "every project of a named group gets in, including ones created later",
    AnyRefUnprotected "any-ref-unprotected" High "a developer's unprotected branch or tag of a named project gets in",
    TagAsBranch "tag-as-branch" High "a tag with the name of a named branch gets in",
    SubIgnoreCase "sub-ignore-case" High "sub compared ignoring case: a ref of another case (another, unprotected ref) gets in",
    KeyWithScheme "key-with-scheme" High "a condition key written with https://: no request carries it",
    KeyOtherHost "key-other-host" High "a condition key of another issuer than the statement's provider",
    UnsupportedKey "unsupported-key" High "a condition key AWS does not offer for this issuer",
    AudienceNotRegistered "audience-not-registered" High "the trust asks for an audience the provider does not list",
    Dead "dead" High "no token at all gets in: no pipeline can assume the role",
    AdminPolicy "admin-policy" High "an administrator-level policy is attached",
    OpenFromNetwork "open-from-network" Medium "any project gets in from an address range the policy names",
    DuplicateKeys "duplicate-keys" Medium "the trust policy repeats a key in one object: IAM does not document which value it keeps",
    TrustUnknown "trust-unknown" Medium "the trust policy is not known before apply (a value from a resource not created yet, or a parameter without a default): nothing about it is decided",
    AnalysisIncomplete "analysis-incomplete" Medium "the reasoning could not decide who gets in (a bound, or a shape it does not settle): review by hand",
    ForAllValues "for-all-values" Medium "ForAllValues: is true when the claim is missing",
    EqualsWithWildcard "equals-with-wildcard" Medium "StringEquals with a '*': compared literally, never a pattern",
    SubNeverMatches "sub-never-matches" Medium "a sub value no subject GitLab issues can match",
    ThumbprintMissing "thumbprint-missing" Medium "a private CA's issuer without a thumbprint on the provider",
    ThumbprintStale "thumbprint-stale" Medium "the issuer's certificate no longer matches the provider's thumbprints",
    PathOnly "path-only" Low "the trust names paths without ids: a deleted or renamed namespace registered again gets in",
    ThumbprintUnchecked "thumbprint-unchecked" Low "the issuer was not reachable to compare its thumbprint",
    ShortSession "short-session" Low "the role's maximum session is below the hour CI jobs ask for",
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/findings.md lists every code with its severity, and nothing else.
    #[test]
    fn the_docs_list_every_code_with_its_severity() {
        let page = include_str!("../../docs/findings.md");
        let listed: Vec<(String, String)> = page
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| {
                let (code, rest) = l.split_once("` | ")?;
                let severity = rest.split(" |").next()?;
                Some((code.to_string(), severity.to_string()))
            })
            .collect();
        let want: Vec<(String, String)> = Code::ALL
            .iter()
            .map(|c| {
                let severity = serde_json::to_value(c.severity()).unwrap_or_default();
                (
                    c.as_str().to_string(),
                    severity.as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        assert_eq!(listed, want);
    }
}
