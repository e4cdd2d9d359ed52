//! Messages, their senders, and the requests that post and read them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{time, Session};

/// Who sent a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SenderKind {
    /// Support staff.
    Operator,
    /// A person holding a session link.
    Guest,
    /// A signed or anonymous website visitor.
    Customer,
    /// Switchboard itself.
    System,
}

impl SenderKind {
    /// The kind as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Operator => "operator",
            Self::Guest => "guest",
            Self::Customer => "customer",
            Self::System => "system",
        }
    }

    /// Parses the stored form.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "operator" => Some(Self::Operator),
            "guest" => Some(Self::Guest),
            "customer" => Some(Self::Customer),
            "system" => Some(Self::System),
            _ => None,
        }
    }

    /// Operators on one side; guests and customers on the other.
    pub fn is_staff(self) -> bool {
        matches!(self, Self::Operator | Self::System)
    }

    /// The one rule of unread, used by everything that counts it: whether a reader of this kind
    /// reads (and so may have unread) messages from `sender`. Staff read the visitors' (guests'
    /// and customers'); visitors read the operators'. Nobody has Switchboard's own lines unread.
    pub fn reads(self, sender: SenderKind) -> bool {
        match self {
            Self::Operator | Self::System => matches!(sender, Self::Guest | Self::Customer),
            Self::Guest | Self::Customer => sender == Self::Operator,
        }
    }

    /// The sender kinds whose messages a reader of this kind reads: [`SenderKind::reads`] as a
    /// list, for a store query.
    pub fn read_senders(self) -> &'static [SenderKind] {
        match self {
            Self::Operator | Self::System => &[Self::Guest, Self::Customer],
            Self::Guest | Self::Customer => &[Self::Operator],
        }
    }
}

/// The sender of a message: `{"kind", "name"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sender {
    /// Operator, guest, customer or system.
    pub kind: SenderKind,
    /// The display name, if one is known.
    pub name: Option<String>,
}

/// A chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    /// The message's id.
    pub id: Uuid,
    /// Its conversation.
    pub conversation_id: Uuid,
    /// Position in the conversation: from 1, gap-free, the resume cursor.
    pub seq: i64,
    /// Who sent it.
    pub sender: Sender,
    /// The text, stored verbatim.
    pub content: String,
    /// The sender's idempotency key.
    pub client_id: String,
    /// When it was stored.
    #[serde(with = "time")]
    pub created_at: DateTime<Utc>,
    /// When the other side first read it.
    #[serde(with = "time::option")]
    pub read_at: Option<DateTime<Utc>>,
    /// A private note: operators only, never shown to a guest or a customer.
    #[serde(default)]
    pub internal: bool,
    /// The operators a note mentions.
    #[serde(default)]
    pub mentions: Vec<Uuid>,
    /// The files it carries, in the order the sender named them.
    #[serde(default)]
    pub attachments: Vec<super::FileInfo>,
}

/// `{"message": ..}` answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageEnvelope {
    /// The message.
    pub message: Message,
}

/// `{"messages": [..]}` answers, ascending by seq.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageList {
    /// Ascending by seq.
    pub messages: Vec<Message>,
}

/// `GET /support/guest/:token/messages` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GuestMessages {
    /// The guest's session.
    pub session: Session,
    /// Ascending by seq.
    pub messages: Vec<Message>,
}

/// `POST .../messages` body (operator and guest).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostMessageRequest {
    /// The text.
    pub content: String,
    /// Optional idempotency key.
    #[serde(default)]
    pub client_id: Option<String>,
    /// The guest's name (guest route only).
    #[serde(default)]
    pub guest_name: Option<String>,
    /// Operators: a private note.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub internal: bool,
    /// Operators: whom a note mentions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<Uuid>,
    /// Operators: the highest seq their view had (the collision guard).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub based_on_seq: Option<i64>,
    /// Operators: send even if someone wrote since `based_on_seq`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub force: bool,
    /// Uploaded files to attach (then `content` may be empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Uuid>,
}

/// `POST .../read` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadRequest {
    /// Everything up to this seq is read.
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub up_to_seq: i64,
}

/// Who is on the other end of a socket: `welcome.identity`, `read.reader`, `typing.who`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Identity {
    /// Operator, guest or customer.
    pub kind: SenderKind,
    /// The operator's or customer's id; for a guest, the session's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// The display name, if known.
    pub name: Option<String>,
}
