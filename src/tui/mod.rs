//! The interactive wizard: a face on the engine. `app` holds the state and the pure update, `view`
//! draws it, and this module runs the loop: terminal events and background results come in as
//! messages over one channel; effects are performed as background tasks, so the UI never waits
//! on the network.

pub mod app;
pub mod clipboard;
pub mod field;
pub mod gate;
pub mod keys;
pub mod safe_backend;
pub mod terminal;
pub mod theme;
pub mod view;

mod effects;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ratatui::crossterm::event::{self, Event, KeyEventKind};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use crate::aws::sdk::ConnectOptions;
use app::{App, Effect, Msg, update};
pub use effects::{Connect, Effects, SdkConnect};

/// Run the wizard until the user quits; how it ended decides stdout and the exit code.
/// Returns how the wizard ended, and whether it ended on the demo account.
pub async fn run(
    options: ConnectOptions,
    gitlab_url: Option<String>,
    defaults: &crate::config::Config,
) -> std::io::Result<(app::End, bool)> {
    let demo = options.demo;
    let theme = theme::Theme::from_env();
    let mut guard = terminal::init()?;
    let (tx, mut rx) = unbounded_channel::<Msg>();
    let stop = Arc::new(AtomicBool::new(false));
    let (input_tx, mut input_rx) = unbounded_channel::<(Instant, Msg)>();
    let input = spawn_input(input_tx, tx.clone(), stop.clone());
    let mut gate = gate::Gate::default();
    // The demo keeps no journal and offers none.
    let store = crate::journal::Store::for_run(demo);
    let effects = Effects::new(tx, SdkConnect, options.endpoint_url.clone(), store.clone());
    let mut app = App::new(options.profile.as_deref(), options.region.as_deref());
    app.demo = demo;
    app.apply_defaults(defaults);
    // The demo's sample token holds the time, so it is made here, not in `update`.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    app.demo_token = Some(crate::aws::demo::sample_token(now));
    app.gitlab_url = gitlab_url;
    if let Some(token) = std::env::var("GITLAB_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
    {
        app.gitlab_token.set(token.trim());
    }
    if let Some(journal) = store.load() {
        app.offer_resume(journal);
    }
    for e in app.start() {
        effects.perform(e);
    }
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut terminate = terminate_signal();
    let mut first_frame_logged = false;
    let mut mouse_captured = true;
    let mut interrupted = false;
    let result = loop {
        if let Err(e) = guard.terminal.draw(|frame| {
            view::draw(frame, &app, &theme);
        }) {
            break Err(e);
        }
        let size = guard.terminal.size().ok();
        let hidden = size.is_some_and(|s| s.width < view::MIN_WIDTH || s.height < view::MIN_HEIGHT);
        gate.drawn(gate::Shown::of(&app, hidden), Instant::now());
        if let Some(size) = size {
            app.step_list_area = Some(view::step_list_area(size.into()));
        }
        if !first_frame_logged {
            first_frame_logged = true;
            tracing::info!(
                since_start_ms = crate::started().elapsed().as_secs_f64() * 1000.0,
                "first frame drawn"
            );
            // Debug builds only: lets the test suite prove the panic hook restores the terminal.
            #[cfg(debug_assertions)]
            #[allow(clippy::panic)]
            if std::env::var_os("AWS_OIDC_WIZARD_TEST_PANIC").is_some() {
                panic!("test panic requested by AWS_OIDC_WIZARD_TEST_PANIC");
            }
        }
        let msg = tokio::select! {
            Some(m) = rx.recv() => m,
            Some((read_at, m)) = input_rx.recv() => {
                let input = match m {
                    Msg::Paste(_) => gate::Input::Paste,
                    Msg::Tick => gate::Input::Resize,
                    Msg::KeysDropped => gate::Input::Other,
                    _ => gate::Input::Key,
                };
                match (gate.admits(read_at, input), input) {
                    (true, _) => m,
                    (false, gate::Input::Resize) => Msg::Tick,
                    // Input that never acts: only the gate needed to see it.
                    (false, gate::Input::Other) => continue,
                    (false, _) => Msg::KeysDropped,
                }
            }
            _ = tick.tick() => Msg::Tick,
            _ = terminate.recv() => {
                interrupted = true;
                Msg::Terminate
            }
        };
        for e in update(&mut app, msg) {
            if e != Effect::Quit {
                effects.perform(e);
            }
        }
        if app.quit {
            // Stopped from outside: exit 130 as the command line does, with what the end says.
            let end = match app.end() {
                app::End::NotApplied(why) if interrupted => app::End::Interrupted(Some(why)),
                _ if interrupted => app::End::Interrupted(None),
                end => end,
            };
            break Ok((end, app.demo));
        }
        if app.mouse_capture != mouse_captured {
            mouse_captured = app.mouse_capture;
            terminal::set_mouse_capture(mouse_captured);
        }
    };
    stop.store(true, Ordering::SeqCst);
    drop(guard);
    // The input thread sees `stop` within a poll (50 ms). A terminal that went away (a closed
    // window, a killed tmux) can keep crossterm's poll spinning without returning: then the thread
    // is left behind, and ends with the process, rather than holding the process up for ever.
    let deadline = Instant::now() + Duration::from_millis(500);
    while !input.is_finished() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    if input.is_finished() {
        let _ = input.join();
    }
    result
}

/// SIGTERM and SIGINT from outside end the loop like `q` does (Ctrl-C typed in the UI arrives as a key).
fn terminate_signal() -> tokio::sync::mpsc::UnboundedReceiver<()> {
    let (tx, rx) = unbounded_channel();
    tokio::spawn(async move {
        crate::interrupt::requested().await;
        let _ = tx.send(());
    });
    rx
}

/// Input while the terminal is too small and the screen is hidden behind "enlarge it": `q` and
/// Ctrl-C quit, as that screen says; every other key, click and paste is dropped, so nothing
/// acts on a screen the person cannot see.
fn while_hidden(msg: Msg) -> Option<Msg> {
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};
    match msg {
        Msg::Key(k)
            if k.code == KeyCode::Char('q')
                || (k.code == KeyCode::Char('c')
                    && k.modifiers.contains(KeyModifiers::CONTROL)) =>
        {
            Some(Msg::Terminate)
        }
        Msg::Key(_) | Msg::Mouse(_) | Msg::Paste(_) => None,
        other => Some(other),
    }
}

/// Whether bytes wait unread in the terminal's input buffer (stdin, where crossterm reads when it
/// is a terminal).
fn pending_input() -> bool {
    #[cfg(unix)]
    {
        use std::io::IsTerminal;
        let stdin = std::io::stdin();
        stdin.is_terminal() && rustix::io::ioctl_fionread(&stdin).is_ok_and(|n| n > 0)
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// Terminal events on a thread of their own (crossterm's reads block), as messages: keys, clicks
/// and pastes stamped with the time they were read (see `gate`), resizes as a redraw.
fn spawn_input(
    input: UnboundedSender<(Instant, Msg)>,
    tx: UnboundedSender<Msg>,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while !stop.load(Ordering::SeqCst) {
            match event::poll(Duration::from_millis(50)) {
                Ok(true) => {}
                // Quiet as crossterm sees it; but it reads a large input in parts and can stall
                // with the rest of it waiting in the terminal's buffer until the next key. That
                // rest is input: the gate hears of it, so the burst it belongs to goes on.
                Ok(false) => {
                    if pending_input() && input.send((Instant::now(), Msg::KeysDropped)).is_err() {
                        break;
                    }
                    continue;
                }
                Err(_) => break,
            }
            // The size when the key was typed: a screen hidden then took nothing of it.
            let hidden = ratatui::crossterm::terminal::size()
                .is_ok_and(|(w, h)| w < view::MIN_WIDTH || h < view::MIN_HEIGHT);
            let event = event::read();
            let read_at = Instant::now();
            let msg = match event {
                // Only presses: release events would double every keystroke on some terminals.
                Ok(Event::Key(k)) if k.kind == KeyEventKind::Press => Msg::Key(k),
                Ok(Event::Mouse(m)) => Msg::Mouse(m),
                Ok(Event::Paste(text)) => Msg::Paste(text),
                Ok(Event::Resize(..)) => Msg::Tick,
                // Focus changes, key releases: they never act, but the gate sees them (a burst
                // padded with them is still one burst).
                Ok(_) => Msg::KeysDropped,
                Err(_) => break,
            };
            // While hidden, what is dropped here is still input: the gate sees it as such.
            let msg = if hidden {
                while_hidden(msg).unwrap_or(Msg::KeysDropped)
            } else {
                msg
            };
            // A resize goes through the gate too: keys sent with it are part of its burst.
            let sent = match msg {
                Msg::Terminate => tx.send(msg).is_ok(),
                input_msg => input.send((read_at, input_msg)).is_ok(),
            };
            if !sent {
                break;
            }
        }
    })
}

#[cfg(test)]
mod hidden_tests {
    use super::*;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    #[test]
    fn a_hidden_screen_takes_no_key_but_quit() {
        let key = |c: KeyCode, m: KeyModifiers| Msg::Key(KeyEvent::new(c, m));
        for c in [
            KeyCode::Enter,
            KeyCode::Char('y'),
            KeyCode::Char('a'),
            KeyCode::Tab,
            KeyCode::Esc,
        ] {
            assert!(while_hidden(key(c, KeyModifiers::NONE)).is_none(), "{c:?}");
        }
        assert!(while_hidden(Msg::Paste("y\n".into())).is_none());
        assert_eq!(
            while_hidden(key(KeyCode::Char('q'), KeyModifiers::NONE)),
            Some(Msg::Terminate)
        );
        assert_eq!(
            while_hidden(key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Msg::Terminate)
        );
        assert_eq!(while_hidden(Msg::Tick), Some(Msg::Tick));
    }
}
