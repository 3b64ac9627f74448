//! Handling messages: keys, mouse and background results. Each message goes to the screen
//! that owns it (`screens/<screen>.rs`); a key runs only through the bindings of the screen
//! shown (`keymap`), or is typed into the focused field.

use super::keymap::{Binding, Command};
use super::screens::{
    account, apply, check, done, explain, permissions, provider, remove, review, role, trust, units,
};
use super::*;

/// The pure update: apply one message, return the effects to perform.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    // An answer of an apply that was stopped or started again says nothing of this one.
    if let Msg::ActionSent { attempt, .. }
    | Msg::ApplyCancelled { attempt }
    | Msg::ActionStarted { attempt, .. }
    | Msg::ActionFinished { attempt, .. } = &msg
        && *attempt != app.apply.attempt
    {
        return vec![];
    }
    match msg {
        Msg::Key(key) => on_key(app, key),
        Msg::Mouse(m) => on_mouse(app, m),
        Msg::Paste(text) => on_paste(app, &text),
        Msg::Tick => on_tick(app),
        Msg::Terminate => app.quit_now(),
        Msg::KeysDropped => app.say(words::KEYS_DROPPED),
        Msg::JournalUnsaved(why) => app.journal_unsaved_because(why),
        Msg::Identity { attempt, result } => app.on_identity(attempt, result),
        Msg::Profiles(names) => account::on_profiles(app, names),
        Msg::Setups { attempt, result } => account::on_setups(app, attempt, result),
        Msg::ProviderLookup { attempt, result } => provider::on_lookup(app, attempt, result),
        Msg::Preflighted { attempt, report } => provider::on_preflight(app, attempt, *report),
        Msg::NamespaceIds { attempt, result } => app.on_namespace_ids(attempt, result),
        Msg::ProjectIds { attempt, result } => trust::on_project_ids(app, attempt, result),
        Msg::Policies { attempt, result } => permissions::on_policies(app, attempt, result),
        Msg::PolicyChecked {
            attempt,
            arn,
            result,
        } => permissions::on_policy_checked(app, attempt, arn, result),
        Msg::RoleLookup { attempt, result } => role::on_lookup(app, attempt, result),
        Msg::Planned { attempt, result } => review::on_plan(app, attempt, result),
        Msg::ActionSent { index, sent, .. } => apply::on_sent(app, index, sent),
        Msg::ActionStarted { index, .. } => apply::on_started(app, index),
        Msg::ApplyCancelled { .. } => apply::on_cancelled(app),
        Msg::ActionFinished { index, result, .. } => apply::on_finished(app, index, result),
        Msg::Calls { total, mutating } => done::on_calls(app, total, mutating),
        Msg::Copied { what, result } => done::on_copied(app, what, result),
        Msg::Exported(result) => done::on_exported(app, result),
        Msg::ExportExists { path, content } => done::on_export_exists(app, path, content),
        Msg::Stored { attempt, result } => done::on_stored(app, attempt, result),
        Msg::Checked { attempt, result } => check::on_checked(app, attempt, result),
        Msg::OrganizationFound { attempt, found } => {
            check::on_organization_found(app, attempt, found)
        }
        Msg::OrgProgress { attempt, progress } => check::on_org_progress(app, attempt, progress),
        Msg::OrgChecked { attempt, result } => check::on_org_checked(app, attempt, result),
        Msg::UnitsListed { attempt, result } => units::on_units(app, attempt, result),
        Msg::OrgPlanned { attempt, result } => units::on_plan(app, attempt, result),
        Msg::RolloutProgress { attempt, progress } => units::on_progress(app, attempt, progress),
        Msg::RolledOut { attempt, result } => units::on_finished(app, attempt, result),
        Msg::Explained { attempt, result } => explain::on_explained(app, attempt, result),
        Msg::GitLabRoles { attempt, result } => app.on_gitlab_roles(attempt, result),
        Msg::RemovePlanned { attempt, result } => remove::on_planned(app, attempt, result),
        Msg::Removed { attempt, result } => remove::on_removed(app, attempt, result),
    }
}

/// Every tick: the spinner, the time of running calls, and the look-ups that wait for typing
/// to pause.
fn on_tick(app: &mut App) -> Vec<Effect> {
    app.spinner = app.spinner.wrapping_add(1);
    for row in &mut app.apply.rows {
        if row.state == ActionState::Running {
            row.ticks = row.ticks.saturating_add(1);
        }
    }
    let mut effects = provider::on_tick(app);
    effects.extend(role::on_tick(app));
    effects
}

/// A paste goes into the focused text field as text (a list field takes one entry per line);
/// it never moves on, answers a dialog or triggers a key of the screen.
fn on_paste(app: &mut App, text: &str) -> Vec<Effect> {
    if app.confirm.is_some() {
        app.paste_in_dialog(text);
        return vec![];
    }
    if app.help || app.apply.running {
        return vec![];
    }
    let focused = app.focused();
    let list = matches!(
        focused,
        Element::Projects | Element::Refs | Element::ProjectIds
    );
    let Some(field) = app.field_mut(focused) else {
        app.notice = Some("a paste goes into a text field: Tab to one first".into());
        return vec![];
    };
    let changed = if list {
        field.paste_list(text)
    } else {
        field.paste(text)
    };
    if !changed {
        return vec![];
    }
    app.notice = None;
    after_edit(app, focused);
    vec![]
}

fn on_mouse(app: &mut App, m: MouseEvent) -> Vec<Effect> {
    // A dialog or the help covers the screen: a click never acts behind it.
    if m.kind != MouseEventKind::Down(MouseButton::Left) || app.confirm.is_some() || app.help {
        return vec![];
    }
    let Some(area) = app.step_list_area else {
        return vec![];
    };
    let inside = m.column >= area.x
        && m.column < area.x + area.width
        && m.row > area.y
        && m.row < area.y + area.height;
    if !inside {
        return vec![];
    }
    let index = usize::from(m.row - area.y - 1);
    match app.steps().get(index) {
        // Back to any earlier answer; forward only by going on.
        Some(&target) if target < app.screen && !app.apply.running && target < Screen::Apply => {
            app.go_to(target)
        }
        _ => vec![],
    }
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && key.code == KeyCode::Char('c') {
        return nav::ask_quit(app);
    }
    if let Some(confirm) = app.confirm.clone() {
        return super::dialog::on_confirm(app, confirm, key);
    }
    if app.help {
        if matches!(
            key.code,
            KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') | KeyCode::F(1)
        ) {
            app.help = false;
        }
        return vec![];
    }
    app.notice = None;
    let focused = app.focused();
    let in_text = app.field(focused).is_some();
    if let Some(action) = app
        .bindings()
        .into_iter()
        .find(|b| b.answers(key, in_text))
        .map(|b| b.action)
    {
        return run(app, action, key);
    }
    // Not a binding: text for the focused field.
    let Some(field) = app.field_mut(focused) else {
        return vec![];
    };
    if field.on_key(key) {
        after_edit(app, focused);
    }
    vec![]
}

/// Run a binding's command: navigation, or the screen's own action.
fn run(app: &mut App, command: Command, key: KeyEvent) -> Vec<Effect> {
    match command {
        Command::Nav(n) => nav::run(app, n, key),
        own => super::screens::act(app, own),
    }
}

impl App {
    /// The keys that act now, first the screen's, then navigation: the first that answers a key
    /// runs it. The footer and the help are made from the same list.
    pub fn bindings(&self) -> Vec<Binding> {
        let mut keys = super::screens::keys(self);
        // ↑/↓ move the focus, except in a list and on a screen of one element (they scroll).
        let vertical = !matches!(self.focused(), Element::PolicyList | Element::Setups)
            && self.elements().len() > 1;
        let in_text = self.field(self.focused()).is_some();
        keys.extend(keymap::nav(vertical, in_text));
        keys
    }
}

/// What follows a change of a field's value, typed or pasted.
fn after_edit(app: &mut App, e: Element) {
    provider::after_edit(app, e);
    permissions::after_edit(app, e);
    role::after_edit(app, e);
}
