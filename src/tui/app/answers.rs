//! The answers: validation next to each field, what blocks going on, and the engine's input.

use super::*;
use crate::plan::input::Answer;
use crate::plan::input::NamespaceId;

impl App {
    /// The validation message for an element, if its value breaks a rule.
    pub fn error(&self, e: Element) -> Option<String> {
        let rule = |r: Result<(), crate::plan::input::InputError>| r.err().map(|e| e.rule);
        match e {
            Element::ProviderUrl => rule(ProviderUrl::parse(&self.provider.url.value).map(drop)),
            Element::Audience => rule(Audience::parse(&self.provider.audience.value).map(drop)),
            Element::Projects => {
                let list = self.trust.projects.list();
                if list.is_empty() {
                    return Some(
                        "required: the project(s) whose pipelines may assume the role".into(),
                    );
                }
                let provider = ProviderUrl::parse(self.provider_url_value()).ok();
                list.iter().find_map(|p| {
                    match &provider {
                        Some(url) => ProjectPath::parse_for(p, url),
                        None => ProjectPath::parse(p),
                    }
                    .err()
                    .map(|e| format!("{p}: {}", e.rule))
                })
            }
            Element::Refs => {
                let list = self.trust.refs.list();
                if list.is_empty() {
                    return Some("required: at least one branch or tag".into());
                }
                list.iter()
                    .find_map(|r| RefName::parse(r).err().map(|e| format!("{r}: {}", e.rule)))
            }
            Element::ProjectIds => self.trust.project_ids.list().iter().find_map(|p| {
                ProjectId::parse(p)
                    .err()
                    .map(|e| format!("{p}: {}", e.rule))
            }),
            Element::CustomPolicy if !self.permissions.custom_policy.value.is_empty() => rule(
                PolicyArn::parse(Answer::Policy, &self.permissions.custom_policy.value).map(drop),
            ),
            Element::Region if !self.account.region.value.trim().is_empty() => rule(
                crate::plan::input::check_region(self.account.region.value.trim()),
            ),
            Element::RoleName => rule(RoleName::parse(&self.role.name.value).map(drop)),
            Element::RolePath => rule(RolePath::parse(&self.role.path.value).map(drop)),
            Element::Description => {
                rule(Description::parse(&self.role.description.value).map(drop))
            }
            // Empty: a new role gets 3600 s and an existing role keeps its own.
            Element::MaxSession if !self.role.max_session.value.trim().is_empty() => {
                rule(SessionDuration::parse(&self.role.max_session.value).map(drop))
            }
            Element::Boundary if !self.role.boundary.value.is_empty() => rule(
                PolicyArn::parse(Answer::PermissionsBoundary, &self.role.boundary.value).map(drop),
            ),
            _ => None,
        }
    }

    /// Why the current screen cannot go on, if it cannot.
    pub fn blocker(&self) -> Option<String> {
        match self.screen {
            Screen::Account => match &self.identity.state {
                Load::Loaded(_) => None,
                Load::Failed(_) => Some("the account could not be read: fix it and press r".into()),
                _ => Some("still reading the account…".into()),
            },
            Screen::Trust => self.field_blocker().or_else(|| self.trust_preview().err()),
            Screen::Review if self.review.units.target == super::screens::units::Target::Units => {
                match &self.review.units.plan.state {
                    _ if matches!(self.review.plan.state, Load::Failed(_))
                        && self.review.setup.is_none() =>
                    {
                        Some(
                            "the plan failed: press r to try again, or Esc to change an answer"
                                .into(),
                        )
                    }
                    _ if self.review.units.picking => Some("choose the units above".into()),
                    Load::Loaded(_) if !self.units_plan_is_current() => {
                        Some("the plan is for other answers or units: press r".into())
                    }
                    Load::Loaded(_) => None,
                    Load::Failed(_) => Some(
                        "the plan failed: press r to try again, or Esc to change an answer".into(),
                    ),
                    _ if self.review.units.chosen.is_empty() => {
                        Some("choose the units first (u)".into())
                    }
                    _ => Some("still reading the Organization…".into()),
                }
            }
            Screen::Review => match &self.review.plan.state {
                Load::Loaded(_) => None,
                Load::Failed(_) => {
                    Some("the plan failed: press r to try again, or Esc to change an answer".into())
                }
                _ => Some("still reading what exists…".into()),
            },
            Screen::Apply if self.apply.running => Some("applying…".into()),
            Screen::Apply if self.apply.rollout.is_some() => {
                Some("the rollout ended: Esc goes back to Review".into())
            }
            Screen::Apply => Some("a step failed: press r to retry it".into()),
            _ => self.field_blocker(),
        }
    }

    pub(super) fn field_blocker(&self) -> Option<String> {
        let bad: Vec<Element> = self
            .elements()
            .into_iter()
            .filter(|e| self.error(*e).is_some())
            .collect();
        // Empty fields not visited yet carry no ✗: name them instead.
        let unvisited: Vec<&str> = bad
            .iter()
            .filter_map(|e| self.field(*e))
            .filter(|f| !f.touched && f.value.trim().is_empty())
            .map(|f| f.label)
            .collect();
        match bad.len() {
            0 => None,
            n if unvisited.len() == n => Some(format!("fill in {}", unvisited.join(", "))),
            1 => Some("fix the field marked ✗".into()),
            n => Some(format!("fix the {n} fields marked ✗")),
        }
    }

    /// Everything the user answered, as the engine's input. `set_answers` is its inverse: the two
    /// stand side by side so that every answer goes both ways (a journal of the CLI is continued
    /// here with nothing dropped).
    pub fn setup_input(&self) -> SetupInput {
        let mut policies: Vec<String> = self.permissions.selected.iter().cloned().collect();
        policies.sort();
        let gitlab_com = self.is_gitlab_com();
        SetupInput {
            provider_url: Some(self.provider_url_value().to_string()),
            audience: Some(self.provider.audience.value.clone()),
            projects: self.trust.projects.list(),
            refs: self.trust.refs.list(),
            ref_type: Some(self.trust.ref_type),
            ref_protected: self.trust.ref_protected && gitlab_com,
            project_ids: if gitlab_com {
                self.trust.project_ids.list()
            } else {
                vec![]
            },
            namespace_ids: self.pinned_namespaces(),
            // A private CA needs its thumbprint in IAM: kept from a stopped setup, or taken from
            // the pre-flight (the CLI's "auto").
            // (Carried ones are cleared when the URL or the kind of instance changes.)
            thumbprints: match (gitlab_com, self.provider.preflight.loaded()) {
                _ if !self.provider.carried_thumbprints.is_empty() => {
                    self.provider.carried_thumbprints.clone()
                }
                (true, _) => vec![],
                (false, Some(report)) => report
                    .needed_thumbprint()
                    .map(str::to_string)
                    .into_iter()
                    .collect(),
                (false, None) => vec![],
            },
            role_name: Some(self.role.name.value.clone()),
            role_path: non_empty(&self.role.path.value).filter(|p| p != "/"),
            description: non_empty(&self.role.description.value),
            policies,
            detach_policies: self.permissions.detach.iter().cloned().collect(),
            max_session_duration: non_empty(&self.role.max_session.value),
            permissions_boundary: non_empty(&self.role.boundary.value),
        }
    }

    /// The config file's defaults, in the fields they stand for (a fresh start; a journal's
    /// answers, when continued, replace them).
    pub fn apply_defaults(&mut self, c: &crate::config::Config) {
        if let Some(url) = &c.provider_url {
            self.provider.kind = if url == DEFAULT_PROVIDER_URL {
                ProviderKind::GitLabCom
            } else {
                ProviderKind::SelfManaged
            };
            self.provider.url.set(url);
            if c.audience.is_none() {
                self.provider.audience.set(url);
            }
        }
        if let Some(aud) = &c.audience {
            self.provider.audience.set(aud);
            self.provider.audience_edited = true;
        }
        if let Some(p) = &c.policies {
            // Names are resolved to the listed ARNs when the Permissions list arrives.
            self.permissions.selected = p.iter().cloned().collect();
        }
        if let Some(path) = &c.role_path {
            self.role.path.set(path);
        }
        if let Some(b) = &c.permissions_boundary {
            self.role.boundary.set(b);
        }
        if let Some(n) = c.max_session_duration {
            self.role.max_session.set(&n.to_string());
        }
        let v = &c.variable;
        if let Some(name) = &v.name {
            self.variable.key.clone_from(name);
        }
        if let Some(b) = v.protected {
            self.variable.protected = b;
        }
        if let Some(b) = v.masked {
            self.variable.masked = b;
        }
        if let Some(scope) = &v.environment_scope {
            self.variable.environment_scope.clone_from(scope);
        }
    }

    /// Fill every field from a setup's answers (the journal's): the inverse of `setup_input`.
    pub fn set_answers(&mut self, a: &SetupInput) {
        let url = a
            .provider_url
            .clone()
            .unwrap_or_else(|| DEFAULT_PROVIDER_URL.to_string());
        self.provider.kind = if url == DEFAULT_PROVIDER_URL {
            ProviderKind::GitLabCom
        } else {
            ProviderKind::SelfManaged
        };
        self.provider.url.set(&url);
        self.provider
            .audience
            .set(a.audience.as_deref().unwrap_or(&url));
        self.provider.audience_edited = true;
        self.trust.projects.set(&a.projects.join(", "));
        self.trust.ref_type = a.ref_type.unwrap_or(RefType::Branch);
        let refs = if a.refs.is_empty() {
            crate::plan::DEFAULT_REF.to_string()
        } else {
            a.refs.join(", ")
        };
        self.trust.refs.set(&refs);
        self.trust.ref_protected = a.ref_protected;
        self.trust.project_ids.set(&a.project_ids.join(", "));
        self.trust.namespace_pins = super::NamespacePins {
            projects: self.trust.projects.list(),
            ids: a.namespace_ids.clone(),
        };
        self.provider.carried_thumbprints = a.thumbprints.clone();
        self.role.name.set(a.role_name.as_deref().unwrap_or(""));
        // A draft saved before the Role screen has no name yet: the suggestion still applies.
        self.role.name_edited = !self.role.name.value.is_empty();
        self.role.path.set(a.role_path.as_deref().unwrap_or("/"));
        self.role
            .description
            .set(a.description.as_deref().unwrap_or(""));
        self.role
            .max_session
            .set(a.max_session_duration.as_deref().unwrap_or(""));
        self.role
            .boundary
            .set(a.permissions_boundary.as_deref().unwrap_or(""));
        // As given: a name from a scripted run (`ViewOnlyAccess`, which lives under
        // `job-function/`) is resolved by the engine as the CLI's is, and becomes its listed ARN
        // when the Permissions list arrives (`resolve_selected_names`).
        self.permissions.selected = a.policies.iter().cloned().collect();
        self.permissions.detach = a.detach_policies.iter().cloned().collect();
        self.permissions.preselected.clear();
        self.permissions.adopted_for = None;
    }

    /// Another account: its role of that name is another role. What the wizard ticked for the
    /// old one goes, and so does every detach (nothing is detached that was not unticked here).
    pub(super) fn forget_role_lookup(&mut self) {
        self.role.existing.state = Load::Idle;
        self.role.lookup_for = None;
        for arn in std::mem::take(&mut self.permissions.preselected) {
            self.permissions.selected.remove(&arn);
        }
        if self.permissions.adopted_for.take().is_some() {
            self.permissions.detach.clear();
        }
    }

    /// The policies the existing role has now, once looked up for the name on screen.
    pub fn attached_now(&self) -> &[crate::aws::AttachedPolicy] {
        match self.role.existing.loaded() {
            Some(Some(r)) if self.permissions.adopted_for.as_deref() == Some(r.name.as_str()) => {
                &r.attached
            }
            _ => &[],
        }
    }

    /// Whether the existing role has this policy attached now.
    pub fn is_attached(&self, arn: &str) -> bool {
        self.attached_now().iter().any(|a| a.arn == arn)
    }

    /// Tick or untick a policy. Unticking one the existing role has means detaching it.
    pub(super) fn set_selected(&mut self, arn: &str, on: bool) {
        if on {
            self.permissions.selected.insert(arn.to_string());
            self.permissions.detach.remove(arn);
        } else {
            self.permissions.selected.remove(arn);
            self.permissions.preselected.remove(arn);
            if self.is_attached(arn) {
                self.permissions.detach.insert(arn.to_string());
            }
        }
    }

    /// A role look-up answered: tick what that role has attached (once per role name), and drop
    /// what the wizard ticked for another role. What the user ticked stays; what they unticked
    /// on this role stays unticked.
    pub(super) fn adopt_attached(&mut self) {
        let Load::Loaded(found) = &self.role.existing.state else {
            return;
        };
        let name = self.role.name.value.trim().to_string();
        if self.permissions.adopted_for.as_deref() == Some(name.as_str()) {
            return;
        }
        let now: Vec<String> = found
            .as_ref()
            .map(|r| r.attached.iter().map(|a| a.arn.clone()).collect())
            .unwrap_or_default();
        for arn in std::mem::take(&mut self.permissions.preselected) {
            if !now.contains(&arn) {
                self.permissions.selected.remove(&arn);
            }
        }
        // A journal's detach answers hold for the role it was about; another role starts clean.
        if self.permissions.adopted_for.is_some() {
            self.permissions.detach.clear();
        }
        self.permissions.detach.retain(|a| now.contains(a));
        for arn in now {
            if !self.permissions.detach.contains(&arn)
                && self.permissions.selected.insert(arn.clone())
            {
                self.permissions.preselected.insert(arn);
            }
        }
        self.permissions.adopted_for = Some(name);
    }

    /// Selected AWS managed policy names (from a journal) become the ARNs the list shows, so that
    /// the list marks them and toggling one does not add it twice.
    pub(super) fn resolve_selected_names(&mut self) {
        use crate::plan::input::PolicyRef;
        let Some(items) = self.permissions.policies.loaded() else {
            return;
        };
        let names: Vec<String> = self
            .permissions
            .selected
            .iter()
            .filter(|s| matches!(PolicyRef::parse(s), Ok(PolicyRef::AwsManagedName(_))))
            .cloned()
            .collect();
        for name in names {
            let Ok(wanted) = PolicyRef::parse(&name) else {
                continue;
            };
            if let Some(item) = items.iter().find(|i| wanted.matches(&i.arn)) {
                let arn = item.arn.clone();
                self.permissions.selected.remove(&name);
                self.permissions.selected.insert(arn);
            }
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
        let audience = Audience::parse(&self.provider.audience.value).map_err(|e| e.to_string())?;
        let projects = self
            .trust
            .projects
            .list()
            .iter()
            .map(|p| ProjectPath::parse_for(p, &url))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.rule)?;
        let refs = self
            .trust
            .refs
            .list()
            .iter()
            .map(|r| RefName::parse(r))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.rule)?;
        let project_ids = if url.is_gitlab_com() {
            self.trust
                .project_ids
                .list()
                .iter()
                .map(|p| ProjectId::parse(p))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| e.rule)?
        } else {
            vec![]
        };
        let namespace_ids = self
            .pinned_namespaces()
            .iter()
            .map(|p| NamespaceId::parse(p))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.rule)?;
        let (partition, account) = self.account();
        let arn = url.provider_arn(&partition, &account);
        crate::plan::trust::build(&crate::plan::trust::TrustSpec {
            provider_url: &url,
            provider_arn: &arn,
            audience: &audience,
            projects: &projects,
            refs: &refs,
            ref_type: self.trust.ref_type,
            ref_protected: self.trust.ref_protected && url.is_gitlab_com(),
            project_ids: &project_ids,
            namespace_ids: &namespace_ids,
        })
        .map_err(|e| e.rule)
    }

    /// The namespace ids to pin: the ones found (or carried from a stopped setup) for exactly the
    /// projects named now, on gitlab.com.
    pub fn pinned_namespaces(&self) -> Vec<String> {
        if self.is_gitlab_com() && self.trust.namespace_pins.projects == self.trust.projects.list()
        {
            self.trust.namespace_pins.ids.clone()
        } else {
            vec![]
        }
    }

    /// A role name from the first project: `gitlab-group-project`, within IAM's rules.
    pub fn suggested_role_name(&self) -> String {
        let Some(first) = self.trust.projects.list().into_iter().next() else {
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

    /// Recompute the filtered list: names containing the filter, those starting with it first.
    pub(super) fn refilter(&mut self) {
        let needle = self.permissions.filter.value.to_lowercase();
        self.permissions.filtered = match self.permissions.policies.loaded() {
            Some(items) => {
                let mut hits: Vec<(bool, usize)> = items
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.lower.contains(&needle))
                    .map(|(i, p)| (!p.lower.starts_with(&needle), i))
                    .collect();
                // Stable: within each group the list keeps its alphabetical order.
                hits.sort_by_key(|(later, _)| *later);
                hits.into_iter().map(|(_, i)| i).collect()
            }
            None => Vec::new(),
        };
        self.permissions.cursor = self
            .permissions
            .cursor
            .min(self.permissions.filtered.len().saturating_sub(1));
    }

    pub fn cursor_policy(&self) -> Option<&PolicyItem> {
        let items = self.permissions.policies.loaded()?;
        self.permissions
            .filtered
            .get(self.permissions.cursor)
            .and_then(|i| items.get(*i))
    }
}

impl App {
    /// The projects an existing role trusts today, when its trust policy is exactly what these
    /// answers give with those projects instead of the ones typed: Review then offers adding the
    /// typed ones beside them (`+`) rather than replacing them. `None` when the role is new, its
    /// trust is the same, or it differs in more than its projects (then only a replace is exact).
    pub fn projects_trusted_now(&self) -> Option<Vec<String>> {
        use crate::engine::{RoleAction, RoleChange};
        let plan = self.review.plan.loaded()?;
        let RoleAction::Update { changes } = &plan.role.action else {
            return None;
        };
        let current = changes.iter().find_map(|c| match c {
            RoleChange::TrustPolicy { current, .. } => Some(current),
            _ => None,
        })?;
        let view = crate::plan::trust_view::TrustView::read(current);
        let mut theirs: Vec<String> = view
            .statements
            .iter()
            .flat_map(|s| &s.conditions)
            .filter(|c| c.key_parts().is_some_and(|(_, claim)| claim == "sub"))
            .flat_map(|c| &c.values)
            .filter_map(|v| v.strip_prefix("project_path:")?.split(":ref_type:").next())
            .map(str::to_string)
            .collect();
        theirs.sort();
        theirs.dedup();
        let typed = self.trust.projects.list();
        if theirs.is_empty() || theirs.iter().all(|p| typed.contains(p)) {
            return None;
        }
        let mut input = self.setup_input();
        input.projects = theirs.clone();
        let rebuilt = input
            .validate()
            .ok()?
            .trust(plan.identity.partition(), &plan.identity.account)
            .ok()?;
        crate::plan::trust::same_policy(current, &rebuilt.policy.to_value()).then_some(theirs)
    }

    /// Review's `+`: the projects the role trusts now join the typed ones, and the plan is made
    /// again (nothing is applied).
    pub(super) fn keep_trusted_projects(&mut self) -> Vec<Effect> {
        let Some(theirs) = self.projects_trusted_now() else {
            return vec![];
        };
        let added: Vec<String> = self
            .trust
            .projects
            .list()
            .into_iter()
            .filter(|p| !theirs.contains(p))
            .collect();
        self.notice = Some(format!(
            "the trust keeps {} and adds {}",
            theirs.join(", "),
            added.join(", ")
        ));
        let mut all = theirs;
        all.extend(added);
        self.trust.projects.set(&all.join(", "));
        self.scroll = 0;
        self.replan()
    }
}

impl App {
    /// Done's export: the setup just applied, as a file in the current directory (written by the
    /// effect, which never replaces a different file without asking).
    pub(super) fn export(&mut self, format: crate::export::Format) -> Vec<Effect> {
        use crate::export::Format;
        let setup = match self.setup_input().validate() {
            Ok(s) => s,
            Err(e) => {
                self.notice = Some(format!("✗ {}", super::words::input_error(&e)));
                return vec![];
            }
        };
        let (name, made) = match format {
            Format::Terraform => ("gitlab-oidc.tf", crate::export::terraform(&setup)),
            Format::Cloudformation => ("gitlab-oidc.yaml", crate::export::cloudformation(&setup)),
        };
        match made {
            // Even a new file is asked for, Cancel first: typed letters never write one.
            Ok(content) => {
                self.ask(Confirm::WriteExport {
                    path: std::path::PathBuf::from(name),
                    content,
                });
                vec![]
            }
            Err(e) => {
                self.notice = Some(format!("✗ {}", super::words::input_error(&e)));
                vec![]
            }
        }
    }
}

impl App {
    /// The CI job Done shows and `y` copies: the token-file job for the answers, with the
    /// `rules:` of their refs (the same job `apply --write-ci-job` writes).
    pub fn ci_job(&self) -> String {
        use crate::ci_job::{CiStyle, job_with_rules, rules, token_file_job};
        // The region the wizard's clients resolved (flag, Region field, profile or environment).
        let region = match &self.identity.state {
            Load::Loaded((_, connection)) => connection.region.clone(),
            _ => crate::ci_job::DEFAULT_REGION.to_string(),
        };
        match self.setup_input().validate() {
            Ok(s) => job_with_rules(
                CiStyle::TokenFile,
                s.audience.as_str(),
                &self.variable.key,
                s.max_session_duration.unwrap_or_default().seconds(),
                &rules(&s.refs, s.ref_type, s.ref_protected),
                &region,
            ),
            Err(_) => token_file_job(&self.provider.audience.value, &self.variable.key),
        }
    }
}
