//! Handling messages: keys, mouse and background results.

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
        Msg::Tick => {
            app.spinner = app.spinner.wrapping_add(1);
            for row in &mut app.apply.rows {
                if row.state == ActionState::Running {
                    row.ticks = row.ticks.saturating_add(1);
                }
            }
            let mut effects = match app.provider.lookup_due {
                Some(0) => app.lookup_provider(),
                Some(n) => {
                    app.provider.lookup_due = Some(n - 1);
                    vec![]
                }
                None => vec![],
            };
            match app.role.lookup_due {
                Some(0) => effects.extend(app.lookup_role()),
                Some(n) => app.role.lookup_due = Some(n - 1),
                None => {}
            }
            effects
        }
        Msg::Profiles(names) => {
            app.account.known_profiles = names;
            vec![]
        }
        Msg::PolicyChecked {
            attempt,
            arn,
            result,
        } => {
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
                        app.notice =
                            Some(format!("added {} (Enter on it again removes it)", p.name));
                        app.set_selected(&arn, true);
                    }
                }
                Ok(None) => app.notice = Some(format!("✗ {arn} does not exist in this account")),
                Err(e) => app.notice = Some(format!("✗ {arn} could not be checked: {}", e.code)),
            }
            vec![]
        }
        Msg::RoleLookup { attempt, result } => {
            if app.role.existing.accept(attempt, result) {
                app.adopt_attached();
            }
            vec![]
        }
        Msg::Terminate => app.quit_now(),
        Msg::KeysDropped => {
            app.notice = Some(super::words::KEYS_DROPPED.into());
            vec![]
        }
        Msg::JournalUnsaved(why) => {
            app.journal_unsaved = why;
            vec![]
        }
        Msg::Identity { attempt, result } => {
            if !app.identity.accept(attempt, result) {
                return vec![];
            }
            // The account changed: what was read for the old one no longer holds.
            app.provider.lookup.state = Load::Idle;
            app.forget_role_lookup();
            let mut effects = Vec::new();
            // Listed while the first screen shows (a continued setup goes on without them).
            if app.identity.loaded().is_some()
                && app.screen == Screen::Account
                && !app.resume_to_review
            {
                effects.push(app.list_setups());
            }
            if app.resume_to_review && app.identity.loaded().is_some() {
                app.resume_to_review = false;
                let target = app.first_unfinished_screen();
                effects.extend(app.go_to(target));
            }
            effects
        }
        Msg::Setups { attempt, result } => {
            app.account.setups.accept(attempt, result);
            vec![]
        }
        Msg::ProviderLookup { attempt, result } => {
            app.provider.lookup.accept(attempt, result);
            vec![]
        }
        Msg::NamespaceIds { attempt, result } => app.on_namespace_ids(attempt, result),
        Msg::Preflighted { attempt, report } => {
            if !app.provider.preflight.accept(attempt, Ok(*report)) {
                return vec![];
            }
            if app.review.waits_for_preflight && app.screen == Screen::Review {
                return app.replan();
            }
            vec![]
        }
        Msg::Policies { attempt, result } => {
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
        Msg::Planned { attempt, result } => {
            app.review.plan.accept(attempt, result);
            vec![]
        }
        Msg::ActionSent { index, sent, .. } => {
            if let Some(row) = app.apply.rows.get_mut(index) {
                row.sent = sent;
            }
            vec![]
        }
        Msg::ApplyCancelled { .. } => {
            // Ignored when the apply ended before the cancel reached it.
            if app.apply.running {
                app.apply.running = false;
                app.notice = None;
                // The call in flight; between two calls, the next one (so that r has a step).
                let at = app
                    .apply
                    .rows
                    .iter()
                    .position(|r| r.state == ActionState::Running)
                    .or_else(|| {
                        app.apply
                            .rows
                            .iter()
                            .position(|r| r.state == ActionState::Waiting)
                    });
                if let Some(row) = at.and_then(|i| app.apply.rows.get_mut(i)) {
                    row.state = ActionState::Failed(ErrorView {
                        code: CANCELLED.into(),
                        message: format!(
                            "stopped waiting after {:.1} s; AWS may still have done it",
                            f64::from(row.ticks) / 10.0
                        ),
                        hint:
                            "r reads what exists again and shows Review; nothing is repeated blind"
                                .into(),
                    });
                }
            }
            vec![]
        }
        Msg::ActionStarted { index, .. } => {
            if let Some(row) = app.apply.rows.get_mut(index) {
                row.state = ActionState::Running;
            }
            vec![]
        }
        Msg::ActionFinished { index, result, .. } => {
            let ok = result.is_ok();
            let mut effects = Vec::new();
            // The runner has written it to the journal; this copy is what Review saves again.
            if let (Ok(_), Some(row), Some(journal)) =
                (&result, app.apply.rows.get(index), app.journal.as_mut())
            {
                journal.finished.push(row.label.clone());
            }
            // What changed AWS, not what was found done already.
            if let (Ok(done), Some(row)) = (&result, app.apply.rows.get(index))
                && !matches!(done, Done::Reused | Done::Unchanged)
                && !app.changed.contains(&row.label)
            {
                app.changed.push(row.label.clone());
            }
            if let Some(row) = app.apply.rows.get_mut(index) {
                row.state = match result {
                    Ok(d) => ActionState::Done(d),
                    Err(e) => ActionState::Failed(e),
                };
            }
            if !ok {
                app.apply.running = false;
                return effects;
            }
            if index + 1 >= app.apply.rows.len() {
                effects.extend(app.finish_apply());
            }
            effects
        }
        m @ (Msg::Checked { .. }
        | Msg::Explained { .. }
        | Msg::RemovePlanned { .. }
        | Msg::Removed { .. }
        | Msg::Stored { .. }
        | Msg::ProjectIds { .. }) => app.on_task_result(m),
        Msg::Copied { what, result } => {
            app.done.copied = Some((what, result));
            vec![]
        }
        Msg::Exported(result) => {
            app.notice = Some(match result {
                Ok(said) => said,
                Err(e) => format!("✗ {e}"),
            });
            vec![]
        }
        Msg::ExportExists { path, content } => {
            app.ask(Confirm::OverwriteExport { path, content });
            vec![]
        }
        Msg::Mouse(m) => on_mouse(app, m),
        Msg::Paste(text) => on_paste(app, &text),
        Msg::GitLabRoles { attempt, result } => {
            app.gitlab_roles.accept(attempt, result);
            vec![]
        }
        Msg::Calls { total, mutating } => {
            app.done.calls = Some((total, mutating));
            vec![]
        }
        Msg::Key(key) => on_key(app, key),
    }
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
    after_edit(app, focused)
}

fn on_mouse(app: &mut App, m: MouseEvent) -> Vec<Effect> {
    if m.kind != MouseEventKind::Down(MouseButton::Left) {
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
        return ask_quit(app);
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
    if ctrl && key.code == KeyCode::Char('l') && app.screen == Screen::Trust && app.is_gitlab_com()
    {
        return app.lookup_project_ids();
    }
    // Ctrl-N/Ctrl-P pick from a list where a field has one: the configured profiles, the known
    // regions, the account's GitLab roles (Explain and Remove). ↓/↑ move the focus, as anywhere.
    let pick = match key.code {
        KeyCode::Char('n') if ctrl => Some(KeyCode::Down),
        KeyCode::Char('p') if ctrl => Some(KeyCode::Up),
        _ => None,
    };
    if let Some(direction) = pick {
        let choices: Option<Vec<String>> = match focused {
            Element::Profile => Some(app.account.known_profiles.clone()),
            Element::Region => Some(
                crate::plan::input::REGIONS
                    .iter()
                    .map(|r| r.to_string())
                    .collect(),
            ),
            Element::TargetRole => app.gitlab_roles.loaded().cloned(),
            _ => None,
        };
        if let Some(choices) = choices.filter(|c| !c.is_empty())
            && let Some(field) = app.field_mut(focused)
        {
            let at = choices.iter().position(|c| *c == field.value.trim());
            let n = choices.len();
            let next = match (direction, at) {
                (KeyCode::Down, Some(i)) => (i + 1) % n,
                (KeyCode::Up, Some(i)) => (i + n - 1) % n,
                (KeyCode::Up, None) => n - 1,
                _ => 0,
            };
            field.set(&choices[next]);
            return vec![];
        }
    }
    // The Task options are a vertical list: ↓/↑ (and j/k) move between them.
    if focused == Element::Task {
        let step = match key.code {
            KeyCode::Down | KeyCode::Char('j') => Some(KeyCode::Right),
            KeyCode::Up | KeyCode::Char('k') => Some(KeyCode::Left),
            _ => None,
        };
        if let Some(code) = step {
            return on_choice(app, focused, KeyEvent::new(code, KeyModifiers::NONE));
        }
    }
    match key.code {
        KeyCode::F(1) => {
            app.help = true;
            return vec![];
        }
        KeyCode::Char('?') if !in_text => {
            app.help = true;
            return vec![];
        }
        KeyCode::Char('q') if !in_text => return ask_quit(app),
        KeyCode::Char('m') if !in_text => {
            app.mouse_capture = !app.mouse_capture;
            app.notice = Some(if app.mouse_capture {
                "mouse: clicks go to the wizard (m gives it back to the terminal)".into()
            } else {
                "mouse: the terminal selects text (m gives clicks back to the wizard)".into()
            });
            return vec![];
        }
        KeyCode::Down | KeyCode::Up
            if matches!(focused, Element::PolicyList | Element::Setups)
                || app.elements().len() == 1 => {}
        KeyCode::Tab | KeyCode::Down => {
            app.focus = (app.focus + 1) % app.elements().len();
            return on_blur(app, focused);
        }
        KeyCode::BackTab | KeyCode::Up => {
            let n = app.elements().len();
            app.focus = (app.focus + n - 1) % n;
            return on_blur(app, focused);
        }
        KeyCode::Esc => return back(app),
        _ => {}
    }
    match focused {
        Element::ProviderKind | Element::RefType | Element::RefProtected | Element::Task => {
            on_choice(app, focused, key)
        }
        Element::PolicyList => on_list(app, key),
        Element::Setups => on_setups(app, key),
        Element::Next => on_next_key(app, key),
        e => on_field(app, e, key),
    }
}

fn ask_quit(app: &mut App) -> Vec<Effect> {
    if app.apply.running {
        app.ask(Confirm::Quit);
        vec![]
    } else if app.has_answers() && !app.applied_is_current() {
        app.ask(Confirm::QuitDraft);
        vec![]
    } else {
        app.quit_now()
    }
}

fn back(app: &mut App) -> Vec<Effect> {
    // A call that hangs is given up on: the step shows as cancelled, and nothing after it runs.
    if app.apply.running {
        app.notice = Some("cancelling: the call in flight is dropped…".into());
        return vec![Effect::CancelApply {
            attempt: app.apply.attempt,
        }];
    }
    match app.screen {
        Screen::Account => vec![],
        // From a finished setup, Esc goes to the review of what now exists.
        Screen::Done | Screen::Apply => app.go_to(Screen::Review),
        Screen::Check | Screen::Explain | Screen::Remove => app.go_to(Screen::Account),
        s => app.go_to(s.prev()),
    }
}

/// Leaving an element: some answers take effect now.
fn on_blur(app: &mut App, left: Element) -> Vec<Effect> {
    if let Some(f) = app.field_mut(left) {
        f.touched = true;
    }
    match left {
        Element::Profile | Element::Region => {
            // A changed profile or region takes effect on leaving the field.
            let wanted = (
                non_empty(&app.account.profile.value),
                non_empty(&app.account.region.value),
            );
            if wanted != app.connected_with {
                // A malformed region is said next to the field; no call is made with it.
                if app.error(Element::Region).is_some() {
                    return vec![];
                }
                return vec![app.connect()];
            }
            vec![]
        }
        _ => vec![],
    }
}

fn on_choice(app: &mut App, e: Element, key: KeyEvent) -> Vec<Effect> {
    let forward = match key.code {
        // Only arrows and Space change a choice: a typed letter never does.
        KeyCode::Right | KeyCode::Char(' ') => true,
        KeyCode::Left => false,
        KeyCode::Enter => return enter_on(app, e),
        _ => return vec![],
    };
    match e {
        Element::Task => {
            let i = Task::ALL.iter().position(|t| *t == app.task).unwrap_or(0);
            let n = Task::ALL.len();
            app.task = Task::ALL[if forward {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            }];
        }
        Element::ProviderKind => {
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
        Element::RefType => {
            let order = [RefType::Branch, RefType::Tag, RefType::Any];
            let i = order
                .iter()
                .position(|t| *t == app.trust.ref_type)
                .unwrap_or(0);
            app.trust.ref_type = order[if forward { (i + 1) % 3 } else { (i + 2) % 3 }];
        }
        Element::RefProtected => app.trust.ref_protected = !app.trust.ref_protected,
        _ => {}
    }
    vec![]
}

fn on_list(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let n = app.permissions.filtered.len();
    match key.code {
        KeyCode::Down | KeyCode::Char('j') if n > 0 => {
            app.permissions.cursor = (app.permissions.cursor + 1).min(n - 1)
        }
        KeyCode::Up | KeyCode::Char('k') => {
            app.permissions.cursor = app.permissions.cursor.saturating_sub(1)
        }
        KeyCode::PageDown => {
            app.permissions.cursor = (app.permissions.cursor + 10).min(n.saturating_sub(1))
        }
        KeyCode::PageUp => app.permissions.cursor = app.permissions.cursor.saturating_sub(10),
        KeyCode::Home | KeyCode::Char('g') => app.permissions.cursor = 0,
        KeyCode::End | KeyCode::Char('G') => app.permissions.cursor = n.saturating_sub(1),
        KeyCode::Char(' ') | KeyCode::Char('x') => toggle_policy(app),
        KeyCode::Char('r') if matches!(app.permissions.policies.state, Load::Failed(_)) => {
            app.permissions.policies.state = Load::Idle;
            return app.go_to(Screen::Permissions);
        }
        KeyCode::Enter => return enter_on(app, Element::PolicyList),
        KeyCode::Char('/') => app.focus = 0,
        _ => {}
    }
    vec![]
}

/// The setups list of the first screen: ↑/↓ move (↑ on the first leaves the list), `c` copies
/// the highlighted role's ARN, Enter prints it on stdout and ends the wizard.
fn on_setups(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let n = app.account.setups.loaded().map_or(0, Vec::len);
    match key.code {
        KeyCode::Down | KeyCode::Char('j') => {
            app.account.setups_cursor = (app.account.setups_cursor + 1).min(n.saturating_sub(1))
        }
        KeyCode::Up | KeyCode::Char('k') if app.account.setups_cursor == 0 => {
            app.focus = app.focus.saturating_sub(1)
        }
        KeyCode::Up | KeyCode::Char('k') => app.account.setups_cursor -= 1,
        KeyCode::Char('c') => {
            if let Some(s) = app.setup_at_cursor() {
                return vec![Effect::Copy {
                    what: "the role ARN",
                    text: s.arn.clone(),
                }];
            }
        }
        KeyCode::Enter => return app.pick_setup(),
        _ => {}
    }
    vec![]
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

fn on_field(app: &mut App, e: Element, key: KeyEvent) -> Vec<Effect> {
    if key.code == KeyCode::Enter {
        return match e {
            // A custom ARN: one already selected is removed (a mistake undone); a new one is
            // checked with AWS before it is selected.
            Element::CustomPolicy if !app.permissions.custom_policy.value.is_empty() => {
                if app.error(e).is_some() {
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
            Element::GitLabToken if app.screen == Screen::Trust => {
                let mut effects = app.lookup_project_ids();
                effects.extend(app.lookup_namespaces());
                effects
            }
            Element::GitLabToken => {
                app.focus = 0;
                app.ask_store()
            }
            // While filtering, Enter picks the highlighted policy (as a picker does) and clears
            // the filter; on an empty filter it goes on.
            Element::Filter
                if !app.permissions.filter.value.is_empty() && app.cursor_policy().is_some() =>
            {
                toggle_policy(app);
                app.permissions.filter.set("");
                app.permissions.cursor = 0;
                app.refilter();
                vec![]
            }
            _ => enter_on(app, e),
        };
    }
    let Some(field) = app.field_mut(e) else {
        return vec![];
    };
    if !field.on_key(key) {
        return vec![];
    }
    after_edit(app, e)
}

/// What follows a change of a field's value, typed or pasted.
fn after_edit(app: &mut App, e: Element) -> Vec<Effect> {
    match e {
        Element::ProviderUrl => {
            // Another instance has another certificate: the pre-flight settles it anew.
            app.provider.carried_thumbprints.clear();
            if !app.provider.audience_edited {
                let url = app.provider.url.value.clone();
                app.provider.audience.set(&url);
            }
            app.provider.lookup_due = Some(LOOKUP_DEBOUNCE_TICKS);
        }
        Element::Audience => {
            app.provider.audience_edited = true;
            app.provider.lookup_due = Some(LOOKUP_DEBOUNCE_TICKS);
        }
        Element::RoleName => {
            app.role.name_edited = true;
            // What was found for the old name says nothing of the new one.
            app.role.existing.state = Load::Idle;
            app.role.lookup_due = Some(LOOKUP_DEBOUNCE_TICKS);
        }
        Element::Filter => {
            app.permissions.cursor = 0;
            app.refilter();
        }
        _ => {}
    }
    vec![]
}

fn on_next_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    match (app.screen, key.code) {
        (Screen::Account, KeyCode::Char('r')) => vec![app.connect()],
        (Screen::Account, KeyCode::Char('d')) if app.can_try_demo() => {
            app.demo = true;
            vec![app.connect()]
        }
        (Screen::Check, KeyCode::Char('r')) => app.run_check(),
        (Screen::Check | Screen::Explain | Screen::Remove, KeyCode::Enter) => app.task_action(),
        // The command line's --force, behind a question: only after the plan said "not ours" or
        // "in instance profiles".
        (Screen::Remove, KeyCode::Char('f')) if app.remove_can_force() => {
            if let Load::Failed(e) = &app.remove.plan.state {
                app.ask(Confirm::ForceRemove {
                    role: app.target_role.value.trim().to_string(),
                    why: e.message.clone(),
                    in_profiles: e.code == "InInstanceProfiles",
                });
            }
            vec![]
        }
        (Screen::Check | Screen::Explain | Screen::Remove, KeyCode::Char('j') | KeyCode::Down) => {
            app.scroll = app.scroll.saturating_add(1).min(app.scroll_max.get());
            vec![]
        }
        (Screen::Check | Screen::Explain | Screen::Remove, KeyCode::Char('k') | KeyCode::Up) => {
            app.scroll = app.scroll.saturating_sub(1);
            vec![]
        }
        (Screen::Review, KeyCode::Char('r')) => app.replan(),
        (Screen::Review, KeyCode::Char('+')) => app.keep_trusted_projects(),
        (Screen::Apply, KeyCode::Char('r')) if !app.apply.running => {
            let failed = app
                .apply
                .rows
                .iter()
                .position(|r| matches!(&r.state, ActionState::Failed(_)));
            let cancelled = app
                .apply
                .rows
                .iter()
                .any(|r| matches!(&r.state, ActionState::Failed(e) if e.code == CANCELLED));
            match failed {
                // A call given up on may have been done: read again rather than repeat it.
                Some(_) if cancelled => app.go_to(Screen::Review),
                Some(i) => {
                    let step = app.apply.rows[i].label.clone();
                    app.ask(Confirm::Retry { step, from: i });
                    vec![]
                }
                None => vec![],
            }
        }
        (Screen::Done, KeyCode::Char('g')) => app.ask_store(),
        (Screen::Done, KeyCode::Char('x')) => {
            app.ask(Confirm::ExportFormat);
            vec![]
        }
        (Screen::Done, KeyCode::Char('y')) => vec![Effect::Copy {
            what: "the CI job",
            text: app.ci_job(),
        }],
        (Screen::Done, KeyCode::Char('c')) => match app.role_arn() {
            Some(arn) => vec![Effect::Copy {
                what: "the role ARN",
                text: arn.to_string(),
            }],
            None => vec![],
        },
        (Screen::Review | Screen::Done, KeyCode::Char('j') | KeyCode::Down) => {
            app.scroll = app.scroll.saturating_add(1).min(app.scroll_max.get());
            vec![]
        }
        (Screen::Review | Screen::Done, KeyCode::Char('k') | KeyCode::Up) => {
            app.scroll = app.scroll.saturating_sub(1);
            vec![]
        }
        (Screen::Review | Screen::Done, KeyCode::PageDown) => {
            app.scroll = app.scroll.saturating_add(10).min(app.scroll_max.get());
            vec![]
        }
        (Screen::Review | Screen::Done, KeyCode::PageUp) => {
            app.scroll = app.scroll.saturating_sub(10);
            vec![]
        }
        (Screen::Done, KeyCode::Enter) => app.quit_now(),
        // Apply's key: the changes are listed in a dialog that opens on Cancel.
        (Screen::Review, KeyCode::Char('a')) => go_on(app),
        (_, KeyCode::Enter) => go_on(app),
        _ => vec![],
    }
}

/// Enter on a field, a choice or the list of a setup screen: a complete screen goes on, as Enter
/// on its Next does; otherwise the focus moves to the next element. A changed profile or region
/// reconnects first and stays.
fn enter_on(app: &mut App, e: Element) -> Vec<Effect> {
    // Explain and Remove: Enter in any field runs the task once it has what it needs.
    if matches!(app.screen, Screen::Explain | Screen::Remove) && app.task_blocker().is_none() {
        return app.task_action();
    }
    // On a field marked ✗ Enter stays and says so: typing on would land in the next field.
    if let Some(why) = app.error(e) {
        app.notice = Some(format!(
            "{}: {why}",
            app.field(e).map_or("this field", |f| f.label)
        ));
        return vec![];
    }
    let effects = on_blur(app, e);
    let setup_screen = matches!(
        app.screen,
        Screen::Account | Screen::Provider | Screen::Trust | Screen::Permissions | Screen::Role
    );
    if effects.is_empty() && setup_screen && app.blocker().is_none() {
        return go_on(app);
    }
    app.focus = (app.focus + 1).min(app.elements().len().saturating_sub(1));
    effects
}

/// Enter on Next: go on if the screen is complete, else say why and focus the culprit.
fn go_on(app: &mut App) -> Vec<Effect> {
    if let Some(why) = app.blocker() {
        // Going on was tried: every field's message shows, "required" ones too.
        for e in app.elements() {
            if let Some(f) = app.field_mut(e) {
                f.touched = true;
            }
        }
        if let Some(i) = app.elements().iter().position(|e| app.error(*e).is_some()) {
            app.focus = i;
        }
        app.notice = Some(why);
        return vec![];
    }
    match app.screen {
        Screen::Review => {
            let Some(plan) = app.review.plan.loaded() else {
                return vec![];
            };
            let changes: Vec<String> = plan.actions().iter().map(|a| a.label(plan)).collect();
            if changes.is_empty() {
                // Nothing to change: straight to Done, no AWS call.
                return begin_apply(app);
            }
            app.ask(Confirm::Apply {
                changes,
                reasons: plan.confirmations(),
                name: plan.narrows_trust().then(|| plan.role.name.clone()),
            });
            vec![]
        }
        Screen::Account => {
            let next = app.task.screen();
            app.go_to(next)
        }
        s => app.go_to(s.next()),
    }
}

pub(super) fn begin_apply(app: &mut App) -> Vec<Effect> {
    let Some(plan) = app.review.plan.loaded() else {
        return vec![];
    };
    app.apply.rows = plan
        .actions()
        .into_iter()
        .map(|action| ApplyRow::new(action.clone(), action.label(plan)))
        .collect();
    app.screen = Screen::Apply;
    app.focus = 0;
    if app.apply.rows.is_empty() {
        return app.finish_apply();
    }
    app.start_apply(0)
}
