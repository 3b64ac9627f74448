//! Performing the wizard's effects as background tasks that answer with messages. Generic over
//! how the AWS client is made, so the same runner drives the SDK in the program and the in-memory
//! fake in unit tests. No domain logic here: each effect is one call into the engine or the flow,
//! and its result (or error view) goes back to `update` as a message.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use super::app::{Effect, ErrorView, ExistingRole, Msg};
use super::clipboard;
use crate::aws::Aws;
use crate::aws::any::AnyAws;
use crate::aws::sdk::{ConnectOptions, Connection, SdkAws};
use crate::engine::Plan;
use crate::engine::{self, EngineError, Progress, Step};
use crate::flow;
use crate::flow::apply::Journaled;
use crate::gitlab::{Client, Owner, Token};
use crate::journal::{Journal, Store};
use crate::plan::Setup;

/// How long the account check may take before the wizard says so (SSO and assume-role included).
const IDENTITY_TIMEOUT: Duration = Duration::from_secs(30);

/// Makes the AWS client for a profile and region.
pub trait Connect: Send + Sync + 'static {
    type Aws: Aws + crate::aws::org::Org + crate::aws::stacksets::StackSets + 'static;
    fn connect(
        &self,
        options: ConnectOptions,
    ) -> impl Future<Output = (Self::Aws, Connection)> + Send;
}

/// The real AWS SDK clients, or the demo account when the options say so.
pub struct SdkConnect;

impl Connect for SdkConnect {
    type Aws = AnyAws;
    async fn connect(&self, options: ConnectOptions) -> (AnyAws, Connection) {
        if options.demo {
            let connection = Connection {
                profile: None,
                region: crate::aws::sdk::FALLBACK_REGION.to_string(),
                endpoint_url: None,
            };
            return (AnyAws::demo(), connection);
        }
        let aws = SdkAws::connect(&options).await;
        let connection = aws.connection.clone();
        (AnyAws::Sdk(Box::new(aws)), connection)
    }
}

pub struct Effects<C: Connect> {
    tx: UnboundedSender<Msg>,
    connector: Arc<C>,
    aws: Arc<Mutex<Option<Arc<C::Aws>>>>,
    endpoint_url: Option<String>,
    store: Store,
    /// The apply running now (its attempt and task), so that Esc can stop it.
    applying: Mutex<Option<Running>>,
    /// Connected to the demo account: nothing leaves the process (no GitLab, no TLS, no file).
    demo: std::sync::atomic::AtomicBool,
    /// The last journal write failed (the app was told; it is told again when one succeeds).
    journal_failed: std::sync::atomic::AtomicBool,
}

/// An apply in flight: its attempt, its task and the watcher counting its requests (a rollout
/// has none).
struct Running {
    attempt: u64,
    task: tokio::task::AbortHandle,
    watcher: Option<tokio::task::AbortHandle>,
}

/// How often the apply's watcher reports the requests sent for the running action.
const SENT_EVERY: Duration = Duration::from_millis(250);

/// In the demo, what must not leave the process gets its answer here: GitLab, a pre-flight's
/// TLS, files. `Some(None)`: nothing to do (the journal is not kept); `None`: an effect the demo
/// account itself answers.
fn demo_answer(effect: &Effect) -> Option<Option<Msg>> {
    let refused = |what: &str| ErrorView {
        kind: crate::tui::app::ErrorKind::Other,
        code: "Demo".into(),
        message: format!("the demo {what}"),
        hint: "this works in a real run (start the wizard without the demo)".into(),
    };
    match effect {
        Effect::StoreVariable { attempt, .. } => Some(Some(Msg::Stored {
            attempt: *attempt,
            result: Err(refused("reaches no GitLab: nothing was stored")),
        })),
        Effect::LookupNamespaceIds { attempt, .. } => Some(Some(Msg::NamespaceIds {
            attempt: *attempt,
            result: Err(refused("reaches no GitLab: no ids were looked up")),
        })),
        Effect::LookupProjectIds { attempt, .. } => Some(Some(Msg::ProjectIds {
            attempt: *attempt,
            result: Err(refused("reaches no GitLab: no ids were looked up")),
        })),
        Effect::Preflight { attempt, url } => Some(Some(Msg::Preflighted {
            attempt: *attempt,
            report: Box::new(crate::preflight::Report {
                url: url.clone(),
                checks: vec![crate::verdict::Check {
                    name: "reachable",
                    passed: false,
                    detail:
                        "the demo contacts no host: a self-managed GitLab is checked in a real run"
                            .into(),
                }],
                tls: None,
            }),
        })),
        Effect::WriteExport { path, .. } => Some(Some(Msg::Exported(Err(format!(
            "the demo writes no files: {} was not written",
            path.display()
        ))))),
        Effect::SaveJournal(_) | Effect::ClearJournal => Some(None),
        _ => None,
    }
}

fn aws_error(step: Step) -> impl Fn(crate::aws::AwsError) -> ErrorView {
    move |error| ErrorView::from(&EngineError::Aws { step, error })
}

fn gitlab_error(e: crate::gitlab::GitLabError) -> ErrorView {
    ErrorView::from(&EngineError::GitLab(e))
}

/// A GitLab client for the wizard's token, which is never stored.
fn gitlab_client(url: &str, token: Token) -> Result<Client, ErrorView> {
    Client::new(url, token).map_err(gitlab_error)
}

impl<C: Connect> Effects<C> {
    pub fn new(
        tx: UnboundedSender<Msg>,
        connector: C,
        endpoint_url: Option<String>,
        store: Store,
    ) -> Self {
        Effects {
            tx,
            connector: Arc::new(connector),
            aws: Arc::new(Mutex::new(None)),
            endpoint_url,
            store,
            applying: Mutex::new(None),
            demo: std::sync::atomic::AtomicBool::new(false),
            journal_failed: std::sync::atomic::AtomicBool::new(false),
        }
    }

    fn client(&self) -> Option<Arc<C::Aws>> {
        self.aws.lock().ok().and_then(|a| a.clone())
    }

    /// Start one effect; its result comes back on the channel.
    pub fn perform(&self, effect: Effect) {
        let tx = self.tx.clone();
        if self.demo.load(Ordering::SeqCst)
            && let Some(answer) = demo_answer(&effect)
        {
            if let Some(msg) = answer {
                let _ = tx.send(msg);
            }
            return;
        }
        self.perform_now(effect);
    }

    fn perform_now(&self, effect: Effect) {
        match effect {
            Effect::Connect {
                attempt,
                profile,
                region,
                demo,
            } => self.connect(attempt, profile, region, demo),
            Effect::LookupProvider { attempt, arn } => self.lookup_provider(attempt, arn),
            Effect::LoadPolicies { attempt } => self.load_policies(attempt),
            Effect::Plan { attempt, setup } => self.plan(attempt, setup),
            Effect::Apply {
                attempt,
                plan,
                from,
                journal,
            } => self.apply(attempt, plan, from, journal),
            Effect::CancelApply { attempt } => self.cancel_apply(attempt),
            Effect::Check { attempt } => self.check(attempt),
            Effect::FindOrganization { attempt } => self.find_organization(attempt),
            Effect::CheckOrg { attempt } => self.check_org(attempt),
            Effect::ListUnits { attempt } => self.list_units(attempt),
            Effect::PlanOrg {
                attempt,
                setup,
                units,
                region,
            } => self.plan_org(attempt, setup, units, region),
            Effect::Rollout {
                attempt,
                setup,
                shown,
            } => self.rollout(attempt, setup, shown),
            Effect::Explain {
                attempt,
                role,
                claims,
            } => self.explain(attempt, role, claims),
            Effect::LoadProfiles => self.load_profiles(),
            Effect::CheckPolicy { attempt, arn } => self.check_policy(attempt, arn),
            Effect::LookupRole { attempt, name } => self.lookup_role(attempt, name),
            Effect::ListSetups { attempt } => self.list_setups(attempt),
            Effect::ListGitLabRoles { attempt } => self.list_git_lab_roles(attempt),
            Effect::PlanRemove {
                attempt,
                role,
                force,
            } => self.plan_remove(attempt, role, force),
            Effect::Remove { attempt, plan } => self.remove(attempt, plan),
            Effect::StoreVariable {
                attempt,
                spec,
                url,
                token,
                projects,
                arn,
                replace,
            } => self.store_variable(attempt, spec, url, token, projects, arn, replace),
            Effect::LookupNamespaceIds {
                attempt,
                url,
                token,
                projects,
            } => self.lookup_namespace_ids(attempt, url, token, projects),
            Effect::LookupProjectIds {
                attempt,
                url,
                token,
                projects,
            } => self.lookup_project_ids(attempt, url, token, projects),
            Effect::Preflight { attempt, url } => self.preflight(attempt, url),
            Effect::WriteExport {
                path,
                content,
                overwrite,
            } => self.write_export(path, content, overwrite),
            Effect::SaveJournal(journal) => self.save_journal(journal),
            Effect::ClearJournal => self.clear_journal(),
            Effect::Copy { what, text } => self.copy(what, text),
            Effect::Quit => {}
        }
    }
}

/// Each effect, performed: one call into the engine or the flow, its answer sent back as a
/// message.
impl<C: Connect> Effects<C> {
    fn connect(&self, attempt: u64, profile: Option<String>, region: Option<String>, demo: bool) {
        let tx = self.tx.clone();
        self.demo.store(demo, Ordering::SeqCst);
        let slot = self.aws.clone();
        let connector = self.connector.clone();
        let options = ConnectOptions {
            profile,
            region,
            endpoint_url: self.endpoint_url.clone(),
            demo,
        };
        tokio::spawn(async move {
            let (aws, connection) = connector.connect(options).await;
            let aws = Arc::new(aws);
            if let Ok(mut s) = slot.lock() {
                *s = Some(aws.clone());
            }
            let result = match tokio::time::timeout(IDENTITY_TIMEOUT, aws.caller_identity()).await {
                    Ok(Ok(id)) => Ok((id, connection)),
                    Ok(Err(e)) => Err(aws_error(Step::Identity)(e)),
                    Err(_) => Err(ErrorView {
                        kind: crate::tui::app::ErrorKind::Other,
                        code: "Timeout".into(),
                        message: format!("no answer within {} s", IDENTITY_TIMEOUT.as_secs()),
                        hint: "check the network and the profile's SSO session (or the endpoint the wizard was started with); r retries".into(),
                    }),
                };
            let _ = tx.send(Msg::Identity { attempt, result });
        });
    }

    fn lookup_provider(&self, attempt: u64, arn: String) {
        let tx = self.tx.clone();
        let Some(aws) = self.client() else { return };
        tokio::spawn(async move {
            let result = aws
                .get_oidc_provider(&arn)
                .await
                .map_err(aws_error(Step::Provider));
            let _ = tx.send(Msg::ProviderLookup { attempt, result });
        });
    }

    fn load_policies(&self, attempt: u64) {
        let tx = self.tx.clone();
        let Some(aws) = self.client() else { return };
        tokio::spawn(async move {
            // Both kinds, as the console lists them: the account's own and AWS's.
            let (own, managed) = tokio::join!(
                aws.list_customer_managed_policies(),
                aws.list_aws_managed_policies()
            );
            let result = own
                .and_then(|mut own| {
                    own.extend(managed?);
                    Ok(own)
                })
                .map_err(aws_error(Step::Permissions));
            let _ = tx.send(Msg::Policies { attempt, result });
        });
    }

    fn plan(&self, attempt: u64, setup: Box<Setup>) {
        let tx = self.tx.clone();
        let Some(aws) = self.client() else { return };
        tokio::spawn(async move {
            let result = engine::plan(&*aws, &setup)
                .await
                .map(Box::new)
                .map_err(|e| ErrorView::from(&e));
            let _ = tx.send(Msg::Planned { attempt, result });
        });
    }

    fn apply(&self, attempt: u64, plan: Box<Plan>, from: usize, journal: Option<Box<Journal>>) {
        let tx = self.tx.clone();
        let Some(aws) = self.client() else { return };
        let store = self.store.clone();
        // The running action and the request count when it started, for the watcher.
        let current = Arc::new(AtomicUsize::new(from));
        let base = Arc::new(AtomicUsize::new(aws.calls().total()));
        let watcher = {
            let (aws, tx, current, base) = (aws.clone(), tx.clone(), current.clone(), base.clone());
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(SENT_EVERY).await;
                    let sent = aws
                        .calls()
                        .total()
                        .saturating_sub(base.load(Ordering::SeqCst));
                    let index = current.load(Ordering::SeqCst);
                    if tx
                        .send(Msg::ActionSent {
                            attempt,
                            index,
                            sent,
                        })
                        .is_err()
                    {
                        break;
                    }
                }
            })
        };
        let watcher_handle = watcher.abort_handle();
        let task = tokio::spawn(async move {
            let mut journal = journal.map(|j| *j);
            let mut journaled = journal
                .as_mut()
                .map(|journal| Journaled::new(&store, journal));
            let result = flow::apply_from(&*aws, &plan, from, journaled.as_mut(), |p| {
                let msg = match p {
                    Progress::Started { index, .. } => {
                        base.store(aws.calls().total(), Ordering::SeqCst);
                        current.store(index, Ordering::SeqCst);
                        Msg::ActionStarted { attempt, index }
                    }
                    Progress::Finished { index, done, .. } => Msg::ActionFinished {
                        attempt,
                        index,
                        result: Ok(done),
                    },
                    // Its error comes with the result, below.
                    Progress::Failed { index, .. } => {
                        current.store(index, Ordering::SeqCst);
                        return;
                    }
                };
                let _ = tx.send(msg);
            })
            .await;
            if let Some(e) = journaled.as_ref().and_then(|j| j.unsaved()) {
                let _ = tx.send(Msg::JournalUnsaved(Some(e.to_string())));
            }
            let calls = aws.calls();
            let _ = tx.send(Msg::Calls {
                total: calls.total(),
                mutating: calls.mutating(),
            });
            if let Err(e) = result {
                let _ = tx.send(Msg::ActionFinished {
                    attempt,
                    index: current.load(Ordering::SeqCst),
                    result: Err(ErrorView::from(&e)),
                });
            }
            watcher.abort();
        });
        self.running(attempt, task.abort_handle(), Some(watcher_handle));
    }

    /// The run Esc stops waiting for.
    fn running(
        &self,
        attempt: u64,
        task: tokio::task::AbortHandle,
        watcher: Option<tokio::task::AbortHandle>,
    ) {
        if let Ok(mut slot) = self.applying.lock() {
            *slot = Some(Running {
                attempt,
                task,
                watcher,
            });
        }
    }

    fn cancel_apply(&self, attempt: u64) {
        let tx = self.tx.clone();
        let running = self.applying.lock().ok().and_then(|mut s| s.take());
        if let Some(r) = running.filter(|r| r.attempt == attempt) {
            r.task.abort();
            if let Some(w) = r.watcher {
                w.abort();
            }
        }
        let _ = tx.send(Msg::ApplyCancelled { attempt });
    }

    fn check(&self, attempt: u64) {
        let tx = self.tx.clone();
        let demo = self.demo.load(Ordering::SeqCst);
        let Some(aws) = self.client() else { return };
        tokio::spawn(async move {
            // The demo contacts no host (it compares no thumbprint).
            let result = if demo {
                crate::check::check_with(&*aws, None, |_| async { None }, |_| {}).await
            } else {
                crate::check::check(&*aws, None).await
            }
            .map_err(|e| ErrorView::from(&e));
            let _ = tx.send(Msg::Checked { attempt, result });
        });
    }

    fn explain(&self, attempt: u64, role: String, claims: crate::flow::claims::ClaimsSource) {
        let tx = self.tx.clone();
        let Some(aws) = self.client() else { return };
        tokio::spawn(async move {
            let result = match flow::claims::read_claims(&claims) {
                Ok(c) => crate::explain::explain_live(&*aws, &role, &c, &Default::default())
                    .await
                    .map(Box::new)
                    .map_err(|e| ErrorView::from(&e)),
                Err(e) => Err(ErrorView::from(&EngineError::Claims(e))),
            };
            let _ = tx.send(Msg::Explained { attempt, result });
        });
    }

    fn load_profiles(&self) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let _ = tx.send(Msg::Profiles(crate::aws::profiles::known().await));
        });
    }

    fn check_policy(&self, attempt: u64, arn: String) {
        let tx = self.tx.clone();
        let Some(aws) = self.client() else { return };
        tokio::spawn(async move {
            let result = aws
                .get_policy(&arn)
                .await
                .map_err(aws_error(Step::Permissions));
            let _ = tx.send(Msg::PolicyChecked {
                attempt,
                arn,
                result,
            });
        });
    }

    fn lookup_role(&self, attempt: u64, name: String) {
        let tx = self.tx.clone();
        let Some(aws) = self.client() else { return };
        tokio::spawn(async move {
            let result = async {
                let Some(r) = aws.get_role(&name).await? else {
                    return Ok(None);
                };
                let attached = aws.list_attached_policies(&r.name).await?;
                Ok(Some(ExistingRole {
                    ours: crate::plan::is_managed(&r.tags),
                    name: r.name,
                    path: r.path,
                    attached,
                }))
            }
            .await
            .map_err(aws_error(Step::Role));
            let _ = tx.send(Msg::RoleLookup { attempt, result });
        });
    }

    fn list_setups(&self, attempt: u64) {
        let tx = self.tx.clone();
        let Some(aws) = self.client() else { return };
        tokio::spawn(async move {
            let result = crate::setups::list(&*aws)
                .await
                .map_err(|e| ErrorView::from(&e));
            let _ = tx.send(Msg::Setups { attempt, result });
        });
    }

    fn list_git_lab_roles(&self, attempt: u64) {
        let tx = self.tx.clone();
        let Some(aws) = self.client() else { return };
        tokio::spawn(async move {
            let result = crate::check::gitlab_role_names(&*aws)
                .await
                .map_err(|e| ErrorView::from(&e));
            let _ = tx.send(Msg::GitLabRoles { attempt, result });
        });
    }

    fn plan_remove(&self, attempt: u64, role: String, force: bool) {
        let tx = self.tx.clone();
        let Some(aws) = self.client() else { return };
        tokio::spawn(async move {
            let result = crate::destroy::plan(&*aws, &role, force)
                .await
                .map_err(|e| ErrorView::from(&e));
            let _ = tx.send(Msg::RemovePlanned { attempt, result });
        });
    }

    fn remove(&self, attempt: u64, plan: Box<crate::destroy::DestroyPlan>) {
        let tx = self.tx.clone();
        let Some(aws) = self.client() else { return };
        tokio::spawn(async move {
            let mut lines = Vec::new();
            let result = crate::destroy::apply(&*aws, &plan, |l| lines.push(l))
                .await
                .map(|()| lines)
                .map_err(|e| ErrorView::from(&e));
            let _ = tx.send(Msg::Removed { attempt, result });
        });
    }

    // The effect's fields, one argument each, as every effect here.
    #[allow(clippy::too_many_arguments)]
    fn store_variable(
        &self,
        attempt: u64,
        spec: crate::flow::gitlab::VariableSpec,
        url: String,
        token: crate::gitlab::Token,
        projects: Vec<String>,
        arn: String,
        replace: bool,
    ) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let owners: Vec<Owner> = projects.into_iter().map(Owner::Project).collect();
            let result = match gitlab_client(&url, token) {
                Ok(client) => flow::gitlab::store_role_arn(&client, &spec, &owners, &arn, replace)
                    .await
                    .map_err(gitlab_error),
                Err(e) => Err(e),
            };
            let _ = tx.send(Msg::Stored { attempt, result });
        });
    }

    fn lookup_namespace_ids(
        &self,
        attempt: u64,
        url: String,
        token: Option<crate::gitlab::Token>,
        projects: Vec<String>,
    ) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let result = match Client::with(&url, token) {
                Ok(client) => flow::gitlab::namespace_ids(&client, &projects)
                    .await
                    .map_err(gitlab_error),
                Err(e) => Err(gitlab_error(e)),
            };
            let _ = tx.send(Msg::NamespaceIds { attempt, result });
        });
    }

    fn lookup_project_ids(
        &self,
        attempt: u64,
        url: String,
        token: crate::gitlab::Token,
        projects: Vec<String>,
    ) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let result = match gitlab_client(&url, token) {
                Ok(client) => flow::gitlab::pin_project_ids(&client, &projects)
                    .await
                    .map(|found| found.iter().map(|p| p.id.to_string()).collect())
                    .map_err(gitlab_error),
                Err(e) => Err(e),
            };
            let _ = tx.send(Msg::ProjectIds { attempt, result });
        });
    }

    fn preflight(&self, attempt: u64, url: String) {
        let tx = self.tx.clone();
        let Ok(url) = crate::plan::input::ProviderUrl::parse(&url) else {
            return;
        };
        tokio::spawn(async move {
            let report = crate::preflight::run(&url, crate::preflight::public_roots(), 443).await;
            let _ = tx.send(Msg::Preflighted {
                attempt,
                report: Box::new(report),
            });
        });
    }

    fn write_export(&self, path: std::path::PathBuf, content: String, overwrite: bool) {
        let tx = self.tx.clone();
        let _ = tx.send(write_export(&path, content, overwrite));
    }

    fn save_journal(&self, journal: Box<Journal>) {
        let tx = self.tx.clone();
        // The app hears of a change either way: no promise of a next start it cannot keep.
        let result = self.store.save(&journal);
        let failed = result.is_err();
        if self.journal_failed.swap(failed, Ordering::SeqCst) != failed {
            let _ = tx.send(Msg::JournalUnsaved(result.err().map(|e| e.to_string())));
        }
    }

    fn clear_journal(&self) {
        self.store.clear();
    }

    fn copy(&self, what: &'static str, text: String) {
        let tx = self.tx.clone();
        let result = clipboard::copy(&text);
        let _ = tx.send(Msg::Copied { what, result });
    }
}

/// Write an export, never losing a different file: one that exists with the same content is
/// left as it is, one with other content is asked about first (`overwrite` is that consent).
pub fn write_export(path: &std::path::Path, content: String, overwrite: bool) -> Msg {
    let shown = path.display();
    match std::fs::read_to_string(path) {
        Ok(old) if old == content => {
            return Msg::Exported(Ok(format!("{shown} is already this setup (unchanged)")));
        }
        Ok(_) if !overwrite => {
            return Msg::ExportExists {
                path: path.to_path_buf(),
                content,
            };
        }
        _ => {}
    }
    // Whole or not at all: a half-written file never replaces the old one.
    let result = crate::files::write_atomic(path, content.as_bytes(), None)
        .map(|()| format!("wrote {shown} in the current directory"))
        .map_err(|e| format!("{shown} could not be written ({e}); nothing was changed"));
    Msg::Exported(result)
}

mod org;

#[cfg(test)]
mod tests;
