//! A background request the wizard made and may make again: its attempt number and its state.
//! An answer is taken only if it answers the latest attempt, so a slow answer to an older one
//! never overwrites a newer state. The stale-answer check is written here, once.

use super::{ErrorView, Load};

#[derive(Debug, Clone, PartialEq)]
pub struct Request<T> {
    pub(in crate::tui::app) attempt: u64,
    pub state: Load<T>,
}

impl<T> Default for Request<T> {
    fn default() -> Self {
        Request {
            attempt: 0,
            state: Load::Idle,
        }
    }
}

impl<T> Request<T> {
    /// Ask again: the state is loading, and the attempt to send with the effect is returned.
    pub fn start(&mut self) -> u64 {
        self.attempt += 1;
        self.state = Load::Loading;
        self.attempt
    }

    /// An answer arrived: taken (and `true`) only when it answers the latest attempt.
    pub fn accept(&mut self, attempt: u64, result: Result<T, ErrorView>) -> bool {
        if attempt != self.attempt {
            return false;
        }
        self.state = match result {
            Ok(v) => Load::Loaded(v),
            Err(e) => Load::Failed(e),
        };
        true
    }

    /// Whether `attempt` is the latest: an answer to an older one is dropped.
    pub fn answers(&self, attempt: u64) -> bool {
        attempt == self.attempt
    }

    /// Forget the state, and drop the answer of the attempt under way too.
    pub fn cancel(&mut self) {
        self.attempt += 1;
        self.state = Load::Idle;
    }

    /// Forget the state (the next `start` asks anew; a late answer is still dropped).
    pub fn reset(&mut self) {
        self.state = Load::Idle;
    }

    pub fn loaded(&self) -> Option<&T> {
        self.state.loaded()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_latest_attempt_is_taken() {
        let mut r: Request<u32> = Request::default();
        let first = r.start();
        let second = r.start();
        assert!(!r.accept(first, Ok(1)), "an older answer is dropped");
        assert_eq!(r.state, Load::Loading);
        assert!(r.accept(second, Ok(2)));
        assert_eq!(r.loaded(), Some(&2));
    }
}
