//! The one place where a command's end becomes stderr text and an exit code (fd's `exit_codes`,
//! ripgrep's single exit decision): handlers return `Result<Outcome, CliError>`.

use std::process::ExitCode;

use crate::engine::EngineError;
use crate::plan::input::InputError;

/// The exit codes, one per kind of end, so that a script can tell them apart. Listed in
/// `--help` and the README; `EXIT_CODES` is the text both show.
pub mod code {
    pub const SUCCESS: u8 = 0;
    /// It went wrong: AWS refused or failed, a file could not be written, nothing to print.
    pub const FAILURE: u8 = 1;
    /// Bad input (flags, values, a journal that does not fit): nothing was done.
    pub const BAD_INPUT: u8 = 2;
    /// A change needs a yes (`--yes`, or an answer at the prompt) and did not get one: nothing
    /// was changed.
    pub const CONFIRMATION_NEEDED: u8 = 3;
    /// The command ran and its answer is "no": `check` found something, `explain` says AWS
    /// would refuse, `preflight` found a problem, `plan --detailed-exitcode` has changes to make.
    pub const NEGATIVE: u8 = 4;
    /// Ctrl-C.
    pub const INTERRUPTED: u8 = 130;
}

/// How a command that ran to its end ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Success,
    /// `check` found something, `explain` says AWS would refuse, `plan` has changes to make
    /// (when asked to tell).
    Negative,
    /// The result is printed, but it is not whole: `check --org` could not read every account.
    Incomplete,
}

/// A command's result for stdout: text as it is, or a value that goes into the JSON envelope.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Text(String),
    Json(serde_json::Value),
    /// A report in a format of its own (`check --output codequality|sarif`): printed as it is,
    /// its demo mark inside it rather than before each line.
    Report(serde_json::Value),
}

impl From<String> for Body {
    fn from(s: String) -> Body {
        Body::Text(s)
    }
}

impl From<&str> for Body {
    fn from(s: &str) -> Body {
        Body::Text(s.to_string())
    }
}

impl From<serde_json::Value> for Body {
    fn from(v: serde_json::Value) -> Body {
        Body::Json(v)
    }
}

/// What a command hands back: its result for stdout, and how it ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub body: Body,
    pub status: Status,
}

impl Outcome {
    pub fn success(body: impl Into<Body>) -> Outcome {
        Outcome {
            body: body.into(),
            status: Status::Success,
        }
    }

    pub fn negative(body: impl Into<Body>) -> Outcome {
        Outcome {
            body: body.into(),
            status: Status::Negative,
        }
    }

    pub fn incomplete(body: impl Into<Body>) -> Outcome {
        Outcome {
            body: body.into(),
            status: Status::Incomplete,
        }
    }

    /// What goes to stdout as text (a JSON result as one line of it, outside the envelope).
    pub fn stdout(&self) -> String {
        match &self.body {
            Body::Text(s) => s.clone(),
            Body::Json(v) | Body::Report(v) => format!("{}\n", crate::sanitize::json(v)),
        }
    }
}

/// Why a command failed: one line for stderr, a short code for JSON, and the exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    line: String,
    kind: String,
    code: u8,
}

impl CliError {
    /// Bad input, before anything was done: exit code 2.
    pub fn usage(message: impl std::fmt::Display) -> CliError {
        CliError {
            line: format!("error: {message}"),
            kind: "InvalidInput".into(),
            code: code::BAD_INPUT,
        }
    }

    /// It went wrong: exit code 1.
    pub fn failed(message: impl std::fmt::Display) -> CliError {
        CliError {
            line: format!("error: {message}"),
            kind: "Failed".into(),
            code: code::FAILURE,
        }
    }

    /// Nothing went wrong, but there is no result either: exit code 1 and this line as it is.
    pub fn no_result(line: impl Into<String>) -> CliError {
        CliError {
            line: line.into(),
            kind: "NoResult".into(),
            code: code::FAILURE,
        }
    }

    /// Ctrl-C, for the JSON envelope (the exit code is 130).
    pub fn interrupted() -> CliError {
        CliError {
            line: "interrupted".into(),
            kind: "Interrupted".into(),
            code: code::INTERRUPTED,
        }
    }

    /// Stopped from outside, with what was not finished in words (exit code 130).
    pub fn interrupted_because(line: String) -> CliError {
        CliError {
            line: format!("interrupted: {line}"),
            ..CliError::interrupted()
        }
    }

    pub fn code(&self) -> u8 {
        self.code
    }

    pub fn line(&self) -> &str {
        &self.line
    }

    /// The short name of what went wrong (the AWS error code for AWS failures).
    pub fn kind(&self) -> &str {
        &self.kind
    }
}

impl From<EngineError> for CliError {
    fn from(e: EngineError) -> Self {
        let code = match &e {
            EngineError::ConfirmationRequired { .. } => code::CONFIRMATION_NEEDED,
            e => e.exit_code(),
        };
        CliError {
            line: format!("error: {e}"),
            kind: e.code().to_string(),
            code,
        }
    }
}

impl From<InputError> for CliError {
    fn from(e: InputError) -> Self {
        CliError::usage(e)
    }
}

/// The JSON every command prints with `--output json`: one envelope, its result or its error.
/// The shapes are in docs/json.md.
pub const SCHEMA_VERSION: u32 = 1;

pub fn envelope(face: &Face<'_>, result: &Result<Outcome, CliError>) -> serde_json::Value {
    let mut v = serde_json::json!({"schema_version": SCHEMA_VERSION, "command": face.command});
    if face.demo {
        v["demo"] = serde_json::Value::Bool(true);
    }
    match result {
        Ok(o) => {
            v["result"] = match &o.body {
                Body::Json(value) | Body::Report(value) => value.clone(),
                Body::Text(text) => serde_json::Value::String(text.clone()),
            };
        }
        Err(e) => {
            let message = e.line.strip_prefix("error: ").unwrap_or(&e.line);
            v["error"] = serde_json::json!({
                "code": e.kind,
                "message": message,
                "exit_code": e.code,
            });
        }
    }
    v
}

/// Whether this run is on the demo account: every line written to stderr then says so too.
static DEMO: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub fn set_demo(on: bool) {
    DEMO.store(on, std::sync::atomic::Ordering::SeqCst);
}

/// Whether this run is the demo's.
pub fn is_demo() -> bool {
    DEMO.load(std::sync::atomic::Ordering::SeqCst)
}

/// Write to stderr as `eprint!` does, through [`crate::sanitize::terminal_safe`]: nothing in
/// `text` (which may hold what an account holds) reaches the terminal raw. In the demo each line
/// starts with `DEMO  `.
pub fn say(text: &str) {
    let text = crate::sanitize::terminal_safe(text);
    let text = if DEMO.load(std::sync::atomic::Ordering::SeqCst) {
        text.split_inclusive('\n')
            .map(|piece| format!("DEMO  {piece}"))
            .collect()
    } else {
        text
    };
    to_stderr(&text);
}

/// [`say`] unless `--quiet`: what a command is doing as it goes.
pub fn note(text: &str) {
    if crate::verbosity::get() > crate::verbosity::Level::Quiet {
        say(text);
    }
}

/// Redraw the terminal's last line with `text` (a progress line): the one control sequence the
/// program writes itself, around text that goes through the same rule as [`say`].
pub fn redraw(text: &str) {
    if crate::verbosity::get() == crate::verbosity::Level::Quiet {
        return;
    }
    let demo = if DEMO.load(std::sync::atomic::Ordering::SeqCst) {
        "DEMO  "
    } else {
        ""
    };
    to_stderr(&format!(
        "\r\x1b[2K{demo}{}",
        crate::sanitize::terminal_safe(text)
    ));
}

#[allow(
    clippy::disallowed_methods,
    reason = "the one writer of the command line's stderr"
)]
fn to_stderr(text: &str) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// Whether stderr is a terminal (progress lines and questions are only for one).
#[allow(clippy::disallowed_methods, reason = "asks, writes nothing")]
pub fn stderr_is_terminal() -> bool {
    std::io::IsTerminal::is_terminal(&std::io::stderr())
}

/// How a command line wants its end shown: the command's name, JSON or text, and whether it ran
/// on the demo account (every result line then says DEMO; the envelope has `"demo": true`).
#[derive(Debug, Clone, Copy)]
pub struct Face<'a> {
    pub command: &'a str,
    pub json: bool,
    pub demo: bool,
}

/// Write the result to stdout. A reader that went away (`| head`) is not an error of ours: what
/// it did not read, it did not want (print! would panic there).
#[allow(
    clippy::disallowed_methods,
    reason = "the one writer of the command line's stdout"
)]
pub fn stdout(text: &str) {
    use std::io::Write;
    let text = crate::sanitize::terminal_safe(text);
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// Print the result and turn the end of a command into its exit code. With `json`, stdout holds
/// the envelope, for an error too (its line still goes to stderr).
pub fn finish(face: &Face<'_>, result: Result<Outcome, CliError>) -> ExitCode {
    if face.json {
        stdout(&format!(
            "{}\n",
            crate::sanitize::json(&envelope(face, &result))
        ));
    }
    match result {
        Ok(outcome) => {
            if !face.json {
                let text = outcome.stdout();
                if face.demo && !matches!(outcome.body, Body::Report(_)) {
                    // Every line says it: nothing of the demo can pass for a real result.
                    stdout(
                        &text
                            .lines()
                            .map(|l| format!("DEMO  {l}\n"))
                            .collect::<String>(),
                    );
                } else {
                    stdout(&text);
                }
            }
            match outcome.status {
                Status::Success => ExitCode::from(code::SUCCESS),
                Status::Negative => ExitCode::from(code::NEGATIVE),
                Status::Incomplete => ExitCode::from(code::FAILURE),
            }
        }
        Err(e) => {
            // One line, whatever the error's words hold.
            say(&format!("{}\n", crate::sanitize::inline(&e.line)));
            ExitCode::from(e.code)
        }
    }
}
