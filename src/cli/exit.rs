//! The one place where a command's end becomes stderr text and an exit code (fd's `exit_codes`,
//! ripgrep's single exit decision): handlers return `Result<Outcome, CliError>`.

use std::process::ExitCode;

use crate::engine::EngineError;
use crate::plan::input::InputError;

/// How a command that ran to its end ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Success,
    /// `check` found something, `explain` says AWS would refuse.
    Negative,
}

/// What a command hands back: its result for stdout, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub stdout: String,
    pub status: Status,
}

impl Outcome {
    pub fn success(stdout: impl Into<String>) -> Outcome {
        Outcome {
            stdout: stdout.into(),
            status: Status::Success,
        }
    }

    pub fn negative(stdout: impl Into<String>) -> Outcome {
        Outcome {
            stdout: stdout.into(),
            status: Status::Negative,
        }
    }
}

/// Why a command failed: one line for stderr and the exit code (2 bad input, 1 the rest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    line: String,
    code: u8,
}

impl CliError {
    /// Bad input, before anything was done: exit code 2.
    pub fn usage(message: impl std::fmt::Display) -> CliError {
        CliError {
            line: format!("error: {message}"),
            code: 2,
        }
    }

    /// It went wrong: exit code 1.
    pub fn failed(message: impl std::fmt::Display) -> CliError {
        CliError {
            line: format!("error: {message}"),
            code: 1,
        }
    }

    /// Nothing went wrong, but there is no result either: exit code 1 and this line as it is.
    pub fn no_result(line: impl Into<String>) -> CliError {
        CliError {
            line: line.into(),
            code: 1,
        }
    }

    pub fn code(&self) -> u8 {
        self.code
    }

    pub fn line(&self) -> &str {
        &self.line
    }
}

impl From<EngineError> for CliError {
    fn from(e: EngineError) -> Self {
        CliError {
            line: format!("error: {e}"),
            code: e.exit_code(),
        }
    }
}

impl From<InputError> for CliError {
    fn from(e: InputError) -> Self {
        CliError::usage(e)
    }
}

/// Print the result and turn the end of a command into its exit code.
pub fn finish(result: Result<Outcome, CliError>) -> ExitCode {
    match result {
        Ok(outcome) => {
            print!("{}", outcome.stdout);
            match outcome.status {
                Status::Success => ExitCode::SUCCESS,
                Status::Negative => ExitCode::from(1),
            }
        }
        Err(e) => {
            eprintln!("{}", e.line);
            ExitCode::from(e.code)
        }
    }
}
