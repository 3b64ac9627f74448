//! Identity provider: gitlab.com or a self-managed instance, its audience, and what AWS has.

use super::super::{Field, ProviderKind, Request};
use crate::aws::OidcProvider;
use crate::plan::DEFAULT_PROVIDER_URL;

#[derive(Debug, Clone, PartialEq)]
pub struct ProviderState {
    pub kind: ProviderKind,
    pub url: Field,
    pub audience: Field,
    pub(in crate::tui::app) audience_edited: bool,
    /// The provider of that URL in the account, looked up as the URL is typed.
    pub lookup: Request<Option<OidcProvider>>,
    pub(in crate::tui::app) lookup_due: Option<u8>,
    /// The pre-flight of a self-managed instance (what AWS will check).
    pub preflight: Request<crate::preflight::Report>,
    /// Thumbprints kept from a stopped setup: used instead of the pre-flight's, which must agree.
    pub carried_thumbprints: Vec<String>,
}

impl Default for ProviderState {
    fn default() -> Self {
        ProviderState {
            kind: ProviderKind::GitLabCom,
            url: Field::new("Instance URL", DEFAULT_PROVIDER_URL),
            audience: Field::new("Audience", DEFAULT_PROVIDER_URL),
            audience_edited: false,
            lookup: Request::default(),
            lookup_due: None,
            preflight: Request::default(),
            carried_thumbprints: Vec::new(),
        }
    }
}
