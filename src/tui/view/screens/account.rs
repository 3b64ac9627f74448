//! The first screen: the account, the task, and the setups made in it.

use super::*;

pub(super) fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
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
            if e.kind == crate::tui::app::ErrorKind::ProfileNotFound {
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
pub(super) fn setup_lines(app: &App, theme: &Theme, room: usize) -> Vec<Line<'static>> {
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
