//! Storing many messages in one transaction with three statements, whatever their number: the
//! keys already stored, the seqs of every conversation at once, and one multi-row insert. The
//! message writer's group commit uses it (see `writer/`).

use std::collections::{HashMap, HashSet};

use super::conversations::Inserted;
use super::guard::{Refusal, SessionGuard};
use super::rows::{MessageRow, NewMessageRow, MESSAGE_COLUMNS, MESSAGE_COLUMN_COUNT};
use super::{on_db, Tx};
use crate::domain::search::tsvector_literal;

/// Parameter marks for a statement with many parameters, in the order they appear in its text
/// (and are bound in): `$1`, `$2`, … on PostgreSQL; plain `?` on SQLite, which looks a numbered
/// parameter's name up by scanning all of them, so hundreds of `$n` cost a quadratic bind.
pub(super) struct Marks {
    sqlite: bool,
    count: usize,
}

impl Marks {
    pub(super) fn new(sqlite: bool) -> Self {
        Self { sqlite, count: 0 }
    }

    fn of(tx: &Tx) -> Self {
        Self::new(matches!(tx, Tx::Sqlite(_)))
    }

    pub(super) fn next(&mut self) -> String {
        self.count += 1;
        if self.sqlite {
            "?".to_owned()
        } else {
            format!("${}", self.count)
        }
    }

    /// `n` marks, comma-separated.
    pub(super) fn list(&mut self, n: usize) -> String {
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
    /// How many reply-email windows the batch opened (the writer's own SQLite connection
    /// opens them with the batch; see `direct.rs`).
    pub windows_opened: u64,
}

/// A message's key: its conversation and the sender's idempotency key.
type Key = (String, String);

fn key_of(new: &NewMessageRow) -> Key {
    (new.conversation_id.clone(), new.client_id.clone())
}

/// A batch worked out before its seqs are taken: which messages are new (the first of each key
/// not stored yet), and how many seqs each of their conversations takes. Both ways of storing a
/// batch (a [`Tx`] here, the writer's own SQLite connection in `direct.rs`) run the same three
/// statements around it.
pub(super) struct Plan<'a> {
    news: &'a [&'a NewMessageRow],
    /// Each message's refusal by its session guard, in the order of `news`.
    refused: Vec<Option<Refusal>>,
    known: HashMap<Key, MessageRow>,
    fresh: Vec<&'a NewMessageRow>,
    /// Each conversation that takes seqs: how many, and the time of its last new message.
    taking: Vec<(&'a str, i64, i64)>,
}

impl<'a> Plan<'a> {
    /// The plan for `news`, given the messages among their keys that are stored already and
    /// each message's refusal by its session guard (a refused message is not stored).
    pub(super) fn new(
        news: &'a [&'a NewMessageRow],
        stored: Vec<MessageRow>,
        refused: Vec<Option<Refusal>>,
    ) -> Self {
        let known: HashMap<Key, MessageRow> = stored
            .into_iter()
            .map(|row| ((row.conversation_id.clone(), row.client_id.clone()), row))
            .collect();
        let mut fresh: Vec<&NewMessageRow> = Vec::new();
        let mut taking: Vec<(&str, i64, i64)> = Vec::new();
        let mut keys = HashSet::new();
        for (n, new) in news.iter().enumerate() {
            let key = key_of(new);
            if refusal_of(&refused, n).is_some() || known.contains_key(&key) || !keys.insert(key) {
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
        Self {
            news,
            refused,
            known,
            fresh,
            taking,
        }
    }

    /// Each conversation that takes seqs: its id, how many, and the time of its last new
    /// message (what [`take_seqs_sql`] binds).
    pub(super) fn taking(&self) -> &[(&'a str, i64, i64)] {
        &self.taking
    }

    /// The rows to insert, given what [`take_seqs_sql`] returned (each existing conversation's
    /// new `last_seq`, and whether it is archived), and the archived conversations among them.
    pub(super) fn rows(
        &self,
        seqs: Vec<(String, i64, bool)>,
    ) -> (Vec<MessageRow>, HashSet<String>) {
        let mut archived = HashSet::new();
        let mut last_seqs: HashMap<String, i64> = HashMap::new();
        for (id, last_seq, is_archived) in seqs {
            if is_archived {
                archived.insert(id.clone());
            }
            last_seqs.insert(id, last_seq);
        }
        // Seqs in order within each conversation: its first new message gets the lowest.
        let mut next: HashMap<&str, i64> = self
            .taking
            .iter()
            .filter_map(|(id, count, _)| last_seqs.get(*id).map(|last| (*id, last - count + 1)))
            .collect();
        let mut rows = Vec::with_capacity(self.fresh.len());
        for new in &self.fresh {
            if let Some(seq) = next.get_mut(new.conversation_id.as_str()) {
                rows.push(new.stored(*seq));
                *seq += 1;
            }
        }
        (rows, archived)
    }

    /// What storing the batch did, once `rows` are inserted.
    pub(super) fn finish(mut self, rows: Vec<MessageRow>, archived: HashSet<String>) -> Batch {
        let mut stored: HashMap<Key, MessageRow> = rows
            .into_iter()
            .map(|row| ((row.conversation_id.clone(), row.client_id.clone()), row))
            .collect();
        let inserted = self
            .news
            .iter()
            .enumerate()
            .map(|(n, new)| {
                let key = key_of(new);
                if let Some(refusal) = refusal_of(&self.refused, n) {
                    Inserted::Refused(refusal)
                } else if let Some(row) = self.known.get(&key) {
                    Inserted::Existing(row.clone())
                } else if let Some(row) = stored.remove(&key) {
                    // A later message with the same key finds this one.
                    self.known.insert(key, row.clone());
                    Inserted::New(row)
                } else {
                    Inserted::NoConversation
                }
            })
            .collect();
        Batch {
            inserted,
            archived,
            windows_opened: 0,
        }
    }
}

/// The refusal of the `n`th message, if any (`refused` may be shorter than the batch).
fn refusal_of(refused: &[Option<Refusal>], n: usize) -> Option<Refusal> {
    refused.get(n).copied().flatten()
}

/// The stored messages among `n` keys: bind each key's conversation id, then its client id.
pub(super) fn stored_keys_sql(n: usize, marks: &mut Marks) -> String {
    let wheres = (0..n)
        .map(|_| {
            let (conversation, client) = (marks.next(), marks.next());
            format!("(conversation_id = {conversation} AND client_id = {client})")
        })
        .collect::<Vec<_>>()
        .join(" OR ");
    format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE {wheres}")
}

/// Moves each of `n` conversations' `last_seq` on by its count and its `last_message_at` to
/// the time given, in one statement, returning each existing one's new `last_seq` and whether
/// it is archived. Bind (id, count) pairs, then (id, time) pairs, then the ids. The row locks
/// (PostgreSQL) or the write lock (SQLite) keep seqs unique and gap-free.
pub(super) fn take_seqs_sql(n: usize, marks: &mut Marks) -> String {
    let mut arm = || {
        let (id, value) = (marks.next(), marks.next());
        format!(" WHEN {id} THEN CAST({value} AS BIGINT)")
    };
    let counts: String = (0..n).map(|_| arm()).collect();
    let times: String = (0..n).map(|_| arm()).collect();
    let ids = marks.list(n);
    format!(
        "UPDATE conversations SET last_seq = last_seq + CASE id{counts} END, \
         last_message_at = CASE id{times} END WHERE id IN ({ids}) \
         RETURNING id, last_seq, archived_at IS NOT NULL"
    )
}

/// Inserts `n` rows with what the search index needs of them: bind each row's
/// [`MESSAGE_COLUMNS`], then on PostgreSQL its words (they fill the message's `tsvector`
/// column; see `search_index.rs`), on SQLite its document number (its words go to the pending
/// list: see `search_pending.rs`).
pub(super) fn insert_rows_sql(n: usize, marks: &mut Marks) -> String {
    let values = (0..n)
        .map(|_| {
            let columns = marks.list(MESSAGE_COLUMN_COUNT);
            let last = marks.next();
            if marks.sqlite {
                format!("({columns}, {last})")
            } else {
                format!("({columns}, CAST({last} AS tsvector))")
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    if marks.sqlite {
        format!("INSERT INTO messages ({MESSAGE_COLUMNS}, doc) VALUES {values}")
    } else {
        format!("INSERT INTO messages ({MESSAGE_COLUMNS}, search) VALUES {values}")
    }
}

impl Tx {
    /// Stores each message with its conversation's next seq (in the order given), unless one
    /// with the same `(conversation_id, client_id)` is stored already, or comes earlier in
    /// `news`: the outcome of each, in order, as [`Tx::insert_message`] would have it.
    pub async fn insert_messages(&mut self, news: &[&NewMessageRow]) -> sqlx::Result<Batch> {
        self.insert_guarded(news, &[]).await
    }

    /// [`Tx::insert_messages`], where each message that has a guard (`guards` pairs with
    /// `news` in order; missing ones are `None`) is stored only if its session passes it (see
    /// [`SessionGuard`]), and is [`Inserted::Refused`] otherwise.
    pub async fn insert_guarded(
        &mut self,
        news: &[&NewMessageRow],
        guards: &[Option<&SessionGuard>],
    ) -> sqlx::Result<Batch> {
        let refused = self.refusals(news, guards).await?;
        let stored = self.stored_keys(news).await?;
        let plan = Plan::new(news, stored, refused);
        let seqs = self.take_seqs(plan.taking()).await?;
        let (rows, archived) = plan.rows(seqs);
        self.insert_message_rows(&rows).await?;
        Ok(plan.finish(rows, archived))
    }

    /// The stored messages among `news`' keys.
    async fn stored_keys(&mut self, news: &[&NewMessageRow]) -> sqlx::Result<Vec<MessageRow>> {
        let sql = stored_keys_sql(news.len(), &mut Marks::of(self));
        on_db!(self.db(), |c| {
            let mut query = sqlx::query_as(&sql);
            for new in news {
                query = query.bind(&new.conversation_id).bind(&new.client_id);
            }
            query.fetch_all(c).await
        })
    }

    /// Takes the seqs of [`Plan::taking`] (see [`take_seqs_sql`]).
    async fn take_seqs(
        &mut self,
        taking: &[(&str, i64, i64)],
    ) -> sqlx::Result<Vec<(String, i64, bool)>> {
        if taking.is_empty() {
            return Ok(Vec::new());
        }
        let sql = take_seqs_sql(taking.len(), &mut Marks::of(self));
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
    /// Inserts the rows as given, with their search index entries (see [`insert_rows_sql`]).
    pub(super) async fn insert_message_rows(&mut self, rows: &[MessageRow]) -> sqlx::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let postgres = matches!(self, Tx::Postgres(_));
        let docs = self.number_docs(rows).await?;
        let sql = insert_rows_sql(rows.len(), &mut Marks::of(self));
        on_db!(self.db(), |c| {
            let mut query = sqlx::query(&sql);
            for (n, row) in rows.iter().enumerate() {
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
                query = if postgres {
                    query.bind(tsvector_literal(&row.search_words()))
                } else {
                    query.bind(docs[n])
                };
            }
            query.execute(c).await.map(drop)
        })?;
        self.add_pending(rows, &docs).await
    }
}
