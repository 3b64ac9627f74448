//! Permissions: the account's managed policies to pick from, and custom ARNs.

use std::collections::BTreeSet;

use super::super::{Field, Request};
use crate::aws::ManagedPolicy;

#[derive(Debug, Clone, PartialEq)]
pub struct PermissionsState {
    pub policies: Request<Vec<PolicyItem>>,
    pub filter: Field,
    pub filtered: Vec<usize>,
    pub cursor: usize,
    pub selected: BTreeSet<String>,
    /// Attached to the existing role and unticked: Apply detaches them (the plan says so).
    pub detach: BTreeSet<String>,
    /// Ticked by the wizard because the existing role has them, not by the user.
    pub(in crate::tui::app) preselected: BTreeSet<String>,
    /// The role whose attached policies the list shows ticked.
    pub(in crate::tui::app) adopted_for: Option<String>,
    pub custom_policy: Field,
    /// The check of a custom ARN before it is selected.
    pub(in crate::tui::app) custom_check: Request<Option<ManagedPolicy>>,
}

impl Default for PermissionsState {
    fn default() -> Self {
        PermissionsState {
            policies: Request::default(),
            filter: Field::new("Filter", "").with_placeholder("type to filter"),
            filtered: Vec::new(),
            cursor: 0,
            selected: BTreeSet::new(),
            detach: BTreeSet::new(),
            preselected: BTreeSet::new(),
            adopted_for: None,
            custom_policy: Field::new("Custom ARN", "")
                .with_placeholder("arn:aws:iam::…:policy/name"),
            custom_check: Request::default(),
        }
    }
}

use super::super::keymap::{
    Binding, Command as Do, DOWN, END, ENTER, HOME, Nav, PAGE_DOWN, PAGE_UP, SPACE, TAB, UP, back,
    ch,
};
use super::super::{App, Confirm, Effect, Element, ErrorView, Load, Screen};
use crate::plan::input::is_admin_policy_arn;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Move the cursor by this many policies.
    Move(i32),
    First,
    Last,
    Toggle,
    /// Enter in the filter: select the highlighted policy and clear the filter.
    PickHighlighted,
    /// Enter in the custom ARN field: check it with AWS and select it, or unselect it.
    Custom,
    /// Back to the filter.
    Filter,
    /// Load the policies again after a failure.
    Reload,
}

pub(in crate::tui::app) fn keys(app: &App) -> Vec<Binding> {
    let act = |a| Do::Permissions(a);
    let focused = app.focused();
    let in_list = focused == Element::PolicyList;
    let p = &app.permissions;
    let enter = match focused {
        Element::Filter if !p.filter.value.is_empty() && app.cursor_policy().is_some() => {
            Binding::new(&[ENTER], "Enter", "select highlighted", "")
                .does(act(Action::PickHighlighted))
        }
        Element::CustomPolicy if !p.custom_policy.value.is_empty() => {
            Binding::new(&[ENTER], "Enter", "add or remove it", "").does(act(Action::Custom))
        }
        _ => Binding::new(&[ENTER], "Enter", "next", "").does(Do::Nav(Nav::Enter)),
    };
    let list = |keys: &[_], label, short, long, a| {
        Binding::new(keys, label, short, long)
            .does(act(a))
            .when(in_list)
    };
    vec![
        Binding::new(&[TAB], "Tab", "next field", "").does(Do::Nav(Nav::NextField)),
        enter,
        back(),
        list(
            &[SPACE, ch('x')],
            "Space",
            "select",
            "select or unselect (x too)",
            Action::Toggle,
        ),
        Binding::new(&[], "typing", "", "filter the policies (Filter field)"),
        list(
            &[DOWN, ch('j')],
            "↑/↓ j/k",
            "",
            "move in the list",
            Action::Move(1),
        ),
        list(&[UP, ch('k')], "↑", "", "", Action::Move(-1)),
        list(
            &[PAGE_DOWN],
            "PgUp/PgDn",
            "",
            "move by ten",
            Action::Move(10),
        ),
        list(&[PAGE_UP], "PgUp", "", "", Action::Move(-10)),
        list(&[HOME, ch('g')], "g / G", "", "first / last", Action::First),
        list(&[END, ch('G')], "G", "", "", Action::Last),
        Binding::new(
            &[],
            "Enter (Filter)",
            "",
            "select the highlighted one, clear the filter",
        ),
        list(&[ch('/')], "/", "", "back to the filter", Action::Filter),
        Binding::new(
            &[],
            "Enter (ARN)",
            "",
            "add a custom ARN (checked), or remove it",
        ),
        list(&[ch('r')], "r", "load again", "", Action::Reload)
            .when(matches!(p.policies.state, Load::Failed(_))),
    ]
}

pub(in crate::tui::app) fn act(app: &mut App, action: Action) -> Vec<Effect> {
    let n = app.permissions.filtered.len();
    let cursor = &mut app.permissions.cursor;
    match action {
        Action::Move(by) if by > 0 => {
            *cursor = (*cursor + by.unsigned_abs() as usize).min(n.saturating_sub(1))
        }
        Action::Move(by) => *cursor = cursor.saturating_sub(by.unsigned_abs() as usize),
        Action::First => *cursor = 0,
        Action::Last => *cursor = n.saturating_sub(1),
        Action::Toggle => toggle_policy(app),
        Action::Filter => app.focus = 0,
        Action::Reload => {
            app.permissions.policies.reset();
            return app.go_to(Screen::Permissions);
        }
        Action::PickHighlighted => {
            toggle_policy(app);
            app.permissions.filter.set("");
            app.permissions.cursor = 0;
            app.refilter();
        }
        Action::Custom => return custom(app),
    }
    vec![]
}

/// A custom ARN: one already selected is removed (a mistake undone); a new one is checked with
/// AWS before it is selected.
fn custom(app: &mut App) -> Vec<Effect> {
    if app.error(Element::CustomPolicy).is_some() {
        return vec![];
    }
    let arn = app.permissions.custom_policy.value.trim().to_string();
    if app.permissions.selected.contains(&arn) {
        app.set_selected(&arn, false);
        app.permissions.custom_policy.set("");
        app.notice = Some(if app.permissions.detach.contains(&arn) {
            format!("{arn} is attached to the role: Apply detaches it")
        } else {
            format!("removed {arn}")
        });
        return vec![];
    }
    app.notice = Some(format!("checking {arn}…"));
    vec![Effect::CheckPolicy {
        attempt: app.permissions.custom_check.start(),
        arn,
    }]
}

fn toggle_policy(app: &mut App) {
    let Some(item) = app.cursor_policy().cloned() else {
        return;
    };
    if app.permissions.selected.contains(&item.arn) {
        app.set_selected(&item.arn, false);
        return;
    }
    // Ticking again what the role already has needs no confirmation: nothing is attached.
    if item.admin && !app.is_attached(&item.arn) {
        app.ask(Confirm::AdminPolicy {
            arn: item.arn,
            name: item.name,
        });
    } else {
        app.set_selected(&item.arn, true);
    }
}

/// The filter changed.
pub(in crate::tui::app) fn after_edit(app: &mut App, e: Element) {
    if e == Element::Filter {
        app.permissions.cursor = 0;
        app.refilter();
    }
}

/// The account's policies arrived.
pub(in crate::tui::app) fn on_policies(
    app: &mut App,
    attempt: u64,
    result: Result<Vec<ManagedPolicy>, ErrorView>,
) -> Vec<Effect> {
    let items = result.map(|list| {
        let mut items: Vec<PolicyItem> = list
            .iter()
            .map(|p| PolicyItem::new(&p.arn, &p.name))
            .collect();
        // The account's own first (a team's usual pick), each kind by name.
        items.sort_by(|a, b| (!a.customer, &a.lower).cmp(&(!b.customer, &b.lower)));
        items
    });
    if app.permissions.policies.accept(attempt, items) {
        app.resolve_selected_names();
        app.refilter();
    }
    vec![]
}

/// The custom ARN was checked.
pub(in crate::tui::app) fn on_policy_checked(
    app: &mut App,
    attempt: u64,
    arn: String,
    result: Result<Option<ManagedPolicy>, ErrorView>,
) -> Vec<Effect> {
    if !app.permissions.custom_check.answers(attempt) {
        return vec![];
    }
    match result {
        Ok(Some(p)) if !p.attachable => {
            app.notice = Some(format!(
                "✗ {arn} cannot be attached to a role (it is for service-linked roles)"
            ));
        }
        Ok(Some(p)) => {
            app.permissions.custom_policy.set("");
            if is_admin_policy_arn(&arn) {
                app.ask(Confirm::AdminPolicy { arn, name: p.name });
            } else {
                app.notice = Some(format!("added {} (Enter on it again removes it)", p.name));
                app.set_selected(&arn, true);
            }
        }
        Ok(None) => app.notice = Some(format!("✗ {arn} does not exist in this account")),
        Err(e) => app.notice = Some(format!("✗ {arn} could not be checked: {}", e.code)),
    }
    vec![]
}

/// An AWS managed policy in the list, with what filtering needs precomputed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyItem {
    pub name: String,
    pub arn: String,
    pub(crate) lower: String,
    pub admin: bool,
    /// The account's own (customer managed), not AWS's.
    pub customer: bool,
}

impl PolicyItem {
    pub fn new(arn: &str, name: &str) -> Self {
        PolicyItem {
            name: name.to_string(),
            arn: arn.to_string(),
            lower: name.to_lowercase(),
            admin: is_admin_policy_arn(arn),
            customer: !arn.contains(":iam::aws:"),
        }
    }
}
