//! The wizard's state and its one pure `update(&mut App, Msg) -> Vec<Effect>`: keys and background
//! results come in as messages; AWS work goes out as effects that the run loop performs.

use std::collections::BTreeSet;

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use crate::aws::sdk::Connection;
use crate::aws::{CallerIdentity, ManagedPolicy, OidcProvider};
use crate::engine::{Action, Done, EngineError, Outcome, Plan, Step};
use crate::plan::input::{
    Audience, Description, PolicyArn, ProjectPath, ProviderUrl, RefName, RefType, RoleName,
    SessionDuration, is_admin_policy_arn,
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
        }
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
    Filter,
    PolicyList,
    CustomPolicy,
    RoleName,
    Description,
    MaxSession,
    Boundary,
    Next,
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

/// An error as the wizard shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorView {
    pub code: String,
    pub message: String,
    pub hint: String,
}

impl From<&EngineError> for ErrorView {
    fn from(e: &EngineError) -> Self {
        match e {
            EngineError::Aws { error, .. } => ErrorView {
                code: error.code().to_string(),
                message: error.to_string(),
                hint: error.hint(),
            },
            other => {
                let text = other.to_string();
                let (message, hint) = match text.split_once(" (hint: ") {
                    Some((m, h)) => (m.to_string(), h.trim_end_matches(')').to_string()),
                    None => (text, String::new()),
                };
                ErrorView {
                    code: "Error".to_string(),
                    message,
                    hint,
                }
            }
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
    lower: String,
    pub admin: bool,
}

impl PolicyItem {
    pub fn new(arn: &str, name: &str) -> Self {
        PolicyItem {
            name: name.to_string(),
            arn: arn.to_string(),
            lower: name.to_lowercase(),
            admin: is_admin_policy_arn(arn),
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
}

/// A confirmation the user must give before going on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirm {
    AdminPolicy { arn: String, name: String },
    Apply { reasons: Vec<String> },
    Quit,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
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
    ActionStarted {
        attempt: u64,
        index: usize,
    },
    ActionFinished {
        attempt: u64,
        index: usize,
        result: Result<Done, ErrorView>,
    },
    Copied(Result<String, String>),
    /// SIGTERM or SIGINT from outside.
    Terminate,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Connect {
        attempt: u64,
        profile: Option<String>,
        region: Option<String>,
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
    Apply {
        attempt: u64,
        plan: Box<Plan>,
        from: usize,
    },
    Copy(String),
    Quit,
}

/// Ticks (of 100 ms) to wait after the last keystroke before looking the provider up.
const LOOKUP_DEBOUNCE_TICKS: u8 = 4;

#[derive(Debug, Clone, PartialEq)]
pub struct App {
    pub screen: Screen,
    pub focus: usize,
    pub help: bool,
    pub confirm: Option<Confirm>,
    pub quit: bool,
    pub spinner: usize,
    /// A short message in the footer (e.g. why Next did not go on).
    pub notice: Option<String>,
    /// How far the Review and Done screens are scrolled.
    pub scroll: u16,
    /// The step-list rectangle of the last frame, for mouse clicks.
    pub step_list_area: Option<ratatui::layout::Rect>,

    // Account
    pub profile: Field,
    pub region: Field,
    pub identity: Load<(CallerIdentity, Connection)>,
    identity_gen: u64,

    // Identity provider
    pub provider_kind: ProviderKind,
    pub provider_url: Field,
    pub audience: Field,
    audience_edited: bool,
    pub provider_lookup: Load<Option<OidcProvider>>,
    lookup_gen: u64,
    lookup_due: Option<u8>,

    // Who may assume
    pub projects: Field,
    pub ref_type: RefType,
    pub refs: Field,
    pub ref_protected: bool,

    // Permissions
    pub policies: Load<Vec<PolicyItem>>,
    policies_gen: u64,
    pub filter: Field,
    pub filtered: Vec<usize>,
    pub list_cursor: usize,
    pub selected: BTreeSet<String>,
    pub custom_policy: Field,

    // Role
    pub role_name: Field,
    role_name_edited: bool,
    pub description: Field,
    pub max_session: Field,
    pub boundary: Field,

    // Review, Apply, Done
    pub plan: Load<Box<Plan>>,
    plan_gen: u64,
    pub apply_rows: Vec<ApplyRow>,
    apply_gen: u64,
    pub applying: bool,
    pub outcome: Option<Outcome>,
    pub copied: Option<Result<String, String>>,
}

impl App {
    pub fn new(profile: Option<&str>, region: Option<&str>) -> Self {
        App {
            screen: Screen::Account,
            // On Next, so that Enter goes on and r retries; Shift-Tab reaches profile and region.
            focus: 2,
            help: false,
            confirm: None,
            quit: false,
            spinner: 0,
            notice: None,
            scroll: 0,
            step_list_area: None,
            profile: Field::new("Profile", profile.unwrap_or("")).with_placeholder("default chain"),
            region: Field::new("Region", region.unwrap_or(""))
                .with_placeholder("from profile, or us-east-1"),
            identity: Load::Idle,
            identity_gen: 0,
            provider_kind: ProviderKind::GitLabCom,
            provider_url: Field::new("Instance URL", DEFAULT_PROVIDER_URL),
            audience: Field::new("Audience", DEFAULT_PROVIDER_URL),
            audience_edited: false,
            provider_lookup: Load::Idle,
            lookup_gen: 0,
            lookup_due: None,
            projects: Field::new("Projects", "").with_placeholder("group/project, group/other"),
            ref_type: RefType::Branch,
            refs: Field::new("Refs", "main"),
            ref_protected: false,
            policies: Load::Idle,
            policies_gen: 0,
            filter: Field::new("Filter", "").with_placeholder("type to filter"),
            filtered: Vec::new(),
            list_cursor: 0,
            selected: BTreeSet::new(),
            custom_policy: Field::new("Custom ARN", "")
                .with_placeholder("arn:aws:iam::123456789012:policy/name"),
            role_name: Field::new("Role name", ""),
            role_name_edited: false,
            description: Field::new("Description", "")
                .with_placeholder("generated from the projects"),
            max_session: Field::new("Max session (s)", "3600"),
            boundary: Field::new("Boundary ARN", "").with_placeholder("none"),
            plan: Load::Idle,
            plan_gen: 0,
            apply_rows: Vec::new(),
            apply_gen: 0,
            applying: false,
            outcome: None,
            copied: None,
        }
    }

    /// The first effects: resolve credentials and the caller in the background.
    pub fn start(&mut self) -> Vec<Effect> {
        vec![self.connect()]
    }

    fn connect(&mut self) -> Effect {
        self.identity_gen += 1;
        self.identity = Load::Loading;
        Effect::Connect {
            attempt: self.identity_gen,
            profile: non_empty(&self.profile.value),
            region: non_empty(&self.region.value),
        }
    }

    /// What can take the focus on the current screen, in Tab order.
    pub fn elements(&self) -> Vec<Element> {
        use Element::*;
        match self.screen {
            Screen::Account => vec![Profile, Region, Next],
            Screen::Provider => match self.provider_kind {
                self::ProviderKind::GitLabCom => vec![ProviderKind, Audience, Next],
                self::ProviderKind::SelfManaged => vec![ProviderKind, ProviderUrl, Audience, Next],
            },
            Screen::Trust if self.is_gitlab_com() => {
                vec![Projects, RefType, Refs, RefProtected, Next]
            }
            Screen::Trust => vec![Projects, RefType, Refs, Next],
            Screen::Permissions => vec![Filter, PolicyList, CustomPolicy, Next],
            Screen::Role => vec![RoleName, Description, MaxSession, Boundary, Next],
            Screen::Review | Screen::Apply | Screen::Done => vec![Next],
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
            Element::Profile => &self.profile,
            Element::Region => &self.region,
            Element::ProviderUrl => &self.provider_url,
            Element::Audience => &self.audience,
            Element::Projects => &self.projects,
            Element::Refs => &self.refs,
            Element::Filter => &self.filter,
            Element::CustomPolicy => &self.custom_policy,
            Element::RoleName => &self.role_name,
            Element::Description => &self.description,
            Element::MaxSession => &self.max_session,
            Element::Boundary => &self.boundary,
            _ => return None,
        })
    }

    fn field_mut(&mut self, e: Element) -> Option<&mut Field> {
        Some(match e {
            Element::Profile => &mut self.profile,
            Element::Region => &mut self.region,
            Element::ProviderUrl => &mut self.provider_url,
            Element::Audience => &mut self.audience,
            Element::Projects => &mut self.projects,
            Element::Refs => &mut self.refs,
            Element::Filter => &mut self.filter,
            Element::CustomPolicy => &mut self.custom_policy,
            Element::RoleName => &mut self.role_name,
            Element::Description => &mut self.description,
            Element::MaxSession => &mut self.max_session,
            Element::Boundary => &mut self.boundary,
            _ => return None,
        })
    }

    pub fn is_gitlab_com(&self) -> bool {
        self.provider_kind == ProviderKind::GitLabCom
            || ProviderUrl::parse(&self.provider_url.value).is_ok_and(|u| u.is_gitlab_com())
    }

    fn provider_url_value(&self) -> &str {
        match self.provider_kind {
            ProviderKind::GitLabCom => DEFAULT_PROVIDER_URL,
            ProviderKind::SelfManaged => &self.provider_url.value,
        }
    }

    /// The validation message for an element, if its value breaks a rule.
    pub fn error(&self, e: Element) -> Option<String> {
        let rule = |r: Result<(), crate::plan::input::InputError>| r.err().map(|e| e.rule);
        match e {
            Element::ProviderUrl => rule(ProviderUrl::parse(&self.provider_url.value).map(drop)),
            Element::Audience => rule(Audience::parse(&self.audience.value).map(drop)),
            Element::Projects => {
                let list = self.projects.list();
                if list.is_empty() {
                    return Some(
                        "required: the project(s) whose pipelines may assume the role".into(),
                    );
                }
                list.iter().find_map(|p| {
                    ProjectPath::parse(p)
                        .err()
                        .map(|e| format!("{p}: {}", e.rule))
                })
            }
            Element::Refs => {
                let list = self.refs.list();
                if list.is_empty() {
                    return Some("required: at least one branch or tag".into());
                }
                list.iter()
                    .find_map(|r| RefName::parse(r).err().map(|e| format!("{r}: {}", e.rule)))
            }
            Element::CustomPolicy if !self.custom_policy.value.is_empty() => {
                rule(PolicyArn::parse("--policy", &self.custom_policy.value).map(drop))
            }
            Element::RoleName => rule(RoleName::parse(&self.role_name.value).map(drop)),
            Element::Description => rule(Description::parse(&self.description.value).map(drop)),
            Element::MaxSession => rule(SessionDuration::parse(&self.max_session.value).map(drop)),
            Element::Boundary if !self.boundary.value.is_empty() => {
                rule(PolicyArn::parse("--permissions-boundary", &self.boundary.value).map(drop))
            }
            _ => None,
        }
    }

    /// Why the current screen cannot go on, if it cannot.
    pub fn blocker(&self) -> Option<String> {
        match self.screen {
            Screen::Account => match &self.identity {
                Load::Loaded(_) => None,
                Load::Failed(_) => Some("the account could not be read: fix it and press r".into()),
                _ => Some("still reading the account…".into()),
            },
            Screen::Trust => self
                .elements()
                .into_iter()
                .find_map(|e| self.error(e))
                .or_else(|| self.trust_preview().err()),
            Screen::Review => match &self.plan {
                Load::Loaded(_) => None,
                Load::Failed(_) => {
                    Some("the plan failed: press r to try again, or Esc to change an answer".into())
                }
                _ => Some("still reading what exists…".into()),
            },
            Screen::Apply if self.applying => Some("applying…".into()),
            Screen::Apply => Some("a step failed: press r to retry it".into()),
            _ => self.elements().into_iter().find_map(|e| self.error(e)),
        }
    }

    /// Everything the user answered, as the engine's input.
    pub fn setup_input(&self) -> SetupInput {
        let mut policies: Vec<String> = self.selected.iter().cloned().collect();
        policies.sort();
        SetupInput {
            provider_url: Some(self.provider_url_value().to_string()),
            audience: Some(self.audience.value.clone()),
            projects: self.projects.list(),
            refs: self.refs.list(),
            ref_type: Some(self.ref_type),
            ref_protected: self.ref_protected && self.is_gitlab_com(),
            role_name: Some(self.role_name.value.clone()),
            role_path: None,
            description: non_empty(&self.description.value),
            policies,
            max_session_duration: non_empty(&self.max_session.value),
            permissions_boundary: non_empty(&self.boundary.value),
        }
    }

    /// The account and partition, once known.
    fn account(&self) -> (String, String) {
        match self.identity.loaded() {
            Some((id, _)) => (id.partition().to_string(), id.account.clone()),
            None => ("aws".to_string(), "123456789012".to_string()),
        }
    }

    /// The trust policy the answers so far give, with its warnings, or why there is none.
    pub fn trust_preview(&self) -> Result<crate::plan::trust::Trust, String> {
        let url = ProviderUrl::parse(self.provider_url_value()).map_err(|e| e.to_string())?;
        let audience = Audience::parse(&self.audience.value).map_err(|e| e.to_string())?;
        let projects = self
            .projects
            .list()
            .iter()
            .map(|p| ProjectPath::parse(p))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.rule)?;
        let refs = self
            .refs
            .list()
            .iter()
            .map(|r| RefName::parse(r))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.rule)?;
        let (partition, account) = self.account();
        let arn = format!(
            "arn:{partition}:iam::{account}:oidc-provider/{}",
            url.host_path()
        );
        crate::plan::trust::build(&crate::plan::trust::TrustSpec {
            provider_url: &url,
            provider_arn: &arn,
            audience: &audience,
            projects: &projects,
            refs: &refs,
            ref_type: self.ref_type,
            ref_protected: self.ref_protected && url.is_gitlab_com(),
        })
        .map_err(|e| e.rule)
    }

    /// A role name from the first project: `gitlab-group-project`, within IAM's rules.
    pub fn suggested_role_name(&self) -> String {
        let Some(first) = self.projects.list().into_iter().next() else {
            return String::new();
        };
        let mut name: String = format!("gitlab-{first}")
            .chars()
            .map(|c| match c {
                '/' => '-',
                c if c.is_ascii_alphanumeric() || "+=,.@_-".contains(c) => c,
                _ => '-',
            })
            .collect();
        name.truncate(64);
        name
    }

    fn refilter(&mut self) {
        let needle = self.filter.value.to_lowercase();
        self.filtered = match self.policies.loaded() {
            Some(items) => items
                .iter()
                .enumerate()
                .filter(|(_, p)| needle.is_empty() || p.lower.contains(&needle))
                .map(|(i, _)| i)
                .collect(),
            None => Vec::new(),
        };
        self.list_cursor = self.list_cursor.min(self.filtered.len().saturating_sub(1));
    }

    pub fn cursor_policy(&self) -> Option<&PolicyItem> {
        let items = self.policies.loaded()?;
        self.filtered
            .get(self.list_cursor)
            .and_then(|i| items.get(*i))
    }

    fn go_to(&mut self, screen: Screen) -> Vec<Effect> {
        self.screen = screen;
        self.focus = 0;
        self.notice = None;
        self.scroll = 0;
        match screen {
            Screen::Provider => self.lookup_provider(),
            Screen::Permissions if matches!(self.policies, Load::Idle | Load::Failed(_)) => {
                self.policies_gen += 1;
                self.policies = Load::Loading;
                vec![Effect::LoadPolicies {
                    attempt: self.policies_gen,
                }]
            }
            Screen::Role => {
                if !self.role_name_edited {
                    let name = self.suggested_role_name();
                    self.role_name.set(&name);
                }
                vec![]
            }
            Screen::Review => self.replan(),
            _ => vec![],
        }
    }

    fn lookup_provider(&mut self) -> Vec<Effect> {
        self.lookup_due = None;
        let Ok(url) = ProviderUrl::parse(self.provider_url_value()) else {
            self.provider_lookup = Load::Idle;
            return vec![];
        };
        let Some((id, _)) = self.identity.loaded() else {
            return vec![];
        };
        self.lookup_gen += 1;
        self.provider_lookup = Load::Loading;
        vec![Effect::LookupProvider {
            attempt: self.lookup_gen,
            arn: format!(
                "arn:{}:iam::{}:oidc-provider/{}",
                id.partition(),
                id.account,
                url.host_path()
            ),
        }]
    }

    fn replan(&mut self) -> Vec<Effect> {
        self.plan_gen += 1;
        match self.setup_input().validate() {
            Ok(setup) => {
                self.plan = Load::Loading;
                vec![Effect::Plan {
                    attempt: self.plan_gen,
                    setup: Box::new(setup),
                }]
            }
            Err(e) => {
                self.plan = Load::Failed(ErrorView {
                    code: "InvalidInput".into(),
                    message: e.to_string(),
                    hint: "go back (Esc) and correct it".into(),
                });
                vec![]
            }
        }
    }

    fn start_apply(&mut self, from: usize) -> Vec<Effect> {
        let Some(plan) = self.plan.loaded().cloned() else {
            return vec![];
        };
        self.apply_gen += 1;
        self.applying = true;
        for row in self.apply_rows.iter_mut().skip(from) {
            row.state = ActionState::Waiting;
        }
        vec![Effect::Apply {
            attempt: self.apply_gen,
            plan,
            from,
        }]
    }

    fn finish_apply(&mut self) -> Vec<Effect> {
        self.applying = false;
        let Some(plan) = self.plan.loaded() else {
            return vec![];
        };
        let provider_done =
            self.apply_rows
                .iter()
                .find_map(|r| match (&r.state, r.action.step()) {
                    (ActionState::Done(d), Step::Provider) => Some(*d),
                    _ => None,
                });
        self.outcome = Some(plan.outcome(provider_done));
        self.go_to(Screen::Done)
    }

    /// The role ARN, once the setup is done.
    pub fn role_arn(&self) -> Option<&str> {
        self.outcome.as_ref().map(|o| o.role_arn.as_str())
    }
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// The pure update: apply one message, return the effects to perform.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Tick => {
            app.spinner = app.spinner.wrapping_add(1);
            match app.lookup_due {
                Some(0) => app.lookup_provider(),
                Some(n) => {
                    app.lookup_due = Some(n - 1);
                    vec![]
                }
                None => vec![],
            }
        }
        Msg::Terminate => {
            app.quit = true;
            vec![Effect::Quit]
        }
        Msg::Identity { attempt, result } => {
            if attempt != app.identity_gen {
                return vec![];
            }
            app.identity = match result {
                Ok(v) => Load::Loaded(v),
                Err(e) => Load::Failed(e),
            };
            // The account changed: what was read for the old one no longer holds.
            app.provider_lookup = Load::Idle;
            vec![]
        }
        Msg::ProviderLookup { attempt, result } => {
            if attempt == app.lookup_gen {
                app.provider_lookup = match result {
                    Ok(v) => Load::Loaded(v),
                    Err(e) => Load::Failed(e),
                };
            }
            vec![]
        }
        Msg::Policies { attempt, result } => {
            if attempt == app.policies_gen {
                app.policies = match result {
                    Ok(list) => {
                        let mut items: Vec<PolicyItem> = list
                            .iter()
                            .map(|p| PolicyItem::new(&p.arn, &p.name))
                            .collect();
                        items.sort_by(|a, b| a.lower.cmp(&b.lower));
                        Load::Loaded(items)
                    }
                    Err(e) => Load::Failed(e),
                };
                app.refilter();
            }
            vec![]
        }
        Msg::Planned { attempt, result } => {
            if attempt == app.plan_gen {
                app.plan = match result {
                    Ok(plan) => Load::Loaded(plan),
                    Err(e) => Load::Failed(e),
                };
            }
            vec![]
        }
        Msg::ActionStarted { attempt, index } => {
            if attempt == app.apply_gen
                && let Some(row) = app.apply_rows.get_mut(index)
            {
                row.state = ActionState::Running;
            }
            vec![]
        }
        Msg::ActionFinished {
            attempt,
            index,
            result,
        } => {
            if attempt != app.apply_gen {
                return vec![];
            }
            let ok = result.is_ok();
            if let Some(row) = app.apply_rows.get_mut(index) {
                row.state = match result {
                    Ok(d) => ActionState::Done(d),
                    Err(e) => ActionState::Failed(e),
                };
            }
            if !ok {
                app.applying = false;
                return vec![];
            }
            if index + 1 >= app.apply_rows.len() {
                return app.finish_apply();
            }
            vec![]
        }
        Msg::Copied(result) => {
            app.copied = Some(result);
            vec![]
        }
        Msg::Mouse(m) => on_mouse(app, m),
        Msg::Key(key) => on_key(app, key),
    }
}

fn on_mouse(app: &mut App, m: MouseEvent) -> Vec<Effect> {
    if m.kind != MouseEventKind::Down(MouseButton::Left) {
        return vec![];
    }
    let Some(area) = app.step_list_area else {
        return vec![];
    };
    let inside = m.column >= area.x
        && m.column < area.x + area.width
        && m.row > area.y
        && m.row < area.y + area.height;
    if !inside {
        return vec![];
    }
    let index = usize::from(m.row - area.y - 1);
    match Screen::ALL.get(index) {
        // Back to any earlier answer; forward only by going on.
        Some(&target) if target < app.screen && !app.applying && target < Screen::Apply => {
            app.go_to(target)
        }
        _ => vec![],
    }
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && key.code == KeyCode::Char('c') {
        return ask_quit(app);
    }
    if let Some(confirm) = app.confirm.clone() {
        return on_confirm(app, confirm, key);
    }
    if app.help {
        if matches!(
            key.code,
            KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') | KeyCode::F(1)
        ) {
            app.help = false;
        }
        return vec![];
    }
    app.notice = None;
    let focused = app.focused();
    let in_text = app.field(focused).is_some();
    match key.code {
        KeyCode::F(1) => {
            app.help = true;
            return vec![];
        }
        KeyCode::Char('?') if !in_text => {
            app.help = true;
            return vec![];
        }
        KeyCode::Char('q') if !in_text => return ask_quit(app),
        KeyCode::Down | KeyCode::Up
            if focused == Element::PolicyList || app.elements().len() == 1 => {}
        KeyCode::Tab | KeyCode::Down => {
            app.focus = (app.focus + 1) % app.elements().len();
            return on_blur(app, focused);
        }
        KeyCode::BackTab | KeyCode::Up => {
            let n = app.elements().len();
            app.focus = (app.focus + n - 1) % n;
            return on_blur(app, focused);
        }
        KeyCode::Esc => return back(app),
        _ => {}
    }
    match focused {
        Element::ProviderKind | Element::RefType | Element::RefProtected => {
            on_choice(app, focused, key)
        }
        Element::PolicyList => on_list(app, key),
        Element::Next => on_next_key(app, key),
        e => on_field(app, e, key),
    }
}

fn ask_quit(app: &mut App) -> Vec<Effect> {
    if app.applying {
        app.confirm = Some(Confirm::Quit);
        vec![]
    } else {
        app.quit = true;
        vec![Effect::Quit]
    }
}

fn back(app: &mut App) -> Vec<Effect> {
    if app.applying {
        app.notice = Some("an apply is running; wait for it, or press q to quit".into());
        return vec![];
    }
    match app.screen {
        Screen::Account => vec![],
        // From a finished setup, Esc goes to the review of what now exists.
        Screen::Done | Screen::Apply => app.go_to(Screen::Review),
        s => app.go_to(s.prev()),
    }
}

/// Leaving an element: some answers take effect now.
fn on_blur(app: &mut App, left: Element) -> Vec<Effect> {
    match left {
        Element::Profile | Element::Region => {
            let wanted = (non_empty(&app.profile.value), non_empty(&app.region.value));
            let current = app
                .identity
                .loaded()
                .map(|(_, c)| (c.profile.clone(), Some(c.region.clone())));
            if current.is_some_and(|c| c != wanted && (wanted.0.is_some() || wanted.1.is_some())) {
                return vec![app.connect()];
            }
            vec![]
        }
        _ => vec![],
    }
}

fn on_choice(app: &mut App, e: Element, key: KeyEvent) -> Vec<Effect> {
    let forward = match key.code {
        KeyCode::Right | KeyCode::Char(' ') | KeyCode::Char('l') => true,
        KeyCode::Left | KeyCode::Char('h') => false,
        KeyCode::Enter => {
            app.focus += 1;
            return vec![];
        }
        _ => return vec![],
    };
    match e {
        Element::ProviderKind => {
            app.provider_kind = match app.provider_kind {
                ProviderKind::GitLabCom => ProviderKind::SelfManaged,
                ProviderKind::SelfManaged => ProviderKind::GitLabCom,
            };
            if app.provider_kind == ProviderKind::SelfManaged
                && app.provider_url.value == DEFAULT_PROVIDER_URL
            {
                app.provider_url.set("https://");
            }
            if !app.audience_edited {
                let url = app.provider_url_value().to_string();
                app.audience.set(&url);
            }
            app.lookup_due = Some(LOOKUP_DEBOUNCE_TICKS);
        }
        Element::RefType => {
            let order = [RefType::Branch, RefType::Tag, RefType::Any];
            let i = order.iter().position(|t| *t == app.ref_type).unwrap_or(0);
            app.ref_type = order[if forward { (i + 1) % 3 } else { (i + 2) % 3 }];
        }
        Element::RefProtected => app.ref_protected = !app.ref_protected,
        _ => {}
    }
    vec![]
}

fn on_list(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let n = app.filtered.len();
    match key.code {
        KeyCode::Down | KeyCode::Char('j') if n > 0 => {
            app.list_cursor = (app.list_cursor + 1).min(n - 1)
        }
        KeyCode::Up | KeyCode::Char('k') => app.list_cursor = app.list_cursor.saturating_sub(1),
        KeyCode::PageDown => app.list_cursor = (app.list_cursor + 10).min(n.saturating_sub(1)),
        KeyCode::PageUp => app.list_cursor = app.list_cursor.saturating_sub(10),
        KeyCode::Home | KeyCode::Char('g') => app.list_cursor = 0,
        KeyCode::End | KeyCode::Char('G') => app.list_cursor = n.saturating_sub(1),
        KeyCode::Char(' ') | KeyCode::Char('x') => toggle_policy(app),
        KeyCode::Char('r') if matches!(app.policies, Load::Failed(_)) => {
            app.policies = Load::Idle;
            return app.go_to(Screen::Permissions);
        }
        KeyCode::Enter => app.focus += 1,
        KeyCode::Char('/') => app.focus = 0,
        _ => {}
    }
    vec![]
}

fn toggle_policy(app: &mut App) {
    let Some(item) = app.cursor_policy().cloned() else {
        return;
    };
    if app.selected.remove(&item.arn) {
        return;
    }
    if item.admin {
        app.confirm = Some(Confirm::AdminPolicy {
            arn: item.arn,
            name: item.name,
        });
    } else {
        app.selected.insert(item.arn);
    }
}

fn on_field(app: &mut App, e: Element, key: KeyEvent) -> Vec<Effect> {
    if key.code == KeyCode::Enter {
        return match e {
            Element::CustomPolicy if !app.custom_policy.value.is_empty() => {
                if app.error(e).is_none() {
                    let arn = app.custom_policy.value.trim().to_string();
                    if is_admin_policy_arn(&arn) {
                        let name = arn.rsplit('/').next().unwrap_or(&arn).to_string();
                        app.confirm = Some(Confirm::AdminPolicy { arn, name });
                    } else {
                        app.selected.insert(arn);
                    }
                    app.custom_policy.set("");
                }
                vec![]
            }
            Element::Profile | Element::Region => {
                app.focus += 1;
                vec![app.connect()]
            }
            _ => {
                app.focus += 1;
                on_blur(app, e)
            }
        };
    }
    let Some(field) = app.field_mut(e) else {
        return vec![];
    };
    if !field.on_key(key) {
        return vec![];
    }
    match e {
        Element::ProviderUrl => {
            if !app.audience_edited {
                let url = app.provider_url.value.clone();
                app.audience.set(&url);
            }
            app.lookup_due = Some(LOOKUP_DEBOUNCE_TICKS);
        }
        Element::Audience => {
            app.audience_edited = true;
            app.lookup_due = Some(LOOKUP_DEBOUNCE_TICKS);
        }
        Element::RoleName => app.role_name_edited = true,
        Element::Filter => {
            app.list_cursor = 0;
            app.refilter();
        }
        _ => {}
    }
    vec![]
}

fn on_next_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    match (app.screen, key.code) {
        (Screen::Account, KeyCode::Char('r')) => vec![app.connect()],
        (Screen::Review, KeyCode::Char('r')) => app.replan(),
        (Screen::Apply, KeyCode::Char('r')) if !app.applying => {
            let failed = app
                .apply_rows
                .iter()
                .position(|r| matches!(r.state, ActionState::Failed(_)));
            match failed {
                Some(i) => app.start_apply(i),
                None => vec![],
            }
        }
        (Screen::Done, KeyCode::Char('c')) => match app.role_arn() {
            Some(arn) => vec![Effect::Copy(arn.to_string())],
            None => vec![],
        },
        (Screen::Review | Screen::Done, KeyCode::Char('j') | KeyCode::Down) => {
            app.scroll = app.scroll.saturating_add(1);
            vec![]
        }
        (Screen::Review | Screen::Done, KeyCode::Char('k') | KeyCode::Up) => {
            app.scroll = app.scroll.saturating_sub(1);
            vec![]
        }
        (Screen::Review | Screen::Done, KeyCode::PageDown) => {
            app.scroll = app.scroll.saturating_add(10);
            vec![]
        }
        (Screen::Review | Screen::Done, KeyCode::PageUp) => {
            app.scroll = app.scroll.saturating_sub(10);
            vec![]
        }
        (Screen::Done, KeyCode::Enter) => {
            app.quit = true;
            vec![Effect::Quit]
        }
        (_, KeyCode::Enter) => go_on(app),
        _ => vec![],
    }
}

/// Enter on Next: go on if the screen is complete, else say why and focus the culprit.
fn go_on(app: &mut App) -> Vec<Effect> {
    if let Some(why) = app.blocker() {
        if let Some(i) = app.elements().iter().position(|e| app.error(*e).is_some()) {
            app.focus = i;
        }
        app.notice = Some(why);
        return vec![];
    }
    match app.screen {
        Screen::Review => {
            let Some(plan) = app.plan.loaded() else {
                return vec![];
            };
            let reasons = plan.confirmations();
            if reasons.is_empty() {
                begin_apply(app)
            } else {
                app.confirm = Some(Confirm::Apply { reasons });
                vec![]
            }
        }
        s => app.go_to(s.next()),
    }
}

fn begin_apply(app: &mut App) -> Vec<Effect> {
    let Some(plan) = app.plan.loaded() else {
        return vec![];
    };
    app.apply_rows = plan
        .actions()
        .into_iter()
        .map(|action| ApplyRow {
            label: action.label(plan),
            action,
            state: ActionState::Waiting,
        })
        .collect();
    app.screen = Screen::Apply;
    app.focus = 0;
    if app.apply_rows.is_empty() {
        return app.finish_apply();
    }
    app.start_apply(0)
}

fn on_confirm(app: &mut App, confirm: Confirm, key: KeyEvent) -> Vec<Effect> {
    let yes = matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y'));
    let no = matches!(
        key.code,
        KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc | KeyCode::Enter
    );
    if !yes && !no {
        return vec![];
    }
    app.confirm = None;
    match confirm {
        Confirm::AdminPolicy { arn, .. } if yes => {
            app.selected.insert(arn);
            vec![]
        }
        Confirm::Apply { .. } if yes => begin_apply(app),
        Confirm::Quit if yes => {
            app.quit = true;
            vec![Effect::Quit]
        }
        _ => vec![],
    }
}
