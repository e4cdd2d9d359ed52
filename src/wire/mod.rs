//! The wire types of the public contract (`shared/PROTOCOL.md`), shared by the server and the
//! browser. Field names and shapes here are the contract; change them only together with it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

mod email;
mod inbox;

pub use email::*;
pub use inbox::*;

/// Times on the wire: RFC 3339 in UTC with milliseconds (`2026-11-22T08:00:00.123Z`).
pub mod time {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serializes a time in the contract's format.
    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Millis, true))
    }

    /// Reads any RFC 3339 time.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let raw = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&raw)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }

    /// The same format for optional times (`null` when absent).
    pub mod option {
        use super::*;

        /// Serializes an optional time in the contract's format.
        pub fn serialize<S: Serializer>(
            t: &Option<DateTime<Utc>>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => super::serialize(t, s),
                None => s.serialize_none(),
            }
        }

        /// Reads an optional RFC 3339 time.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<DateTime<Utc>>, D::Error> {
            Option::<String>::deserialize(d)?
                .map(|raw| {
                    DateTime::parse_from_rfc3339(&raw)
                        .map(|t| t.with_timezone(&Utc))
                        .map_err(serde::de::Error::custom)
                })
                .transpose()
        }
    }
}

/// The error codes of the contract, each with its HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 422: a field fails validation.
    Invalid,
    /// 401: no or bad credentials.
    Unauthorized,
    /// 403: authenticated, but not allowed.
    Forbidden,
    /// 404: unknown id or token.
    NotFound,
    /// 410: the support session has ended or its link expired.
    Gone,
    /// 409: a state conflict the client can resolve.
    Conflict,
    /// 429: too many requests.
    RateLimited,
    /// 413: body over the limit.
    PayloadTooLarge,
    /// 415: a body that is not `application/json` where JSON is expected.
    UnsupportedMediaType,
    /// 408: the request took too long to arrive.
    RequestTimeout,
    /// 500: anything else.
    Internal,
}

impl ErrorCode {
    /// The HTTP status that goes with the code.
    pub fn http_status(self) -> u16 {
        match self {
            Self::Invalid => 422,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Gone => 410,
            Self::Conflict => 409,
            Self::RateLimited => 429,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::RequestTimeout => 408,
            Self::Internal => 500,
        }
    }

    /// The code as written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invalid => "invalid",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::Gone => "gone",
            Self::Conflict => "conflict",
            Self::RateLimited => "rate_limited",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::RequestTimeout => "request_timeout",
            Self::Internal => "internal",
        }
    }
}

/// The inside of every error response: `{"error": {"code", "message"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// The machine-readable code.
    pub code: ErrorCode,
    /// A human-readable message, safe to show.
    pub message: String,
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// An operator as the API shows one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    /// The operator's id.
    pub id: Uuid,
    /// The sign-in address.
    pub email: String,
    /// The name shown to guests and colleagues.
    pub name: String,
}

/// Where a support session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// No guest has joined yet.
    Waiting,
    /// A guest has joined.
    Active,
    /// An operator ended it, or its link expired.
    Ended,
}

/// A remote-support session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The session's id.
    pub id: Uuid,
    /// The operator's title, if one was given.
    pub title: Option<String>,
    /// Waiting, active or ended.
    pub status: SessionStatus,
    /// The conversation the session owns.
    pub conversation_id: Uuid,
    /// When it was created.
    #[serde(with = "time")]
    pub created_at: DateTime<Utc>,
    /// When the current guest link stops working.
    #[serde(with = "time")]
    pub expires_at: DateTime<Utc>,
    /// When it ended: the moment an operator ended it, or its expiry.
    #[serde(with = "time::option")]
    pub ended_at: Option<DateTime<Utc>>,
}

impl Session {
    /// Whether guests are cut off.
    pub fn is_ended(&self) -> bool {
        self.status == SessionStatus::Ended
    }
}

/// `POST /api/v1/auth/login` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginRequest {
    /// The sign-in address.
    pub email: String,
    /// The password.
    pub password: String,
}

/// `POST /api/v1/auth/login` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginResponse {
    /// Who signed in.
    pub operator: Operator,
}

/// `POST /api/v1/sessions` body.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CreateSessionRequest {
    /// An optional title.
    #[serde(default)]
    pub title: Option<String>,
}

/// A new guest link: returned on creation and on rotation, and never again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestLink {
    /// The raw token; the server keeps only its SHA-256.
    pub guest_token: String,
    /// The link to send to the guest.
    pub guest_url: String,
}

/// `POST /api/v1/sessions` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreatedSession {
    /// The new session.
    pub session: Session,
    /// Its guest link.
    #[serde(flatten)]
    pub link: GuestLink,
}

/// `{"session": ..}` answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionEnvelope {
    /// The session.
    pub session: Session,
}

/// `GET /api/v1/sessions` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionList {
    /// Newest first.
    pub sessions: Vec<Session>,
}

/// Who sent a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
pub struct Sender {
    /// Operator, guest, customer or system.
    pub kind: SenderKind,
    /// The display name, if one is known.
    pub name: Option<String>,
}

/// A chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

/// `{"message": ..}` answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MessageEnvelope {
    /// The message.
    pub message: Message,
}

/// `{"messages": [..]}` answers, ascending by seq.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MessageList {
    /// Ascending by seq.
    pub messages: Vec<Message>,
}

/// `GET /support/guest/:token/messages` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GuestMessages {
    /// The guest's session.
    pub session: Session,
    /// Ascending by seq.
    pub messages: Vec<Message>,
}

/// `POST .../messages` body (operator and guest).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PostMessageRequest {
    /// The text.
    pub content: String,
    /// Optional idempotency key.
    #[serde(default)]
    pub client_id: Option<String>,
    /// The guest's name (guest route only).
    #[serde(default)]
    pub guest_name: Option<String>,
}

/// `POST .../read` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReadRequest {
    /// Everything up to this seq is read.
    pub up_to_seq: i64,
}

/// Who is on the other end of a socket: `welcome.identity`, `read.reader`, `typing.who`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// Operator, guest or customer.
    pub kind: SenderKind,
    /// The operator's or customer's id; for a guest, the session's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// The display name, if known.
    pub name: Option<String>,
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn session_serializes_in_the_contracts_shape_with_millisecond_times() {
        let t = Utc.with_ymd_and_hms(2026, 11, 22, 8, 0, 0).unwrap()
            + chrono::Duration::milliseconds(123);
        let session = Session {
            id: Uuid::nil(),
            title: Some("Printer setup".into()),
            status: SessionStatus::Waiting,
            conversation_id: Uuid::nil(),
            created_at: t,
            expires_at: t,
            ended_at: None,
        };
        let json = serde_json::to_value(&session).unwrap();
        assert_eq!(json["status"], "waiting");
        assert_eq!(json["created_at"], "2026-11-22T08:00:00.123Z");
        assert_eq!(json["ended_at"], serde_json::Value::Null);
        let back: Session = serde_json::from_value(json).unwrap();
        assert_eq!(back, session);
    }

    #[test]
    fn created_session_flattens_the_guest_link_next_to_the_session() {
        let t = Utc::now();
        let created = CreatedSession {
            session: Session {
                id: Uuid::nil(),
                title: None,
                status: SessionStatus::Waiting,
                conversation_id: Uuid::nil(),
                created_at: t,
                expires_at: t,
                ended_at: None,
            },
            link: GuestLink {
                guest_token: "tok".into(),
                guest_url: "http://h/support/guest/tok".into(),
            },
        };
        let json = serde_json::to_value(&created).unwrap();
        assert_eq!(json["guest_token"], "tok");
        assert_eq!(json["guest_url"], "http://h/support/guest/tok");
        assert!(json["session"].is_object());
    }

    #[test]
    fn the_unread_rule_and_its_sender_lists_agree() {
        use SenderKind::*;
        for reader in [Operator, Guest, Customer, System] {
            for sender in [Operator, Guest, Customer, System] {
                assert_eq!(
                    reader.reads(sender),
                    reader.read_senders().contains(&sender),
                    "{reader:?} reading {sender:?}"
                );
            }
            assert!(!reader.reads(System), "system lines are never unread");
            assert!(
                !reader.reads(reader),
                "nobody has their own messages unread"
            );
        }
        assert!(Operator.reads(Customer) && Operator.reads(Guest));
        assert!(Customer.reads(Operator) && Guest.reads(Operator));
        assert!(!Customer.reads(Guest));
    }

    #[test]
    fn error_codes_map_to_the_contracts_statuses() {
        assert_eq!(ErrorCode::Invalid.http_status(), 422);
        assert_eq!(ErrorCode::Gone.http_status(), 410);
        assert_eq!(ErrorCode::RateLimited.http_status(), 429);
        assert_eq!(
            serde_json::to_value(ErrorCode::NotFound).unwrap(),
            "not_found"
        );
    }
}
