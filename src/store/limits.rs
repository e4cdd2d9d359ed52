//! Request counts per key and per fixed window, for limits held across nodes.

use super::{on_db, Db};

impl Db<'_> {
    /// Counts one hit for `key` in the window starting at `window_start` (milliseconds); the
    /// window's hits, this one included.
    pub async fn hit_rate_window(self, key: &str, window_start: i64) -> sqlx::Result<i64> {
        let sql = "INSERT INTO rate_windows (key, window_start, hits) VALUES ($1, $2, 1) \
                   ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_windows.hits + 1 \
                   RETURNING hits";
        on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(key)
            .bind(window_start)
            .fetch_one(c)
            .await)
    }

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
