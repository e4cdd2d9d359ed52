//! Storage: the only module with SQL. One [`Store`] over SQLite or PostgreSQL, picked by the
//! database URL; the statements are written once and run on both (ids are UUID text, times are
//! BIGINT milliseconds, parameters are `$n`). A use case that writes several things opens a
//! [`Tx`] and commits once. Rows become domain values in [`rows`].

pub mod audit;
mod batch;
mod confirmations;
mod conversations;
mod customers;
mod direct;
pub use customers::CUSTOMER_NUMBER_LOCK;
pub use direct::{DirectWriter, Posting};
pub mod emails;
mod files;
mod gate;
mod guard;
pub use files::FileRow;
use gate::WriteGate;
pub use gate::WriteTurn;
pub use guard::{Refusal, SessionGuard, Standing};
mod inbox;
pub use inbox::Activity;
mod instance;
mod invitations;
mod limits;
mod open;
mod operators;
pub use open::PoolSize;
mod presence;
mod records;
pub use records::{Emptied, Erased};
mod retention;
pub use retention::StaleConversation;
pub mod rows;
mod search;
mod search_index;
mod search_pending;
mod search_walk;
mod sessions;
mod shared;
mod sizes;
mod socket_places;
pub use socket_places::PlaceClaim;
mod team;
mod viewers;
pub use shared::{CannedRow, LabelRow};
pub use viewers::ViewerRow;

use anyhow::Context as _;
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

pub use batch::Batch;
pub use confirmations::ConfirmationRow;
pub use conversations::Inserted;
pub use rows::{
    cut_to, from_millis, preview_of, to_millis, AuditRow, Corrupt, CustomerRow, InvitationRow,
    ItemRow, MessageRow, NewInvitation, NewMessageRow, NewSignIn, NoteRow, OperatorRow, SessionRow,
    SignInListRow, SignInRow, StoredSession,
};
pub use search::FoundConversation;
pub use search_index::BacklogCursor;
pub use search_walk::WalkedHit;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database a [`Store`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file: one node.
    Sqlite,
    /// A PostgreSQL server: one or more nodes.
    Postgres,
}

impl Backend {
    /// The backend a database URL names: `sqlite:` or `postgres://` (`postgresql://`).
    pub fn of_url(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            anyhow::bail!("DATABASE_URL must start with sqlite: or postgres://")
        }
    }
}

#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The database handle. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
    gate: std::sync::Arc<WriteGate>,
    /// On SQLite, the message writer's own connection.
    direct: Option<std::sync::Arc<DirectWriter>>,
}

/// A pool's connections at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    /// Open connections.
    pub open: usize,
    /// Open connections no query holds.
    pub idle: usize,
}

impl Store {
    /// The message writer's own connection, which stores a batch without the pool (SQLite);
    /// `None` on PostgreSQL.
    pub fn direct_writer(&self) -> Option<&DirectWriter> {
        self.direct.as_deref()
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// The PostgreSQL pool, for the bus between nodes; `None` on SQLite.
    pub fn postgres(&self) -> Option<&PgPool> {
        match &self.pool {
            Pool::Postgres(pool) => Some(pool),
            Pool::Sqlite(_) => None,
        }
    }

    /// The SQLite pool, for tests that inspect what is stored; `None` on PostgreSQL.
    pub fn sqlite(&self) -> Option<&SqlitePool> {
        match &self.pool {
            Pool::Sqlite(pool) => Some(pool),
            Pool::Postgres(_) => None,
        }
    }

    /// Applies the embedded migrations that have not run yet. On PostgreSQL the migrator holds
    /// an advisory lock while it runs, so nodes starting together apply each migration once.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match &self.pool {
            Pool::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await,
            Pool::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
        }
        .context("running database migrations")
    }

    /// Statements outside a transaction, each on its own.
    pub fn db(&self) -> Db<'_> {
        match &self.pool {
            Pool::Sqlite(pool) => Db::SqlitePool(pool),
            Pool::Postgres(pool) => Db::PostgresPool(pool),
        }
    }

    /// Starts a transaction: what is done through it counts only once it is committed.
    ///
    /// On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`, waiting up to the busy
    /// timeout): a transaction that read first and wrote later would otherwise fail with
    /// `SQLITE_BUSY_SNAPSHOT` whenever another connection committed in between, and no busy
    /// timeout can help that one.
    pub async fn begin(&self) -> sqlx::Result<Tx> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Copies what the SQLite write-ahead log holds back into the database file, as far as
    /// readers allow, without blocking writers. When the log has grown past [`WAL_LIMIT`]
    /// (under steady writes a passive checkpoint never catches up), it waits for the readers
    /// instead and finishes, so that the next write starts the log over from its beginning and
    /// cuts the file back to `journal_size_limit`: the file cannot grow for ever. Nothing to do on
    /// PostgreSQL.
    ///
    /// It does not truncate the log itself: freeing a file of 64 MiB and more held every writer
    /// for tens of milliseconds, once a second at 2,000 messages a second.
    pub async fn checkpoint(&self) -> sqlx::Result<()> {
        let Pool::Sqlite(pool) = &self.pool else {
            return Ok(());
        };
        let (_busy, frames, _done): (i64, i64, i64) =
            sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
                .fetch_one(pool)
                .await?;
        let page_size: i64 = sqlx::query_scalar("PRAGMA page_size")
            .fetch_one(pool)
            .await?;
        if frames.saturating_mul(page_size) > WAL_LIMIT {
            sqlx::query("PRAGMA wal_checkpoint(RESTART)")
                .execute(pool)
                .await?;
        }
        Ok(())
    }

    /// Brings the query planner's statistics up to date: `ANALYZE` on PostgreSQL (autovacuum
    /// does it too, some time after much was written), `PRAGMA optimize` on SQLite.
    pub async fn analyze(&self) -> sqlx::Result<()> {
        match &self.pool {
            Pool::Sqlite(pool) => sqlx::query("PRAGMA optimize").execute(pool).await.map(drop),
            Pool::Postgres(pool) => sqlx::query("ANALYZE").execute(pool).await.map(drop),
        }
    }

    /// The pool's connections now: open, and of those idle.
    pub fn pool_use(&self) -> PoolUse {
        let (open, idle) = match &self.pool {
            Pool::Sqlite(pool) => (pool.size(), pool.num_idle()),
            Pool::Postgres(pool) => (pool.size(), pool.num_idle()),
        };
        PoolUse {
            open: open as usize,
            idle,
        }
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> sqlx::Result<()> {
        match &self.pool {
            Pool::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
            Pool::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
        }
    }

    /// Closes every connection (tests close before they drop their database).
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

/// How large SQLite's write-ahead log may grow, in bytes, before a checkpoint waits for readers
/// and finishes (so that the next write starts it over); also `journal_size_limit`, the size the
/// file is cut back to when it starts over.
pub const WAL_LIMIT: i64 = 64 * 1024 * 1024;

/// A transaction. Dropping it without [`Tx::commit`] rolls it back.
#[derive(Debug)]
pub enum Tx {
    #[doc(hidden)]
    Sqlite(Transaction<'static, Sqlite>),
    #[doc(hidden)]
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    /// Statements inside this transaction.
    pub fn db(&mut self) -> Db<'_> {
        match self {
            Tx::Sqlite(tx) => Db::SqliteConn(tx),
            Tx::Postgres(tx) => Db::PostgresConn(tx),
        }
    }

    /// Makes everything done through it count, at once.
    pub async fn commit(self) -> sqlx::Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }

    /// Undoes everything done through it, and waits until the database has (dropping a `Tx`
    /// also undoes it, but later, when its connection is next used).
    pub async fn rollback(self) -> sqlx::Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.rollback().await,
            Tx::Postgres(tx) => tx.rollback().await,
        }
    }
}

/// Where statements run: a pool (each statement on its own) or a transaction's connection.
/// Every store operation is one statement, written once and compiled for both backends.
#[derive(Debug)]
pub enum Db<'a> {
    #[doc(hidden)]
    SqlitePool(&'a SqlitePool),
    #[doc(hidden)]
    PostgresPool(&'a PgPool),
    #[doc(hidden)]
    SqliteConn(&'a mut SqliteConnection),
    #[doc(hidden)]
    PostgresConn(&'a mut PgConnection),
}

impl Db<'_> {
    /// The same database again, for one more statement of an operation that runs several.
    fn reborrow(&mut self) -> Db<'_> {
        match self {
            Db::SqlitePool(pool) => Db::SqlitePool(pool),
            Db::PostgresPool(pool) => Db::PostgresPool(pool),
            Db::SqliteConn(conn) => Db::SqliteConn(conn),
            Db::PostgresConn(conn) => Db::PostgresConn(conn),
        }
    }
}

/// Consumes a [`Db`] and runs `$body` with `$c` bound to the executor of whichever backend `$db` is on. The body is
/// compiled once per backend, so one statement text serves both.
macro_rules! on_db {
    ($db:expr, |$c:ident| $body:expr) => {
        match $db {
            $crate::store::Db::SqlitePool(pool) => {
                let $c = pool;
                $body
            }
            $crate::store::Db::PostgresPool(pool) => {
                let $c = pool;
                $body
            }
            $crate::store::Db::SqliteConn(conn) => {
                let $c = conn;
                $body
            }
            $crate::store::Db::PostgresConn(conn) => {
                let $c = conn;
                $body
            }
        }
    };
}
pub(crate) use on_db;

/// Placeholders `$from`, `$from+1`, … for `count` values, comma-separated.
fn placeholders(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether an error is a unique-constraint violation (a concurrent insert of the same key).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}
