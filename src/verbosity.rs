//! How much a command says on stderr besides its result, its warnings and its errors: `--quiet`
//! (nothing more), the default (what it is doing, as it goes), `--verbose` (each AWS request too,
//! with its answer and time). One setting for the process; the wizard, which draws on the terminal,
//! takes neither.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Quiet,
    Normal,
    Verbose,
}

static LEVEL: AtomicU8 = AtomicU8::new(1);
static PRINTER: OnceLock<fn(&str)> = OnceLock::new();

pub fn set(level: Level) {
    LEVEL.store(level as u8, Ordering::SeqCst);
}

pub fn get() -> Level {
    match LEVEL.load(Ordering::SeqCst) {
        0 => Level::Quiet,
        2 => Level::Verbose,
        _ => Level::Normal,
    }
}

/// Where `--verbose`'s lines go (the command line's stderr writer, which lets nothing of an
/// account through raw).
pub fn set_printer(print: fn(&str)) {
    let _ = PRINTER.set(print);
}

/// A line only `--verbose` shows.
pub fn detail(line: &str) {
    if get() == Level::Verbose
        && let Some(print) = PRINTER.get()
    {
        print(line);
    }
}
