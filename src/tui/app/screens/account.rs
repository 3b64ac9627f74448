//! The first screen: the account (profile, region), the task, and the setups already made.

use super::super::{Field, Request};

#[derive(Debug, Clone, PartialEq)]
pub struct AccountState {
    pub profile: Field,
    pub region: Field,
    /// The profiles of the AWS config files (Ctrl-N/P in the Profile field picks one).
    pub known_profiles: Vec<String>,
    /// The setups this tool made in the account, and the one highlighted.
    pub setups: Request<Vec<crate::setups::SetupSummary>>,
    pub setups_cursor: usize,
}

impl AccountState {
    pub fn new(profile: Option<&str>, region: Option<&str>) -> Self {
        AccountState {
            profile: Field::new("Profile", profile.unwrap_or("")).with_placeholder("default chain"),
            region: Field::new("Region", region.unwrap_or(""))
                .with_placeholder("from profile, or us-east-1"),
            known_profiles: Vec::new(),
            setups: Request::default(),
            setups_cursor: 0,
        }
    }
}

use super::super::keymap::{
    Binding, Command as Do, DOWN, ENTER, Key, LEFT, Nav, RIGHT, TAB, UP, ch,
};
use super::super::{App, Effect, Element};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Reconnect,
    Demo,
    SetupDown,
    SetupUp,
    CopyArn,
    PrintArn,
}

pub(in crate::tui::app) fn keys(app: &App) -> Vec<Binding> {
    let act = |a| Do::Account(a);
    let focused = app.focused();
    if focused == Element::Setups {
        return vec![
            Binding::new(&[DOWN, ch('j')], "↑/↓", "choose", "").does(act(Action::SetupDown)),
            Binding::new(&[UP, ch('k')], "↑", "", "").does(act(Action::SetupUp)),
            Binding::new(&[ch('c')], "c", "copy ARN", "").does(act(Action::CopyArn)),
            Binding::new(&[ENTER], "Enter", "print ARN, quit", "").does(act(Action::PrintArn)),
            Binding::new(&[TAB], "Tab", "fields", "").does(Do::Nav(Nav::NextField)),
            setups_help(),
        ];
    }
    let picks = matches!(focused, Element::Profile | Element::Region);
    vec![
        Binding::new(&[ENTER], "Enter", "next", "").does(Do::Nav(Nav::Enter)),
        Binding::new(&[ch('r')], "r", "retry", "read the account again")
            .does(act(Action::Reconnect)),
        Binding::new(
            &[ch('d')],
            "d",
            "demo",
            "when the account cannot be read: a demo account to look around (in memory)",
        )
        .does(act(Action::Demo))
        .when(app.can_try_demo()),
        Binding::new(&[TAB], "Tab", "profile/region", "").does(Do::Nav(Nav::NextField)),
        Binding::new(
            &[DOWN, UP, LEFT, RIGHT],
            "↑/↓ ←/→ (Task)",
            "",
            "set up, check, explain a failure, or remove",
        )
        .does(Do::Nav(Nav::Choose))
        .when(focused == Element::Task),
        Binding::new(&[], "Enter in field", "", "use this profile / region"),
        setups_help(),
        Binding::new(
            &[Key::Ctrl('n'), Key::Ctrl('p')],
            "Ctrl-N / Ctrl-P",
            "",
            "pick the next / previous profile or region",
        )
        .does(Do::Nav(Nav::Pick))
        .when(picks),
    ]
}

fn setups_help() -> Binding {
    Binding::new(
        &[],
        "↓ from Next",
        "",
        "the setups made here: c copies a role's ARN, Enter prints it and quits",
    )
}

pub(in crate::tui::app) fn act(app: &mut App, action: Action) -> Vec<Effect> {
    let n = app.account.setups.loaded().map_or(0, Vec::len);
    match action {
        Action::Reconnect => vec![app.connect()],
        Action::Demo => {
            app.demo = true;
            vec![app.connect()]
        }
        Action::SetupDown => {
            app.account.setups_cursor = (app.account.setups_cursor + 1).min(n.saturating_sub(1));
            vec![]
        }
        // ↑ on the first setup leaves the list.
        Action::SetupUp if app.account.setups_cursor == 0 => {
            app.focus = app.focus.saturating_sub(1);
            vec![]
        }
        Action::SetupUp => {
            app.account.setups_cursor -= 1;
            vec![]
        }
        Action::CopyArn => match app.setup_at_cursor() {
            Some(s) => vec![Effect::Copy {
                what: "the role ARN",
                text: s.arn.clone(),
            }],
            None => vec![],
        },
        Action::PrintArn => app.pick_setup(),
    }
}

pub(in crate::tui::app) fn on_profiles(app: &mut App, names: Vec<String>) -> Vec<Effect> {
    app.account.known_profiles = names;
    vec![]
}

pub(in crate::tui::app) fn on_setups(
    app: &mut App,
    attempt: u64,
    result: Result<Vec<crate::setups::SetupSummary>, super::super::ErrorView>,
) -> Vec<Effect> {
    app.account.setups.accept(attempt, result);
    vec![]
}

impl App {
    /// List the account's setups (on the first screen, once the account is read).
    pub(in crate::tui::app) fn list_setups(&mut self) -> Effect {
        self.account.setups_cursor = 0;
        Effect::ListSetups {
            attempt: self.account.setups.start(),
        }
    }

    /// The setup highlighted on the first screen.
    pub fn setup_at_cursor(&self) -> Option<&crate::setups::SetupSummary> {
        self.account
            .setups
            .loaded()?
            .get(self.account.setups_cursor)
    }

    /// Enter on a setup: its ARN goes to stdout, and the wizard ends.
    pub(in crate::tui::app) fn pick_setup(&mut self) -> Vec<Effect> {
        let Some(arn) = self.setup_at_cursor().map(|s| s.arn.clone()) else {
            return vec![];
        };
        self.picked_arn = Some(arn);
        self.quit = true;
        vec![Effect::Quit]
    }
}
