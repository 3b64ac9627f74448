//! The interactive wizard end to end: the real binary in tmux against the AWS emulator, driven by
//! keystrokes, the screen read with capture-pane, the result checked through the SDK.

mod common;

use common::tmux::Tmux;
use common::{BIN, Emulator, attached_policies, block_on, providers, trust_policy};
use serde_json::json;

const ROLE: &str = "gitlab-acme-web";
const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/gitlab-acme-web";

/// Enter on Review asks; the Apply button applies.
fn apply(t: &Tmux) {
    t.keys(&["Enter"]);
    t.wait_for("Apply them now?");
    t.press_button("Apply");
}

/// From the first screen to Review: acme/web on protected main, ReadOnlyAccess.
fn answer_everything(t: &Tmux) {
    t.wait_for("✓ Account  123456789012");
    t.keys(&["Enter"]);
    t.wait_for("will create");
    t.keys(&["Tab", "Tab", "Enter"]);
    t.wait_for("Who may assume ─");
    t.type_text("acme/web");
    t.keys(&["Tab", "Tab", "C-u"]);
    t.type_text("main");
    t.keys(&["Tab", "Right", "Tab", "Tab"]);
    let trust = t.screen();
    assert!(
        trust.contains("\"gitlab.com:ref_protected\": \"true\""),
        "{trust}"
    );
    t.keys(&["Enter"]);
    t.wait_for("(this account's) ·");
    t.type_text("ReadOnlyAccess");
    t.wait_for("│ [ ] ReadOnlyAccess ");
    t.keys(&["Tab"]);
    t.wait_for("›[ ] ReadOnlyAccess");
    t.keys(&["Space"]);
    t.wait_for("[x] ReadOnlyAccess");
    t.keys(&["Tab", "Tab", "Enter"]);
    t.wait_for("Role name       [gitlab-acme-web]");
    t.keys(&["Tab", "Tab", "Tab", "Tab", "Tab", "Enter"]);
    t.wait_for("Nothing has been changed yet");
}

/// From the first screen to Permissions for acme/web, where the provider exists already.
fn to_permissions_of_an_existing_setup(t: &Tmux) {
    t.wait_for("✓ Account  123456789012");
    t.keys(&["Enter"]);
    t.wait_for("the audience is already registered");
    t.keys(&["Enter"]);
    t.wait_for("Who may assume ─");
    t.type_text("acme/web");
    t.keys(&["Enter"]);
}

fn check_the_account(emu: &Emulator) {
    let iam = emu.iam();
    assert_eq!(
        providers(&iam),
        ["arn:aws:iam::123456789012:oidc-provider/gitlab.com"]
    );
    assert_eq!(
        trust_policy(&iam, ROLE),
        json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/gitlab.com"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {
                    "gitlab.com:aud": "https://gitlab.com",
                    "gitlab.com:ref_protected": "true",
                    "gitlab.com:sub": "project_path:acme/web:ref_type:branch:ref:main"
                }}
            }]
        })
    );
    assert_eq!(
        attached_policies(&iam, ROLE),
        ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    );
    let role = block_on(iam.get_role().role_name(ROLE).send()).expect("role");
    assert_eq!(
        role.role().and_then(|r| r.max_session_duration()),
        Some(3600)
    );
}

#[test]
fn a_first_time_setup_by_keystrokes() {
    let emu = Emulator::start();
    let t = Tmux::start(&emu.env_pairs(), BIN, &[], 120, 40);
    answer_everything(&t);
    let review = t.screen();
    assert!(review.contains("Provider  create"), "{review}");
    assert!(review.contains("Role      create   gitlab-acme-web"));
    assert!(
        emu.mutating_calls().is_empty(),
        "nothing changes before Apply: {:?}",
        emu.calls()
    );
    apply(&t);
    let done = t.wait_for("Role ARN");
    assert!(done.contains(ROLE_ARN), "{done}");
    assert!(done.contains("aud: \"https://gitlab.com\""), "{done}");
    t.keys(&["c"]);
    t.wait_for("the role ARN sent with OSC 52");
    t.keys(&["Enter"]);
    let (code, stdout) = t.wait_exit();
    assert_eq!(code, 0);
    assert_eq!(stdout, format!("{ROLE_ARN}\n"), "the ARN printed on exit");
    check_the_account(&emu);
    let mutating = emu.mutating_calls();
    assert_eq!(
        mutating,
        [
            "iam.CreateOpenIDConnectProvider",
            "iam.CreateRole",
            "iam.AttachRolePolicy"
        ]
    );
}

#[test]
fn a_failed_step_is_shown_fixed_and_finished_with_r_without_repeating_finished_steps() {
    let emu = Emulator::start();
    // The caller may not attach policies (yet).
    emu.fail("AttachRolePolicy", "AccessDenied");
    let t = Tmux::start(&emu.env_pairs(), BIN, &[], 120, 40);
    answer_everything(&t);
    apply(&t);
    let failed = t.wait_for("✗ failed");
    assert!(failed.contains("AccessDenied"), "{failed}");
    assert!(failed.contains("hint:"), "{failed}");
    assert!(
        failed.contains("✓ created   create role gitlab-acme-web"),
        "{failed}"
    );

    // The permission is granted; r finishes from the failed step.
    emu.clear_faults();
    t.keys(&["r"]);
    t.wait_for("Retry?");
    t.press_button("Retry");
    t.wait_for("Role ARN");
    t.keys(&["q"]);
    let (code, stdout) = t.wait_exit();
    assert_eq!(code, 0);
    assert_eq!(stdout, format!("{ROLE_ARN}\n"));
    check_the_account(&emu);

    // The emulator's request log: each finished step ran once; only the failed one twice.
    let calls = emu.mutating_calls();
    assert_eq!(
        calls,
        [
            "iam.CreateOpenIDConnectProvider",
            "iam.CreateRole",
            "iam.AttachRolePolicy",
            "iam.AttachRolePolicy"
        ]
    );
}

#[test]
fn quitting_early_restores_the_terminal_and_prints_nothing() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("dir");
    let log = dir.path().join("wizard.log");
    let mut env = emu.env_pairs();
    env.push(("AWS_OIDC_WIZARD_LOG".into(), "debug".into()));
    let t = Tmux::start(
        &env,
        BIN,
        &["--log-file", &log.display().to_string()],
        80,
        24,
    );
    t.wait_for("✓ Account");
    t.keys(&["q"]);
    let (code, stdout) = t.wait_exit();
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    // The log went to the file, never to the screen, and holds no secret.
    let logged = std::fs::read_to_string(&log).expect("log file");
    assert!(logged.contains("first frame drawn"), "{logged}");
    assert!(
        logged.contains("AWS request") && logged.contains("sts.GetCallerIdentity"),
        "{logged}"
    );
    assert!(!logged.contains("test-secret-not-real") && !logged.contains("AKIDEXAMPLETESTONLY"));
    assert!(!t.screen().contains("first frame drawn"));
    // Back on the normal screen: the shell's line, not the wizard's frame.
    let screen = t.screen();
    assert!(!screen.contains("┌ Steps"), "{screen}");
    assert!(
        screen.contains("quit before a setup was finished"),
        "{screen}"
    );
}

#[test]
fn a_small_terminal_is_asked_to_grow() {
    let emu = Emulator::start();
    let t = Tmux::start(&emu.env_pairs(), BIN, &[], 70, 20);
    t.wait_for("enlarge it to at least 80×24");
    t.keys(&["q"]);
    assert_eq!(t.wait_exit().0, 1);
}

fn pane_child_pid(t: &Tmux) -> String {
    t.pane_pid()
}

#[test]
fn sigterm_and_ctrl_c_and_a_panic_all_restore_the_terminal() {
    let emu = Emulator::start();

    // SIGTERM, and the signals whose default would end the process with the terminal raw.
    for signal in ["-TERM", "-QUIT", "-USR1", "-USR2", "-ALRM"] {
        let t = Tmux::start(&emu.env_pairs(), BIN, &[], 80, 24);
        t.wait_for("✓ Account");
        let pid = pane_child_pid(&t);
        let killed = std::process::Command::new("kill")
            .args([signal, &pid])
            .status()
            .expect("kill");
        assert!(killed.success());
        let (code, _) = t.wait_exit();
        assert_eq!(
            code, 130,
            "{signal} quits as q does, with the exit code of an interrupt"
        );
        assert!(!t.screen().contains("┌ Steps"), "{signal}: {}", t.screen());
    }

    let t = Tmux::start(&emu.env_pairs(), BIN, &[], 80, 24);
    t.wait_for("✓ Account");
    t.keys(&["C-c"]);
    let (code, _) = t.wait_exit();
    assert_eq!(code, 1);
    assert!(!t.screen().contains("┌ Steps"), "{}", t.screen());

    let mut env = emu.env_pairs();
    env.push(("AWS_OIDC_WIZARD_TEST_PANIC".into(), "1".into()));
    let t = Tmux::start(&env, BIN, &[], 80, 24);
    let (code, _) = t.wait_exit();
    assert_ne!(code, 0);
    let screen = t.screen();
    assert!(
        screen.contains("test panic requested"),
        "the panic message is readable: {screen}"
    );
    assert!(!screen.contains("┌ Steps"), "{screen}");
}

#[test]
fn the_start_screen_checks_and_removes_a_setup() {
    let emu = Emulator::start();
    emu.run(&[
        "apply",
        "--project",
        "acme/web",
        "--role-name",
        "web",
        "--policy",
        "ReadOnlyAccess",
    ])
    .assert_code(0);
    emu.run(&[
        "apply",
        "--project",
        "acme/api",
        "--ref",
        "*",
        "--role-name",
        "api",
    ])
    .assert_code(0);

    // Check: every GitLab role audited.
    let t = Tmux::start(&emu.env_pairs(), BIN, &[], 120, 40);
    t.wait_for("✓ Account  123456789012");
    t.keys(&["BTab", "Right", "Enter"]);
    // A ref pattern of any ref (high), and both roles trust paths without ids (low).
    let checked = t.wait_for("2 roles checked, 3 findings");
    assert!(checked.contains("any-ref-unprotected"), "{checked}");
    assert!(checked.contains("path-only"), "{checked}");
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), (0, String::new()), "a check run to its end");

    // Remove: the plan, a confirmation, then the role is gone and the shared provider kept.
    emu.reset_calls();
    let t = Tmux::start(&emu.env_pairs(), BIN, &[], 120, 40);
    t.wait_for("✓ Account  123456789012");
    // Enter on the Task choice goes on (the Account screen is complete).
    t.keys(&["BTab", "Right", "Right", "Right", "Enter"]);
    t.wait_for("Remove ─");
    t.type_text("web");
    t.keys(&["Tab", "Enter"]);
    let plan = t.wait_for("Role      delete   arn:aws:iam::123456789012:role/web");
    assert!(plan.contains("still trusted by:"), "{plan}");
    assert!(
        emu.mutating_calls().is_empty(),
        "nothing removed before the confirmation"
    );
    t.keys(&["Enter"]);
    t.wait_for("type the role's name (web)");
    t.keys(&["Right", "Enter"]);
    t.wait_for("✗ type web first");
    t.type_text("web");
    t.press_button("Remove");
    t.wait_for("Removed.");
    t.keys(&["q"]);
    assert_eq!(
        t.wait_exit(),
        (0, String::new()),
        "a removal run to its end"
    );
    let iam = emu.iam();
    assert!(!common::role_exists(&iam, "web"));
    assert!(common::role_exists(&iam, "api"));
    assert_eq!(providers(&iam).len(), 1);
    assert_eq!(
        emu.mutating_calls(),
        ["iam.DetachRolePolicy", "iam.DeleteRole"]
    );
}

#[test]
fn the_done_screen_stores_the_arn_in_gitlab() {
    use common::gitlab::{FakeGitLab, GOOD_TOKEN};
    let emu = Emulator::start();
    let gitlab = FakeGitLab::start();
    gitlab.add_project("acme/web", 4242, 77);
    let mut env = emu.env_pairs();
    env.push(("GITLAB_TOKEN".into(), GOOD_TOKEN.into()));
    let t = Tmux::start(&env, BIN, &["--gitlab-url", &gitlab.url], 120, 40);
    answer_everything(&t);
    apply(&t);
    t.wait_for("Role ARN");
    assert!(!t.screen().contains(GOOD_TOKEN), "the token is never shown");
    t.keys(&["g"]);
    t.wait_for("Store in GitLab?");
    t.press_button("Store");
    t.wait_for("ROLE_ARN on project acme/web: created");
    assert_eq!(
        gitlab.variable("acme/web", "ROLE_ARN").expect("stored")["value"],
        ROLE_ARN
    );
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit().0, 0);
}

/// The ARN handed to the shell is the ARN of the answers on screen, applied to the end: after
/// going back from Done and renaming the role, quitting prints nothing and exits 1.
#[test]
fn an_answer_changed_after_done_is_not_handed_out_as_the_old_arn() {
    let emu = Emulator::start();
    let t = Tmux::start(&emu.env_pairs(), BIN, &[], 120, 40);
    answer_everything(&t);
    apply(&t);
    t.wait_for("Role ARN");
    t.keys(&["Escape"]);
    t.wait_for("Review ─");
    t.keys(&["Escape"]);
    t.wait_for("Role name       [gitlab-acme-web]");
    t.type_text("-v2");
    let role = t.wait_for("Role name       [gitlab-acme-web-v2]");
    assert!(
        !role.contains("✓ 7. Apply"),
        "the step list drops its ✓: {role}"
    );
    t.keys(&["C-c"]);
    t.wait_for("Your answers are kept");
    t.keys(&["y"]);
    let (code, stdout) = t.wait_exit();
    assert_eq!((code, stdout.as_str()), (1, ""), "no stale ARN");
    assert!(common::role_exists(&emu.iam(), ROLE));
    assert!(!common::role_exists(&emu.iam(), "gitlab-acme-web-v2"));
}

/// A list pasted from elsewhere (one project per line, with a q in a name) lands in its field as
/// entries: no line break acts as Enter, no letter as a key.
#[test]
fn a_pasted_list_of_projects_stays_in_its_field() {
    let emu = Emulator::start();
    let t = Tmux::start(&emu.env_pairs(), BIN, &[], 80, 24);
    t.wait_for("✓ Account  123456789012");
    t.keys(&["Enter"]);
    t.wait_for("will create");
    t.keys(&["Tab", "Tab", "Enter"]);
    t.wait_for("Who may assume ─");
    t.paste("acme/web\nquality/quit\nacme/api\n");
    let screen = t.wait_for("[acme/web, quality/quit, acme/api]");
    assert!(
        screen.contains("Who may assume ─"),
        "still on the screen: {screen}"
    );
    assert!(
        screen.contains("Refs            [main]"),
        "nothing landed in Refs: {screen}"
    );
    t.keys(&["C-c"]);
    t.wait_for("Your answers are kept");
    t.keys(&["y"]);
    let (code, stdout) = t.wait_exit();
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert!(emu.mutating_calls().is_empty());
}

/// A profile that is not in the AWS config files is refused on the Account screen, even with keys
/// in the environment (which the SDK's chain would otherwise use under the profile's name).
#[test]
fn a_profile_that_does_not_exist_is_refused_not_replaced() {
    let emu = Emulator::start();
    let t = Tmux::start(&emu.env_pairs(), BIN, &["--profile", "prod"], 160, 30);
    let screen = t.wait_for("ProfileNotFound");
    assert!(
        screen.contains("profile prod is not in") && screen.contains("no profiles are"),
        "{screen}"
    );
    assert!(!screen.contains("✓ Account"), "{screen}");
    assert!(emu.calls().is_empty(), "nothing sent: {:?}", emu.calls());
    t.keys(&["q"]);
    assert_eq!(t.wait_exit().0, 1);
}

/// A first-time setup (one project, main, one policy found by typing part of its name) from
/// launch to the ARN on stdout, counting every key that is not part of the typed text. The
/// README quotes this count.
#[test]
fn a_first_setup_takes_ten_keys_besides_the_typing() {
    let emu = Emulator::start();
    let t = Tmux::start(&emu.env_pairs(), BIN, &[], 80, 24);
    let mut keys = 0;
    let mut press = |key: &str| {
        keys += 1;
        t.keys(&[key]);
    };
    t.wait_for("✓ Account  123456789012");
    press("Enter");
    t.wait_for("will create");
    press("Enter");
    t.wait_for("Who may assume ─");
    t.type_text("acme/web");
    press("Enter");
    t.wait_for("(this account's) ·");
    t.type_text("ReadOnlyAcc");
    t.wait_for("│ [ ] ReadOnlyAccess ");
    press("Enter");
    t.wait_for("Selected: ReadOnlyAccess");
    press("Enter");
    t.wait_for("Role name       [gitlab-acme-web]");
    press("Enter");
    t.wait_for("Nothing has been changed yet");
    press("a");
    t.wait_for("Apply them now?");
    press("Right");
    t.wait_for("[›Apply‹]");
    press("Enter");
    t.wait_for("Role ARN");
    press("Enter");
    let (code, stdout) = t.wait_exit();
    assert_eq!(code, 0);
    assert_eq!(stdout, format!("{ROLE_ARN}\n"));
    // Applying is a, then → and Enter on the dialog's button (no typed text can press it).
    assert_eq!(keys, 10, "keys besides the typed text");
    assert_eq!(
        emu.mutating_calls(),
        [
            "iam.CreateOpenIDConnectProvider",
            "iam.CreateRole",
            "iam.AttachRolePolicy"
        ]
    );
}

/// A re-run for a role that exists: the Permissions list holds the account's own policies beside
/// AWS's, the role's attached ones ticked; unticking one detaches it after Review says so and a
/// confirmation, with one mutating call.
#[test]
fn a_rerun_ticks_what_the_role_has_and_detaches_only_what_is_unticked() {
    let emu = Emulator::start();
    let iam = emu.iam();
    let own = "arn:aws:iam::123456789012:policy/ci-deploy";
    block_on(
        iam.create_policy()
            .policy_name("ci-deploy")
            .policy_document(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#,
            )
            .send(),
    )
    .expect("a customer managed policy");
    let args = [
        "apply",
        "--project",
        "acme/web",
        "--role-name",
        ROLE,
        "--policy",
        "ReadOnlyAccess",
        "--policy",
        own,
    ];
    emu.run(&args).assert_code(0);
    emu.reset_calls();

    let t = Tmux::start(&emu.env_pairs(), BIN, &[], 100, 30);
    to_permissions_of_an_existing_setup(&t);
    t.wait_for("Selected: ci-deploy, ReadOnlyAccess");
    let screen = t.wait_for("(this account's) ·");
    assert!(
        screen.contains("[x] ci-deploy  (own)  attached"),
        "{screen}"
    );
    t.type_text("ReadOnlyAcc");
    t.wait_for("│ [x] ReadOnlyAccess  attached");
    t.keys(&["Enter"]);
    t.wait_for("Detach:   ReadOnlyAccess");
    t.keys(&["Enter"]);
    t.wait_for("Role name       [gitlab-acme-web]");
    t.keys(&["Enter"]);
    let review = t.wait_for("detach   ReadOnlyAccess");
    assert!(review.contains("nothing  ci-deploy"), "{review}");
    assert!(emu.mutating_calls().is_empty());
    t.keys(&["a"]);
    t.wait_for("ReadOnlyAccess will be detached");
    t.press_button("Apply");
    t.wait_for("Role ARN");
    t.keys(&["Enter"]);
    let (code, stdout) = t.wait_exit();
    assert_eq!((code, stdout), (0, format!("{ROLE_ARN}\n")));
    assert_eq!(attached_policies(&iam, ROLE), [own]);
    assert_eq!(emu.mutating_calls(), ["iam.DetachRolePolicy"]);
}

/// A call that hangs: Apply says how long it has waited and that the SDK is retrying, Esc stops
/// waiting, and r reads what exists again (a cancelled call is never repeated blind) before the
/// setup is finished.
#[test]
fn a_hung_call_shows_its_time_and_attempt_and_esc_cancels_it() {
    let emu = Emulator::start();
    let proxy = common::proxy::Proxy::start(&emu.endpoint);
    proxy.fault_on(
        "CreateRole",
        3,
        common::proxy::Fault::Delay(std::time::Duration::from_secs(30)),
    );
    let mut env = emu.env_pairs();
    env.retain(|(k, _)| k != "AWS_ENDPOINT_URL");
    env.push(("AWS_ENDPOINT_URL".into(), proxy.url()));
    env.push(("AWS_OIDC_WIZARD_ATTEMPT_TIMEOUT".into(), "3".into()));
    let t = Tmux::start(&env, BIN, &[], 100, 30);
    answer_everything(&t);
    apply(&t);
    let slow = t.wait_for("· Esc cancels");
    assert!(slow.contains("running"), "{slow}");
    let retrying = t.wait_for("· attempt 2 ·");
    assert!(
        retrying.contains("create role gitlab-acme-web"),
        "{retrying}"
    );
    t.keys(&["Escape"]);
    let cancelled = t.wait_for("Cancelled");
    assert!(
        cancelled.contains("r reads what exists again"),
        "{cancelled}"
    );
    assert!(!role_exists_now(&emu));
    t.keys(&["r"]);
    // The provider was created before the cancelled call: Review says so.
    t.wait_for("Done so far: create OIDC provider");
    t.wait_for("create   gitlab-acme-web");
    t.keys(&["a"]);
    t.wait_for("Apply them now?");
    t.press_button("Apply");
    t.wait_for("Role ARN");
    t.keys(&["Enter"]);
    let (code, stdout) = t.wait_exit();
    assert_eq!((code, stdout), (0, format!("{ROLE_ARN}\n")));
    check_the_account(&emu);
}

fn role_exists_now(emu: &Emulator) -> bool {
    common::role_exists(&emu.iam(), ROLE)
}

/// A role that trusts another project today: Review says Apply would replace that and `+` adds
/// the new project beside it instead; the role ends up trusting both.
#[test]
fn review_adds_a_project_to_a_role_that_trusts_another_with_plus() {
    let emu = Emulator::start();
    emu.run(&[
        "apply",
        "--project",
        "acme/old",
        "--role-name",
        ROLE,
        "--policy",
        "ReadOnlyAccess",
    ])
    .assert_code(0);
    let t = Tmux::start(&emu.env_pairs(), BIN, &[], 120, 40);
    to_permissions_of_an_existing_setup(&t);
    t.wait_for("Selected: ReadOnlyAccess");
    t.keys(&["Enter"]);
    t.wait_for("Role name       [gitlab-acme-web]");
    t.keys(&["Enter"]);
    t.wait_for("The role trusts acme/old today");
    t.keys(&["+"]);
    let review = t.wait_for("\"project_path:acme/old:ref_type:branch:ref:main\",");
    assert!(
        !review.contains("The role trusts acme/old today"),
        "{review}"
    );
    assert!(
        emu.mutating_calls()
            .iter()
            .all(|c| c != "iam.UpdateAssumeRolePolicy")
    );
    t.keys(&["a"]);
    t.wait_for("will be changed");
    t.press_button("Apply");
    t.wait_for("Role ARN");
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit().0, 0);
    let trust = trust_policy(&emu.iam(), ROLE);
    assert_eq!(
        trust["Statement"][0]["Condition"]["StringEquals"]["gitlab.com:sub"],
        json!([
            "project_path:acme/old:ref_type:branch:ref:main",
            "project_path:acme/web:ref_type:branch:ref:main"
        ]),
        "{trust}"
    );
}

/// Below 80×24 the screen is hidden behind "enlarge it": the keys that would apply on Review
/// (`a`, Enter, `y`), typed fast and at random there, change nothing in AWS; grown again, the
/// wizard is where it was; `q` there quits.
#[test]
fn keys_on_a_hidden_screen_change_nothing() {
    let emu = Emulator::start();
    let t = Tmux::start(&emu.env_pairs(), BIN, &[], 120, 40);
    answer_everything(&t);
    t.resize(79, 23);
    t.wait_for("enlarge it to at least 80×24");
    emu.reset_calls();
    for keys in [
        &["a", "y", "Enter", "y"][..],
        &["Enter", "Enter", "y", "a", "Tab", "Enter", "y"],
        &["BTab", "Space", "Enter", "y", "Escape", "Enter", "y"],
    ] {
        t.keys(keys);
    }
    t.type_text("auto deploy role\nyay\n");
    t.resize(120, 40);
    t.wait_for("Review ─");
    assert!(
        emu.mutating_calls().is_empty(),
        "{:?}",
        emu.mutating_calls()
    );
    t.resize(60, 20);
    t.wait_for("enlarge it");
    t.keys(&["q"]);
    assert_eq!(t.wait_exit().0, 1);
    assert!(emu.mutating_calls().is_empty());
}

/// A terminal that goes away (the window closed, tmux killed) ends the wizard: the process does
/// not stay behind. It did, spinning a core in crossterm's poll on the dead terminal while the
/// loop waited for the input thread.
#[test]
fn the_wizard_ends_when_its_terminal_goes_away() {
    let emu = Emulator::start();
    let t = Tmux::start(&emu.env_pairs(), BIN, &[], 80, 24);
    t.wait_for("✓ Account");
    let pid = pane_child_pid(&t);
    assert!(!pid.is_empty());
    drop(t);
    let proc_dir = std::path::PathBuf::from(format!("/proc/{pid}"));
    // A bound that turns a hang into a failure; nothing here measures time.
    for _ in 0..200 {
        if !proc_dir.exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = std::process::Command::new("kill")
        .args(["-KILL", &pid])
        .status();
    panic!("the wizard (pid {pid}) was still running 10 s after its terminal went away");
}

/// Someone who only needs the ARN: the first screen lists the setups this tool made, ↓ reaches
/// them, `c` copies one's ARN, Enter prints it on stdout and quits (exit 0), with no change.
#[test]
fn the_first_screen_lists_the_setups_and_hands_out_an_arn() {
    let emu = Emulator::start();
    emu.run(&[
        "apply",
        "--project",
        "acme/web",
        "--role-name",
        ROLE,
        "--policy",
        "ReadOnlyAccess",
        "--no-pin-namespace-ids",
    ])
    .assert_code(0);
    emu.reset_calls();
    let t = Tmux::start(&emu.env_pairs(), BIN, &[], 80, 24);
    let first = t.wait_for("Setups made here");
    assert!(first.contains("gitlab-acme-web  acme/web: main"), "{first}");
    t.keys(&["Down"]);
    t.wait_for("› gitlab-acme-web");
    t.keys(&["c"]);
    t.wait_for("the role ARN");
    t.keys(&["Enter"]);
    let (code, stdout) = t.wait_exit();
    assert_eq!((code, stdout), (0, format!("{ROLE_ARN}\n")));
    assert!(emu.mutating_calls().is_empty());
}
