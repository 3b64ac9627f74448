//! The ways a run is told to stop from outside: SIGINT (Ctrl-C), SIGTERM (a CI runner's cancel,
//! `kill`, a container stopping) and SIGHUP (the terminal closed) are the same request, handled
//! the same way.

/// Wait for SIGINT, SIGTERM or SIGHUP (Ctrl-C where there are no unix signals).
pub async fn requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
            signal(SignalKind::hangup()),
        ) {
            (Ok(mut term), Ok(mut int), Ok(mut hup)) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                    _ = hup.recv() => {}
                }
            }
            // No handler could be set: the default (the process ends) stays.
            _ => std::future::pending::<()>().await,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// What an interrupted run says: what may and may not have been done, and how to finish.
pub const MESSAGE: &str = "interrupted: every step marked ✓ is done, and the AWS call in flight, if any, may have been done too; run the same command again: it adopts whatever was done and finishes";
