//! The customer doors' rate windows. Every request a website visitor makes (a widget sign-in, a
//! REST call with a widget token, a socket opened) and every message a customer posts counts once
//! against the customer and once against their client network (an IPv4 address, or an IPv6 /64),
//! in fixed one-minute windows. New anonymous visitors count in a third window per network.
//!
//! On PostgreSQL the counts live in the database, so a limit holds across every node; a single
//! SQLite node counts in memory.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::domain::ClientNetwork;
use crate::engine::Engine;
use crate::error::Error;
use crate::store::to_millis;

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
enum Window<'a> {
    Customer(&'a str),
    Network(ClientNetwork),
    NewVisitor(ClientNetwork),
}

impl Window<'_> {
    fn key(&self) -> String {
        match self {
            Self::Customer(id) => format!("customer:{id}"),
            Self::Network(network) => format!("network:{network}"),
            Self::NewVisitor(network) => format!("new-visitor:{network}"),
        }
    }
}

/// This node's counts (SQLite), and how many database hits it made since the last prune.
#[derive(Debug, Default)]
pub(crate) struct DoorWindows {
    memory: Mutex<HashMap<String, (i64, i64)>>,
    database_hits: AtomicU64,
}

impl DoorWindows {
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

impl Engine {
    /// Counts one request (or message) through a customer door against the customer, when
    /// known, and the client network, when known; `rate_limited` with the seconds until the
    /// window turns when either is over its limit.
    pub(crate) async fn through_customer_door(
        &self,
        customer_id: Option<&str>,
        network: Option<ClientNetwork>,
    ) -> Result<(), Error> {
        let limits = self.inner.config.widget.doors;
        if let Some(network) = network {
            self.hit(Window::Network(network), limits.per_network)
                .await?;
        }
        if let Some(customer_id) = customer_id {
            self.hit(Window::Customer(customer_id), limits.per_customer)
                .await?;
        }
        Ok(())
    }

    /// Counts a new anonymous visitor from `network`.
    pub(crate) async fn new_visitor_from(
        &self,
        network: Option<ClientNetwork>,
    ) -> Result<(), Error> {
        match network {
            Some(network) => {
                let max = self.inner.config.widget.doors.new_visitors_per_network;
                self.hit(Window::NewVisitor(network), max).await
            }
            None => Ok(()),
        }
    }

    async fn hit(&self, window: Window<'_>, max: u32) -> Result<(), Error> {
        let now = to_millis(self.now());
        let start = now - now.rem_euclid(WINDOW_MS);
        let windows = &self.inner.doors;
        let hits = if self.inner.store.postgres().is_some() {
            let db = self.inner.store.db();
            let hits = db.hit_rate_window(&window.key(), start).await?;
            if windows
                .database_hits
                .fetch_add(1, Ordering::Relaxed)
                .is_multiple_of(PRUNE_EVERY)
            {
                self.inner
                    .store
                    .db()
                    .delete_rate_windows_before(start - WINDOW_MS)
                    .await?;
            }
            hits
        } else {
            windows.hit_in_memory(window.key(), start)
        };
        if hits > i64::from(max) {
            let left_ms = start + WINDOW_MS - now;
            return Err(Error::RateLimited {
                retry_after_secs: (left_ms.max(1) as u64).div_ceil(1000),
            });
        }
        Ok(())
    }
}
