//! Every rate window, on the engine's clock: sliding windows per key in memory (the send window:
//! a sender's messages count the same over REST, WebSocket and server functions), throttled log
//! lines, the customer doors' minute windows ([`doors`]) and the sign-in limiter ([`logins`]).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};

pub mod doors;
pub mod logins;

pub use doors::DoorLimits;
pub use logins::{AttemptScope, LoginLimiter, Reservation};

/// Keys tracked before stale ones are swept, so a spray of keys cannot grow memory for long.
const SWEEP_ABOVE: usize = 10_000;

/// Hits within a sliding `span`, for one owner (one sender, one socket).
#[derive(Debug, Default)]
pub struct SlidingWindow {
    hits: VecDeque<DateTime<Utc>>,
}

impl SlidingWindow {
    /// Counts a hit at `now`, allowed `max` per `span`; `Err(seconds)` when over the limit
    /// (nothing is counted then), with the seconds until the oldest hit leaves the window.
    pub fn hit(
        &mut self,
        max: usize,
        span: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Result<(), u64> {
        while self.hits.front().is_some_and(|t| now - *t >= span) {
            self.hits.pop_front();
        }
        if self.hits.len() >= max {
            let left = span - (now - self.hits[0]);
            return Err((left.num_milliseconds().max(0) as u64)
                .div_ceil(1000)
                .max(1));
        }
        self.hits.push_back(now);
        Ok(())
    }

    /// When the latest hit was counted.
    fn last(&self) -> Option<DateTime<Utc>> {
        self.hits.back().copied()
    }
}

/// A [`SlidingWindow`] per key within one `span`; each check names its key's limit.
#[derive(Debug)]
pub struct RateWindows {
    span: chrono::Duration,
    windows: Mutex<HashMap<String, SlidingWindow>>,
}

impl RateWindows {
    /// Windows of `span`.
    pub fn new(span: Duration) -> Self {
        Self {
            span: span_of(span),
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a hit for `key` at `now`, allowed `max` per span; `Err(seconds)` when the key is
    /// over its limit (nothing is counted then), with the seconds until its oldest hit leaves
    /// the window.
    pub fn hit(&self, key: &str, max: usize, now: DateTime<Utc>) -> Result<(), u64> {
        let mut map = self.windows.lock().expect("rate window lock");
        if map.len() > SWEEP_ABOVE {
            map.retain(|_, window| window.last().is_some_and(|t| now - t < self.span));
        }
        map.entry(key.to_owned())
            .or_default()
            .hit(max, self.span, now)
    }
}

/// A setting's span as chrono counts it (an absurdly long one is as good as forever).
pub fn span_of(span: Duration) -> chrono::Duration {
    chrono::Duration::from_std(span).unwrap_or(chrono::Duration::MAX)
}

/// A log line that outside input can cause, written at most once per span with how many times
/// it happened: the first occurrence is logged at once, the rest are counted until the span has
/// passed.
#[derive(Debug)]
pub struct LogThrottle {
    span: chrono::Duration,
    state: Mutex<(Option<DateTime<Utc>>, u64)>,
}

impl LogThrottle {
    /// At most one line per `span`.
    pub fn new(span: Duration) -> Self {
        Self {
            span: chrono::Duration::from_std(span).unwrap_or(chrono::Duration::MAX),
            state: Mutex::new((None, 0)),
        }
    }

    /// Notes one occurrence at `now`; `Some(n)` when a line is due now, for `n` occurrences
    /// (this one included) since the last line.
    pub fn note(&self, now: DateTime<Utc>) -> Option<u64> {
        let mut state = self.state.lock().expect("log throttle lock");
        let (last, count) = &mut *state;
        *count += 1;
        if last.is_some_and(|at| now - at < self.span) {
            return None;
        }
        *last = Some(now);
        Some(std::mem::take(count))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{Clock, ManualClock};

    #[test]
    fn each_key_gets_its_own_window_and_a_hit_leaves_it_after_the_span() {
        let clock = ManualClock::starting_now();
        let windows = RateWindows::new(Duration::from_secs(10));
        assert!(windows.hit("a", 2, clock.now()).is_ok());
        clock.advance(Duration::from_secs(4));
        assert!(windows.hit("a", 2, clock.now()).is_ok());
        assert_eq!(windows.hit("a", 2, clock.now()), Err(6));
        assert!(windows.hit("b", 2, clock.now()).is_ok());
        clock.advance(Duration::from_secs(6));
        assert!(
            windows.hit("a", 2, clock.now()).is_ok(),
            "the first hit left"
        );
        assert_eq!(windows.hit("a", 2, clock.now()), Err(4));
    }

    #[test]
    fn a_throttled_line_is_written_once_a_span_with_the_count_since_the_last() {
        let clock = ManualClock::starting_now();
        let throttle = LogThrottle::new(Duration::from_secs(60));
        assert_eq!(throttle.note(clock.now()), Some(1), "the first at once");
        for _ in 0..999 {
            assert_eq!(throttle.note(clock.now()), None);
        }
        clock.advance(Duration::from_secs(60));
        assert_eq!(throttle.note(clock.now()), Some(1000));
        assert_eq!(throttle.note(clock.now()), None);
    }
}
