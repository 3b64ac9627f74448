//! Role: its attributes, and what exists under its name.

use super::*;

/// Whether the typed name is a new role or an existing one, and what that means.
pub(super) fn existing_role_line(app: &App, theme: &Theme) -> Option<Line<'static>> {
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

pub(super) fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
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
