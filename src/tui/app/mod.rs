//! The wizard's state and its one pure `update(&mut App, Msg) -> Vec<Effect>`: keys and background
//! results come in as messages; AWS work goes out as effects that the run loop performs.
//! `answers` validates and turns the answers into the engine's input, `update` handles messages.

mod answers;
mod dialog;
mod keymap;
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
pub use keymap::{Binding, Command, Key, Nav};

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

use crate::aws::sdk::Connection;
use crate::aws::{CallerIdentity, ManagedPolicy, OidcProvider};
use crate::engine::{Action, Done, EngineError, Plan};
use crate::journal::Journal;
use crate::plan::input::{
    Audience, Description, PolicyArn, ProjectId, ProjectPath, ProviderUrl, RefName, RefType,
    RoleName, RolePath, SessionDuration, is_admin_policy_arn,
};
use crate::plan::{DEFAULT_PROVIDER_URL, Setup, SetupInput};

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
    fn screen(self) -> Screen {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    GitLabCom,
    SelfManaged,
}

/// An AWS managed policy in the list, with what filtering needs precomputed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyItem {
    pub name: String,
    pub arn: String,
    pub(crate) lower: String,
    pub admin: bool,
    /// The account's own (customer managed), not AWS's.
    pub customer: bool,
}

impl PolicyItem {
    pub fn new(arn: &str, name: &str) -> Self {
        PolicyItem {
            name: name.to_string(),
            arn: arn.to_string(),
            lower: name.to_lowercase(),
            admin: is_admin_policy_arn(arn),
            customer: !arn.contains(":iam::aws:"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionState {
    Waiting,
    Running,
    Done(Done),
    Failed(ErrorView),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApplyRow {
    pub action: Action,
    pub label: String,
    pub state: ActionState,
    /// Ticks (of 100 ms) it has been running.
    pub ticks: u32,
    /// Requests sent for it so far: more than one means the SDK is retrying.
    pub sent: usize,
}

impl ApplyRow {
    pub fn new(action: Action, label: String) -> Self {
        ApplyRow {
            action,
            label,
            state: ActionState::Waiting,
            ticks: 0,
            sent: 0,
        }
    }
}

/// The error a step shows when the user stopped waiting for it.
pub const CANCELLED: &str = "Cancelled";

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    /// A bracketed paste: text, never keys.
    Paste(String),
    GitLabRoles {
        attempt: u64,
        result: Result<Vec<String>, ErrorView>,
    },
    RoleLookup {
        attempt: u64,
        result: Result<Option<ExistingRole>, ErrorView>,
    },
    Profiles(Vec<String>),
    PolicyChecked {
        attempt: u64,
        arn: String,
        result: Result<Option<ManagedPolicy>, ErrorView>,
    },
    /// How many AWS calls the session has made so far (after an apply).
    Calls {
        total: usize,
        mutating: usize,
    },
    Tick,
    Identity {
        attempt: u64,
        result: Result<(CallerIdentity, Connection), ErrorView>,
    },
    ProviderLookup {
        attempt: u64,
        result: Result<Option<OidcProvider>, ErrorView>,
    },
    Policies {
        attempt: u64,
        result: Result<Vec<ManagedPolicy>, ErrorView>,
    },
    Planned {
        attempt: u64,
        result: Result<Box<Plan>, ErrorView>,
    },
    /// Requests sent so far for the running action (retries included).
    ActionSent {
        attempt: u64,
        index: usize,
        sent: usize,
    },
    /// The apply was stopped at the user's request.
    ApplyCancelled {
        attempt: u64,
    },
    ActionStarted {
        attempt: u64,
        index: usize,
    },
    ActionFinished {
        attempt: u64,
        index: usize,
        result: Result<Done, ErrorView>,
    },
    Copied {
        what: &'static str,
        result: Result<crate::tui::clipboard::Copied, String>,
    },
    /// The export was written (or found as it is), or why not.
    Exported(Result<String, String>),
    /// The export's file exists with other content.
    ExportExists {
        path: std::path::PathBuf,
        content: String,
    },
    Checked {
        attempt: u64,
        result: Result<Vec<crate::check::RoleReport>, ErrorView>,
    },
    Explained {
        attempt: u64,
        result: Result<Box<crate::explain::Explanation>, ErrorView>,
    },
    RemovePlanned {
        attempt: u64,
        result: Result<Option<crate::destroy::DestroyPlan>, ErrorView>,
    },
    Removed {
        attempt: u64,
        result: Result<Vec<String>, ErrorView>,
    },
    ProjectIds {
        attempt: u64,
        result: Result<Vec<String>, ErrorView>,
    },
    NamespaceIds {
        attempt: u64,
        result: Result<crate::flow::gitlab::NamespaceIds, ErrorView>,
    },
    Preflighted {
        attempt: u64,
        report: Box<crate::preflight::Report>,
    },
    /// What was stored on each project (a different value is left alone until a yes).
    Stored {
        attempt: u64,
        result: Result<Vec<crate::flow::gitlab::StoredOn>, ErrorView>,
    },
    /// The setups this tool made in the account.
    Setups {
        attempt: u64,
        result: Result<Vec<crate::setups::SetupSummary>, ErrorView>,
    },
    /// SIGTERM or SIGINT from outside.
    Terminate,
    /// Keys, clicks or a paste typed before the screen or dialog now shown was drawn: dropped.
    KeysDropped,
    /// The journal could not be written (why), or can be again (`None`).
    JournalUnsaved(Option<String>),
}

/// What exists under the role name typed on the Role screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingRole {
    pub name: String,
    pub path: String,
    /// Tagged as made by aws-oidc-wizard.
    pub ours: bool,
    /// The managed policies attached to it now.
    pub attached: Vec<crate::aws::AttachedPolicy>,
}

/// How the wizard ended, for the shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// A setup applied to the end with the answers on screen: its role ARN goes to stdout.
    Arn(String),
    /// Check, Explain or Remove ran to its result: nothing to print, exit 0.
    TaskDone,
    /// Nothing was finished.
    Nothing,
    /// A setup was applied but the answers on screen are not what it carried out (or an apply
    /// was cut short): nothing on stdout, exit 1, this line on stderr.
    NotApplied(String),
    /// Stopped from outside (SIGINT, SIGTERM, SIGHUP): exit 130, with what was not finished.
    Interrupted(Option<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Connect {
        attempt: u64,
        profile: Option<String>,
        region: Option<String>,
        /// The demo account instead of AWS.
        demo: bool,
    },
    LookupProvider {
        attempt: u64,
        arn: String,
    },
    LoadPolicies {
        attempt: u64,
    },
    Plan {
        attempt: u64,
        setup: Box<Setup>,
    },
    /// Stop waiting for the apply with this attempt (the call in flight is dropped).
    CancelApply {
        attempt: u64,
    },
    /// Run the plan's actions from `from` on, keeping the journal of the setup.
    Apply {
        attempt: u64,
        plan: Box<Plan>,
        from: usize,
        journal: Option<Box<Journal>>,
    },
    /// Copy `text` (described as `what`, e.g. "the role ARN") to the clipboard.
    Copy {
        what: &'static str,
        text: String,
    },
    Check {
        attempt: u64,
    },
    Explain {
        attempt: u64,
        role: String,
        claims: crate::flow::claims::ClaimsSource,
    },
    /// The profile names of the AWS config files, to pick from on the Account screen.
    LoadProfiles,
    /// The setups this tool made in the account, listed on the first screen.
    ListSetups {
        attempt: u64,
    },
    /// Whether a custom policy ARN exists and can be attached, before it is selected.
    CheckPolicy {
        attempt: u64,
        arn: String,
    },
    /// Whether a role of this name exists (the Role screen says so as you type).
    LookupRole {
        attempt: u64,
        name: String,
    },
    /// The account's GitLab roles, to pick from on Explain and Remove.
    ListGitLabRoles {
        attempt: u64,
    },
    PlanRemove {
        attempt: u64,
        role: String,
        /// Also a role this tool did not create (the command line's `--force`), after a yes.
        force: bool,
    },
    Remove {
        attempt: u64,
        plan: Box<crate::destroy::DestroyPlan>,
    },
    /// Look up the ids of these projects' namespaces through the GitLab API (gitlab.com), to pin
    /// them; `token`: None asks anonymously.
    LookupNamespaceIds {
        attempt: u64,
        url: String,
        token: Option<crate::gitlab::Token>,
        projects: Vec<String>,
    },
    /// Look up the numeric ids of these projects through the GitLab API.
    LookupProjectIds {
        attempt: u64,
        url: String,
        token: crate::gitlab::Token,
        projects: Vec<String>,
    },
    /// Check a self-managed instance the way AWS will.
    Preflight {
        attempt: u64,
        url: String,
    },
    /// Store the role ARN as the CI/CD variable `spec` of each project; `replace` a different value.
    StoreVariable {
        attempt: u64,
        spec: crate::flow::gitlab::VariableSpec,
        url: String,
        token: crate::gitlab::Token,
        projects: Vec<String>,
        arn: String,
        replace: bool,
    },
    /// Write the export to `path`; an existing file with other content only when `overwrite`.
    WriteExport {
        path: std::path::PathBuf,
        content: String,
        overwrite: bool,
    },
    /// Keep the answers and finished steps, so that a stopped setup can be continued.
    SaveJournal(Box<Journal>),
    /// The setup with these answers finished (or the user started over): forget its journal.
    ClearJournal,
    Quit,
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

    /// Offer to continue a stopped setup found in the journal.
    pub fn offer_resume(&mut self, journal: Journal) {
        self.ask(Confirm::Resume {
            summary: journal.summary(),
        });
        self.journal = Some(journal);
    }

    /// Fill every field from the journal's answers, and go to Review once the account is read.
    pub(super) fn resume(&mut self) -> Vec<Effect> {
        let Some(journal) = self.journal.clone() else {
            return vec![];
        };
        self.set_answers(&journal.answers);
        self.changed = journal.finished.clone();
        // Not past the screen the draft was saved from: the screens after it were never shown.
        self.resume_limit = journal
            .reached
            .as_deref()
            .and_then(Screen::from_key)
            .unwrap_or(Screen::Review);
        self.resume_to_review = true;
        if self.identity.loaded().is_some() {
            self.resume_to_review = false;
            let target = self.first_unfinished_screen();
            return self.go_to(target);
        }
        vec![]
    }

    /// In the demo, Explain starts filled in: the weak role and a sample token of a project it
    /// was not meant for, so that a newcomer sees a verdict with nothing to paste.
    fn fill_demo_sample(&mut self) {
        let Some(token) = self.demo_token.clone().filter(|_| self.demo) else {
            return;
        };
        if self.target_role.value.is_empty() {
            self.target_role.set(crate::aws::demo::WEAK_ROLE);
        }
        if self.explain.token.value.is_empty() && self.explain.claims_file.value.is_empty() {
            self.explain.token.set(&token);
        }
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

    /// Whether anything of a setup was answered (a first screen left as it is has nothing).
    pub fn has_answers(&self) -> bool {
        self.task == Task::Setup && self.setup_input() != App::new(None, None).setup_input()
    }

    /// Keep the answers in the journal, so that a quit, a kill or a closed terminal loses none:
    /// the next start offers to continue them. Not for a setup applied as it stands (that leaves
    /// no "stopped" journal), nor while an apply runs (the runner keeps the journal then).
    pub(super) fn keep_draft(&mut self) -> Vec<Effect> {
        if self.apply.running || self.applied_is_current() || !self.has_answers() {
            return vec![];
        }
        let answers = self.setup_input();
        let account = self.identity.loaded().map(|(id, _)| id.account.clone());
        let mut journal = match self.journal.take() {
            Some(mut j) if j.answers == answers => {
                j.account = account;
                j
            }
            _ => Journal::new(answers, account),
        };
        journal.reached = Some(self.furthest.min(Screen::Review).key().to_string());
        self.journal = Some(journal.clone());
        vec![Effect::SaveJournal(Box::new(journal))]
    }

    /// Quit now, keeping the draft.
    pub(super) fn quit_now(&mut self) -> Vec<Effect> {
        let mut effects = self.keep_draft();
        self.quit = true;
        effects.push(Effect::Quit);
        effects
    }

    /// The first setup screen whose answers are missing or wrong, and at most the furthest
    /// screen the draft reached: where a continued draft resumes (Review when all are there).
    fn first_unfinished_screen(&mut self) -> Screen {
        let here = self.screen;
        let mut target = self.resume_limit.clamp(Screen::Provider, Screen::Review);
        for s in [
            Screen::Provider,
            Screen::Trust,
            Screen::Permissions,
            Screen::Role,
        ]
        .into_iter()
        .filter(|s| *s < target)
        {
            self.screen = s;
            if self.field_blocker().is_some()
                || (s == Screen::Trust && self.trust_preview().is_err())
            {
                target = s;
                break;
            }
        }
        self.screen = here;
        target
    }

    /// The attempt number of the plan asked for last (tests answer it).
    #[cfg(test)]
    pub fn plan_attempt(&self) -> u64 {
        self.review.plan.attempt
    }

    /// The role ARN, once the setup is done.
    pub fn role_arn(&self) -> Option<&str> {
        self.apply.outcome.as_ref().map(|o| o.role_arn.as_str())
    }

    /// A setup was applied to the end and the answers on screen are still the ones it carried
    /// out: what the step list marks done and what quitting hands out.
    pub fn applied_is_current(&self) -> bool {
        self.apply.outcome.is_some()
            && !self.apply.running
            && self.apply.applied_answers.as_ref() == Some(&self.setup_input())
    }

    /// The changes of this setup made so far and not yet followed by a finished apply, in the
    /// plan's words: the steps the continued journal records as finished, and this run's steps
    /// as they finish. Every sentence about what was changed is made from it.
    pub fn changed_so_far(&self) -> Vec<String> {
        if self.applied_is_current() {
            return vec![];
        }
        self.changed.clone()
    }

    /// How the wizard ends if it ends now: what goes to stdout and the exit code.
    pub fn end(&self) -> End {
        if let Some(arn) = &self.picked_arn {
            return End::Arn(arn.clone());
        }
        let task_done = match self.screen {
            Screen::Check => self.check.result.loaded().is_some(),
            Screen::Explain => self.explain.result.loaded().is_some(),
            Screen::Remove => self.remove.removed.loaded().is_some(),
            _ => false,
        };
        if task_done {
            return End::TaskDone;
        }
        match (self.role_arn(), self.applied_is_current()) {
            (Some(arn), true) => End::Arn(arn.to_string()),
            (Some(arn), false) if self.apply.running => End::NotApplied(format!(
                "quit during an apply: the changed answers were not all applied; {arn} was the role set up before (run the wizard again to finish)"
            )),
            (Some(arn), false) => End::NotApplied(format!(
                "the answers were changed after {arn} was set up and were not applied: nothing printed"
            )),
            (None, _) if self.apply.running => End::NotApplied(match &self.journal_unsaved {
                None => "quit during an apply: the setup was not finished (run the wizard again to continue it)".into(),
                Some(e) => format!("quit during an apply: the setup was not finished, and its progress could not be kept ({e}): run the wizard again with the same answers to finish it"),
            }),
            (None, _) => match self.changed_so_far() {
                done if done.is_empty() => End::Nothing,
                done => End::NotApplied(format!(
                    "quit with the setup part done ({}): run the wizard again to finish it",
                    done.join("; ")
                )),
            },
        }
    }
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}
