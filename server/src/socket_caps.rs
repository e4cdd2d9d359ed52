//! How many sockets one credential may hold open at once: a guest link, an operator (and, with
//! the widget, a widget token). The excess is refused before the upgrade with 429; the caps
//! themselves are settings (`SWITCHBOARD_SOCKETS_PER_OPERATOR`, `_PER_GUEST_LINK`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Counts live sockets per credential.
#[derive(Debug, Default, Clone)]
pub struct SocketCaps {
    live: Arc<Mutex<HashMap<String, usize>>>,
}

/// One live socket's place under its credential's cap; dropping it frees the place.
#[derive(Debug)]
pub struct SocketSlot {
    live: Arc<Mutex<HashMap<String, usize>>>,
    key: String,
}

impl SocketCaps {
    /// Takes a place under `key`'s cap of `max`; `None` when all are taken.
    pub fn take(&self, key: String, max: usize) -> Option<SocketSlot> {
        let mut live = self.live.lock().expect("socket caps lock");
        let count = live.entry(key.clone()).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(SocketSlot {
            live: self.live.clone(),
            key,
        })
    }

    /// Live sockets per kind of credential: the part of each key before its `:` (`operator`,
    /// `guest`, `customer`).
    pub fn live_by_prefix(&self) -> Vec<(String, usize)> {
        let live = self.live.lock().expect("socket caps lock");
        let mut counts: Vec<(String, usize)> = Vec::new();
        for (key, n) in live.iter() {
            let prefix = key.split_once(':').map_or(key.as_str(), |(p, _)| p);
            match counts.iter_mut().find(|(p, _)| p == prefix) {
                Some((_, total)) => *total += n,
                None => counts.push((prefix.to_owned(), *n)),
            }
        }
        counts
    }

    /// Live sockets under `key`.
    pub fn live(&self, key: &str) -> usize {
        self.live
            .lock()
            .expect("socket caps lock")
            .get(key)
            .copied()
            .unwrap_or(0)
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut live = self.live.lock().expect("socket caps lock");
        if let Some(count) = live.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                live.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credential_gets_its_cap_a_freed_place_can_be_taken_again_and_kinds_are_counted() {
        let caps = SocketCaps::default();
        let first = caps.take("guest:a".into(), 2).unwrap();
        let _second = caps.take("guest:a".into(), 2).unwrap();
        assert!(caps.take("guest:a".into(), 2).is_none());
        assert!(caps.take("guest:b".into(), 2).is_some());
        let _operator = caps.take("operator:o".into(), 2).unwrap();
        let mut by_kind = caps.live_by_prefix();
        by_kind.sort();
        assert_eq!(
            by_kind,
            [("guest".to_owned(), 2), ("operator".to_owned(), 1)]
        );
        drop(first);
        assert_eq!(caps.live("guest:a"), 1);
        assert!(caps.take("guest:a".into(), 2).is_some());
    }
}
