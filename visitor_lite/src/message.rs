//! What the visitors' client reads from the server: messages, their files and the frames of
//! the socket, as plain values. They hold only what a visitor's page shows or decides with, so
//! that reading them takes no serde and no date parser in the browser (`json.rs` reads them
//! from `JSON.parse`'s objects; times stay milliseconds since the epoch, as `Date.parse` gives).

use switchboard::wire::{ErrorCode, SenderKind};

/// A stored file a message carries.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    /// The file's id.
    pub id: String,
    /// Its cleaned name.
    pub name: String,
    /// Its media type.
    pub content_type: String,
    /// Its size in bytes.
    pub size: f64,
    /// An image's width and height in pixels.
    pub dimensions: Option<(u32, u32)>,
    /// Whether `…/thumbnail` serves a small version.
    pub thumbnail: bool,
}

/// A stored message.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The message's id.
    pub id: String,
    /// Its position in the conversation, from 1: the resume cursor.
    pub seq: i64,
    /// Who sent it.
    pub kind: SenderKind,
    /// The sender's display name, if one is known.
    pub name: Option<String>,
    /// The text.
    pub content: String,
    /// The sender's idempotency key.
    pub client_id: String,
    /// When it was stored, in milliseconds since the epoch.
    pub created_ms: f64,
    /// The server's `created_at` as it came, for `<time datetime>`.
    pub created_at: String,
    /// Whether the other side has read it.
    pub read: bool,
    /// Its files, in the sender's order.
    pub attachments: Vec<File>,
}

/// Who a frame names (a typist, a reader).
#[derive(Debug, Clone, PartialEq)]
pub struct Who {
    /// Their kind.
    pub kind: SenderKind,
    /// Their display name, if one is known.
    pub name: Option<String>,
}

/// A frame from the server, reduced to what a visitor's chat acts on.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// A stored message, replayed or live.
    Message(Message),
    /// A send of this page was stored.
    Ack {
        /// The send's key.
        client_id: String,
        /// The stored message.
        message: Message,
    },
    /// The subscription holds; replayed messages follow.
    Subscribed {
        /// The conversation's highest seq when subscribing.
        last_seq: i64,
    },
    /// Someone read up to a seq.
    Read {
        /// Who read.
        reader: SenderKind,
        /// Up to and including this seq.
        up_to_seq: i64,
    },
    /// Someone is typing.
    Typing(Who),
    /// The session ended.
    SessionEnded,
    /// A frame the server refused.
    Error {
        /// The contract's code (`None`: a code this client does not know).
        code: Option<ErrorCode>,
        /// The `client_id` of a refused send.
        client_id: Option<String>,
    },
    /// Anything a visitor's chat does not act on (`welcome`, operators' frames).
    Other,
}
