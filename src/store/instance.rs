//! The values an installation generates once and keeps (its widget secret, its email link key).

use super::{on_db, Db};

impl Db<'_> {
    /// A value stored under `key`.
    pub async fn instance_setting(self, key: &str) -> sqlx::Result<Option<String>> {
        let sql = "SELECT value FROM instance_settings WHERE key = $1";
        on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(key)
            .fetch_optional(c)
            .await)
    }

    /// Stores `value` under `key` unless a value is there already (another node was first).
    pub async fn insert_instance_setting(self, key: &str, value: &str) -> sqlx::Result<()> {
        let sql = "INSERT INTO instance_settings (key, value) VALUES ($1, $2) \
                   ON CONFLICT (key) DO NOTHING";
        on_db!(self, |c| sqlx::query(sql)
            .bind(key)
            .bind(value)
            .execute(c)
            .await
            .map(drop))
    }

    /// Stores `value` under `key`, replacing what was there.
    pub async fn put_instance_setting(self, key: &str, value: &str) -> sqlx::Result<()> {
        let sql = "INSERT INTO instance_settings (key, value) VALUES ($1, $2) \
                   ON CONFLICT (key) DO UPDATE SET value = excluded.value";
        on_db!(self, |c| sqlx::query(sql)
            .bind(key)
            .bind(value)
            .execute(c)
            .await
            .map(drop))
    }
}
