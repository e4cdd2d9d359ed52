//! The wire types of search (`GET /api/v1/search`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{time, ConversationItem};

/// One page of search results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchPage {
    /// Conversations, by their newest hit, newest first.
    pub results: Vec<SearchResult>,
    /// Where the next page starts; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// A conversation the search found, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResult {
    /// The conversation, as the inbox lists it.
    pub conversation: ConversationItem,
    /// What matched.
    pub matched: Vec<Matched>,
    /// Its newest matching messages (at most 3), newest first.
    pub hits: Vec<SearchHit>,
}

/// What part of a conversation a search matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Matched {
    /// Its messages or private notes.
    Messages,
    /// Its customer's name or email.
    Customer,
    /// Its support session's title.
    Title,
}

/// A message that matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchHit {
    /// The message.
    pub message_id: Uuid,
    /// Its place in the conversation.
    pub seq: i64,
    /// When it was sent.
    #[serde(with = "time")]
    pub created_at: DateTime<Utc>,
    /// Whether it is a private note.
    pub internal: bool,
    /// The text around the first match, HTML-escaped, matches in `<mark>` (no other markup).
    pub snippet: String,
}
