//! Identity provider: gitlab.com or a self-managed instance, its audience, and what AWS has.

use super::super::{Field, Request};
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

use super::super::keymap::{Binding, Command as Do, LEFT, Nav, RIGHT, ch, form};
use super::super::{App, Effect, Element, ErrorView, LOOKUP_DEBOUNCE_TICKS, Load};
use crate::plan::input::ProviderUrl;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Look the provider up again, and run the pre-flight of a self-managed instance again.
    CheckAgain,
}

pub(in crate::tui::app) fn keys(app: &App) -> Vec<Binding> {
    let mut keys = form("next");
    keys.extend([
        Binding::new(
            &[LEFT, RIGHT],
            "←/→",
            "change",
            "GitLab.com or self-managed",
        )
        .does(Do::Nav(Nav::Choose))
        .when(app.focused() == Element::ProviderKind),
        Binding::new(
            &[ch('r')],
            "r",
            "check again",
            "look the provider up and run the pre-flight again",
        )
        .does(Do::Provider(Action::CheckAgain))
        .when(app.focused() == Element::Next),
    ]);
    keys
}

pub(in crate::tui::app) fn act(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::CheckAgain => app.lookup_provider(),
    }
}

/// ←/→ on the provider kind.
pub(in crate::tui::app) fn switch_kind(app: &mut App) {
    app.provider.kind = match app.provider.kind {
        ProviderKind::GitLabCom => ProviderKind::SelfManaged,
        ProviderKind::SelfManaged => ProviderKind::GitLabCom,
    };
    // Thumbprints kept from a stopped setup belong to the instance they came with.
    app.provider.carried_thumbprints.clear();
    if app.provider.kind == ProviderKind::SelfManaged
        && app.provider.url.value == DEFAULT_PROVIDER_URL
    {
        app.provider.url.set("https://");
    }
    if !app.provider.audience_edited {
        let url = app.provider_url_value().to_string();
        app.provider.audience.set(&url);
    }
    app.provider.lookup_due = Some(LOOKUP_DEBOUNCE_TICKS);
}

/// A field of the screen was edited.
pub(in crate::tui::app) fn after_edit(app: &mut App, e: Element) {
    match e {
        Element::ProviderUrl => {
            // Another instance has another certificate: the pre-flight settles it anew.
            app.provider.carried_thumbprints.clear();
            if !app.provider.audience_edited {
                let url = app.provider.url.value.clone();
                app.provider.audience.set(&url);
            }
        }
        Element::Audience => app.provider.audience_edited = true,
        _ => return,
    }
    app.provider.lookup_due = Some(LOOKUP_DEBOUNCE_TICKS);
}

/// A tick: the look-up waits until typing pauses.
pub(in crate::tui::app) fn on_tick(app: &mut App) -> Vec<Effect> {
    if super::due_now(&mut app.provider.lookup_due) {
        return app.lookup_provider();
    }
    vec![]
}

pub(in crate::tui::app) fn on_lookup(
    app: &mut App,
    attempt: u64,
    result: Result<Option<OidcProvider>, ErrorView>,
) -> Vec<Effect> {
    app.provider.lookup.accept(attempt, result);
    vec![]
}

pub(in crate::tui::app) fn on_preflight(
    app: &mut App,
    attempt: u64,
    report: crate::preflight::Report,
) -> Vec<Effect> {
    if !app.provider.preflight.accept(attempt, Ok(report)) {
        return vec![];
    }
    if app.review.waits_for_preflight && app.screen == super::super::Screen::Review {
        return app.replan();
    }
    vec![]
}

impl App {
    pub(in crate::tui::app) fn lookup_provider(&mut self) -> Vec<Effect> {
        self.provider.lookup_due = None;
        let Ok(url) = ProviderUrl::parse(self.provider_url_value()) else {
            self.provider.lookup.state = Load::Idle;
            return vec![];
        };
        let Some((id, _)) = self.identity.loaded() else {
            return vec![];
        };
        let mut effects = vec![Effect::LookupProvider {
            attempt: self.provider.lookup.start(),
            arn: url.provider_arn(id.partition(), &id.account),
        }];
        if url.is_gitlab_com() {
            self.provider.preflight.state = Load::Idle;
        } else {
            effects.push(self.start_preflight(&url));
        }
        effects
    }

    pub(in crate::tui::app) fn start_preflight(&mut self, url: &ProviderUrl) -> Effect {
        Effect::Preflight {
            attempt: self.provider.preflight.start(),
            url: url.as_str().to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    GitLabCom,
    SelfManaged,
}
