//! Live events per topic (`conversation:<id>`, `inbox`), within a node and between nodes.
//!
//! The store is the source of truth; the bus only carries "something happened" to the sockets
//! that listen. Events carry ids and seqs, not message bodies, so they fit a PostgreSQL NOTIFY
//! payload; a listener reads what it needs from the store. A listener that may have missed
//! events (it fell behind, or its node's link to the other nodes dropped) is told to resync from
//! the store, so nothing is lost silently.
//!
//! [`Hub`] fans out within one process (SQLite, one node). [`PgBus`] adds PostgreSQL
//! LISTEN/NOTIFY so that every node's hub hears every node's events.

mod local;
mod pg;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::wire::{Message, ServerFrame};

pub use local::{Hub, Subscription};
pub use pg::{PgBus, CHANNEL};

/// Something that happened, for the sockets listening to its topic.
// Most events on a busy bus are frames; boxing them would cost an allocation each and the
// pattern matches on their kinds, to save a few bytes on the rarer variants.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A message was stored with this seq.
    Message {
        /// The conversation.
        conversation_id: Uuid,
        /// Its seq.
        seq: i64,
        /// The stored message: a listener need not read it back. It crosses nodes when the
        /// notification has room for it (see `PgBus`); without it, a listener reads the store.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stored: Option<Arc<Message>>,
    },
    /// A frame that every socket following the topic passes on as it is (`read`, `typing`,
    /// `session_ended`): the wire type is the one definition of what crosses.
    Frame {
        /// The frame. Boxed: a topic's ring holds its slots whole from the start, and a frame
        /// is the largest thing an event carries, so every idle conversation paid for sixteen.
        frame: Box<ServerFrame>,
        /// The connection it came from (unique across nodes), which does not get it back.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        origin: Option<Uuid>,
    },
    /// A support session's guest link was replaced: sockets opened with the old one must go.
    LinkRotated {
        /// The session.
        session_id: Uuid,
    },
    /// A customer's widget token was revoked (signed out): sockets opened with it must go.
    WidgetTokenRevoked {
        /// The token's SHA-256, as stored.
        token_hash: String,
    },
    /// Some sign-ins of an operator ended (signed out elsewhere, deactivated, password
    /// changed): that operator's sockets check whether theirs still holds.
    SignInsEnded {
        /// The operator.
        operator_id: Uuid,
    },
    /// Who views a conversation (or types in it) changed: operators subscribed to it read the
    /// viewers again.
    ViewersChanged {
        /// The conversation.
        conversation_id: Uuid,
    },
    /// A conversation's inbox list item changed: operators following the inbox read it again.
    ConversationChanged {
        /// The conversation.
        conversation_id: Uuid,
    },
    /// Events may have been missed (the node's link to the other nodes dropped): read the
    /// store again.
    Resync,
}

impl Event {
    /// A frame for every socket following the topic.
    pub fn frame(frame: ServerFrame) -> Self {
        Self::Frame {
            frame: Box::new(frame),
            origin: None,
        }
    }

    /// A stored message, as published by the node that stored it (shared as it is when it
    /// comes already in an `Arc`).
    pub fn message(message: impl Into<Arc<Message>>) -> Self {
        let message = message.into();
        Self::Message {
            conversation_id: message.conversation_id,
            seq: message.seq,
            stored: Some(message),
        }
    }
}

/// A topic name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Topic {
    /// One conversation's events.
    Conversation(Uuid),
    /// Every conversation's list-item changes, for operators.
    Inbox,
    /// Changes to the team's sign-ins, for operators' sockets.
    Team,
    /// One operator's alerts, for their sockets.
    Operator(Uuid),
}

impl Topic {
    /// The topic's name, as it crosses nodes.
    pub fn key(&self) -> String {
        match self {
            Self::Conversation(id) => format!("conversation:{id}"),
            Self::Inbox => "inbox".to_owned(),
            Self::Team => "team".to_owned(),
            Self::Operator(id) => format!("operator:{id}"),
        }
    }

    /// The topic a name names.
    pub fn parse(key: &str) -> Option<Self> {
        match key.split_once(':') {
            Some(("conversation", id)) => Uuid::parse_str(id).ok().map(Self::Conversation),
            Some(("operator", id)) => Uuid::parse_str(id).ok().map(Self::Operator),
            None if key == "inbox" => Some(Self::Inbox),
            None if key == "team" => Some(Self::Team),
            _ => None,
        }
    }
}

/// An event on its way to the other nodes: a PostgreSQL NOTIFY.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// The channel.
    pub channel: &'static str,
    /// The payload (under 8,000 bytes).
    pub payload: String,
}

/// Publishes and subscribes events by topic.
pub trait Bus: Send + Sync + std::fmt::Debug {
    /// Delivers `event` to every current subscriber of `topic`, on every node.
    fn publish(&self, topic: &Topic, event: Event);
    /// Delivers `event` to this node's subscribers only: for an event whose
    /// [`Bus::crossing`] was sent inside the transaction that caused it.
    fn publish_local(&self, topic: &Topic, event: Event);
    /// The notification that carries `event` to the other nodes, for the use case to send
    /// inside its transaction: NOTIFY is delivered at commit, so a crash cannot keep the two
    /// apart. `None` when there are no other nodes.
    fn crossing(&self, _topic: &Topic, _event: &Event) -> Option<Notification> {
        None
    }
    /// Starts receiving `topic`'s events from now on, until the subscription is dropped.
    fn subscribe(&self, topic: &Topic) -> Subscription;
    /// How many topics hold a channel on this node: a bound the server reports.
    fn topic_count(&self) -> usize;
    /// How many times this node's link to the other nodes was re-established (each time,
    /// every listener resynced). Always 0 for an in-process bus.
    fn reconnects(&self) -> u64 {
        0
    }
}

/// What a subscription's `recv` may say instead of an event.
pub type RecvError = broadcast::error::RecvError;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Identity, SenderKind};

    #[test]
    fn topics_round_trip_through_their_names() {
        let id = Uuid::from_u128(7);
        for topic in [
            Topic::Conversation(id),
            Topic::Inbox,
            Topic::Team,
            Topic::Operator(id),
        ] {
            assert_eq!(Topic::parse(&topic.key()), Some(topic));
        }
        assert_eq!(Topic::parse("conversation:nope"), None);
        assert_eq!(Topic::parse("elsewhere"), None);
    }

    #[test]
    fn a_message_event_crosses_as_ids_and_seq_only() {
        let event = Event::Message {
            conversation_id: Uuid::from_u128(1),
            seq: 9,
            stored: None,
        };
        let json = serde_json::to_string(&event).unwrap();
        assert_eq!(
            json,
            format!(
                r#"{{"type":"message","conversation_id":"{}","seq":9}}"#,
                Uuid::from_u128(1)
            )
        );
        let typing = Event::Frame {
            frame: Box::new(ServerFrame::Typing {
                conversation_id: Uuid::from_u128(1),
                who: Identity {
                    kind: SenderKind::Guest,
                    id: None,
                    name: Some("Ann".into()),
                },
                internal: false,
            }),
            origin: Some(Uuid::from_u128(2)),
        };
        let back: Event = serde_json::from_str(&serde_json::to_string(&typing).unwrap()).unwrap();
        assert!(
            matches!(back, Event::Frame { frame, origin: Some(origin) } if matches!(*frame, ServerFrame::Typing { .. }) && origin == Uuid::from_u128(2))
        );
    }
}
