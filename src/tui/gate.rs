//! Keys meant for something else. A key, click or paste typed before the screen or dialog it
//! would act on was drawn was meant for what was shown then: it is dropped, never applied to what
//! replaced it. So type-ahead across a screen change (Enter, then the text meant for the next
//! field) cannot answer the dialog or press the keys of the screen that appears.
//!
//! The input thread stamps each event with the time it was read; the run loop draws after every
//! message, and tells the gate what it drew (a screen hidden behind "enlarge the terminal" is a
//! view of its own, so growing the terminal back shows a new view). An event read before the
//! current view's first draw is dropped.
//!
//! And a burst is one thing: once an event of a burst is dropped, or a burst brings a paste or a
//! resize, the rest of it (every event read less than `QUIET` after the one before) is dropped
//! too. So type-ahead is dropped whole, never half-kept as a different valid answer ("cme/web"),
//! and keys smuggled inside a paste (an end-of-paste marker, then → Enter) never press a button.

use std::time::{Duration, Instant};

use super::app::{App, Screen};

/// What keys act on: the screen, the dialog over it, the help over it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shown {
    screen: Screen,
    dialog: Option<std::mem::Discriminant<super::app::Confirm>>,
    help: bool,
    /// The terminal is too small: only "enlarge it" shows.
    hidden: bool,
}

impl Shown {
    pub fn of(app: &App, hidden: bool) -> Shown {
        Shown {
            screen: app.screen,
            dialog: app.confirm.as_ref().map(std::mem::discriminant),
            help: app.help,
            hidden,
        }
    }
}

/// Events read closer together than this are one burst (a script, a paste, type-ahead); a person
/// who reads the screen before the next key takes longer.
pub const QUIET: Duration = Duration::from_millis(100);

/// What the terminal sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// A key or a click.
    Key,
    Paste,
    Resize,
    /// Anything else the terminal sent (focus in or out, a sequence with no meaning here, bytes
    /// still waiting to be read): it never acts, but it is input, so it keeps a burst going
    /// (padding cannot end one); alone it begins none.
    Other,
}

/// The view drawn last and when it was first drawn, and the burst being dropped.
#[derive(Debug, Default)]
pub struct Gate {
    shown: Option<(Shown, Instant)>,
    /// The last event of a burst that is dropped from there on (or that a paste or a resize began).
    burst: Option<Instant>,
}

impl Gate {
    /// A frame was drawn showing `now` (called after every draw).
    pub fn drawn(&mut self, now: Shown, at: Instant) {
        if self.shown.map(|(s, _)| s) != Some(now) {
            self.shown = Some((now, at));
        }
    }

    /// Whether an event read at `read_at` acts: it was typed at the view on screen now, and is not
    /// the rest of a burst that is dropped. A resize never acts (it is a redraw), but the keys that
    /// come with it are part of its burst.
    pub fn admits(&mut self, read_at: Instant, input: Input) -> bool {
        let in_burst = self
            .burst
            .is_some_and(|last| read_at.saturating_duration_since(last) < QUIET);
        // Typed at the view drawn last, and that view shows the screen (not "enlarge it").
        let seen = self
            .shown
            .is_some_and(|(shown, since)| read_at >= since && !shown.hidden);
        let admitted = seen && !in_burst && input != Input::Resize && input != Input::Other;
        // Input that never acts only carries a burst on (a focus change alone, or bytes found
        // waiting just as a key arrives, begin none).
        let carries = match input {
            Input::Other => in_burst,
            Input::Key => !admitted,
            Input::Paste | Input::Resize => true,
        };
        if carries {
            self.burst = Some(read_at);
        }
        admitted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_key_read_before_the_view_was_drawn_is_dropped() {
        let mut app = App::new(None, None);
        let mut gate = Gate::default();
        let t0 = Instant::now();
        // Events a second apart: no two of them are one burst.
        let at = |s: u64| t0 + Duration::from_secs(s);
        let key = Input::Key;
        // Nothing drawn yet: nothing is admitted.
        assert!(!gate.admits(at(0), key));
        gate.drawn(Shown::of(&app, false), at(10));
        assert!(gate.admits(at(10), key) && gate.admits(at(20), key));
        assert!(!gate.admits(at(5), key));
        // Redrawing the same view keeps its first time: keys typed at it since stay good.
        gate.drawn(Shown::of(&app, false), at(30));
        assert!(gate.admits(at(22), key));
        // Another screen: what was typed before its first frame was meant for the old one.
        app.screen = Screen::Review;
        gate.drawn(Shown::of(&app, false), at(40));
        assert!(!gate.admits(at(35), key) && gate.admits(at(41), key));
        // A dialog over it, and the help, are views of their own.
        app.confirm = Some(super::super::app::Confirm::Quit);
        gate.drawn(Shown::of(&app, false), at(50));
        assert!(!gate.admits(at(45), key));
        app.confirm = None;
        app.help = true;
        gate.drawn(Shown::of(&app, false), at(60));
        assert!(!gate.admits(at(55), key) && gate.admits(at(61), key));
        // Hidden behind "enlarge it", then shown again: a new view both times.
        gate.drawn(Shown::of(&app, true), at(70));
        gate.drawn(Shown::of(&app, false), at(80));
        assert!(!gate.admits(at(75), key) && gate.admits(at(81), key));
    }

    #[test]
    fn the_rest_of_a_dropped_burst_is_dropped_and_keys_after_a_paste_too() {
        let app = App::new(None, None);
        let mut gate = Gate::default();
        let t0 = Instant::now();
        let ms = |n: u64| t0 + Duration::from_millis(n);
        gate.drawn(Shown::of(&app, false), ms(1000));
        // Type-ahead: the first keys came before the view, the rest just after it.
        assert!(!gate.admits(ms(990), Input::Key));
        for t in [1001, 1010, 1050, 1140] {
            assert!(!gate.admits(ms(t), Input::Key), "{t}");
        }
        // A pause, and typing acts again.
        assert!(gate.admits(ms(1300), Input::Key));
        assert!(
            gate.admits(ms(1310), Input::Key),
            "a burst of admitted keys is fine"
        );
        // A paste is taken, and what comes in its burst (a smuggled → Enter) is not.
        assert!(gate.admits(ms(2000), Input::Paste));
        assert!(!gate.admits(ms(2000), Input::Key));
        assert!(!gate.admits(ms(2001), Input::Key));
        assert!(gate.admits(ms(2200), Input::Key));
        // A resize is never a key, and keys sent with it are dropped.
        assert!(!gate.admits(ms(3000), Input::Resize));
        assert!(!gate.admits(ms(3002), Input::Key));
        assert!(gate.admits(ms(3200), Input::Key));
        // Padding (focus events) keeps a burst going, however long it takes to read.
        assert!(gate.admits(ms(4000), Input::Paste));
        for t in (4050..6000).step_by(50) {
            assert!(!gate.admits(ms(t), Input::Other));
        }
        assert!(
            !gate.admits(ms(6040), Input::Key),
            "still the paste's burst"
        );
        assert!(gate.admits(ms(6300), Input::Key));
        // Alone, such input begins no burst: a key right after it acts.
        assert!(!gate.admits(ms(7000), Input::Other));
        assert!(gate.admits(ms(7001), Input::Key));
    }

    #[test]
    fn nothing_acts_while_the_view_drawn_last_is_hidden() {
        let app = App::new(None, None);
        let mut gate = Gate::default();
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        gate.drawn(Shown::of(&app, true), at(1));
        // The terminal has grown back, but its screen is not drawn yet: still hidden.
        assert!(!gate.admits(at(5), Input::Key));
        gate.drawn(Shown::of(&app, false), at(6));
        assert!(gate.admits(at(7), Input::Key));
    }
}
