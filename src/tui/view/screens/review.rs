//! Review: the plan, before anything is applied.

use super::*;

/// The plan as Review shows it: the facts, then what changes on an existing role (its trust
/// policy diff first), the warnings, what Apply will ask to confirm, and the whole trust policy.
pub fn review_text(plan: &crate::engine::Plan) -> String {
    let mut s = output::plan_facts(plan, output::Ids::Names);
    s.push_str(&output::trust_diff_text(plan));
    s.push_str(&output::plan_warnings(plan));
    let confirmations = plan.confirmations();
    if !confirmations.is_empty() {
        s.push_str("\nBefore you apply, note that:\n");
        for c in &confirmations {
            s.push_str(&format!("  ? {c}\n"));
        }
    }
    s.push_str(&output::trust_policy_text(plan));
    if plan.is_converged() {
        s.push_str(output::CONVERGED);
    }
    s
}

pub(super) fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let [body, bottom] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
    let lines: Vec<Line> = match &app.review.plan.state {
        _ if app.review.units.target == crate::tui::app::screens::units::Target::Units => {
            super::units::review_lines(app, theme)
        }
        Load::Idle | Load::Loading if app.waits_for_namespaces() => vec![Line::from(format!(
            "{} Looking up the projects' namespace ids on gitlab.com, to pin them…",
            spinner(app)
        ))],
        Load::Idle | Load::Loading => vec![Line::from(format!(
            "{} Reading what exists (read-only calls; nothing is changed)…",
            spinner(app)
        ))],
        Load::Failed(e) => error_lines(e, theme),
        Load::Loaded(plan) => {
            let done = app.changed_so_far();
            let head = match (plan.is_converged(), done.is_empty()) {
                (true, _) => "The account already has this setup: Apply changes nothing.".into(),
                (false, true) => "Nothing has been changed yet. This is what Apply will do:".into(),
                (false, false) => format!(
                    "Done so far: {}. This is what Apply will still do:",
                    crate::sanitize::inline(&done.join("; "))
                ),
            };
            let mut l = vec![];
            if app.check.offered().is_some() {
                l.push(Line::from(Span::styled(
                    "Target: this account (t: the accounts of organizational units instead).",
                    theme.muted(),
                )));
            }
            l.push(Line::from(Span::styled(head, theme.muted())));
            if let Some(theirs) = app.projects_trusted_now() {
                l.push(Line::from(Span::styled(
                    format!(
                        "! The role trusts {} today: Apply as shown replaces that. + keeps it and adds {}.",
                        theirs.join(", "),
                        app.trust.projects.list().join(", ")
                    ),
                    theme.warn(),
                )));
            }
            l.extend(review_text(plan).lines().map(|s| {
                let style = if s.starts_with("  !") || s.starts_with('-') {
                    theme.warn()
                } else if s.starts_with('+') {
                    theme.ok()
                } else {
                    theme.text()
                };
                Line::from(Span::styled(s.to_string(), style))
            }));
            l
        }
    };
    super::super::draw_scrolled(frame, app, theme, lines, body);
    frame.render_widget(Paragraph::new(next_line(app, theme, "Apply")), bottom);
}
