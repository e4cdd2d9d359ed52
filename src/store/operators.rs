//! Operators, their signed-in browsers and devices, and the sign-in failures the limiter
//! counts.

use super::rows::{prefixed, NewSignIn, OperatorRow, SignInListRow, SignInRow, OPERATOR_COLUMNS};
use super::{on_db, placeholders, Db};
use crate::auth::TokenDigest;

impl Db<'_> {
    /// How many operators exist.
    pub async fn operator_count(self) -> sqlx::Result<i64> {
        on_db!(self, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM operators"
        )
        .fetch_one(c)
        .await)
    }

    /// Inserts an operator; `false` when the email is taken (or, for an owner, when there is
    /// one already).
    pub async fn insert_operator(self, row: &OperatorRow) -> sqlx::Result<bool> {
        let sql = format!(
            "INSERT INTO operators ({OPERATOR_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING"
        );
        let done = on_db!(self, |c| sqlx::query(&sql)
            .bind(&row.id)
            .bind(&row.email)
            .bind(&row.name)
            .bind(&row.password_hash)
            .bind(row.created_at)
            .bind(&row.role)
            .bind(row.deactivated_at)
            .bind(row.last_seen_at)
            .execute(c)
            .await?
            .rows_affected());
        Ok(done == 1)
    }

    /// The operator with this (normalised) email.
    pub async fn operator_by_email(self, email: &str) -> sqlx::Result<Option<OperatorRow>> {
        let sql = format!("SELECT {OPERATOR_COLUMNS} FROM operators WHERE email = $1");
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(email)
            .fetch_optional(c)
            .await)
    }

    /// Forgets sign-in sessions that ran out by `now`.
    pub async fn delete_expired_operator_sessions(self, now: i64) -> sqlx::Result<u64> {
        let sql = "DELETE FROM operator_sessions WHERE expires_at <= $1";
        on_db!(self, |c| Ok(sqlx::query(sql)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()))
    }

    /// Records a signed-in browser: its public id, what browser it is and where from.
    pub async fn insert_operator_session(
        self,
        signin: &NewSignIn<'_>,
        now: i64,
        expires_at: i64,
    ) -> sqlx::Result<()> {
        let sql = "INSERT INTO operator_sessions (token_hash, operator_id, created_at, \
                   expires_at, last_seen_at, id, browser, address) \
                   VALUES ($1, $2, $3, $4, $3, $5, $6, $7)";
        on_db!(self, |c| sqlx::query(sql)
            .bind(signin.digest.as_str())
            .bind(signin.operator_id)
            .bind(now)
            .bind(expires_at)
            .bind(signin.id)
            .bind(signin.browser)
            .bind(signin.address)
            .execute(c)
            .await
            .map(drop))
    }

    /// An operator's sign-ins that have not expired by `now` nor been idle since
    /// `idle_since`, most recently used first.
    pub async fn operator_signins(
        self,
        operator_id: &str,
        now: i64,
        idle_since: i64,
    ) -> sqlx::Result<Vec<SignInListRow>> {
        let sql = "SELECT id, token_hash, browser, address, created_at, last_seen_at \
                   FROM operator_sessions WHERE operator_id = $1 AND expires_at > $2 \
                   AND last_seen_at > $3 ORDER BY last_seen_at DESC, created_at DESC";
        on_db!(self, |c| sqlx::query_as(sql)
            .bind(operator_id)
            .bind(now)
            .bind(idle_since)
            .fetch_all(c)
            .await)
    }

    /// Ends one of an operator's sign-ins by its public id; `false` when they have none such.
    pub async fn end_operator_signin(self, operator_id: &str, id: &str) -> sqlx::Result<bool> {
        let sql = "DELETE FROM operator_sessions WHERE operator_id = $1 AND id = $2";
        on_db!(self, |c| Ok(sqlx::query(sql)
            .bind(operator_id)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
            == 1))
    }

    /// The active operator signed in with this session, if it has neither expired by `now` nor
    /// been idle since `idle_since`, with when the session was last seen and when it expires.
    pub async fn operator_by_session(
        self,
        digest: &TokenDigest,
        now: i64,
        idle_since: i64,
    ) -> sqlx::Result<Option<SignInRow>> {
        let sql = format!(
            "SELECT {}, s.last_seen_at AS session_seen_at, s.expires_at AS session_expires_at \
             FROM operator_sessions s JOIN operators o ON o.id = s.operator_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 \
             AND o.deactivated_at IS NULL",
            prefixed("o", OPERATOR_COLUMNS)
        );
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(digest.as_str())
            .bind(now)
            .bind(idle_since)
            .fetch_optional(c)
            .await)
    }

    /// Notes that a session was used at `now`.
    pub async fn touch_operator_session(self, digest: &TokenDigest, now: i64) -> sqlx::Result<()> {
        let sql = "UPDATE operator_sessions SET last_seen_at = $2 WHERE token_hash = $1";
        on_db!(self, |c| sqlx::query(sql)
            .bind(digest.as_str())
            .bind(now)
            .execute(c)
            .await
            .map(drop))
    }

    /// Notes that an operator was seen at `now`.
    pub async fn touch_operator(self, operator_id: &str, now: i64) -> sqlx::Result<()> {
        let sql = "UPDATE operators SET last_seen_at = $2 WHERE id = $1";
        on_db!(self, |c| sqlx::query(sql)
            .bind(operator_id)
            .bind(now)
            .execute(c)
            .await
            .map(drop))
    }

    /// Signs a browser out.
    pub async fn delete_operator_session(self, digest: &TokenDigest) -> sqlx::Result<()> {
        let sql = "DELETE FROM operator_sessions WHERE token_hash = $1";
        on_db!(self, |c| sqlx::query(sql)
            .bind(digest.as_str())
            .execute(c)
            .await
            .map(drop))
    }

    /// Records a browser that signed in to `operator_id`.
    pub async fn insert_operator_device(
        self,
        digest: &TokenDigest,
        operator_id: &str,
        now: i64,
    ) -> sqlx::Result<()> {
        let sql = "INSERT INTO operator_devices (token_hash, operator_id, created_at, \
                   last_used_at) VALUES ($1, $2, $3, $3)";
        on_db!(self, |c| sqlx::query(sql)
            .bind(digest.as_str())
            .bind(operator_id)
            .bind(now)
            .execute(c)
            .await
            .map(drop))
    }

    /// The email of the operator a device cookie was issued to.
    pub async fn operator_device_email(self, digest: &TokenDigest) -> sqlx::Result<Option<String>> {
        let sql = "SELECT o.email FROM operator_devices d \
                   JOIN operators o ON o.id = d.operator_id WHERE d.token_hash = $1";
        on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(digest.as_str())
            .fetch_optional(c)
            .await)
    }

    /// Notes that a device cookie was used to sign in at `now`.
    pub async fn touch_operator_device(self, digest: &TokenDigest, now: i64) -> sqlx::Result<()> {
        let sql = "UPDATE operator_devices SET last_used_at = $2 WHERE token_hash = $1";
        on_db!(self, |c| sqlx::query(sql)
            .bind(digest.as_str())
            .bind(now)
            .execute(c)
            .await
            .map(drop))
    }

    /// Inside a transaction, holds a lock per key until it ends, so that transactions on the
    /// same keys run one after another: PostgreSQL advisory locks (taken in key order, so two
    /// transactions cannot deadlock). SQLite needs none: a writing transaction holds the
    /// database's one write lock.
    pub async fn lock_keys(self, keys: &[String]) -> sqlx::Result<()> {
        let mut sorted: Vec<&String> = keys.iter().collect();
        sorted.sort();
        match self {
            Db::PostgresConn(conn) => {
                for key in sorted {
                    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                        .bind(key)
                        .execute(&mut *conn)
                        .await?;
                }
                Ok(())
            }
            Db::PostgresPool(_) => Err(sqlx::Error::Protocol(
                "key locks are held by a transaction; call lock_keys inside one".into(),
            )),
            Db::SqlitePool(_) | Db::SqliteConn(_) => Ok(()),
        }
    }

    /// Counts one sign-in attempt, `attempt`, at `now` against every key in `keys`.
    pub async fn insert_login_attempt(
        self,
        attempt: &str,
        keys: &[String],
        now: i64,
    ) -> sqlx::Result<()> {
        let rows: Vec<String> = (0..keys.len())
            .map(|i| format!("($1, ${}, $2)", i + 3))
            .collect();
        let sql = format!(
            "INSERT INTO login_failures (attempt, key, at) VALUES {}",
            rows.join(", ")
        );
        on_db!(self, |c| {
            let mut query = sqlx::query(&sql).bind(attempt).bind(now);
            for key in keys {
                query = query.bind(key);
            }
            query.execute(c).await.map(drop)
        })
    }

    /// Per key of `keys`: how many attempts it has after `since`, and when the oldest of them
    /// was. Keys without any are left out.
    pub async fn login_attempts_since(
        self,
        keys: &[String],
        since: i64,
    ) -> sqlx::Result<Vec<(String, i64, i64)>> {
        let sql = format!(
            "SELECT key, COUNT(*), MIN(at) FROM login_failures \
             WHERE at > $1 AND key IN ({}) GROUP BY key",
            placeholders(2, keys.len())
        );
        on_db!(self, |c| {
            let mut query = sqlx::query_as(&sql).bind(since);
            for key in keys {
                query = query.bind(key);
            }
            query.fetch_all(c).await
        })
    }

    /// Takes one attempt back from every key it counted against.
    pub async fn delete_login_attempt(self, attempt: &str) -> sqlx::Result<()> {
        let sql = "DELETE FROM login_failures WHERE attempt = $1";
        on_db!(self, |c| sqlx::query(sql)
            .bind(attempt)
            .execute(c)
            .await
            .map(drop))
    }

    /// Forgets every attempt counted against `key`.
    pub async fn delete_login_attempts_of(self, key: &str) -> sqlx::Result<()> {
        let sql = "DELETE FROM login_failures WHERE key = $1";
        on_db!(self, |c| sqlx::query(sql)
            .bind(key)
            .execute(c)
            .await
            .map(drop))
    }

    /// Forgets attempts made at or before `before`: they no longer count.
    pub async fn delete_login_attempts_before(self, before: i64) -> sqlx::Result<u64> {
        let sql = "DELETE FROM login_failures WHERE at <= $1";
        on_db!(self, |c| Ok(sqlx::query(sql)
            .bind(before)
            .execute(c)
            .await?
            .rows_affected()))
    }
}
