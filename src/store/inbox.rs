//! The operators' inbox: list items, archive and restore, views, notes, unread counts.

use super::rows::{ItemRow, NoteRow};
use super::{on_db, placeholders, Db};
use crate::domain::{InboxQuery, InboxStatus};
use crate::wire::SenderKind;
use uuid::Uuid;

/// The select list of an inbox item. `$1`, `$2` are the sender kinds operators read.
const ITEM_SELECT: &str = "SELECT c.id, c.kind, c.last_message_at, c.last_seq, c.archived_at, \
     SUBSTR(lm.content, 1, 101) AS preview, lm.sender_kind AS last_sender, \
     EXISTS (SELECT 1 FROM messages u WHERE u.conversation_id = c.id AND u.read_at IS NULL \
             AND u.sender_kind IN ($1, $2)) AS unread, \
     cu.id AS customer_id, cu.external_id AS customer_external_id, cu.email AS customer_email, \
     cu.email_verified AS customer_email_verified, cu.name AS customer_name, cu.created_at AS customer_created_at, \
     cu.number AS customer_number \
     FROM conversations c \
     LEFT JOIN messages lm ON lm.conversation_id = c.id AND lm.seq = c.last_seq \
     LEFT JOIN customers cu ON cu.id = c.customer_id";

/// The two kinds operators read, as stored.
fn operators_read() -> [&'static str; 2] {
    match SenderKind::Operator.read_senders() {
        [a, b] => [a.as_str(), b.as_str()],
        _ => unreachable!("operators read guests and customers"),
    }
}

impl Db<'_> {
    /// One page of the inbox, newest activity first. Conversations without any message yet
    /// are not listed.
    pub async fn inbox_page(self, query: &InboxQuery) -> sqlx::Result<Vec<ItemRow>> {
        let archived = match query.status {
            InboxStatus::Active => "c.archived_at IS NULL",
            InboxStatus::Archived => "c.archived_at IS NOT NULL",
        };
        let before = if query.before.is_some() {
            "AND c.last_message_at < $5"
        } else {
            "AND $5 IS NULL"
        };
        let sql = format!(
            "{ITEM_SELECT} WHERE c.kind = $3 AND {archived} AND c.last_message_at IS NOT NULL \
             {before} ORDER BY c.last_message_at DESC, c.id DESC LIMIT $4"
        );
        let [a, b] = operators_read();
        let before = query.before.map(super::to_millis);
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(a)
            .bind(b)
            .bind(query.kind.as_str())
            .bind(query.limit)
            .bind(before)
            .fetch_all(c)
            .await)
    }

    /// One conversation's list item.
    pub async fn inbox_item(self, conversation_id: Uuid) -> sqlx::Result<Option<ItemRow>> {
        let sql = format!("{ITEM_SELECT} WHERE c.id = $3");
        let [a, b] = operators_read();
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(a)
            .bind(b)
            .bind(conversation_id.to_string())
            .fetch_optional(c)
            .await)
    }

    /// Archives a conversation at `now` (an archived one keeps its first time). `false` when
    /// it does not exist.
    pub async fn archive_conversation(self, conversation_id: Uuid, now: i64) -> sqlx::Result<bool> {
        let sql = "UPDATE conversations SET archived_at = COALESCE(archived_at, $2) WHERE id = $1";
        on_db!(self, |c| Ok(sqlx::query(sql)
            .bind(conversation_id.to_string())
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()
            == 1))
    }

    /// Brings a conversation back to the active list. `false` when it does not exist.
    pub async fn unarchive_conversation(self, conversation_id: Uuid) -> sqlx::Result<bool> {
        let sql = "UPDATE conversations SET archived_at = NULL WHERE id = $1";
        on_db!(self, |c| Ok(sqlx::query(sql)
            .bind(conversation_id.to_string())
            .execute(c)
            .await?
            .rows_affected()
            == 1))
    }

    /// Brings an archived conversation back; `true` only when it was archived.
    pub async fn reopen_if_archived(self, conversation_id: Uuid) -> sqlx::Result<bool> {
        let sql = "UPDATE conversations SET archived_at = NULL \
                   WHERE id = $1 AND archived_at IS NOT NULL";
        on_db!(self, |c| Ok(sqlx::query(sql)
            .bind(conversation_id.to_string())
            .execute(c)
            .await?
            .rows_affected()
            == 1))
    }

    /// Notes that operators viewed the conversation at `now`; its highest seq at that moment,
    /// or `None` when it does not exist.
    pub async fn mark_operator_viewed(
        self,
        conversation_id: Uuid,
        now: i64,
    ) -> sqlx::Result<Option<i64>> {
        let sql = "UPDATE conversations SET operator_viewed_at = $2 WHERE id = $1 \
                   RETURNING last_seq";
        on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(conversation_id.to_string())
            .bind(now)
            .fetch_optional(c)
            .await)
    }

    /// Adds a note to a conversation.
    pub async fn insert_note(
        self,
        id: &str,
        conversation_id: Uuid,
        kind: &str,
        at_seq: i64,
        now: i64,
    ) -> sqlx::Result<()> {
        let sql = "INSERT INTO conversation_notes (id, conversation_id, kind, at_seq, created_at) \
                   VALUES ($1, $2, $3, $4, $5)";
        on_db!(self, |c| sqlx::query(sql)
            .bind(id)
            .bind(conversation_id.to_string())
            .bind(kind)
            .bind(at_seq)
            .bind(now)
            .execute(c)
            .await
            .map(drop))
    }

    /// A conversation's notes from `from_seq` on, oldest first.
    pub async fn notes(self, conversation_id: Uuid, from_seq: i64) -> sqlx::Result<Vec<NoteRow>> {
        let sql = "SELECT kind, at_seq, created_at FROM conversation_notes \
                   WHERE conversation_id = $1 AND at_seq >= $2 ORDER BY at_seq, created_at";
        on_db!(self, |c| sqlx::query_as(sql)
            .bind(conversation_id.to_string())
            .bind(from_seq)
            .fetch_all(c)
            .await)
    }

    /// How many conversations of `kind` hold messages of one of `senders` that are unread.
    pub async fn conversations_with_unread(
        self,
        kind: &str,
        senders: &[SenderKind],
    ) -> sqlx::Result<i64> {
        let sql = format!(
            "SELECT COUNT(DISTINCT m.conversation_id) FROM messages m \
             JOIN conversations c ON c.id = m.conversation_id \
             WHERE m.read_at IS NULL AND m.sender_kind IN ({}) AND c.kind = $1",
            placeholders(2, senders.len())
        );
        on_db!(self, |c| {
            let mut query = sqlx::query_scalar(&sql).bind(kind);
            for sender in senders {
                query = query.bind(sender.as_str());
            }
            query.fetch_one(c).await
        })
    }

    /// How many messages of one of `senders` in a conversation are unread.
    pub async fn unread_in_conversation(
        self,
        conversation_id: Uuid,
        senders: &[SenderKind],
    ) -> sqlx::Result<i64> {
        let sql = format!(
            "SELECT COUNT(*) FROM messages WHERE conversation_id = $1 AND read_at IS NULL \
             AND sender_kind IN ({})",
            placeholders(2, senders.len())
        );
        on_db!(self, |c| {
            let mut query = sqlx::query_scalar(&sql).bind(conversation_id.to_string());
            for sender in senders {
                query = query.bind(sender.as_str());
            }
            query.fetch_one(c).await
        })
    }
}
