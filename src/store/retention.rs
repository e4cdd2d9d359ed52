//! Retention: conversations and support sessions without activity for too long, and deleting
//! them with everything they hold; the daily turn one node takes.

use sqlx::FromRow;

use super::{on_db, Db, Emptied, Tx};

/// A conversation old enough for retention to delete.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct StaleConversation {
    /// Its id.
    pub id: String,
    /// `support` or `session`.
    pub kind: String,
    /// A support conversation's customer.
    pub customer_id: Option<String>,
    /// That customer's number.
    pub customer_number: Option<i64>,
    /// A session conversation's session.
    pub session_id: Option<String>,
}

/// The instance setting that holds when retention last ran (ms).
const LAST_RUN: &str = "retention_last_run";

impl Db<'_> {
    /// Conversations with nothing done in or to them since `before` (ms), oldest first, at most
    /// `limit`. Done means: created, a message, archived, an activity line; for a support
    /// conversation, its customer seen; for a session, created, joined, ended, or a link that
    /// still works.
    pub async fn stale_conversations(
        self,
        before: i64,
        limit: i64,
    ) -> sqlx::Result<Vec<StaleConversation>> {
        let sql = "SELECT c.id, c.kind, c.customer_id, cu.number AS customer_number, \
                   s.id AS session_id \
                   FROM conversations c \
                   LEFT JOIN customers cu ON cu.id = c.customer_id \
                   LEFT JOIN support_sessions s ON s.conversation_id = c.id \
                   WHERE c.created_at < $1 AND COALESCE(c.last_message_at, 0) < $1 \
                   AND COALESCE(c.archived_at, 0) < $1 \
                   AND NOT EXISTS (SELECT 1 FROM conversation_notes n \
                                   WHERE n.conversation_id = c.id AND n.created_at >= $1) \
                   AND (cu.id IS NULL OR COALESCE(cu.last_seen_at, cu.created_at) < $1) \
                   AND (s.id IS NULL OR (s.created_at < $1 AND s.expires_at < $1 \
                        AND COALESCE(s.joined_at, 0) < $1 AND COALESCE(s.ended_at, 0) < $1)) \
                   ORDER BY COALESCE(c.last_message_at, c.created_at), c.id LIMIT $2";
        on_db!(self, |c| sqlx::query_as(sql)
            .bind(before)
            .bind(limit)
            .fetch_all(c)
            .await)
    }

    /// Takes today's retention turn for this node: true when retention last ran before
    /// `due_before` (ms), or never, and it is now marked as run at `now`; false when another
    /// node took it first.
    pub async fn take_retention_turn(self, due_before: i64, now: i64) -> sqlx::Result<bool> {
        // One statement, so that two nodes cannot both see the turn free: the insert claims a
        // first run, the conditional update a later one.
        let sql = "INSERT INTO instance_settings (key, value) VALUES ($1, $2) \
                   ON CONFLICT (key) DO UPDATE SET value = excluded.value \
                   WHERE CAST(instance_settings.value AS BIGINT) < $3";
        on_db!(self, |c| Ok(sqlx::query(sql)
            .bind(LAST_RUN)
            .bind(now.to_string())
            .bind(due_before)
            .execute(c)
            .await?
            .rows_affected()
            == 1))
    }
}

impl Tx {
    /// Deletes a conversation with its messages, files, reply-email jobs, activity lines and
    /// session, and a support conversation's customer with their tokens and confirmations:
    /// what it held.
    pub async fn delete_conversation(
        &mut self,
        stale: &StaleConversation,
    ) -> sqlx::Result<Emptied> {
        let emptied = self.empty_conversation(&stale.id).await?;
        self.db()
            .run_for_id("DELETE FROM conversations WHERE id = $1", &stale.id)
            .await?;
        if let Some(customer) = &stale.customer_id {
            self.db()
                .run_for_id("DELETE FROM customers WHERE id = $1", customer)
                .await?;
        }
        Ok(emptied)
    }
}
