//! The message writer's own SQLite connection, on a thread of its own.
//!
//! sqlx runs each SQLite connection on a worker thread and hands it every statement through a
//! channel, and the answer back: a batch (begin, three statements, commit) was ten hand-offs
//! between threads, and `perf` put about 40% of a lone writer's time in them. This connection
//! takes a whole batch in one hand-off and answers in one. It runs the same statements as the
//! [`Tx`](super::Tx) path (`batch.rs` builds them for both), with statements prepared once and
//! kept. SQLite is opened on the same file with the same settings as the pool's connections;
//! the store's write gate still gives the file chunks and this writer their turns.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Context as _;
use rusqlite::types::ToSql;
use rusqlite::{Connection, OpenFlags, Statement, TransactionBehavior};
use tokio::sync::oneshot;

use super::batch::Plan;
use super::conversations::Inserted;
use super::emails::OPEN_EMAIL_WINDOW;
use super::guard::{guarded_conversations, refusals, SessionGuard, Standing, STANDING_OF};
use super::inbox::{INSERT_ACTIVITY, REOPEN_IF_ARCHIVED};
use super::rows::{MessageRow, NewMessageRow};
use super::search_pending::{doc_spans, number_docs, HIGHEST_DOC, PENDING_MOST, SETTLE_PENDING};
use super::sizes::{padded, runs, SizedStatement, Texts};
use super::{Batch, WAL_LIMIT};
use crate::wire::NoteKind;

/// Statements the connection keeps prepared: the four that depend on a batch's size, in each
/// of the nine sizes they are cut to (the powers of two up to the writer's batch of 256), and the
/// few single ones. Preparing a statement of hundreds of rows again, whenever a size had
/// dropped out of the cache, cost 12% of the writer's time with 256 writers.
const KEPT_STATEMENTS: usize = 128;

/// A message for the writer's connection to store, with what it brings along if it is new.
#[derive(Debug, Clone)]
pub struct Posting {
    /// The message.
    pub new: NewMessageRow,
    /// When the message brings an archived conversation back: the id of the note that says so.
    pub reopen_note: Option<String>,
    /// When the message opens (or joins) the customer's reply-email window: the id of the
    /// window's job if it is new, and how long after the message it is due (ms).
    pub email_window: Option<(String, i64)>,
    /// What its conversation's session must be for it to be stored.
    pub guard: Option<SessionGuard>,
}

struct Job {
    postings: Vec<Posting>,
    done: oneshot::Sender<rusqlite::Result<Batch>>,
}

/// The queue to the writer's connection. Its thread ends, closing the connection, when the
/// last clone of the store that holds it is dropped.
#[derive(Debug)]
pub struct DirectWriter {
    jobs: mpsc::Sender<Job>,
}

impl DirectWriter {
    /// Opens the database file at `path` (created already, in WAL mode, by the pool) and starts
    /// the connection's thread.
    pub(super) fn open(path: &Path, busy_timeout: Duration) -> anyhow::Result<Self> {
        let connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("opening the writer's connection to {}", path.display()))?;
        connection.busy_timeout(busy_timeout)?;
        // The settings of the pool's connections (see `open_sqlite`); each is per connection.
        // Then two of the writer's own. A batch's statements keep their rollback journals in
        // memory: in a file, each batch opened, wrote, truncated and deleted one. And the pages a
        // batch of many conversations touches (each conversation's leaf in four indexes) stay
        // cached: SQLite's default of 2 MiB read most of them back from the file at every batch.
        for pragma in [
            "PRAGMA synchronous = NORMAL".to_owned(),
            "PRAGMA foreign_keys = ON".to_owned(),
            "PRAGMA wal_autocheckpoint = 0".to_owned(),
            format!("PRAGMA journal_size_limit = {WAL_LIMIT}"),
            "PRAGMA temp_store = MEMORY".to_owned(),
            // 16 MiB, grown as used: 64 MiB measured the same in `store_bench`.
            "PRAGMA cache_size = -16384".to_owned(),
        ] {
            let mut statement = connection.prepare(&pragma)?;
            let mut rows = statement.raw_query();
            while rows.next()?.is_some() {}
        }
        connection.set_prepared_statement_cache_capacity(KEPT_STATEMENTS);
        let (jobs, queue) = mpsc::channel();
        let writer = Writer {
            connection,
            pending: 0,
            texts: Texts::default(),
        };
        std::thread::Builder::new()
            .name("sqlite-writer".to_owned())
            .spawn(move || writer.serve(queue))
            .context("starting the writer's connection thread")?;
        Ok(Self { jobs })
    }

    /// Stores the postings in one transaction: each message with its conversation's next seq
    /// unless its key is stored already (as [`Tx::insert_messages`](super::Tx::insert_messages)),
    /// and for each new one the reopening and the email window it asks for. Nothing is stored
    /// if anything fails.
    pub async fn store(&self, postings: Vec<Posting>) -> anyhow::Result<Batch> {
        let (done, answer) = oneshot::channel();
        self.jobs
            .send(Job { postings, done })
            .map_err(|_| anyhow::anyhow!("the writer's connection has stopped"))?;
        let batch = answer
            .await
            .map_err(|_| anyhow::anyhow!("the writer's connection dropped a batch"))?
            .context("storing a batch of messages")?;
        Ok(batch)
    }
}

/// The connection, how many messages it stored since it last settled the search index's
/// pending list (others may have added to the list since: the settling takes them too), and
/// the texts of its statements that depend on a batch's size.
struct Writer {
    connection: Connection,
    pending: usize,
    texts: Texts,
}

impl Writer {
    fn serve(mut self, queue: mpsc::Receiver<Job>) {
        while let Ok(job) = queue.recv() {
            let outcome = self.store(&job.postings);
            let _ = job.done.send(outcome);
        }
    }

    fn store(&mut self, postings: &[Posting]) -> rusqlite::Result<Batch> {
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let news: Vec<&NewMessageRow> = postings.iter().map(|posting| &posting.new).collect();
        let guards: Vec<Option<&SessionGuard>> = postings
            .iter()
            .map(|posting| posting.guard.as_ref())
            .collect();
        let standings = standings(&tx, &guarded_conversations(&news, &guards))?;
        let refused = refusals(&news, &guards, &standings);
        let texts = &mut self.texts;
        let plan = Plan::new(&news, stored_keys(&tx, texts, &news)?, refused);
        let seqs = take_seqs(&tx, texts, plan.taking())?;
        let (rows, archived) = plan.rows(seqs);
        insert_rows(&tx, texts, &rows)?;
        let pending = self.pending + rows.len();
        let settling = pending >= PENDING_MOST;
        if settling {
            for sql in SETTLE_PENDING {
                tx.prepare_cached(sql)?.raw_execute()?;
            }
        }
        let mut batch = plan.finish(rows, archived);
        for (posting, inserted) in postings.iter().zip(&batch.inserted) {
            if let Inserted::New(row) = inserted {
                let archived = batch.archived.contains(&row.conversation_id);
                batch.windows_opened += effects(&tx, posting, row, archived)?;
            }
        }
        tx.commit()?;
        self.pending = if settling { 0 } else { pending };
        Ok(batch)
    }
}

/// What a new message brings along (as the writer's `stage_effects` does on the other path):
/// how many email windows it opened.
fn effects(
    tx: &Connection,
    posting: &Posting,
    row: &MessageRow,
    archived: bool,
) -> rusqlite::Result<u64> {
    if let (Some(note), true) = (&posting.reopen_note, archived) {
        if numbered(tx, REOPEN_IF_ARCHIVED, &[&row.conversation_id])? == 1 {
            let none: Option<&str> = None;
            numbered(
                tx,
                INSERT_ACTIVITY,
                &[
                    note,
                    &row.conversation_id,
                    &NoteKind::Reopened.as_str(),
                    &row.seq,
                    &row.created_at,
                    &none,
                    &none,
                    &none,
                ],
            )?;
        }
    }
    let Some((job, delay)) = &posting.email_window else {
        return Ok(0);
    };
    let opened = numbered(
        tx,
        OPEN_EMAIL_WINDOW,
        &[
            job,
            &row.conversation_id,
            &row.created_at,
            &(row.created_at + delay),
            &row.seq,
        ],
    )?;
    Ok(opened as u64)
}

/// Runs a statement written with `$1`, `$2`, … (as the pool's statements are), binding
/// `values[n - 1]` to `$n` wherever it appears: the number of rows it changed.
fn numbered(tx: &Connection, sql: &str, values: &[&dyn ToSql]) -> rusqlite::Result<usize> {
    let mut statement = tx.prepare_cached(sql)?;
    for (n, value) in values.iter().enumerate() {
        if let Some(index) = statement.parameter_index(&format!("${}", n + 1))? {
            statement.raw_bind_parameter(index, value)?;
        }
    }
    statement.raw_execute()
}

/// Binds `values` to `?` marks in order.
fn bind_in_order(statement: &mut Statement<'_>, values: &[&dyn ToSql]) -> rusqlite::Result<()> {
    for (n, value) in values.iter().enumerate() {
        statement.raw_bind_parameter(n + 1, value)?;
    }
    Ok(())
}

/// The standings of the sessions of `conversation_ids`, one prepared lookup each.
fn standings(tx: &Connection, conversation_ids: &[&str]) -> rusqlite::Result<Vec<Standing>> {
    let mut found = Vec::new();
    if conversation_ids.is_empty() {
        return Ok(found);
    }
    let mut statement = tx.prepare_cached(STANDING_OF)?;
    for id in conversation_ids {
        let mut rows = statement.query([id])?;
        if let Some(row) = rows.next()? {
            found.push(Standing {
                conversation_id: row.get(0)?,
                token_hash: row.get(1)?,
                expires_at: row.get(2)?,
                ended_at: row.get(3)?,
            });
        }
    }
    Ok(found)
}

fn stored_keys(
    tx: &Connection,
    texts: &mut Texts,
    news: &[&NewMessageRow],
) -> rusqlite::Result<Vec<MessageRow>> {
    let news = padded(news);
    let mut statement = tx.prepare_cached(texts.of(SizedStatement::StoredKeys, news.len()))?;
    let values: Vec<&dyn ToSql> = news
        .iter()
        .flat_map(|new| [&new.conversation_id as &dyn ToSql, &new.client_id])
        .collect();
    bind_in_order(&mut statement, &values)?;
    let mut rows = statement.raw_query();
    let mut found = Vec::new();
    while let Some(row) = rows.next()? {
        found.push(MessageRow {
            id: row.get(0)?,
            conversation_id: row.get(1)?,
            seq: row.get(2)?,
            sender_kind: row.get(3)?,
            sender_id: row.get(4)?,
            sender_name: row.get(5)?,
            content: row.get(6)?,
            client_id: row.get(7)?,
            created_at: row.get(8)?,
            read_at: row.get(9)?,
            internal: row.get(10)?,
            mentions: row.get(11)?,
            attachments: row.get(12)?,
        });
    }
    Ok(found)
}

fn take_seqs(
    tx: &Connection,
    texts: &mut Texts,
    taking: &[(&str, i64, i64)],
) -> rusqlite::Result<Vec<(String, i64, bool)>> {
    if taking.is_empty() {
        return Ok(Vec::new());
    }
    let taking = padded(taking);
    let mut statement = tx.prepare_cached(texts.of(SizedStatement::TakeSeqs, taking.len()))?;
    let mut values: Vec<&dyn ToSql> = Vec::with_capacity(taking.len() * 5);
    for (id, count, _) in &taking {
        values.extend([id as &dyn ToSql, count]);
    }
    for (id, _, at) in &taking {
        values.extend([id as &dyn ToSql, at]);
    }
    for (id, _, _) in &taking {
        values.push(id);
    }
    bind_in_order(&mut statement, &values)?;
    let mut rows = statement.raw_query();
    let mut seqs = Vec::with_capacity(taking.len());
    while let Some(row) = rows.next()? {
        seqs.push((row.get(0)?, row.get(1)?, row.get(2)?));
    }
    Ok(seqs)
}

fn insert_rows(tx: &Connection, texts: &mut Texts, rows: &[MessageRow]) -> rusqlite::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let spans = doc_spans(rows);
    let mut highest = Vec::with_capacity(spans.len());
    let mut statement = tx.prepare_cached(HIGHEST_DOC)?;
    for (low, high) in &spans {
        highest.push(statement.query_row([low, high], |row| row.get(0))?);
    }
    let docs = number_docs(rows, &spans, &highest);
    let mut at = 0;
    for run in runs(rows) {
        insert_run(tx, texts, run, &docs[at..at + run.len()])?;
        at += run.len();
    }
    Ok(())
}

/// Inserts `rows` with their document numbers `docs` in one statement, and their words in
/// the search index's pending list in another.
fn insert_run(
    tx: &Connection,
    texts: &mut Texts,
    rows: &[MessageRow],
    docs: &[i64],
) -> rusqlite::Result<()> {
    let mut statement = tx.prepare_cached(texts.of(SizedStatement::InsertRows, rows.len()))?;
    let mut values: Vec<&dyn ToSql> = Vec::with_capacity(rows.len() * 14);
    for (row, doc) in rows.iter().zip(docs) {
        values.extend([
            &row.id as &dyn ToSql,
            &row.conversation_id,
            &row.seq,
            &row.sender_kind,
            &row.sender_id,
            &row.sender_name,
            &row.content,
            &row.client_id,
            &row.created_at,
            &row.read_at,
            &row.internal,
            &row.mentions,
            &row.attachments,
            doc,
        ]);
    }
    bind_in_order(&mut statement, &values)?;
    statement.raw_execute()?;
    let words: Vec<String> = rows.iter().map(MessageRow::search_words).collect();
    let mut statement = tx.prepare_cached(texts.of(SizedStatement::PendingRows, rows.len()))?;
    let values: Vec<&dyn ToSql> = docs
        .iter()
        .zip(&words)
        .flat_map(|(doc, words)| [doc as &dyn ToSql, words])
        .collect();
    bind_in_order(&mut statement, &values)?;
    statement.raw_execute().map(drop)
}
