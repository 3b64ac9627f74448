//! Keys meant as text never change AWS: the real binary in tmux at 80×24 against the emulator.
//! Three families, each over generated input:
//! - printable text with Enter among it, typed right behind every key that changes the screen of
//!   a setup whose role exists (its trust would be narrowed), and typed again once the new screen
//!   shows, makes no changing call;
//! - random keys while the terminal is 79×23 (the screen hidden) make no call at all;
//! - after a partial apply, no screen or dialog says that nothing was changed;
//! - keys smuggled in a paste (its own end-of-paste marker, then → Enter) or sent as a hidden
//!   dialog comes back press nothing.

mod common;

use std::time::Duration;

use common::tmux::Tmux;
use common::{BIN, Emulator};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

const ROLE: &str = "gitlab-acme-web";

/// Text as a person might type it: words, the role's name, the letters screens use as keys, and
/// Enter (`\r`, what a terminal sends for it).
fn text(runner: &mut TestRunner) -> String {
    let piece = proptest::prop_oneof![
        proptest::strategy::Just("\r".to_string()),
        proptest::strategy::Just(ROLE.to_string()),
        proptest::strategy::Just("y".to_string()),
        proptest::strategy::Just("a".to_string()),
        proptest::strategy::Just(" ".to_string()),
        "[a-z]{1,6}",
        "[ -~]{1,6}",
    ];
    proptest::collection::vec(piece, 4..16)
        .prop_map(|p| p.concat())
        .new_tree(runner)
        .expect("a text")
        .current()
}

/// An account with the provider and the role, which trusts acme/old today.
fn role_exists() -> Emulator {
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
    emu.reset_calls();
    emu
}

/// A wizard at 80×24 with a state directory of its own: no stopped setup to offer (an earlier
/// run's typing leaves a draft, written as that run is killed).
fn fresh_wizard(emu: &Emulator) -> Tmux {
    static RUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let mut env = emu.env_pairs();
    let home = env
        .iter()
        .find(|(k, _)| k == "HOME")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let n = RUN.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    env.push(("XDG_STATE_HOME".into(), format!("{home}/state-{n}")));
    Tmux::start(&env, BIN, &[], 80, 24)
}

/// Wait until the wizard's background reads are over (the policy list pages on after the
/// Permissions screen is left): no call for a second.
fn settle(emu: &Emulator) {
    let mut seen = emu.calls().len();
    loop {
        std::thread::sleep(Duration::from_secs(1));
        let now = emu.calls().len();
        if now == seen {
            return;
        }
        seen = now;
    }
}

/// The keys of the setup for acme/web, as (what shows before, the key that changes the screen);
/// the projects are typed on the third.
const STEPS: [(&str, &str); 6] = [
    ("✓ Account  123456789012", "Enter"),
    ("already registered", "Enter"),
    ("Who may assume ─", "Enter"),
    ("Selected: ReadOnlyAccess", "Enter"),
    ("[gitlab-acme-web]", "Enter"),
    ("The role trusts acme/old today", "Enter"),
];

/// To the `n`th screen change, typing the projects on the way.
fn walk_to(t: &Tmux, n: usize) {
    for (i, (shown, key)) in STEPS.iter().enumerate().take(n) {
        t.wait_for(shown);
        if i == 2 {
            t.type_text("acme/web");
        }
        t.keys(&[key]);
    }
    t.wait_for(STEPS[n].0);
    if n == 2 {
        t.type_text("acme/web");
    }
}

/// On Review of the setup that narrows the role's trust, the Apply dialog (which wants the name).
fn to_the_apply_dialog(t: &Tmux) {
    walk_to(t, STEPS.len() - 1);
    t.keys(&["Enter"]);
    t.wait_for("type the role's name");
}

#[test]
fn text_typed_at_every_screen_change_changes_nothing() {
    let emu = role_exists();
    let mut runner = TestRunner::default();
    // The first frame too: text typed before the wizard has drawn anything.
    let first = text(&mut runner);
    let t = fresh_wizard(&emu);
    t.type_text(&first);
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(emu.mutating_calls(), Vec::<String>::new(), "{first:?}");
    drop(t);
    for (n, (_, key)) in STEPS.iter().enumerate() {
        let t = fresh_wizard(&emu);
        walk_to(&t, n);
        let ahead = text(&mut runner);
        let after = text(&mut runner);
        t.type_ahead(&[key], &ahead);
        // Once the new screen (or the Apply dialog) shows: more text, at a person's pace.
        std::thread::sleep(Duration::from_millis(500));
        t.type_text(&after);
        std::thread::sleep(Duration::from_millis(800));
        let screen = t.screen();
        assert_eq!(
            emu.mutating_calls(),
            Vec::<String>::new(),
            "at step {n}: {ahead:?} then {after:?}\n{screen}"
        );
    }
    // Not inert: the same walk, then → and Enter with the name typed, does apply.
    let t = fresh_wizard(&emu);
    to_the_apply_dialog(&t);
    t.type_text(ROLE);
    t.press_button("Apply");
    t.wait_for("Role ARN");
    assert!(
        emu.mutating_calls()
            .contains(&"iam.UpdateAssumeRolePolicy".to_string())
    );
}

#[test]
fn random_keys_on_a_hidden_screen_make_no_call() {
    let emu = role_exists();
    let t = Tmux::start(&emu.env_pairs(), BIN, &[], 80, 24);
    walk_to(&t, STEPS.len() - 1);
    t.resize(79, 23);
    t.wait_for("enlarge it");
    settle(&emu);
    emu.reset_calls();
    let named = [
        "Enter", "Right", "Left", "Up", "Down", "Tab", "BTab", "Escape", "Space", "C-u", "C-l",
        "BSpace", "PageDown", "F1", "y", "a", "r", "g", "x", "c", "+", "?", "m",
    ];
    let mut runner = TestRunner::default();
    let keys = proptest::collection::vec(0..named.len(), 40..80)
        .new_tree(&mut runner)
        .expect("keys")
        .current();
    let keys: Vec<&str> = keys.iter().map(|i| named[*i]).collect();
    for chunk in keys.chunks(8) {
        t.keys(chunk);
    }
    // q quits from "enlarge it" (as that screen says): the text is everything but that.
    let typed = text(&mut runner).replace('q', "");
    t.type_text(&typed);
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(emu.calls(), Vec::<String>::new(), "{keys:?} {typed:?}");
    t.resize(80, 24);
    let back = t.wait_for("Review ─");
    assert!(back.contains("The role trusts acme/old today"), "{back}");
    assert!(emu.mutating_calls().is_empty());
}

/// The provider is created and CreateRole is refused: the Apply screen, Review, every answer
/// screen gone back to and the quit question say what was done; none says nothing was.
#[test]
fn after_a_partial_apply_nothing_says_nothing_was_changed() {
    let emu = Emulator::start();
    emu.fail("CreateRole", "AccessDenied");
    let t = Tmux::start(&emu.env_pairs(), BIN, &[], 80, 24);
    t.wait_for("✓ Account  123456789012");
    t.keys(&["Enter"]);
    t.wait_for("will create");
    t.keys(&["Enter"]);
    t.wait_for("Who may assume ─");
    t.type_text("acme/web");
    t.keys(&["Enter"]);
    t.wait_for("(this account's) ·");
    t.type_text("ReadOnlyAccess");
    t.wait_for("│ [ ] ReadOnlyAccess ");
    t.keys(&["Tab", "Space", "Tab", "Tab", "Enter"]);
    t.wait_for("[gitlab-acme-web]");
    t.keys(&["Enter"]);
    t.wait_for("Nothing has been changed yet");
    t.keys(&["Enter"]);
    t.wait_for("Apply them now?");
    t.press_button("Apply");
    t.wait_for("✗ failed");
    assert_eq!(
        emu.mutating_calls(),
        ["iam.CreateOpenIDConnectProvider", "iam.CreateRole"]
    );
    let lies = |screen: &str, place: &str| {
        let lower = screen.to_lowercase();
        for lie in ["nothing has been", "nothing applied", "nothing changed"] {
            assert!(!lower.contains(lie), "{place} says {lie:?}:\n{screen}");
        }
    };
    lies(&t.screen(), "Apply");
    t.keys(&["C-c"]);
    lies(&t.wait_for("Quit?"), "the quit question on Apply");
    t.keys(&["n"]);
    t.keys(&["Escape"]);
    let review = t.wait_for("Done so far: create OIDC provider");
    lies(&review, "Review");
    for _ in 0..4 {
        t.keys(&["Escape"]);
        lies(&t.screen(), "an answer screen");
        t.keys(&["C-c"]);
        lies(&t.wait_for("Quit?"), "the quit question");
        t.keys(&["n"]);
    }
    t.keys(&["C-c"]);
    t.wait_for("Quit?");
    t.keys(&["y"]);
    assert_eq!(t.wait_exit(), (1, String::new()));
}

/// A paste may carry its own end-of-paste marker: what follows it reads as typed keys. In the
/// Apply dialog that wants the role's name, a paste of the name, the marker, → and Enter types
/// the name and presses nothing; → Enter typed afterwards, at a person's pace, applies.
#[test]
fn keys_smuggled_in_a_paste_press_nothing() {
    let emu = role_exists();
    let t = fresh_wizard(&emu);
    to_the_apply_dialog(&t);
    for smuggled in ["\x1b[201~\x1b[C\r", "\x1b[201~\x1b[C\x1b[C\r\r"] {
        t.paste(&format!("{ROLE}{smuggled}"));
        std::thread::sleep(Duration::from_millis(600));
        let screen = t.screen();
        assert_eq!(
            emu.mutating_calls(),
            Vec::<String>::new(),
            "{smuggled:?}\n{screen}"
        );
        assert!(screen.contains("type the role's name"), "{screen}");
        t.keys(&["C-u"]);
    }
    t.paste(ROLE);
    std::thread::sleep(Duration::from_millis(300));
    t.press_button("Apply");
    t.wait_for("Role ARN");
    assert!(
        emu.mutating_calls()
            .contains(&"iam.UpdateAssumeRolePolicy".to_string())
    );
}

/// A dialog shown while the terminal is too small is a new view when the terminal grows back:
/// → Enter sent with the resize press nothing.
#[test]
fn keys_sent_as_a_hidden_dialog_comes_back_press_nothing() {
    let emu = role_exists();
    let t = fresh_wizard(&emu);
    to_the_apply_dialog(&t);
    t.type_text(ROLE);
    std::thread::sleep(Duration::from_millis(300));
    t.resize(79, 23);
    t.wait_for("enlarge it");
    for _ in 0..3 {
        t.resize_then_keys(80, 24, &["Right", "Enter"]);
        std::thread::sleep(Duration::from_millis(600));
        assert_eq!(emu.mutating_calls(), Vec::<String>::new(), "{}", t.screen());
        t.resize(79, 23);
        t.wait_for("enlarge it");
    }
    t.resize(80, 24);
    t.wait_for("type the role's name");
    std::thread::sleep(Duration::from_millis(300));
    t.press_button("Apply");
    t.wait_for("Role ARN");
}

/// The same, padded with focus events (input that never acts) so that reading it takes longer
/// than a burst's pause: the padding is input too, and the burst goes on.
#[test]
fn keys_smuggled_behind_padding_press_nothing() {
    let emu = role_exists();
    let t = fresh_wizard(&emu);
    to_the_apply_dialog(&t);
    let pad = "\x1b[I".repeat(20_000);
    let padded = format!("{ROLE}\x1b[201~{pad}\x1b[C{pad}\r{pad}");
    t.paste_large(padded.as_bytes());
    std::thread::sleep(Duration::from_secs(3));
    // A key of the person's, after it: it too is read with what was left of the paste.
    t.keys(&["Left"]);
    std::thread::sleep(Duration::from_secs(2));
    let screen = t.screen();
    assert_eq!(emu.mutating_calls(), Vec::<String>::new(), "{screen}");
}
