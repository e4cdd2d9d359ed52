//! A search as an operator asks for it: the query, the filters and the page.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::SearchQuery;
use crate::domain::{
    parse_kind, parse_label, parse_status, parse_time, AssigneeFilter, InboxStatus, Invalid,
};
use crate::wire::ConversationKind;

/// The most conversations one page of results holds.
pub const SEARCH_PAGE_MAX: i64 = 50;
/// Conversations per page when the request does not say.
pub const SEARCH_PAGE_DEFAULT: i64 = 20;
/// The newest matching messages shown for each conversation.
pub const HITS_PER_CONVERSATION: usize = 3;

/// Where the next page starts: after the conversation whose newest hit is at `at` (ms), with
/// this id (ties are ordered by id, downwards). Written `<ms>.<id>`; opaque to clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchCursor {
    /// The last conversation's newest hit (ms).
    pub at: i64,
    /// The last conversation's id.
    pub conversation_id: Uuid,
}

impl SearchCursor {
    /// Reads a cursor a previous page gave.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let bad = || Invalid::new("cursor", "is not a cursor this search gave");
        let (at, id) = raw.split_once('.').ok_or_else(bad)?;
        Ok(Self {
            at: at.parse().map_err(|_| bad())?,
            conversation_id: Uuid::parse_str(id).map_err(|_| bad())?,
        })
    }
}

impl std::fmt::Display for SearchCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.at, self.conversation_id)
    }
}

/// A value as given: trimmed, and `None` when empty.
fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|s| !s.is_empty())
}

/// A search: what to find, in which conversations, and which page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRequest {
    /// The words, phrases and prefixes.
    pub query: SearchQuery,
    /// Active or archived conversations only; both when `None`.
    pub status: Option<InboxStatus>,
    /// Support or session conversations only; both when `None`.
    pub kind: Option<ConversationKind>,
    /// Whose conversations.
    pub assignee: AssigneeFilter,
    /// Only conversations with this label.
    pub label: Option<Uuid>,
    /// Only what happened at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Only what happened before this time.
    pub to: Option<DateTime<Utc>>,
    /// Conversations at most (1 to [`SEARCH_PAGE_MAX`]).
    pub limit: i64,
    /// Where this page starts; the first page when `None`.
    pub cursor: Option<SearchCursor>,
}

/// A search request's values as sent (query string), empty ones meaning "not given".
#[derive(Debug, Clone, Default)]
pub struct RawSearch<'a> {
    /// `q`.
    pub q: Option<&'a str>,
    /// `status`: `active` or `archived`.
    pub status: Option<&'a str>,
    /// `assignee`: `me`, `none` or an operator id.
    pub assignee: Option<&'a str>,
    /// `label`: a label id.
    pub label: Option<&'a str>,
    /// `kind`: `support` or `session`.
    pub kind: Option<&'a str>,
    /// `from`: an RFC 3339 time.
    pub from: Option<&'a str>,
    /// `to`: an RFC 3339 time.
    pub to: Option<&'a str>,
    /// `limit`: 1 to 50.
    pub limit: Option<&'a str>,
    /// `cursor`: a previous page's `next_cursor`.
    pub cursor: Option<&'a str>,
}

impl SearchRequest {
    /// Parses a request; `me` as an assignee is `viewer`.
    pub fn parse(raw: RawSearch<'_>, viewer: Uuid) -> Result<Self, Invalid> {
        let status = parse_status(raw.status)?;
        let kind = parse_kind(raw.kind)?;
        let label = parse_label(raw.label)?;
        let limit = match given(raw.limit) {
            None => SEARCH_PAGE_DEFAULT,
            Some(n) => match n.parse::<i64>() {
                Ok(n) if (1..=SEARCH_PAGE_MAX).contains(&n) => n,
                _ => {
                    return Err(Invalid::new(
                        "limit",
                        format!("must be 1 to {SEARCH_PAGE_MAX}"),
                    ))
                }
            },
        };
        let (from, to) = (parse_time("from", raw.from)?, parse_time("to", raw.to)?);
        if let (Some(from), Some(to)) = (from, to) {
            if from >= to {
                return Err(Invalid::new("to", "must be after `from`"));
            }
        }
        Ok(Self {
            query: SearchQuery::parse(raw.q.unwrap_or_default())?,
            status,
            kind,
            assignee: AssigneeFilter::parse(raw.assignee, viewer)?,
            label,
            from,
            to,
            limit,
            cursor: given(raw.cursor).map(SearchCursor::parse).transpose()?,
        })
    }
}
