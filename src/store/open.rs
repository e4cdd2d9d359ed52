//! Opening a store: the pool of either backend, and on SQLite the message writer's own
//! connection beside it.

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context as _;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection as _, SqlitePool};

use super::{Backend, DirectWriter, Pool, Store, WAL_LIMIT};

/// How a pool is sized.
#[derive(Debug, Clone, Copy)]
pub struct PoolSize {
    /// Connections, all opened when the store connects.
    pub max_connections: u32,
    /// How long a PostgreSQL connection may sit idle in the pool before it is pinged when
    /// lent (a restart or a network drop may have cut it meanwhile).
    pub ping_idle_after: Duration,
}

impl Default for PoolSize {
    fn default() -> Self {
        Self {
            max_connections: 8,
            ping_idle_after: Duration::from_secs(5),
        }
    }
}

impl Store {
    /// Opens the database at `url` (creating a SQLite file and its folder if missing).
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        Self::connect_with(url, PoolSize::default()).await
    }

    /// As [`Store::connect`], with a pool size.
    pub async fn connect_with(url: &str, size: PoolSize) -> anyhow::Result<Self> {
        let mut direct = None;
        let pool = match Backend::of_url(url)? {
            Backend::Sqlite => {
                let (pool, writer) = open_sqlite(url, size).await?;
                direct = Some(std::sync::Arc::new(writer));
                Pool::Sqlite(pool)
            }
            Backend::Postgres => {
                let options = PgConnectOptions::from_str(url)
                    .context("parsing DATABASE_URL (expected postgres://USER@HOST/DATABASE)")?;
                // Every connection is opened now rather than by the first burst of requests,
                // which would otherwise wait on connects and first statements one by one.
                let pool = PgPoolOptions::new()
                    .max_connections(size.max_connections)
                    .min_connections(size.max_connections)
                    .acquire_timeout(Duration::from_secs(10))
                    // sqlx pings a connection before lending it, one more round trip to the
                    // server for every statement and transaction; it also pings each one as it
                    // comes back. So only a connection idle for a while, which a restart or a
                    // network drop may have cut meanwhile, is pinged first.
                    .test_before_acquire(false)
                    .before_acquire(move |connection, meta| {
                        Box::pin(async move {
                            if meta.idle_for >= size.ping_idle_after {
                                connection.ping().await?;
                            }
                            Ok(true)
                        })
                    })
                    .connect_with(options.clone())
                    .await
                    .with_context(|| {
                        format!(
                            "connecting to PostgreSQL at {}:{} database {:?}",
                            options.get_host(),
                            options.get_port(),
                            options.get_database().unwrap_or("(default)")
                        )
                    })?;
                Pool::Postgres(pool)
            }
        };
        Ok(Self {
            pool,
            gate: Default::default(),
            direct,
        })
    }
}

/// How long a SQLite connection waits for another's write lock before it gives up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens the pool, and then the message writer's own connection to the same file.
async fn open_sqlite(url: &str, size: PoolSize) -> anyhow::Result<(SqlitePool, DirectWriter)> {
    let options = SqliteConnectOptions::from_str(url)
        .context("parsing DATABASE_URL (expected sqlite:PATH)")?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        // Checkpoints run beside the message writer (`Store::checkpoint`), not inside whichever
        // commit happens to push the WAL past its threshold.
        .pragma("wal_autocheckpoint", "0")
        // Once a checkpoint has let the log start over, a file grown past this is cut back to it.
        .pragma("journal_size_limit", WAL_LIMIT.to_string())
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT);
    let file = options.get_filename().to_path_buf();
    let in_memory = file.as_os_str().is_empty() || file.as_os_str() == ":memory:";
    anyhow::ensure!(
        !in_memory,
        "an in-memory SQLite database cannot be shared by the pool and the writer: give a file"
    );
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the database folder {}", dir.display()))?;
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(size.max_connections)
        .min_connections(size.max_connections)
        // A file's connection cannot go stale, and the ping sqlx sends before lending an idle
        // one would be one more round trip to the connection's thread for every statement.
        .test_before_acquire(false)
        .connect_with(options)
        .await
        .with_context(|| format!("opening the database {}", file.display()))?;
    Ok((pool, DirectWriter::open(&file, BUSY_TIMEOUT)?))
}
