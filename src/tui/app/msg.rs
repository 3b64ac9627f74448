//! The messages `update` takes (keys, clicks, pastes, background results) and the effects it
//! returns for the run loop to perform.

use ratatui::crossterm::event::{KeyEvent, MouseEvent};

use super::{ErrorView, ExistingRole};
use crate::aws::sdk::Connection;
use crate::aws::{CallerIdentity, ManagedPolicy, OidcProvider};
use crate::engine::{Done, Plan};
use crate::journal::Journal;
use crate::plan::Setup;

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
    /// The Organization the account may audit, if any.
    OrganizationFound {
        attempt: u64,
        found: Option<crate::aws::org::Organization>,
    },
    /// How far the Organization's audit is.
    OrgProgress {
        attempt: u64,
        progress: crate::check::org::Progress,
    },
    OrgChecked {
        attempt: u64,
        result: Result<Box<crate::check::org::OrgAudit>, ErrorView>,
    },
    /// The Organization's units, for Review's target.
    UnitsListed {
        attempt: u64,
        result: Result<Vec<crate::rollout::UnitRow>, ErrorView>,
    },
    /// What a rollout to the units would do.
    OrgPlanned {
        attempt: u64,
        result: Result<Box<crate::rollout::OrgPlan>, ErrorView>,
    },
    RolloutProgress {
        attempt: u64,
        progress: crate::rollout::Progress,
    },
    RolledOut {
        attempt: u64,
        result: Result<Box<crate::rollout::RolloutResult>, ErrorView>,
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
    /// Whether the account may audit an Organization (the Check screen offers it then).
    FindOrganization {
        attempt: u64,
    },
    /// Audit every account of the Organization.
    CheckOrg {
        attempt: u64,
    },
    /// The Organization's units, root first.
    ListUnits {
        attempt: u64,
    },
    /// What rolling the setup out to the accounts of `units` would do (reads only).
    PlanOrg {
        attempt: u64,
        setup: Box<Setup>,
        units: Vec<String>,
        region: String,
    },
    /// Roll the setup out as `shown` (the plan confirmed on Review) says; the run stops if the
    /// Organization now asks for something else.
    Rollout {
        attempt: u64,
        setup: Box<Setup>,
        shown: Box<crate::rollout::OrgPlan>,
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
