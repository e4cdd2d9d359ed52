//! The customer doors' rate windows. Every request a website visitor makes (a widget sign-in, a
//! REST call with a widget token, a socket opened) and every message a customer posts counts once
//! against the customer and once against their client network (an IPv4 address, or an IPv6 /64),
//! in fixed one-minute windows. New anonymous visitors count in a third window per network.
//!
//! On PostgreSQL the counts live in the database, so a limit holds across every node; a single
//! SQLite node counts in memory. On PostgreSQL a sender's send window (see
//! [`RateWindows`](super::RateWindows)) is counted here too, in fixed windows of its own span,
//! so that a sender posting through several nodes is refused at the same count as on one.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;

use crate::domain::ClientNetwork;
use crate::error::Error;
use crate::store::{to_millis, Store};
use chrono::{DateTime, Utc};

/// The windows' length, in milliseconds.
const WINDOW_MS: i64 = 60_000;
/// Keys kept in memory before past windows are swept.
const SWEEP_ABOVE: usize = 10_000;
/// Database hits between two deletions of past windows.
const PRUNE_EVERY: u64 = 1_000;

/// What the customer doors allow per minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DoorLimits {
    /// Requests and messages per customer.
    pub per_customer: u32,
    /// Requests and messages per client network, all its customers together.
    pub per_network: u32,
    /// New anonymous visitors per client network.
    pub new_visitors_per_network: u32,
}

impl Default for DoorLimits {
    fn default() -> Self {
        Self {
            per_customer: 240,
            per_network: 600,
            new_visitors_per_network: 30,
        }
    }
}

/// One window to count a hit in.
pub(crate) enum Window<'a> {
    Customer(&'a str),
    Network(ClientNetwork),
    NewVisitor(ClientNetwork),
    /// A sender's messages (an actor's key), in windows of `span_ms`.
    Sender {
        key: &'a str,
        span_ms: i64,
    },
}

impl Window<'_> {
    fn key(&self) -> String {
        match self {
            Self::Customer(id) => format!("customer:{id}"),
            Self::Network(network) => format!("network:{network}"),
            Self::NewVisitor(network) => format!("new-visitor:{network}"),
            Self::Sender { key, .. } => format!("send:{key}"),
        }
    }

    /// The window's length, in milliseconds.
    fn span_ms(&self) -> i64 {
        match self {
            Self::Sender { span_ms, .. } => (*span_ms).max(1),
            _ => WINDOW_MS,
        }
    }
}

/// This node's counts (SQLite), how many database hits it made since the last prune, and the
/// longest window it has counted in (windows younger than that are never pruned).
#[derive(Debug)]
pub(crate) struct DoorWindows {
    memory: Mutex<HashMap<String, (i64, i64)>>,
    database_hits: AtomicU64,
    longest_ms: AtomicI64,
}

impl Default for DoorWindows {
    fn default() -> Self {
        Self {
            memory: Mutex::default(),
            database_hits: AtomicU64::new(0),
            longest_ms: AtomicI64::new(WINDOW_MS),
        }
    }
}

impl DoorWindows {
    /// Counts a hit in `window` at `now`: in the database on PostgreSQL (so every node shares
    /// the count), in memory on SQLite. `rate_limited` with the seconds until the window turns
    /// when the window holds more than `max`.
    pub(crate) async fn hit(
        &self,
        store: &Store,
        now: DateTime<Utc>,
        window: Window<'_>,
        max: u32,
    ) -> Result<(), Error> {
        let now = to_millis(now);
        let span = window.span_ms();
        let start = now - now.rem_euclid(span);
        let hits = if store.postgres().is_some() {
            let hits = store.hit_rate_window(&window.key(), start).await?;
            let longest = self.longest_ms.fetch_max(span, Ordering::Relaxed).max(span);
            if self
                .database_hits
                .fetch_add(1, Ordering::Relaxed)
                .is_multiple_of(PRUNE_EVERY)
            {
                store
                    .db()
                    .delete_rate_windows_before(now - 2 * longest)
                    .await?;
            }
            hits
        } else {
            self.hit_in_memory(window.key(), start)
        };
        if hits > i64::from(max) {
            let left_ms = start + span - now;
            return Err(Error::RateLimited {
                retry_after_secs: (left_ms.max(1) as u64).div_ceil(1000),
            });
        }
        Ok(())
    }

    /// Counts a hit for `key` in the window starting at `start`: the window's hits.
    fn hit_in_memory(&self, key: String, start: i64) -> i64 {
        let mut windows = self.memory.lock().expect("door windows lock");
        if windows.len() > SWEEP_ABOVE {
            windows.retain(|_, (window, _)| *window == start);
        }
        let entry = windows.entry(key).or_insert((start, 0));
        if entry.0 != start {
            *entry = (start, 0);
        }
        entry.1 += 1;
        entry.1
    }
}
