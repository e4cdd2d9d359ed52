//! Storage: the only module with SQL. One `Store` over SQLite today; the statements avoid
//! SQLite-only syntax so that a PostgreSQL backend can share them.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, TimeZone, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{FromRow, SqlitePool};
use uuid::Uuid;

use crate::auth::TokenDigest;
use crate::domain::SessionFilter;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Milliseconds since the Unix epoch: how times are stored.
pub fn to_millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The inverse of [`to_millis`].
pub fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// An operator as stored, password hash included.
#[derive(Debug, Clone, FromRow)]
pub struct OperatorRow {
    /// Id (UUID text).
    pub id: String,
    /// Normalised email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Creation time (ms).
    pub created_at: i64,
}

/// A support session as stored.
#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    /// Id (UUID text).
    pub id: String,
    /// The conversation it owns (UUID text).
    pub conversation_id: String,
    /// Optional title.
    pub title: Option<String>,
    /// The operator who created it.
    pub created_by: Option<String>,
    /// SHA-256 of the current guest token.
    pub token_hash: String,
    /// Creation time (ms).
    pub created_at: i64,
    /// When the current link expires (ms).
    pub expires_at: i64,
    /// When a guest first joined (ms).
    pub joined_at: Option<i64>,
    /// When an operator ended it (ms).
    pub ended_at: Option<i64>,
}

const SESSION_COLUMNS: &str = "id, conversation_id, title, created_by, token_hash, created_at, \
                               expires_at, joined_at, ended_at";

/// A message as stored.
#[derive(Debug, Clone, FromRow)]
pub struct MessageRow {
    /// Id (UUID text).
    pub id: String,
    /// Its conversation (UUID text).
    pub conversation_id: String,
    /// Position in the conversation.
    pub seq: i64,
    /// `operator`, `guest`, `customer` or `system`.
    pub sender_kind: String,
    /// The operator's or customer's id, if any.
    pub sender_id: Option<String>,
    /// The sender's display name, if any.
    pub sender_name: Option<String>,
    /// The text.
    pub content: String,
    /// The sender's idempotency key.
    pub client_id: String,
    /// Creation time (ms).
    pub created_at: i64,
    /// When the other side read it (ms).
    pub read_at: Option<i64>,
}

const MESSAGE_COLUMNS: &str = "id, conversation_id, seq, sender_kind, sender_id, sender_name, \
                               content, client_id, created_at, read_at";

/// A message to store; `seq` is assigned by [`Store::insert_message`].
#[derive(Debug, Clone)]
pub struct NewMessageRow {
    /// Id (UUID text).
    pub id: String,
    /// Its conversation (UUID text).
    pub conversation_id: String,
    /// Sender kind as stored.
    pub sender_kind: &'static str,
    /// The operator's or customer's id, if any.
    pub sender_id: Option<String>,
    /// The sender's display name, if any.
    pub sender_name: Option<String>,
    /// The text.
    pub content: String,
    /// The idempotency key.
    pub client_id: String,
    /// Creation time (ms).
    pub created_at: i64,
}

/// The database handle. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (and creates, for SQLite) the database at `url`, in WAL mode with foreign keys on.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .with_context(|| "parsing DATABASE_URL (expected sqlite:PATH)")?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let file = options.get_filename().to_path_buf();
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !is_memory(&file) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating the database folder {}", dir.display()))?;
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .with_context(|| format!("opening the database {}", file.display()))?;
        Ok(Self { pool })
    }

    /// Applies the embedded migrations that have not run yet.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        MIGRATOR
            .run(&self.pool)
            .await
            .context("running database migrations")
    }

    /// Raw access for tests that inspect what is stored.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// How many operators exist.
    pub async fn operator_count(&self) -> sqlx::Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM operators")
            .fetch_one(&self.pool)
            .await
    }

    /// Inserts an operator; `false` when the email is taken.
    pub async fn insert_operator(&self, row: &OperatorRow) -> sqlx::Result<bool> {
        let done = sqlx::query(
            "INSERT INTO operators (id, email, name, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email) DO NOTHING",
        )
        .bind(&row.id)
        .bind(&row.email)
        .bind(&row.name)
        .bind(&row.password_hash)
        .bind(row.created_at)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The operator with this (normalised) email.
    pub async fn operator_by_email(&self, email: &str) -> sqlx::Result<Option<OperatorRow>> {
        sqlx::query_as(
            "SELECT id, email, name, password_hash, created_at FROM operators WHERE email = $1",
        )
        .bind(email)
        .fetch_optional(&self.pool)
        .await
    }

    /// Records a signed-in browser.
    pub async fn insert_operator_session(
        &self,
        digest: &TokenDigest,
        operator_id: &str,
        now: i64,
        expires_at: i64,
    ) -> sqlx::Result<()> {
        // Sign-ins are rare; this is a good moment to forget sessions that have run out.
        sqlx::query("DELETE FROM operator_sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO operator_sessions (token_hash, operator_id, created_at, expires_at, \
             last_seen_at) VALUES ($1, $2, $3, $4, $3)",
        )
        .bind(digest.as_str())
        .bind(operator_id)
        .bind(now)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The operator signed in with this session, if it has neither expired nor been idle since
    /// `idle_since`, with when the session was last seen.
    pub async fn operator_by_session(
        &self,
        digest: &TokenDigest,
        now: i64,
        idle_since: i64,
    ) -> sqlx::Result<Option<(OperatorRow, i64)>> {
        let row: Option<(String, String, String, String, i64, i64)> = sqlx::query_as(
            "SELECT o.id, o.email, o.name, o.password_hash, o.created_at, s.last_seen_at \
             FROM operator_sessions s JOIN operators o ON o.id = s.operator_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3",
        )
        .bind(digest.as_str())
        .bind(now)
        .bind(idle_since)
        .fetch_optional(&self.pool)
        .await?;
        Ok(
            row.map(|(id, email, name, password_hash, created_at, seen)| {
                (
                    OperatorRow {
                        id,
                        email,
                        name,
                        password_hash,
                        created_at,
                    },
                    seen,
                )
            }),
        )
    }

    /// Notes that a session was used at `now`.
    pub async fn touch_operator_session(&self, digest: &TokenDigest, now: i64) -> sqlx::Result<()> {
        sqlx::query("UPDATE operator_sessions SET last_seen_at = $2 WHERE token_hash = $1")
            .bind(digest.as_str())
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records a browser that signed in to `operator_id`.
    pub async fn insert_operator_device(
        &self,
        digest: &TokenDigest,
        operator_id: &str,
        now: i64,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO operator_devices (token_hash, operator_id, created_at, last_used_at) \
             VALUES ($1, $2, $3, $3)",
        )
        .bind(digest.as_str())
        .bind(operator_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The email of the operator a device cookie was issued to.
    pub async fn operator_device_email(
        &self,
        digest: &TokenDigest,
    ) -> sqlx::Result<Option<String>> {
        sqlx::query_scalar(
            "SELECT o.email FROM operator_devices d JOIN operators o ON o.id = d.operator_id \
             WHERE d.token_hash = $1",
        )
        .bind(digest.as_str())
        .fetch_optional(&self.pool)
        .await
    }

    /// Notes that a device cookie was used to sign in at `now`.
    pub async fn touch_operator_device(&self, digest: &TokenDigest, now: i64) -> sqlx::Result<()> {
        sqlx::query("UPDATE operator_devices SET last_used_at = $2 WHERE token_hash = $1")
            .bind(digest.as_str())
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Signs a browser out.
    pub async fn delete_operator_session(&self, digest: &TokenDigest) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM operator_sessions WHERE token_hash = $1")
            .bind(digest.as_str())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Creates a support session and the conversation it owns, in one transaction.
    pub async fn insert_support_session(&self, row: &SessionRow) -> sqlx::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO conversations (id, kind, created_at) VALUES ($1, 'session', $2)")
            .bind(&row.conversation_id)
            .bind(row.created_at)
            .execute(&mut *tx)
            .await?;
        sqlx::query(&format!(
            "INSERT INTO support_sessions ({SESSION_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(&row.id)
        .bind(&row.conversation_id)
        .bind(&row.title)
        .bind(&row.created_by)
        .bind(&row.token_hash)
        .bind(row.created_at)
        .bind(row.expires_at)
        .bind(row.joined_at)
        .bind(row.ended_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// Open (not ended, not expired at `now`) or ended sessions, newest first.
    pub async fn support_sessions(
        &self,
        filter: SessionFilter,
        now: i64,
        limit: i64,
    ) -> sqlx::Result<Vec<SessionRow>> {
        let condition = match filter {
            SessionFilter::Open => "ended_at IS NULL AND expires_at > $1",
            SessionFilter::Ended => "(ended_at IS NOT NULL OR expires_at <= $1)",
        };
        sqlx::query_as(&format!(
            "SELECT {SESSION_COLUMNS} FROM support_sessions WHERE {condition} \
             ORDER BY created_at DESC, id DESC LIMIT $2"
        ))
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    /// One session by id.
    pub async fn support_session(&self, id: Uuid) -> sqlx::Result<Option<SessionRow>> {
        sqlx::query_as(&format!(
            "SELECT {SESSION_COLUMNS} FROM support_sessions WHERE id = $1"
        ))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await
    }

    /// The session whose current guest token has this digest.
    pub async fn support_session_by_token(
        &self,
        digest: &TokenDigest,
    ) -> sqlx::Result<Option<SessionRow>> {
        sqlx::query_as(&format!(
            "SELECT {SESSION_COLUMNS} FROM support_sessions WHERE token_hash = $1"
        ))
        .bind(digest.as_str())
        .fetch_optional(&self.pool)
        .await
    }

    /// Ends a session at `now` unless it already ended; an expired one keeps its expiry as its
    /// end. Returns the session as it is afterwards.
    pub async fn end_support_session(
        &self,
        id: Uuid,
        now: i64,
    ) -> sqlx::Result<Option<SessionRow>> {
        sqlx::query(
            "UPDATE support_sessions SET ended_at = \
             CASE WHEN expires_at < $2 THEN expires_at ELSE $2 END \
             WHERE id = $1 AND ended_at IS NULL",
        )
        .bind(id.to_string())
        .bind(now)
        .execute(&self.pool)
        .await?;
        self.support_session(id).await
    }

    /// Replaces the guest token of a session that is still open at `now`, with a new expiry.
    /// `false` when the session is not open (ended, expired, or unknown).
    pub async fn replace_guest_token(
        &self,
        id: Uuid,
        digest: &TokenDigest,
        now: i64,
        expires_at: i64,
    ) -> sqlx::Result<bool> {
        let done = sqlx::query(
            "UPDATE support_sessions SET token_hash = $2, expires_at = $4 \
             WHERE id = $1 AND ended_at IS NULL AND expires_at > $3",
        )
        .bind(id.to_string())
        .bind(digest.as_str())
        .bind(now)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records the first time a guest joined.
    pub async fn mark_session_joined(&self, id: &str, now: i64) -> sqlx::Result<()> {
        sqlx::query(
            "UPDATE support_sessions SET joined_at = $2 WHERE id = $1 AND joined_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Stores a message unless one with the same `(conversation_id, client_id)` exists, in one
    /// transaction: the conversation's `last_seq` is bumped first (taking the write lock, so
    /// concurrent senders queue instead of failing), then the key is checked; a repeat rolls the
    /// bump back. Also touches `last_message_at` and un-archives. Returns the stored message and
    /// whether it is new; `None` when the conversation does not exist.
    pub async fn insert_message(
        &self,
        new: &NewMessageRow,
    ) -> sqlx::Result<Option<(MessageRow, bool)>> {
        let mut tx = self.pool.begin().await?;
        let seq: Option<i64> = sqlx::query_scalar(
            "UPDATE conversations SET last_seq = last_seq + 1, last_message_at = $2, \
             archived_at = NULL WHERE id = $1 RETURNING last_seq",
        )
        .bind(&new.conversation_id)
        .bind(new.created_at)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(seq) = seq else {
            return Ok(None);
        };
        let existing: Option<MessageRow> = sqlx::query_as(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND client_id = $2"
        ))
        .bind(&new.conversation_id)
        .bind(&new.client_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(existing) = existing {
            tx.rollback().await?;
            return Ok(Some((existing, false)));
        }
        let row = MessageRow {
            id: new.id.clone(),
            conversation_id: new.conversation_id.clone(),
            seq,
            sender_kind: new.sender_kind.to_owned(),
            sender_id: new.sender_id.clone(),
            sender_name: new.sender_name.clone(),
            content: new.content.clone(),
            client_id: new.client_id.clone(),
            created_at: new.created_at,
            read_at: None,
        };
        sqlx::query(&format!(
            "INSERT INTO messages ({MESSAGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
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
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some((row, true)))
    }

    /// Messages with seq greater than `after_seq`, ascending, at most `limit`.
    pub async fn messages_after(
        &self,
        conversation_id: &str,
        after_seq: i64,
        limit: i64,
    ) -> sqlx::Result<Vec<MessageRow>> {
        sqlx::query_as(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND seq > $2 \
             ORDER BY seq LIMIT $3"
        ))
        .bind(conversation_id)
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    /// The highest seq of a conversation; `None` when it does not exist.
    pub async fn last_seq(&self, conversation_id: &str) -> sqlx::Result<Option<i64>> {
        sqlx::query_scalar("SELECT last_seq FROM conversations WHERE id = $1")
            .bind(conversation_id)
            .fetch_optional(&self.pool)
            .await
    }

    /// Marks read, at `now`, the unread messages up to `up_to_seq` whose sender kind is one of
    /// `senders` (the other side's). Returns how many changed.
    pub async fn mark_read(
        &self,
        conversation_id: &str,
        senders: &[&str],
        up_to_seq: i64,
        now: i64,
    ) -> sqlx::Result<u64> {
        let placeholders: Vec<String> = (0..senders.len()).map(|i| format!("${}", i + 4)).collect();
        let sql = format!(
            "UPDATE messages SET read_at = $3 WHERE conversation_id = $1 AND seq <= $2 \
             AND read_at IS NULL AND sender_kind IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql)
            .bind(conversation_id)
            .bind(up_to_seq)
            .bind(now);
        for kind in senders {
            query = query.bind(*kind);
        }
        Ok(query.execute(&self.pool).await?.rows_affected())
    }

    /// Unread messages from guests, per session id, for the open or ended list.
    pub async fn unread_from_guests(
        &self,
        session_ids: &[String],
    ) -> sqlx::Result<Vec<(String, i64)>> {
        if session_ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=session_ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT s.id, COUNT(m.id) FROM support_sessions s \
             JOIN messages m ON m.conversation_id = s.conversation_id \
             WHERE s.id IN ({}) AND m.sender_kind = 'guest' AND m.read_at IS NULL GROUP BY s.id",
            placeholders.join(", ")
        );
        let mut query = sqlx::query_as(&sql);
        for id in session_ids {
            query = query.bind(id);
        }
        query.fetch_all(&self.pool).await
    }

    /// The session that owns a conversation.
    pub async fn session_by_conversation(
        &self,
        conversation_id: &str,
    ) -> sqlx::Result<Option<SessionRow>> {
        sqlx::query_as(&format!(
            "SELECT {SESSION_COLUMNS} FROM support_sessions WHERE conversation_id = $1"
        ))
        .bind(conversation_id)
        .fetch_optional(&self.pool)
        .await
    }
}

fn is_memory(file: &Path) -> bool {
    file.as_os_str() == ":memory:" || file.as_os_str().is_empty()
}
