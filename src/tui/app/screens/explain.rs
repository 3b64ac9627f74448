//! Explain: why a role refuses a pipeline's token, as the `explain` command says.

use super::super::{Field, Request};

#[derive(Debug, Clone, PartialEq)]
pub struct ExplainState {
    pub claims_file: Field,
    pub token: Field,
    pub result: Request<Box<crate::explain::Explanation>>,
}

impl Default for ExplainState {
    fn default() -> Self {
        ExplainState {
            claims_file: Field::new("Claims file", "").with_placeholder("a JSON file of claims"),
            token: Field {
                secret: true,
                ..Field::new("or ID token", "").with_placeholder("paste it; never shown or stored")
            },
            result: Request::default(),
        }
    }
}

use super::super::keymap::{Binding, Command as Do, ENTER, Key, Nav, TAB, back, ch};
use super::super::{App, Effect, Element, ErrorView, non_empty};
use crate::flow::claims::ClaimsSource;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Enter: explain once the fields are complete, else the next field.
    Go,
}

/// The keys of Explain and Remove, which share their form: `go` names Enter's action.
pub(in crate::tui::app) fn task_keys(app: &App, go: Do, long: &'static str) -> Vec<Binding> {
    let scroll = |n| Do::Nav(Nav::Scroll(n));
    vec![
        Binding::new(&[TAB], "Tab", "next field", "").does(Do::Nav(Nav::NextField)),
        Binding::new(&[ENTER], "Enter", "go", long).does(go),
        back(),
        Binding::new(
            &[Key::Ctrl('n'), Key::Ctrl('p')],
            "Ctrl-N / Ctrl-P",
            "",
            "pick a GitLab role of the account",
        )
        .does(Do::Nav(Nav::Pick))
        .when(app.focused() == Element::TargetRole),
        Binding::new(&[ch('j')], "j/k", "", "scroll").does(scroll(1)),
        Binding::new(&[ch('k')], "k", "", "").does(scroll(-1)),
    ]
}

pub(in crate::tui::app) fn keys(app: &App) -> Vec<Binding> {
    task_keys(
        app,
        Do::Explain(Action::Go),
        "explain: decode the claims, check every condition",
    )
}

pub(in crate::tui::app) fn act(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Go if app.focused() == Element::Next || blocker(app).is_none() => explain(app),
        Action::Go => super::super::nav::enter_on(app, app.focused()),
    }
}

/// What Explain still needs.
pub(in crate::tui::app) fn blocker(app: &App) -> Option<String> {
    if let Err(e) = crate::plan::input::RoleName::parse(app.target_role.value.trim()) {
        return Some(format!("role name: {}", e.rule));
    }
    if app.explain.claims_file.value.trim().is_empty() && app.explain.token.value.trim().is_empty()
    {
        return Some("give a claims file or paste the ID token".into());
    }
    None
}

fn explain(app: &mut App) -> Vec<Effect> {
    if let Some(why) = blocker(app) {
        app.notice = Some(why);
        return vec![];
    }
    // A pasted token wins over a file name.
    let claims = match non_empty(&app.explain.token.value) {
        Some(token) => ClaimsSource::Token(token),
        None => ClaimsSource::File(app.explain.claims_file.value.trim().into()),
    };
    vec![Effect::Explain {
        attempt: app.explain.result.start(),
        role: app.target_role.value.trim().to_string(),
        claims,
    }]
}

pub(in crate::tui::app) fn on_explained(
    app: &mut App,
    attempt: u64,
    result: Result<Box<crate::explain::Explanation>, ErrorView>,
) -> Vec<Effect> {
    app.explain.result.accept(attempt, result);
    vec![]
}
