//! Apply: each action as it runs.

use super::*;

/// After this many ticks (of 100 ms) a running call shows its time and how to cancel it.
pub(super) const SLOW_TICKS: u32 = 20;

pub(super) fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    if app.apply.rollout.is_some() {
        return super::units::draw_rollout(frame, app, theme, area);
    }
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
            if e.kind != crate::tui::app::ErrorKind::Cancelled {
                lines.push(Line::from(Span::styled(
                    "   r re-runs this step and the ones after it; finished steps are not repeated. Esc goes back to change an answer.",
                    theme.muted(),
                )));
            }
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
