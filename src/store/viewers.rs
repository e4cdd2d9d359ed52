//! Who has a conversation on screen: a row per operator socket and conversation, written by the
//! node holding the socket. Rows of a node that stopped reporting its presence do not count.

use super::{on_db, Db};

/// A viewer as stored, with the operator's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ViewerRow {
    /// The operator (UUID text).
    pub operator_id: String,
    /// Their name.
    pub name: String,
    /// Until when they count as typing (ms).
    pub typing_until: Option<i64>,
}

impl Db<'_> {
    /// Notes that a socket has a conversation on screen; `false` when it already had.
    pub async fn add_viewer(
        self,
        conversation_id: &str,
        connection_id: &str,
        operator_id: &str,
        node_id: &str,
        now: i64,
    ) -> sqlx::Result<bool> {
        let sql = "INSERT INTO conversation_viewers \
                   (conversation_id, connection_id, operator_id, node_id, since) \
                   VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING";
        on_db!(self, |c| Ok(sqlx::query(sql)
            .bind(conversation_id)
            .bind(connection_id)
            .bind(operator_id)
            .bind(node_id)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()
            == 1))
    }

    /// Takes a conversation off a socket's screen; `false` when it was not on it.
    pub async fn remove_viewer(
        self,
        conversation_id: &str,
        connection_id: &str,
    ) -> sqlx::Result<bool> {
        let sql = "DELETE FROM conversation_viewers \
                   WHERE conversation_id = $1 AND connection_id = $2";
        on_db!(self, |c| Ok(sqlx::query(sql)
            .bind(conversation_id)
            .bind(connection_id)
            .execute(c)
            .await?
            .rows_affected()
            == 1))
    }

    /// Takes every conversation off a closed socket's screen: the conversations it viewed.
    pub async fn remove_connection_views(self, connection_id: &str) -> sqlx::Result<Vec<String>> {
        let sql = "DELETE FROM conversation_viewers WHERE connection_id = $1 \
                   RETURNING conversation_id";
        on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(connection_id)
            .fetch_all(c)
            .await)
    }

    /// Sets until when a viewing socket counts as typing (`None`: it stopped).
    pub async fn set_viewer_typing(
        self,
        conversation_id: &str,
        connection_id: &str,
        until: Option<i64>,
    ) -> sqlx::Result<()> {
        let sql = "UPDATE conversation_viewers SET typing_until = $3 \
                   WHERE conversation_id = $1 AND connection_id = $2";
        on_db!(self, |c| sqlx::query(sql)
            .bind(conversation_id)
            .bind(connection_id)
            .bind(until)
            .execute(c)
            .await
            .map(drop))
    }

    /// Until when a socket counts as typing in a conversation, if it views it.
    pub async fn viewer_typing_until(
        self,
        conversation_id: &str,
        connection_id: &str,
    ) -> sqlx::Result<Option<Option<i64>>> {
        let sql = "SELECT typing_until FROM conversation_viewers \
                   WHERE conversation_id = $1 AND connection_id = $2";
        on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(conversation_id)
            .bind(connection_id)
            .fetch_optional(c)
            .await)
    }

    /// A conversation's viewers, first come first: rows newer than `fresh_since`, or of a node
    /// that reported its presence since then.
    pub async fn viewers(
        self,
        conversation_id: &str,
        fresh_since: i64,
    ) -> sqlx::Result<Vec<ViewerRow>> {
        let sql = "SELECT v.operator_id, o.name, v.typing_until FROM conversation_viewers v \
                   JOIN operators o ON o.id = v.operator_id \
                   WHERE v.conversation_id = $1 AND (v.since >= $2 OR EXISTS \
                   (SELECT 1 FROM operator_presence p WHERE p.node_id = v.node_id \
                    AND p.seen_at >= $2)) \
                   ORDER BY v.since, v.connection_id";
        on_db!(self, |c| sqlx::query_as(sql)
            .bind(conversation_id)
            .bind(fresh_since)
            .fetch_all(c)
            .await)
    }

    /// Deletes the rows of nodes that have not reported since `fresh_since` (they died), except
    /// rows newer than that: the conversations they were in.
    pub async fn sweep_viewers(self, fresh_since: i64) -> sqlx::Result<Vec<String>> {
        let sql = "DELETE FROM conversation_viewers WHERE since < $1 AND NOT EXISTS \
                   (SELECT 1 FROM operator_presence p \
                    WHERE p.node_id = conversation_viewers.node_id AND p.seen_at >= $1) \
                   RETURNING conversation_id";
        on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(fresh_since)
            .fetch_all(c)
            .await)
    }
}
