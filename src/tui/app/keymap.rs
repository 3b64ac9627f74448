//! Key bindings: each is declared once, with the keys it answers to, the words the footer and
//! the help use for it, and the action it runs. A screen lists its bindings (`screens::<s>::keys`),
//! the footer and help are built from that same list, and `update` runs a key only through it,
//! so what is shown and what a key does cannot drift apart.
//!
//! One rule for all of them: while the focus is in a text field, a key without Ctrl is text for
//! the field, never a command (so typed text never reaches a binding).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::screens;

/// A key a binding answers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Code(KeyCode),
    Char(char),
    Ctrl(char),
}

impl Key {
    fn matches(self, key: KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match self {
            Key::Code(code) => !ctrl && key.code == code,
            Key::Char(c) => !ctrl && key.code == KeyCode::Char(c),
            Key::Ctrl(c) => ctrl && key.code == KeyCode::Char(c),
        }
    }

    /// Text for a text field: no Ctrl, a character (Space included).
    fn is_text(self) -> bool {
        matches!(self, Key::Char(_))
    }
}

/// Navigation, the same on every screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    NextField,
    PreviousField,
    /// Enter where no screen binding takes it: go on when the screen is complete, else the next
    /// field.
    Enter,
    /// Back to the previous step (during an apply: stop waiting for the call in flight).
    Back,
    Help,
    Mouse,
    Quit,
    /// Change the focused choice (←/→, Space; ↑/↓ on a vertical one).
    Choose,
    /// Ctrl-N/Ctrl-P: the next or previous of the focused field's known values.
    Pick,
    /// Scroll the screen's text by this many lines.
    Scroll(i16),
}

/// What a key does: navigation, or an action of one screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Nav(Nav),
    Account(screens::account::Action),
    Provider(screens::provider::Action),
    Trust(screens::trust::Action),
    Permissions(screens::permissions::Action),
    Review(screens::review::Action),
    /// Review's target: this account or the accounts of organizational units.
    Units(screens::units::Action),
    Apply(screens::apply::Action),
    Done(screens::done::Action),
    Check(screens::check::Action),
    Explain(screens::explain::Action),
    Remove(screens::remove::Action),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub keys: Vec<Key>,
    /// How the footer and the help name the keys ("j/k", "Enter").
    pub label: &'static str,
    /// The footer's words; `None`: listed only in the help.
    pub short: Option<String>,
    /// The help's words.
    pub long: &'static str,
    pub action: Command,
    /// Whether it acts now (it is listed in the help either way).
    pub active: bool,
}

impl Binding {
    pub fn new(keys: &[Key], label: &'static str, short: &str, long: &'static str) -> Self {
        Binding {
            keys: keys.to_vec(),
            label,
            short: (!short.is_empty()).then(|| short.to_string()),
            long,
            action: Command::Nav(Nav::Enter),
            active: true,
        }
    }

    pub fn does(mut self, action: Command) -> Self {
        self.action = action;
        self
    }

    pub fn when(mut self, active: bool) -> Self {
        self.active = self.active && active;
        self
    }

    /// Whether `key` runs this binding now; in a text field only keys that are not text do.
    pub fn answers(&self, key: KeyEvent, in_text: bool) -> bool {
        self.active
            && self
                .keys
                .iter()
                .any(|k| k.matches(key) && !(in_text && k.is_text()))
    }

    /// Every key of it is text (typed into a text field rather than run there).
    pub fn text_only(&self) -> bool {
        !self.keys.is_empty() && self.keys.iter().all(|k| k.is_text())
    }

    /// The keys that run it now (none when inactive; in a text field, none that are text).
    pub fn live_keys(&self, in_text: bool) -> Vec<Key> {
        if !self.active {
            return vec![];
        }
        self.keys
            .iter()
            .copied()
            .filter(|k| !(in_text && k.is_text()))
            .collect()
    }
}

/// Shorthands for the keys the screens bind.
pub const ENTER: Key = Key::Code(KeyCode::Enter);
pub const ESC: Key = Key::Code(KeyCode::Esc);
pub const TAB: Key = Key::Code(KeyCode::Tab);
pub const BACKTAB: Key = Key::Code(KeyCode::BackTab);
pub const UP: Key = Key::Code(KeyCode::Up);
pub const DOWN: Key = Key::Code(KeyCode::Down);
pub const LEFT: Key = Key::Code(KeyCode::Left);
pub const RIGHT: Key = Key::Code(KeyCode::Right);
pub const PAGE_UP: Key = Key::Code(KeyCode::PageUp);
pub const PAGE_DOWN: Key = Key::Code(KeyCode::PageDown);
pub const HOME: Key = Key::Code(KeyCode::Home);
pub const END: Key = Key::Code(KeyCode::End);
pub const F1: Key = Key::Code(KeyCode::F(1));
pub const SPACE: Key = Key::Char(' ');

pub fn ch(c: char) -> Key {
    Key::Char(c)
}

/// The navigation bindings of every screen; a screen lists some of them again where its footer
/// shows them (the first binding that answers a key runs it). `in_text`: the focus is in a text
/// field, where `?` and `q` are text, so the footer names F1 and Ctrl-C instead.
pub fn nav(vertical_moves_focus: bool, in_text: bool) -> Vec<Binding> {
    let nav = |n| Command::Nav(n);
    vec![
        Binding::new(&[TAB, DOWN], "Tab / ↓", "", "next field")
            .does(nav(Nav::NextField))
            .when(vertical_moves_focus),
        Binding::new(&[TAB], "Tab", "", "next field").does(nav(Nav::NextField)),
        Binding::new(&[BACKTAB, UP], "Shift-Tab / ↑", "", "previous field")
            .does(nav(Nav::PreviousField))
            .when(vertical_moves_focus),
        Binding::new(&[BACKTAB], "Shift-Tab", "", "previous field").does(nav(Nav::PreviousField)),
        Binding::new(
            &[ENTER],
            "Enter",
            "",
            "go on (screen complete), else next field",
        )
        .does(nav(Nav::Enter)),
        Binding::new(&[ESC], "Esc", "", "back to the previous step").does(nav(Nav::Back)),
        Binding::new(&[], "mouse click", "", "a step in the list: go back to it"),
        Binding::new(&[ch('?')], "?", "help", "").does(nav(Nav::Help)),
        Binding::new(&[F1], "F1", "help", "")
            .does(nav(Nav::Help))
            .when(in_text),
        Binding::new(
            &[F1],
            if in_text { "F1" } else { "? / F1" },
            "",
            "this help",
        )
        .does(nav(Nav::Help)),
        Binding::new(
            &[ch('m')],
            "m",
            "",
            "mouse: to the terminal (select text) or back",
        )
        .does(nav(Nav::Mouse)),
        Binding::new(&[ch('q')], "q", "quit", "").does(nav(Nav::Quit)),
        // Ctrl-C quits before any binding is looked at; declared here to be shown.
        Binding::new(&[Key::Ctrl('c')], "Ctrl-C", "quit", "")
            .does(nav(Nav::Quit))
            .when(in_text),
        Binding::new(
            &[Key::Ctrl('c')],
            if in_text { "Ctrl-C" } else { "q / Ctrl-C" },
            "",
            "quit (asks when something would be lost)",
        )
        .does(nav(Nav::Quit)),
    ]
}

/// The common footer entries of a form: Tab, Enter and Esc.
pub fn form(enter: &str) -> Vec<Binding> {
    vec![
        Binding::new(&[TAB], "Tab", "next field", "next field").does(Command::Nav(Nav::NextField)),
        Binding::new(
            &[ENTER],
            "Enter",
            enter,
            "go on (screen complete), else next field",
        )
        .does(Command::Nav(Nav::Enter)),
        back(),
    ]
}

/// j/k (and more) scroll the screen's text; `arrows`: ↑/↓ too.
pub fn scroll(arrows: bool, short: &str) -> Vec<Binding> {
    let scroll = |n| Command::Nav(Nav::Scroll(n));
    let (down, up) = if arrows {
        (vec![ch('j'), DOWN], vec![ch('k'), UP])
    } else {
        (vec![ch('j')], vec![ch('k')])
    };
    vec![
        Binding::new(&down, "j/k", short, "scroll").does(scroll(1)),
        Binding::new(&up, "k", "", "").does(scroll(-1)),
        Binding::new(&[PAGE_DOWN], "PgDn", "", "").does(scroll(10)),
        Binding::new(&[PAGE_UP], "PgUp", "", "").does(scroll(-10)),
    ]
}

pub fn back() -> Binding {
    Binding::new(&[ESC], "Esc", "back", "back to the previous step").does(Command::Nav(Nav::Back))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_a_text_field_a_letter_is_text() {
        let b = Binding::new(&[ch('r')], "r", "retry", "retry");
        let r = KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE);
        assert!(b.answers(r, false));
        assert!(!b.answers(r, true), "typed into the field instead");
        let ctrl = Binding::new(&[Key::Ctrl('l')], "Ctrl-L", "", "");
        let ctrl_l = KeyEvent::new(KeyCode::Char('l'), KeyModifiers::CONTROL);
        assert!(ctrl.answers(ctrl_l, true));
        assert!(
            !b.when(false).answers(r, false),
            "an inactive binding never acts"
        );
    }
}
