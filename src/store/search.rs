//! Searching: the conversations whose messages, customer or title match, and their newest
//! matching messages, over the index `search_index.rs` keeps.

use super::inbox::{assignee_filter, label_filter};
use super::rows::{MessageRow, MESSAGE_COLUMNS};
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
    /// What matched, in the contract's order.
    pub fn matched(&self) -> Vec<Matched> {
        [
            (1, Matched::Messages),
            (2, Matched::Customer),
            (4, Matched::Title),
        ]
        .into_iter()
        .filter(|(bit, _)| self.matched & bit != 0)
        .map(|(_, matched)| matched)
        .collect()
    }
}

/// What a search page's statements share: the query's text for this backend, and the bounds.
struct Matching {
    text: String,
    from: Option<i64>,
    to: Option<i64>,
}

impl Matching {
    fn of(db: &Db<'_>, request: &SearchRequest) -> Self {
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
            "message_fts AS f JOIN message_docs AS d ON d.doc = f.rowid \
             JOIN messages AS m ON m.id = d.message_id WHERE message_fts MATCH $1 \
             AND ($2 IS NULL OR m.created_at >= $2) AND ($3 IS NULL OR m.created_at < $3)"
        }
    }
}

impl Db<'_> {
    /// The conversations with messages that match `request` (and its filters), with the time
    /// of each one's newest match, newest first: at most one more than the page holds, so the
    /// caller knows whether another page follows.
    pub async fn search_conversations(
        self,
        request: &SearchRequest,
    ) -> sqlx::Result<Vec<FoundConversation>> {
        let matching = Matching::of(&self, request);
        let messages = Matching::messages(self.is_postgres());
        let status = match request.status {
            None => "",
            Some(InboxStatus::Active) => "AND c.archived_at IS NULL",
            Some(InboxStatus::Archived) => "AND c.archived_at IS NOT NULL",
        };
        let (assignee, assignee_id) = assignee_filter(request.assignee, 5);
        let (label, label_id) = label_filter(request.label, 6);
        // A customer's name and email are one text, a title another; every term must match it.
        let patterns = request.query.like_patterns();
        let likes = |text: &str| {
            (0..patterns.len())
                .map(|i| format!("{text} LIKE ${}", 10 + i))
                .collect::<Vec<_>>()
                .join(" AND ")
        };
        let customer = likes(
            "(' ' || COALESCE(cu.name_words, '') || ' ' || COALESCE(cu.email_words, '') || ' ')",
        );
        let title = likes("(' ' || COALESCE(s.title_words, '') || ' ')");
        let active = "COALESCE(c.last_message_at, c.created_at)";
        let within = format!("($2 IS NULL OR {active} >= $2) AND ($3 IS NULL OR {active} < $3)");
        let sql = format!(
            "WITH hits AS (\
             SELECT m.conversation_id AS conversation_id, m.created_at AS at, 1 AS messages, \
             0 AS customer, 0 AS title FROM {messages} \
             UNION ALL SELECT c.id, {active}, 0, 1, 0 FROM conversations AS c \
             JOIN customers AS cu ON cu.id = c.customer_id WHERE {customer} AND {within} \
             UNION ALL SELECT c.id, {active}, 0, 0, 1 FROM conversations AS c \
             JOIN support_sessions AS s ON s.conversation_id = c.id WHERE {title} AND {within}), \
             found AS (SELECT conversation_id, MAX(at) AS at, CAST(MAX(messages) \
             + 2 * MAX(customer) + 4 * MAX(title) AS BIGINT) AS matched \
             FROM hits GROUP BY conversation_id) \
             SELECT h.conversation_id, h.at, h.matched FROM found AS h JOIN conversations AS c \
             ON c.id = h.conversation_id \
             WHERE ($4 IS NULL OR c.kind = $4) {status} {assignee} {label} \
             AND ($7 IS NULL OR h.at < $7 OR (h.at = $7 AND h.conversation_id < $8)) \
             ORDER BY h.at DESC, h.conversation_id DESC LIMIT $9"
        );
        let kind = request.kind.map(|kind| kind.as_str());
        let cursor_at = request.cursor.map(|cursor| cursor.at);
        let cursor_id = request
            .cursor
            .map(|cursor| cursor.conversation_id.to_string());
        on_db!(self, |c| {
            let mut query = sqlx::query_as(&sql)
                .bind(&matching.text)
                .bind(matching.from)
                .bind(matching.to)
                .bind(kind)
                .bind(&assignee_id)
                .bind(&label_id)
                .bind(cursor_at)
                .bind(&cursor_id)
                .bind(request.limit + 1);
            for pattern in &patterns {
                query = query.bind(pattern);
            }
            query.fetch_all(c).await
        })
    }

    /// The newest `per` messages of each of `conversation_ids` that match `request`, newest
    /// first within each.
    pub async fn search_hits(
        self,
        request: &SearchRequest,
        conversation_ids: &[String],
        per: usize,
    ) -> sqlx::Result<Vec<MessageRow>> {
        if conversation_ids.is_empty() {
            return Ok(Vec::new());
        }
        let matching = Matching::of(&self, request);
        let messages = Matching::messages(self.is_postgres());
        let ids = placeholders(5, conversation_ids.len());
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM (SELECT m.*, ROW_NUMBER() OVER \
             (PARTITION BY m.conversation_id ORDER BY m.seq DESC) AS n \
             FROM {messages} AND m.conversation_id IN ({ids})) AS ranked \
             WHERE n <= $4 ORDER BY conversation_id, seq DESC"
        );
        on_db!(self, |c| {
            let mut query = sqlx::query_as(&sql)
                .bind(&matching.text)
                .bind(matching.from)
                .bind(matching.to)
                .bind(per as i64);
            for id in conversation_ids {
                query = query.bind(id);
            }
            query.fetch_all(c).await
        })
    }
}
