//! Searching: the conversations whose messages, customer or title match, over the index
//! `search_index.rs` keeps. The engine walks the matching messages newest first
//! (`search_walk.rs`) and adds the customers and titles found here; the grouped answer here is
//! what it falls back on.

use super::inbox::{assignee_filter, label_filter};
use super::{on_db, placeholders, to_millis, Db};
use crate::domain::search::SearchRequest;
use crate::domain::InboxStatus;
use crate::wire::Matched;

/// A conversation a search found: its id, the time of its newest match (ms), and what matched.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FoundConversation {
    /// The conversation (UUID text).
    pub conversation_id: String,
    /// Its newest match (ms): a message's time, or the conversation's last activity.
    pub at: i64,
    /// What matched, as [`Db::search_conversations`] adds it up: 1 for messages, 2 for the
    /// customer, 4 for the session's title.
    pub matched: i64,
}

impl FoundConversation {
    /// [`FoundConversation::matched`]'s bit for messages.
    pub const MESSAGES: i64 = 1;
    /// Its bit for the customer (name or email).
    pub const CUSTOMER: i64 = 2;
    /// Its bit for the session's title.
    pub const TITLE: i64 = 4;

    /// What matched, in the contract's order.
    pub fn matched(&self) -> Vec<Matched> {
        [
            (Self::MESSAGES, Matched::Messages),
            (Self::CUSTOMER, Matched::Customer),
            (Self::TITLE, Matched::Title),
        ]
        .into_iter()
        .filter(|(bit, _)| self.matched & bit != 0)
        .map(|(_, matched)| matched)
        .collect()
    }
}

/// What a search page's statements share: the query's text for this backend, and the bounds.
pub(super) struct Matching {
    pub(super) text: String,
    pub(super) from: Option<i64>,
    pub(super) to: Option<i64>,
}

impl Matching {
    pub(super) fn of(db: &Db<'_>, request: &SearchRequest) -> Self {
        Self {
            text: if db.is_postgres() {
                request.query.to_tsquery()
            } else {
                request.query.to_fts5()
            },
            from: request.from.map(to_millis),
            to: request.to.map(to_millis),
        }
    }

    /// The messages that match (`m`, with every column), between the bounds: `$1` is the
    /// query, `$2` and `$3` the bounds.
    fn messages(postgres: bool) -> &'static str {
        if postgres {
            "messages AS m WHERE m.search @@ CAST($1 AS tsquery) \
             AND ($2 IS NULL OR m.created_at >= $2) AND ($3 IS NULL OR m.created_at < $3)"
        } else {
            "message_fts AS f JOIN messages AS m ON m.doc = f.rowid WHERE message_fts MATCH $1 \
             AND ($2 IS NULL OR m.created_at >= $2) AND ($3 IS NULL OR m.created_at < $3)"
        }
    }
}

/// The filters of a search on conversations `c`: `status` in the text, and the kind, assignee and
/// label at `$4`, `$5` and `$6`.
pub(super) struct Narrowing {
    pub(super) sql: String,
    pub(super) kind: Option<&'static str>,
    pub(super) assignee: Option<String>,
    pub(super) label: Option<String>,
}

impl Narrowing {
    pub(super) fn of(request: &SearchRequest) -> Self {
        let status = match request.status {
            None => "",
            Some(InboxStatus::Active) => "AND c.archived_at IS NULL",
            Some(InboxStatus::Archived) => "AND c.archived_at IS NOT NULL",
        };
        let (assignee_sql, assignee) = assignee_filter(request.assignee, 5);
        let (label_sql, label) = label_filter(request.label, 6);
        Self {
            sql: format!("AND ($4 IS NULL OR c.kind = $4) {status} {assignee_sql} {label_sql}"),
            kind: request.kind.map(|kind| kind.as_str()),
            assignee,
            label,
        }
    }
}

/// A customer's name and email are one text, a title another: every term of the query must
/// match it. The conditions on `text`, with the patterns from `$10` on.
fn matches_words(request: &SearchRequest, text: &str) -> String {
    (0..request.query.like_patterns().len())
        .map(|i| format!("{text} LIKE ${}", 10 + i))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The conversations whose customer or session title matches, with their last activity as the
/// time of the match and what matched (2, 4): the source of [`Db::search_titled`] and
/// [`Db::search_conversations`]. `$2` and `$3` bound the activity; patterns from `$10` on;
/// `only` narrows both sources further (in each, so that an index narrows them first).
fn titled_hits(request: &SearchRequest, only: &str) -> String {
    let customer = matches_words(
        request,
        "(' ' || COALESCE(cu.name_words, '') || ' ' || COALESCE(cu.email_words, '') || ' ')",
    );
    let title = matches_words(request, "(' ' || COALESCE(s.title_words, '') || ' ')");
    let active = "COALESCE(c.last_message_at, c.created_at)";
    let within = format!("($2 IS NULL OR {active} >= $2) AND ($3 IS NULL OR {active} < $3)");
    format!(
        "SELECT c.id AS conversation_id, {active} AS at, 0 AS messages, 1 AS customer, \
         0 AS title FROM conversations AS c JOIN customers AS cu ON cu.id = c.customer_id \
         WHERE {customer} AND {within} {only} \
         UNION ALL SELECT c.id, {active}, 0, 0, 1 FROM conversations AS c \
         JOIN support_sessions AS s ON s.conversation_id = c.id WHERE {title} AND {within} {only}"
    )
}

impl Db<'_> {
    /// The conversations whose customer (name and email) or session title matches `request`
    /// (and its filters), by their last activity, newest first: those of `only`, or else the
    /// page's worth after the request's cursor and one more. What messages match is not looked
    /// at (see [`Db::search_walk`]).
    pub async fn search_titled(
        self,
        request: &SearchRequest,
        only: Option<&[String]>,
    ) -> sqlx::Result<Vec<FoundConversation>> {
        if only.is_some_and(|ids| ids.is_empty()) {
            return Ok(Vec::new());
        }
        let narrowing = Narrowing::of(request);
        let patterns = request.query.like_patterns();
        let first_id = 10 + patterns.len();
        let only_ids = only
            .map(|ids| format!("AND c.id IN ({})", placeholders(first_id, ids.len())))
            .unwrap_or_default();
        let hits = titled_hits(request, &only_ids);
        let page = match only {
            Some(_) => "AND $1 IS NULL AND $7 IS NULL AND $8 IS NULL AND $9 IS NULL".to_owned(),
            None => "AND $1 IS NULL AND ($7 IS NULL OR h.at < $7 OR (h.at = $7 AND \
                     h.conversation_id < $8)) ORDER BY h.at DESC, h.conversation_id DESC LIMIT $9"
                .to_owned(),
        };
        let sql = format!(
            "SELECT h.conversation_id, h.at, CAST(2 * h.customer + 4 * h.title AS BIGINT) \
             AS matched FROM ({hits}) AS h JOIN conversations AS c ON c.id = h.conversation_id \
             WHERE TRUE {} {page}",
            narrowing.sql
        );
        let (from, to) = (request.from.map(to_millis), request.to.map(to_millis));
        let limit = only.is_none().then_some(request.limit + 1);
        let cursor_at = only
            .is_none()
            .then(|| request.cursor.map(|c| c.at))
            .flatten();
        let cursor_id = only
            .is_none()
            .then(|| request.cursor.map(|c| c.conversation_id.to_string()))
            .flatten();
        on_db!(self, |c| {
            let mut query = sqlx::query_as(&sql)
                .bind(None::<String>)
                .bind(from)
                .bind(to)
                .bind(narrowing.kind)
                .bind(&narrowing.assignee)
                .bind(&narrowing.label)
                .bind(cursor_at)
                .bind(&cursor_id)
                .bind(limit);
            for pattern in &patterns {
                query = query.bind(pattern);
            }
            for id in only.unwrap_or_default() {
                query = query.bind(id);
            }
            query.fetch_all(c).await
        })
    }

    /// The conversations with messages that match `request` (and its filters), with the time
    /// of each one's newest match, newest first: at most one more than the page holds, so the
    /// caller knows whether another page follows. Exact whatever the filters, but it reads
    /// every match: the walk ([`Db::search_walk`]) falls back on it.
    pub async fn search_conversations(
        self,
        request: &SearchRequest,
    ) -> sqlx::Result<Vec<FoundConversation>> {
        let matching = Matching::of(&self, request);
        let messages = Matching::messages(self.is_postgres());
        let narrowing = Narrowing::of(request);
        let titled = titled_hits(request, "");
        let sql = format!(
            "WITH hits AS (\
             SELECT m.conversation_id AS conversation_id, m.created_at AS at, 1 AS messages, \
             0 AS customer, 0 AS title FROM {messages} UNION ALL {titled}), \
             found AS (SELECT conversation_id, MAX(at) AS at, CAST(MAX(messages) \
             + 2 * MAX(customer) + 4 * MAX(title) AS BIGINT) AS matched \
             FROM hits GROUP BY conversation_id) \
             SELECT h.conversation_id, h.at, h.matched FROM found AS h JOIN conversations AS c \
             ON c.id = h.conversation_id WHERE TRUE {} \
             AND ($7 IS NULL OR h.at < $7 OR (h.at = $7 AND h.conversation_id < $8)) \
             ORDER BY h.at DESC, h.conversation_id DESC LIMIT $9",
            narrowing.sql
        );
        let cursor_at = request.cursor.map(|cursor| cursor.at);
        let cursor_id = request
            .cursor
            .map(|cursor| cursor.conversation_id.to_string());
        let patterns = request.query.like_patterns();
        on_db!(self, |c| {
            let mut query = sqlx::query_as(&sql)
                .bind(&matching.text)
                .bind(matching.from)
                .bind(matching.to)
                .bind(narrowing.kind)
                .bind(&narrowing.assignee)
                .bind(&narrowing.label)
                .bind(cursor_at)
                .bind(&cursor_id)
                .bind(request.limit + 1);
            for pattern in &patterns {
                query = query.bind(pattern);
            }
            query.fetch_all(c).await
        })
    }
}
