//! A one-line text field: value, cursor and the validation message shown next to it.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Field {
    pub label: &'static str,
    pub value: String,
    /// Cursor position in characters.
    pub cursor: usize,
    /// Shown greyed when the value is empty.
    pub placeholder: String,
    /// Masked input (never echoed).
    pub secret: bool,
}

impl Field {
    pub fn new(label: &'static str, value: &str) -> Self {
        Field {
            label,
            value: value.to_string(),
            cursor: value.chars().count(),
            placeholder: String::new(),
            secret: false,
        }
    }

    pub fn with_placeholder(mut self, placeholder: &str) -> Self {
        self.placeholder = placeholder.to_string();
        self
    }

    pub fn set(&mut self, value: &str) {
        self.value = value.to_string();
        self.cursor = value.chars().count();
    }

    fn byte_index(&self, chars: usize) -> usize {
        self.value
            .char_indices()
            .nth(chars)
            .map(|(i, _)| i)
            .unwrap_or(self.value.len())
    }

    /// Edit with a key. Returns whether the value changed.
    pub fn on_key(&mut self, key: KeyEvent) -> bool {
        let len = self.value.chars().count();
        match key.code {
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                let changed = !self.value.is_empty();
                self.value.clear();
                self.cursor = 0;
                changed
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                let at = self.byte_index(self.cursor);
                self.value.insert(at, c);
                self.cursor += 1;
                true
            }
            KeyCode::Backspace if self.cursor > 0 => {
                let at = self.byte_index(self.cursor - 1);
                self.value.remove(at);
                self.cursor -= 1;
                true
            }
            KeyCode::Delete if self.cursor < len => {
                let at = self.byte_index(self.cursor);
                self.value.remove(at);
                true
            }
            KeyCode::Left => {
                self.cursor = self.cursor.saturating_sub(1);
                false
            }
            KeyCode::Right => {
                self.cursor = (self.cursor + 1).min(len);
                false
            }
            KeyCode::Home => {
                self.cursor = 0;
                false
            }
            KeyCode::End => {
                self.cursor = len;
                false
            }
            _ => false,
        }
    }

    /// The text to draw: the value (masked when secret) or the placeholder.
    pub fn display(&self) -> String {
        if self.secret {
            // A token is long: a few dots and its length, never its text.
            match self.value.chars().count() {
                0 => String::new(),
                n => format!("{} ({n} characters)", "•".repeat(n.min(8))),
            }
        } else {
            self.value.clone()
        }
    }

    /// Comma- or space-separated values, trimmed, empty ones dropped.
    pub fn list(&self) -> Vec<String> {
        self.value
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn edits_at_the_cursor() {
        let mut f = Field::new("x", "ac");
        f.on_key(key(KeyCode::Left));
        assert!(f.on_key(key(KeyCode::Char('b'))));
        assert_eq!(f.value, "abc");
        f.on_key(key(KeyCode::Home));
        assert!(!f.on_key(key(KeyCode::Backspace)));
        f.on_key(key(KeyCode::Delete));
        assert_eq!(f.value, "bc");
        f.on_key(key(KeyCode::End));
        f.on_key(key(KeyCode::Backspace));
        assert_eq!(f.value, "b");
        f.on_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert_eq!(f.value, "");
    }

    #[test]
    fn multibyte_is_safe() {
        let mut f = Field::new("x", "é");
        f.on_key(key(KeyCode::Backspace));
        assert_eq!(f.value, "");
    }

    #[test]
    fn lists_split_on_commas_and_spaces() {
        let f = Field::new("x", "a/b, c/d  e/f,");
        assert_eq!(f.list(), ["a/b", "c/d", "e/f"]);
    }
}
