//! Explain: why a role refuses a pipeline's token.

use super::*;

pub(super) fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
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
    let rows = super::super::wrapped_rows(&head, area.width);
    let [top, rest] = Layout::vertical([Constraint::Length(rows), Constraint::Min(0)]).areas(area);
    form(frame, app, top, head, cursor);
    super::super::draw_scrolled(frame, app, theme, body, rest);
}
