//! The self-managed pre-flight as a gate: before AWS is read or changed for a self-managed
//! instance, check it the way AWS will, and settle the certificate thumbprint IAM needs.
//! gitlab.com needs no pre-flight (IAM trusts its CA).

use crate::plan::Setup;
use crate::preflight::Report;

/// How the setup's thumbprint is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Thumbprint {
    /// Take it from the pre-flight when the chain is not public.
    Auto,
    /// The setup's own thumbprints are used, and must hold the one the pre-flight finds.
    Given,
}

/// Why the setup cannot go on, in words without flags or keys (each face adds its way out).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GateError {
    #[error("the pre-flight of {url} failed: AWS would reject this instance's tokens")]
    Failed { url: String },
    #[error("{url} is not behind a public CA: IAM needs the thumbprint {needed}")]
    ThumbprintNeeded { url: String, needed: String },
    #[error("an automatic thumbprint needs the pre-flight of {url}")]
    AutoWithoutPreflight { url: String },
}

/// Whether this setup is to be checked before AWS is touched. `skip`: the user chose not to (an
/// instance AWS can reach and this machine cannot), which leaves nothing to take a thumbprint from.
pub fn wanted(setup: &Setup, thumbprint: Thumbprint, skip: bool) -> Result<bool, GateError> {
    if setup.provider_url.is_gitlab_com() {
        return Ok(false);
    }
    if skip && thumbprint == Thumbprint::Auto {
        return Err(GateError::AutoWithoutPreflight {
            url: setup.provider_url.to_string(),
        });
    }
    Ok(!skip)
}

/// Let the setup through the pre-flight's verdict, with the thumbprint settled. `report` is `None`
/// when no pre-flight was wanted.
pub fn gate(
    mut setup: Setup,
    report: Option<&Report>,
    thumbprint: Thumbprint,
) -> Result<Setup, GateError> {
    let Some(report) = report else {
        return Ok(setup);
    };
    if !report.passed() {
        return Err(GateError::Failed {
            url: setup.provider_url.to_string(),
        });
    }
    if let Some(needed) = report.needed_thumbprint() {
        match thumbprint {
            Thumbprint::Auto => setup.thumbprints = vec![needed.to_string()],
            Thumbprint::Given if setup.thumbprints.iter().any(|t| t == needed) => {}
            Thumbprint::Given => {
                return Err(GateError::ThumbprintNeeded {
                    url: setup.provider_url.to_string(),
                    needed: needed.to_string(),
                });
            }
        }
    }
    Ok(setup)
}
