//! One drawing module per screen (`screens/<screen>.rs`, beside `app/screens/<screen>.rs`),
//! and what they share: form lines, fields, choices, loading and error lines.

mod account;
mod apply;
mod check;
mod done;
mod explain;
mod permissions;
mod provider;
mod remove;
mod review;
mod role;
mod trust;
mod units;

#[cfg(test)]
use done::{break_at_safe_points, wrap_keeping_indent};

use crate::sanitize::inline;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::{SPINNER, cursor_at, field_lines};
use crate::aws::calls::is_mutating;
use crate::output;
use crate::plan::input::RefType;
use crate::tui::app::{ActionState, App, Element, ErrorView, Load, ProviderKind, Screen};
use crate::tui::theme::Theme;

const LABEL: usize = 16;

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    match app.screen {
        Screen::Account => account::draw(frame, app, theme, area),
        Screen::Provider => provider::draw(frame, app, theme, area),
        Screen::Trust => trust::draw(frame, app, theme, area),
        Screen::Permissions => permissions::draw(frame, app, theme, area),
        Screen::Role => role::draw(frame, app, theme, area),
        Screen::Review => review::draw(frame, app, theme, area),
        Screen::Apply => apply::draw(frame, app, theme, area),
        Screen::Done => done::draw(frame, app, theme, area),
        Screen::Check => check::draw(frame, app, theme, area),
        Screen::Explain => explain::draw(frame, app, theme, area),
        Screen::Remove => remove::draw(frame, app, theme, area),
    }
}

fn spinner(app: &App) -> &'static str {
    SPINNER[app.spinner % SPINNER.len()]
}

fn next_line<'a>(app: &App, theme: &Theme, label: &'a str) -> Line<'a> {
    let focused = app.focused() == Element::Next;
    let blocker = app.blocker();
    let enabled = blocker.is_none();
    let style = match (focused, enabled) {
        (true, true) => theme.selected(),
        (_, false) => theme.muted(),
        _ => theme.text(),
    };
    let marker = if focused { "›" } else { " " };
    let mut spans = vec![
        Span::raw(format!("{marker} ")),
        Span::styled(format!("[ {label} ]"), style),
    ];
    // Apply shows its own state; elsewhere say why Next is not available yet.
    if let Some(why) = blocker.filter(|_| app.screen != Screen::Apply) {
        spans.push(Span::styled(format!("  (not yet: {why})"), theme.muted()));
    }
    Line::from(spans)
}

fn error_lines(e: &ErrorView, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(Span::styled(
        format!("✗ {}: {}", e.code, inline(&e.message)),
        theme.error(),
    ))];
    if !e.hint.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("  hint: {}", e.hint),
            theme.warn(),
        )));
    }
    lines
}

/// Draw `lines` with the focused field's cursor placed, if the focused field is among them.
fn form(frame: &mut Frame, app: &App, area: Rect, lines: Vec<Line>, cursor_line: Option<u16>) {
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    if let Some(l) = cursor_line {
        cursor_at(frame, app, area, l, LABEL);
    }
}

/// Append a field's lines, remembering where the focused one lands.
fn push_field<'a>(
    lines: &mut Vec<Line<'a>>,
    cursor: &mut Option<u16>,
    app: &'a App,
    e: Element,
    theme: &Theme,
) {
    if app.focused() == e {
        *cursor = Some(lines.len() as u16);
    }
    lines.extend(field_lines(app, e, theme, LABEL));
}

fn choice_line<'a>(
    app: &App,
    e: Element,
    label: &'a str,
    options: &[(&'a str, bool)],
    theme: &Theme,
) -> Line<'a> {
    let focused = app.focused() == e;
    let marker = if focused { "›" } else { " " };
    let mut spans = vec![Span::styled(
        format!("{marker} {label:<LABEL$}"),
        if focused { theme.focus() } else { theme.text() },
    )];
    for (name, on) in options {
        let mark = if *on { "(•)" } else { "( )" };
        spans.push(Span::styled(
            format!("{mark} {name}  "),
            if *on { theme.focus() } else { theme.text() },
        ));
    }
    Line::from(spans)
}

/// Lines that may not fit and are not scrolled: when some are cut, the last row says how many
/// and where to see them, so a cut never passes for the end.
fn draw_cut(frame: &mut Frame, theme: &Theme, lines: Vec<Line>, area: Rect, elsewhere: &str) {
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    let total = u16::try_from(paragraph.line_count(area.width)).unwrap_or(u16::MAX);
    if total <= area.height {
        frame.render_widget(paragraph, area);
        return;
    }
    let [text, marker] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
    frame.render_widget(paragraph, text);
    let hidden = total.saturating_sub(text.height);
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(
            format!("↓ {hidden} more lines: {elsewhere}"),
            theme.muted(),
        ))),
        marker,
    );
}

fn loading_or_error<T>(
    load: &crate::tui::app::Load<T>,
    what: &str,
    app: &App,
    theme: &Theme,
) -> Option<Vec<Line<'static>>> {
    match load {
        Load::Idle => Some(vec![]),
        Load::Loading => Some(vec![Line::from(format!("{} {what}…", spinner(app)))]),
        Load::Failed(e) => Some(error_lines(e, theme)),
        Load::Loaded(_) => None,
    }
}

fn text_lines(text: &str, theme: &Theme) -> Vec<Line<'static>> {
    text.lines()
        .map(|l| {
            let style = if l.trim_start().starts_with('✗') || l.trim_start().starts_with('!') {
                theme.error()
            } else if l.trim_start().starts_with('✓') {
                theme.ok()
            } else {
                theme.text()
            };
            Line::from(Span::styled(l.to_string(), style))
        })
        .collect()
}

/// The account's GitLab roles under the role field: pick with Ctrl-N/P instead of typing.
fn role_choices(app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let text = match &app.gitlab_roles.state {
        Load::Idle => return vec![],
        Load::Loading => format!("  {} listing the account's GitLab roles…", spinner(app)),
        Load::Loaded(roles) if roles.is_empty() => {
            "  (no GitLab OIDC role in this account)".to_string()
        }
        Load::Loaded(roles) => {
            const SHOWN: usize = 4;
            let more = roles.len().saturating_sub(SHOWN);
            let mut names = roles[..roles.len().min(SHOWN)]
                .iter()
                .map(|r| inline(r).into_owned())
                .collect::<Vec<_>>()
                .join(", ");
            if more > 0 {
                names.push_str(&format!(" and {more} more"));
            }
            format!("  Ctrl-N/P picks: {names}")
        }
        Load::Failed(e) => format!(
            "  (the roles could not be listed: {}; type the name)",
            e.code
        ),
    };
    vec![Line::from(Span::styled(text, theme.muted()))]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_arn_breaks_after_a_separator_and_loses_nothing() {
        let arn = format!(
            "arn:aws:iam::123456789012:role/gitlab/ci/{}",
            "a".repeat(64)
        );
        for width in [20, 50, 78, 200] {
            let lines = break_at_safe_points(&arn, width);
            assert!(
                lines.iter().all(|l| l.chars().count() <= width),
                "{width}: {lines:?}"
            );
            let joined: String = lines
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    if i == 0 {
                        l.as_str()
                    } else {
                        l.trim_start_matches('↪')
                    }
                })
                .collect();
            assert_eq!(joined, arn, "{width}");
            assert!(lines.iter().skip(1).all(|l| l.starts_with('↪')));
        }
        let lines = break_at_safe_points(&arn, 50);
        assert_eq!(lines[0], "arn:aws:iam::123456789012:role/gitlab/ci/");
    }

    #[test]
    fn yaml_wraps_under_its_own_indentation() {
        let line = "      - aws sts assume-role-with-web-identity --role-arn \"$ROLE_ARN\" --role-session-name x";
        let wrapped = wrap_keeping_indent(line, 40);
        assert!(wrapped.len() > 1);
        assert!(
            wrapped.iter().all(|l| l.chars().count() <= 40),
            "{wrapped:?}"
        );
        assert!(wrapped[0].starts_with("      - aws"));
        assert!(
            wrapped[1..].iter().all(|l| l.starts_with("        ")),
            "{wrapped:?}"
        );
        let words: Vec<&str> = wrapped.iter().flat_map(|l| l.split_whitespace()).collect();
        assert_eq!(words, line.split_whitespace().collect::<Vec<_>>());
    }
}
