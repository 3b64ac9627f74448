//! Keys meant for something else. A key, click or paste typed before the screen or dialog it
//! would act on was drawn was meant for what was shown then: it is dropped, never applied to what
//! replaced it. So type-ahead across a screen change (Enter, then the text meant for the next
//! field) cannot answer the dialog or press the keys of the screen that appears.
//!
//! The input thread stamps each event with the time it was read; the run loop draws after every
//! message, and tells the gate what it drew. An event read before the current view's first draw
//! is dropped.

use std::time::Instant;

use super::app::{App, Screen};

/// What keys act on: the screen, the dialog over it, the help over it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shown {
    screen: Screen,
    dialog: Option<std::mem::Discriminant<super::app::Confirm>>,
    help: bool,
}

impl Shown {
    pub fn of(app: &App) -> Shown {
        Shown {
            screen: app.screen,
            dialog: app.confirm.as_ref().map(std::mem::discriminant),
            help: app.help,
        }
    }
}

/// The view drawn last and when it was first drawn.
#[derive(Debug, Default)]
pub struct Gate {
    shown: Option<(Shown, Instant)>,
}

impl Gate {
    /// A frame was drawn showing `now` (called after every draw).
    pub fn drawn(&mut self, now: Shown, at: Instant) {
        if self.shown.map(|(s, _)| s) != Some(now) {
            self.shown = Some((now, at));
        }
    }

    /// Whether an event read at `read_at` was typed at the view on screen now.
    pub fn admits(&self, read_at: Instant) -> bool {
        self.shown.is_some_and(|(_, since)| read_at >= since)
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
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        // Nothing drawn yet: nothing is admitted.
        assert!(!gate.admits(at(0)));
        gate.drawn(Shown::of(&app), at(10));
        assert!(gate.admits(at(10)) && gate.admits(at(20)));
        assert!(!gate.admits(at(5)));
        // Redrawing the same view keeps its first time: keys typed at it since stay good.
        gate.drawn(Shown::of(&app), at(30));
        assert!(gate.admits(at(20)));
        // Another screen: what was typed before its first frame was meant for the old one.
        app.screen = Screen::Review;
        gate.drawn(Shown::of(&app), at(40));
        assert!(!gate.admits(at(35)) && gate.admits(at(41)));
        // A dialog over it, and the help, are views of their own.
        app.confirm = Some(super::super::app::Confirm::Quit);
        gate.drawn(Shown::of(&app), at(50));
        assert!(!gate.admits(at(45)));
        app.confirm = None;
        app.help = true;
        gate.drawn(Shown::of(&app), at(60));
        assert!(!gate.admits(at(55)) && gate.admits(at(60)));
    }
}
