//! The interactive wizard: a face on the engine. `app` holds the state and the pure update, `view`
//! draws it, and this module runs the loop: terminal events and background results come in as
//! messages over one channel; effects are performed as background tasks, so the UI never waits
//! on the network.

pub mod app;
pub mod clipboard;
pub mod field;
pub mod keys;
pub mod terminal;
pub mod theme;
pub mod view;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ratatui::crossterm::event::{self, Event, KeyEventKind};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use crate::aws::Aws;
use crate::aws::sdk::{ConnectOptions, SdkAws};
use crate::engine;
use app::{App, Effect, ErrorView, Msg, update};

/// How long the account check may take before the wizard says so (SSO and assume-role included).
const IDENTITY_TIMEOUT: Duration = Duration::from_secs(30);

/// Run the wizard until the user quits. Returns the role ARN when a setup was finished.
pub async fn run(
    options: ConnectOptions,
    gitlab_url: Option<String>,
) -> std::io::Result<Option<String>> {
    let theme = theme::Theme::from_env();
    let mut guard = terminal::init()?;
    let (tx, mut rx) = unbounded_channel::<Msg>();
    let stop = Arc::new(AtomicBool::new(false));
    let input = spawn_input(tx.clone(), stop.clone());
    let effects = Effects {
        tx,
        aws: Arc::new(Mutex::new(None)),
        endpoint_url: options.endpoint_url.clone(),
    };
    let mut app = App::new(options.profile.as_deref(), options.region.as_deref());
    app.gitlab_url = gitlab_url;
    if let Some(token) = std::env::var("GITLAB_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
    {
        app.gitlab_token.set(token.trim());
    }
    if let Some(journal) = crate::journal::load() {
        app.offer_resume(journal);
    }
    for e in app.start() {
        effects.perform(e);
    }
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut terminate = terminate_signal();
    let mut first_frame_logged = false;
    let result = loop {
        if let Err(e) = guard.terminal.draw(|frame| {
            view::draw(frame, &app, &theme);
        }) {
            break Err(e);
        }
        if let Ok(size) = guard.terminal.size() {
            app.step_list_area = Some(view::step_list_area(size.into()));
        }
        if !first_frame_logged {
            first_frame_logged = true;
            tracing::info!(
                since_start_ms = crate::started().elapsed().as_secs_f64() * 1000.0,
                "first frame drawn"
            );
            // Debug builds only: lets the test suite prove the panic hook restores the terminal.
            #[cfg(debug_assertions)]
            #[allow(clippy::panic)]
            if std::env::var_os("AWS_OIDC_WIZARD_TEST_PANIC").is_some() {
                panic!("test panic requested by AWS_OIDC_WIZARD_TEST_PANIC");
            }
        }
        let msg = tokio::select! {
            Some(m) = rx.recv() => m,
            _ = tick.tick() => Msg::Tick,
            _ = terminate.recv() => Msg::Terminate,
        };
        for e in update(&mut app, msg) {
            if e != Effect::Quit {
                effects.perform(e);
            }
        }
        if app.quit {
            break Ok(app.role_arn().map(str::to_string));
        }
    };
    stop.store(true, Ordering::SeqCst);
    drop(guard);
    let _ = input.join();
    result
}

/// SIGTERM and SIGINT from outside end the loop like `q` does (Ctrl-C typed in the UI arrives as a key).
fn terminate_signal() -> tokio::sync::mpsc::UnboundedReceiver<()> {
    let (tx, rx) = unbounded_channel();
    tokio::spawn(async move {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let (Ok(mut term), Ok(mut int)) = (
                signal(SignalKind::terminate()),
                signal(SignalKind::interrupt()),
            ) else {
                return;
            };
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        let _ = tx.send(());
    });
    rx
}

/// Terminal events on a thread of their own (crossterm's reads block), as messages.
fn spawn_input(tx: UnboundedSender<Msg>, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while !stop.load(Ordering::SeqCst) {
            match event::poll(Duration::from_millis(50)) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(_) => break,
            }
            let msg = match event::read() {
                // Only presses: release events would double every keystroke on some terminals.
                Ok(Event::Key(k)) if k.kind == KeyEventKind::Press => Msg::Key(k),
                Ok(Event::Mouse(m)) => Msg::Mouse(m),
                Ok(Event::Resize(..)) => Msg::Tick,
                Ok(_) => continue,
                Err(_) => break,
            };
            if tx.send(msg).is_err() {
                break;
            }
        }
    })
}

/// Performs effects as background tasks that answer with messages.
struct Effects {
    tx: UnboundedSender<Msg>,
    aws: Arc<Mutex<Option<Arc<SdkAws>>>>,
    endpoint_url: Option<String>,
}

fn view_err(e: &engine::EngineError) -> ErrorView {
    ErrorView::from(e)
}

impl Effects {
    fn client(&self) -> Option<Arc<SdkAws>> {
        self.aws.lock().ok().and_then(|a| a.clone())
    }

    fn perform(&self, effect: Effect) {
        let tx = self.tx.clone();
        match effect {
            Effect::Connect {
                attempt,
                profile,
                region,
            } => {
                let slot = self.aws.clone();
                let options = ConnectOptions {
                    profile,
                    region,
                    endpoint_url: self.endpoint_url.clone(),
                };
                tokio::spawn(async move {
                    let aws = Arc::new(SdkAws::connect(&options).await);
                    if let Ok(mut s) = slot.lock() {
                        *s = Some(aws.clone());
                    }
                    let result = match tokio::time::timeout(IDENTITY_TIMEOUT, aws.caller_identity()).await {
                        Ok(Ok(id)) => Ok((id, aws.connection.clone())),
                        Ok(Err(e)) => Err(view_err(&engine::EngineError::Aws {
                            step: engine::Step::Identity,
                            error: e,
                        })),
                        Err(_) => Err(ErrorView {
                            code: "Timeout".into(),
                            message: format!("no answer within {} s", IDENTITY_TIMEOUT.as_secs()),
                            hint: "check the network, the profile's SSO session, or --endpoint-url; r retries".into(),
                        }),
                    };
                    let _ = tx.send(Msg::Identity { attempt, result });
                });
            }
            Effect::LookupProvider { attempt, arn } => {
                let Some(aws) = self.client() else { return };
                tokio::spawn(async move {
                    let result = aws.get_oidc_provider(&arn).await.map_err(|e| {
                        view_err(&engine::EngineError::Aws {
                            step: engine::Step::Provider,
                            error: e,
                        })
                    });
                    let _ = tx.send(Msg::ProviderLookup { attempt, result });
                });
            }
            Effect::LoadPolicies { attempt } => {
                let Some(aws) = self.client() else { return };
                tokio::spawn(async move {
                    let result = aws.list_aws_managed_policies().await.map_err(|e| {
                        view_err(&engine::EngineError::Aws {
                            step: engine::Step::Permissions,
                            error: e,
                        })
                    });
                    let _ = tx.send(Msg::Policies { attempt, result });
                });
            }
            Effect::Plan { attempt, setup } => {
                let Some(aws) = self.client() else { return };
                tokio::spawn(async move {
                    let result = engine::plan(&*aws, &setup)
                        .await
                        .map(Box::new)
                        .map_err(|e| view_err(&e));
                    let _ = tx.send(Msg::Planned { attempt, result });
                });
            }
            Effect::Apply {
                attempt,
                plan,
                from,
            } => {
                let Some(aws) = self.client() else { return };
                tokio::spawn(async move {
                    for (index, action) in plan.actions().iter().enumerate().skip(from) {
                        let _ = tx.send(Msg::ActionStarted { attempt, index });
                        let result = engine::execute(&*aws, &plan, action)
                            .await
                            .map_err(|e| view_err(&e));
                        let failed = result.is_err();
                        let _ = tx.send(Msg::ActionFinished {
                            attempt,
                            index,
                            result,
                        });
                        if failed {
                            break;
                        }
                    }
                });
            }
            Effect::Check { attempt } => {
                let Some(aws) = self.client() else { return };
                tokio::spawn(async move {
                    let result = crate::check::check(&*aws, None)
                        .await
                        .map_err(|e| view_err(&e));
                    let _ = tx.send(Msg::Checked { attempt, result });
                });
            }
            Effect::Explain {
                attempt,
                role,
                claims_file,
                token,
            } => {
                let Some(aws) = self.client() else { return };
                tokio::spawn(async move {
                    let claims = match (claims_file, token) {
                        (_, Some(t)) => crate::explain::decode_token(&t).map_err(|e| e.to_string()),
                        (Some(path), None) => std::fs::read(&path)
                            .map_err(|e| format!("{path}: {e}"))
                            .and_then(|b| crate::explain::parse_claims(&b)),
                        (None, None) => Err("give a claims file or a token".to_string()),
                    };
                    let result = match claims {
                        Ok(c) => crate::explain::explain_live(&*aws, &role, &c)
                            .await
                            .map(Box::new)
                            .map_err(|e| view_err(&e)),
                        Err(message) => Err(ErrorView {
                            code: "InvalidInput".into(),
                            message,
                            hint: "give the path of a JSON file of claims, or paste the whole ID token".into(),
                        }),
                    };
                    let _ = tx.send(Msg::Explained { attempt, result });
                });
            }
            Effect::PlanRemove { attempt, role } => {
                let Some(aws) = self.client() else { return };
                tokio::spawn(async move {
                    let result = crate::destroy::plan(&*aws, &role, false)
                        .await
                        .map_err(|e| view_err(&e));
                    let _ = tx.send(Msg::RemovePlanned { attempt, result });
                });
            }
            Effect::Remove { attempt, plan } => {
                let Some(aws) = self.client() else { return };
                tokio::spawn(async move {
                    let mut lines = Vec::new();
                    let result = crate::destroy::apply(&*aws, &plan, |l| lines.push(l))
                        .await
                        .map(|()| lines)
                        .map_err(|e| view_err(&e));
                    let _ = tx.send(Msg::Removed { attempt, result });
                });
            }
            Effect::StoreVariable {
                attempt,
                url,
                token,
                projects,
                arn,
                replace,
            } => {
                tokio::spawn(async move {
                    let result = store_variables(&url, &token, &projects, &arn, replace).await;
                    let _ = tx.send(Msg::Stored { attempt, result });
                });
            }
            Effect::LookupProjectIds {
                attempt,
                url,
                token,
                projects,
            } => {
                tokio::spawn(async move {
                    let result = lookup_project_ids(&url, &token, &projects).await;
                    let _ = tx.send(Msg::ProjectIds { attempt, result });
                });
            }
            Effect::Preflight { attempt, url } => {
                let Ok(url) = crate::plan::input::ProviderUrl::parse(&url) else {
                    return;
                };
                tokio::spawn(async move {
                    let report =
                        crate::preflight::run(&url, crate::preflight::public_roots(), 443).await;
                    let _ = tx.send(Msg::Preflighted {
                        attempt,
                        report: Box::new(report),
                    });
                });
            }
            Effect::SaveJournal(journal) => {
                if let Err(e) = crate::journal::save(&journal) {
                    tracing::warn!(error = %e, "the journal could not be written");
                }
            }
            Effect::ClearJournal => crate::journal::clear(),
            Effect::Copy(text) => {
                let _ = tx.send(Msg::Copied(clipboard::copy(&text)));
            }
            Effect::Quit => {}
        }
    }
}

/// Store `arn` as ROLE_ARN on each project. A different existing value is replaced only when
/// `replace`; otherwise it is reported back for a confirmation.
async fn store_variables(
    url: &str,
    token: &str,
    projects: &[String],
    arn: &str,
    replace: bool,
) -> Result<(Vec<String>, Option<String>), ErrorView> {
    use crate::gitlab::{Owner, Stored, Token, WantedVariable};
    let error = |e: crate::gitlab::GitLabError| {
        ErrorView {
        code: "GitLab".into(),
        message: e.to_string(),
        hint: "the token needs the api scope and the Maintainer role; Esc keeps the ARN to store by hand".into(),
    }
    };
    let Some(token) = Token::new(token) else {
        return Err(ErrorView {
            code: "InvalidInput".into(),
            message: "no GitLab token".into(),
            hint: String::new(),
        });
    };
    let client = crate::gitlab::Client::new(url, token).map_err(error)?;
    let mut lines = Vec::new();
    for p in projects {
        let wanted = WantedVariable {
            owner: Owner::Project(p.clone()),
            key: crate::ci_job::DEFAULT_VARIABLE.to_string(),
            value: arn.to_string(),
            protected: false,
            masked: false,
            environment_scope: "*".into(),
        };
        let what = format!("{} on project {p}", crate::ci_job::DEFAULT_VARIABLE);
        match client.store(&wanted, replace).await.map_err(error)? {
            Stored::Unchanged => lines.push(format!("= {what}: already set")),
            Stored::Differs { from } => {
                return Ok((
                    lines,
                    Some(format!(
                        "{what} is {from:?}; replace it with this role's ARN?"
                    )),
                ));
            }
            done => lines.push(format!("✓ {what}: {}", done.word())),
        }
    }
    Ok((lines, None))
}

async fn lookup_project_ids(
    url: &str,
    token: &str,
    projects: &[String],
) -> Result<Vec<String>, ErrorView> {
    let error = |message: String| ErrorView {
        code: "GitLab".into(),
        message,
        hint: String::new(),
    };
    let token = crate::gitlab::Token::new(token).ok_or_else(|| error("no GitLab token".into()))?;
    let client = crate::gitlab::Client::new(url, token).map_err(|e| error(e.to_string()))?;
    let mut ids = Vec::new();
    for p in projects {
        ids.push(
            client
                .project(p)
                .await
                .map_err(|e| error(e.to_string()))?
                .id
                .to_string(),
        );
    }
    Ok(ids)
}
