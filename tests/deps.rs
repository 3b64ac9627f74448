//! The project's build as code:
//! - one HTTP and one TLS stack in the normal build: the AWS SDK crates are taken without their
//!   legacy default features (hyper 0.14, rustls 0.21), so `cargo tree` finds one version each of
//!   hyper, rustls, http and h2 (read from the lock file, offline);
//! - the toolchain the suite builds with is the `rust-version` Cargo.toml declares, so the suite
//!   is the check that the declared version builds;
//! - the README's test command is what `.ci/run` and the tracked `.gitlab-ci.yml` run, and the
//!   pipeline is valid against GitLab's CI schema.

mod common;

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_suite_builds_with_the_declared_rust_version() {
    let manifest = read("Cargo.toml");
    let declared = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .map(|v| v.trim_matches('"').to_string())
        .expect("Cargo.toml declares a rust-version");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = Command::new(&rustc)
        .arg("--version")
        .output()
        .expect("rustc");
    let version = String::from_utf8_lossy(&out.stdout).into_owned();
    // "rustc 1.95.0 (…)": the same major.minor as declared.
    let running = version.split(' ').nth(1).unwrap_or_default();
    assert!(
        running == declared || running.starts_with(&format!("{declared}.")),
        "the suite builds with {version:?}, but Cargo.toml declares rust-version {declared}: \
         run it with the {declared} toolchain (rustup toolchain install {declared}), or raise \
         rust-version once the code needs a newer one"
    );
    // The pipeline's image is that toolchain too.
    assert!(
        read(".gitlab-ci.yml").contains(&format!("image: rust:{declared}-")),
        ".gitlab-ci.yml must build with rust:{declared}"
    );
}

#[test]
fn the_readme_test_command_is_what_ci_and_the_pipeline_run() {
    let readme = read("README.md");
    let block = readme
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("the README starts with a sh block");
    let commands: Vec<&str> = block.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(
        commands.len(),
        2,
        "exactly two set-up commands: {commands:?}"
    );
    let test = commands[1];
    assert_eq!(test, "bash tests/run");
    assert!(
        read(".ci/run").contains(&format!("exec {test}")),
        ".ci/run runs {test}"
    );
    let pipeline = read(".gitlab-ci.yml");
    let yaml = yaml_rust2::YamlLoader::load_from_str(&pipeline).expect("yaml");
    let script: Vec<&str> = yaml[0]["test"]["script"]
        .as_vec()
        .expect("script")
        .iter()
        .filter_map(|l| l.as_str())
        .collect();
    assert_eq!(script, [test]);
    common::assert_valid("gitlab-ci.json", &root().join(".gitlab-ci.yml"));
}

#[test]
fn one_version_each_of_the_http_and_tls_crates() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "tree",
            "--locked",
            "--offline",
            "-e",
            "normal",
            "--duplicates",
            "--depth",
            "0",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo must be on PATH to read the dependency tree");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8_lossy(&out.stdout);
    for name in ["hyper", "rustls", "http", "h2"] {
        let versions: Vec<&str> = tree
            .lines()
            .filter(|l| l.split(' ').next() == Some(name))
            .collect();
        assert!(
            versions.is_empty(),
            "{name} comes in more than one version: {versions:?}\n{tree}"
        );
    }
}
