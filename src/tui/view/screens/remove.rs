//! Remove: what removing a setup would do, then doing it.

use super::*;

pub(super) fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
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
