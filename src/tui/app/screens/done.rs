//! Done: the role ARN, the CI job, copying, exporting and storing the ARN in GitLab.

use super::super::Request;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DoneState {
    /// AWS calls made in this session (all, and those that changed something).
    pub calls: Option<(usize, usize)>,
    /// The last copy: what was copied, and how (or why not).
    pub copied: Option<(&'static str, Result<crate::tui::clipboard::Copied, String>)>,
    /// What was stored on each project.
    pub stored: Request<Vec<String>>,
}

use super::super::keymap::{Binding, Command as Do, ENTER, Nav, PAGE_DOWN, PAGE_UP, ch};
use super::super::{App, Confirm, DEFAULT_PROVIDER_URL, Effect, Element, ErrorView, Load};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    CopyArn,
    CopyJob,
    /// Store the ARN as the CI/CD variable of each project (asks; Cancel first).
    Store,
    Export,
    Quit,
}

pub(in crate::tui::app) fn keys(app: &App) -> Vec<Binding> {
    let act = |a| Do::Done(a);
    let in_token = app.focused() == Element::GitLabToken;
    let scroll = |n| Do::Nav(Nav::Scroll(n));
    vec![
        Binding::new(
            &[ch('c')],
            "c",
            "copy ARN",
            "copy the role ARN (OSC 52 and system clipboard)",
        )
        .does(act(Action::CopyArn)),
        Binding::new(&[ch('y')], "y", "copy job", "copy the .gitlab-ci.yml job")
            .does(act(Action::CopyJob)),
        Binding::new(
            &[ch('g')],
            "g",
            "to GitLab",
            "store the ARN as the CI/CD variable in each project (GitLab token; asks)",
        )
        .does(act(Action::Store)),
        Binding::new(
            &[ch('x')],
            "x",
            "export",
            "write the setup as gitlab-oidc.tf or gitlab-oidc.yaml here",
        )
        .does(act(Action::Export)),
        Binding::new(&[ENTER], "Enter", "store", "store the ARN in GitLab (asks)")
            .does(act(Action::Store))
            .when(in_token),
        Binding::new(&[ENTER], "Enter", "quit", "quit, printing the role ARN")
            .does(act(Action::Quit)),
        Binding::new(&[ch('j')], "j/k", "", "scroll").does(scroll(1)),
        Binding::new(&[ch('k')], "k", "", "").does(scroll(-1)),
        Binding::new(&[PAGE_DOWN], "PgDn", "", "").does(scroll(10)),
        Binding::new(&[PAGE_UP], "PgUp", "", "").does(scroll(-10)),
    ]
}

pub(in crate::tui::app) fn act(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::CopyArn => match app.role_arn() {
            Some(arn) => vec![Effect::Copy {
                what: "the role ARN",
                text: arn.to_string(),
            }],
            None => vec![],
        },
        Action::CopyJob => vec![Effect::Copy {
            what: "the CI job",
            text: app.ci_job(),
        }],
        Action::Store => {
            app.focus = 0;
            app.ask_store()
        }
        Action::Export => {
            app.ask(Confirm::ExportFormat);
            vec![]
        }
        Action::Quit => app.quit_now(),
    }
}

/// How many AWS calls the session has made so far (after an apply).
pub(in crate::tui::app) fn on_calls(app: &mut App, total: usize, mutating: usize) -> Vec<Effect> {
    app.done.calls = Some((total, mutating));
    vec![]
}

pub(in crate::tui::app) fn on_copied(
    app: &mut App,
    what: &'static str,
    result: Result<crate::tui::clipboard::Copied, String>,
) -> Vec<Effect> {
    app.done.copied = Some((what, result));
    vec![]
}

/// The export was written (or found as it is), or why not.
pub(in crate::tui::app) fn on_exported(
    app: &mut App,
    result: Result<String, String>,
) -> Vec<Effect> {
    app.notice = Some(match result {
        Ok(said) => said,
        Err(e) => format!("✗ {e}"),
    });
    vec![]
}

/// The export's file exists with other content: replace it only after a yes.
pub(in crate::tui::app) fn on_export_exists(
    app: &mut App,
    path: std::path::PathBuf,
    content: String,
) -> Vec<Effect> {
    app.ask(Confirm::OverwriteExport { path, content });
    vec![]
}

/// What was stored on each project: a different value is left alone until a yes.
pub(in crate::tui::app) fn on_stored(
    app: &mut App,
    attempt: u64,
    result: Result<Vec<crate::flow::gitlab::StoredOn>, ErrorView>,
) -> Vec<Effect> {
    if !app.done.stored.answers(attempt) {
        return vec![];
    }
    let stored = match result {
        Ok(stored) => stored,
        Err(e) => {
            app.done.stored.state = Load::Failed(e);
            return vec![];
        }
    };
    let key = &app.variable.key.clone();
    let arn = app.role_arn().unwrap_or_default().to_string();
    let differences: Vec<String> = stored
        .iter()
        .filter_map(|s| s.difference(key, &arn))
        .collect();
    app.done.stored.state = Load::Loaded(
        stored
            .iter()
            .filter(|s| s.difference(key, &arn).is_none())
            .map(|s| s.line(key))
            .collect(),
    );
    if !differences.is_empty() {
        app.ask(Confirm::ReplaceVariable {
            reason: format!("{}; replace it?", differences.join("; ")),
        });
    }
    vec![]
}

impl App {
    /// `g` on Done, or Enter in its token field: ask before storing the ARN in GitLab.
    pub(in crate::tui::app) fn ask_store(&mut self) -> Vec<Effect> {
        if self.store_ready().is_none() {
            return vec![];
        }
        let Some(Ok(host)) = self.store_url() else {
            return self.store_variable(false);
        };
        self.ask(Confirm::StoreVariable {
            key: self.variable.key.clone(),
            host,
            projects: crate::flow::gitlab::named_projects(&self.trust.projects.list()),
        });
        vec![]
    }

    /// The ARN and the token to store it with, or None having said what is missing.
    fn store_ready(&mut self) -> Option<(String, crate::gitlab::Token)> {
        if self.demo {
            self.notice = Some(super::super::words::DEMO_NO_GITLAB.into());
            return None;
        }
        let arn = self.role_arn().map(str::to_string)?;
        let Some(token) = crate::gitlab::Token::new(&self.gitlab_token.value) else {
            self.focus = 1;
            self.notice = Some("paste a GitLab token with the api scope, then Enter".into());
            return None;
        };
        Some((arn, token))
    }

    /// The GitLab instance the ARN is stored on, or why its URL cannot be used.
    fn store_url(&self) -> Option<Result<String, String>> {
        self.role_arn()?;
        let provider = self
            .setup_input()
            .provider_url
            .unwrap_or_else(|| DEFAULT_PROVIDER_URL.to_string());
        Some(crate::gitlab::instance_url(
            self.gitlab_url.as_deref(),
            &provider,
        ))
    }

    /// Store the ARN in GitLab (the token from GITLAB_TOKEN or the field): after the dialog's
    /// Store button, or its Replace button for a variable holding another value.
    pub(in crate::tui::app) fn store_variable(&mut self, replace: bool) -> Vec<Effect> {
        let Some((arn, token)) = self.store_ready() else {
            return vec![];
        };
        let url = match self.store_url().unwrap_or_else(|| Err(String::new())) {
            Ok(u) => u,
            Err(e) => {
                self.done.stored.state = Load::Failed(ErrorView {
                    kind: crate::tui::app::ErrorKind::Other,
                    code: "InvalidInput".into(),
                    message: e,
                    hint: String::new(),
                });
                return vec![];
            }
        };
        vec![Effect::StoreVariable {
            attempt: self.done.stored.start(),
            spec: self.variable.clone(),
            url,
            token,
            projects: crate::flow::gitlab::named_projects(&self.trust.projects.list()),
            arn,
            replace,
        }]
    }
}
