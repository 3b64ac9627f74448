//! The build script (`build = "src/build.rs"` in Cargo.toml): the commit and the date that
//! `--version` shows, as `aws-oidc-wizard 0.1.0 (0123456789ab 2026-12-07)`. The commit is `unknown`
//! outside a git checkout (a crate tarball); the date is `SOURCE_DATE_EPOCH`'s when it is set (a
//! reproducible build), else the day of the build, in UTC.

// A build script speaks to Cargo on stdout; nothing here reaches a terminal.
#![allow(clippy::disallowed_macros)]

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
}

/// Days since 1970-01-01 as a civil date (Howard Hinnant's `civil_from_days`).
fn date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

fn main() {
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let seconds = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| i64::try_from(d.as_secs()).unwrap_or(0))
                .unwrap_or(0)
        });
    println!("cargo:rustc-env=AOW_COMMIT={commit}");
    println!(
        "cargo:rustc-env=AOW_BUILD_DATE={}",
        date(seconds.div_euclid(86_400))
    );
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    // A new commit runs this again (HEAD moves, or the branch it names does). Only files that
    // are there: Cargo runs a script again on every build while one it watches is missing, which
    // without a checkout would also be true of the sources.
    let mut watched = vec![".git/HEAD".to_string(), ".git/packed-refs".to_string()];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(format!(".git/{branch}"));
    }
    for path in watched {
        if std::path::Path::new(&path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    // Without any, Cargo would run it again whenever any file of the package changes.
    println!("cargo:rerun-if-changed=src/build.rs");
}
