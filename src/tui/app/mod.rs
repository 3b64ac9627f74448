//! The wizard's state and its one pure `update(&mut App, Msg) -> Vec<Effect>`: keys and background
//! results come in as messages; AWS work goes out as effects that the run loop performs.
//! `answers` validates and turns the answers into the engine's input, `update` handles messages.

mod answers;
mod dialog;
mod draft;
mod end;
mod keymap;
mod msg;
mod nav;
mod request;
#[cfg(test)]
mod safety_tests;
pub mod screens;
mod session;
#[cfg(test)]
pub(crate) mod tests;
mod update;
pub mod words;

pub use dialog::{Button, Buttons, Confirm};
pub use end::End;
pub use keymap::{Binding, Command, Key, Nav};
pub use msg::{Effect, Msg};
pub use screens::apply::{ActionState, ApplyRow, CANCELLED};
pub use screens::permissions::PolicyItem;
pub use screens::provider::ProviderKind;
pub use screens::role::ExistingRole;

/// The navigation bindings, the same on every screen (for the help).
pub fn nav_bindings(in_text: bool) -> Vec<Binding> {
    keymap::nav(true, in_text)
}
pub use request::Request;
pub use screens::{
    AccountState, ApplyState, CheckState, DoneState, ExplainState, PermissionsState, ProviderState,
    RemoveState, ReviewState, RoleState, TrustState,
};
pub use update::update;

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use crate::aws::CallerIdentity;
use crate::aws::sdk::Connection;
use crate::engine::EngineError;
use crate::journal::Journal;
use crate::plan::input::{
    Audience, Description, PolicyArn, ProjectId, ProjectPath, ProviderUrl, RefName, RefType,
    RoleName, RolePath, SessionDuration,
};
use crate::plan::{DEFAULT_PROVIDER_URL, SetupInput};

use super::field::Field;

/// The wizard's screens, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Screen {
    Account,
    Provider,
    Trust,
    Permissions,
    Role,
    Review,
    Apply,
    Done,
    /// The other tasks of the start screen.
    Check,
    Explain,
    Remove,
}

/// What the user came to do, chosen on the first screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    Setup,
    Check,
    Explain,
    Remove,
}

impl Task {
    pub const ALL: [Task; 4] = [Task::Setup, Task::Check, Task::Explain, Task::Remove];

    pub fn title(self) -> &'static str {
        match self {
            Task::Setup => "Set up",
            Task::Check => "Check existing roles",
            Task::Explain => "Explain a refused pipeline",
            Task::Remove => "Remove a setup",
        }
    }

    /// The screen after Account.
    pub fn screen(self) -> Screen {
        match self {
            Task::Setup => Screen::Provider,
            Task::Check => Screen::Check,
            Task::Explain => Screen::Explain,
            Task::Remove => Screen::Remove,
        }
    }
}

impl Screen {
    pub const ALL: [Screen; 8] = [
        Screen::Account,
        Screen::Provider,
        Screen::Trust,
        Screen::Permissions,
        Screen::Role,
        Screen::Review,
        Screen::Apply,
        Screen::Done,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Screen::Account => "Account",
            Screen::Provider => "Identity provider",
            Screen::Trust => "Who may assume",
            Screen::Permissions => "Permissions",
            Screen::Role => "Role",
            Screen::Review => "Review",
            Screen::Apply => "Apply",
            Screen::Done => "Done",
            Screen::Check => "Check",
            Screen::Explain => "Explain",
            Screen::Remove => "Remove",
        }
    }

    /// The name a journal keeps for a setup screen (stable across versions).
    pub fn key(self) -> &'static str {
        match self {
            Screen::Account => "account",
            Screen::Provider => "provider",
            Screen::Trust => "trust",
            Screen::Permissions => "permissions",
            Screen::Role => "role",
            Screen::Review => "review",
            Screen::Apply => "apply",
            Screen::Done => "done",
            Screen::Check => "check",
            Screen::Explain => "explain",
            Screen::Remove => "remove",
        }
    }

    fn from_key(key: &str) -> Option<Screen> {
        Screen::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn index(self) -> usize {
        Screen::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    fn next(self) -> Screen {
        Screen::ALL.get(self.index() + 1).copied().unwrap_or(self)
    }

    fn prev(self) -> Screen {
        Screen::ALL
            .get(self.index().wrapping_sub(1))
            .copied()
            .unwrap_or(self)
    }
}

/// Something that can have the focus on a screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Element {
    Profile,
    Region,
    ProviderKind,
    ProviderUrl,
    Audience,
    Projects,
    RefType,
    Refs,
    RefProtected,
    ProjectIds,
    Task,
    GitLabToken,
    TargetRole,
    ClaimsFile,
    Token,
    Filter,
    PolicyList,
    CustomPolicy,
    RoleName,
    RolePath,
    Description,
    MaxSession,
    Boundary,
    Next,
    /// The setups this tool made in the account (the first screen).
    Setups,
}

/// A background result: not asked, under way, arrived, or failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Load<T> {
    Idle,
    Loading,
    Loaded(T),
    Failed(ErrorView),
}

impl<T> Load<T> {
    pub fn loaded(&self) -> Option<&T> {
        match self {
            Load::Loaded(t) => Some(t),
            _ => None,
        }
    }
}

/// What the wizard does differently for some errors; the rest are told as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorKind {
    #[default]
    Other,
    /// The role was not made by this tool: Remove offers `f` (remove anyway, after a question).
    NotOurs,
    /// The role is in instance profiles: Remove offers `f` too.
    InInstanceProfiles,
    /// The profile named is not in the AWS config files: the Account screen lists those.
    ProfileNotFound,
    /// The user stopped waiting for the call: `r` reads again rather than repeat it.
    Cancelled,
}

/// An error as the wizard shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorView {
    pub kind: ErrorKind,
    pub code: String,
    pub message: String,
    pub hint: String,
}

impl From<&EngineError> for ErrorView {
    fn from(e: &EngineError) -> Self {
        ErrorView {
            kind: match e {
                EngineError::NotOurs { .. } => ErrorKind::NotOurs,
                EngineError::InInstanceProfiles { .. } => ErrorKind::InInstanceProfiles,
                EngineError::Aws { error, .. }
                    if matches!(error.kind, crate::aws::ErrorKind::Profile(_)) =>
                {
                    ErrorKind::ProfileNotFound
                }
                _ => ErrorKind::Other,
            },
            code: e.code().to_string(),
            message: match e {
                EngineError::Input(input) => words::input_error(input),
                other => other.message(),
            },
            hint: words::hint(e),
        }
    }
}

/// Ticks (of 100 ms) to wait after the last keystroke before looking the provider up.
const LOOKUP_DEBOUNCE_TICKS: u8 = 4;

/// Namespace ids to pin (gitlab.com), and the projects they belong to: a change of the projects
/// leaves them unused.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamespacePins {
    pub projects: Vec<String>,
    pub ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct App {
    // Navigation
    pub screen: Screen,
    pub focus: usize,
    pub help: bool,
    pub confirm: Option<Confirm>,
    /// The buttons and typed name of a dialog that changes something.
    pub buttons: Buttons,
    pub quit: bool,
    pub spinner: usize,
    /// A short message in the footer (e.g. why Next did not go on).
    pub notice: Option<String>,
    /// How far the Review and Done screens are scrolled.
    pub scroll: u16,
    /// The furthest the screen drawn last can scroll (set by the view; `u16::MAX` before).
    pub scroll_max: std::cell::Cell<u16>,
    /// Whether the wizard takes mouse clicks (the step list). Off on Done, so that the terminal
    /// selects text (the ARN) with the mouse; `m` toggles it anywhere.
    pub mouse_capture: bool,
    /// The step-list rectangle of the last frame, for mouse clicks.
    pub step_list_area: Option<ratatui::layout::Rect>,
    pub task: Task,
    /// The furthest setup screen shown (a draft continues there at most).
    furthest: Screen,
    /// The furthest screen a continued draft had reached.
    resume_limit: Screen,
    /// Continue to Review as soon as the account is read (after "continue where you stopped").
    resume_to_review: bool,
    /// A setup's ARN chosen on the first screen: printed on stdout when the wizard ends.
    picked_arn: Option<String>,

    // The session
    pub identity: Request<(CallerIdentity, Connection)>,
    /// The profile and region of the last connection attempt.
    connected_with: (Option<String>, Option<String>),
    /// On the demo account (`--demo`, or `d` on the Account screen without credentials): every
    /// screen says DEMO, and nothing leaves the process.
    pub demo: bool,
    /// Why the journal could not be written, while it cannot: nothing promises a next start.
    pub journal_unsaved: Option<String>,
    /// The wizard may ask GitLab on its own (the namespace lookup). False in the demo, which
    /// reaches no host, and for state tests that are not about GitLab.
    pub reach_gitlab: bool,
    /// The demo's sample ID token for Explain (made when the wizard starts: it holds the time).
    pub demo_token: Option<String>,
    /// The CI/CD variable the ARN goes in (`ROLE_ARN`, or the config file's `[variable]`).
    pub variable: crate::flow::gitlab::VariableSpec,
    /// A GitLab token for storing the ARN and looking ids up (from GITLAB_TOKEN or typed;
    /// masked, never stored).
    pub gitlab_token: Field,
    /// The GitLab URL to call (--gitlab-url, else the provider URL).
    pub gitlab_url: Option<String>,
    /// The account's GitLab roles, offered on Explain and Remove (Ctrl-N/P in the role field).
    pub gitlab_roles: Request<Vec<String>>,
    /// The role Explain and Remove are about.
    pub target_role: Field,
    /// The journal of this setup: answers and finished steps.
    pub journal: Option<Journal>,
    /// The steps finished since the last finished apply (a continued journal's, then this run's).
    changed: Vec<String>,

    // One state per screen
    pub account: AccountState,
    pub provider: ProviderState,
    pub trust: TrustState,
    pub permissions: PermissionsState,
    pub role: RoleState,
    pub review: ReviewState,
    pub apply: ApplyState,
    pub done: DoneState,
    pub check: CheckState,
    pub explain: ExplainState,
    pub remove: RemoveState,
}

impl App {
    pub fn new(profile: Option<&str>, region: Option<&str>) -> Self {
        App {
            screen: Screen::Account,
            // On Next, so that Enter goes on and r retries; Shift-Tab reaches the task, region and profile.
            focus: 3,
            help: false,
            confirm: None,
            buttons: Buttons::default(),
            quit: false,
            spinner: 0,
            notice: None,
            scroll: 0,
            scroll_max: std::cell::Cell::new(u16::MAX),
            mouse_capture: true,
            step_list_area: None,
            task: Task::Setup,
            furthest: Screen::Account,
            resume_limit: Screen::Review,
            resume_to_review: false,
            picked_arn: None,
            identity: Request::default(),
            connected_with: (None, None),
            demo: false,
            journal_unsaved: None,
            reach_gitlab: true,
            demo_token: None,
            variable: crate::flow::gitlab::VariableSpec::plain(crate::ci_job::DEFAULT_VARIABLE),
            gitlab_token: Field {
                secret: true,
                ..Field::new("GitLab token", "").with_placeholder("api scope; or set GITLAB_TOKEN")
            },
            gitlab_url: None,
            gitlab_roles: Request::default(),
            target_role: Field::new("Role name", ""),
            journal: None,
            changed: Vec::new(),
            account: AccountState::new(profile, region),
            provider: ProviderState::default(),
            trust: TrustState::default(),
            permissions: PermissionsState::default(),
            role: RoleState::default(),
            review: ReviewState::default(),
            apply: ApplyState::default(),
            done: DoneState::default(),
            check: CheckState::default(),
            explain: ExplainState::default(),
            remove: RemoveState::default(),
        }
    }

    /// The first effects: resolve credentials and the caller in the background.
    pub fn start(&mut self) -> Vec<Effect> {
        vec![self.connect(), Effect::LoadProfiles]
    }

    /// What can take the focus on the current screen, in Tab order.
    pub fn elements(&self) -> Vec<Element> {
        use Element::*;
        match self.screen {
            Screen::Account if self.account.setups.loaded().is_some_and(|s| !s.is_empty()) => {
                vec![Profile, Region, Task, Next, Setups]
            }
            Screen::Account => vec![Profile, Region, Task, Next],
            Screen::Provider => match self.provider.kind {
                self::ProviderKind::GitLabCom => vec![ProviderKind, Audience, Next],
                self::ProviderKind::SelfManaged => vec![ProviderKind, ProviderUrl, Audience, Next],
            },
            // The GitLab token field appears here once a look-up asked for one.
            Screen::Trust if self.is_gitlab_com() && self.trust.token_for_lookup => {
                vec![
                    Projects,
                    RefType,
                    Refs,
                    RefProtected,
                    ProjectIds,
                    GitLabToken,
                    Next,
                ]
            }
            Screen::Trust if self.is_gitlab_com() => {
                vec![Projects, RefType, Refs, RefProtected, ProjectIds, Next]
            }
            Screen::Trust => vec![Projects, RefType, Refs, Next],
            Screen::Permissions => vec![Filter, PolicyList, CustomPolicy, Next],
            Screen::Role => vec![RoleName, RolePath, Description, MaxSession, Boundary, Next],
            Screen::Done => vec![Next, GitLabToken],
            Screen::Review | Screen::Apply | Screen::Check => vec![Next],
            Screen::Explain => vec![TargetRole, ClaimsFile, Token, Next],
            Screen::Remove => vec![TargetRole, Next],
        }
    }

    /// The steps shown in the step list: the setup's eight, or Account and the chosen task.
    pub fn steps(&self) -> Vec<Screen> {
        match self.task {
            self::Task::Setup => Screen::ALL.to_vec(),
            t => vec![Screen::Account, t.screen()],
        }
    }

    pub fn focused(&self) -> Element {
        let elements = self.elements();
        elements
            .get(self.focus.min(elements.len().saturating_sub(1)))
            .copied()
            .unwrap_or(Element::Next)
    }

    pub fn field(&self, e: Element) -> Option<&Field> {
        Some(match e {
            Element::Profile => &self.account.profile,
            Element::Region => &self.account.region,
            Element::ProviderUrl => &self.provider.url,
            Element::Audience => &self.provider.audience,
            Element::Projects => &self.trust.projects,
            Element::Refs => &self.trust.refs,
            Element::ProjectIds => &self.trust.project_ids,
            Element::GitLabToken => &self.gitlab_token,
            Element::TargetRole => &self.target_role,
            Element::ClaimsFile => &self.explain.claims_file,
            Element::Token => &self.explain.token,
            Element::Filter => &self.permissions.filter,
            Element::CustomPolicy => &self.permissions.custom_policy,
            Element::RoleName => &self.role.name,
            Element::RolePath => &self.role.path,
            Element::Description => &self.role.description,
            Element::MaxSession => &self.role.max_session,
            Element::Boundary => &self.role.boundary,
            _ => return None,
        })
    }

    fn field_mut(&mut self, e: Element) -> Option<&mut Field> {
        Some(match e {
            Element::Profile => &mut self.account.profile,
            Element::Region => &mut self.account.region,
            Element::ProviderUrl => &mut self.provider.url,
            Element::Audience => &mut self.provider.audience,
            Element::Projects => &mut self.trust.projects,
            Element::Refs => &mut self.trust.refs,
            Element::ProjectIds => &mut self.trust.project_ids,
            Element::GitLabToken => &mut self.gitlab_token,
            Element::TargetRole => &mut self.target_role,
            Element::ClaimsFile => &mut self.explain.claims_file,
            Element::Token => &mut self.explain.token,
            Element::Filter => &mut self.permissions.filter,
            Element::CustomPolicy => &mut self.permissions.custom_policy,
            Element::RoleName => &mut self.role.name,
            Element::RolePath => &mut self.role.path,
            Element::Description => &mut self.role.description,
            Element::MaxSession => &mut self.role.max_session,
            Element::Boundary => &mut self.role.boundary,
            _ => return None,
        })
    }

    pub fn is_gitlab_com(&self) -> bool {
        self.provider.kind == ProviderKind::GitLabCom
            || ProviderUrl::parse(&self.provider.url.value).is_ok_and(|u| u.is_gitlab_com())
    }

    fn provider_url_value(&self) -> &str {
        match self.provider.kind {
            ProviderKind::GitLabCom => DEFAULT_PROVIDER_URL,
            ProviderKind::SelfManaged => &self.provider.url.value,
        }
    }

    fn go_to(&mut self, screen: Screen) -> Vec<Effect> {
        self.screen = screen;
        if Screen::ALL.contains(&screen) {
            self.furthest = self.furthest.max(screen);
        }
        self.focus = 0;
        self.notice = None;
        self.scroll = 0;
        self.scroll_max.set(u16::MAX);
        self.mouse_capture = screen != Screen::Done;
        let mut effects = match screen {
            Screen::Account
                if self.identity.loaded().is_some()
                    && matches!(self.account.setups.state, Load::Idle | Load::Failed(_)) =>
            {
                vec![self.list_setups()]
            }
            Screen::Provider => self.lookup_provider(),
            Screen::Permissions => {
                // The role the answers name is looked up now, so that a re-run shows the
                // policies it already has ticked.
                if !self.role.name_edited {
                    let name = self.suggested_role_name();
                    self.role.name.set(&name);
                }
                let mut effects = self.lookup_role();
                effects.extend(self.lookup_namespaces());
                if matches!(
                    self.permissions.policies.state,
                    Load::Idle | Load::Failed(_)
                ) {
                    effects.push(Effect::LoadPolicies {
                        attempt: self.permissions.policies.start(),
                    });
                }
                effects
            }
            Screen::Role => {
                if !self.role.name_edited {
                    let name = self.suggested_role_name();
                    self.role.name.set(&name);
                }
                self.lookup_role()
            }
            Screen::Check => self.run_check(),
            Screen::Explain | Screen::Remove
                if matches!(self.gitlab_roles.state, Load::Idle | Load::Failed(_)) =>
            {
                if screen == Screen::Explain {
                    self.fill_demo_sample();
                }
                vec![Effect::ListGitLabRoles {
                    attempt: self.gitlab_roles.start(),
                }]
            }
            Screen::Review => self.replan(),
            _ => vec![],
        };
        if matches!(
            screen,
            Screen::Provider | Screen::Trust | Screen::Permissions | Screen::Role | Screen::Review
        ) {
            effects.extend(self.keep_draft());
        }
        effects
    }

    /// The attempt number of the plan asked for last (tests answer it).
    #[cfg(test)]
    pub fn plan_attempt(&self) -> u64 {
        self.review.plan.attempt
    }
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}
