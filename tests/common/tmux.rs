//! Driving the real binary like a person: a tmux session on its own socket, keys sent with
//! send-keys, the screen read with capture-pane.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

static NEXT: AtomicUsize = AtomicUsize::new(0);

pub struct Tmux {
    socket: String,
    dir: tempfile::TempDir,
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

impl Tmux {
    /// Start `program args` in a `width`×`height` terminal with `env`. Its stdout goes to a file
    /// (the UI draws on the terminal through stderr), its exit code to another.
    pub fn start(
        env: &[(String, String)],
        program: &str,
        args: &[&str],
        width: u16,
        height: u16,
    ) -> Tmux {
        let socket = format!(
            "aow-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let dir = tempfile::tempdir().expect("dir");
        let mut line = String::from("env -i");
        for (k, v) in env {
            line.push_str(&format!(" {k}={}", quote(v)));
        }
        line.push_str(" TERM=xterm-256color NO_COLOR=1 ");
        line.push_str(&quote(program));
        for a in args {
            line.push(' ');
            line.push_str(&quote(a));
        }
        let out = dir.path().join("stdout");
        let code = dir.path().join("code");
        line.push_str(&format!(
            " > {}; echo $? > {}; sleep 600",
            quote(&out.display().to_string()),
            quote(&code.display().to_string())
        ));
        let status = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "t",
            ])
            .args(["-x", &width.to_string(), "-y", &height.to_string()])
            .arg(line)
            .status()
            .expect("tmux must be installed to drive the wizard");
        assert!(status.success(), "tmux new-session failed");
        Tmux { socket, dir }
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Press keys, in tmux's names (`Enter`, `Tab`, `BTab`, `C-u`, `Space`, …).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.tmux(&args);
        // Let the UI take each batch before the next (no timing is asserted).
        std::thread::sleep(Duration::from_millis(150));
    }

    /// Press the change button of the dialog shown (`label`: its text): → chooses it, Enter
    /// presses it. No typed text can, which is the point.
    #[allow(dead_code)]
    pub fn press_button(&self, label: &str) {
        self.keys(&["Right"]);
        self.wait_for(&format!("[›{label}‹]"));
        self.keys(&["Enter"]);
    }

    /// Press keys and, in the same tmux command, type `text` right after them: the text reaches
    /// the program before it can draw what the keys brought (type-ahead across a screen change).
    #[allow(dead_code)]
    pub fn type_ahead(&self, keys: &[&str], text: &str) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        args.extend([";", "send-keys", "-t", "t", "-l", "--", text]);
        self.tmux(&args);
        std::thread::sleep(Duration::from_millis(150));
    }

    /// Type text literally (`--`: a text starting with `-` is not an option of tmux).
    pub fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "t", "-l", "--", text]);
        std::thread::sleep(Duration::from_millis(150));
    }

    /// Paste text as a terminal does when the program asked for bracketed paste (tmux wraps it
    /// in the paste markers only then, as terminals do).
    #[allow(dead_code)]
    pub fn paste(&self, text: &str) {
        self.tmux(&["set-buffer", "-b", "p", "--", text]);
        self.tmux(&["paste-buffer", "-p", "-d", "-b", "p", "-t", "t"]);
        std::thread::sleep(Duration::from_millis(150));
    }

    /// Paste bytes too many for a tmux command line (a file, then `load-buffer`).
    #[allow(dead_code)]
    pub fn paste_large(&self, bytes: &[u8]) {
        let file = tempfile::NamedTempFile::new().expect("a temporary file");
        std::fs::write(file.path(), bytes).expect("write the paste");
        let path = file.path().to_string_lossy().into_owned();
        self.tmux(&["load-buffer", "-b", "p", &path]);
        self.tmux(&["paste-buffer", "-p", "-d", "-b", "p", "-t", "t"]);
        std::thread::sleep(Duration::from_millis(150));
    }

    /// The pid of the program in the pane (the shell runs it as its child).
    pub fn pane_pid(&self) -> String {
        let shell = self
            .tmux(&["list-panes", "-t", "t", "-F", "#{pane_pid}"])
            .trim()
            .to_string();
        let out = Command::new("pgrep")
            .args(["-P", &shell])
            .output()
            .expect("pgrep");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_string()
    }

    /// Resize the terminal, as a person dragging its window does.
    #[allow(dead_code)]
    pub fn resize(&self, width: u16, height: u16) {
        self.tmux(&[
            "resize-window",
            "-t",
            "t",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
        ]);
        std::thread::sleep(Duration::from_millis(150));
    }

    /// Resize the terminal and, in the same tmux command, press keys: they arrive as the screen
    /// comes back.
    #[allow(dead_code)]
    pub fn resize_then_keys(&self, width: u16, height: u16, keys: &[&str]) {
        let (w, h) = (width.to_string(), height.to_string());
        let mut args = vec!["resize-window", "-t", "t", "-x", &w, "-y", &h];
        args.extend([";", "send-keys", "-t", "t"]);
        args.extend_from_slice(keys);
        self.tmux(&args);
        std::thread::sleep(Duration::from_millis(150));
    }

    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "t"])
    }

    /// Wait until the screen shows `text` (bounded: a guard against a hang, not a timing check).
    #[track_caller]
    pub fn wait_for(&self, text: &str) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            if started.elapsed() > Duration::from_secs(60) {
                panic!("the screen never showed {text:?}; it shows:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Wait for the program to exit; its exit code and stdout.
    pub fn wait_exit(&self) -> (i32, String) {
        let code_file: PathBuf = self.dir.path().join("code");
        let started = Instant::now();
        while !code_file.exists()
            || std::fs::read_to_string(&code_file)
                .unwrap_or_default()
                .trim()
                .is_empty()
        {
            if started.elapsed() > Duration::from_secs(60) {
                panic!("the program did not exit; the screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let code = std::fs::read_to_string(&code_file)
            .unwrap_or_default()
            .trim()
            .parse()
            .unwrap_or(-1);
        let out = std::fs::read_to_string(self.dir.path().join("stdout")).unwrap_or_default();
        (code, out)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}
