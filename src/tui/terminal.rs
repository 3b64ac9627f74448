//! The terminal, drawn on stderr so that stdout stays free for the ARN
//! (`ROLE_ARN=$(aws-oidc-wizard)` works). Restored on every way out: normal exit, error (the guard's
//! Drop), panic (the hook) and signals (the run loop ends normally on SIGTERM/SIGINT).
//!
//! The only code that writes terminal control sequences to stderr itself; what is drawn goes
//! through [`SafeBackend`].
#![allow(
    clippy::disallowed_methods,
    reason = "the terminal's own control sequences"
)]

use std::io::{self, Stderr, stderr};

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use super::safe_backend::SafeBackend;
use ratatui::crossterm::cursor::Show;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};

/// Cells pass [`SafeBackend`] on their way to stderr.
pub type Term = Terminal<SafeBackend<CrosstermBackend<Stderr>>>;

/// Restores the terminal when dropped.
pub struct Guard {
    pub terminal: Term,
}

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// Leave raw mode and the alternate screen; safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        stderr(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        Show
    );
}

/// Give mouse events to the wizard (clicks on the step list) or leave them to the terminal
/// (selecting text).
pub fn set_mouse_capture(on: bool) {
    let _ = if on {
        execute!(stderr(), EnableMouseCapture)
    } else {
        execute!(stderr(), DisableMouseCapture)
    };
}

pub fn init() -> io::Result<Guard> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
    enable_raw_mode()?;
    let setup = || -> io::Result<Term> {
        // Bracketed paste: a pasted list arrives as one text, never as keys (a newline is not Enter).
        execute!(
            stderr(),
            EnterAlternateScreen,
            EnableMouseCapture,
            EnableBracketedPaste
        )?;
        Terminal::new(SafeBackend(CrosstermBackend::new(stderr())))
    };
    match setup() {
        Ok(terminal) => Ok(Guard { terminal }),
        Err(e) => {
            restore();
            Err(e)
        }
    }
}
