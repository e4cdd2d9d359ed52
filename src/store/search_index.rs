//! The search index, written with what it indexes (see `migrations/*/0013_search.sql`): on
//! SQLite an FTS5 table of each message's folded words under a document number
//! (`messages.doc`), on PostgreSQL a `tsvector` column of the message,
//! both written by the transaction that stores the message (`batch.rs`); customers' names and
//! emails and sessions' titles as folded copies beside them, written by the statements that
//! write them.
//!
//! On SQLite a message's words first wait in a pending list (`search_pending.rs`).
//!
//! What was stored before the index existed is indexed afterwards, in batches
//! ([`Db::unindexed_messages`], [`Tx::index_backlog`], [`Db::customers_without_words`],
//! [`Db::titles_without_words`]).

use super::rows::{attachments_of, MessageRow, MESSAGE_COLUMNS};
use super::{on_db, Db, Tx};
use crate::domain::search::{index_text, tsvector_literal};

impl MessageRow {
    /// What the index holds for this message: the folded words of its content, then of its
    /// files' names.
    pub fn search_words(&self) -> String {
        let mut text = self.content.clone();
        for file in attachments_of(self.attachments.as_deref()).unwrap_or_default() {
            text.push(' ');
            text.push_str(&file.name);
        }
        index_text(&text)
    }
}

/// A message without an index entry, and its document number (SQLite).
#[derive(sqlx::FromRow)]
struct Unindexed {
    #[sqlx(flatten)]
    row: MessageRow,
    doc: i64,
}

/// Where a pass over the messages not yet indexed goes on from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BacklogCursor(i64);

impl Tx {
    /// Indexes the words of each stored row still waiting in `message_unindexed` (SQLite,
    /// catching up: see `migrations/sqlite/0018_messages_by_doc.sql`). A message indexed since
    /// is left as it is.
    async fn index_sqlite(&mut self, rows: &[MessageRow]) -> sqlx::Result<()> {
        let Tx::Sqlite(conn) = self else {
            return Ok(());
        };
        let take = "DELETE FROM message_unindexed \
                    WHERE doc = (SELECT doc FROM messages WHERE id = $1) RETURNING doc";
        for row in rows {
            let doc: Option<i64> = sqlx::query_scalar(take)
                .bind(&row.id)
                .fetch_optional(&mut **conn)
                .await?;
            if let Some(doc) = doc {
                sqlx::query("INSERT INTO message_fts (rowid, words) VALUES ($1, $2)")
                    .bind(doc)
                    .bind(row.search_words())
                    .execute(&mut **conn)
                    .await?;
            }
        }
        Ok(())
    }

    /// Indexes messages stored before the index existed, unless something indexed them since.
    pub async fn index_backlog(&mut self, rows: &[MessageRow]) -> sqlx::Result<()> {
        match self {
            Tx::Sqlite(_) => self.index_sqlite(rows).await,
            Tx::Postgres(conn) => {
                let ids: Vec<&str> = rows.iter().map(|row| row.id.as_str()).collect();
                let words: Vec<String> = rows
                    .iter()
                    .map(|row| tsvector_literal(&row.search_words()))
                    .collect();
                sqlx::query(
                    "UPDATE messages AS m SET search = CAST(v.words AS tsvector) \
                     FROM UNNEST(CAST($1 AS TEXT[]), CAST($2 AS TEXT[])) AS v (id, words) \
                     WHERE m.id = v.id AND m.search IS NULL",
                )
                .bind(ids)
                .bind(words)
                .execute(&mut **conn)
                .await
                .map(drop)
            }
        }
    }
}

impl Db<'_> {
    /// Customers whose name or email has no search copy (written before search existed): at
    /// most `limit` of their ids, names and emails.
    pub async fn customers_without_words(
        self,
        limit: i64,
    ) -> sqlx::Result<Vec<(String, Option<String>, Option<String>)>> {
        let sql = "SELECT id, name, email FROM customers \
                   WHERE (name IS NOT NULL AND name_words IS NULL) \
                   OR (email IS NOT NULL AND email_words IS NULL) LIMIT $1";
        on_db!(self, |c| sqlx::query_as(sql).bind(limit).fetch_all(c).await)
    }

    /// Writes a customer's search copies of `name` and `email`, unless either changed since
    /// they were read (the statement that changed it wrote its copy).
    pub async fn set_customer_words(
        self,
        id: &str,
        name: Option<&str>,
        email: Option<&str>,
    ) -> sqlx::Result<()> {
        let sql = "UPDATE customers SET name_words = $4, email_words = $5 WHERE id = $1 \
                   AND name IS NOT DISTINCT FROM $2 AND email IS NOT DISTINCT FROM $3";
        on_db!(self, |c| sqlx::query(sql)
            .bind(id)
            .bind(name)
            .bind(email)
            .bind(words_of(name))
            .bind(words_of(email))
            .execute(c)
            .await
            .map(drop))
    }

    /// Sessions whose title has no search copy (written before search existed): at most
    /// `limit` of their ids and titles.
    pub async fn titles_without_words(self, limit: i64) -> sqlx::Result<Vec<(String, String)>> {
        let sql = "SELECT id, title FROM support_sessions \
                   WHERE title IS NOT NULL AND title_words IS NULL LIMIT $1";
        on_db!(self, |c| sqlx::query_as(sql).bind(limit).fetch_all(c).await)
    }

    /// Writes a session's search copy of its title (which never changes).
    pub async fn set_title_words(self, id: &str, title: &str) -> sqlx::Result<()> {
        let sql = "UPDATE support_sessions SET title_words = $2 WHERE id = $1";
        on_db!(self, |c| sqlx::query(sql)
            .bind(id)
            .bind(index_text(title))
            .execute(c)
            .await
            .map(drop))
    }

    /// How many messages are stored, notes included.
    pub async fn message_count(self) -> sqlx::Result<i64> {
        on_db!(self, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM messages"
        )
        .fetch_one(c)
        .await)
    }

    /// Up to `limit` messages that have no index entry, after `cursor`, and where the next
    /// pass goes on from; none once every message is indexed.
    pub async fn unindexed_messages(
        self,
        cursor: BacklogCursor,
        limit: i64,
    ) -> sqlx::Result<(Vec<MessageRow>, BacklogCursor)> {
        if self.is_postgres() {
            // Each pass indexes what it read, so the next one reads what is left.
            let sql =
                format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE search IS NULL LIMIT $1");
            let rows = on_db!(self, |c| sqlx::query_as(&sql)
                .bind(limit)
                .fetch_all(c)
                .await)?;
            return Ok((rows, cursor));
        }
        // By document number, the table's rowid.
        let columns = MESSAGE_COLUMNS
            .split(", ")
            .map(|column| format!("m.{}", column.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {columns}, m.doc FROM message_unindexed AS u \
             JOIN messages AS m ON m.doc = u.doc WHERE u.doc > $1 ORDER BY u.doc LIMIT $2"
        );
        let found: Vec<Unindexed> = on_db!(self, |c| sqlx::query_as(&sql)
            .bind(cursor.0)
            .bind(limit)
            .fetch_all(c)
            .await)?;
        let next = found
            .last()
            .map_or(cursor, |found| BacklogCursor(found.doc));
        Ok((found.into_iter().map(|found| found.row).collect(), next))
    }
}

/// The folded words of an optional field, for its search copy.
pub(super) fn words_of(value: Option<&str>) -> Option<String> {
    value.map(index_text)
}
