//! Role: its name, path, description, session length and boundary, and whether it exists.

use super::super::{Field, Request};

#[derive(Debug, Clone, PartialEq)]
pub struct RoleState {
    pub name: Field,
    pub(in crate::tui::app) name_edited: bool,
    pub path: Field,
    pub description: Field,
    pub max_session: Field,
    pub boundary: Field,
    /// Whether the role named exists, looked up as it is typed.
    pub existing: Request<Option<ExistingRole>>,
    pub(in crate::tui::app) lookup_due: Option<u8>,
    /// The name the last look-up was for.
    pub(in crate::tui::app) lookup_for: Option<String>,
}

impl Default for RoleState {
    fn default() -> Self {
        RoleState {
            name: Field::new("Role name", ""),
            name_edited: false,
            path: Field::new("Role path", "/"),
            description: Field::new("Description", "")
                .with_placeholder("generated from the projects"),
            // Empty as the command line's default: a new role gets 3600 s, one that exists keeps
            // its own (a filled-in 3600 would shorten a role's 43200 unasked).
            max_session: Field::new("Max session (s)", "")
                .with_placeholder("3600, or the role's own"),
            boundary: Field::new("Boundary ARN", "").with_placeholder("none"),
            existing: Request::default(),
            lookup_due: None,
            lookup_for: None,
        }
    }
}

use super::super::keymap::{Binding, Key, form};
use super::super::{App, Effect, Element, ErrorView, LOOKUP_DEBOUNCE_TICKS, Load};
use crate::plan::input::RoleName;

pub(in crate::tui::app) fn keys(_app: &App) -> Vec<Binding> {
    let mut keys = form("next");
    keys.push(Binding::new(&[Key::Ctrl('u')], "Ctrl-U", "", "clear the field").when(false));
    keys
}

/// The name changed: what was found for the old name says nothing of the new one.
pub(in crate::tui::app) fn after_edit(app: &mut App, e: Element) {
    if e == Element::RoleName {
        app.role.name_edited = true;
        app.role.existing.reset();
        app.role.lookup_due = Some(LOOKUP_DEBOUNCE_TICKS);
    }
}

/// A tick: the look-up waits until typing pauses.
pub(in crate::tui::app) fn on_tick(app: &mut App) -> Vec<Effect> {
    if super::due_now(&mut app.role.lookup_due) {
        return app.lookup_role();
    }
    vec![]
}

pub(in crate::tui::app) fn on_lookup(
    app: &mut App,
    attempt: u64,
    result: Result<Option<ExistingRole>, ErrorView>,
) -> Vec<Effect> {
    if app.role.existing.accept(attempt, result) {
        app.adopt_attached();
    }
    vec![]
}

impl App {
    /// Look the typed role name up (a valid name only; answers for older names are dropped).
    pub(in crate::tui::app) fn lookup_role(&mut self) -> Vec<Effect> {
        self.role.lookup_due = None;
        let name = self.role.name.value.trim().to_string();
        if RoleName::parse(&name).is_err() || self.identity.loaded().is_none() {
            self.role.existing.state = Load::Idle;
            self.role.lookup_for = None;
            return vec![];
        }
        // Answered (or asked) already for this name: Permissions and Role share one GetRole.
        if self.role.lookup_for.as_deref() == Some(name.as_str())
            && matches!(self.role.existing.state, Load::Loaded(_) | Load::Loading)
        {
            return vec![];
        }
        self.role.lookup_for = Some(name.clone());
        vec![Effect::LookupRole {
            attempt: self.role.existing.start(),
            name,
        }]
    }
}

/// What exists under the role name typed on the Role screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingRole {
    pub name: String,
    pub path: String,
    /// Tagged as made by aws-oidc-wizard.
    pub ours: bool,
    /// The managed policies attached to it now.
    pub attached: Vec<crate::aws::AttachedPolicy>,
}
