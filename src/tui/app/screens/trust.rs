//! Who may assume: the projects, the refs, and the namespace ids pinned for them.

use super::super::{Field, NamespacePins, Request};
use crate::plan::input::RefType;

#[derive(Debug, Clone, PartialEq)]
pub struct TrustState {
    pub projects: Field,
    pub ref_type: RefType,
    pub refs: Field,
    pub ref_protected: bool,
    pub project_ids: Field,
    /// A project-id look-up asked for a GitLab token: its field is shown.
    pub token_for_lookup: bool,
    /// The project-id look-up (Ctrl-L).
    pub ids: Request<Vec<String>>,
    /// Namespace ids to pin, with the projects they were found for.
    pub namespace_pins: NamespacePins,
    /// The namespace lookup (its answer goes to `namespace_pins`), and the projects it was for
    /// and whether with a token.
    pub(in crate::tui::app) namespaces: Request<()>,
    pub(in crate::tui::app) namespace_lookup_for: Option<(Vec<String>, bool)>,
}

impl Default for TrustState {
    fn default() -> Self {
        TrustState {
            projects: Field::new("Projects", "").with_placeholder("group/project, group/other"),
            ref_type: RefType::Branch,
            refs: Field::new("Refs", "main"),
            ref_protected: false,
            project_ids: Field::new("Project IDs", "")
                .with_placeholder("optional; Ctrl-L looks them up"),
            token_for_lookup: false,
            ids: Request::default(),
            namespace_pins: NamespacePins::default(),
            namespaces: Request::default(),
            namespace_lookup_for: None,
        }
    }
}

use super::super::keymap::{Binding, Command as Do, ENTER, Key, LEFT, Nav, RIGHT, TAB, back};
use super::super::{App, DEFAULT_PROVIDER_URL, Effect, Element, ErrorView, Load, Screen};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Look the project ids up (and the namespace ids again, now with the token).
    LookupIds,
}

pub(in crate::tui::app) fn keys(app: &App) -> Vec<Binding> {
    let focused = app.focused();
    let lookup = Do::Trust(Action::LookupIds);
    let enter = if focused == Element::GitLabToken {
        Binding::new(&[ENTER], "Enter", "look the ids up", "").does(lookup)
    } else {
        Binding::new(&[ENTER], "Enter", "next", "").does(Do::Nav(Nav::Enter))
    };
    let ctrl_l = |short| {
        Binding::new(
            &[Key::Ctrl('l')],
            "Ctrl-L",
            short,
            "look the project ids up (GitLab token)",
        )
        .does(lookup)
        .when(app.is_gitlab_com())
    };
    vec![
        Binding::new(&[TAB], "Tab", "next field", "").does(Do::Nav(Nav::NextField)),
        enter,
        back(),
        ctrl_l("look the ids up").when(focused == Element::ProjectIds),
        ctrl_l(""),
        Binding::new(
            &[LEFT, RIGHT],
            "←/→",
            "change",
            "change ref type / toggle protected",
        )
        .does(Do::Nav(Nav::Choose))
        .when(matches!(focused, Element::RefType | Element::RefProtected)),
        Binding::new(&[], ", or space", "", "separate several projects or refs"),
    ]
}

pub(in crate::tui::app) fn act(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::LookupIds if app.focused() == Element::GitLabToken => {
            let mut effects = app.lookup_project_ids();
            effects.extend(app.lookup_namespaces());
            effects
        }
        Action::LookupIds => app.lookup_project_ids(),
    }
}

/// The project ids arrived (or why not).
pub(in crate::tui::app) fn on_project_ids(
    app: &mut App,
    attempt: u64,
    result: Result<Vec<String>, ErrorView>,
) -> Vec<Effect> {
    if !app.trust.ids.answers(attempt) {
        return vec![];
    }
    match &result {
        Ok(ids) => {
            app.trust.project_ids.set(&ids.join(", "));
            app.notice = Some("project ids pinned: they survive renames and path reuse".into());
        }
        Err(e) => app.notice = Some(format!("{}: {}", e.code, e.message)),
    }
    app.trust.ids.accept(attempt, result);
    vec![]
}

impl App {
    /// Ctrl-L on Who may assume: look the project ids up (gitlab.com, with a GitLab token, which
    /// is asked for right there when there is none).
    pub(in crate::tui::app) fn lookup_project_ids(&mut self) -> Vec<Effect> {
        if self.demo {
            self.notice = Some(super::super::words::DEMO_NO_GITLAB.into());
            return vec![];
        }
        let Some(token) = crate::gitlab::Token::new(&self.gitlab_token.value) else {
            self.trust.token_for_lookup = true;
            if let Some(i) = self
                .elements()
                .iter()
                .position(|e| *e == Element::GitLabToken)
            {
                self.focus = i;
            }
            self.notice = Some(
                "paste a GitLab token (api or read_api scope; never stored), then Enter".into(),
            );
            return vec![];
        };
        let projects = crate::flow::gitlab::named_projects(&self.trust.projects.list());
        let url =
            match crate::gitlab::instance_url(self.gitlab_url.as_deref(), DEFAULT_PROVIDER_URL) {
                Ok(u) => u,
                Err(e) => {
                    self.notice = Some(e);
                    return vec![];
                }
            };
        if projects.is_empty() {
            self.notice = Some("name the projects first".into());
            return vec![];
        }
        self.notice = Some("looking the project ids up…".into());
        vec![Effect::LookupProjectIds {
            attempt: self.trust.ids.start(),
            url,
            token,
            projects,
        }]
    }

    /// Secure by default, as the CLI: look up the named projects' namespace ids (gitlab.com) to
    /// pin them. Not in the demo, not for a pattern, not again for the same projects (unless a
    /// token came since an anonymous lookup).
    pub(in crate::tui::app) fn lookup_namespaces(&mut self) -> Vec<Effect> {
        if self.demo || !self.reach_gitlab || !self.is_gitlab_com() {
            return vec![];
        }
        let projects = self.trust.projects.list();
        // Every project named (none a pattern, none invalid), as the variable's owners are.
        let named = !projects.is_empty()
            && crate::flow::gitlab::named_projects(&projects).len() == projects.len();
        let token = crate::gitlab::Token::new(&self.gitlab_token.value);
        let asked = match &self.trust.namespace_lookup_for {
            Some((p, with_token)) => *p == projects && (*with_token || token.is_none()),
            None => false,
        };
        if !named || self.trust.namespace_pins.projects == projects || asked {
            return vec![];
        }
        let (url, token) = crate::flow::gitlab::lookup_target(
            self.gitlab_url.as_deref(),
            DEFAULT_PROVIDER_URL,
            token,
        );
        self.trust.namespace_lookup_for = Some((projects.clone(), token.is_some()));
        vec![Effect::LookupNamespaceIds {
            attempt: self.trust.namespaces.start(),
            url,
            token,
            projects,
        }]
    }

    /// Review waits for the namespace lookup before it plans.
    pub fn waits_for_namespaces(&self) -> bool {
        self.review.waits_for_namespaces
    }

    /// The namespace lookup answered: pin what it found (all of the namespaces or none: a pin
    /// without one would lock its projects out), say what it did not, and make a plan that waited.
    pub(in crate::tui::app) fn on_namespace_ids(
        &mut self,
        attempt: u64,
        result: Result<crate::flow::gitlab::NamespaceIds, ErrorView>,
    ) -> Vec<Effect> {
        if !self.trust.namespaces.answers(attempt) {
            return vec![];
        }
        self.trust.namespaces.state = Load::Loaded(());
        let projects = self
            .trust
            .namespace_lookup_for
            .as_ref()
            .map(|(p, _)| p.clone())
            .unwrap_or_default();
        self.notice = Some(match result {
            Ok(found) if found.hidden.is_empty() => {
                let ids: Vec<String> = found.found.iter().map(|(_, id)| id.to_string()).collect();
                let named: Vec<String> = found
                    .found
                    .iter()
                    .map(|(ns, id)| format!("{ns} {id}"))
                    .collect();
                self.trust.namespace_pins = NamespacePins { projects, ids };
                format!(
                    "pinned namespace ids ({}): a re-registered name can't get in",
                    named.join(", ")
                )
            }
            Ok(found) => format!(
                "namespace id not pinned: {} not visible without a token (Ctrl-L on step 3)",
                found.hidden.join(", ")
            ),
            Err(e) => format!("namespace ids not pinned: {}", e.message),
        });
        let mut effects = if self.review.waits_for_namespaces && self.screen == Screen::Review {
            self.replan()
        } else {
            vec![]
        };
        effects.extend(self.keep_draft());
        effects
    }
}
