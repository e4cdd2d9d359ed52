//! The WebSocket frames, both ways.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ConversationItem, ErrorCode, Identity, Message, OperatorRef, Session};

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
        /// The text (may be empty when the message carries files).
        #[serde(default)]
        content: String,
        /// Uploaded files to attach.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attachments: Vec<Uuid>,
        /// Operators: a private note.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        internal: bool,
        /// Operators: whom a note mentions.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        mentions: Vec<Uuid>,
        /// Operators: the highest seq their view had (the collision guard).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        based_on_seq: Option<i64>,
        /// Operators: send even if someone wrote since `based_on_seq`.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        force: bool,
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
        /// Operators: typing a private note (only operators hear of it).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        internal: bool,
    },
    /// Operators: the conversation is on screen.
    View {
        /// The conversation.
        conversation_id: Uuid,
    },
    /// Operators: the conversation left the screen.
    Unview {
        /// The conversation.
        conversation_id: Uuid,
    },
    /// Operators: follow every conversation's list item.
    SubscribeInbox,
    /// Keep-alive.
    Ping,
}

/// A frame from the server. Read by a reader of its own (`frame_reader.rs`), in one pass.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// First frame on every connection.
    Welcome {
        /// Who the server thinks this is.
        identity: Identity,
        /// A guest's conversation.
        #[serde(skip_serializing_if = "Option::is_none")]
        conversation_id: Option<Uuid>,
        /// A guest's session.
        #[serde(skip_serializing_if = "Option::is_none")]
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
        /// Typing a private note: sent to operators only.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        internal: bool,
    },
    /// Operators: who has the conversation on screen, on every node.
    Viewers {
        /// The conversation.
        conversation_id: Uuid,
        /// The operators viewing it.
        operators: Vec<Viewer>,
    },
    /// Operators: something that asks for this operator's attention.
    Alert {
        /// A mention in a note, or an assignment.
        kind: AlertKind,
        /// The conversation.
        conversation_id: Uuid,
        /// Who did it.
        by: OperatorRef,
        /// The note that mentions them.
        #[serde(skip_serializing_if = "Option::is_none")]
        message_id: Option<Uuid>,
    },
    /// The inbox subscription started.
    InboxSubscribed,
    /// A conversation changed (new message, read, viewed, archived, restored): its new list
    /// item, for operators following the inbox.
    ConversationUpdated {
        /// The list item as it is now (boxed: the largest frame, and it is never on the bus).
        conversation: Box<ConversationItem>,
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
        #[serde(skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
        /// The collision guard's refusal: the messages written since the sender's view.
        #[serde(skip_serializing_if = "Option::is_none")]
        messages: Option<Vec<Message>>,
    },
}

/// An operator with a conversation on screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    /// The operator.
    pub id: Uuid,
    /// Their name.
    pub name: String,
    /// Whether they are typing in it.
    pub typing: bool,
}

/// Why an operator is alerted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A note mentions them.
    Mention,
    /// Someone else assigned them a conversation.
    Assigned,
}
