//! A named check and its verdict, in words: what `explain` (issuer, audience, expiry) and the
//! self-managed pre-flight (TLS, issuer, keys) report, and the faces print or draw.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub passed: bool,
    pub detail: String,
}
