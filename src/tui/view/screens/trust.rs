//! Who may assume: the projects and refs, and the trust policy they make.

use super::*;

pub(super) fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
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
