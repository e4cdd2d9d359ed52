//! The audit log: appended to, read newest first, never changed (the database refuses updates
//! and deletes).

use super::rows::AuditRow;
use super::{on_db, Db};

const AUDIT_COLUMNS: &str = "id, at, action, actor_id, actor_name, target_kind, target_id, \
                             target_label, address, detail";

/// Which entries to read.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter<'a> {
    /// Only this action.
    pub action: Option<&'a str>,
    /// Only this actor's.
    pub actor_id: Option<&'a str>,
    /// At or after (ms).
    pub from: Option<i64>,
    /// Before (ms).
    pub to: Option<i64>,
    /// Only entries older than this one.
    pub before: Option<&'a str>,
    /// At most this many.
    pub limit: i64,
}

impl Db<'_> {
    /// Appends an entry.
    pub async fn insert_audit(self, row: &AuditRow) -> sqlx::Result<()> {
        let sql = format!(
            "INSERT INTO audit_log ({AUDIT_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        );
        on_db!(self, |c| sqlx::query(&sql)
            .bind(&row.id)
            .bind(row.at)
            .bind(&row.action)
            .bind(&row.actor_id)
            .bind(&row.actor_name)
            .bind(&row.target_kind)
            .bind(&row.target_id)
            .bind(&row.target_label)
            .bind(&row.address)
            .bind(&row.detail)
            .execute(c)
            .await
            .map(drop))
    }

    /// Whether an entry with this id exists.
    pub async fn audit_entry_exists(self, id: &str) -> sqlx::Result<bool> {
        let sql = "SELECT COUNT(*) FROM audit_log WHERE id = $1";
        let n: i64 = on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(id)
            .fetch_one(c)
            .await)?;
        Ok(n > 0)
    }

    /// Entries matching `filter`, newest first.
    pub async fn audit_entries(self, filter: &AuditFilter<'_>) -> sqlx::Result<Vec<AuditRow>> {
        let sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log \
             WHERE ($1 IS NULL OR action = $1) AND ($2 IS NULL OR actor_id = $2) \
             AND ($3 IS NULL OR at >= $3) AND ($4 IS NULL OR at < $4) \
             AND ($5 IS NULL OR at < (SELECT b.at FROM audit_log b WHERE b.id = $5) \
                  OR (at = (SELECT b.at FROM audit_log b WHERE b.id = $5) AND id < $5)) \
             ORDER BY at DESC, id DESC LIMIT $6"
        );
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(filter.action)
            .bind(filter.actor_id)
            .bind(filter.from)
            .bind(filter.to)
            .bind(filter.before)
            .bind(filter.limit)
            .fetch_all(c)
            .await)
    }
}
