//! Review with the accounts of organizational units as its target (the unit list, then the
//! rollout's plan), and Apply as the rollout goes, account by account.

use super::*;
use crate::tui::app::screens::units::AccountRow;

/// At most this many account names after a unit; the rest are counted.
const NAMES: usize = 3;

/// Review's body when the target is the accounts of units.
pub(super) fn review_lines(app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let units = &app.review.units;
    let mut l = vec![Line::from(Span::styled(
        if units.picking {
            "Target: the accounts of organizational units, through one StackSet."
        } else {
            "Target: the accounts of organizational units, through one StackSet (t: this account instead)."
        },
        theme.muted(),
    ))];
    if units.picking {
        l.push(Line::default());
        match &units.list.state {
            Load::Idle | Load::Loading => l.push(Line::from(format!(
                "{} Reading the Organization's units…",
                spinner(app)
            ))),
            Load::Failed(e) => l.extend(error_lines(e, theme)),
            Load::Loaded(list) => {
                l.push(Line::from(
                    "Choose the units (↑/↓ move, Space selects, Enter plans, Esc closes):",
                ));
                for (i, u) in list.iter().enumerate() {
                    let here = i == units.cursor;
                    let chosen = units.chosen.contains(&u.id);
                    let accounts = if u.is_root() {
                        "the root: every account".to_string()
                    } else if u.accounts.is_empty() {
                        "no accounts directly in it".to_string()
                    } else {
                        let mut names: Vec<String> = u
                            .accounts
                            .iter()
                            .take(NAMES)
                            .map(|a| inline(&a.name).into_owned())
                            .collect();
                        if u.accounts.len() > NAMES {
                            names.push(format!("{} more", u.accounts.len() - NAMES));
                        }
                        names.join(", ")
                    };
                    let style = if here { theme.selected() } else { theme.text() };
                    l.push(Line::from(vec![
                        Span::raw(if here { "› " } else { "  " }),
                        Span::styled(
                            format!(
                                "[{}] {}{}",
                                if chosen { "x" } else { " " },
                                "  ".repeat(u.depth),
                                inline(&u.id)
                            ),
                            style,
                        ),
                        Span::styled(format!("  {accounts}"), theme.muted()),
                    ]));
                }
            }
        }
        return l;
    }
    l.push(Line::from(format!(
        "Units: {}  (u changes them)",
        inline(&units.chosen.join(", "))
    )));
    l.push(Line::default());
    // The setup itself did not pass (its answers, the pre-flight): said here too. (A failure
    // to read this account says nothing of the units.)
    if let (Load::Failed(e), false) = (&app.review.plan.state, app.review.setup_checked()) {
        l.extend(error_lines(e, theme));
        return l;
    }
    match &units.plan.state {
        Load::Idle | Load::Loading => l.push(Line::from(format!(
            "{} Reading each account of the units through {} (read-only; nothing is changed)…",
            spinner(app),
            crate::aws::org::DEFAULT_MEMBER_ROLE
        ))),
        Load::Failed(e) => l.extend(error_lines(e, theme)),
        Load::Loaded(plan) => {
            let head = if plan.is_converged() {
                "Every account of the units already has this setup: Apply changes nothing."
            } else {
                "Nothing has been changed yet. This is what Apply will do:"
            };
            l.push(Line::from(Span::styled(head, theme.muted())));
            l.extend(crate::rollout::text(plan).lines().map(|s| {
                let style = if s.starts_with("  !") {
                    theme.warn()
                } else if s.starts_with("  +") {
                    theme.ok()
                } else {
                    theme.text()
                };
                Line::from(Span::styled(s.to_string(), style))
            }));
        }
    }
    l
}

fn row_lines(row: &AccountRow, app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let (glyph, style) = match row.state.as_str() {
        "current" | "succeeded" => ("✓", theme.ok()),
        "failed" | "unreadable" | "not-deployed" | "cancelled" | "inoperable" => {
            ("✗", theme.error())
        }
        "running" => (spinner(app), theme.focus()),
        "skipped" | "unchanged" | "not started" => ("–", theme.muted()),
        _ => ("·", theme.muted()),
    };
    let mut l = vec![Line::from(vec![
        Span::styled(format!(" {glyph} {:<10} ", inline(&row.state)), style),
        Span::raw(format!("{} {}", row.account, inline(&row.name))),
    ])];
    // The role's ARN once it is there; until then what the plan does there.
    l.push(Line::from(Span::styled(
        format!(
            "   {}",
            row.role_arn
                .as_deref()
                .map_or_else(|| row.planned.clone(), |a| inline(a).into_owned())
        ),
        theme.muted(),
    )));
    if let Some(reason) = &row.reason {
        l.push(Line::from(Span::styled(
            format!("   {}", inline(reason)),
            if glyph == "✗" {
                theme.error()
            } else {
                theme.warn()
            },
        )));
    }
    l
}

/// Apply during and after a rollout.
pub(super) fn draw_rollout(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let Some(r) = &app.apply.rollout else {
        return;
    };
    let mut lines = vec![
        Line::from(Span::styled(
            "Each account of the units, as StackSets deploys to it:",
            theme.muted(),
        )),
        Line::default(),
    ];
    for row in &r.accounts {
        lines.extend(row_lines(row, app, theme));
    }
    lines.push(Line::default());
    for line in &r.lines {
        lines.push(Line::from(Span::styled(inline(line), theme.muted())));
    }
    if let Some(w) = &r.waiting {
        lines.push(Line::from(Span::styled(
            format!("{} {} · Esc stops waiting", spinner(app), inline(w)),
            theme.focus(),
        )));
    } else if app.apply.running {
        lines.push(Line::from(Span::styled(
            format!(
                "{} {}",
                spinner(app),
                if r.lines.is_empty() {
                    "Reading the Organization again: what runs must be what you confirmed…"
                } else {
                    "Going on…"
                }
            ),
            theme.focus(),
        )));
    }
    match &r.result {
        None => {}
        Some(Err(e)) => lines.extend(error_lines(e, theme)),
        Some(Ok(done)) => {
            let failed = done.failed().len();
            let current = done
                .accounts
                .iter()
                .filter(|a| a.status == "current")
                .count();
            let (text, style) = if failed == 0 {
                (
                    format!(
                        "Rolled out: the role is in place in {current} account{}. Esc goes back to Review.",
                        if current == 1 { "" } else { "s" }
                    ),
                    theme.ok(),
                )
            } else {
                (
                    format!(
                        "{failed} account{} did not get the setup (above, with the reason). Fix it there, then apply again from Review (Esc).",
                        if failed == 1 { "" } else { "s" }
                    ),
                    theme.error(),
                )
            };
            lines.push(Line::from(Span::styled(text, style)));
        }
    }
    super::super::draw_scrolled(frame, app, theme, lines, area);
}
