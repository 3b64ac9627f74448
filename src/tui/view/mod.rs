//! Drawing: a pure function of the state. The frame is a header, the step list (always visible),
//! the current screen, and a footer of keys; help and confirmations are drawn over it.

mod screens;
#[cfg(test)]
mod tests;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::app::{ActionState, App, Button, Confirm, Element, Load, Screen};
use super::keys;
use super::theme::Theme;

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;
const STEPS_WIDTH: u16 = 26;

pub const SPINNER: [&str; 4] = ["◐", "◓", "◑", "◒"];

/// Where the step list is drawn for a terminal of `area`: mouse clicks are matched against it.
pub fn step_list_area(area: Rect) -> Rect {
    let [_, body, _] = vertical(area);
    let [steps, _] =
        Layout::horizontal([Constraint::Length(STEPS_WIDTH), Constraint::Min(0)]).areas(body);
    steps
}

fn vertical(area: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(2),
    ])
    .areas(area)
}

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = format!(
            "The terminal is {}×{}: enlarge it to at least {MIN_WIDTH}×{MIN_HEIGHT}.\n\nq quits.",
            area.width, area.height
        );
        frame.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
        return;
    }
    let [header, body, footer] = vertical(area);
    let [steps, content] =
        Layout::horizontal([Constraint::Length(STEPS_WIDTH), Constraint::Min(0)]).areas(body);
    draw_header(frame, app, theme, header);
    draw_steps(frame, app, theme, steps);
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" {} ", app.screen.title()),
        theme.title(),
    ));
    let inner = block.inner(content);
    frame.render_widget(block, content);
    screens::draw(frame, app, theme, inner);
    draw_footer(frame, app, theme, footer);
    if app.help {
        draw_help(frame, app, theme, area);
    }
    if let Some(c) = &app.confirm {
        draw_confirm(frame, app, c, theme, area);
    }
}

fn draw_header(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let mut spans = vec![Span::styled(" aws-oidc-wizard ", theme.title())];
    if app.demo {
        spans.push(Span::styled(" DEMO ", theme.demo()));
        spans.push(Span::raw(" "));
    }
    match &app.identity.state {
        Load::Loaded((id, _)) if app.demo => spans.push(Span::styled(
            format!("· demo account {} · nothing is sent to AWS", id.account),
            theme.muted(),
        )),
        Load::Loaded((id, conn)) => {
            spans.push(Span::styled(
                format!(
                    "· account {} · profile {} · {}",
                    id.account,
                    conn.profile.as_deref().unwrap_or("default"),
                    conn.region
                ),
                theme.muted(),
            ));
        }
        Load::Loading | Load::Idle => {
            spans.push(Span::styled("· reading the account…", theme.muted()))
        }
        Load::Failed(_) => spans.push(Span::styled("· ✗ no account", theme.error())),
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The glyph and style of a step in the list.
fn step_state(app: &App, s: Screen, theme: &Theme) -> (&'static str, ratatui::style::Style) {
    if s == app.screen {
        let failed = (s == Screen::Apply
            && app
                .apply
                .rows
                .iter()
                .any(|r| matches!(r.state, ActionState::Failed(_))))
            || (s == Screen::Account && matches!(app.identity.state, Load::Failed(_)));
        return if failed {
            ("✗", theme.error())
        } else {
            ("›", theme.focus())
        };
    }
    if s < app.screen || app.applied_is_current() {
        return ("✓", theme.ok());
    }
    ("·", theme.muted())
}

fn draw_steps(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let lines: Vec<Line> = app
        .steps()
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (glyph, style) = step_state(app, *s, theme);
            let name = Span::styled(
                format!(" {}. {}", i + 1, s.title()),
                if *s == app.screen {
                    theme.focus()
                } else {
                    theme.text()
                },
            );
            Line::from(vec![Span::styled(format!(" {glyph}"), style), name])
        })
        .collect();
    let block = Block::default().borders(Borders::ALL).title(" Steps ");
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn draw_footer(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let [notice, keys_line] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    if let Some(n) = &app.notice {
        frame.render_widget(
            Paragraph::new(Span::styled(format!(" ! {n}"), theme.warn())),
            notice,
        );
    }
    let mut spans = Vec::new();
    for (k, what) in keys::footer(app) {
        spans.push(Span::styled(format!(" {k}"), theme.key()));
        spans.push(Span::styled(format!(" {what} "), theme.muted()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), keys_line);
}

/// Lines that may not fit: wrapped, scrolled by `app.scroll` (held to the last page), and,
/// when some are hidden, a marker on the last row saying which lines show and which keys scroll.
/// The furthest scroll is kept for `update`, so that `j` past the end does nothing.
pub fn draw_scrolled(frame: &mut Frame, app: &App, theme: &Theme, lines: Vec<Line>, area: Rect) {
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    let total = u16::try_from(paragraph.line_count(area.width)).unwrap_or(u16::MAX);
    if total <= area.height {
        app.scroll_max.set(0);
        frame.render_widget(paragraph, area);
        return;
    }
    let [text, marker] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    let shown = text.height.max(1);
    let max = total.saturating_sub(shown);
    app.scroll_max.set(max);
    let top = app.scroll.min(max);
    frame.render_widget(paragraph.scroll((top, 0)), text);
    let more = match (top > 0, top < max) {
        (true, true) => "↑↓ more",
        (false, _) => "↓ more below",
        (true, false) => "↑ more above",
    };
    let note = format!(
        " {more} · {}–{} of {total} · j/k scroll ",
        top + 1,
        top + shown
    );
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(note, theme.muted())).right_aligned()),
        marker,
    );
}

/// How many rows `lines` take once wrapped at `width` columns (an empty line takes one).
pub fn wrapped_rows(lines: &[Line], width: u16) -> u16 {
    let width = usize::from(width).max(1);
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(width).max(1)).sum();
    u16::try_from(rows).unwrap_or(u16::MAX)
}

/// A centred rectangle of at most `w`×`h` inside `area`.
fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn draw_help(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let mut lines = vec![
        Line::from(Span::styled(
            format!("Keys on “{}”", app.screen.title()),
            theme.title(),
        )),
        Line::default(),
    ];
    for (k, what) in keys::help(app) {
        lines.push(Line::from(vec![
            Span::styled(format!("{k:>14}  "), theme.key()),
            Span::raw(what),
        ]));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        "Esc, ? or q closes this help",
        theme.muted(),
    )));
    // Wrapped, never cut: the box grows by the rows a long line needs.
    let h = wrapped_rows(&lines, 64u16.min(area.width).saturating_sub(2))
        .saturating_add(2)
        .min(area.height);
    let rect = centered(area, 64, h);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL).title(" Help ")),
        rect,
    );
}

fn draw_confirm(frame: &mut Frame, app: &App, c: &Confirm, theme: &Theme, area: Rect) {
    let account = app
        .identity
        .state
        .loaded()
        .map(|(id, _)| id.account.clone())
        .unwrap_or_default();
    let (title, body): (&str, Vec<String>) = match c {
        Confirm::ExportFormat => (
            " Export the setup ",
            vec![
                "Write this setup as infrastructure as code in the current directory: t gitlab-oidc.tf (Terraform), c gitlab-oidc.yaml (CloudFormation, for StackSets).".into(),
                String::new(),
                "Nothing in AWS changes; an existing file with other content is not replaced without asking.".into(),
            ],
        ),
        Confirm::WriteExport { path, .. } => (
            " Write the file? ",
            vec![
                format!("Write {} in the current directory?", crate::sanitize::inline(&path.display().to_string())),
                String::new(),
                "Nothing in AWS changes.".into(),
            ],
        ),
        Confirm::StartOver { summary } => (
            " Start over? ",
            vec![
                format!("Forget the stopped setup ({summary})?"),
                String::new(),
                "Its answers and the record of what was done are deleted; what it made in AWS stays, and a run with the same answers finds it.".into(),
            ],
        ),
        Confirm::OverwriteExport { path, .. } => (
            " Replace the file? ",
            vec![
                format!("{} exists with other content.", crate::sanitize::inline(&path.display().to_string())),
                String::new(),
                "Replace it with this setup?".into(),
            ],
        ),
        Confirm::ReplaceVariable { reason } => (
            " Replace the variable? ",
            vec![crate::sanitize::inline(reason).into_owned(), String::new(), "Pipelines use the new role from their next run.".into()],
        ),
        Confirm::Remove { role } => (
            " Remove? ",
            vec![
                format!("The role {} and what is listed will be removed. Pipelines using it will be refused from now on.", crate::sanitize::inline(role)),
            ],
        ),
        Confirm::StoreVariable { key, host, projects } => (
            " Store in GitLab? ",
            vec![
                format!(
                    "Store the role ARN as the CI/CD variable {key} of {} on {}.",
                    projects.join(", "),
                    host
                ),
                String::new(),
                "A variable of that name holding another value is not replaced without asking again.".into(),
            ],
        ),
        Confirm::Retry { step, .. } => (
            " Retry? ",
            vec![
                format!("Run “{step}” again, and the steps after it."),
                String::new(),
                "The steps already done are not repeated.".into(),
            ],
        ),
        Confirm::Resume { summary } => (
            " A setup was stopped ",
            vec![
                format!("Last time: {summary}."),
                String::new(),
                "You can continue where you stopped: the answers are filled in, and what was already done is not done again.".into(),
            ],
        ),
        Confirm::AdminPolicy { name, .. } => (
            " Admin-level policy ",
            vec![
                format!("{name} gives every pipeline the trust policy allows (nearly) full control of account {account}: it can create users, read every secret and delete anything."),
                String::new(),
                "Prefer a narrower policy. Select it anyway?".into(),
            ],
        ),
        Confirm::Apply { changes, reasons, name } => {
            let mut b = vec![format!(
                "{} change{} to account {account}:",
                changes.len(),
                if changes.len() == 1 { "" } else { "s" }
            )];
            b.extend(changes.iter().map(|c| format!("  {c}")));
            if !reasons.is_empty() {
                b.push(String::new());
                b.extend(reasons.iter().map(|r| format!("⚠ {r}")));
            }
            if name.is_some() {
                b.push(String::new());
                b.push("⚠ The role's trust loses something it allows today: pipelines trusted now may be refused.".into());
            }
            b.push(String::new());
            b.push("Apply them now?".into());
            (" Apply ", b)
        }
        Confirm::Rollout { changes, reasons, .. } => {
            let mut b = vec!["Through a StackSet, from the management account:".to_string()];
            b.extend(changes.iter().map(|c| format!("  {}", crate::sanitize::inline(c))));
            if !reasons.is_empty() {
                b.push(String::new());
                b.extend(reasons.iter().map(|r| format!("⚠ {r}")));
            }
            b.push(String::new());
            b.push("Roll it out now? If the Organization has changed when it starts, nothing is done.".into());
            (" Roll out ", b)
        }
        Confirm::ForceRemove {
            role,
            in_profiles: false,
            ..
        } => (
            " Remove a role this tool did not make? ",
            vec![
                format!("{role} was not created by aws-oidc-wizard: someone else made it, and other pipelines or people may rely on it."),
                String::new(),
                "Show what removing it would do? (Nothing is removed before a second yes.)".into(),
            ],
        ),
        Confirm::ForceRemove {
            role,
            why,
            in_profiles: true,
        } => (
            " Take the role out of its instance profiles? ",
            vec![
                format!("{why}."),
                String::new(),
                format!("EC2 instances using those profiles lose {role}'s permissions. Show what removing it would do? (Nothing is removed before a second yes.)"),
            ],
        ),
        Confirm::QuitDraft => (
            " Quit? ",
            vec![
                {
                    let kept = match (&app.journal_unsaved, app.demo) {
                        (_, true) => "This is the demo: nothing is kept.".to_string(),
                        (Some(e), false) => format!("Your answers could not be kept ({}): the next start cannot offer them.", crate::sanitize::inline(e)),
                        (None, false) => "Your answers are kept: the next start offers to continue them.".to_string(),
                    };
                    let done = app.changed_so_far();
                    match app.role_arn() {
                        _ if app.apply.rollout.is_some() => format!("A rollout was made, but not of the answers and units on screen, or not to every account (Apply showed each); nothing is printed. {kept}"),
                        Some(arn) => format!("The answers changed after {arn} was set up and are not applied; nothing is printed. {kept}"),
                        None if done.is_empty() => format!("Nothing has been applied. {kept}"),
                        None => format!(
                            "Done so far: {}. The rest of the setup is not applied. {kept}",
                            crate::sanitize::inline(&done.join("; "))
                        ),
                    }
                },
                String::new(),
                "Quit now?".into(),
            ],
        ),
        Confirm::Quit => (
            " Quit? ",
            vec![
                match &app.journal_unsaved {
                    None => "An apply is running. Quitting now leaves it half done; running the wizard again finishes it.".to_string(),
                    Some(e) => format!("An apply is running. Quitting now leaves it half done, and its progress could not be kept ({}): running the wizard again with the same answers finishes it.", crate::sanitize::inline(e)),
                },
                String::new(),
                "Quit anyway?".into(),
            ],
        ),
    };
    let mut tail: Vec<Line> = vec![Line::default()];
    if c.changes() {
        tail.extend(button_lines(app, c, theme));
        tail.push(Line::default());
    }
    let mut keys = Vec::new();
    for (k, what) in super::keys::confirm(c) {
        keys.push(Span::styled(format!(" {k} "), theme.key()));
        keys.push(Span::raw(format!("{what}  ")));
    }
    tail.push(Line::from(keys));
    // The buttons and the question always show: a body taller than the terminal loses lines
    // from its middle, and says so.
    let inner = 66u16.min(area.width).saturating_sub(2);
    let room = area
        .height
        .saturating_sub(2)
        .saturating_sub(wrapped_rows(&tail, inner));
    let mut lines: Vec<Line> = fit_body(body, inner, room);
    lines.extend(tail);
    // Tall enough for every line once wrapped (a long change list must not be cut off).
    let h = wrapped_rows(&lines, 66u16.min(area.width).saturating_sub(2))
        .saturating_add(2)
        .max(12);
    let rect = centered(area, 66, h);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(title, theme.warn())),
        ),
        rect,
    );
}

/// A dialog's body in at most `room` rows of `width`: whole, or its first line and its last two
/// (the question) with as many of the others as fit and a line saying what was left out.
fn fit_body(body: Vec<String>, width: u16, room: u16) -> Vec<Line<'static>> {
    let rows = |l: &[String]| {
        wrapped_rows(
            &l.iter().map(|s| Line::from(s.as_str())).collect::<Vec<_>>(),
            width,
        )
    };
    if rows(&body) <= room || body.len() < 4 {
        return body.into_iter().map(Line::from).collect();
    }
    let (head, rest) = body.split_at(1);
    let (middle, end) = rest.split_at(rest.len() - 2);
    let mut kept: Vec<String> = head.to_vec();
    let marker = |n: usize| {
        format!(
            "⋯ {n} more line{} (Esc, and the screen shows them all)",
            if n == 1 { "" } else { "s" }
        )
    };
    let mut taken = 0;
    for line in middle {
        let mut trial = kept.clone();
        trial.push(line.clone());
        trial.push(marker(middle.len()));
        trial.extend(end.iter().cloned());
        if rows(&trial) > room {
            break;
        }
        kept.push(line.clone());
        taken += 1;
    }
    if taken < middle.len() {
        kept.push(marker(middle.len() - taken));
    }
    kept.extend(end.iter().cloned());
    kept.into_iter().map(Line::from).collect()
}

/// The name field (when the dialog wants one) and the two buttons of a changing dialog. The
/// chosen button is marked with › ‹ as well as by its style, so that it shows without colour.
fn button_lines(app: &App, c: &Confirm, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if let Some(name) = c.name_to_type() {
        lines.push(Line::from(format!(
            "To confirm, type the role's name ({}):",
            crate::sanitize::inline(name)
        )));
        lines.push(Line::from(vec![
            Span::raw("  ["),
            Span::styled(
                crate::sanitize::inline(&app.buttons.typed).into_owned(),
                theme.focus(),
            ),
            Span::raw("▏]"),
        ]));
        if let Some(why) = &app.buttons.refused {
            lines.push(Line::from(Span::styled(
                format!("  ✗ {}", crate::sanitize::inline(why)),
                theme.error(),
            )));
        }
        lines.push(Line::default());
    }
    let button = |label: &str, chosen: bool| {
        if chosen {
            Span::styled(format!("[›{label}‹]"), theme.focus())
        } else {
            Span::styled(format!("[ {label} ]"), theme.text())
        }
    };
    lines.push(Line::from(vec![
        Span::raw("    "),
        button("Cancel", app.buttons.chosen == Button::Cancel),
        Span::raw("    "),
        button(c.go_label(), app.buttons.chosen == Button::Go),
    ]));
    lines
}

/// Draw a labelled field on one line, its message on the next; returns the lines used.
pub(super) fn field_lines<'a>(
    app: &'a App,
    e: Element,
    theme: &Theme,
    label_width: usize,
) -> Vec<Line<'a>> {
    let Some(f) = app.field(e) else {
        return vec![];
    };
    let focused = app.focused() == e;
    let marker = if focused { "›" } else { " " };
    let label = Span::styled(
        format!("{marker} {:<label_width$}", f.label),
        if focused { theme.focus() } else { theme.text() },
    );
    let value = if f.value.is_empty() {
        Span::styled(f.placeholder.clone(), theme.muted())
    } else {
        Span::raw(f.display())
    };
    let mut lines = vec![Line::from(vec![
        label,
        Span::raw("["),
        value,
        Span::raw("]"),
    ])];
    // An empty field is not wrong before the person has been there.
    let shown = f.touched || !f.value.trim().is_empty();
    if let Some(err) = app.error(e).filter(|_| shown) {
        lines.push(Line::from(Span::styled(
            format!("  {:label_width$}✗ {err}", ""),
            theme.error(),
        )));
    }
    lines
}

/// Where the cursor goes for the focused text field drawn at `line` of `area`.
pub(super) fn cursor_at(frame: &mut Frame, app: &App, area: Rect, line: u16, label_width: usize) {
    let e = app.focused();
    if let Some(f) = app.field(e) {
        let x = area.x + 2 + label_width as u16 + 1 + f.cursor as u16;
        let y = area.y + line;
        if x < area.x + area.width && y < area.y + area.height {
            frame.set_cursor_position(Position::new(x, y));
        }
    }
}
