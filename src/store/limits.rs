//! Request counts per key and per fixed window, for limits held across nodes.

use super::{on_db, Db, Store};

/// Counts one hit for `$1` in the window starting at `$2`, answering the window's hits, after
/// selecting `$unflushed`. The statement is its own transaction.
macro_rules! hit_rate_window {
    ($unflushed:literal) => {
        concat!(
            "INSERT INTO rate_windows (key, window_start, hits) \
             SELECT $1, $2, 1 FROM (SELECT ",
            $unflushed,
            ") AS unflushed WHERE true \
             ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_windows.hits + 1 \
             RETURNING hits"
        )
    };
}

/// On PostgreSQL, `synchronous_commit` is turned off until the statement's transaction ends,
/// so its commit does not wait for the WAL flush (a setting local to a transaction still
/// holds when it commits).
const HIT_RATE_WINDOW_POSTGRES: &str =
    hit_rate_window!("set_config('synchronous_commit', 'off', true)");
const HIT_RATE_WINDOW_SQLITE: &str = hit_rate_window!("1");

impl Store {
    /// Counts one hit for `key` in the window starting at `window_start` (milliseconds); the
    /// window's hits, this one included.
    ///
    /// On PostgreSQL the count commits without waiting for its WAL to reach the disk: every
    /// message and customer request counts here, and waiting for a flush each time added
    /// milliseconds to each of them. A crash may forget the last hits of a window, which only
    /// lets a few more in. It is one statement, one round trip: as a transaction of its own
    /// (begin, setting, insert, commit) it was four, on every message.
    pub async fn hit_rate_window(&self, key: &str, window_start: i64) -> sqlx::Result<i64> {
        let sql = if self.postgres().is_some() {
            HIT_RATE_WINDOW_POSTGRES
        } else {
            HIT_RATE_WINDOW_SQLITE
        };
        on_db!(self.db(), |c| sqlx::query_scalar(sql)
            .bind(key)
            .bind(window_start)
            .fetch_one(c)
            .await)
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
