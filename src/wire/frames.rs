//! The WebSocket frames, both ways.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ConversationItem, ErrorCode, Identity, Message, Session};

/// A frame from a client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// Start receiving a conversation, replaying everything after `after_seq`.
    Subscribe {
        /// The conversation.
        conversation_id: Uuid,
        /// The highest seq the client already has.
        #[serde(default)]
        after_seq: Option<i64>,
    },
    /// Post a message.
    Send {
        /// The conversation.
        conversation_id: Uuid,
        /// Idempotency key, echoed in the `ack`.
        client_id: String,
        /// The text.
        content: String,
    },
    /// Mark the other side's messages read.
    Read {
        /// The conversation.
        conversation_id: Uuid,
        /// Up to and including this seq.
        up_to_seq: i64,
    },
    /// The client is typing.
    Typing {
        /// The conversation.
        conversation_id: Uuid,
    },
    /// Operators: follow every conversation's list item.
    SubscribeInbox,
    /// Keep-alive.
    Ping,
}

/// A frame from the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// First frame on every connection.
    Welcome {
        /// Who the server thinks this is.
        identity: Identity,
        /// A guest's conversation.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conversation_id: Option<Uuid>,
        /// A guest's session.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session: Option<Session>,
    },
    /// A subscription started; the replay follows.
    Subscribed {
        /// The conversation.
        conversation_id: Uuid,
        /// Its highest seq at the moment of subscribing.
        last_seq: i64,
    },
    /// A stored message (replayed or live).
    Message {
        /// The message.
        message: Message,
    },
    /// A send was stored durably.
    Ack {
        /// The sender's key.
        client_id: String,
        /// The stored message.
        message: Message,
    },
    /// Someone read up to a seq.
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
    },
    /// The inbox subscription started.
    InboxSubscribed,
    /// A conversation changed (new message, read, viewed, archived, restored): its new list
    /// item, for operators following the inbox.
    ConversationUpdated {
        /// The list item as it is now.
        conversation: ConversationItem,
    },
    /// The session ended; guests are disconnected with 4410 right after.
    SessionEnded {
        /// The session.
        session_id: Uuid,
    },
    /// Keep-alive answer.
    Pong,
    /// A refused frame; the connection stays open.
    Error {
        /// The contract's code.
        code: ErrorCode,
        /// A message safe to show.
        message: String,
        /// The `client_id` of a refused `send`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
    },
}
