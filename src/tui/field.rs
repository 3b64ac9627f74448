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
    /// Left once, or going on was tried: a message about an empty field shows only then.
    pub touched: bool,
}

impl Field {
    pub fn new(label: &'static str, value: &str) -> Self {
        Field {
            label,
            value: value.to_string(),
            cursor: value.chars().count(),
            placeholder: String::new(),
            secret: false,
            touched: false,
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

    /// Insert pasted text at the cursor, as text: line breaks and tabs become spaces (one line),
    /// other control characters are dropped. Returns whether the value changed.
    pub fn paste(&mut self, text: &str) -> bool {
        let clean: String = text
            .chars()
            .filter_map(|c| match c {
                '\n' | '\r' | '\t' => Some(' '),
                c if c.is_control() => None,
                c => Some(c),
            })
            .collect();
        // A single value pasted with its line break: the break is not part of it.
        let clean = if self.value.is_empty() {
            clean.trim().to_string()
        } else {
            clean
        };
        if clean.is_empty() {
            return false;
        }
        let at = self.byte_index(self.cursor);
        self.value.insert_str(at, &clean);
        self.cursor += clean.chars().count();
        true
    }

    /// Insert a pasted list (one entry per line, or separated by commas or spaces) at the cursor,
    /// as `a, b, c`, joined to what is already there.
    pub fn paste_list(&mut self, text: &str) -> bool {
        let entries: Vec<&str> = text
            .split(|c: char| c == ',' || c.is_whitespace())
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .collect();
        if entries.is_empty() {
            return false;
        }
        let at = self.byte_index(self.cursor);
        let before = self.value[..at].trim_end();
        let after = self.value[at..].trim_start();
        let mut joined = entries.join(", ");
        if !before.is_empty() && !before.ends_with(',') {
            joined = format!(", {joined}");
        } else if !before.is_empty() {
            joined = format!(" {joined}");
        }
        let head = format!("{before}{joined}");
        let tail = match after {
            "" => String::new(),
            a if a.starts_with(',') => a.to_string(),
            a => format!(", {a}"),
        };
        self.cursor = head.chars().count();
        self.value = head + &tail;
        true
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
    fn a_paste_is_text_never_keys() {
        let mut f = Field::new("Role name", "");
        assert!(f.paste("gitlab-acme-web\n"));
        assert_eq!((f.value.as_str(), f.cursor), ("gitlab-acme-web", 15));
        f.set("ab");
        f.cursor = 1;
        f.paste("x\ty\u{1b}[A");
        assert_eq!(f.value, "ax y[Ab");
        assert!(!Field::new("x", "").paste("\n\r"));
    }

    #[test]
    fn a_pasted_list_becomes_entries() {
        let mut f = Field::new("Projects", "");
        assert!(f.paste_list("acme/web\nacme/api\r\n\nquality/quit\n"));
        assert_eq!(f.value, "acme/web, acme/api, quality/quit");
        assert_eq!(f.list(), ["acme/web", "acme/api", "quality/quit"]);
        assert_eq!(f.cursor, f.value.chars().count());
        // Joined to what is there, at the cursor.
        let mut f = Field::new("Refs", "main");
        f.paste_list("release/*\nv1");
        assert_eq!(f.value, "main, release/*, v1");
        let mut f = Field::new("Refs", "main, dev");
        f.cursor = 5;
        f.paste_list("a b");
        assert_eq!(f.value, "main, a, b, dev");
        assert_eq!(f.list(), ["main", "a", "b", "dev"]);
        assert!(!f.paste_list(" \n, "));
    }

    #[test]
    fn lists_split_on_commas_and_spaces() {
        let f = Field::new("x", "a/b, c/d  e/f,");
        assert_eq!(f.list(), ["a/b", "c/d", "e/f"]);
    }
}
