//! Walking the messages that match a search newest first, a batch at a time, so that a page of
//! conversations costs the matches above its last one, not every match; and each found
//! conversation's newest matching messages.
//!
//! On SQLite the index's document numbers follow the messages' times (see
//! `migrations/sqlite/0014_search_order.sql`; a message's number is its row's key,
//! `messages.doc`, since 0018), so the walk reads the index in reverse number order and stops
//! at the batch's end. On PostgreSQL it goes down the index by time and checks
//! each message against the query, or reads the text index and sorts, whichever the planner
//! thinks cheaper for the query's words.

use super::rows::{MessageRow, MESSAGE_COLUMNS};
use super::search::{Matching, Narrowing};
use super::search_pending::DOCS_PER_MS;
use super::{on_db, to_millis, Db};
use crate::domain::search::SearchRequest;

/// How many of the newest messages a walk on PostgreSQL checks one by one before it lets the
/// planner choose.
const RECENT_FIRST: i64 = 5_000;

/// A matching message the walk passed: its conversation, its time (ms), and its place in the
/// walk (the document number on SQLite; the time and id on PostgreSQL).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WalkedHit {
    /// Its conversation (UUID text).
    pub conversation_id: String,
    /// The message (UUID text).
    pub message_id: String,
    /// Its time (ms).
    pub at: i64,
    /// Its document number (SQLite; 0 on PostgreSQL).
    pub doc: i64,
}

/// The values a walk's statement binds.
struct Walk<'a> {
    matching: &'a Matching,
    narrowing: &'a Narrowing,
    lower: i64,
    upper: i64,
    upper_id: &'a str,
    batch: i64,
}

impl Walk<'_> {
    async fn rows(&self, db: Db<'_>, sql: &str) -> sqlx::Result<Vec<WalkedHit>> {
        on_db!(db, |c| sqlx::query_as(sql)
            .bind(&self.matching.text)
            .bind(self.lower)
            .bind(self.upper)
            .bind(self.narrowing.kind)
            .bind(&self.narrowing.assignee)
            .bind(&self.narrowing.label)
            .bind(self.upper_id)
            .bind(self.batch)
            .fetch_all(c)
            .await)
    }
}

impl Db<'_> {
    /// Up to `batch` messages that match `request` (its words, times and filters), newest
    /// first, after `after` (the last one of the previous batch) or from the newest.
    pub async fn search_walk(
        self,
        request: &SearchRequest,
        after: Option<&WalkedHit>,
        batch: i64,
    ) -> sqlx::Result<Vec<WalkedHit>> {
        let matching = Matching::of(&self, request);
        let narrowing = Narrowing::of(request);
        let filters = &narrowing.sql;
        let lowest = matching.from.unwrap_or(i64::MIN);
        let (sql, upper, upper_id) = if self.is_postgres() {
            // Below the previous batch's last message, and before `to`.
            let upper = match (after, matching.to) {
                (Some(hit), Some(to)) if to <= hit.at => (to, String::new()),
                (Some(hit), _) => (hit.at, hit.message_id.clone()),
                (None, to) => (to.unwrap_or(i64::MAX), String::new()),
            };
            let sql = format!(
                "SELECT m.conversation_id, m.id AS message_id, m.created_at AS at, \
                 CAST(0 AS BIGINT) AS doc FROM {{messages}} AS m \
                 JOIN conversations AS c ON c.id = m.conversation_id \
                 WHERE m.search @@ CAST($1 AS tsquery) AND m.created_at >= $2 \
                 AND (m.created_at, m.id) < ($3, $7) {filters} \
                 ORDER BY m.created_at DESC, m.id DESC LIMIT $8"
            );
            (sql, upper.0, upper.1)
        } else {
            let to = matching
                .to
                .map_or(i64::MAX, |to| to.saturating_mul(DOCS_PER_MS));
            let upper = after.map_or(to, |hit| hit.doc.min(to));
            // The index is the outer loop, read backwards, so the walk stops at the batch's end.
            let sql = format!(
                "SELECT m.conversation_id, m.id AS message_id, m.created_at AS at, \
                 f.rowid AS doc FROM message_fts AS f CROSS JOIN messages AS m \
                 CROSS JOIN conversations AS c \
                 WHERE message_fts MATCH $1 AND f.rowid >= $2 AND f.rowid < $3 \
                 AND m.doc = f.rowid AND c.id = m.conversation_id \
                 {filters} ORDER BY f.rowid DESC LIMIT $8"
            );
            (sql, upper, String::new())
        };
        let lower = if self.is_postgres() {
            lowest
        } else {
            lowest.saturating_mul(DOCS_PER_MS)
        };
        let walk = Walk {
            matching: &matching,
            narrowing: &narrowing,
            lower,
            upper,
            upper_id: &upper_id,
            batch,
        };
        let mut db = self;
        if !db.is_postgres() {
            return walk.rows(db, &sql).await;
        }
        // The planner cannot tell a phrase of common words from a rare one, and for a rare one
        // it reads the text index and sorts every match: for a common phrase, thousands. So
        // the newest messages are tried first, by time; only when they hold too few matches
        // does the planner choose (then it is right: the words are rare).
        let recent = format!(
            "(SELECT * FROM messages WHERE created_at >= $2 AND (created_at, id) < ($3, $7) \
             ORDER BY created_at DESC, id DESC LIMIT {RECENT_FIRST})"
        );
        let found = walk
            .rows(db.reborrow(), &sql.replace("{messages}", &recent))
            .await?;
        if found.len() as i64 == batch {
            return Ok(found);
        }
        walk.rows(db, &sql.replace("{messages}", "messages")).await
    }

    /// Up to `limit` messages of a conversation, with seqs below `below_seq`, stored within
    /// `request`'s times, newest first: where the engine looks for a found conversation's
    /// newest matches (it checks each against the query itself: one message's check against
    /// the index costs as much as a whole search for a prefix).
    pub async fn search_scan(
        self,
        request: &SearchRequest,
        conversation_id: &str,
        below_seq: i64,
        limit: i64,
    ) -> sqlx::Result<Vec<MessageRow>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND seq < $2 \
             AND ($3 IS NULL OR created_at >= $3) AND ($4 IS NULL OR created_at < $4) \
             ORDER BY seq DESC LIMIT $5"
        );
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(conversation_id)
            .bind(below_seq)
            .bind(request.from.map(to_millis))
            .bind(request.to.map(to_millis))
            .bind(limit)
            .fetch_all(c)
            .await)
    }

    /// The newest `per` messages of each of `conversation_ids` that match `request`'s words
    /// and times, newest first within each: each conversation's messages are read from its
    /// newest, and each is looked up in the index.
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
        let columns = MESSAGE_COLUMNS
            .split(", ")
            .map(|column| format!("m.{}", column.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let (source, matches) = if self.is_postgres() {
            ("messages AS m", "m.search @@ CAST($1 AS tsquery)")
        } else {
            (
                "messages AS m CROSS JOIN message_fts AS f",
                "f.rowid = m.doc AND message_fts MATCH $1",
            )
        };
        let sql = (0..conversation_ids.len())
            .map(|i| {
                format!(
                    "SELECT * FROM (SELECT {columns} FROM {source} \
                     WHERE m.conversation_id = ${} AND {matches} \
                     AND ($2 IS NULL OR m.created_at >= $2) AND ($3 IS NULL OR m.created_at < $3) \
                     ORDER BY m.seq DESC LIMIT $4) AS h{i}",
                    5 + i
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
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
