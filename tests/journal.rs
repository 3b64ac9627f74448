//! The journal: a run killed half-way leaves its answers and finished steps (mode 0600, no secret)
//! and `apply --from-journal` finishes it; the wizard offers to continue it.

mod common;

use common::tmux::Tmux;
use common::{BIN, Emulator, attached_policies, providers};

const ARGS: [&str; 9] = [
    "apply",
    "--project",
    "acme/web",
    "--role-name",
    "gitlab-acme-web",
    "--policy",
    "ReadOnlyAccess",
    "--ref",
    "main",
];

fn journal_path(emu: &Emulator) -> std::path::PathBuf {
    let home = emu
        .env_pairs()
        .into_iter()
        .find(|(k, _)| k == "HOME")
        .map(|(_, v)| v)
        .unwrap_or_default();
    std::path::PathBuf::from(home).join(".local/state/aws-oidc-wizard/journal.json")
}

/// A fresh setup killed right after CreateRole was carried out (call 6 of 7).
fn killed_half_way(emu: &Emulator) {
    emu.kill_after(6);
    let child = emu
        .command()
        .args(ARGS)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    emu.kill_pid(child.id());
    let status = child.wait_with_output().expect("wait").status;
    assert_eq!(status.code(), None, "killed");
}

#[test]
fn a_killed_run_is_finished_with_from_journal() {
    let emu = Emulator::start();
    killed_half_way(&emu);
    let path = journal_path(&emu);
    let text = std::fs::read_to_string(&path).expect("the journal exists");
    let journal: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(
        journal["answers"]["projects"],
        serde_json::json!(["acme/web"])
    );
    assert_eq!(
        journal["finished"],
        serde_json::json!(["create OIDC provider https://gitlab.com"])
    );
    assert!(!text.contains("test-secret-not-real") && !text.contains("AKIDEXAMPLETESTONLY"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    emu.reset_calls();
    let run = emu.run(&["apply", "--from-journal"]);
    run.assert_code(0);
    assert!(
        run.stderr.contains(
            "Continuing from the journal: role gitlab-acme-web for acme/web: 1 step applied"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stdout,
        "arn:aws:iam::123456789012:role/gitlab-acme-web\n"
    );
    assert_eq!(
        emu.mutating_calls(),
        ["iam.AttachRolePolicy"],
        "only what was missing"
    );
    assert!(!path.exists(), "a finished setup leaves no journal");
    let iam = emu.iam();
    assert_eq!(providers(&iam).len(), 1);
    assert_eq!(
        attached_policies(&iam, "gitlab-acme-web"),
        ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    );

    let none = emu.run(&["apply", "--from-journal"]);
    none.assert_code(2);
    assert!(
        none.stderr.contains("no stopped setup to continue"),
        "{}",
        none.stderr
    );
    emu.run(&["apply", "--from-journal", "--project", "a/b"])
        .assert_code(2);
}

#[test]
fn the_wizard_offers_to_continue_where_it_stopped() {
    let emu = Emulator::start();
    killed_half_way(&emu);
    emu.reset_calls();
    let t = Tmux::start(&emu.env_pairs(), BIN, &[], 120, 40);
    t.wait_for("continue where you stopped");
    let offer = t.screen();
    assert!(
        offer.contains("role gitlab-acme-web for acme/web"),
        "{offer}"
    );
    assert!(offer.contains("1 step"), "{offer}");
    t.keys(&["c"]);
    // What the stopped run did, from its journal: never "nothing has been changed".
    let review = t.wait_for("Done so far: create OIDC provider https://gitlab.com");
    assert!(review.contains("Provider  nothing"), "{review}");
    assert!(review.contains("Role      nothing"), "{review}");
    assert!(
        review.contains("Policy    attach   ReadOnlyAccess"),
        "{review}"
    );
    t.keys(&["Enter"]);
    t.wait_for("Apply them now?");
    t.press_button("Apply");
    t.wait_for("Role ARN");
    t.keys(&["Enter"]);
    let (code, stdout) = t.wait_exit();
    assert_eq!(code, 0);
    assert_eq!(stdout, "arn:aws:iam::123456789012:role/gitlab-acme-web\n");
    assert_eq!(emu.mutating_calls(), ["iam.AttachRolePolicy"]);
    assert!(!journal_path(&emu).exists());
}

#[test]
fn starting_over_forgets_the_journal() {
    let emu = Emulator::start();
    killed_half_way(&emu);
    let t = Tmux::start(&emu.env_pairs(), BIN, &[], 100, 30);
    t.wait_for("continue where you stopped");
    // s asks again, Cancel first: Cancel keeps it; Start over deletes it.
    t.keys(&["s"]);
    t.wait_for("Start over?");
    t.keys(&["Enter"]);
    t.wait_for("continue where you stopped");
    assert!(journal_path(&emu).exists());
    t.keys(&["s"]);
    t.wait_for("Start over?");
    t.press_button("Start over");
    t.wait_for("✓ Account");
    assert!(!journal_path(&emu).exists());
    t.keys(&["q"]);
    assert_eq!(t.wait_exit().0, 1);
}

/// Enter alone never applies: not on the offer to continue, not on Review, however often it is
/// pressed. Applying is a button in a dialog that says what changes, and the dialog opens on
/// Cancel.
#[test]
fn pressing_enter_on_a_stopped_setup_never_changes_aws() {
    let emu = Emulator::start();
    killed_half_way(&emu);
    emu.reset_calls();
    let t = Tmux::start(&emu.env_pairs(), BIN, &[], 80, 24);
    t.wait_for("continue where you stopped");
    t.keys(&["Enter"]);
    t.wait_for("Done so far");
    t.keys(&["Enter"]);
    let ask = t.wait_for("Apply them now?");
    assert!(ask.contains("1 change to account 123456789012"), "{ask}");
    for _ in 0..5 {
        t.keys(&["Enter"]);
    }
    t.wait_for("Done so far");
    assert!(
        emu.mutating_calls().is_empty(),
        "Enter changed AWS: {:?}",
        emu.calls()
    );
    t.keys(&["q"]);
    t.wait_for("Your answers are kept");
    t.keys(&["y"]);
    let (code, stdout) = t.wait_exit();
    assert_eq!((code, stdout.as_str()), (1, ""));
}

/// Quitting a half-filled wizard asks first, and the answers are kept: the next start offers
/// them and continues on the first screen still to answer.
#[test]
fn quitting_half_way_asks_and_the_next_start_offers_the_answers() {
    let emu = Emulator::start();
    let t = Tmux::start(&emu.env_pairs(), BIN, &[], 80, 24);
    t.wait_for("✓ Account  123456789012");
    t.keys(&["Enter"]);
    t.wait_for("will create");
    t.keys(&["Tab", "Tab", "Enter"]);
    t.wait_for("Who may assume ─");
    t.type_text("acme/web");
    t.keys(&["Tab"]);
    t.keys(&["q"]);
    t.wait_for("Your answers are kept");
    t.keys(&["n"]);
    t.wait_for("Who may assume ─");
    t.keys(&["q"]);
    t.wait_for("Your answers are kept");
    t.keys(&["y"]);
    let (code, stdout) = t.wait_exit();
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert!(journal_path(&emu).exists(), "the draft is kept");
    assert!(emu.mutating_calls().is_empty());

    let t = Tmux::start(&emu.env_pairs(), BIN, &[], 80, 24);
    let offer = t.wait_for("continue where you stopped");
    assert!(offer.contains("acme/web"), "{offer}");
    t.keys(&["c"]);
    // It continues where it was quit (Who may assume), not past screens nobody went through.
    t.wait_for("› Projects        [acme/web]");
    t.keys(&["C-c"]);
    t.wait_for("Your answers are kept");
    t.keys(&["y"]);
    t.wait_exit();
}
