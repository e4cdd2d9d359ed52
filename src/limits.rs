//! Sliding-window rate limits per key, for limits that every door shares (a sender's messages
//! count the same over REST, WebSocket and server functions).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Keys tracked before stale ones are swept, so a spray of keys cannot grow memory for long.
const SWEEP_ABOVE: usize = 10_000;

/// At most `max` hits per key in any `span`.
#[derive(Debug)]
pub struct RateWindows {
    max: usize,
    span: Duration,
    hits: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateWindows {
    /// `max` hits per `span`, per key.
    pub fn new(max: u32, span: Duration) -> Self {
        Self {
            max: max as usize,
            span,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a hit for `key`; `Err(seconds)` when the key is over its limit (nothing is
    /// counted then), with the seconds until the oldest hit leaves the window.
    pub fn hit(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut map = self.hits.lock().expect("rate window lock");
        if map.len() > SWEEP_ABOVE {
            map.retain(|_, hits| {
                hits.back()
                    .is_some_and(|t| now.duration_since(*t) < self.span)
            });
        }
        let hits = map.entry(key.to_owned()).or_default();
        while hits
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.span)
        {
            hits.pop_front();
        }
        if hits.len() >= self.max {
            let left = self.span.saturating_sub(now.duration_since(hits[0]));
            return Err(left.as_secs().max(1));
        }
        hits.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_gets_its_own_window_and_the_wait_is_at_most_the_span() {
        let windows = RateWindows::new(2, Duration::from_secs(10));
        assert!(windows.hit("a").is_ok());
        assert!(windows.hit("a").is_ok());
        let wait = windows.hit("a").unwrap_err();
        assert!((1..=10).contains(&wait));
        assert!(windows.hit("b").is_ok());
    }
}
