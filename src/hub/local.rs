//! The in-process fan-out: one tokio broadcast channel per topic that has listeners.
//!
//! A topic's channel exists only while someone listens: the last [`Subscription`] to go drops
//! it, so a client that subscribes to many topics cannot leave memory behind.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;

use super::{Bus, Event, RecvError, Topic};

/// How many events a conversation's topic buffers for its slowest listener before that
/// listener lags (and then reads the store again). A channel's ring is allocated whole when the
/// topic is created, and every open conversation has one: kept small, it costs about 1 KiB.
pub(super) const CONVERSATION_CAPACITY: usize = 16;
/// The same for the one inbox topic, which hears of every conversation's changes.
pub(super) const INBOX_CAPACITY: usize = 1024;

/// The same for the team's sign-in changes: rare, and a listener that lags checks its own.
pub(super) const TEAM_CAPACITY: usize = 64;

fn capacity(topic: &Topic) -> usize {
    match topic {
        // An operator's alerts are few, like a conversation's events.
        Topic::Conversation(_) | Topic::Operator(_) => CONVERSATION_CAPACITY,
        Topic::Inbox => INBOX_CAPACITY,
        Topic::Team => TEAM_CAPACITY,
    }
}

type Topics = Arc<Mutex<HashMap<String, broadcast::Sender<Event>>>>;

/// One listener's stream of a topic's events. Dropping it leaves the topic; the last one to
/// leave frees the topic's channel.
#[derive(Debug)]
pub struct Subscription {
    // Declared before `release`, so the receiver is gone when `release` counts who is left.
    events: broadcast::Receiver<Event>,
    _release: Option<Release>,
}

impl Subscription {
    /// A subscription over a channel of the caller's own, tied to no hub (for tests).
    pub fn detached(events: broadcast::Receiver<Event>) -> Self {
        Self {
            events,
            _release: None,
        }
    }

    /// The next event; `Lagged` when this listener fell behind and must resync from the store.
    pub async fn recv(&mut self) -> Result<Event, RecvError> {
        self.events.recv().await
    }

    /// The next event if one is waiting.
    pub fn try_recv(&mut self) -> Result<Event, broadcast::error::TryRecvError> {
        self.events.try_recv()
    }
}

#[derive(Debug)]
struct Release {
    topics: Topics,
    key: String,
}

impl Drop for Release {
    fn drop(&mut self) {
        let mut topics = self.topics.lock().expect("hub lock");
        if topics
            .get(&self.key)
            .is_some_and(|sender| sender.receiver_count() == 0)
        {
            topics.remove(&self.key);
        }
    }
}

/// The in-process bus: one tokio broadcast channel per topic that has listeners.
#[derive(Debug, Default)]
pub struct Hub {
    topics: Topics,
}

impl Hub {
    /// An empty hub.
    pub fn new() -> Self {
        Self::default()
    }

    /// Tells every listener of every topic to read the store again.
    pub fn resync_all(&self) {
        for sender in self.topics.lock().expect("hub lock").values() {
            let _ = sender.send(Event::Resync);
        }
    }
}

impl Bus for Hub {
    fn topic_count(&self) -> usize {
        self.topics.lock().expect("hub lock").len()
    }

    fn publish(&self, topic: &Topic, event: Event) {
        let mut topics = self.topics.lock().expect("hub lock");
        let key = topic.key();
        if let Some(sender) = topics.get(&key) {
            if sender.send(event).is_err() {
                // Nobody listens any more: forget the channel so topics do not pile up.
                topics.remove(&key);
            }
        }
    }

    fn publish_local(&self, topic: &Topic, event: Event) {
        self.publish(topic, event);
    }

    fn subscribe(&self, topic: &Topic) -> Subscription {
        let key = topic.key();
        let mut topics = self.topics.lock().expect("hub lock");
        let events = topics
            .entry(key.clone())
            .or_insert_with(|| broadcast::channel(capacity(topic)).0)
            .subscribe();
        Subscription {
            events,
            _release: Some(Release {
                topics: self.topics.clone(),
                key,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn ended(n: u128) -> Event {
        Event::LinkRotated {
            session_id: Uuid::from_u128(n),
        }
    }

    #[tokio::test]
    async fn subscribers_of_a_topic_get_its_events_and_only_those() {
        let hub = Hub::new();
        let a = Topic::Conversation(Uuid::from_u128(1));
        let b = Topic::Conversation(Uuid::from_u128(2));
        let mut on_a = hub.subscribe(&a);
        let mut on_b = hub.subscribe(&b);
        hub.publish(&a, ended(7));
        assert!(
            matches!(on_a.recv().await.unwrap(), Event::LinkRotated { session_id } if session_id == Uuid::from_u128(7))
        );
        assert!(on_b.try_recv().is_err());
    }

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_is_told_it_lagged() {
        let hub = Hub::new();
        let topic = Topic::Inbox;
        let mut slow = hub.subscribe(&topic);
        for n in 0..(INBOX_CAPACITY as u128 + 10) {
            hub.publish(&topic, ended(n));
        }
        assert!(matches!(slow.recv().await, Err(RecvError::Lagged(10))));
    }

    #[tokio::test]
    async fn resync_reaches_every_topic() {
        let hub = Hub::new();
        let mut a = hub.subscribe(&Topic::Inbox);
        let mut b = hub.subscribe(&Topic::Conversation(Uuid::from_u128(3)));
        hub.resync_all();
        assert!(matches!(a.recv().await, Ok(Event::Resync)));
        assert!(matches!(b.recv().await, Ok(Event::Resync)));
    }

    #[tokio::test]
    async fn a_topic_is_freed_when_its_last_subscriber_leaves() {
        let hub = Hub::new();
        let topic = Topic::Inbox;
        let first = hub.subscribe(&topic);
        let mut second = hub.subscribe(&topic);
        drop(first);
        assert_eq!(hub.topic_count(), 1, "one listener is left");
        hub.publish(&topic, ended(1));
        assert!(second.try_recv().is_ok());
        drop(second);
        assert_eq!(hub.topic_count(), 0);
    }
}
