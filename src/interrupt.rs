//! The ways a run is told to stop from outside: SIGINT (Ctrl-C), SIGTERM (a CI runner's cancel,
//! `kill`, a container stopping) and SIGHUP (the terminal closed) are the same request, handled
//! the same way.

/// Wait for SIGINT, SIGTERM or SIGHUP, or another signal whose default would end the process
/// without restoring the terminal (SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM): all are the same request
/// (Ctrl-C where there are no unix signals).
pub async fn requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let kinds = [
            SignalKind::terminate(),
            SignalKind::interrupt(),
            SignalKind::hangup(),
            SignalKind::quit(),
            SignalKind::user_defined1(),
            SignalKind::user_defined2(),
            SignalKind::alarm(),
        ];
        // A signal whose handler could not be set keeps its default (the process ends).
        let mut signals: Vec<_> = kinds.into_iter().filter_map(|k| signal(k).ok()).collect();
        if signals.is_empty() {
            return std::future::pending::<()>().await;
        }
        let waits = signals.iter_mut().map(|s| Box::pin(s.recv()));
        futures_select_any(waits).await;
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The first of several futures to finish.
#[cfg(unix)]
async fn futures_select_any<F: std::future::Future + Unpin>(futures: impl Iterator<Item = F>) {
    let mut futures: Vec<F> = futures.collect();
    std::future::poll_fn(|cx| {
        for f in futures.iter_mut() {
            if std::pin::Pin::new(f).poll(cx).is_ready() {
                return std::task::Poll::Ready(());
            }
        }
        std::task::Poll::Pending
    })
    .await
}

/// What an interrupted run says: what may and may not have been done, and how to finish.
pub const MESSAGE: &str = "interrupted: every step marked ✓ is done, and the AWS call in flight, if any, may have been done too; run the same command again: it adopts whatever was done and finishes";
