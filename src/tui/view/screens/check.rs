//! Check: the audit of the account's GitLab roles, or of every account of the Organization.

use super::*;

pub(super) fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let [body, bottom] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
    let mut lines = Vec::new();
    if app.check.whole {
        lines.push(Line::from(Span::styled(
            "Every account of the Organization, each read through OrganizationAccountAccessRole (read-only):",
            theme.muted(),
        )));
        let waiting = match &app.check.progress {
            Some(p) if p.accounts > 0 => format!("Reading the accounts: {}", p.line()),
            _ => "Listing the Organization's accounts".to_string(),
        };
        match loading_or_error(&app.check.org_result.state, &waiting, app, theme) {
            Some(l) => lines.extend(l),
            None => {
                if let Some(audit) = app.check.org_result.loaded() {
                    lines.extend(text_lines(&crate::check::org::text(audit), theme));
                }
            }
        }
    } else {
        lines.push(Line::from(Span::styled(
            "Every role an OIDC token can reach, audited (read-only):",
            theme.muted(),
        )));
        if let Some(org) = app.check.offered() {
            lines.push(Line::from(Span::styled(
                format!(
                    "This account can audit its Organization {}: press o for every account.",
                    crate::sanitize::inline(&org.id)
                ),
                theme.muted(),
            )));
        }
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
    }
    super::super::draw_scrolled(frame, app, theme, lines, body);
    frame.render_widget(Paragraph::new(next_line(app, theme, "Check again")), bottom);
}
