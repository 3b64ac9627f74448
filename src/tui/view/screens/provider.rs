//! Identity provider: the kind, the URL and audience, the provider AWS has, the pre-flight.

use super::*;

pub(super) fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let mut lines = vec![choice_line(
        app,
        Element::ProviderKind,
        "GitLab",
        &[
            ("GitLab.com", app.provider.kind == ProviderKind::GitLabCom),
            (
                "Self-managed",
                app.provider.kind == ProviderKind::SelfManaged,
            ),
        ],
        theme,
    )];
    let mut cursor = None;
    if app.provider.kind == ProviderKind::SelfManaged {
        push_field(&mut lines, &mut cursor, app, Element::ProviderUrl, theme);
    }
    push_field(&mut lines, &mut cursor, app, Element::Audience, theme);
    lines.push(Line::from(Span::styled(
        "  The audience must equal the aud of id_tokens in .gitlab-ci.yml.",
        theme.muted(),
    )));
    lines.push(Line::default());
    let audience = app.provider.audience.value.as_str();
    match &app.provider.lookup.state {
        Load::Idle => lines.push(Line::from(Span::styled(
            "  (looked up once the URL is valid)",
            theme.muted(),
        ))),
        Load::Loading => lines.push(Line::from(format!(
            "{} Looking for this provider in the account…",
            spinner(app)
        ))),
        Load::Loaded(None) => lines.push(Line::from(vec![
            Span::styled("+ will create ", theme.ok()),
            Span::raw("a new identity provider with this audience"),
        ])),
        Load::Loaded(Some(p)) if p.client_ids.iter().any(|c| c == audience) => {
            lines.push(Line::from(vec![
                Span::styled("✓ will reuse ", theme.ok()),
                Span::raw("the existing provider; the audience is already registered"),
            ]))
        }
        Load::Loaded(Some(p)) => {
            lines.push(Line::from(vec![
                Span::styled("~ will reuse ", theme.warn()),
                Span::raw("the existing provider and add this audience"),
            ]));
            lines.push(Line::from(Span::styled(
                format!("  registered now: {}", p.client_ids.join(", ")),
                theme.muted(),
            )));
        }
        Load::Failed(e) => lines.extend(error_lines(e, theme)),
    }
    match &app.provider.preflight.state {
        Load::Idle => {}
        Load::Loading => lines.push(Line::from(format!(
            "{} Checking the instance the way AWS will (issuer, keys, TLS)…",
            spinner(app)
        ))),
        Load::Loaded(report) => lines.extend(text_lines(&report.text(), theme)),
        Load::Failed(e) => lines.extend(error_lines(e, theme)),
    }
    lines.push(Line::default());
    lines.push(next_line(app, theme, "Next"));
    form(frame, app, area, lines, cursor);
}
