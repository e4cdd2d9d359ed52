//! How a message enters SQLite's search index (see `migrations/sqlite/0017_search_pending.sql`):
//! its document number, the key of its row (`messages.doc`, the table's rowid since
//! `0018_messages_by_doc.sql`), orders the index by time; its words
//! wait in a pending list, written in the message's own transaction, until they go into the
//! FTS5 table in bulk: FTS5 writes a segment at every commit that touches it.
//!
//! The words are settled (moved into the FTS5 table) by the message writer's own connection
//! every [`PENDING_MOST`] messages, in the transaction of the batch that reaches the count, and
//! before every search ([`Store::settle_search_index`]), so that a search sees every stored
//! message.

use super::batch::Marks;
use super::rows::MessageRow;
use super::{Store, Tx};

/// How many document numbers a millisecond has: a message's number is its time (ms) times this,
/// plus how many were numbered before it in the same millisecond.
pub(super) const DOCS_PER_MS: i64 = 1 << 20;

/// How many messages' words the message writer's own connection lets wait in the pending list
/// before it settles them.
pub(super) const PENDING_MOST: usize = 256;

/// Moves every pending message's words into the FTS5 table, in one transaction.
pub(super) const SETTLE_PENDING: [&str; 2] = [
    "INSERT INTO message_fts (rowid, words) SELECT doc, words FROM message_pending ORDER BY doc",
    "DELETE FROM message_pending",
];

/// The highest document number given so far within a millisecond: bind the bounds of
/// [`doc_spans`].
pub(super) const HIGHEST_DOC: &str = "SELECT MAX(doc) FROM messages WHERE doc >= ? AND doc < ?";

/// The document numbers of each millisecond `rows` were stored in (each one once, in order of
/// first appearance), as the bounds to bind to [`HIGHEST_DOC`].
pub(super) fn doc_spans(rows: &[MessageRow]) -> Vec<(i64, i64)> {
    let mut spans: Vec<(i64, i64)> = Vec::new();
    for row in rows {
        let span = (
            row.created_at * DOCS_PER_MS,
            (row.created_at + 1) * DOCS_PER_MS,
        );
        if !spans.contains(&span) {
            spans.push(span);
        }
    }
    spans
}

/// Each row's document number: its time (ms) times [`DOCS_PER_MS`], plus one for each message
/// numbered before it in the same millisecond. `spans` is [`doc_spans`]`(rows)`, and `highest`
/// [`HIGHEST_DOC`]'s answer for each of them, in order.
pub(super) fn number_docs(
    rows: &[MessageRow],
    spans: &[(i64, i64)],
    highest: &[Option<i64>],
) -> Vec<i64> {
    let mut next: Vec<i64> = spans
        .iter()
        .zip(highest)
        .map(|((low, _), high)| high.map_or(*low, |high| high + 1))
        .collect();
    rows.iter()
        .map(|row| {
            let at = spans
                .iter()
                .position(|(low, _)| *low == row.created_at * DOCS_PER_MS)
                .expect("every row's millisecond has a span");
            next[at] += 1;
            next[at] - 1
        })
        .collect()
}

/// Puts `n` messages' words in the pending list: bind each one's document number, then its
/// words.
pub(super) fn pending_rows_sql(n: usize, marks: &mut Marks) -> String {
    let values = (0..n)
        .map(|_| format!("({})", marks.list(2)))
        .collect::<Vec<_>>()
        .join(", ");
    format!("INSERT INTO message_pending (doc, words) VALUES {values}")
}

impl Tx {
    /// Numbers `rows` for the index (SQLite): see [`number_docs`].
    pub(super) async fn number_docs(&mut self, rows: &[MessageRow]) -> sqlx::Result<Vec<i64>> {
        let Tx::Sqlite(conn) = self else {
            return Ok(Vec::new());
        };
        let spans = doc_spans(rows);
        let mut highest = Vec::with_capacity(spans.len());
        for (low, high) in &spans {
            highest.push(
                sqlx::query_scalar(HIGHEST_DOC)
                    .bind(low)
                    .bind(high)
                    .fetch_one(&mut **conn)
                    .await?,
            );
        }
        Ok(number_docs(rows, &spans, &highest))
    }

    /// Puts the words of `rows`, numbered `docs`, in the pending list (SQLite).
    pub(super) async fn add_pending(
        &mut self,
        rows: &[MessageRow],
        docs: &[i64],
    ) -> sqlx::Result<()> {
        let Tx::Sqlite(conn) = self else {
            return Ok(());
        };
        let sql = pending_rows_sql(rows.len(), &mut Marks::new(true));
        let mut query = sqlx::query(&sql);
        for (row, doc) in rows.iter().zip(docs) {
            query = query.bind(*doc).bind(row.search_words());
        }
        query.execute(&mut **conn).await.map(drop)
    }
}

impl Store {
    /// Brings SQLite's FTS5 table up to every message stored so far, so that a search sees
    /// them all: moves the words waiting in the pending list into it, at the message writer's
    /// turn. Nothing to do on PostgreSQL, whose text index is written by the statement that
    /// stores the message, or when nothing is pending.
    pub async fn settle_search_index(&self) -> sqlx::Result<()> {
        let Some(pool) = self.sqlite() else {
            return Ok(());
        };
        let pending: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM message_pending)")
            .fetch_one(pool)
            .await?;
        if !pending {
            return Ok(());
        }
        let _turn = self.writer_turn().await;
        let mut tx = self.begin().await?;
        if let Tx::Sqlite(conn) = &mut tx {
            for sql in SETTLE_PENDING {
                sqlx::query(sql).execute(&mut **conn).await?;
            }
        }
        tx.commit().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(created_at: i64) -> MessageRow {
        MessageRow {
            id: String::new(),
            conversation_id: String::new(),
            seq: 1,
            sender_kind: "guest".to_owned(),
            sender_id: None,
            sender_name: None,
            content: String::new(),
            client_id: String::new(),
            created_at,
            read_at: None,
            internal: false,
            mentions: None,
            attachments: None,
        }
    }

    #[test]
    fn rows_in_one_millisecond_follow_the_highest_number_given_in_it_in_order() {
        let rows = [at(7), at(9), at(7), at(7), at(9)];
        let spans = doc_spans(&rows);
        assert_eq!(
            spans,
            [
                (7 * DOCS_PER_MS, 8 * DOCS_PER_MS),
                (9 * DOCS_PER_MS, 10 * DOCS_PER_MS)
            ]
        );
        let docs = number_docs(&rows, &spans, &[Some(7 * DOCS_PER_MS + 4), None]);
        let ms7 = 7 * DOCS_PER_MS;
        let ms9 = 9 * DOCS_PER_MS;
        assert_eq!(docs, [ms7 + 5, ms9, ms7 + 6, ms7 + 7, ms9 + 1]);
    }
}
