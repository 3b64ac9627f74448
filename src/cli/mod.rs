//! The scripted command line: `args` holds the clap types, this module turns them into a call of
//! one handler (a file per command), and `exit` turns what the handler returns into stderr text
//! and an exit code. stdout carries only the result (the role ARN, or JSON); everything else goes
//! to stderr. Handlers take `&impl Aws`, so they run on the in-memory fake in unit tests.

#[macro_use]
mod args;
mod arn;
mod check;
mod ci_job;
mod config;
mod destroy;
pub mod exit;
mod explain;
mod export;
mod flags;
mod preflight;
mod prompt;
mod rollout;
mod setup;
#[cfg(test)]
mod tests;
mod wizard;

use std::process::ExitCode;

pub use args::{
    CiJobArgs, Cli, Command, ExplainArgs, GateArgs, GitLabArgs, OutputArg, OutputFormat,
    ReportFormat, SetupArgs,
};
pub use exit::{Body, CliError, Outcome, Status};

use crate::aws::Aws;
use crate::aws::any::AnyAws;
use crate::aws::sdk::{ConnectOptions, SdkAws};

/// Parse the arguments; a usage error is one line on stderr and exit code 2.
pub fn parse() -> Result<Cli, ExitCode> {
    use clap::{CommandFactory, FromArgMatches};
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|m| Ok((Cli::from_arg_matches(&m)?, config::given(&m))));
    match parsed {
        Ok((mut cli, given)) => {
            cli.given = given;
            Ok(cli)
        }
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            Err(ExitCode::SUCCESS)
        }
        Err(e) => {
            // One line, keeping clap's help: the possible values and its "did you mean" tip.
            let args: Vec<String> = std::env::args().skip(1).collect();
            let rendered = e.to_string();
            let mut lines = rendered.lines().map(str::trim).filter(|l| !l.is_empty());
            let first = lines
                .next()
                .unwrap_or("error: invalid arguments")
                .to_string();
            let help: Vec<&str> = lines
                .filter(|l| l.starts_with("[possible values") || l.starts_with("tip:"))
                .collect();
            let line = if help.is_empty() {
                format!("{first} (see --help)")
            } else {
                format!("{first} {} (see --help)", help.join("; "))
            };
            if wants_json(&args) {
                let cli = Cli::command();
                let command = args
                    .iter()
                    .find(|a| cli.find_subcommand(a.as_str()).is_some())
                    .map_or("wizard", String::as_str);
                let error = CliError::usage(line.strip_prefix("error: ").unwrap_or(&line));
                let face = exit::Face {
                    command,
                    json: true,
                    demo: args.iter().any(|a| a == "--demo"),
                };
                exit::stdout(&format!(
                    "{}\n",
                    crate::sanitize::json(&exit::envelope(&face, &Err(error)))
                ));
            }
            say!("{line}");
            Err(ExitCode::from(exit::code::BAD_INPUT))
        }
    }
}

/// Whether the command line asks for JSON (read from the raw arguments: for a line clap refused).
fn wants_json(args: &[String]) -> bool {
    args.iter()
        .zip(args.iter().skip(1).chain(std::iter::once(&String::new())))
        .any(|(a, next)| a == "--output=json" || (a == "--output" && next == "json"))
}

/// Run a parsed command line to its exit code.
pub async fn run(cli: Cli) -> ExitCode {
    let name = cli.command.as_ref().map_or("wizard", Command::name);
    let (output, report) = cli.output.split();
    let json = output == OutputFormat::Json;
    // Completions and the manual page have nothing to do with an account: no demo prefix, and
    // nothing taken from the config file (a broken one does not stop them).
    let about_an_account = !matches!(
        cli.command,
        Some(Command::Completions { .. } | Command::Man)
    );
    let demo = cli.demo && about_an_account;
    let face = exit::Face {
        command: name,
        json,
        demo,
    };
    exit::set_demo(demo);
    crate::verbosity::set(if cli.quiet {
        crate::verbosity::Level::Quiet
    } else if cli.verbose {
        crate::verbosity::Level::Verbose
    } else {
        crate::verbosity::Level::Normal
    });
    crate::verbosity::set_printer(|line| exit::say(&format!("{line}\n")));
    if let Err(e) = crate::logging::init(cli.log_file.clone()) {
        return exit::finish(&face, Err(CliError::usage(format!("--log-file: {e}"))));
    }
    if let Some(region) = cli.region.as_deref()
        && let Err(e) = crate::plan::input::check_region(region)
    {
        return exit::finish(&face, Err(CliError::from(e)));
    }
    let options = ConnectOptions {
        profile: cli.profile.clone(),
        region: cli.region.clone(),
        endpoint_url: cli.endpoint_url.clone(),
        demo: cli.demo,
    };
    // The flag, else the environment (as glab), else the provider URL (decided later).
    let gitlab_url = cli
        .gitlab_url
        .or_else(|| crate::gitlab::url_from_env(|k| std::env::var(k).ok()));
    let default_config = crate::config::default_path(|k| std::env::var(k).ok());
    let loaded = match about_an_account
        .then(|| crate::config::load(cli.config.as_deref(), default_config.clone()))
    {
        None => crate::config::Loaded::default(),
        Some(Ok(l)) => l,
        Some(Err(e)) => return exit::finish(&face, Err(CliError::usage(e))),
    };
    if report.is_some() && !matches!(cli.command, Some(Command::Check { .. })) {
        return exit::finish(
            &face,
            Err(CliError::usage(format!(
                "--output {} is a report of check only: use text or json here",
                if report == Some(ReportFormat::Sarif) {
                    "sarif"
                } else {
                    "codequality"
                }
            ))),
        );
    }
    let mut command = cli.command;
    if let Some(c) = command.as_mut() {
        config::merge(c, &cli.given, &loaded.config);
    }
    let Some(command) = command else {
        if cli.quiet || cli.verbose {
            // The wizard draws on the terminal: nothing else may print there.
            return exit::finish(
                &face,
                Err(CliError::usage(
                    "--quiet and --verbose are for the commands; the wizard writes its log with --log-file",
                )),
            );
        }
        let (result, demo) = wizard::run(options, gitlab_url, &loaded.config, json).await;
        // The demo may have been chosen inside the wizard (no credentials, `d`).
        let face = exit::Face { demo, ..face };
        return exit::finish(&face, result);
    };
    let context = Context {
        options,
        config: loaded,
        default_config,
        output,
        report,
        gitlab_url,
        demo,
    };
    tokio::select! {
        result = dispatch(command, &context) => exit::finish(&face, result),
        () = crate::interrupt::requested() => {
            if json {
                exit::stdout(&format!("{}\n", crate::sanitize::json(&exit::envelope(&face, &Err(CliError::interrupted())))));
            }
            say!("\n{}", crate::interrupt::MESSAGE);
            ExitCode::from(exit::code::INTERRUPTED)
        }
    }
}

/// What the demo does not do, refused before anything runs: it reaches no GitLab and no other
/// host, and writes no file.
fn demo_refusal(command: &Command) -> Result<(), CliError> {
    let refused = |what: &str| Err(CliError::usage(format!("--demo {what}")));
    match command {
        Command::Apply { ci, gitlab, .. } => {
            if ci.write_ci_job.is_some() {
                return refused(
                    "writes no files: drop --write-ci-job (`ci-job --demo` prints the job)",
                );
            }
            if gitlab.store_in_gitlab || gitlab.pin_project_ids {
                return refused("reaches no GitLab: drop --store-in-gitlab and --pin-project-ids");
            }
            Ok(())
        }
        Command::CiJob { ci, .. } if ci.write_ci_job.is_some() => {
            refused("writes no files: drop --write-ci-job to print the job")
        }
        Command::Preflight { .. } => refused(
            "contacts no host: preflight checks a real GitLab instance, run it without --demo",
        ),
        _ => Ok(()),
    }
}

/// What every command may use besides its own flags.
struct Context {
    options: ConnectOptions,
    /// The config file read (or none), and where it is looked for by default.
    config: crate::config::Loaded,
    default_config: Option<std::path::PathBuf>,
    output: OutputFormat,
    /// `check`'s report format, instead of `output`.
    report: Option<ReportFormat>,
    gitlab_url: Option<String>,
    /// `--demo`: the in-memory demo account; nothing leaves the process, nothing is written.
    demo: bool,
}

/// Each command: its checks before AWS is touched, then its handler on a connected client.
async fn dispatch(command: Command, cx: &Context) -> Result<Outcome, CliError> {
    if cx.demo {
        demo_refusal(&command)?;
    }
    let store = crate::journal::Store::for_run(cx.demo);
    match command {
        Command::Plan {
            setup: args,
            detailed_exitcode,
            org,
        } if org.org => {
            let scope = rollout::scope(&org)?;
            let request =
                setup::prepare(&args, None, cx.gitlab_url.as_deref(), !cx.demo, &store).await?;
            rollout::policies_for_every_account(&request.setup)?;
            let aws = connect(cx, true).await;
            let target = rollout::rollout(&request.setup, scope, &aws_region(&aws));
            counted(
                &aws,
                rollout::plan(&aws, &target, detailed_exitcode, cx.output).await,
            )
        }
        Command::Plan {
            setup: args,
            detailed_exitcode,
            org,
        } => {
            if let Some(flag) = org.needs_org() {
                return Err(CliError::usage(format!("{flag} works with --org only")));
            }
            let request =
                setup::prepare(&args, None, cx.gitlab_url.as_deref(), !cx.demo, &store).await?;
            let aws = connect(cx, true).await;
            counted(
                &aws,
                setup::plan(&aws, &request, detailed_exitcode, cx.output).await,
            )
        }
        Command::Apply {
            setup: args,
            yes,
            from_journal,
            ci,
            gitlab,
            org,
        } if org.org => {
            if from_journal {
                return Err(CliError::usage(
                    "--from-journal continues one account's setup; a rollout with --org continues from the stack set itself: run the same command again",
                ));
            }
            if gitlab.store_in_gitlab {
                return Err(CliError::usage(
                    "--store-in-gitlab stores one ARN, and a rollout makes one role in each account: store each with `arn --role-name` in that account",
                ));
            }
            if ci.write_ci_job.is_some() {
                return Err(CliError::usage(
                    "--write-ci-job writes one account's job; write it with `ci-job` once the rollout is done",
                ));
            }
            let scope = rollout::scope(&org)?;
            let request =
                setup::prepare(&args, None, cx.gitlab_url.as_deref(), !cx.demo, &store).await?;
            rollout::policies_for_every_account(&request.setup)?;
            let aws = connect(cx, true).await;
            let target = rollout::rollout(&request.setup, scope, &aws_region(&aws));
            counted(&aws, rollout::apply(&aws, &target, yes, cx.output).await)
        }
        Command::Apply {
            setup: args,
            yes,
            from_journal,
            ci,
            gitlab,
            org,
        } => {
            if let Some(flag) = org.needs_org() {
                return Err(CliError::usage(format!("{flag} works with --org only")));
            }
            let apply = setup::ApplyArgs {
                yes,
                from_journal,
                ci: &ci,
                gitlab: &gitlab,
                job_region: job_region(cx),
            };
            let request = setup::prepare(
                &args,
                Some(apply),
                cx.gitlab_url.as_deref(),
                !cx.demo,
                &store,
            )
            .await?;
            let aws = connect(cx, true).await;
            counted(&aws, setup::apply(&aws, request, &store, cx.output).await)
        }
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "aws-oidc-wizard",
                &mut out,
            );
            let mut script = String::from_utf8_lossy(&out).into_owned();
            if shell == clap_complete::Shell::Bash {
                // clap_complete 4.6 names a subcommand's case label from the binary name with
                // each '-' as "__subcmd__", but the loop that picks it with '-' as "__": for a
                // hyphenated name no subcommand would ever complete. One name for both.
                script = script.replace("aws__subcmd__oidc__subcmd__wizard", "aws__oidc__wizard");
            }
            Ok(Outcome::success(match cx.output {
                OutputFormat::Text => Body::Text(script),
                OutputFormat::Json => {
                    Body::Json(serde_json::json!({"shell": shell.to_string(), "script": script}))
                }
            }))
        }
        Command::Config { .. } => config::show(&cx.config, cx.default_config.as_deref(), cx.output),
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
                .render(&mut out)
                .map_err(|e| CliError::failed(format!("the manual page could not be made: {e}")))?;
            let page = String::from_utf8_lossy(&out).into_owned();
            Ok(Outcome::success(match cx.output {
                OutputFormat::Text => Body::Text(page),
                OutputFormat::Json => {
                    Body::Json(serde_json::json!({"format": "roff", "content": page}))
                }
            }))
        }
        Command::Export {
            format,
            from_role: Some(role),
            setup: args,
        } => {
            export::validate_from_role(&role, format, &args)?;
            let aws = connect(cx, true).await;
            counted(&aws, export::from_role(&aws, &role, cx.output).await)
        }
        Command::Export {
            format,
            from_role: None,
            setup: args,
        } => {
            let request =
                setup::prepare(&args, None, cx.gitlab_url.as_deref(), !cx.demo, &store).await?;
            export::run(&request.setup, format, cx.output)
        }
        Command::CiJob {
            audience,
            provider_url,
            refs,
            ref_type,
            ref_protected,
            ci,
            gate,
        } => {
            let rules = ci_job::rules(&refs, ref_type, ref_protected)?;
            ci_job::run(
                audience.as_deref(),
                provider_url.as_deref(),
                &ci,
                &gate,
                &rules,
                &job_region(cx),
                cx.output,
            )
        }
        Command::Explain(args) => {
            let claims = explain::claims(&args)?;
            let request_keys = explain::request_keys(&args)?;
            let aws = connect(cx, false).await;
            explain::run(&aws, &args.role_name, &claims, &request_keys, cx.output).await
        }
        Command::Preflight { provider_url } => preflight::run(&provider_url, cx.output).await,
        Command::Check {
            org,
            offline,
            fail_on,
            allow_unreadable,
            ..
        } if org.org => {
            let scope = org.scope()?;
            let aws = connect(cx, false).await;
            check::run_org(
                &aws,
                &scope,
                offline || cx.demo,
                fail_on,
                allow_unreadable,
                (cx.output, cx.report),
            )
            .await
        }
        Command::Check {
            trust_file,
            terraform_plan,
            cloudformation,
            fail_on,
            ..
        } if !(trust_file.is_empty() && terraform_plan.is_empty() && cloudformation.is_empty()) => {
            use crate::check::files::Kind;
            let files: Vec<(Kind, std::path::PathBuf)> = trust_file
                .into_iter()
                .map(|p| (Kind::TrustFile, p))
                .chain(terraform_plan.into_iter().map(|p| (Kind::TerraformPlan, p)))
                .chain(
                    cloudformation
                        .into_iter()
                        .map(|p| (Kind::CloudFormation, p)),
                )
                .collect();
            check::run_files(&files, fail_on, (cx.output, cx.report))
        }
        Command::Check {
            role_name,
            all,
            offline,
            fail_on,
            org,
            allow_unreadable,
            ..
        } => {
            if let Some(flag) = org
                .needs_org()
                .or(allow_unreadable.then_some("--allow-unreadable"))
            {
                return Err(CliError::usage(format!("{flag} works with --org only")));
            }
            if role_name.is_none() && !all {
                return Err(CliError::usage(
                    "name the role with --role-name NAME, or audit every one with --all (or every account of the Organization with --org, or files before apply with --trust-file, --terraform-plan or --cloudformation)",
                ));
            }
            check::validate(role_name.as_deref())?;
            let aws = connect(cx, false).await;
            // The demo contacts no host.
            check::run(
                &aws,
                role_name.as_deref(),
                offline || cx.demo,
                fail_on,
                (cx.output, cx.report),
            )
            .await
        }
        Command::Arn { role_name } => {
            // The same check as `check --role-name`'s: an optional role name.
            check::validate(role_name.as_deref())?;
            let aws = connect(cx, true).await;
            counted(&aws, arn::run(&aws, role_name.as_deref(), cx.output).await)
        }
        Command::Destroy {
            role_name,
            yes,
            org: true,
            member_role_name,
            ..
        } => {
            destroy::validate(&role_name)?;
            let member_role = crate::plan::org::member_role(
                member_role_name
                    .as_deref()
                    .unwrap_or(crate::aws::org::DEFAULT_MEMBER_ROLE),
            )?;
            let aws = connect(cx, false).await;
            counted(
                &aws,
                rollout::destroy(&aws, &role_name, &member_role, yes, cx.output).await,
            )
        }
        Command::Destroy {
            role_name,
            yes,
            force,
            org: false,
            member_role_name,
        } => {
            if member_role_name.is_some() {
                return Err(CliError::usage("--member-role-name works with --org only"));
            }
            destroy::validate(&role_name)?;
            let aws = connect(cx, false).await;
            let answer = destroy::Consent { yes, force };
            counted(
                &aws,
                destroy::run(&aws, &role_name, answer, cx.output).await,
            )
        }
    }
}

/// The region a written CI job gets (see `ci_job::region_for_job`).
fn job_region(cx: &Context) -> String {
    crate::ci_job::region_for_job(cx.options.region.as_deref(), |k| std::env::var(k).ok())
}

/// The AWS clients, built once for the command. `reading`: say where the setup is read from.
async fn connect(cx: &Context, reading: bool) -> AnyAws {
    if cx.demo {
        note!("an in-memory demo account (nothing is sent to AWS, nothing is written)");
        return AnyAws::demo();
    }
    let aws = SdkAws::connect(&cx.options).await;
    if reading {
        let c = &aws.connection;
        note!(
            "Reading the current setup (profile {}, region {}{})…",
            c.profile.as_deref().unwrap_or("default"),
            c.region,
            c.endpoint_url
                .as_deref()
                .map(|e| format!(", endpoint {e}"))
                .unwrap_or_default()
        );
    }
    AnyAws::Sdk(Box::new(aws))
}

/// The closing stderr line of a command that changes AWS: how many calls it made, and how many
/// changed something. Printed whatever the result.
/// The region the run signs for: where a rollout's stack instances go.
fn aws_region(aws: &AnyAws) -> String {
    match aws {
        AnyAws::Sdk(a) => a.connection.region.clone(),
        AnyAws::Demo(_) => crate::aws::sdk::FALLBACK_REGION.to_string(),
    }
}

fn counted<T>(aws: &AnyAws, result: T) -> T {
    let calls = aws.calls();
    let line = crate::output::calls_line(calls.total(), calls.mutating());
    if aws.is_demo() {
        note!("{line}, all answered by the demo account (none sent to AWS)");
    } else {
        note!("{line}");
    }
    result
}

/// A value as the result of `--output json` (it goes into the envelope).
fn json_body(value: &impl serde::Serialize) -> exit::Body {
    exit::Body::Json(serde_json::to_value(value).unwrap_or_default())
}
