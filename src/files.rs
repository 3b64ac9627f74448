//! The one way this program writes a file: whole or not at all.
//!
//! The text goes to a new file beside the target (a name no other run uses, created exclusively),
//! which is synced and then renamed over the target; the directory is synced after. A reader, a
//! crash or a full disk sees the old file or the new one, never a part, and a failure leaves no
//! temporary file behind. A file that exists keeps its permissions and owner; a symbolic link
//! stays a link, and the file it points to is written. (A hard link is not kept: the new file
//! replaces the name, as every atomic writer's does.)

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Write `content` to `path` atomically. `new_mode`: the permissions of a file that does not
/// exist yet (unix; `None`: the process's default). An existing file keeps its own.
pub fn write_atomic(path: &Path, content: &[u8], new_mode: Option<u32>) -> std::io::Result<()> {
    // A symbolic link stays one: the file it points to is the one written.
    let resolved;
    let path = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            resolved = std::fs::canonicalize(path).map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!(
                        "{} is a symbolic link to a file that is not there ({e})",
                        path.display()
                    ),
                )
            })?;
            resolved.as_path()
        }
        _ => path,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other(format!("{} is not a file name", path.display())))?;
    let existing = std::fs::metadata(path).ok();
    let (tmp, mut file) = create_beside(dir, &name.to_string_lossy(), new_mode)?;
    let written = (|| {
        file.write_all(content)?;
        if let Some(meta) = &existing {
            file.set_permissions(meta.permissions())?;
            // Its owner too, where this process may give it (root may; others own what they
            // write, and then the file was theirs already).
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                let _ = std::os::unix::fs::fchown(&file, Some(meta.uid()), Some(meta.gid()));
            }
        }
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    // The rename is durable once the directory is; a failure here loses nothing already written.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// A new, empty file in `dir` whose name no other process or call uses: `.NAME.PID.N.tmp`,
/// created exclusively (a name taken is skipped, never reused).
fn create_beside(
    dir: &Path,
    name: &str,
    new_mode: Option<u32>,
) -> std::io::Result<(PathBuf, std::fs::File)> {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let pid = std::process::id();
    loop {
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{pid}.{n}.tmp"));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        if let Some(mode) = new_mode {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(mode);
        }
        #[cfg(not(unix))]
        let _ = new_mode;
        match options.open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect()
    }

    #[test]
    fn a_file_is_replaced_whole_and_keeps_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".gitlab-ci.yml");
        std::fs::write(&path, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        }
        write_atomic(&path, b"new", Some(0o600)).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o640);
        }
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    #[cfg(unix)]
    fn a_new_file_gets_the_mode_asked_for() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.json");
        write_atomic(&path, b"{}", Some(0o600)).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn writers_side_by_side_never_share_a_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.json");
        std::thread::scope(|s| {
            for i in 0..8 {
                let path = &path;
                s.spawn(move || {
                    for _ in 0..50 {
                        let text = format!("{i}").repeat(1000);
                        write_atomic(path, text.as_bytes(), None).unwrap();
                    }
                });
            }
        });
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.len(), 1000);
        assert!(
            text.chars().all(|c| text.starts_with(c)),
            "one writer's whole text"
        );
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing-dir").join("file");
        assert!(write_atomic(&path, b"x", None).is_err());
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    #[cfg(unix)]
    fn a_symbolic_link_stays_and_its_file_is_written() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("shared")).unwrap();
        let target = dir.path().join("shared/pipeline.yml");
        std::fs::write(&target, "old").unwrap();
        let link = dir.path().join(".gitlab-ci.yml");
        std::os::unix::fs::symlink("shared/pipeline.yml", &link).unwrap();
        write_atomic(&link, b"new", None).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert!(
            leftovers(dir.path()).is_empty() && leftovers(&dir.path().join("shared")).is_empty()
        );
        // A link to nothing is refused, and nothing is made.
        let dangling = dir.path().join("dangling.yml");
        std::os::unix::fs::symlink("missing/file.yml", &dangling).unwrap();
        assert!(write_atomic(&dangling, b"x", None).is_err());
        assert!(!dir.path().join("missing").exists());
    }
}
