//! Files on a full disk: a real, small filesystem (a tmpfs mounted for the test), filled to the
//! page. Whatever runs out, the user's pipeline is never cut, no empty or temporary file is left,
//! the exit code is not 0, and one line says what was and was not written; once there is room, the
//! next run finishes the job.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::Emulator;

const PIPELINE: &str = "# our pipeline\nstages: [build, test]\n\nbuild:\n  stage: build\n  script:\n    - make   # keep this comment\n";

/// A tmpfs of 256 KiB, unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount() -> SmallDisk {
        let dir = tempfile::tempdir().expect("dir");
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=256k,mode=0755", "tmpfs"])
            .arg(dir.path())
            .output()
            .unwrap_or_else(|e| panic!("cannot run mount ({e}): these tests need util-linux's mount and root (a tmpfs is the full disk)"));
        assert!(
            out.status.success(),
            "cannot mount a tmpfs for the full-disk tests (they need root, or CAP_SYS_ADMIN): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        SmallDisk { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Fill the disk, then give back `pages` pages of 4 KiB.
    fn fill_leaving(&self, pages: u64) {
        use std::io::Write;
        let filler = self.path().join("filler");
        let mut f = std::fs::File::create(&filler).expect("filler");
        let block = vec![0u8; 4096];
        while f.write_all(&block).is_ok() {}
        let _ = f.flush();
        let len = std::fs::metadata(&filler).expect("filler").len();
        f.set_len(len.saturating_sub(pages * 4096))
            .expect("truncate");
    }

    fn free(&self) {
        let _ = std::fs::remove_file(self.path().join("filler"));
    }

    /// The files in a directory: names only, temporary ones included.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

fn ci_job(dir: &Path, file: &str) -> common::Run {
    let bin = env!("CARGO_BIN_EXE_aws-oidc-wizard");
    common::Run::from(
        Command::new(bin)
            .args(["ci-job", "--write-ci-job", file])
            .current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .output()
            .expect("run"),
    )
}

fn one_line(run: &common::Run) -> &str {
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line on stderr: {}", run.stderr);
    lines[0]
}

#[test]
fn a_pipeline_on_a_full_disk_is_never_cut_and_the_next_run_finishes() {
    let disk = SmallDisk::mount();
    let repo = disk.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).expect("repo");
    std::fs::create_dir_all(repo.join("ci")).expect("ci dir");
    std::fs::write(repo.join(".gitlab-ci.yml"), PIPELINE).expect("pipeline");

    // No room at all: nothing is written.
    disk.fill_leaving(0);
    let run = ci_job(&repo, ".gitlab-ci.yml");
    assert_eq!(run.code, 1, "{}", run.stderr);
    let line = one_line(&run);
    assert!(
        line.contains("not written") && line.contains("as it was"),
        "{line}"
    );
    assert_eq!(
        std::fs::read_to_string(repo.join(".gitlab-ci.yml")).unwrap(),
        PIPELINE
    );
    assert_eq!(SmallDisk::names(&repo.join("ci")), Vec::<String>::new());
    assert_eq!(SmallDisk::names(&repo), [".git", ".gitlab-ci.yml", "ci"]);

    // Room for the job's file only: it is written, the pipeline is not touched, and the line says
    // which is which.
    disk.free();
    disk.fill_leaving(1);
    let run = ci_job(&repo, ".gitlab-ci.yml");
    assert_eq!(run.code, 1, "{}", run.stderr);
    let line = one_line(&run);
    assert!(
        line.contains("ci/aws-oidc.yml was written")
            && line.contains(".gitlab-ci.yml was not changed"),
        "{line}"
    );
    assert_eq!(
        std::fs::read_to_string(repo.join(".gitlab-ci.yml")).unwrap(),
        PIPELINE
    );
    assert_eq!(SmallDisk::names(&repo.join("ci")), ["aws-oidc.yml"]);
    assert_eq!(SmallDisk::names(&repo), [".git", ".gitlab-ci.yml", "ci"]);

    // Room again: the next run adds the include, and a third changes nothing.
    disk.free();
    let run = ci_job(&repo, ".gitlab-ci.yml");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let after = std::fs::read_to_string(repo.join(".gitlab-ci.yml")).unwrap();
    assert!(
        after.starts_with("# our pipeline\nstages: [build, test, deploy]\n")
            && after
                .contains("build:\n  stage: build\n  script:\n    - make   # keep this comment\n"),
        "{after}"
    );
    assert!(after.contains("- local: ci/aws-oidc.yml"), "{after}");
    let run = ci_job(&repo, ".gitlab-ci.yml");
    assert_eq!(run.code, 0);
    assert!(run.stderr.contains("unchanged"), "{}", run.stderr);
}

#[test]
fn a_new_job_file_on_a_full_disk_is_not_left_empty() {
    let disk = SmallDisk::mount();
    disk.fill_leaving(0);
    let run = ci_job(disk.path(), "job.yml");
    assert_eq!(run.code, 1, "{}", run.stderr);
    let line = one_line(&run);
    assert!(line.contains("no file was made"), "{line}");
    assert_eq!(SmallDisk::names(disk.path()), ["filler"]);
}

/// `apply --write-ci-job` sets AWS up, and when the file cannot be written it says so and fails:
/// never a 0 with the job missing.
#[test]
fn apply_whose_ci_job_cannot_be_written_fails_and_says_what_was_done() {
    let emu = Emulator::start();
    let disk = SmallDisk::mount();
    disk.fill_leaving(0);
    let job: PathBuf = disk.path().join("job.yml");
    let run = emu.run(&[
        "apply",
        "--project",
        "acme/web",
        "--role-name",
        "gitlab-acme-web",
        "--policy",
        "ReadOnlyAccess",
        "--write-ci-job",
        job.to_str().expect("path"),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let last = run.stderr.lines().last().unwrap_or_default();
    assert!(
        last.contains("the AWS setup is in place (arn:aws:iam::123456789012:role/gitlab-acme-web)")
            && last.contains("not written"),
        "{}",
        run.stderr
    );
    assert_eq!(SmallDisk::names(disk.path()), ["filler"]);
}
