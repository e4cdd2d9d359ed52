//! Fan-out of live events per topic (`conversation:<id>`, `inbox`).
//!
//! The store is the source of truth; the hub only carries "something happened" to the sockets
//! that listen. A listener that falls behind is told so (`RecvError::Lagged`) and resyncs from the
//! store, so nothing is lost silently. [`Bus`] is the seam where a PostgreSQL LISTEN/NOTIFY bus
//! can carry the same events between nodes later.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::broadcast;
use uuid::Uuid;

use crate::wire::{Identity, Message};

/// How many events a topic buffers for its slowest listener before that listener lags.
const TOPIC_CAPACITY: usize = 256;

/// Something that happened, for the sockets listening to its topic.
#[derive(Debug, Clone)]
pub enum Event {
    /// A message was stored.
    Message(Message),
    /// Someone read the other side's messages up to a seq.
    Read {
        /// The conversation.
        conversation_id: Uuid,
        /// Who read.
        reader: Identity,
        /// Up to and including this seq.
        up_to_seq: i64,
    },
    /// Someone is typing.
    Typing {
        /// The conversation.
        conversation_id: Uuid,
        /// Who.
        who: Identity,
        /// The connection it came from, which does not get it back.
        origin: u64,
    },
    /// A support session ended.
    SessionEnded {
        /// The session.
        session_id: Uuid,
    },
}

/// A topic name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Topic {
    /// One conversation's events.
    Conversation(Uuid),
    /// Every conversation's list-item changes, for operators.
    Inbox,
}

impl Topic {
    fn key(&self) -> String {
        match self {
            Self::Conversation(id) => format!("conversation:{id}"),
            Self::Inbox => "inbox".to_owned(),
        }
    }
}

/// Publishes and subscribes events by topic.
pub trait Bus: Send + Sync + std::fmt::Debug {
    /// Delivers `event` to every current subscriber of `topic`.
    fn publish(&self, topic: &Topic, event: Event);
    /// Starts receiving `topic`'s events from now on.
    fn subscribe(&self, topic: &Topic) -> broadcast::Receiver<Event>;
}

/// The in-process bus: one tokio broadcast channel per topic that has listeners.
#[derive(Debug, Default)]
pub struct Hub {
    topics: Mutex<HashMap<String, broadcast::Sender<Event>>>,
}

impl Hub {
    /// An empty hub.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many topics have a channel now (for tests and metrics).
    pub fn topic_count(&self) -> usize {
        self.topics.lock().expect("hub lock").len()
    }
}

impl Bus for Hub {
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

    fn subscribe(&self, topic: &Topic) -> broadcast::Receiver<Event> {
        let mut topics = self.topics.lock().expect("hub lock");
        topics
            .entry(topic.key())
            .or_insert_with(|| broadcast::channel(TOPIC_CAPACITY).0)
            .subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::broadcast::error::RecvError;

    fn ended(n: u128) -> Event {
        Event::SessionEnded {
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
            matches!(on_a.recv().await.unwrap(), Event::SessionEnded { session_id } if session_id == Uuid::from_u128(7))
        );
        assert!(on_b.try_recv().is_err());
    }

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_is_told_it_lagged() {
        let hub = Hub::new();
        let topic = Topic::Inbox;
        let mut slow = hub.subscribe(&topic);
        for n in 0..(TOPIC_CAPACITY as u128 + 10) {
            hub.publish(&topic, ended(n));
        }
        assert!(matches!(slow.recv().await, Err(RecvError::Lagged(10))));
    }

    #[tokio::test]
    async fn a_topic_without_listeners_is_forgotten_on_the_next_publish() {
        let hub = Hub::new();
        let topic = Topic::Inbox;
        drop(hub.subscribe(&topic));
        assert_eq!(hub.topic_count(), 1);
        hub.publish(&topic, ended(1));
        assert_eq!(hub.topic_count(), 0);
    }
}
