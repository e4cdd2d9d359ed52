//! Rows as the store reads and writes them, and the one place where they become domain values.
//! Ids are stored as UUID text and times as milliseconds since the Unix epoch, on both backends.

use chrono::{DateTime, TimeZone, Utc};
use sqlx::FromRow;
use uuid::Uuid;

use crate::wire::{Customer, Message, Sender, SenderKind, SessionOutcome};

mod inbox;
mod team;
pub use inbox::*;
pub use team::*;

/// Milliseconds since the Unix epoch: how times are stored.
pub fn to_millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The inverse of [`to_millis`].
pub fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// A stored value that does not parse: the database holds something the code never writes.
#[derive(Debug, thiserror::Error)]
#[error("stored {what} {value:?} is not valid")]
pub struct Corrupt {
    what: &'static str,
    value: String,
}

impl Corrupt {
    /// A stored `what` holding `value`, which the code never writes.
    pub fn new(what: &'static str, value: &str) -> Self {
        Self {
            what,
            value: value.to_owned(),
        }
    }
}

/// Parses a stored UUID.
pub fn uuid_of(what: &'static str, raw: &str) -> Result<Uuid, Corrupt> {
    Uuid::parse_str(raw).map_err(|_| Corrupt {
        what,
        value: raw.to_owned(),
    })
}

/// `columns` (comma-separated) each prefixed with `alias.`.
pub(super) fn prefixed(alias: &str, columns: &str) -> String {
    columns
        .split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A support session as stored.
#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    /// Id (UUID text).
    pub id: String,
    /// The conversation it owns (UUID text).
    pub conversation_id: String,
    /// Optional title.
    pub title: Option<String>,
    /// The operator who created it.
    pub created_by: Option<String>,
    /// SHA-256 of the current guest token.
    pub token_hash: String,
    /// Creation time (ms).
    pub created_at: i64,
    /// When the current link expires (ms).
    pub expires_at: i64,
    /// When a guest first joined (ms).
    pub joined_at: Option<i64>,
    /// When an operator ended it (ms).
    pub ended_at: Option<i64>,
    /// How it ended, as reported (`resolved`, `unresolved`, `unknown`).
    pub outcome: Option<String>,
    /// The operator's notes on ending it.
    pub report: Option<String>,
}

/// A support session's stored facts as domain values; its status depends on the time it is
/// looked at, which the engine decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// The session's id.
    pub id: Uuid,
    /// Its conversation.
    pub conversation_id: Uuid,
    /// The operator's title.
    pub title: Option<String>,
    /// SHA-256 (hex) of the current guest token.
    pub token_hash: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// When the current link stops working.
    pub expires_at: DateTime<Utc>,
    /// When a guest first joined.
    pub joined_at: Option<DateTime<Utc>>,
    /// When an operator ended it.
    pub ended_at: Option<DateTime<Utc>>,
    /// How it ended, as reported.
    pub outcome: Option<SessionOutcome>,
    /// The operator's notes on ending it.
    pub report: Option<String>,
}

impl SessionRow {
    /// The stored facts as domain values.
    pub fn to_session(&self) -> Result<StoredSession, Corrupt> {
        Ok(StoredSession {
            id: uuid_of("session id", &self.id)?,
            conversation_id: uuid_of("conversation id", &self.conversation_id)?,
            title: self.title.clone(),
            token_hash: self.token_hash.clone(),
            created_at: from_millis(self.created_at),
            expires_at: from_millis(self.expires_at),
            joined_at: self.joined_at.map(from_millis),
            ended_at: self.ended_at.map(from_millis),
            outcome: self
                .outcome
                .as_deref()
                .map(|raw| {
                    SessionOutcome::parse(raw).ok_or_else(|| Corrupt {
                        what: "session outcome",
                        value: raw.to_owned(),
                    })
                })
                .transpose()?,
            report: self.report.clone(),
        })
    }
}

pub(super) const SESSION_COLUMNS: &str = "id, conversation_id, title, created_by, token_hash, \
                                          created_at, expires_at, joined_at, ended_at, outcome, \
                                          report";

/// A message as stored.
#[derive(Debug, Clone, FromRow)]
pub struct MessageRow {
    /// Id (UUID text).
    pub id: String,
    /// Its conversation (UUID text).
    pub conversation_id: String,
    /// Position in the conversation.
    pub seq: i64,
    /// `operator`, `guest`, `customer` or `system`.
    pub sender_kind: String,
    /// The operator's or customer's id (for a guest, the session's), if any.
    pub sender_id: Option<String>,
    /// The sender's display name, if any.
    pub sender_name: Option<String>,
    /// The text.
    pub content: String,
    /// The sender's idempotency key.
    pub client_id: String,
    /// Creation time (ms).
    pub created_at: i64,
    /// When the other side read it (ms).
    pub read_at: Option<i64>,
    /// Whether it is a private note.
    pub internal: bool,
    /// The operator ids a note mentions, as a JSON array.
    pub mentions: Option<String>,
    /// The files it carries, as a JSON array of the contract's file objects.
    pub attachments: Option<String>,
}

impl MessageRow {
    /// The message as the contract shows it.
    pub fn to_message(&self) -> Result<Message, Corrupt> {
        let kind = SenderKind::parse(&self.sender_kind).ok_or_else(|| Corrupt {
            what: "sender kind",
            value: self.sender_kind.clone(),
        })?;
        Ok(Message {
            id: uuid_of("message id", &self.id)?,
            conversation_id: uuid_of("conversation id", &self.conversation_id)?,
            seq: self.seq,
            sender: Sender {
                kind,
                name: self.sender_name.clone(),
            },
            content: self.content.clone(),
            client_id: self.client_id.clone(),
            created_at: from_millis(self.created_at),
            read_at: self.read_at.map(from_millis),
            internal: self.internal,
            mentions: match &self.mentions {
                None => Vec::new(),
                Some(raw) => serde_json::from_str(raw).map_err(|_| Corrupt {
                    what: "mentions",
                    value: raw.clone(),
                })?,
            },
            attachments: attachments_of(self.attachments.as_deref())?,
        })
    }
}

/// A message's stored `attachments` as the contract's file objects.
pub fn attachments_of(raw: Option<&str>) -> Result<Vec<crate::wire::FileInfo>, Corrupt> {
    match raw {
        None => Ok(Vec::new()),
        Some(raw) => serde_json::from_str(raw).map_err(|_| Corrupt::new("attachments", raw)),
    }
}

pub(super) const MESSAGE_COLUMNS: &str = "id, conversation_id, seq, sender_kind, sender_id, \
     sender_name, content, client_id, created_at, read_at, internal, mentions, attachments";

/// How many columns [`MESSAGE_COLUMNS`] names.
pub(super) const MESSAGE_COLUMN_COUNT: usize = 13;

/// A message to store; `seq` is assigned by the store.
#[derive(Debug, Clone)]
pub struct NewMessageRow {
    /// Id (UUID text).
    pub id: String,
    /// Its conversation (UUID text).
    pub conversation_id: String,
    /// Sender kind as stored.
    pub sender_kind: &'static str,
    /// The operator's or customer's id (for a guest, the session's), if any.
    pub sender_id: Option<String>,
    /// The sender's display name, if any.
    pub sender_name: Option<String>,
    /// The text.
    pub content: String,
    /// The idempotency key.
    pub client_id: String,
    /// Creation time (ms).
    pub created_at: i64,
    /// Whether it is a private note.
    pub internal: bool,
    /// The operator ids a note mentions, as a JSON array (`None`: none).
    pub mentions: Option<String>,
    /// The files it carries, as a JSON array of file objects (`None`: none).
    pub attachments: Option<String>,
}

impl NewMessageRow {
    /// The stored row once `seq` is known.
    pub fn stored(&self, seq: i64) -> MessageRow {
        MessageRow {
            id: self.id.clone(),
            conversation_id: self.conversation_id.clone(),
            seq,
            sender_kind: self.sender_kind.to_owned(),
            sender_id: self.sender_id.clone(),
            sender_name: self.sender_name.clone(),
            content: self.content.clone(),
            client_id: self.client_id.clone(),
            created_at: self.created_at,
            read_at: None,
            internal: self.internal,
            mentions: self.mentions.clone(),
            attachments: self.attachments.clone(),
        }
    }
}

/// A website customer as stored.
#[derive(Debug, Clone, FromRow)]
pub struct CustomerRow {
    /// Id (UUID text).
    pub id: String,
    /// The host site's user id, for a signed customer.
    pub external_id: Option<String>,
    /// SHA-256 of an anonymous visitor's token.
    pub visitor_token_hash: Option<String>,
    /// The address for replies.
    pub email: Option<String>,
    /// Whether `email` came from a signed identity.
    pub email_signed: bool,
    /// Whether `email` is known to be the customer's: signed by the host site in the v1.1 form,
    /// or confirmed through its link. Only a verified address gets reply emails.
    pub email_verified: bool,
    /// The name.
    pub name: Option<String>,
    /// Whether `name` was signed by the host site in the v1.1 form; only then may an email
    /// show it.
    pub name_verified: bool,
    /// The widget's language.
    pub locale: Option<String>,
    /// First seen (ms).
    pub created_at: i64,
    /// Last seen (ms).
    pub last_seen_at: Option<i64>,
    /// The customer's number on this installation, from 1, set by the store when it inserts
    /// the row (what it is given here is ignored).
    pub number: Option<i64>,
    /// When the customer was erased (ms): the row holds nothing personal since.
    pub erased_at: Option<i64>,
}

impl CustomerRow {
    /// What operators see of a customer in the inbox: a change here is worth telling them.
    pub fn contact(&self) -> (Option<&str>, bool, bool, Option<&str>) {
        (
            self.email.as_deref(),
            self.email_signed,
            self.email_verified,
            self.name.as_deref(),
        )
    }

    /// The customer as the contract shows one.
    pub fn to_customer(&self) -> Result<Customer, Corrupt> {
        Ok(Customer {
            id: uuid_of("customer id", &self.id)?,
            name: self.name.clone(),
            email: self.email.clone(),
            email_verified: self.email_verified,
            signed: self.external_id.is_some(),
            first_seen_at: from_millis(self.created_at),
            number: self.number.unwrap_or_default(),
            erased_at: self.erased_at.map(from_millis),
        })
    }
}

pub(super) const CUSTOMER_COLUMNS: &str = "id, external_id, visitor_token_hash, email, \
                                           email_signed, email_verified, name, name_verified, \
                                           locale, created_at, last_seen_at, number, \
                                           erased_at";
