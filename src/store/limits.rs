//! Request counts per key and per fixed window, for limits held across nodes.

use super::{on_db, Db, Store, Tx};

/// Counts one hit for `$1` in the window starting at `$2`, answering the window's hits.
const HIT_RATE_WINDOW: &str = "INSERT INTO rate_windows (key, window_start, hits) \
     VALUES ($1, $2, 1) \
     ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_windows.hits + 1 \
     RETURNING hits";

impl Store {
    /// Counts one hit for `key` in the window starting at `window_start` (milliseconds); the
    /// window's hits, this one included.
    ///
    /// On PostgreSQL the count commits without waiting for its WAL to reach the disk
    /// (`synchronous_commit = off` for this transaction alone): every message and customer
    /// request counts here, and waiting for a flush each time added milliseconds to each of
    /// them. A crash may forget the last hits of a window, which only lets a few more in.
    pub async fn hit_rate_window(&self, key: &str, window_start: i64) -> sqlx::Result<i64> {
        let mut tx = self.begin().await?;
        if let Tx::Postgres(conn) = &mut tx {
            sqlx::query("SET LOCAL synchronous_commit = off")
                .execute(&mut **conn)
                .await?;
        }
        let hits = on_db!(tx.db(), |c| sqlx::query_scalar(HIT_RATE_WINDOW)
            .bind(key)
            .bind(window_start)
            .fetch_one(c)
            .await)?;
        tx.commit().await?;
        Ok(hits)
    }
}

impl Db<'_> {
    /// Forgets windows that started before `before`.
    pub async fn delete_rate_windows_before(self, before: i64) -> sqlx::Result<u64> {
        let sql = "DELETE FROM rate_windows WHERE window_start < $1";
        on_db!(self, |c| Ok(sqlx::query(sql)
            .bind(before)
            .execute(c)
            .await?
            .rows_affected()))
    }
}
