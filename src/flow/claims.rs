//! The claims `explain` checks: from a JSON file of claims, or decoded from an ID token (never
//! stored or logged).

use std::path::PathBuf;

use crate::explain::{Claims, decode_token, parse_claims};

/// Where the claims come from. A token is never shown, not even by `{:?}`.
#[derive(Clone, PartialEq, Eq)]
pub enum ClaimsSource {
    File(PathBuf),
    Token(String),
}

impl std::fmt::Debug for ClaimsSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClaimsSource::File(path) => f.debug_tuple("File").field(path).finish(),
            ClaimsSource::Token(_) => f.write_str("Token([redacted])"),
        }
    }
}

/// Why the claims could not be read, in words without flags or keys.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimsError {
    #[error("{}: cannot read it: {reason}", path.display())]
    Unreadable { path: PathBuf, reason: String },
    #[error("{}: {reason}", path.display())]
    NotClaims { path: PathBuf, reason: String },
    #[error("the token {reason}")]
    NotAToken { reason: String },
}

pub fn read_claims(source: &ClaimsSource) -> Result<Claims, ClaimsError> {
    match source {
        ClaimsSource::File(path) => {
            let bytes = std::fs::read(path).map_err(|e| ClaimsError::Unreadable {
                path: path.clone(),
                reason: e.to_string(),
            })?;
            parse_claims(&bytes).map_err(|reason| ClaimsError::NotClaims {
                path: path.clone(),
                reason,
            })
        }
        ClaimsSource::Token(token) => {
            decode_token(token).map_err(|e| ClaimsError::NotAToken { reason: e.rule })
        }
    }
}
