//! One drawing function per screen.

use crate::sanitize::inline;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::{SPINNER, cursor_at, field_lines};
use crate::aws::calls::is_mutating;
use crate::output;
use crate::plan::input::RefType;
use crate::tui::app::{ActionState, App, Element, ErrorView, Load, ProviderKind, Screen};
use crate::tui::theme::Theme;

const LABEL: usize = 16;

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    match app.screen {
        Screen::Account => account(frame, app, theme, area),
        Screen::Provider => provider(frame, app, theme, area),
        Screen::Trust => trust(frame, app, theme, area),
        Screen::Permissions => permissions(frame, app, theme, area),
        Screen::Role => role(frame, app, theme, area),
        Screen::Review => review(frame, app, theme, area),
        Screen::Apply => apply(frame, app, theme, area),
        Screen::Done => done(frame, app, theme, area),
        Screen::Check => check(frame, app, theme, area),
        Screen::Explain => explain(frame, app, theme, area),
        Screen::Remove => remove(frame, app, theme, area),
    }
}

fn spinner(app: &App) -> &'static str {
    SPINNER[app.spinner % SPINNER.len()]
}

fn next_line<'a>(app: &App, theme: &Theme, label: &'a str) -> Line<'a> {
    let focused = app.focused() == Element::Next;
    let blocker = app.blocker();
    let enabled = blocker.is_none();
    let style = match (focused, enabled) {
        (true, true) => theme.selected(),
        (_, false) => theme.muted(),
        _ => theme.text(),
    };
    let marker = if focused { "›" } else { " " };
    let mut spans = vec![
        Span::raw(format!("{marker} ")),
        Span::styled(format!("[ {label} ]"), style),
    ];
    // Apply shows its own state; elsewhere say why Next is not available yet.
    if let Some(why) = blocker.filter(|_| app.screen != Screen::Apply) {
        spans.push(Span::styled(format!("  (not yet: {why})"), theme.muted()));
    }
    Line::from(spans)
}

fn error_lines(e: &ErrorView, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(Span::styled(
        format!("✗ {}: {}", e.code, inline(&e.message)),
        theme.error(),
    ))];
    if !e.hint.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("  hint: {}", e.hint),
            theme.warn(),
        )));
    }
    lines
}

/// Draw `lines` with the focused field's cursor placed, if the focused field is among them.
fn form(frame: &mut Frame, app: &App, area: Rect, lines: Vec<Line>, cursor_line: Option<u16>) {
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    if let Some(l) = cursor_line {
        cursor_at(frame, app, area, l, LABEL);
    }
}

/// Append a field's lines, remembering where the focused one lands.
fn push_field<'a>(
    lines: &mut Vec<Line<'a>>,
    cursor: &mut Option<u16>,
    app: &'a App,
    e: Element,
    theme: &Theme,
) {
    if app.focused() == e {
        *cursor = Some(lines.len() as u16);
    }
    lines.extend(field_lines(app, e, theme, LABEL));
}

fn choice_line<'a>(
    app: &App,
    e: Element,
    label: &'a str,
    options: &[(&'a str, bool)],
    theme: &Theme,
) -> Line<'a> {
    let focused = app.focused() == e;
    let marker = if focused { "›" } else { " " };
    let mut spans = vec![Span::styled(
        format!("{marker} {label:<LABEL$}"),
        if focused { theme.focus() } else { theme.text() },
    )];
    for (name, on) in options {
        let mark = if *on { "(•)" } else { "( )" };
        spans.push(Span::styled(
            format!("{mark} {name}  "),
            if *on { theme.focus() } else { theme.text() },
        ));
    }
    Line::from(spans)
}

fn account(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let mut lines = Vec::new();
    let mut cursor = None;
    push_field(&mut lines, &mut cursor, app, Element::Profile, theme);
    if app.focused() == Element::Profile && !app.account.known_profiles.is_empty() {
        lines.push(Line::from(Span::styled(
            format!(
                "  Ctrl-N/P picks: {}",
                app.account.known_profiles.join(", ")
            ),
            theme.muted(),
        )));
    }
    push_field(&mut lines, &mut cursor, app, Element::Region, theme);
    if app.focused() == Element::Region {
        lines.push(Line::from(Span::styled(
            "  Ctrl-N/P picks a region (or type one)",
            theme.muted(),
        )));
    }
    let focused = app.focused() == Element::Task;
    for (i, t) in crate::tui::app::Task::ALL.iter().enumerate() {
        let label = if i == 0 { "Task" } else { "" };
        let marker = if focused && i == 0 { "›" } else { " " };
        let on = *t == app.task;
        lines.push(Line::from(vec![
            Span::styled(
                format!("{marker} {label:<LABEL$}"),
                if focused { theme.focus() } else { theme.text() },
            ),
            Span::styled(
                format!("{} {}", if on { "(•)" } else { "( )" }, t.title()),
                if on { theme.focus() } else { theme.text() },
            ),
        ]));
    }
    lines.push(Line::default());
    match &app.identity.state {
        Load::Idle | Load::Loading => lines.push(Line::from(format!(
            "{} Resolving credentials and calling GetCallerIdentity…",
            spinner(app)
        ))),
        Load::Loaded((id, conn)) => {
            lines.push(Line::from(vec![
                Span::styled("✓ Account  ", theme.ok()),
                Span::raw(id.account.clone()),
            ]));
            lines.push(Line::from(format!("  Caller   {}", inline(&id.arn))));
            if app.demo {
                lines.push(Line::from(vec![
                    Span::styled("  DEMO", theme.demo()),
                    Span::raw(
                        " an account in memory: a GitLab role with a weak trust, a policy of its own and the AWS managed policies. Nothing is sent to AWS or GitLab, nothing is written; quit and start without the demo for your own account.",
                    ),
                ]));
            } else {
                lines.push(Line::from(format!(
                    "  Profile  {}   Region {}",
                    conn.profile.as_deref().unwrap_or("default"),
                    conn.region
                )));
            }
            if let Some(e) = &conn.endpoint_url {
                lines.push(Line::from(Span::styled(
                    format!("  Endpoint {e}"),
                    theme.muted(),
                )));
            }
        }
        Load::Failed(e) => {
            lines.extend(error_lines(e, theme));
            if e.code == "ProfileNotFound" {
                lines.push(Line::from(Span::styled(
                    "  Fix: change the profile above (Shift-Tab; empty for the default chain), then r.",
                    theme.muted(),
                )));
            }
            if app.can_try_demo() {
                lines.push(Line::from(vec![
                    Span::raw("  No account yet? "),
                    Span::styled("d", theme.key()),
                    Span::raw(" opens a demo one (in memory)."),
                ]));
            }
        }
    }
    lines.push(Line::default());
    lines.push(next_line(app, theme, "Next"));
    let room = usize::from(area.height).saturating_sub(lines.len());
    lines.extend(setup_lines(app, theme, room));
    form(frame, app, area, lines, cursor);
}

/// The setups this tool made in the account, under Next: for the person who only needs an ARN.
fn setup_lines(app: &App, theme: &Theme, room: usize) -> Vec<Line<'static>> {
    let mut lines = vec![Line::default()];
    match &app.account.setups.state {
        Load::Idle => return vec![],
        Load::Loading => lines.push(Line::from(Span::styled(
            format!("{} Looking for setups made by this tool…", spinner(app)),
            theme.muted(),
        ))),
        Load::Failed(e) => lines.push(Line::from(Span::styled(
            format!("Setups made here could not be listed ({})", inline(&e.code)),
            theme.muted(),
        ))),
        Load::Loaded(list) if list.is_empty() => lines.push(Line::from(Span::styled(
            "No setup made by this tool in this account yet.",
            theme.muted(),
        ))),
        Load::Loaded(list) => {
            let focused = app.focused() == Element::Setups;
            lines.push(Line::from(Span::styled(
                if focused {
                    "Setups made here: c copies the ARN, Enter prints it"
                } else {
                    "Setups made here (↓ picks one, for its ARN):"
                },
                theme.muted(),
            )));
            // A window around the highlighted one, when they do not all fit.
            let rows = room.saturating_sub(3).max(1);
            let first = app
                .account
                .setups_cursor
                .saturating_sub(rows.saturating_sub(1))
                .min(list.len().saturating_sub(rows));
            if first > 0 {
                lines.push(Line::from(Span::styled(
                    format!("  ↑ {first} more"),
                    theme.muted(),
                )));
            }
            let shown = rows.min(list.len() - first);
            for (i, setup) in list.iter().enumerate().skip(first).take(shown) {
                let here = focused && i == app.account.setups_cursor;
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("{} {}", if here { "›" } else { " " }, inline(&setup.role)),
                        if here { theme.focus() } else { theme.text() },
                    ),
                    Span::styled(format!("  {}", inline(&setup.trusts_line())), theme.muted()),
                ]));
            }
            let below = list.len() - first - shown;
            if below > 0 {
                lines.push(Line::from(Span::styled(
                    format!("  ↓ {below} more"),
                    theme.muted(),
                )));
            }
            if let Some((what, result)) = &app.done.copied {
                lines.push(Line::from(match result {
                    Ok(c) => format!("  → {what} {}", c.how),
                    Err(e) => format!("  ✗ {what} not copied: {e}"),
                }));
            }
        }
    }
    lines
}

fn provider(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let mut lines = vec![choice_line(
        app,
        Element::ProviderKind,
        "GitLab",
        &[
            ("GitLab.com", app.provider.kind == ProviderKind::GitLabCom),
            (
                "Self-managed",
                app.provider.kind == ProviderKind::SelfManaged,
            ),
        ],
        theme,
    )];
    let mut cursor = None;
    if app.provider.kind == ProviderKind::SelfManaged {
        push_field(&mut lines, &mut cursor, app, Element::ProviderUrl, theme);
    }
    push_field(&mut lines, &mut cursor, app, Element::Audience, theme);
    lines.push(Line::from(Span::styled(
        "  The audience must equal the aud of id_tokens in .gitlab-ci.yml.",
        theme.muted(),
    )));
    lines.push(Line::default());
    let audience = app.provider.audience.value.as_str();
    match &app.provider.lookup.state {
        Load::Idle => lines.push(Line::from(Span::styled(
            "  (looked up once the URL is valid)",
            theme.muted(),
        ))),
        Load::Loading => lines.push(Line::from(format!(
            "{} Looking for this provider in the account…",
            spinner(app)
        ))),
        Load::Loaded(None) => lines.push(Line::from(vec![
            Span::styled("+ will create ", theme.ok()),
            Span::raw("a new identity provider with this audience"),
        ])),
        Load::Loaded(Some(p)) if p.client_ids.iter().any(|c| c == audience) => {
            lines.push(Line::from(vec![
                Span::styled("✓ will reuse ", theme.ok()),
                Span::raw("the existing provider; the audience is already registered"),
            ]))
        }
        Load::Loaded(Some(p)) => {
            lines.push(Line::from(vec![
                Span::styled("~ will reuse ", theme.warn()),
                Span::raw("the existing provider and add this audience"),
            ]));
            lines.push(Line::from(Span::styled(
                format!("  registered now: {}", p.client_ids.join(", ")),
                theme.muted(),
            )));
        }
        Load::Failed(e) => lines.extend(error_lines(e, theme)),
    }
    match &app.provider.preflight.state {
        Load::Idle => {}
        Load::Loading => lines.push(Line::from(format!(
            "{} Checking the instance the way AWS will (issuer, keys, TLS)…",
            spinner(app)
        ))),
        Load::Loaded(report) => lines.extend(text_lines(&report.text(), theme)),
        Load::Failed(e) => lines.extend(error_lines(e, theme)),
    }
    lines.push(Line::default());
    lines.push(next_line(app, theme, "Next"));
    form(frame, app, area, lines, cursor);
}

fn trust(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let wide = area.width >= 100;
    let [form_area, doc_area] = if wide {
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area)
    } else {
        Layout::vertical([Constraint::Length(9), Constraint::Min(0)]).areas(area)
    };
    let mut lines = Vec::new();
    let mut cursor = None;
    push_field(&mut lines, &mut cursor, app, Element::Projects, theme);
    lines.push(choice_line(
        app,
        Element::RefType,
        "Ref type",
        &[
            ("branch", app.trust.ref_type == RefType::Branch),
            ("tag", app.trust.ref_type == RefType::Tag),
            ("any", app.trust.ref_type == RefType::Any),
        ],
        theme,
    ));
    push_field(&mut lines, &mut cursor, app, Element::Refs, theme);
    if app.is_gitlab_com() {
        lines.push(choice_line(
            app,
            Element::RefProtected,
            "Protected only",
            &[
                ("yes", app.trust.ref_protected),
                ("no", !app.trust.ref_protected),
            ],
            theme,
        ));
        push_field(&mut lines, &mut cursor, app, Element::ProjectIds, theme);
        if app.trust.token_for_lookup {
            push_field(&mut lines, &mut cursor, app, Element::GitLabToken, theme);
        }
    }
    lines.push(next_line(app, theme, "Next"));
    form(frame, app, form_area, lines, cursor);

    let mut doc: Vec<Line> = Vec::new();
    match app.trust_preview() {
        Ok(trust) => {
            for w in &trust.warnings {
                doc.push(Line::from(Span::styled(format!("! {w}"), theme.warn())));
            }
            doc.extend(
                trust
                    .policy
                    .to_pretty_json()
                    .lines()
                    .map(|l| Line::from(l.to_string())),
            );
        }
        Err(why) => doc.push(Line::from(Span::styled(
            format!("(no policy yet: {why})"),
            theme.muted(),
        ))),
    }
    let block = Block::default()
        .borders(Borders::TOP)
        .title(" Trust policy ");
    let inner = block.inner(doc_area);
    frame.render_widget(block, doc_area);
    draw_cut(frame, theme, doc, inner, "the whole policy is on Review");
}

/// Lines that may not fit and are not scrolled: when some are cut, the last row says how many
/// and where to see them, so a cut never passes for the end.
fn draw_cut(frame: &mut Frame, theme: &Theme, lines: Vec<Line>, area: Rect, elsewhere: &str) {
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    let total = u16::try_from(paragraph.line_count(area.width)).unwrap_or(u16::MAX);
    if total <= area.height {
        frame.render_widget(paragraph, area);
        return;
    }
    let [text, marker] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
    frame.render_widget(paragraph, text);
    let hidden = total.saturating_sub(text.height);
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(
            format!("↓ {hidden} more lines: {elsewhere}"),
            theme.muted(),
        ))),
        marker,
    );
}

fn permissions(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let [top, list_area, bottom] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(3),
        Constraint::Length(5),
    ])
    .areas(area);
    let mut lines = Vec::new();
    let mut cursor = None;
    push_field(&mut lines, &mut cursor, app, Element::Filter, theme);
    let status = match &app.permissions.policies.state {
        Load::Loaded(items) => format!(
            "  {} of {} · {} own (this account's) · {} selected",
            app.permissions.filtered.len(),
            items.len(),
            items.iter().filter(|i| i.customer).count(),
            app.permissions.selected.len()
        ),
        Load::Loading | Load::Idle => format!(
            "  {} Loading this account's and the AWS managed policies (all pages)…",
            spinner(app)
        ),
        Load::Failed(e) => format!("  ✗ {}: {} (r retries)", e.code, inline(&e.message)),
    };
    lines.push(Line::from(Span::styled(status, theme.muted())));
    form(frame, app, top, lines, cursor);

    draw_policy_list(frame, app, theme, list_area);

    let mut lines = Vec::new();
    let mut cursor = None;
    push_field(&mut lines, &mut cursor, app, Element::CustomPolicy, theme);
    let chosen: Vec<String> = app
        .permissions
        .selected
        .iter()
        .map(|a| a.rsplit('/').next().unwrap_or(a).to_string())
        .collect();
    let chosen = if chosen.is_empty() {
        "none (the role can assume but do nothing)".to_string()
    } else {
        chosen.join(", ")
    };
    lines.push(Line::from(vec![
        Span::styled("  Selected: ", theme.muted()),
        Span::raw(chosen),
    ]));
    if !app.permissions.detach.is_empty() {
        let names: Vec<&str> = app
            .permissions
            .detach
            .iter()
            .map(|a| a.rsplit('/').next().unwrap_or(a))
            .collect();
        lines.push(Line::from(vec![
            Span::styled("  Detach:   ", theme.warn()),
            Span::styled(
                format!("{} (Space ticks it again)", names.join(", ")),
                theme.warn(),
            ),
        ]));
    }
    lines.push(next_line(app, theme, "Next"));
    form(frame, app, bottom, lines, cursor);
}

/// The visible window of the filtered list, kept around the cursor.
pub fn draw_policy_list(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let focused = app.focused() == Element::PolicyList;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if focused {
            theme.focus()
        } else {
            theme.muted()
        });
    let inner_height = usize::from(area.height.saturating_sub(2)).max(1);
    let Some(items) = app.permissions.policies.loaded() else {
        frame.render_widget(block, area);
        return;
    };
    let start = app
        .permissions
        .cursor
        .saturating_sub(inner_height.saturating_sub(1));
    let lines: Vec<Line> = app
        .permissions
        .filtered
        .iter()
        .skip(start)
        .take(inner_height)
        .enumerate()
        .filter_map(|(row, &i)| {
            let item = items.get(i)?;
            let mark = if app.permissions.selected.contains(&item.arn) {
                "[x]"
            } else {
                "[ ]"
            };
            let at_cursor = start + row == app.permissions.cursor;
            let pointer = if at_cursor && focused { "›" } else { " " };
            let mut spans = vec![Span::raw(format!("{pointer}{mark} {}", inline(&item.name)))];
            if item.customer {
                spans.push(Span::styled("  (own)", theme.muted()));
            }
            if app.permissions.detach.contains(&item.arn) {
                spans.push(Span::styled("  will be detached", theme.warn()));
            } else if app.is_attached(&item.arn) {
                spans.push(Span::styled("  attached", theme.ok()));
            }
            if item.admin {
                spans.push(Span::styled("  ⚠ admin-level", theme.warn()));
            }
            let line = Line::from(spans);
            Some(if focused && at_cursor {
                line.style(theme.selected())
            } else {
                line
            })
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// Whether the typed name is a new role or an existing one, and what that means.
fn existing_role_line(app: &App, theme: &Theme) -> Option<Line<'static>> {
    let wanted_path = match app.role.path.value.trim() {
        "" => "/",
        p => p,
    };
    let (text, style) = match &app.role.existing.state {
        Load::Idle => return None,
        Load::Loading => (
            format!("  {} is this name taken?", spinner(app)),
            theme.muted(),
        ),
        Load::Loaded(None) => ("  ✓ a new role: Apply creates it".to_string(), theme.ok()),
        Load::Loaded(Some(r)) if r.path != wanted_path => (
            format!(
                "  ✗ {} exists at path {}: IAM cannot move a role; set Role path to {} or choose another name",
                inline(&r.name),
                inline(&r.path),
                inline(&r.path)
            ),
            theme.error(),
        ),
        Load::Loaded(Some(r)) if r.ours => (
            format!(
                "  ! {} exists (made by aws-oidc-wizard): Review shows what changes",
                inline(&r.name)
            ),
            theme.warn(),
        ),
        Load::Loaded(Some(r)) => (
            format!(
                "  ! {} exists and was not made by aws-oidc-wizard: Review shows the changes, and Apply asks first",
                inline(&r.name)
            ),
            theme.warn(),
        ),
        Load::Failed(e) => (
            format!("  (could not check the name: {})", e.code),
            theme.muted(),
        ),
    };
    Some(Line::from(Span::styled(text, style)))
}

fn role(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let mut lines = Vec::new();
    let mut cursor = None;
    for e in [
        Element::RoleName,
        Element::RolePath,
        Element::Description,
        Element::MaxSession,
        Element::Boundary,
    ] {
        push_field(&mut lines, &mut cursor, app, e, theme);
        if e == Element::RoleName {
            lines.extend(existing_role_line(app, theme));
        }
    }
    lines.push(Line::default());
    let whole = app.error(Element::RoleName).is_none() && app.error(Element::RolePath).is_none();
    if let (Some((id, _)), true) = (app.identity.loaded(), whole) {
        lines.push(Line::from(Span::styled(
            format!(
                "  Role ARN will be arn:{}:iam::{}:role{}{}",
                id.partition(),
                id.account,
                app.role.path.value.trim(),
                app.role.name.value
            ),
            theme.muted(),
        )));
    }
    lines.push(Line::from(Span::styled(
        "  Max session: 3600–43200 s; CI jobs usually ask for 3600.",
        theme.muted(),
    )));
    lines.push(Line::default());
    lines.push(next_line(app, theme, "Review"));
    form(frame, app, area, lines, cursor);
}

/// The plan as Review shows it: the facts, then what changes on an existing role (its trust
/// policy diff first), the warnings, what Apply will ask to confirm, and the whole trust policy.
pub fn review_text(plan: &crate::engine::Plan) -> String {
    let mut s = output::plan_facts(plan, output::Ids::Names);
    s.push_str(&output::trust_diff_text(plan));
    s.push_str(&output::plan_warnings(plan));
    let confirmations = plan.confirmations();
    if !confirmations.is_empty() {
        s.push_str("\nBefore you apply, note that:\n");
        for c in &confirmations {
            s.push_str(&format!("  ? {c}\n"));
        }
    }
    s.push_str(&output::trust_policy_text(plan));
    if plan.is_converged() {
        s.push_str(output::CONVERGED);
    }
    s
}

fn review(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let [body, bottom] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
    let lines: Vec<Line> = match &app.review.plan.state {
        Load::Idle | Load::Loading if app.waits_for_namespaces() => vec![Line::from(format!(
            "{} Looking up the projects' namespace ids on gitlab.com, to pin them…",
            spinner(app)
        ))],
        Load::Idle | Load::Loading => vec![Line::from(format!(
            "{} Reading what exists (read-only calls; nothing is changed)…",
            spinner(app)
        ))],
        Load::Failed(e) => error_lines(e, theme),
        Load::Loaded(plan) => {
            let done = app.changed_so_far();
            let head = match (plan.is_converged(), done.is_empty()) {
                (true, _) => "The account already has this setup: Apply changes nothing.".into(),
                (false, true) => "Nothing has been changed yet. This is what Apply will do:".into(),
                (false, false) => format!(
                    "Done so far: {}. This is what Apply will still do:",
                    crate::sanitize::inline(&done.join("; "))
                ),
            };
            let mut l = vec![Line::from(Span::styled(head, theme.muted()))];
            if let Some(theirs) = app.projects_trusted_now() {
                l.push(Line::from(Span::styled(
                    format!(
                        "! The role trusts {} today: Apply as shown replaces that. + keeps it and adds {}.",
                        theirs.join(", "),
                        app.trust.projects.list().join(", ")
                    ),
                    theme.warn(),
                )));
            }
            l.extend(review_text(plan).lines().map(|s| {
                let style = if s.starts_with("  !") || s.starts_with('-') {
                    theme.warn()
                } else if s.starts_with('+') {
                    theme.ok()
                } else {
                    theme.text()
                };
                Line::from(Span::styled(s.to_string(), style))
            }));
            l
        }
    };
    super::draw_scrolled(frame, app, theme, lines, body);
    frame.render_widget(Paragraph::new(next_line(app, theme, "Apply")), bottom);
}

/// After this many ticks (of 100 ms) a running call shows its time and how to cancel it.
const SLOW_TICKS: u32 = 20;

fn apply(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let mut lines = vec![
        Line::from(Span::styled("Each AWS call, as it happens:", theme.muted())),
        Line::default(),
    ];
    for row in &app.apply.rows {
        let op = row.action.operation();
        let (glyph, style, state) = match &row.state {
            ActionState::Waiting => ("·", theme.muted(), "waiting".to_string()),
            ActionState::Running => (spinner(app), theme.focus(), "running".to_string()),
            ActionState::Done(d) => ("✓", theme.ok(), d.as_str().to_string()),
            ActionState::Failed(_) => ("✗", theme.error(), "failed".to_string()),
        };
        lines.push(Line::from(vec![
            Span::styled(format!(" {glyph} {state:<9} "), style),
            Span::raw(row.label.clone()),
        ]));
        lines.push(Line::from(Span::styled(
            format!(
                "             iam:{op}{}",
                if is_mutating(op) { "" } else { " (read)" }
            ),
            theme.muted(),
        )));
        // A call that takes long says how long, whether the SDK is retrying, and how to stop.
        if row.state == ActionState::Running && row.ticks >= SLOW_TICKS {
            let attempt = if row.sent > 1 {
                format!(" · attempt {}", row.sent)
            } else {
                String::new()
            };
            lines.push(Line::from(Span::styled(
                format!(
                    "             waiting {:.0} s{attempt} · Esc cancels",
                    f64::from(row.ticks) / 10.0
                ),
                theme.warn(),
            )));
        }
        if let ActionState::Failed(e) = &row.state {
            lines.extend(error_lines(e, theme).into_iter().map(|l| {
                let mut spans = vec![Span::raw("   ")];
                spans.extend(l.spans);
                Line::from(spans)
            }));
            if e.code != crate::tui::app::CANCELLED {
                lines.push(Line::from(Span::styled(
                    "   r re-runs this step and the ones after it; finished steps are not repeated. Esc goes back to change an answer.",
                    theme.muted(),
                )));
            }
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// Break a value with no spaces (an ARN) into lines of at most `width` columns, after a `:` or
/// `/` where one is near; every line after the first starts with `↪` so that a wrapped value is
/// seen as one. Nothing is ever cut.
pub fn break_at_safe_points(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut lines = Vec::new();
    let mut rest: Vec<char> = text.chars().collect();
    let mut first = true;
    while !rest.is_empty() {
        let room = if first { width } else { width - 1 };
        if rest.len() <= room {
            lines.push(if first {
                rest.iter().collect()
            } else {
                format!("↪{}", rest.iter().collect::<String>())
            });
            break;
        }
        // The last ':' or '/' that fits, if it is not too far back; else a hard break.
        let cut = rest[..room]
            .iter()
            .rposition(|c| *c == ':' || *c == '/')
            .map(|i| i + 1)
            .filter(|i| *i > room / 2)
            .unwrap_or(room);
        let piece: String = rest[..cut].iter().collect();
        lines.push(if first { piece } else { format!("↪{piece}") });
        rest.drain(..cut);
        first = false;
    }
    lines
}

/// Wrap a line of YAML at `width`, continuing under its own indentation (plus two), so the
/// shape of the job stays readable.
fn wrap_keeping_indent(line: &str, width: usize) -> Vec<String> {
    let indent = line.len() - line.trim_start().len();
    if line.chars().count() <= width || width <= indent + 10 {
        return vec![line.to_string()];
    }
    let pad = " ".repeat(indent + 2);
    let mut out = Vec::new();
    let mut current = String::new();
    for word in line.trim_start().split(' ') {
        let base = if out.is_empty() {
            &line[..indent]
        } else {
            pad.as_str()
        };
        if !current.is_empty()
            && base.len() + current.chars().count() + 1 + word.chars().count() > width
        {
            out.push(format!("{base}{current}"));
            current.clear();
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    let base = if out.is_empty() {
        &line[..indent]
    } else {
        pad.as_str()
    };
    out.push(format!("{base}{current}"));
    out
}

fn done(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let arn = app.role_arn().unwrap_or("");
    let inner = usize::from(area.width.saturating_sub(2)).max(1);
    let arn_lines = break_at_safe_points(arn, inner);
    let (status, style) = match &app.done.copied {
        None => ("c copies it".to_string(), theme.muted()),
        Some((what, Ok(c))) if c.sure => (format!("✓ {what} copied {}", c.how), theme.ok()),
        Some((what, Ok(c))) if *what == "the role ARN" => (
            format!("→ {what} {}; it is also printed when you quit", c.how),
            theme.warn(),
        ),
        Some((what, Ok(c))) => (format!("→ {what} {}", c.how), theme.warn()),
        Some((what, Err(e))) => (format!("✗ {what} not copied: {e}"), theme.error()),
    };
    // Tall enough for the whole ARN and the whole status: neither is ever cut.
    let status_lines = wrap_keeping_indent(&status, inner);
    let rows = u16::try_from(arn_lines.len() + 1 + status_lines.len()).unwrap_or(u16::MAX);
    let [arn_area, rest] =
        Layout::vertical([Constraint::Length(2 + rows), Constraint::Min(0)]).areas(area);
    let block = Block::default().borders(Borders::ALL).title(" Role ARN ");
    let mut arn_text: Vec<Line> = arn_lines
        .into_iter()
        .map(|l| Line::from(Span::styled(l, theme.arn())))
        .collect();
    arn_text.push(Line::default());
    arn_text.extend(
        status_lines
            .into_iter()
            .map(|l| Line::from(Span::styled(l, style))),
    );
    frame.render_widget(Paragraph::new(arn_text).block(block), arn_area);
    // What the setup did, in the command line's words.
    let mut summary: Vec<Line> = Vec::new();
    if let Some(outcome) = &app.apply.outcome {
        summary.extend(
            outcome
                .resources
                .iter()
                .map(|r| Line::from(Span::styled(crate::output::report_line(r), theme.ok()))),
        );
        summary.extend(outcome.left_alone.iter().map(|p| {
            Line::from(Span::styled(
                crate::output::left_alone_line(p),
                theme.muted(),
            ))
        }));
    }
    if let Some((total, mutating)) = app.done.calls {
        let line = crate::output::calls_line(total, mutating);
        summary.push(Line::from(Span::styled(
            if app.demo {
                format!("DEMO: {line}, all answered in memory (none sent to AWS)")
            } else {
                line
            },
            theme.muted(),
        )));
    }
    let mut lines = vec![
        Line::from("1. In GitLab: Settings › CI/CD › Variables › Add variable:"),
        Line::from(vec![
            Span::raw("   key "),
            Span::styled(app.variable.key.clone(), theme.key()),
            Span::raw(", value the ARN above (protect it for protected refs)."),
        ]),
        Line::from("2. Add this job to .gitlab-ci.yml (y copies it):"),
    ];
    // The GitLab half, between the variable instruction and the job.
    let mut gitlab: Vec<Line> = match &app.done.stored.state {
        Load::Idle => vec![Line::from(Span::styled(
            "   …or press g to store it in GitLab now (needs a token with the api scope):",
            theme.muted(),
        ))],
        Load::Loading => vec![Line::from(format!(
            "   {} storing it in GitLab…",
            spinner(app)
        ))],
        Load::Loaded(done) => done
            .iter()
            .map(|l| Line::from(Span::styled(format!("   {l}"), theme.ok())))
            .collect(),
        Load::Failed(e) => error_lines(e, theme),
    };
    if app.done.stored.loaded().is_none() {
        let mut cursor = None;
        push_field(&mut gitlab, &mut cursor, app, Element::GitLabToken, theme);
    }
    let tail = lines.split_off(2);
    lines.extend(gitlab);
    lines.extend(tail);
    if !summary.is_empty() {
        summary.push(Line::default());
        summary.extend(lines);
        lines = summary;
    }
    let width = usize::from(rest.width);
    lines.extend(
        app.ci_job()
            .lines()
            .flat_map(|l| wrap_keeping_indent(&format!("   {l}"), width))
            .map(|l| Line::from(Span::styled(l, theme.muted()))),
    );
    super::draw_scrolled(frame, app, theme, lines, rest);
}

fn loading_or_error<T>(
    load: &crate::tui::app::Load<T>,
    what: &str,
    app: &App,
    theme: &Theme,
) -> Option<Vec<Line<'static>>> {
    match load {
        Load::Idle => Some(vec![]),
        Load::Loading => Some(vec![Line::from(format!("{} {what}…", spinner(app)))]),
        Load::Failed(e) => Some(error_lines(e, theme)),
        Load::Loaded(_) => None,
    }
}

fn text_lines(text: &str, theme: &Theme) -> Vec<Line<'static>> {
    text.lines()
        .map(|l| {
            let style = if l.trim_start().starts_with('✗') {
                theme.error()
            } else if l.trim_start().starts_with('✓') {
                theme.ok()
            } else {
                theme.text()
            };
            Line::from(Span::styled(l.to_string(), style))
        })
        .collect()
}

fn check(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let [body, bottom] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
    let mut lines = vec![Line::from(Span::styled(
        "Every role an OIDC token can reach, audited (read-only):",
        theme.muted(),
    ))];
    match loading_or_error(
        &app.check.result.state,
        "Listing roles and reading their trust policies",
        app,
        theme,
    ) {
        Some(l) => lines.extend(l),
        None => {
            if let Some(reports) = app.check.result.loaded() {
                lines.extend(text_lines(&crate::check::text(reports), theme));
            }
        }
    }
    super::draw_scrolled(frame, app, theme, lines, body);
    frame.render_widget(Paragraph::new(next_line(app, theme, "Check again")), bottom);
}

/// The account's GitLab roles under the role field: pick with Ctrl-N/P instead of typing.
fn role_choices(app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let text = match &app.gitlab_roles.state {
        Load::Idle => return vec![],
        Load::Loading => format!("  {} listing the account's GitLab roles…", spinner(app)),
        Load::Loaded(roles) if roles.is_empty() => {
            "  (no GitLab OIDC role in this account)".to_string()
        }
        Load::Loaded(roles) => {
            const SHOWN: usize = 4;
            let more = roles.len().saturating_sub(SHOWN);
            let mut names = roles[..roles.len().min(SHOWN)]
                .iter()
                .map(|r| inline(r).into_owned())
                .collect::<Vec<_>>()
                .join(", ");
            if more > 0 {
                names.push_str(&format!(" and {more} more"));
            }
            format!("  Ctrl-N/P picks: {names}")
        }
        Load::Failed(e) => format!(
            "  (the roles could not be listed: {}; type the name)",
            e.code
        ),
    };
    vec![Line::from(Span::styled(text, theme.muted()))]
}

fn explain(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let mut head = vec![Line::from(Span::styled(
        "Why was a pipeline refused? Tokens are never stored.",
        theme.muted(),
    ))];
    if app.demo && app.demo_token.as_deref() == Some(app.explain.token.value.as_str()) {
        head.push(Line::from(vec![
            Span::styled("DEMO", theme.demo()),
            Span::raw(format!(
                " a sample token is filled in: {}, branch {}. Enter on Explain.",
                crate::aws::demo::SAMPLE_PROJECT,
                crate::aws::demo::SAMPLE_REF
            )),
        ]));
    }
    let mut cursor = None;
    for e in [Element::TargetRole, Element::ClaimsFile, Element::Token] {
        push_field(&mut head, &mut cursor, app, e, theme);
        if e == Element::TargetRole {
            head.extend(role_choices(app, theme));
        }
    }
    head.push(next_line(app, theme, "Explain"));
    let mut body = vec![Line::default()];
    match loading_or_error(
        &app.explain.result.state,
        "Reading the role and its provider",
        app,
        theme,
    ) {
        Some(l) => body.extend(l),
        None => {
            if let Some(e) = app.explain.result.loaded() {
                body.extend(text_lines(&crate::explain::text(e), theme));
            }
        }
    }
    // The fields stay in place; only the explanation below them scrolls.
    let rows = super::wrapped_rows(&head, area.width);
    let [top, rest] = Layout::vertical([Constraint::Length(rows), Constraint::Min(0)]).areas(area);
    form(frame, app, top, head, cursor);
    super::draw_scrolled(frame, app, theme, body, rest);
}

fn remove(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let mut lines = vec![Line::from(Span::styled(
        "Removes the role and, if this tool created it and no other role trusts it, the provider.",
        theme.muted(),
    ))];
    let mut cursor = None;
    push_field(&mut lines, &mut cursor, app, Element::TargetRole, theme);
    lines.extend(role_choices(app, theme));
    let shown = matches!(&app.remove.plan.state, Load::Loaded(Some(p)) if p.role == app.target_role.value.trim());
    let removed = matches!(app.remove.removed.state, Load::Loaded(_));
    let label = if shown && !removed {
        "Remove…"
    } else {
        "Show what will be removed"
    };
    lines.push(next_line(app, theme, label));
    lines.push(Line::default());
    match loading_or_error(
        &app.remove.plan.state,
        "Reading the role, its policies and who trusts its provider",
        app,
        theme,
    ) {
        Some(l) => lines.extend(l),
        None => match app.remove.plan.loaded() {
            Some(Some(plan)) => lines.extend(text_lines(&crate::destroy::text(plan), theme)),
            _ => lines.push(Line::from("The role does not exist: nothing to remove.")),
        },
    }
    match &app.remove.removed.state {
        Load::Loaded(done) => {
            lines.push(Line::default());
            lines.extend(
                done.iter()
                    .map(|l| Line::from(Span::styled(l.clone(), theme.ok()))),
            );
            lines.push(Line::from(Span::styled("Removed.", theme.ok())));
        }
        other => {
            if let Some(l) = loading_or_error(other, "Removing", app, theme) {
                lines.extend(l);
            }
        }
    }
    form(frame, app, area, lines, cursor);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_arn_breaks_after_a_separator_and_loses_nothing() {
        let arn = format!(
            "arn:aws:iam::123456789012:role/gitlab/ci/{}",
            "a".repeat(64)
        );
        for width in [20, 50, 78, 200] {
            let lines = break_at_safe_points(&arn, width);
            assert!(
                lines.iter().all(|l| l.chars().count() <= width),
                "{width}: {lines:?}"
            );
            let joined: String = lines
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    if i == 0 {
                        l.as_str()
                    } else {
                        l.trim_start_matches('↪')
                    }
                })
                .collect();
            assert_eq!(joined, arn, "{width}");
            assert!(lines.iter().skip(1).all(|l| l.starts_with('↪')));
        }
        let lines = break_at_safe_points(&arn, 50);
        assert_eq!(lines[0], "arn:aws:iam::123456789012:role/gitlab/ci/");
    }

    #[test]
    fn yaml_wraps_under_its_own_indentation() {
        let line = "      - aws sts assume-role-with-web-identity --role-arn \"$ROLE_ARN\" --role-session-name x";
        let wrapped = wrap_keeping_indent(line, 40);
        assert!(wrapped.len() > 1);
        assert!(
            wrapped.iter().all(|l| l.chars().count() <= 40),
            "{wrapped:?}"
        );
        assert!(wrapped[0].starts_with("      - aws"));
        assert!(
            wrapped[1..].iter().all(|l| l.starts_with("        ")),
            "{wrapped:?}"
        );
        let words: Vec<&str> = wrapped.iter().flat_map(|l| l.split_whitespace()).collect();
        assert_eq!(words, line.split_whitespace().collect::<Vec<_>>());
    }
}
