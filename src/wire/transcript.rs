//! A conversation's transcript, as a download.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{time, ConversationKind, Message};

/// What a transcript says of its conversation: nothing an operator keeps to the team
/// (assignee, labels), so the same header serves customers and guests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TranscriptConversation {
    /// The conversation.
    pub id: Uuid,
    /// A website chat or a remote-support session.
    pub kind: ConversationKind,
    /// The session's title, if it has one.
    pub title: Option<String>,
    /// The customer's name, if known.
    pub customer_name: Option<String>,
    /// The customer's email, if known.
    pub customer_email: Option<String>,
}

/// `GET …/transcript?format=json`: the conversation and its messages, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Transcript {
    /// The conversation.
    pub conversation: TranscriptConversation,
    /// Every message the reader may see (notes only when an operator asked for them).
    pub messages: Vec<Message>,
    /// When the transcript was made.
    #[serde(with = "time")]
    pub exported_at: DateTime<Utc>,
}
