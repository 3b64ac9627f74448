//! Done: the role ARN, the CI job, and what can be done with them.

use super::*;

pub(super) fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let arn = app.role_arn().unwrap_or("");
    let inner = usize::from(area.width.saturating_sub(2)).max(1);
    let arn_lines = break_at_safe_points(arn, inner);
    let (status, style) = match &app.done.copied {
        None => ("c copies it".to_string(), theme.muted()),
        Some((what, Ok(c))) if c.sure => (format!("✓ {what} copied {}", c.how), theme.ok()),
        Some((what, Ok(c))) if *what == "the role ARN" => (
            format!("→ {what} {}; it is also printed when you quit", c.how),
            theme.warn(),
        ),
        Some((what, Ok(c))) => (format!("→ {what} {}", c.how), theme.warn()),
        Some((what, Err(e))) => (format!("✗ {what} not copied: {e}"), theme.error()),
    };
    // Tall enough for the whole ARN and the whole status: neither is ever cut.
    let status_lines = wrap_keeping_indent(&status, inner);
    let rows = u16::try_from(arn_lines.len() + 1 + status_lines.len()).unwrap_or(u16::MAX);
    let [arn_area, rest] =
        Layout::vertical([Constraint::Length(2 + rows), Constraint::Min(0)]).areas(area);
    let block = Block::default().borders(Borders::ALL).title(" Role ARN ");
    let mut arn_text: Vec<Line> = arn_lines
        .into_iter()
        .map(|l| Line::from(Span::styled(l, theme.arn())))
        .collect();
    arn_text.push(Line::default());
    arn_text.extend(
        status_lines
            .into_iter()
            .map(|l| Line::from(Span::styled(l, style))),
    );
    frame.render_widget(Paragraph::new(arn_text).block(block), arn_area);
    // What the setup did, in the command line's words.
    let mut summary: Vec<Line> = Vec::new();
    if let Some(outcome) = &app.apply.outcome {
        summary.extend(
            outcome
                .resources
                .iter()
                .map(|r| Line::from(Span::styled(crate::output::report_line(r), theme.ok()))),
        );
        summary.extend(outcome.left_alone.iter().map(|p| {
            Line::from(Span::styled(
                crate::output::left_alone_line(p),
                theme.muted(),
            ))
        }));
    }
    if let Some((total, mutating)) = app.done.calls {
        let line = crate::output::calls_line(total, mutating);
        summary.push(Line::from(Span::styled(
            if app.demo {
                format!("DEMO: {line}, all answered in memory (none sent to AWS)")
            } else {
                line
            },
            theme.muted(),
        )));
    }
    let mut lines = vec![
        Line::from("1. In GitLab: Settings › CI/CD › Variables › Add variable:"),
        Line::from(vec![
            Span::raw("   key "),
            Span::styled(app.variable.key.clone(), theme.key()),
            Span::raw(", value the ARN above (protect it for protected refs)."),
        ]),
        Line::from("2. Add this job to .gitlab-ci.yml (y copies it):"),
    ];
    // The GitLab half, between the variable instruction and the job.
    let mut gitlab: Vec<Line> = match &app.done.stored.state {
        Load::Idle => vec![Line::from(Span::styled(
            "   …or press g to store it in GitLab now (needs a token with the api scope):",
            theme.muted(),
        ))],
        Load::Loading => vec![Line::from(format!(
            "   {} storing it in GitLab…",
            spinner(app)
        ))],
        Load::Loaded(done) => done
            .iter()
            .map(|l| Line::from(Span::styled(format!("   {l}"), theme.ok())))
            .collect(),
        Load::Failed(e) => error_lines(e, theme),
    };
    if app.done.stored.loaded().is_none() {
        let mut cursor = None;
        push_field(&mut gitlab, &mut cursor, app, Element::GitLabToken, theme);
    }
    let tail = lines.split_off(2);
    lines.extend(gitlab);
    lines.extend(tail);
    if !summary.is_empty() {
        summary.push(Line::default());
        summary.extend(lines);
        lines = summary;
    }
    let width = usize::from(rest.width);
    lines.extend(
        app.ci_job()
            .lines()
            .flat_map(|l| wrap_keeping_indent(&format!("   {l}"), width))
            .map(|l| Line::from(Span::styled(l, theme.muted()))),
    );
    super::super::draw_scrolled(frame, app, theme, lines, rest);
}

/// Break a value with no spaces (an ARN) into lines of at most `width` columns, after a `:` or
/// `/` where one is near; every line after the first starts with `↪` so that a wrapped value is
/// seen as one. Nothing is ever cut.
pub fn break_at_safe_points(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut lines = Vec::new();
    let mut rest: Vec<char> = text.chars().collect();
    let mut first = true;
    while !rest.is_empty() {
        let room = if first { width } else { width - 1 };
        if rest.len() <= room {
            lines.push(if first {
                rest.iter().collect()
            } else {
                format!("↪{}", rest.iter().collect::<String>())
            });
            break;
        }
        // The last ':' or '/' that fits, if it is not too far back; else a hard break.
        let cut = rest[..room]
            .iter()
            .rposition(|c| *c == ':' || *c == '/')
            .map(|i| i + 1)
            .filter(|i| *i > room / 2)
            .unwrap_or(room);
        let piece: String = rest[..cut].iter().collect();
        lines.push(if first { piece } else { format!("↪{piece}") });
        rest.drain(..cut);
        first = false;
    }
    lines
}

/// Wrap a line of YAML at `width`, continuing under its own indentation (plus two), so the
/// shape of the job stays readable.
pub(super) fn wrap_keeping_indent(line: &str, width: usize) -> Vec<String> {
    let indent = line.len() - line.trim_start().len();
    if line.chars().count() <= width || width <= indent + 10 {
        return vec![line.to_string()];
    }
    let pad = " ".repeat(indent + 2);
    let mut out = Vec::new();
    let mut current = String::new();
    for word in line.trim_start().split(' ') {
        let base = if out.is_empty() {
            &line[..indent]
        } else {
            pad.as_str()
        };
        if !current.is_empty()
            && base.len() + current.chars().count() + 1 + word.chars().count() > width
        {
            out.push(format!("{base}{current}"));
            current.clear();
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    let base = if out.is_empty() {
        &line[..indent]
    } else {
        pad.as_str()
    };
    out.push(format!("{base}{current}"));
    out
}
