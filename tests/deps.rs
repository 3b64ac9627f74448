//! One HTTP and one TLS stack in the normal build: the AWS SDK crates are taken without their
//! legacy default features (hyper 0.14, rustls 0.21), so `cargo tree` finds one version each of
//! hyper, rustls, http and h2. Read from the lock file, offline.

use std::process::Command;

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
