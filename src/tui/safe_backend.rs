//! The last guard before the terminal: every cell the wizard draws passes
//! [`crate::sanitize::cell_symbol`], so no character from an account reaches the screen raw,
//! whichever view drew it and whether or not that view escaped it visibly first.

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

/// A backend that draws what `B` would, with each cell's symbol cleaned first.
pub struct SafeBackend<B>(pub B);

impl<B: Backend> Backend for SafeBackend<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let cells: Vec<(u16, u16, std::borrow::Cow<'a, Cell>)> = content
            .map(|(x, y, cell)| {
                let cell = match crate::sanitize::cell_symbol(cell.symbol()) {
                    None => std::borrow::Cow::Borrowed(cell),
                    Some(clean) => {
                        let mut owned = cell.clone();
                        owned.set_symbol(&clean);
                        std::borrow::Cow::Owned(owned)
                    }
                };
                (x, y, cell)
            })
            .collect();
        self.0
            .draw(cells.iter().map(|(x, y, c)| (*x, *y, c.as_ref())))
    }

    fn append_lines(&mut self, n: u16) -> Result<(), Self::Error> {
        self.0.append_lines(n)
    }
    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.0.hide_cursor()
    }
    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.0.show_cursor()
    }
    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.0.get_cursor_position()
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.0.set_cursor_position(position)
    }
    fn clear(&mut self) -> Result<(), Self::Error> {
        self.0.clear()
    }
    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.0.clear_region(clear_type)
    }
    fn size(&self) -> Result<Size, Self::Error> {
        self.0.size()
    }
    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.0.window_size()
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::backend::TestBackend;
    use ratatui::widgets::Paragraph;

    #[test]
    fn no_cell_reaches_the_terminal_with_a_raw_control_character() {
        let mut terminal = ratatui::Terminal::new(SafeBackend(TestBackend::new(20, 2))).unwrap();
        let hostile = "a\u{1b}]52;c;eA==\u{7}b\u{202e}c\u{9b}d\r";
        terminal
            .draw(|f| {
                // A cell set directly, as a widget may: no filtering on the way in.
                f.buffer_mut()[(0, 1)].set_symbol("x\u{202e}\u{9b}");
                f.render_widget(Paragraph::new(hostile), f.area());
            })
            .unwrap();
        let drawn = terminal.backend().0.buffer();
        assert_eq!(drawn[(0, 1)].symbol(), "x");
        for cell in drawn.content() {
            assert!(
                !cell.symbol().chars().any(crate::sanitize::acts_on),
                "{:?}",
                cell.symbol()
            );
        }
    }
}
