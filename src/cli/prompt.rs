//! Asking the user on the terminal: only when there is one, never in a pipeline or CI (there the
//! command needs `--yes`).

use std::io::{BufRead, IsTerminal};

/// Show the reasons and ask for a yes.
pub fn confirm(reasons: &[String]) -> bool {
    if !std::io::stdin().is_terminal() || !super::exit::stderr_is_terminal() {
        return false;
    }
    say!();
    for r in reasons {
        say!("  ? {r}");
    }
    say_raw!("Apply these changes? [y/N] ");
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes")
}
