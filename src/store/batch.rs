//! Storing many messages in one transaction with three statements, whatever their number: the
//! keys already stored, the seqs of every conversation at once, and one multi-row insert. The
//! message writer's group commit uses it (see `writer.rs`).

use std::collections::{HashMap, HashSet};

use super::conversations::Inserted;
use super::rows::{MessageRow, NewMessageRow, MESSAGE_COLUMNS, MESSAGE_COLUMN_COUNT};
use super::{on_db, Tx};
use crate::domain::search::tsvector_literal;

/// Parameter marks for a statement with many parameters, in the order they appear in its text
/// (and are bound in): `$1`, `$2`, … on PostgreSQL; plain `?` on SQLite, which looks a numbered
/// parameter's name up by scanning all of them, so hundreds of `$n` cost a quadratic bind.
struct Marks {
    sqlite: bool,
    count: usize,
}

impl Marks {
    fn new(sqlite: bool) -> Self {
        Self { sqlite, count: 0 }
    }

    fn of(tx: &Tx) -> Self {
        Self::new(matches!(tx, Tx::Sqlite(_)))
    }

    fn next(&mut self) -> String {
        self.count += 1;
        if self.sqlite {
            "?".to_owned()
        } else {
            format!("${}", self.count)
        }
    }

    /// `n` marks, comma-separated.
    fn list(&mut self, n: usize) -> String {
        (0..n).map(|_| self.next()).collect::<Vec<_>>().join(", ")
    }
}

/// What storing a batch did.
#[derive(Debug)]
pub struct Batch {
    /// Each message's outcome, in the order given.
    pub inserted: Vec<Inserted>,
    /// The conversations (of new messages) that are archived.
    pub archived: HashSet<String>,
}

impl Tx {
    /// Stores each message with its conversation's next seq (in the order given), unless one
    /// with the same `(conversation_id, client_id)` is stored already, or comes earlier in
    /// `news`: the outcome of each, in order, as [`Tx::insert_message`] would have it.
    pub async fn insert_messages(&mut self, news: &[&NewMessageRow]) -> sqlx::Result<Batch> {
        let mut known: HashMap<(String, String), MessageRow> = self
            .stored_keys(news)
            .await?
            .into_iter()
            .map(|row| ((row.conversation_id.clone(), row.client_id.clone()), row))
            .collect();
        // The new messages, first of each key only, and how many each conversation takes.
        let mut fresh: Vec<&NewMessageRow> = Vec::new();
        let mut taking: Vec<(&str, i64, i64)> = Vec::new();
        let mut keys = HashSet::new();
        for new in news {
            let key = (new.conversation_id.clone(), new.client_id.clone());
            if known.contains_key(&key) || !keys.insert(key) {
                continue;
            }
            fresh.push(new);
            match taking
                .iter_mut()
                .find(|(id, _, _)| *id == new.conversation_id)
            {
                Some((_, count, at)) => {
                    *count += 1;
                    *at = new.created_at;
                }
                None => taking.push((&new.conversation_id, 1, new.created_at)),
            }
        }
        let mut archived = HashSet::new();
        let mut last_seqs: HashMap<String, i64> = HashMap::new();
        for (id, last_seq, is_archived) in self.take_seqs(&taking).await? {
            if is_archived {
                archived.insert(id.clone());
            }
            last_seqs.insert(id, last_seq);
        }
        // Seqs in order within each conversation: its first new message gets the lowest.
        let mut next: HashMap<&str, i64> = taking
            .iter()
            .filter_map(|(id, count, _)| last_seqs.get(*id).map(|last| (*id, last - count + 1)))
            .collect();
        let mut rows = Vec::with_capacity(fresh.len());
        for new in &fresh {
            if let Some(seq) = next.get_mut(new.conversation_id.as_str()) {
                rows.push(new.stored(*seq));
                *seq += 1;
            }
        }
        self.insert_message_rows(&rows).await?;
        let mut stored: HashMap<(String, String), MessageRow> = rows
            .into_iter()
            .map(|row| ((row.conversation_id.clone(), row.client_id.clone()), row))
            .collect();
        let inserted = news
            .iter()
            .map(|new| {
                let key = (new.conversation_id.clone(), new.client_id.clone());
                if let Some(row) = known.get(&key) {
                    Inserted::Existing(row.clone())
                } else if let Some(row) = stored.remove(&key) {
                    // A later message with the same key finds this one.
                    known.insert(key, row.clone());
                    Inserted::New(row)
                } else {
                    Inserted::NoConversation
                }
            })
            .collect();
        Ok(Batch { inserted, archived })
    }

    /// The stored messages among `news`' keys.
    async fn stored_keys(&mut self, news: &[&NewMessageRow]) -> sqlx::Result<Vec<MessageRow>> {
        let mut marks = Marks::of(self);
        let wheres = (0..news.len())
            .map(|_| {
                let (conversation, client) = (marks.next(), marks.next());
                format!("(conversation_id = {conversation} AND client_id = {client})")
            })
            .collect::<Vec<_>>()
            .join(" OR ");
        let sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE {wheres}");
        on_db!(self.db(), |c| {
            let mut query = sqlx::query_as(&sql);
            for new in news {
                query = query.bind(&new.conversation_id).bind(&new.client_id);
            }
            query.fetch_all(c).await
        })
    }

    /// Moves each conversation's `last_seq` on by its count and its `last_message_at` to the
    /// time given, in one statement: each existing conversation's new `last_seq`, and whether
    /// it is archived. The row locks (PostgreSQL) or the write lock (SQLite) keep seqs unique
    /// and gap-free.
    async fn take_seqs(
        &mut self,
        taking: &[(&str, i64, i64)],
    ) -> sqlx::Result<Vec<(String, i64, bool)>> {
        if taking.is_empty() {
            return Ok(Vec::new());
        }
        // Bound in the order the marks appear: (id, count) pairs, (id, time) pairs, the ids.
        let mut marks = Marks::of(self);
        let mut arm = || {
            let (id, value) = (marks.next(), marks.next());
            format!(" WHEN {id} THEN CAST({value} AS BIGINT)")
        };
        let counts: String = taking.iter().map(|_| arm()).collect();
        let times: String = taking.iter().map(|_| arm()).collect();
        let ids = marks.list(taking.len());
        let sql = format!(
            "UPDATE conversations SET last_seq = last_seq + CASE id{counts} END, \
             last_message_at = CASE id{times} END WHERE id IN ({ids}) \
             RETURNING id, last_seq, archived_at IS NOT NULL"
        );
        on_db!(self.db(), |c| {
            let mut query = sqlx::query_as(&sql);
            for (id, count, _) in taking {
                query = query.bind(*id).bind(*count);
            }
            for (id, _, at) in taking {
                query = query.bind(*id).bind(*at);
            }
            for (id, _, _) in taking {
                query = query.bind(*id);
            }
            query.fetch_all(c).await
        })
    }
}

impl Tx {
    /// Inserts the rows as given, with their search index entries, in one statement (see
    /// `search_index.rs`): on PostgreSQL the message's `tsvector` column, on SQLite through the
    /// view whose trigger also indexes the words.
    pub(super) async fn insert_message_rows(&mut self, rows: &[MessageRow]) -> sqlx::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let postgres = matches!(self, Tx::Postgres(_));
        let mut marks = Marks::of(self);
        let values = (0..rows.len())
            .map(|_| {
                let columns = marks.list(MESSAGE_COLUMN_COUNT);
                let words = marks.next();
                if postgres {
                    format!("({columns}, CAST({words} AS tsvector))")
                } else {
                    format!("({columns}, {words})")
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = if postgres {
            format!("INSERT INTO messages ({MESSAGE_COLUMNS}, search) VALUES {values}")
        } else {
            format!("INSERT INTO messages_indexed ({MESSAGE_COLUMNS}, words) VALUES {values}")
        };
        on_db!(self.db(), |c| {
            let mut query = sqlx::query(&sql);
            for row in rows {
                query = query
                    .bind(&row.id)
                    .bind(&row.conversation_id)
                    .bind(row.seq)
                    .bind(&row.sender_kind)
                    .bind(&row.sender_id)
                    .bind(&row.sender_name)
                    .bind(&row.content)
                    .bind(&row.client_id)
                    .bind(row.created_at)
                    .bind(row.read_at)
                    .bind(row.internal)
                    .bind(&row.mentions)
                    .bind(&row.attachments);
                let words = row.search_words();
                query = query.bind(if postgres {
                    tsvector_literal(&words)
                } else {
                    words
                });
            }
            query.execute(c).await.map(drop)
        })
    }
}
