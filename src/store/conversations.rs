//! Conversations and their messages: the gap-free `seq`, idempotent posts, read marks.

use uuid::Uuid;

use super::guard::Refusal;
use super::rows::{MessageRow, NewMessageRow, MESSAGE_COLUMNS};
use super::{on_db, placeholders, Db, Tx};
use crate::wire::SenderKind;

/// What storing a message did.
#[derive(Debug, Clone)]
pub enum Inserted {
    /// Stored now, with the next seq.
    New(MessageRow),
    /// A message with the same `(conversation_id, client_id)` was already stored; nothing
    /// changed.
    Existing(MessageRow),
    /// The conversation does not exist.
    NoConversation,
    /// Its session's guard refused it; nothing was written.
    Refused(Refusal),
}

impl Db<'_> {
    /// Takes the conversation's next seq and notes the activity at `at` (archiving is left
    /// alone: whether a message reopens is the use case's rule), unless a message with
    /// `client_id` is already stored there. The row lock (PostgreSQL) or write lock (SQLite)
    /// this takes makes concurrent senders queue, so seqs stay gap-free and unique. `None`
    /// when the conversation is missing or the key is taken.
    pub async fn take_next_seq(
        self,
        conversation_id: &str,
        client_id: &str,
        at: i64,
    ) -> sqlx::Result<Option<i64>> {
        let sql = "UPDATE conversations SET last_seq = last_seq + 1, last_message_at = $3 \
                   WHERE id = $1 AND NOT EXISTS \
                   (SELECT 1 FROM messages WHERE conversation_id = $1 AND client_id = $2) \
                   RETURNING last_seq";
        on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(conversation_id)
            .bind(client_id)
            .bind(at)
            .fetch_optional(c)
            .await)
    }

    /// The message a conversation stored under `client_id`.
    pub async fn message_by_client_id(
        self,
        conversation_id: &str,
        client_id: &str,
    ) -> sqlx::Result<Option<MessageRow>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND client_id = $2"
        );
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(conversation_id)
            .bind(client_id)
            .fetch_optional(c)
            .await)
    }

    /// Messages with seq greater than `after_seq`, ascending, at most `limit`; private notes
    /// only when `notes`.
    pub async fn messages_after(
        self,
        conversation_id: Uuid,
        after_seq: i64,
        limit: i64,
        notes: bool,
    ) -> sqlx::Result<Vec<MessageRow>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND seq > $2 \
             AND ($4 OR NOT internal) ORDER BY seq LIMIT $3"
        );
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(conversation_id.to_string())
            .bind(after_seq)
            .bind(limit)
            .bind(notes)
            .fetch_all(c)
            .await)
    }

    /// The messages after `after_seq` and before `before_seq` that someone other than the
    /// given sender wrote: what the collision guard refuses a send for.
    pub async fn messages_from_others(
        self,
        conversation_id: &str,
        after_seq: i64,
        before_seq: i64,
        sender_kind: &str,
        sender_id: Option<&str>,
    ) -> sqlx::Result<Vec<MessageRow>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND seq > $2 \
             AND seq < $3 AND NOT (sender_kind = $4 AND sender_id IS NOT NULL \
             AND sender_id = $5) ORDER BY seq"
        );
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(conversation_id)
            .bind(after_seq)
            .bind(before_seq)
            .bind(sender_kind)
            .bind(sender_id)
            .fetch_all(c)
            .await)
    }

    /// The highest seq of a message that is not a private note (0 when there is none): where
    /// guests and customers stand.
    pub async fn last_public_seq(self, conversation_id: Uuid) -> sqlx::Result<i64> {
        let sql = "SELECT COALESCE(MAX(seq), 0) FROM messages \
                   WHERE conversation_id = $1 AND NOT internal";
        on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(conversation_id.to_string())
            .fetch_one(c)
            .await)
    }

    /// The latest `limit` messages, ascending.
    pub async fn latest_messages(
        self,
        conversation_id: Uuid,
        limit: i64,
    ) -> sqlx::Result<Vec<MessageRow>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 \
             ORDER BY seq DESC LIMIT $2"
        );
        let mut rows: Vec<MessageRow> = on_db!(self, |c| sqlx::query_as(&sql)
            .bind(conversation_id.to_string())
            .bind(limit)
            .fetch_all(c)
            .await)?;
        rows.reverse();
        Ok(rows)
    }

    /// The highest seq of a conversation; `None` when it does not exist.
    pub async fn last_seq(self, conversation_id: Uuid) -> sqlx::Result<Option<i64>> {
        let sql = "SELECT last_seq FROM conversations WHERE id = $1";
        on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(conversation_id.to_string())
            .fetch_optional(c)
            .await)
    }

    /// Marks read, at `now`, the unread messages up to `up_to_seq` whose sender kind is one of
    /// `senders` (never a private note: nobody has those unread). Returns how many changed.
    pub async fn mark_read(
        self,
        conversation_id: Uuid,
        senders: &[SenderKind],
        up_to_seq: i64,
        now: i64,
    ) -> sqlx::Result<u64> {
        if senders.is_empty() {
            return Ok(0);
        }
        let sql = format!(
            "UPDATE messages SET read_at = $3 WHERE conversation_id = $1 AND seq <= $2 \
             AND read_at IS NULL AND NOT internal AND sender_kind IN ({})",
            placeholders(4, senders.len())
        );
        on_db!(self, |c| {
            let mut query = sqlx::query(&sql)
                .bind(conversation_id.to_string())
                .bind(up_to_seq)
                .bind(now);
            for kind in senders {
                query = query.bind(kind.as_str());
            }
            Ok(query.execute(c).await?.rows_affected())
        })
    }
}

impl Db<'_> {
    /// Sends a PostgreSQL NOTIFY; inside a transaction it is delivered when the transaction
    /// commits, and not at all if it rolls back. Nothing on SQLite (one node, no listeners).
    pub async fn notify(self, channel: &str, payload: &str) -> sqlx::Result<()> {
        self.notify_all(&[(channel, payload)]).await
    }

    /// Sends each `(channel, payload)` as [`Db::notify`] does, in order, in one statement.
    pub async fn notify_all(self, notifications: &[(&str, &str)]) -> sqlx::Result<()> {
        if notifications.is_empty() {
            return Ok(());
        }
        let (channels, payloads): (Vec<&str>, Vec<&str>) = notifications.iter().copied().unzip();
        let notify = sqlx::query(
            "SELECT pg_notify(channel, payload) \
             FROM UNNEST($1::text[], $2::text[]) WITH ORDINALITY AS n(channel, payload, at) \
             ORDER BY at",
        )
        .bind(channels)
        .bind(payloads);
        match self {
            Db::PostgresConn(conn) => notify.execute(conn).await.map(drop),
            Db::PostgresPool(pool) => notify.execute(pool).await.map(drop),
            Db::SqliteConn(_) | Db::SqlitePool(_) => Ok(()),
        }
    }
}

impl Tx {
    /// Stores a message with the conversation's next seq, unless one with the same
    /// `(conversation_id, client_id)` exists. Also notes the activity. On
    /// [`Inserted::Existing`] nothing was written.
    pub async fn insert_message(&mut self, new: &NewMessageRow) -> sqlx::Result<Inserted> {
        let seq = self
            .db()
            .take_next_seq(&new.conversation_id, &new.client_id, new.created_at)
            .await?;
        let Some(seq) = seq else {
            return Ok(
                match self
                    .db()
                    .message_by_client_id(&new.conversation_id, &new.client_id)
                    .await?
                {
                    Some(existing) => Inserted::Existing(existing),
                    None => Inserted::NoConversation,
                },
            );
        };
        let row = new.stored(seq);
        self.insert_message_rows(std::slice::from_ref(&row)).await?;
        Ok(Inserted::New(row))
    }
}
