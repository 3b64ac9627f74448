//! The claims `explain` checks: from a JSON file of claims, or decoded from an ID token (never
//! stored or logged).

use std::path::PathBuf;

use crate::explain::{Claims, decode_token, parse_claims};

/// Where the claims come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimsSource {
    File(PathBuf),
    Token(String),
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
