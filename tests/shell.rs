//! Completions and the manual page, checked by their consumers: bash sources the completion
//! script and completes a subcommand; groff formats the page with no warning, and man shows it.
//! zsh, fish and PowerShell are not on the machine: their scripts are checked by their headers.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::BIN;

fn run(args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).output().expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn bash_completes_subcommands_and_flags_from_the_script() {
    let script = run(&["completions", "bash"]);
    let complete = |words: &str, cword: usize| -> String {
        let program = format!(
            "set -e\n{script}\nCOMP_WORDS=({words}); COMP_CWORD={cword}\n# As bash calls it: the command, the word being completed, the word before it.\n_aws__oidc__wizard aws-oidc-wizard \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; printf '%s\\n' \"${{COMPREPLY[@]}}\"\n"
        );
        let out = Command::new("bash")
            .arg("-c")
            .arg(program)
            .output()
            .expect("bash");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let sub = complete("aws-oidc-wizard ch", 1);
    assert!(sub.lines().any(|l| l == "check"), "{sub}");
    let flags = complete("aws-oidc-wizard export --fo", 2);
    assert!(flags.lines().any(|l| l == "--format"), "{flags}");
    let values = complete("aws-oidc-wizard export --format ''", 3);
    assert!(
        values.contains("terraform") && values.contains("cloudformation"),
        "{values}"
    );
}

#[test]
fn the_other_shells_get_their_own_scripts() {
    assert!(run(&["completions", "zsh"]).starts_with("#compdef aws-oidc-wizard"));
    assert!(run(&["completions", "fish"]).contains("complete -c aws-oidc-wizard"));
    assert!(run(&["completions", "powershell"]).contains("Register-ArgumentCompleter"));
    let bad = Command::new(BIN)
        .args(["completions", "tcsh"])
        .output()
        .expect("run");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("[possible values: bash"));
}

#[test]
fn the_manual_page_formats_cleanly_and_lists_the_commands() {
    let page = run(&["man"]);
    assert!(page.contains(".TH aws-oidc-wizard 1"), "{page}");
    let mut groff = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("groff (Debian package groff-base) formats manual pages");
    groff
        .stdin
        .take()
        .expect("stdin")
        .write_all(page.as_bytes())
        .expect("write");
    let out = groff.wait_with_output().expect("groff");
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "groff warnings");
    let mut man = Command::new("man")
        .args(["-l", "-"])
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("man");
    man.stdin
        .take()
        .expect("stdin")
        .write_all(page.as_bytes())
        .expect("write");
    let shown = String::from_utf8_lossy(&man.wait_with_output().expect("man").stdout).into_owned();
    for word in ["SYNOPSIS", "SUBCOMMANDS", "export", "check", "completions"] {
        assert!(shown.contains(word), "{word}: {shown}");
    }
}

/// `--version` says the version, the commit it was built from and the build date, as `rustc
/// --version` does: `aws-oidc-wizard 0.1.0 (0123456789ab 2026-12-07)`.
#[test]
fn the_version_names_the_commit_and_the_build_date() {
    let out = run(&["--version"]);
    let line = out.trim_end();
    let rest = line
        .strip_prefix(&format!("aws-oidc-wizard {} (", env!("CARGO_PKG_VERSION")))
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{line:?}"));
    let (commit, date) = rest.split_once(' ').unwrap_or_else(|| panic!("{line:?}"));
    // Built from this checkout: its commit (the suite always runs from a git checkout).
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("git must be installed to read the checkout's commit");
    assert_eq!(
        commit,
        String::from_utf8_lossy(&head.stdout).trim(),
        "{line}"
    );
    let parts: Vec<&str> = date.split('-').collect();
    assert!(
        parts.len() == 3
            && parts[0].len() == 4
            && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit())),
        "{line}"
    );
    assert_eq!(run(&["-V"]), out);
}
