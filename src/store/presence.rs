//! Operator presence: each node's count of live operator sockets, and whether any node that
//! reported lately has one.

use super::{on_db, Db};

impl Db<'_> {
    /// Records that node `node_id` has `sockets` live operator sockets at `now`.
    pub async fn report_presence(self, node_id: &str, sockets: i64, now: i64) -> sqlx::Result<()> {
        let sql = "INSERT INTO operator_presence (node_id, sockets, seen_at) VALUES ($1, $2, $3) \
                   ON CONFLICT (node_id) DO UPDATE SET sockets = excluded.sockets, \
                   seen_at = excluded.seen_at";
        on_db!(self, |c| sqlx::query(sql)
            .bind(node_id)
            .bind(sockets)
            .bind(now)
            .execute(c)
            .await
            .map(drop))
    }

    /// How many operator sockets nodes reported since `since`.
    pub async fn operator_sockets_since(self, since: i64) -> sqlx::Result<i64> {
        let sql = "SELECT CAST(COALESCE(SUM(sockets), 0) AS BIGINT) FROM operator_presence \
                   WHERE seen_at >= $1";
        on_db!(self, |c| sqlx::query_scalar::<_, i64>(sql)
            .bind(since)
            .fetch_one(c)
            .await)
    }
}
