//! The handlers on the in-memory fake: what each command hands back (stdout, status, exit code),
//! and the journal an `apply` leaves, continued by the wizard with nothing dropped.

use clap::Parser;
use ratatui::crossterm::event::KeyCode;

use super::*;
use crate::aws::fake::FakeAws;
use crate::journal::Store;
use crate::tui::app::tests::{identity, key, send};
use crate::tui::app::{App, Confirm, Effect, Msg, Screen, update};

/// A private journal for one test.
fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = Store::at(dir.path().join("journal.json"));
    (dir, store)
}

/// `aws-oidc-wizard apply …`, parsed by clap as the program parses it.
struct Apply {
    setup: SetupArgs,
    yes: bool,
    from_journal: bool,
    ci: CiJobArgs,
    gitlab: GitLabArgs,
}

fn apply_args(flags: &[&str]) -> Apply {
    let argv = ["aws-oidc-wizard", "apply"].iter().chain(flags);
    let cli = Cli::try_parse_from(argv).expect("valid flags");
    match cli.command {
        Some(Command::Apply {
            setup,
            yes,
            from_journal,
            ci,
            gitlab,
            ..
        }) => Apply {
            setup,
            yes,
            from_journal,
            ci,
            gitlab,
        },
        other => panic!("not apply: {other:?}"),
    }
}

async fn prepare(a: &Apply, store: &Store) -> Result<setup::Request, CliError> {
    let apply = setup::ApplyArgs {
        yes: a.yes,
        from_journal: a.from_journal,
        ci: &a.ci,
        gitlab: &a.gitlab,
        job_region: crate::ci_job::DEFAULT_REGION.to_string(),
    };
    setup::prepare(&a.setup, Some(apply), None, false, store).await
}

/// `apply FLAGS` on the fake, as the program runs it.
async fn run_apply(
    fake: &FakeAws,
    store: &Store,
    flags: &[&str],
    output: OutputFormat,
) -> Result<Outcome, CliError> {
    let request = prepare(&apply_args(flags), store).await?;
    setup::apply(fake, request, store, output).await
}

const WEB: &[&str] = &[
    "--project",
    "acme/web",
    "--role-name",
    "web",
    "--policy",
    "ReadOnlyAccess",
];

/// Every setup flag the command line has for gitlab.com.
const GITLAB_COM: &[&str] = &[
    "--provider-url",
    "https://gitlab.com",
    "--audience",
    "sts.amazonaws.com",
    "--project",
    "acme/web",
    "--project",
    "acme/api",
    "--ref",
    "main",
    "--ref",
    "release/*",
    "--ref-type",
    "tag",
    "--ref-protected",
    "--project-id",
    "4242",
    "--project-id",
    "77",
    "--role-name",
    "ci-deploy",
    "--role-path",
    "/ci/",
    "--description",
    "Deploys acme from GitLab",
    "--policy",
    "ViewOnlyAccess",
    "--policy",
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "--max-session-duration",
    "7200",
    "--permissions-boundary",
    "arn:aws:iam::123456789012:policy/ci-boundary",
];

/// The same for a self-managed instance behind a private CA (thumbprint given, pre-flight skipped).
const SELF_MANAGED: &[&str] = &[
    "--provider-url",
    "https://git.example.com",
    "--project",
    "platform/infra",
    "--ref",
    "main",
    "--thumbprint",
    "9E:99:A4:8A:99:60:B1:49:26:BB:7F:3B:02:E2:2D:A2:B0:AB:72:80",
    "--skip-preflight",
    "--role-name",
    "infra-ci",
    "--role-path",
    "/gitlab/",
    "--description",
    "Infra pipelines",
    "--policy",
    "ReadOnlyAccess",
    "--max-session-duration",
    "3600",
];

/// The account of these tests: the fake's, plus the customer managed boundary the flags name.
fn account() -> FakeAws {
    let fake = FakeAws::new();
    let arn = "arn:aws:iam::123456789012:policy/ci-boundary";
    fake.state.lock().expect("state").policies.insert(
        arn.into(),
        crate::aws::ManagedPolicy {
            arn: arn.into(),
            name: "ci-boundary".into(),
            attachable: true,
        },
    );
    fake
}

const THUMBPRINT: &str = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280";

/// A CLI apply whose first attach is refused, leaving its journal: the provider, the role and the
/// other attach (made beside the refused one) are finished.
async fn stopped_apply(flags: &[&str], fake: &FakeAws, store: &Store) -> setup::Request {
    let args = apply_args(flags);
    let request = prepare(&args, store).await.expect("valid setup");
    let cli_setup = prepare(&args, store).await.expect("valid setup");
    fake.fail_next("AttachRolePolicy", "AccessDenied");
    let err = setup::apply(fake, request, store, OutputFormat::Text)
        .await
        .expect_err("the attach fails");
    assert_eq!(err.code(), 1, "{}", err.line());
    assert!(err.line().contains("AccessDenied"), "{}", err.line());
    let journal = store.load().expect("the stopped run left its journal");
    // Provider, role, and every attach but the refused one.
    let policies = flags.iter().filter(|f| **f == "--policy").count();
    assert_eq!(
        journal.finished.len(),
        2 + policies - 1,
        "{:?}",
        journal.finished
    );
    cli_setup
}

/// The wizard, continuing the journal in `store`, up to the plan it asks the engine for.
fn wizard_continues(store: &Store) -> (App, Vec<Effect>) {
    let mut app = App::new(None, None);
    app.offer_resume(store.load().expect("a journal"));
    app.start();
    assert!(matches!(app.confirm, Some(Confirm::Resume { .. })));
    send(&mut app, [key(KeyCode::Char('c'))]);
    let effects = update(
        &mut app,
        Msg::Identity {
            attempt: 1,
            result: Ok(identity()),
        },
    );
    assert_eq!(app.screen, Screen::Review);
    (app, effects)
}

fn planned_setup(effects: &[Effect]) -> Option<crate::plan::Setup> {
    effects.iter().find_map(|e| match e {
        Effect::Plan { setup, .. } => Some((**setup).clone()),
        _ => None,
    })
}

#[tokio::test]
async fn a_journal_of_every_gitlab_com_flag_is_continued_by_the_wizard_with_the_same_plan() {
    let (_dir, store) = store();
    let fake = account();
    let cli = stopped_apply(GITLAB_COM, &fake, &store).await;

    let (mut app, effects) = wizard_continues(&store);
    assert_eq!(app.role.path.value, "/ci/");
    let wizard = planned_setup(&effects).expect("the wizard plans at once for gitlab.com");
    assert_eq!(
        wizard, cli.setup,
        "the wizard's setup is the command line's"
    );

    let from_cli = crate::engine::plan(&fake, &cli.setup).await.expect("plan");
    let from_wizard = crate::engine::plan(&fake, &wizard).await.expect("plan");
    assert_eq!(from_wizard, from_cli);
    assert_eq!(
        from_wizard.role.arn, "arn:aws:iam::123456789012:role/ci/ci-deploy",
        "the role is where the command line put it, not at /"
    );

    // Back on Permissions, the names from the command line become the listed ARNs, ticked.
    let effects = send(&mut app, [key(KeyCode::Esc), key(KeyCode::Esc)]);
    assert_eq!(app.screen, Screen::Permissions);
    let attempt = effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadPolicies { attempt } => Some(*attempt),
            _ => None,
        })
        .unwrap_or_else(|| panic!("the list is loaded: {effects:?}"));
    let list = fake.list_aws_managed_policies().await.expect("list");
    send(
        &mut app,
        [Msg::Policies {
            attempt,
            result: Ok(list),
        }],
    );
    let mut selected: Vec<&str> = app
        .permissions
        .selected
        .iter()
        .map(String::as_str)
        .collect();
    selected.sort();
    assert_eq!(
        selected,
        [
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
        ]
    );
    // The name is now its ARN; what it resolves to is the same.
    let resolved = app.setup_input().validate().expect("valid");
    assert_eq!(
        crate::engine::plan(&fake, &resolved).await.expect("plan"),
        from_cli
    );

    // And back: the journal the wizard keeps is continued by `apply --from-journal` as it is.
    store
        .save(&crate::journal::Journal::new(app.setup_input(), None))
        .expect("saved");
    let continued = prepare(&apply_args(&["--from-journal"]), &store)
        .await
        .expect("valid");
    assert_eq!(continued.setup, resolved);
}

#[tokio::test]
async fn a_journal_of_a_self_managed_setup_keeps_its_thumbprint_in_the_wizard() {
    let (_dir, store) = store();
    let fake = account();
    let cli = stopped_apply(SELF_MANAGED, &fake, &store).await;
    assert_eq!(cli.setup.thumbprints, [THUMBPRINT]);
    assert_eq!(
        store.load().map(|j| j.answers.thumbprints),
        Some(vec![THUMBPRINT.to_string()])
    );

    let (mut app, effects) = wizard_continues(&store);
    // The wizard checks the instance the way AWS will before it plans.
    let attempt = effects
        .iter()
        .find_map(|e| match e {
            Effect::Preflight { attempt, url } if url == "https://git.example.com" => {
                Some(*attempt)
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("a pre-flight first: {effects:?}"));
    assert!(planned_setup(&effects).is_none());
    let report = crate::preflight::Report::private_ca("https://git.example.com", THUMBPRINT);
    let effects = send(
        &mut app,
        [Msg::Preflighted {
            attempt,
            report: Box::new(report),
        }],
    );
    let wizard = planned_setup(&effects).expect("planned once the pre-flight passed");
    assert_eq!(wizard, cli.setup);
    assert_eq!(
        crate::engine::plan(&fake, &wizard).await.expect("plan"),
        crate::engine::plan(&fake, &cli.setup).await.expect("plan")
    );
}

#[tokio::test]
async fn apply_twice_changes_nothing_the_second_time_and_prints_only_the_arn() {
    let (_dir, store) = store();
    let fake = account();
    let first = run_apply(&fake, &store, WEB, OutputFormat::Text)
        .await
        .expect("applied");
    assert_eq!(
        first,
        Outcome::success("arn:aws:iam::123456789012:role/web\n")
    );
    assert!(
        store.load().is_none(),
        "a finished setup clears its journal"
    );
    let changed = fake.calls().mutating();
    let second = run_apply(&fake, &store, WEB, OutputFormat::Text)
        .await
        .expect("applied");
    assert_eq!(second, first);
    assert_eq!(
        fake.calls().mutating(),
        changed,
        "the second run changed nothing"
    );
}

#[tokio::test]
async fn from_journal_continues_with_only_the_missing_calls() {
    let (_dir, store) = store();
    let fake = account();
    stopped_apply(GITLAB_COM, &fake, &store).await;
    let before = fake.calls().snapshot().len();
    let out = run_apply(&fake, &store, &["--from-journal"], OutputFormat::Text)
        .await
        .expect("finished");
    assert_eq!(
        out.stdout(),
        "arn:aws:iam::123456789012:role/ci/ci-deploy\n"
    );
    let calls = fake.calls().snapshot();
    let changes: Vec<&str> = calls[before..]
        .iter()
        .map(String::as_str)
        .filter(|c| crate::aws::calls::is_mutating(c))
        .collect();
    assert_eq!(
        changes,
        ["iam.AttachRolePolicy"],
        "provider, role and the other attach were made by the stopped run"
    );
    assert!(store.load().is_none());
}

#[tokio::test]
async fn a_failed_apply_prints_nothing_on_stdout() {
    let (_dir, store) = store();
    let fake = account();
    fake.fail_next("CreateRole", "AccessDenied");
    let err = run_apply(&fake, &store, WEB, OutputFormat::Json)
        .await
        .expect_err("denied");
    // An `Err` has no stdout at all: only its line for stderr.
    assert_eq!(err.code(), 1);
    assert!(
        err.line().starts_with("error: step \"role\": "),
        "{}",
        err.line()
    );
    assert!(err.line().contains("AccessDenied"), "{}", err.line());
}

#[tokio::test]
async fn bad_input_is_exit_code_2_before_any_aws_call() {
    let (_dir, store) = store();
    let err = prepare(
        &apply_args(&["--project", "acme", "--role-name", "web"]),
        &store,
    )
    .await
    .err()
    .expect("a project needs a group");
    assert_eq!(err.code(), 2);
    assert!(err.line().starts_with("error: --project"), "{}", err.line());

    let err = prepare(&apply_args(&["--from-journal"]), &store)
        .await
        .err()
        .expect("nothing to continue");
    assert_eq!(err.code(), 2);
    assert!(err.line().contains("no stopped setup"), "{}", err.line());

    let auto_skipped = apply_args(&[
        "--provider-url",
        "https://git.example.com",
        "--project",
        "a/b",
        "--role-name",
        "r",
        "--thumbprint",
        "auto",
        "--skip-preflight",
    ]);
    let err = prepare(&auto_skipped, &store)
        .await
        .err()
        .expect("auto needs the pre-flight");
    assert_eq!(err.code(), 2, "{}", err.line());
}

#[tokio::test]
async fn check_and_destroy_end_with_their_status() {
    let (_dir, store) = store();
    let fake = account();
    run_apply(&fake, &store, WEB, OutputFormat::Text)
        .await
        .expect("applied");

    let clean = check::run(
        &fake,
        Some("web"),
        true,
        crate::check::Severity::Medium,
        (OutputFormat::Json, None),
    )
    .await
    .expect("checked");
    assert_eq!(clean.status, Status::Success, "{}", clean.stdout());
    let reports: serde_json::Value = serde_json::from_str(&clean.stdout()).expect("json");
    // A trust of paths without ids is a low finding: below the default --fail-on medium.
    let codes: Vec<&str> = reports[0]["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert_eq!(codes, ["path-only"]);
    let strict = check::run(
        &fake,
        Some("web"),
        true,
        crate::check::Severity::Low,
        (OutputFormat::Json, None),
    )
    .await
    .expect("checked");
    assert_eq!(strict.status, Status::Negative, "--fail-on low");

    let missing = check::run(
        &fake,
        Some("nobody"),
        true,
        crate::check::Severity::Medium,
        (OutputFormat::Text, None),
    )
    .await
    .expect_err("no such role");
    assert_eq!(missing.code(), 1);
    assert!(missing.line().contains("nobody"), "{}", missing.line());

    // Without a yes and without a terminal, nothing is removed.
    let refused = destroy::run(
        &fake,
        "web",
        destroy::Consent {
            yes: false,
            force: false,
        },
        OutputFormat::Text,
    )
    .await
    .expect_err("needs a yes");
    assert_eq!(refused.code(), 3, "confirmation needed");
    assert_eq!(refused.kind(), "ConfirmationRequired");
    assert!(fake.state.lock().expect("state").roles.contains_key("web"));

    let removed = destroy::run(
        &fake,
        "web",
        destroy::Consent {
            yes: true,
            force: false,
        },
        OutputFormat::Json,
    )
    .await
    .expect("removed");
    let json: serde_json::Value = serde_json::from_str(&removed.stdout()).expect("json");
    assert_eq!(json["removed"], true);
    assert!(!fake.state.lock().expect("state").roles.contains_key("web"));
    let again = destroy::run(
        &fake,
        "web",
        destroy::Consent {
            yes: true,
            force: false,
        },
        OutputFormat::Text,
    )
    .await
    .expect("nothing to remove");
    assert_eq!(again, Outcome::success(""));
}

/// Every environment variable the program reads is named in `--help` (and `-h` points there).
#[test]
fn help_lists_every_environment_variable_read() {
    use clap::CommandFactory;
    let long = Cli::command().render_long_help().to_string();
    for name in [
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_ENDPOINT_URL",
        "AWS_MAX_ATTEMPTS",
        "AWS_OIDC_WIZARD_ATTEMPT_TIMEOUT",
        "AWS_OIDC_WIZARD_CONCURRENCY",
        "AWS_OIDC_WIZARD_ACCOUNTS",
        "AWS_OIDC_WIZARD_LOG",
        "GITLAB_TOKEN",
        "GITLAB_HOST",
        "CI_SERVER_URL",
        "XDG_STATE_HOME",
        "XDG_CONFIG_HOME",
        "AWS_DEFAULT_REGION",
        "NO_COLOR",
    ] {
        assert!(long.contains(name), "{name} is not in --help");
    }
    // The README's table names the same ones.
    let readme = include_str!("../../README.md");
    let table = &readme[readme.find("### Environment variables").expect("the table")..];
    for name in [
        "AWS_MAX_ATTEMPTS",
        "AWS_OIDC_WIZARD_CONCURRENCY",
        "AWS_OIDC_WIZARD_ACCOUNTS",
        "GITLAB_HOST",
        "XDG_CONFIG_HOME",
        "NO_COLOR",
    ] {
        assert!(table.contains(name), "{name} is not in the README's table");
    }
    // What the sources read, found by their names: none left out of the list above.
    for file in [
        include_str!("../aws/sdk/mod.rs"),
        include_str!("../aws/sdk/connect.rs"),
        include_str!("../check/mod.rs"),
        include_str!("../check/read.rs"),
        include_str!("../check/org.rs"),
        include_str!("../gitlab.rs"),
        include_str!("../logging.rs"),
        include_str!("../journal.rs"),
        include_str!("../config.rs"),
    ] {
        for part in file.split('"').skip(1).step_by(2) {
            let looks_like_env = part.len() > 3
                && part.chars().all(|c| c.is_ascii_uppercase() || c == '_')
                && (part.starts_with("AWS_")
                    || part.starts_with("GITLAB_")
                    || part.starts_with("XDG_")
                    || part.starts_with("CI_"));
            if looks_like_env && part != "AWS_OIDC_WIZARD_TEST_PANIC" {
                assert!(long.contains(part), "{part} is read but not in --help");
            }
        }
    }
    assert!(
        Cli::command()
            .render_help()
            .to_string()
            .contains("--help lists the environment")
    );
}

/// Every command's help has an example and its global flags under their own heading; the exit
/// codes in `--help` and the README are the ones `exit::code` gives.
#[test]
fn every_command_has_an_example_and_the_exit_codes_are_documented() {
    use clap::CommandFactory;
    let mut cli = Cli::command();
    cli.build();
    for sub in cli.get_subcommands_mut() {
        if sub.get_name() == "help" {
            continue;
        }
        let help = sub.render_long_help().to_string();
        assert!(
            help.contains("Example:"),
            "{} has no example",
            sub.get_name()
        );
        assert!(
            help.contains("Global options:"),
            "{} mixes the global flags with its own",
            sub.get_name()
        );
    }
    let long = Cli::command().render_long_help().to_string();
    let readme = include_str!("../../README.md");
    use super::exit::code;
    for (n, words) in [
        (code::SUCCESS, "success"),
        (code::FAILURE, "failure"),
        (code::BAD_INPUT, "bad input"),
        (code::CONFIRMATION_NEEDED, "confirmation needed"),
        (code::NEGATIVE, "a negative answer"),
        (code::INTERRUPTED, "interrupted"),
    ] {
        assert!(
            long.contains(&format!("  {n:<4} {words}")),
            "--help: {n} {words}"
        );
        assert!(
            readme.contains(&format!("| {n} | {words}")),
            "README: {n} {words}"
        );
    }
}
