//! Check: the audit of the account's GitLab roles.

use super::*;

pub(super) fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
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
    super::super::draw_scrolled(frame, app, theme, lines, body);
    frame.render_widget(Paragraph::new(next_line(app, theme, "Check again")), bottom);
}
