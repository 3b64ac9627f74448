//! The start screen's other tasks: check existing roles, explain a refused pipeline, remove a setup.
//! The same engine functions as the `check`, `explain` and `destroy` commands, run in the background.

use super::*;
use crate::flow::claims::ClaimsSource;
use crate::plan::input::RoleName;

impl App {
    pub(super) fn run_check(&mut self) -> Vec<Effect> {
        vec![Effect::Check {
            attempt: self.check.result.start(),
        }]
    }

    /// Enter on Next of a task screen.
    pub(super) fn task_action(&mut self) -> Vec<Effect> {
        match self.screen {
            Screen::Check => self.run_check(),
            Screen::Explain => {
                if let Some(why) = self.task_blocker() {
                    self.notice = Some(why);
                    return vec![];
                }
                // A pasted token wins over a file name.
                let claims = match non_empty(&self.explain.token.value) {
                    Some(token) => ClaimsSource::Token(token),
                    None => ClaimsSource::File(self.explain.claims_file.value.trim().into()),
                };
                vec![Effect::Explain {
                    attempt: self.explain.result.start(),
                    role: self.target_role.value.trim().to_string(),
                    claims,
                }]
            }
            Screen::Remove => match &self.remove.plan.state {
                // A plan is shown and the role still matches: confirm, then remove.
                Load::Loaded(Some(plan))
                    if plan.role == self.target_role.value.trim()
                        && !matches!(self.remove.removed.state, Load::Loaded(_)) =>
                {
                    self.ask(Confirm::Remove {
                        role: plan.role.clone(),
                    });
                    vec![]
                }
                _ => {
                    if let Some(why) = self.task_blocker() {
                        self.notice = Some(why);
                        return vec![];
                    }
                    self.plan_remove(false)
                }
            },
            _ => vec![],
        }
    }

    /// Read what removing the role would do; `force`: also when this tool did not create it.
    pub(super) fn plan_remove(&mut self, force: bool) -> Vec<Effect> {
        self.remove.removed.reset();
        vec![Effect::PlanRemove {
            attempt: self.remove.plan.start(),
            role: self.target_role.value.trim().to_string(),
            force,
        }]
    }

    pub(super) fn confirm_remove(&mut self) -> Vec<Effect> {
        let Load::Loaded(Some(plan)) = &self.remove.plan.state else {
            return vec![];
        };
        vec![Effect::Remove {
            attempt: self.remove.removed.start(),
            plan: Box::new(plan.clone()),
        }]
    }

    /// What a task screen still needs before its action.
    pub fn task_blocker(&self) -> Option<String> {
        match self.screen {
            Screen::Explain | Screen::Remove => {
                if let Err(e) = RoleName::parse(self.target_role.value.trim()) {
                    return Some(format!("role name: {}", e.rule));
                }
                if self.screen == Screen::Explain
                    && self.explain.claims_file.value.trim().is_empty()
                    && self.explain.token.value.trim().is_empty()
                {
                    return Some("give a claims file or paste the ID token".into());
                }
                None
            }
            _ => None,
        }
    }

    /// `g` on Done, or Enter in its token field: ask before storing the ARN in GitLab.
    pub(super) fn ask_store(&mut self) -> Vec<Effect> {
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
            self.notice = Some(super::words::DEMO_NO_GITLAB.into());
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
    pub(super) fn store_variable(&mut self, replace: bool) -> Vec<Effect> {
        let Some((arn, token)) = self.store_ready() else {
            return vec![];
        };
        let url = match self.store_url().unwrap_or_else(|| Err(String::new())) {
            Ok(u) => u,
            Err(e) => {
                self.done.stored.state = Load::Failed(ErrorView {
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

    /// Ctrl-L on Who may assume: look the project ids up (gitlab.com, with a GitLab token, which
    /// is asked for right there when there is none).
    pub(super) fn lookup_project_ids(&mut self) -> Vec<Effect> {
        if self.demo {
            self.notice = Some(super::words::DEMO_NO_GITLAB.into());
            return vec![];
        }
        let Some(token) = crate::gitlab::Token::new(&self.gitlab_token.value) else {
            self.trust.token_for_lookup = true;
            if let Some(i) = self
                .elements()
                .iter()
                .position(|e| *e == Element::GitLabToken)
            {
                self.focus = i;
            }
            self.notice = Some(
                "paste a GitLab token (api or read_api scope; never stored), then Enter".into(),
            );
            return vec![];
        };
        let projects = crate::flow::gitlab::named_projects(&self.trust.projects.list());
        let url =
            match crate::gitlab::instance_url(self.gitlab_url.as_deref(), DEFAULT_PROVIDER_URL) {
                Ok(u) => u,
                Err(e) => {
                    self.notice = Some(e);
                    return vec![];
                }
            };
        if projects.is_empty() {
            self.notice = Some("name the projects first".into());
            return vec![];
        }
        self.notice = Some("looking the project ids up…".into());
        vec![Effect::LookupProjectIds {
            attempt: self.trust.ids.start(),
            url,
            token,
            projects,
        }]
    }

    /// A task result arrived.
    pub(super) fn on_task_result(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Checked { attempt, result } => {
                self.check.result.accept(attempt, result);
            }
            Msg::Explained { attempt, result } => {
                self.explain.result.accept(attempt, result);
            }
            Msg::RemovePlanned { attempt, result } => {
                self.remove.plan.accept(attempt, result);
            }
            Msg::Removed { attempt, result } => {
                self.remove.removed.accept(attempt, result);
            }
            Msg::ProjectIds { attempt, result } if self.trust.ids.answers(attempt) => {
                match result {
                    Ok(ids) => {
                        self.trust.project_ids.set(&ids.join(", "));
                        self.notice =
                            Some("project ids pinned: they survive renames and path reuse".into());
                    }
                    Err(e) => self.notice = Some(format!("{}: {}", e.code, e.message)),
                }
            }
            Msg::Stored { attempt, result } if self.done.stored.answers(attempt) => match result {
                Ok(stored) => {
                    let key = &self.variable.key.clone();
                    let arn = self.role_arn().unwrap_or_default().to_string();
                    let differences: Vec<String> = stored
                        .iter()
                        .filter_map(|s| s.difference(key, &arn))
                        .collect();
                    self.done.stored.state = Load::Loaded(
                        stored
                            .iter()
                            .filter(|s| s.difference(key, &arn).is_none())
                            .map(|s| s.line(key))
                            .collect(),
                    );
                    if !differences.is_empty() {
                        self.ask(Confirm::ReplaceVariable {
                            reason: format!("{}; replace it?", differences.join("; ")),
                        });
                    }
                }
                Err(e) => self.done.stored.state = Load::Failed(e),
            },
            _ => {}
        }
        vec![]
    }
}
