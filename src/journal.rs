//! The journal: the answers of a setup and the steps it finished, so that a run that stopped (a
//! failure, Ctrl-C, a kill, a closed laptop) can be continued with the same answers. Kept in the
//! user's state directory, file mode 0600, written atomically. It holds no credentials or tokens:
//! only what the user typed about the setup and the names of finished steps.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::plan::SetupInput;

const FILE: &str = "journal.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Journal {
    pub version: u32,
    pub answers: SetupInput,
    /// The account the setup was for, when known.
    pub account: Option<String>,
    /// The finished steps, in words (e.g. "create role gitlab-acme-web").
    pub finished: Vec<String>,
    /// The furthest wizard screen the answers were confirmed up to (`"permissions"`): a draft
    /// continues there, not past screens nobody went through. None from the command line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reached: Option<String>,
}

impl Journal {
    pub fn new(answers: SetupInput, account: Option<String>) -> Self {
        Journal {
            version: 1,
            answers,
            account,
            finished: Vec::new(),
            reached: None,
        }
    }

    /// One line about it, for the offer to continue.
    pub fn summary(&self) -> String {
        let role = self
            .answers
            .role_name
            .as_deref()
            .unwrap_or("(no role name)");
        let projects = self.answers.projects.join(", ");
        let done = match self.finished.len() {
            0 => "nothing applied yet".to_string(),
            n => format!("{n} step{} applied", if n == 1 { "" } else { "s" }),
        };
        format!("role {role} for {projects}: {done}")
    }
}

/// Where the journal is kept: the user's state directory, or a path of the caller's (tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Store {
    path: Option<PathBuf>,
    /// The demo's: keeps nothing (the demo writes no file) and says nothing of it.
    discard: bool,
}

impl Store {
    /// `$XDG_STATE_HOME/aws-oidc-wizard/journal.json`, or under `~/.local/state`.
    pub fn user() -> Store {
        let base = std::env::var_os("XDG_STATE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")));
        Store {
            path: base.map(|b| b.join("aws-oidc-wizard").join(FILE)),
            discard: false,
        }
    }

    /// The run's store: the user's, or for the demo one that keeps nothing (a real run's stopped
    /// setup stays as it was).
    pub fn for_run(demo: bool) -> Store {
        if demo {
            Store::nowhere()
        } else {
            Store::user()
        }
    }

    /// The demo's store: nothing is kept, nothing is read.
    pub fn nowhere() -> Store {
        Store {
            path: None,
            discard: true,
        }
    }

    /// A journal kept at `path`.
    pub fn at(path: PathBuf) -> Store {
        Store {
            path: Some(path),
            discard: false,
        }
    }

    pub fn path(&self) -> Option<&std::path::Path> {
        self.path.as_deref()
    }

    pub fn load(&self) -> Option<Journal> {
        let text = std::fs::read_to_string(self.path.as_ref()?).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Write it with mode 0600, replacing the old one atomically.
    pub fn save(&self, journal: &Journal) -> std::io::Result<()> {
        let Some(path) = &self.path else {
            if self.discard {
                return Ok(());
            }
            return Err(std::io::Error::other(
                "no state directory (HOME is not set)",
            ));
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        // Escaped as every JSON this program writes: `cat` on it shows nothing raw.
        let text = crate::sanitize::json_pretty(journal);
        crate::files::write_atomic(path, text.as_bytes(), Some(0o600))
    }

    /// The setup finished (or the user started over): nothing to continue.
    pub fn clear(&self) {
        if let Some(p) = &self.path {
            let _ = std::fs::remove_file(p);
        }
    }

    /// The setup with these answers is complete: forget its journal (another setup's is kept).
    pub fn finished(&self, answers: &SetupInput) {
        if self.load().is_some_and(|j| &j.answers == answers) {
            self.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(dir.path().join("state").join(FILE));
        let mut j = Journal::new(
            SetupInput {
                projects: vec!["acme/web".into()],
                role_name: Some("r".into()),
                ..Default::default()
            },
            Some("123456789012".into()),
        );
        j.finished.push("create role r".into());
        store.save(&j).unwrap();
        assert_eq!(store.load(), Some(j.clone()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path().unwrap())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(j.summary().contains("role r for acme/web: 1 step applied"));
        store.clear();
        assert_eq!(store.load(), None);
    }
}
