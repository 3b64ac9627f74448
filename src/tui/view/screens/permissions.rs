//! Permissions: the filter, the policy list and the custom ARN.

use super::*;

pub(super) fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
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
