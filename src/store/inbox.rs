//! The operators' inbox: list items, archive and restore, views, notes, unread counts.

use super::rows::{ItemRow, NoteRow};
use super::{on_db, placeholders, Db};
use crate::domain::{AssigneeFilter, InboxQuery, InboxStatus};
use crate::wire::SenderKind;
use uuid::Uuid;

/// The select list of an inbox item. `$1`, `$2` are the sender kinds operators read.
const ITEM_SELECT: &str = "SELECT c.id, c.kind, c.last_message_at, c.last_seq, c.archived_at, \
     SUBSTR(lm.content, 1, 101) AS preview, lm.attachments AS last_attachments, \
     lm.sender_kind AS last_sender, \
     EXISTS (SELECT 1 FROM messages u WHERE u.conversation_id = c.id AND u.read_at IS NULL \
             AND u.sender_kind IN ($1, $2)) AS unread, \
     cu.id AS customer_id, cu.external_id AS customer_external_id, cu.email AS customer_email, \
     cu.email_verified AS customer_email_verified, cu.name AS customer_name, cu.created_at AS customer_created_at, \
     cu.number AS customer_number, cu.erased_at AS customer_erased_at, \
     lm.internal AS last_internal, \
     c.assignee_id, ao.name AS assignee_name \
     FROM conversations c \
     LEFT JOIN messages lm ON lm.conversation_id = c.id AND lm.seq = c.last_seq \
     LEFT JOIN customers cu ON cu.id = c.customer_id \
     LEFT JOIN operators ao ON ao.id = c.assignee_id";

/// Brings an archived conversation back (`$1`: its id); changes nothing when it is not archived.
pub(super) const REOPEN_IF_ARCHIVED: &str =
    "UPDATE conversations SET archived_at = NULL WHERE id = $1 AND archived_at IS NOT NULL";

/// Adds an activity line: `$1` id, `$2` conversation, `$3` kind, `$4` at seq, `$5` time, `$6`
/// by, `$7` to, `$8` detail.
pub(super) const INSERT_ACTIVITY: &str = "INSERT INTO conversation_notes \
     (id, conversation_id, kind, at_seq, created_at, by_id, to_id, detail) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// An activity line to store: what happened, before which seq, who did it, to whom, and a
/// labelling's label names (JSON).
#[derive(Debug, Clone, Copy)]
pub struct Activity<'a> {
    /// The kind, as stored.
    pub kind: &'a str,
    /// The seq it belongs before.
    pub at_seq: i64,
    /// Who did it (operator id).
    pub by: Option<&'a str>,
    /// To or from whom (operator id).
    pub to: Option<&'a str>,
    /// A labelling's label names, as JSON.
    pub detail: Option<&'a str>,
}

/// What narrows conversations `c` to `filter`'s assignee, and the value to bind at `$n` (the
/// statement binds it, NULL when the filter needs none, so its marks keep their numbers).
pub(super) fn assignee_filter(filter: AssigneeFilter, n: usize) -> (String, Option<String>) {
    match filter {
        AssigneeFilter::Anyone => (format!("AND ${n} IS NULL"), None),
        AssigneeFilter::Nobody => (format!("AND c.assignee_id IS NULL AND ${n} IS NULL"), None),
        AssigneeFilter::Operator(id) => (format!("AND c.assignee_id = ${n}"), Some(id.to_string())),
    }
}

/// What narrows conversations `c` to those with `label`, and the value to bind at `$n` (as
/// [`assignee_filter`]).
pub(super) fn label_filter(label: Option<Uuid>, n: usize) -> (String, Option<String>) {
    match label {
        None => (format!("AND ${n} IS NULL"), None),
        Some(id) => (
            format!(
                "AND EXISTS (SELECT 1 FROM conversation_labels cl \
                 WHERE cl.conversation_id = c.id AND cl.label_id = ${n})"
            ),
            Some(id.to_string()),
        ),
    }
}

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
        let (assignee, assignee_id) = assignee_filter(query.assignee, 6);
        let (label, label_id) = label_filter(query.label, 7);
        let sql = format!(
            "{ITEM_SELECT} WHERE c.kind = $3 AND {archived} AND c.last_message_at IS NOT NULL \
             {before} {assignee} {label} ORDER BY c.last_message_at DESC, c.id DESC LIMIT $4"
        );
        let [a, b] = operators_read();
        let before = query.before.map(super::to_millis);
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(a)
            .bind(b)
            .bind(query.kind.as_str())
            .bind(query.limit)
            .bind(before)
            .bind(&assignee_id)
            .bind(&label_id)
            .fetch_all(c)
            .await)
    }

    /// One conversation's list item.
    pub async fn inbox_item(self, conversation_id: Uuid) -> sqlx::Result<Option<ItemRow>> {
        Ok(self
            .inbox_items(&[conversation_id.to_string()])
            .await?
            .pop())
    }

    /// The list items of `conversation_ids` (those that exist), in no particular order.
    pub async fn inbox_items(self, conversation_ids: &[String]) -> sqlx::Result<Vec<ItemRow>> {
        if conversation_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "{ITEM_SELECT} WHERE c.id IN ({})",
            placeholders(3, conversation_ids.len())
        );
        let [a, b] = operators_read();
        on_db!(self, |c| {
            let mut query = sqlx::query_as(&sql).bind(a).bind(b);
            for id in conversation_ids {
                query = query.bind(id);
            }
            query.fetch_all(c).await
        })
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
        on_db!(self, |c| Ok(sqlx::query(REOPEN_IF_ARCHIVED)
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
        let activity = Activity {
            kind,
            at_seq,
            by: None,
            to: None,
            detail: None,
        };
        self.insert_activity(id, conversation_id, &activity, now)
            .await
    }

    /// Adds an activity line (a note with who did it) to a conversation.
    pub async fn insert_activity(
        self,
        id: &str,
        conversation_id: Uuid,
        activity: &Activity<'_>,
        now: i64,
    ) -> sqlx::Result<()> {
        on_db!(self, |c| sqlx::query(INSERT_ACTIVITY)
            .bind(id)
            .bind(conversation_id.to_string())
            .bind(activity.kind)
            .bind(activity.at_seq)
            .bind(now)
            .bind(activity.by)
            .bind(activity.to)
            .bind(activity.detail)
            .execute(c)
            .await
            .map(drop))
    }

    /// A conversation's notes from `from_seq` on, oldest first.
    pub async fn notes(self, conversation_id: Uuid, from_seq: i64) -> sqlx::Result<Vec<NoteRow>> {
        let sql = "SELECT n.kind, n.at_seq, n.created_at, n.by_id, bo.name AS by_name, \
                   n.to_id, tob.name AS to_name, n.detail FROM conversation_notes n \
                   LEFT JOIN operators bo ON bo.id = n.by_id \
                   LEFT JOIN operators tob ON tob.id = n.to_id \
                   WHERE n.conversation_id = $1 AND n.at_seq >= $2 \
                   ORDER BY n.at_seq, n.created_at";
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

    /// How many messages of one of `senders` in a customer's conversation are unread (none
    /// when they have no conversation yet).
    pub async fn unread_of_customer(
        self,
        customer_id: &str,
        senders: &[SenderKind],
    ) -> sqlx::Result<i64> {
        let sql = format!(
            "SELECT COUNT(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id \
             WHERE c.customer_id = $1 AND m.read_at IS NULL AND NOT m.internal \
             AND m.sender_kind IN ({})",
            placeholders(2, senders.len())
        );
        on_db!(self, |c| {
            let mut query = sqlx::query_scalar(&sql).bind(customer_id);
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
             AND NOT internal AND sender_kind IN ({})",
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
