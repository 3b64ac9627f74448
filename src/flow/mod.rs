//! The setup flow around the engine, shared by both faces: continue from a journal, gate on the
//! self-managed pre-flight, apply with the journal kept, pin GitLab project ids, store the role ARN
//! as a CI/CD variable, read a token's claims. Everything here returns values and never prints;
//! the CLI words and prints them, the wizard turns them into messages.

pub mod apply;
pub mod claims;
pub mod gitlab;
pub mod preflight;
#[cfg(test)]
mod tests;

pub use apply::apply_from;
