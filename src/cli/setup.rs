//! `plan` and `apply`: the setup. Everything that can be decided without AWS is decided first
//! (answers from the flags or the journal, GitLab project ids, validation, the self-managed
//! pre-flight, the CI job's file); then the engine plans, and `apply` carries the plan out with the
//! journal kept, writes the CI job and stores the ARN in GitLab. The flow itself is `crate::flow`.

use std::path::PathBuf;

use super::{CiJobArgs, CliError, GitLabArgs, Outcome, OutputFormat, SetupArgs, prompt};
use crate::aws::Aws;
use crate::engine::{self, EngineError, Plan};
use crate::flow::apply::Journaled;
use crate::flow::gitlab::{StoredOn, VariableSpec};
use crate::flow::{self, preflight};
use crate::gitlab::{Owner, Token};
use crate::journal::{Journal, Store};
use crate::output;
use crate::plan::{Setup, SetupInput};

/// The flags only `apply` has.
pub struct ApplyArgs<'a> {
    pub yes: bool,
    pub from_journal: bool,
    pub ci: &'a CiJobArgs,
    pub gitlab: &'a GitLabArgs,
    /// The region the written CI job gets.
    pub job_region: String,
}

/// A setup ready for AWS: validated, through the pre-flight, its side tasks checked.
pub struct Request {
    pub setup: Setup,
    /// The answers as the journal keeps them (ids looked up and the thumbprint settled).
    pub input: SetupInput,
    pub yes: bool,
    /// Where the CI job is written after a successful apply, what, and whether the file may be
    /// replaced.
    ci_job: Option<(PathBuf, String, bool)>,
    store: Option<GitLabStore>,
}

/// Storing the ARN in GitLab after a successful apply.
struct GitLabStore {
    client: crate::gitlab::Client,
    owners: Vec<Owner>,
    spec: VariableSpec,
}

/// Everything before AWS: bad input is exit code 2 and no AWS call is made.
/// `reach_gitlab`: false in the demo, which reaches no host.
pub async fn prepare(
    args: &SetupArgs,
    apply: Option<ApplyArgs<'_>>,
    gitlab_url: Option<&str>,
    reach_gitlab: bool,
    store: &Store,
) -> Result<Request, CliError> {
    let mut input = match &apply {
        Some(a) if a.from_journal => from_journal(args, store)?,
        _ => args.to_input(),
    };

    let gitlab = match &apply {
        Some(a) => gitlab_client(a.gitlab, &input, gitlab_url)?,
        None => None,
    };
    if let (Some(client), Some(a)) = (&gitlab, &apply)
        && a.gitlab.pin_project_ids
    {
        let found = flow::gitlab::pin_project_ids(client, &input.projects)
            .await
            .map_err(|e| CliError::failed(format!("--pin-project-ids: {e}")))?;
        for p in found {
            note!(
                "GitLab: {} is project {} (pinned in the trust policy)",
                p.path_with_namespace,
                p.id
            );
            input.project_ids.push(p.id.to_string());
            // The same answer names the namespace: no second lookup (when it is this project's).
            let ns = flow::gitlab::namespace_of(&p.path_with_namespace);
            if let Some(id) = flow::gitlab::pinnable(&p.namespace, ns).map(|id| id.to_string())
                && !args.no_pin_namespace_ids
                && !input.namespace_ids.contains(&id)
            {
                input.namespace_ids.push(id);
            }
        }
    }
    if reach_gitlab && !args.no_pin_namespace_ids {
        pin_namespaces(&mut input, gitlab_url).await?;
    }
    let setup = input.validate()?;
    let thumbprint = args.thumbprint();
    let report = if preflight::wanted(&setup, thumbprint, args.skip_preflight)
        .map_err(gate_error)?
    {
        let report =
            crate::preflight::run(&setup.provider_url, crate::preflight::public_roots(), 443).await;
        super::exit::note(&report.text());
        Some(report)
    } else {
        None
    };
    let setup = preflight::gate(setup, report.as_ref(), thumbprint).map_err(gate_error)?;
    // The journal keeps the thumbprint the pre-flight settled, so a continued run needs no flag.
    input.thumbprints = setup.thumbprints.clone();
    let (yes, ci_job, store) = match apply {
        Some(a) => {
            let ci_job = ci_job_for(a.ci, &setup, &a.job_region)?;
            let store = gitlab
                .filter(|_| a.gitlab.store_in_gitlab)
                .map(|client| GitLabStore {
                    client,
                    owners: owners(a.gitlab, &setup),
                    spec: VariableSpec {
                        key: a.ci.ci_variable.clone(),
                        protected: a.gitlab.variable_protected,
                        masked: a.gitlab.variable_masked,
                        environment_scope: a.gitlab.variable_environment_scope.clone(),
                    },
                });
            (a.yes, ci_job, store)
        }
        None => (false, None, None),
    };
    Ok(Request {
        setup,
        input,
        yes,
        ci_job,
        store,
    })
}

/// The pre-flight gate's refusal in the command line's words: the flags that get past it.
fn gate_error(e: preflight::GateError) -> CliError {
    use preflight::GateError;
    match e {
        GateError::AutoWithoutPreflight { .. } => CliError::usage(
            "--thumbprint auto needs the pre-flight: drop --skip-preflight or give the thumbprint",
        ),
        GateError::Failed { .. } => CliError::failed(format!(
            "{e} (fix it, or --skip-preflight if AWS can reach what this machine cannot)"
        )),
        GateError::ThumbprintNeeded { ref needed, .. } => CliError::failed(format!(
            "{e}; run again with --thumbprint auto (or --thumbprint {needed})"
        )),
    }
}

/// `--from-journal`: the answers of the setup that stopped.
fn from_journal(args: &SetupArgs, store: &Store) -> Result<SetupInput, CliError> {
    if !args.projects.is_empty() || args.role_name.is_some() {
        return Err(CliError::usage(
            "--from-journal takes the answers from the journal: give no setup flags with it",
        ));
    }
    match store.load() {
        Some(j) => {
            note!("Continuing from the journal: {}", j.summary());
            Ok(j.answers)
        }
        None => {
            let at = store
                .path()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            Err(CliError::usage(format!(
                "--from-journal: no stopped setup to continue (no journal at {at})"
            )))
        }
    }
}

/// Secure by default on gitlab.com: look up the named projects' namespace ids and pin them, so a
/// deleted namespace's name registered again by someone else does not get in. Only when every
/// namespace is found (a pin without one of them would lock its projects out), never for a
/// pattern (it spans namespaces), and not when ids were given. Anonymous for public ones; with
/// `GITLAB_TOKEN` when set. A GitLab that cannot be reached stops the run: going on without the
/// pin would silently weaken a role pinned before.
async fn pin_namespaces(input: &mut SetupInput, gitlab_url: Option<&str>) -> Result<(), CliError> {
    if !input.namespace_ids.is_empty() {
        return Ok(());
    }
    // Bad input is reported by the validation that follows, before anything is reached.
    let Ok(setup) = input.validate() else {
        return Ok(());
    };
    // A self-managed issuer has no id keys: the trust's warnings say so.
    if !setup.provider_url.is_gitlab_com() {
        return Ok(());
    }
    if let Some(p) = setup.projects.iter().find(|p| p.is_pattern()) {
        say!(
            "warning: namespace_id not pinned: the pattern {} spans namespaces (pin ids with --namespace-id)",
            p.as_str()
        );
        return Ok(());
    }
    let (url, token) =
        flow::gitlab::lookup_target(gitlab_url, setup.provider_url.as_str(), Token::from_env());
    let client = crate::gitlab::Client::with(&url, token.clone())
        .map_err(|e| CliError::failed(e.to_string()))?;
    let projects: Vec<String> = setup
        .projects
        .iter()
        .map(|p| p.as_str().to_string())
        .collect();
    let found = flow::gitlab::namespace_ids(&client, &projects)
        .await
        .map_err(|e| {
            CliError::failed(format!(
                "looking up the namespace ids to pin: {e} (give them with --namespace-id, or leave them out with --no-pin-namespace-ids)"
            ))
        })?;
    if !found.hidden.is_empty() {
        say!(
            "warning: namespace_id not pinned: GitLab does not show {} to {} (private, or not there); set GITLAB_TOKEN (read_api) or give --namespace-id to pin it",
            found.hidden.join(", "),
            if token.is_some() {
                "this token"
            } else {
                "anyone without a token"
            }
        );
        return Ok(());
    }
    for (ns, id) in found.found {
        note!("GitLab: namespace {ns} is {id} (pinned in the trust policy)");
        input.namespace_ids.push(id.to_string());
    }
    Ok(())
}

/// A GitLab API client when the GitLab side was asked for; a missing token is bad input.
fn gitlab_client(
    g: &GitLabArgs,
    input: &SetupInput,
    gitlab_url: Option<&str>,
) -> Result<Option<crate::gitlab::Client>, CliError> {
    if !g.store_in_gitlab && !g.pin_project_ids {
        return Ok(None);
    }
    let Some(token) = Token::from_env() else {
        return Err(CliError::usage(
            "--store-in-gitlab and --pin-project-ids need a GitLab token in GITLAB_TOKEN (api scope)",
        ));
    };
    if g.variable_environment_scope.trim().is_empty() {
        return Err(CliError::usage(
            "--variable-environment-scope must not be empty (* is every environment)",
        ));
    }
    let provider = input
        .provider_url
        .as_deref()
        .unwrap_or(crate::plan::DEFAULT_PROVIDER_URL);
    flow::gitlab::client(gitlab_url, provider, token)
        .map(Some)
        .map_err(CliError::usage)
}

/// The variable goes on the group, or on each named project.
fn owners(g: &GitLabArgs, setup: &Setup) -> Vec<Owner> {
    match &g.gitlab_group {
        Some(group) => vec![Owner::Group(group.clone())],
        None => {
            let projects: Vec<&str> = setup.projects.iter().map(|p| p.as_str()).collect();
            flow::gitlab::named_projects(&projects)
                .into_iter()
                .map(Owner::Project)
                .collect()
        }
    }
}

/// The job to write after a successful apply, with its path; how it would be written is decided
/// now, before any AWS call, so a file that cannot take it stops the run with nothing changed.
fn ci_job_for(
    ci: &CiJobArgs,
    setup: &Setup,
    region: &str,
) -> Result<Option<(PathBuf, String, bool)>, CliError> {
    let audience = setup.audience.as_str();
    let session = setup.max_session_duration.unwrap_or_default().seconds();
    let variable = crate::ci_job::parse_variable(&ci.ci_variable)?;
    let Some(path) = &ci.write_ci_job else {
        return Ok(None);
    };
    if !ci.ci_job_style.assumes_role() {
        return Err(CliError::usage(
            "--write-ci-job writes the job that assumes the role (--ci-job-style token-file or assume-role); `aws-oidc-wizard ci-job` prints the secrets-manager and audit jobs",
        ));
    }
    let rules = crate::ci_job::rules(&setup.refs, setup.ref_type, setup.ref_protected);
    let content = crate::ci_job::job_with_rules(
        ci.ci_job_style,
        audience,
        &variable,
        session,
        &rules,
        region,
    );
    crate::ci_job::plan_write(path, &content, ci.overwrite)
        .map_err(|e| CliError::usage(format!("--write-ci-job {e}")))?;
    Ok(Some((path.clone(), content, ci.overwrite)))
}

/// `plan`: what `apply` would do, with read-only calls only.
pub async fn plan<A: Aws>(
    aws: &A,
    request: &Request,
    detailed_exitcode: bool,
    output: OutputFormat,
) -> Result<Outcome, CliError> {
    let plan = engine::plan(aws, &request.setup).await?;
    let end = if detailed_exitcode && !plan.is_converged() {
        Outcome::negative
    } else {
        Outcome::success
    };
    Ok(end(match output {
        OutputFormat::Text => super::Body::Text(output::plan_text(&plan, true)),
        OutputFormat::Json => output::plan_json(&plan).into(),
    }))
}

/// `apply`: plan, confirm what needs a yes, carry the plan out with the journal kept, then the CI
/// job and the GitLab variable. The ARN is the result only when all of it succeeded.
pub async fn apply<A: Aws>(
    aws: &A,
    request: Request,
    store: &Store,
    output: OutputFormat,
) -> Result<Outcome, CliError> {
    let plan: Plan = engine::plan(aws, &request.setup).await?;
    let reasons = plan.confirmations();
    let asking = !reasons.is_empty() && !request.yes;
    // The plan is said as the run goes; with --quiet, only when it asks about it.
    if asking {
        say_raw!("{}", output::plan_text(&plan, false));
    } else {
        super::exit::note(&output::plan_text(&plan, false));
    }
    if asking && !prompt::confirm(&reasons) {
        return Err(EngineError::ConfirmationRequired { reasons }.into());
    }
    let mut journal = Journal::new(request.input.clone(), Some(plan.identity.account.clone()));
    let mut journaled = Journaled::new(store, &mut journal);
    let outcome = flow::apply_from(aws, &plan, 0, Some(&mut journaled), |p| {
        note!("{}", output::progress_line(&p))
    })
    .await;
    if let Some(e) = journaled.unsaved() {
        say!(
            "warning: the journal could not be written ({e}); a stopped run cannot be continued with --from-journal"
        );
    }
    let outcome = outcome?;
    for r in &outcome.resources {
        note!("{}", output::report_line(r));
    }
    for other in &outcome.left_alone {
        note!("{}", output::left_alone_line(other));
    }
    if let Some((path, content, overwrite)) = &request.ci_job {
        match crate::ci_job::plan_write(path, content, *overwrite)
            .and_then(|w| crate::ci_job::write(&w))
        {
            Ok(what) => say!("{what} (store the role ARN in the CI/CD variable it uses)"),
            // AWS is set up; the file is not: the run did not do all it was asked to.
            Err(e) => {
                return Err(CliError::failed(format!(
                    "the AWS setup is in place ({}), but {e}",
                    outcome.role_arn
                )));
            }
        }
    }
    if let Some(gitlab) = &request.store {
        store_role_arn(gitlab, &outcome.role_arn, request.yes).await?;
    }
    Ok(Outcome::success(match output {
        OutputFormat::Text => super::Body::Text(format!("{}\n", outcome.role_arn)),
        OutputFormat::Json => output::outcome_json(&outcome, aws.calls()).into(),
    }))
}

/// Store the ARN on every owner; a different value is replaced after a yes (`--yes`, or asked).
async fn store_role_arn(gitlab: &GitLabStore, arn: &str, yes: bool) -> Result<(), CliError> {
    let key = &gitlab.spec.key;
    let stored =
        flow::gitlab::store_role_arn(&gitlab.client, &gitlab.spec, &gitlab.owners, arn, yes)
            .await
            .map_err(EngineError::from)?;
    let mut refused = Vec::new();
    for on in stored {
        let on = match on.difference(key, arn) {
            None => on,
            Some(reason) if prompt::confirm(std::slice::from_ref(&reason)) => {
                let owner = std::slice::from_ref(&on.owner);
                let replaced: Vec<StoredOn> =
                    flow::gitlab::store_role_arn(&gitlab.client, &gitlab.spec, owner, arn, true)
                        .await
                        .map_err(EngineError::from)?;
                replaced.into_iter().next().unwrap_or(on)
            }
            Some(reason) => {
                refused.push(reason);
                continue;
            }
        };
        say!("{}", on.line(key));
    }
    if refused.is_empty() {
        Ok(())
    } else {
        Err(EngineError::ConfirmationRequired { reasons: refused }.into())
    }
}
