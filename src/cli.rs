//! The scripted command line: flags named like the AWS CLI's, parsed with clap, run on the engine.
//! stdout carries only the result (the role ARN, or JSON); everything else goes to stderr.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::aws::Aws;
use crate::aws::sdk::{ConnectOptions, SdkAws};
use crate::engine::{self, EngineError, Plan};
use crate::output;
use crate::plan::SetupInput;
use crate::plan::input::RefType;

#[derive(Debug, Parser)]
#[command(
    name = "aws-oidc-wizard",
    version,
    about = "Let GitLab CI/CD pipelines assume an AWS role through OpenID Connect: creates or adopts the IAM identity provider, the role and its permissions, and prints the role ARN.\n\nWithout a command, opens the interactive wizard (drawn on the terminal; the ARN is printed on stdout when you quit).",
    after_help = "Example:\n  aws-oidc-wizard plan  --project acme/web --role-name gitlab-acme-web --policy ReadOnlyAccess\n  ROLE_ARN=$(aws-oidc-wizard apply --project acme/web --role-name gitlab-acme-web --policy ReadOnlyAccess)"
)]
pub struct Cli {
    /// Use a named profile from your AWS config (default: $AWS_PROFILE, then the default chain).
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// AWS region for signing (IAM is global; default: $AWS_REGION, the profile's, or us-east-1).
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,
    /// Send AWS requests to this URL instead (default: $AWS_ENDPOINT_URL).
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Write a log to this file (level from AWS_OIDC_WIZARD_LOG, default info). Never to the screen.
    #[arg(long, global = true, value_name = "PATH")]
    pub log_file: Option<std::path::PathBuf>,
    /// GitLab URL for its API (default: the provider URL).
    #[arg(long, global = true, value_name = "URL")]
    pub gitlab_url: Option<String>,
    /// Output format of the result on stdout.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show what `apply` would do, with read-only calls only.
    Plan(SetupArgs),
    /// Create or update the provider, role and permissions; print the role ARN.
    Apply {
        #[command(flatten)]
        setup: SetupArgs,
        /// Confirm changes to an existing role and admin-level policies without asking.
        #[arg(long, short = 'y')]
        yes: bool,
        /// Continue the setup that stopped, with the answers kept in the journal (no setup flags).
        #[arg(long)]
        from_journal: bool,
        #[command(flatten)]
        ci: CiJobArgs,
        #[command(flatten)]
        gitlab: GitLabArgs,
    },
    /// Print the .gitlab-ci.yml job that assumes the role (no AWS call).
    CiJob {
        /// The audience the job asks for (default: the provider URL).
        #[arg(long, value_name = "AUD")]
        audience: Option<String>,
        /// GitLab instance URL, for the default audience.
        #[arg(long, value_name = "URL")]
        provider_url: Option<String>,
        #[command(flatten)]
        ci: CiJobArgs,
        /// Overwrite an existing different file given to --write-ci-job.
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Explain why AWS would refuse (or accept) a GitLab ID token for a role: every condition checked.
    Explain(ExplainArgs),
    /// Check a self-managed GitLab the way AWS will: issuer, signing keys, TLS chain and thumbprint.
    Preflight {
        /// The instance URL (the tokens' issuer).
        #[arg(long, value_name = "URL")]
        provider_url: String,
    },
    /// Audit GitLab OIDC roles: each finding with a severity, an explanation and the fix.
    Check {
        /// The role to audit.
        #[arg(
            long,
            value_name = "NAME",
            required_unless_present = "all",
            conflicts_with = "all"
        )]
        role_name: Option<String>,
        /// Audit every role whose trust names an OIDC provider of a GitLab host.
        #[arg(long)]
        all: bool,
    },
    /// Remove a setup: detach the role's policies, delete the role, and the provider if this tool
    /// created it and no other role trusts it.
    Destroy {
        /// The role to remove.
        #[arg(long, value_name = "NAME")]
        role_name: String,
        /// Remove without asking.
        #[arg(long, short = 'y')]
        yes: bool,
        /// Also remove a role that aws-oidc-wizard did not create.
        #[arg(long)]
        force: bool,
    },
}

/// The GitLab side of apply: needs a token in GITLAB_TOKEN (api scope, Maintainer role).
#[derive(Debug, Clone, Args)]
pub struct GitLabArgs {
    /// After a successful apply, store the role ARN as a CI/CD variable on each --project.
    #[arg(long)]
    pub store_in_gitlab: bool,
    /// Store it on this group instead of the projects.
    #[arg(long, value_name = "GROUP", requires = "store_in_gitlab")]
    pub gitlab_group: Option<String>,
    /// Look up each project's numeric id through the GitLab API and pin it in the trust policy (gitlab.com).
    #[arg(long)]
    pub pin_project_ids: bool,
    /// Make the variable available to protected branches and tags only.
    #[arg(long)]
    pub variable_protected: bool,
    /// Mask the variable in job logs.
    #[arg(long)]
    pub variable_masked: bool,
    /// The variable's environment scope.
    #[arg(long, value_name = "SCOPE", default_value = "*")]
    pub variable_environment_scope: String,
}

#[derive(Debug, Clone, Args)]
pub struct CiJobArgs {
    /// After a successful apply, write the .gitlab-ci.yml job here (an existing different file needs --yes).
    #[arg(long, value_name = "PATH")]
    pub write_ci_job: Option<std::path::PathBuf>,
    /// How the job gets credentials.
    #[arg(long, value_enum, value_name = "STYLE", default_value_t = crate::ci_job::CiStyle::TokenFile)]
    pub ci_job_style: crate::ci_job::CiStyle,
    /// The GitLab CI/CD variable that holds the role ARN.
    #[arg(long, value_name = "NAME", default_value = crate::ci_job::DEFAULT_VARIABLE)]
    pub ci_variable: String,
}

#[derive(Debug, Clone, Args)]
pub struct ExplainArgs {
    /// The role the pipeline tried to assume.
    #[arg(long, value_name = "NAME")]
    pub role_name: String,
    /// The token's claims as a JSON file (e.g. copied from a job's debug output).
    #[arg(
        long,
        value_name = "FILE.json",
        conflicts_with = "token",
        required_unless_present = "token"
    )]
    pub claims: Option<std::path::PathBuf>,
    /// The ID token itself, or - to read it from stdin (safer: not in the process list). Never stored.
    #[arg(long, value_name = "JWT")]
    pub token: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct SetupArgs {
    /// GitLab instance URL: the tokens' issuer (default https://gitlab.com).
    #[arg(long, value_name = "URL")]
    pub provider_url: Option<String>,
    /// Audience the CI job asks for in id_tokens (default: the provider URL).
    #[arg(long, value_name = "AUD")]
    pub audience: Option<String>,
    /// GitLab project path allowed to assume the role; repeat for several.
    #[arg(long = "project", value_name = "GROUP/PROJECT")]
    pub projects: Vec<String>,
    /// Branch or tag allowed (a '*' makes it a pattern); repeat for several (default main).
    #[arg(long = "ref", value_name = "NAME")]
    pub refs: Vec<String>,
    /// Kind of ref allowed.
    #[arg(long, value_enum, value_name = "TYPE", default_value_t = RefType::Branch)]
    pub ref_type: RefType,
    /// Only protected branches and tags may assume the role (gitlab.com only).
    #[arg(long)]
    pub ref_protected: bool,
    /// Pin the numeric GitLab project id too (gitlab.com only; survives renames); repeat for several.
    #[arg(long = "project-id", value_name = "ID")]
    pub project_ids: Vec<String>,
    /// For a self-managed instance behind a private CA: the certificate thumbprint IAM needs, or
    /// `auto` to take it from the pre-flight.
    #[arg(long = "thumbprint", value_name = "auto|HEX")]
    pub thumbprints: Vec<String>,
    /// Do not check a self-managed instance before creating anything (e.g. reachable from AWS only).
    #[arg(long)]
    pub skip_preflight: bool,
    /// Name of the IAM role.
    #[arg(long, value_name = "NAME")]
    pub role_name: Option<String>,
    /// IAM path of the role (default /).
    #[arg(long, value_name = "PATH")]
    pub role_path: Option<String>,
    /// Description of the role.
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// AWS managed policy name (e.g. ReadOnlyAccess) or policy ARN to attach; repeat for several.
    #[arg(long = "policy", value_name = "NAME_OR_ARN")]
    pub policies: Vec<String>,
    /// Longest session the role allows, in seconds, 3600–43200 (default 3600 for a new role).
    #[arg(long, value_name = "SECONDS")]
    pub max_session_duration: Option<String>,
    /// ARN of a managed policy to set as the role's permissions boundary.
    #[arg(long, value_name = "ARN")]
    pub permissions_boundary: Option<String>,
}

impl SetupArgs {
    pub fn to_input(&self) -> SetupInput {
        SetupInput {
            provider_url: self.provider_url.clone(),
            audience: self.audience.clone(),
            projects: self.projects.clone(),
            refs: self.refs.clone(),
            ref_type: Some(self.ref_type),
            ref_protected: self.ref_protected,
            project_ids: self.project_ids.clone(),
            thumbprints: self
                .thumbprints
                .iter()
                .filter(|t| *t != "auto")
                .cloned()
                .collect(),
            role_name: self.role_name.clone(),
            role_path: self.role_path.clone(),
            description: self.description.clone(),
            policies: self.policies.clone(),
            max_session_duration: self.max_session_duration.clone(),
            permissions_boundary: self.permissions_boundary.clone(),
        }
    }
}

/// Parse the arguments; a usage error is one line on stderr and exit code 2.
pub fn parse() -> Result<Cli, ExitCode> {
    match Cli::try_parse() {
        Ok(cli) => Ok(cli),
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            Err(ExitCode::SUCCESS)
        }
        Err(e) => {
            let rendered = e.to_string();
            let first = rendered
                .lines()
                .next()
                .unwrap_or("error: invalid arguments");
            eprintln!("{first} (see --help)");
            Err(ExitCode::from(2))
        }
    }
}

/// Run a parsed command line to its exit code.
pub async fn run(cli: Cli) -> ExitCode {
    if let Err(e) = crate::logging::init(cli.log_file.clone()) {
        eprintln!("error: --log-file: {e}");
        return ExitCode::from(2);
    }
    let options = ConnectOptions {
        profile: cli.profile.clone(),
        region: cli.region.clone(),
        endpoint_url: cli.endpoint_url.clone(),
    };
    let Some(command) = cli.command else {
        return run_wizard(options, cli.gitlab_url.clone()).await;
    };
    tokio::select! {
        code = run_command(command, options, cli.output, cli.gitlab_url.clone()) => code,
        _ = tokio::signal::ctrl_c() => {
            eprintln!("\ninterrupted: nothing after the last ✓ was done; run the same command again to finish");
            ExitCode::from(130)
        }
    }
}

async fn run_wizard(options: ConnectOptions, gitlab_url: Option<String>) -> ExitCode {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        eprintln!(
            "error: the wizard needs a terminal; in scripts use `aws-oidc-wizard plan` or `apply` (see --help)"
        );
        return ExitCode::from(2);
    }
    tracing::info!("wizard started");
    match crate::tui::run(options, gitlab_url).await {
        Ok(Some(arn)) => {
            println!("{arn}");
            ExitCode::SUCCESS
        }
        Ok(None) => {
            eprintln!("quit before a setup was finished: nothing to print");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("error: the terminal failed: {e}");
            ExitCode::from(1)
        }
    }
}

async fn run_command(
    command: Command,
    options: ConnectOptions,
    output: OutputFormat,
    gitlab_url: Option<String>,
) -> ExitCode {
    let (args, apply, yes, from_journal, ci, gitlab) = match &command {
        Command::Plan(args) => (args, false, false, false, None, None),
        Command::Apply {
            setup,
            yes,
            from_journal,
            ci,
            gitlab,
        } => (setup, true, *yes, *from_journal, Some(ci), Some(gitlab)),
        Command::CiJob {
            audience,
            provider_url,
            ci,
            yes,
        } => return print_ci_job(audience.as_deref(), provider_url.as_deref(), ci, *yes),
        Command::Explain(args) => return run_explain(args, options, output).await,
        Command::Preflight { provider_url } => return run_preflight(provider_url, output).await,
        Command::Check { role_name, .. } => {
            return run_check(role_name.as_deref(), options, output).await;
        }
        Command::Destroy {
            role_name,
            yes,
            force,
        } => return run_destroy(role_name, *yes, *force, options, output).await,
    };
    let input = if from_journal {
        if !args.projects.is_empty() || args.role_name.is_some() {
            eprintln!(
                "error: --from-journal takes the answers from the journal: give no setup flags with it"
            );
            return ExitCode::from(2);
        }
        match crate::journal::load() {
            Some(j) => {
                eprintln!("Continuing from the journal: {}", j.summary());
                j.answers
            }
            None => {
                let at = crate::journal::path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                eprintln!(
                    "error: --from-journal: no stopped setup to continue (no journal at {at})"
                );
                return ExitCode::from(2);
            }
        }
    } else {
        args.to_input()
    };
    let mut input = input;
    let gitlab_client = match gitlab
        .map(|g| gitlab_client(g, &input, gitlab_url.as_deref()))
        .transpose()
    {
        Ok(c) => c.flatten(),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let (Some(client), Some(g)) = (&gitlab_client, gitlab)
        && g.pin_project_ids
    {
        for project in input.projects.clone() {
            match client.project(&project).await {
                Ok(p) => {
                    eprintln!(
                        "GitLab: {} is project {} (pinned in the trust policy)",
                        p.path_with_namespace, p.id
                    );
                    input.project_ids.push(p.id.to_string());
                }
                Err(e) => {
                    eprintln!("error: --pin-project-ids: {e}");
                    return ExitCode::from(1);
                }
            }
        }
    }
    let setup = match input.validate() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let setup = match preflight_gate(setup, args).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    // The CI job is checked now (bad name, a file it must not overwrite), written after success.
    let ci_job = match ci
        .map(|c| ci_job_for(c, setup.audience.as_str(), yes))
        .transpose()
    {
        Ok(job) => job.flatten(),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let aws = SdkAws::connect(&options).await;
    let result = if apply {
        match run_apply(&aws, &setup, &input, yes, output).await {
            Ok(arn) => {
                write_ci_job(ci_job.as_ref(), yes);
                match (&gitlab_client, gitlab) {
                    (Some(client), Some(g)) if g.store_in_gitlab => {
                        store_variables(
                            client,
                            g,
                            &setup,
                            ci.map(|c| c.ci_variable.as_str()).unwrap_or("ROLE_ARN"),
                            &arn,
                            yes,
                        )
                        .await
                    }
                    _ => Ok(()),
                }
            }
            Err(e) => Err(e),
        }
    } else {
        run_plan(&aws, &setup, output).await
    };
    print_call_count(&aws);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

async fn read_plan(aws: &SdkAws, setup: &crate::plan::Setup) -> Result<Plan, EngineError> {
    let c = &aws.connection;
    eprintln!(
        "Reading the current setup (profile {}, region {}{})…",
        c.profile.as_deref().unwrap_or("default"),
        c.region,
        c.endpoint_url
            .as_deref()
            .map(|e| format!(", endpoint {e}"))
            .unwrap_or_default()
    );
    engine::plan(aws, setup).await
}

async fn run_plan(
    aws: &SdkAws,
    setup: &crate::plan::Setup,
    format: OutputFormat,
) -> Result<(), EngineError> {
    let plan = read_plan(aws, setup).await?;
    match format {
        OutputFormat::Text => print!("{}", output::plan_text(&plan, true)),
        OutputFormat::Json => println!("{}", output::plan_json(&plan)),
    }
    Ok(())
}

async fn run_apply(
    aws: &SdkAws,
    setup: &crate::plan::Setup,
    input: &SetupInput,
    yes: bool,
    format: OutputFormat,
) -> Result<String, EngineError> {
    let plan = read_plan(aws, setup).await?;
    eprint!("{}", output::plan_text(&plan, false));
    let reasons = plan.confirmations();
    if !reasons.is_empty() && !yes && !confirm_interactively(&reasons) {
        return Err(EngineError::ConfirmationRequired { reasons });
    }
    // The journal lets a run that stops half-way be continued with --from-journal (or the wizard).
    let mut journal =
        crate::journal::Journal::new(input.clone(), Some(plan.identity.account.clone()));
    let has_actions = !plan.actions().is_empty();
    if has_actions && let Err(e) = crate::journal::save(&journal) {
        eprintln!("warning: the journal could not be written ({e}); the setup goes on without it");
    }
    let outcome = engine::apply(aws, &plan, |p| {
        eprintln!("{}", output::progress_line(&p));
        if let engine::Progress::Finished { label, .. } = &p {
            journal.finished.push(label.clone());
            let _ = crate::journal::save(&journal);
        }
    })
    .await?;
    crate::journal::finished(input);
    for r in &outcome.resources {
        eprintln!("{}", output::report_line(r));
    }
    for other in &outcome.left_alone {
        eprintln!(
            "· policy        kept      {} (attached by someone else; left alone)",
            other.arn
        );
    }
    match format {
        OutputFormat::Text => println!("{}", outcome.role_arn),
        OutputFormat::Json => println!("{}", output::outcome_json(&outcome, aws.calls())),
    }
    Ok(outcome.role_arn)
}

/// Ask on the terminal when there is one; never in a pipeline or CI (then --yes is needed).
fn confirm_interactively(reasons: &[String]) -> bool {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return false;
    }
    eprintln!();
    for r in reasons {
        eprintln!("  ? {r}");
    }
    eprint!("Apply these changes? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes")
}

/// Read the claims from `--claims FILE` or `--token JWT|-`; bad input is exit code 2.
fn read_claims(args: &ExplainArgs) -> Result<crate::explain::Claims, String> {
    if let Some(path) = &args.claims {
        let bytes = std::fs::read(path)
            .map_err(|e| format!("--claims {}: cannot read it: {e}", path.display()))?;
        return crate::explain::parse_claims(&bytes)
            .map_err(|e| format!("--claims {}: {e}", path.display()));
    }
    let token = match args.token.as_deref() {
        Some("-") => {
            let mut t = String::new();
            std::io::stdin()
                .read_line(&mut t)
                .map_err(|e| format!("--token -: cannot read stdin: {e}"))?;
            t
        }
        Some(t) => t.to_string(),
        None => return Err("give --claims FILE or --token JWT".to_string()),
    };
    crate::explain::decode_token(&token).map_err(|e| e.to_string())
}

async fn run_explain(
    args: &ExplainArgs,
    options: ConnectOptions,
    output: OutputFormat,
) -> ExitCode {
    if let Err(e) = crate::plan::input::RoleName::parse(&args.role_name) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let claims = match read_claims(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let aws = SdkAws::connect(&options).await;
    match crate::explain::explain_live(&aws, &args.role_name, &claims).await {
        Ok(e) => {
            match output {
                OutputFormat::Text => print!("{}", crate::explain::text(&e)),
                OutputFormat::Json => println!("{}", serde_json::to_value(&e).unwrap_or_default()),
            }
            if e.allowed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

async fn run_destroy(
    role: &str,
    yes: bool,
    force: bool,
    options: ConnectOptions,
    output: OutputFormat,
) -> ExitCode {
    if let Err(e) = crate::plan::input::RoleName::parse(role) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let aws = SdkAws::connect(&options).await;
    let result = destroy(&aws, role, yes, force, output).await;
    print_call_count(&aws);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

async fn destroy(
    aws: &SdkAws,
    role: &str,
    yes: bool,
    force: bool,
    output: OutputFormat,
) -> Result<(), EngineError> {
    let Some(plan) = crate::destroy::plan(aws, role, force).await? else {
        eprintln!("Role {role} does not exist: nothing to remove.");
        if output == OutputFormat::Json {
            println!(
                "{}",
                serde_json::json!({"role": role, "removed": false, "reason": "not found"})
            );
        }
        return Ok(());
    };
    eprint!("{}", crate::destroy::text(&plan));
    let reason = format!("role {role} and what is listed above will be removed");
    if !yes && !confirm_interactively(std::slice::from_ref(&reason)) {
        return Err(EngineError::ConfirmationRequired {
            reasons: vec![reason],
        });
    }
    crate::destroy::apply(aws, &plan, |line| eprintln!("{line}")).await?;
    if output == OutputFormat::Json {
        println!(
            "{}",
            serde_json::json!({"role": role, "removed": true, "plan": plan})
        );
    }
    Ok(())
}

async fn run_check(role: Option<&str>, options: ConnectOptions, output: OutputFormat) -> ExitCode {
    if let Some(Err(e)) = role.map(crate::plan::input::RoleName::parse) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let aws = SdkAws::connect(&options).await;
    match crate::check::check(&aws, role).await {
        Ok(reports) => {
            match output {
                OutputFormat::Text => print!("{}", crate::check::text(&reports)),
                OutputFormat::Json => {
                    println!("{}", serde_json::to_value(&reports).unwrap_or_default())
                }
            }
            if reports.iter().all(|r| r.findings.is_empty()) {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// The job to write after a successful apply, with its path; checked before any AWS call.
fn ci_job_for(
    ci: &CiJobArgs,
    audience: &str,
    yes: bool,
) -> Result<Option<(std::path::PathBuf, String)>, String> {
    let variable = crate::ci_job::parse_variable(&ci.ci_variable).map_err(|e| e.to_string())?;
    let Some(path) = &ci.write_ci_job else {
        return Ok(None);
    };
    let content = crate::ci_job::job(
        ci.ci_job_style,
        audience,
        &variable,
        crate::ci_job::DEFAULT_DURATION,
    );
    if let Ok(existing) = std::fs::read_to_string(path)
        && existing != content
        && !yes
    {
        return Err(format!(
            "--write-ci-job {}: the file exists with other content; it is not overwritten without --yes",
            path.display()
        ));
    }
    Ok(Some((path.clone(), content)))
}

fn write_ci_job(job: Option<&(std::path::PathBuf, String)>, yes: bool) {
    if let Some((path, content)) = job {
        match crate::ci_job::write(path, content, yes) {
            Ok(what) => eprintln!(
                "CI job {what}: {} (store the role ARN in the CI/CD variable it uses)",
                path.display()
            ),
            Err(e) => eprintln!("warning: the CI job was not written: {e}"),
        }
    }
}

fn print_ci_job(
    audience: Option<&str>,
    provider_url: Option<&str>,
    ci: &CiJobArgs,
    yes: bool,
) -> ExitCode {
    let url = match crate::plan::input::ProviderUrl::parse(
        provider_url.unwrap_or(crate::plan::DEFAULT_PROVIDER_URL),
    ) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let checked = crate::plan::input::Audience::parse(audience.unwrap_or(url.as_str()))
        .map_err(|e| e.to_string())
        .and_then(|aud| {
            crate::ci_job::parse_variable(&ci.ci_variable)
                .map_err(|e| e.to_string())
                .map(|v| (aud, v))
        });
    let (audience, variable) = match checked {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let job = crate::ci_job::job(
        ci.ci_job_style,
        audience.as_str(),
        &variable,
        crate::ci_job::DEFAULT_DURATION,
    );
    match &ci.write_ci_job {
        Some(path) => match crate::ci_job::write(path, &job, yes) {
            Ok(what) => {
                eprintln!("CI job {what}: {}", path.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        },
        None => {
            print!("{job}");
            ExitCode::SUCCESS
        }
    }
}

/// A GitLab API client when the GitLab side was asked for; a missing token is bad input.
fn gitlab_client(
    g: &GitLabArgs,
    input: &SetupInput,
    gitlab_url: Option<&str>,
) -> Result<Option<crate::gitlab::Client>, String> {
    if !g.store_in_gitlab && !g.pin_project_ids {
        return Ok(None);
    }
    let Some(token) = crate::gitlab::Token::from_env() else {
        return Err("--store-in-gitlab and --pin-project-ids need a GitLab token in GITLAB_TOKEN (api scope)".to_string());
    };
    if g.variable_environment_scope.trim().is_empty() {
        return Err(
            "--variable-environment-scope must not be empty (* is every environment)".to_string(),
        );
    }
    let provider = input
        .provider_url
        .clone()
        .unwrap_or_else(|| crate::plan::DEFAULT_PROVIDER_URL.to_string());
    let url = crate::gitlab::instance_url(gitlab_url, &provider)?;
    crate::gitlab::Client::new(&url, token)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// Store the role ARN as a CI/CD variable on each project (or the group).
async fn store_variables(
    client: &crate::gitlab::Client,
    g: &GitLabArgs,
    setup: &crate::plan::Setup,
    key: &str,
    arn: &str,
    yes: bool,
) -> Result<(), EngineError> {
    use crate::gitlab::{Owner, Stored, WantedVariable};
    let owners: Vec<Owner> = match &g.gitlab_group {
        Some(group) => vec![Owner::Group(group.clone())],
        None => setup
            .projects
            .iter()
            .filter(|p| !p.is_pattern())
            .map(|p| Owner::Project(p.as_str().to_string()))
            .collect(),
    };
    let mut refused = Vec::new();
    for owner in owners {
        let wanted = WantedVariable {
            owner: owner.clone(),
            key: key.to_string(),
            value: arn.to_string(),
            protected: g.variable_protected,
            masked: g.variable_masked,
            environment_scope: g.variable_environment_scope.clone(),
        };
        let gitlab_err = |e: crate::gitlab::GitLabError| EngineError::GitLab {
            message: e.to_string(),
        };
        let what = format!("GitLab variable {key} on {}", owner.describe());
        let mut stored = client.store(&wanted, yes).await.map_err(gitlab_err)?;
        if let Stored::Differs { from } = &stored {
            let reason = format!("{what} is {from:?}; it would become {arn:?}");
            if !confirm_interactively(std::slice::from_ref(&reason)) {
                refused.push(reason);
                continue;
            }
            stored = client.store(&wanted, true).await.map_err(gitlab_err)?;
        }
        let mark = if stored == Stored::Unchanged {
            "="
        } else {
            "✓"
        };
        eprintln!("{mark} {what}: {}", stored.word());
    }
    if refused.is_empty() {
        Ok(())
    } else {
        Err(EngineError::ConfirmationRequired { reasons: refused })
    }
}

/// For a self-managed instance, check it the way AWS will before anything is read or created in
/// AWS; resolve `--thumbprint auto`. gitlab.com needs no pre-flight (IAM trusts its CA).
async fn preflight_gate(
    mut setup: crate::plan::Setup,
    args: &SetupArgs,
) -> Result<crate::plan::Setup, ExitCode> {
    let auto = args.thumbprints.iter().any(|t| t == "auto");
    if setup.provider_url.is_gitlab_com() || args.skip_preflight {
        if auto && !setup.provider_url.is_gitlab_com() {
            eprintln!(
                "error: --thumbprint auto needs the pre-flight: drop --skip-preflight or give the thumbprint"
            );
            return Err(ExitCode::from(2));
        }
        return Ok(setup);
    }
    let report =
        crate::preflight::run(&setup.provider_url, crate::preflight::public_roots(), 443).await;
    eprint!("{}", report.text());
    if !report.passed() {
        eprintln!(
            "error: the pre-flight of {} failed: AWS would reject this instance's tokens (fix it, or --skip-preflight if AWS can reach what this machine cannot)",
            setup.provider_url
        );
        return Err(ExitCode::from(1));
    }
    if let Some(needed) = report.needed_thumbprint() {
        if auto {
            setup.thumbprints = vec![needed.to_string()];
        } else if !setup.thumbprints.iter().any(|t| t == needed) {
            eprintln!(
                "error: {} is not behind a public CA: IAM needs the thumbprint {needed}; run again with --thumbprint auto (or --thumbprint {needed})",
                setup.provider_url
            );
            return Err(ExitCode::from(1));
        }
    }
    Ok(setup)
}

/// `preflight`: check a self-managed instance the way AWS will.
async fn run_preflight(provider_url: &str, output: OutputFormat) -> ExitCode {
    let url = match crate::plan::input::ProviderUrl::parse(provider_url) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let report = crate::preflight::run(&url, crate::preflight::public_roots(), 443).await;
    match output {
        OutputFormat::Text => print!("{}", report.text()),
        OutputFormat::Json => println!("{}", serde_json::to_value(&report).unwrap_or_default()),
    }
    if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The closing stderr line of a command: how many AWS calls it made, and how many changed something.
fn print_call_count(aws: &SdkAws) {
    let calls = aws.calls();
    let total = calls.total();
    eprintln!(
        "{total} AWS call{}, {} of them changing something",
        if total == 1 { "" } else { "s" },
        calls.mutating()
    );
}
