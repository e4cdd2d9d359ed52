//! Sliding-window rate limits per key: the one mechanism behind the send window (a sender's
//! messages count the same over REST, WebSocket and server functions) and the sign-in limiter.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Keys tracked before stale ones are swept, so a spray of keys cannot grow memory for long.
const SWEEP_ABOVE: usize = 10_000;

/// Hits per key within a sliding `span`; each check names its key's limit.
#[derive(Debug)]
pub struct RateWindows {
    span: Duration,
    hits: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateWindows {
    /// Windows of `span`.
    pub fn new(span: Duration) -> Self {
        Self {
            span,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a hit for `key`, allowed `max` per span; `Err(seconds)` when the key is over its
    /// limit (nothing is counted then), with the seconds until its oldest hit leaves the window.
    pub fn hit(&self, key: &str, max: usize) -> Result<(), u64> {
        self.hit_all(&[(key, max)]).map(drop)
    }

    /// Counts one hit against every key at once, under one lock, each with its own limit: all
    /// or none. `Ok` carries the hit's time, to take it back with [`RateWindows::unhit`].
    pub fn hit_all(&self, keys: &[(&str, usize)]) -> Result<Instant, u64> {
        let now = Instant::now();
        let mut map = self.hits.lock().expect("rate window lock");
        if map.len() > SWEEP_ABOVE {
            map.retain(|_, hits| {
                hits.back()
                    .is_some_and(|t| now.duration_since(*t) < self.span)
            });
        }
        let mut wait = None::<Duration>;
        for (key, max) in keys {
            if let Some(hits) = map.get_mut(*key) {
                while hits
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= self.span)
                {
                    hits.pop_front();
                }
                if hits.len() >= *max {
                    let left = self.span.saturating_sub(now.duration_since(hits[0]));
                    wait = Some(wait.map_or(left, |w| w.max(left)));
                }
            }
        }
        if let Some(left) = wait {
            return Err(left.as_secs().max(1));
        }
        for (key, _) in keys {
            map.entry((*key).to_owned()).or_default().push_back(now);
        }
        Ok(now)
    }

    /// Takes back the hit counted at `at` against each of `keys`.
    pub fn unhit(&self, keys: &[String], at: Instant) {
        let mut map = self.hits.lock().expect("rate window lock");
        for key in keys {
            if let Some(hits) = map.get_mut(key) {
                if let Some(i) = hits.iter().position(|t| *t == at) {
                    hits.remove(i);
                }
            }
        }
    }

    /// Forgets every hit of `key`.
    pub fn forget(&self, key: &str) {
        self.hits.lock().expect("rate window lock").remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_gets_its_own_window_and_the_wait_is_at_most_the_span() {
        let windows = RateWindows::new(Duration::from_secs(10));
        assert!(windows.hit("a", 2).is_ok());
        assert!(windows.hit("a", 2).is_ok());
        let wait = windows.hit("a", 2).unwrap_err();
        assert!((1..=10).contains(&wait));
        assert!(windows.hit("b", 2).is_ok());
    }
}
