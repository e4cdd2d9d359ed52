//! The shared inbox's tables: assignees, labels and what they are on, canned replies.

use std::collections::HashMap;

use sqlx::FromRow;
use uuid::Uuid;

use super::rows::{from_millis, uuid_of, Corrupt};
use super::{on_db, placeholders, Db};
use crate::wire::{CannedReply, Label, OperatorRef};

/// A label as stored.
#[derive(Debug, Clone, FromRow)]
pub struct LabelRow {
    /// Id (UUID text).
    pub id: String,
    /// Name.
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
}

impl LabelRow {
    /// The label as the contract shows it.
    pub fn to_label(&self) -> Result<Label, Corrupt> {
        Ok(Label {
            id: uuid_of("label id", &self.id)?,
            name: self.name.clone(),
            color: self.color.clone(),
        })
    }
}

#[derive(Debug, Clone, FromRow)]
struct OnConversationRow {
    conversation_id: String,
    #[sqlx(flatten)]
    label: LabelRow,
}

/// A canned reply as stored, with its author's name.
#[derive(Debug, Clone, FromRow)]
pub struct CannedRow {
    /// Id (UUID text).
    pub id: String,
    /// Shortcut.
    pub shortcut: String,
    /// Title.
    pub title: String,
    /// Text.
    pub content: String,
    /// Author (operator id).
    pub created_by: String,
    /// Author's name.
    pub created_by_name: Option<String>,
    /// Last change (ms).
    pub updated_at: i64,
}

impl CannedRow {
    /// The canned reply as the contract shows it.
    pub fn to_reply(&self) -> Result<CannedReply, Corrupt> {
        Ok(CannedReply {
            id: uuid_of("canned reply id", &self.id)?,
            shortcut: self.shortcut.clone(),
            title: self.title.clone(),
            content: self.content.clone(),
            // Operators are deactivated, never deleted: the author's row is always there.
            created_by: OperatorRef {
                id: uuid_of("operator id", &self.created_by)?,
                name: self.created_by_name.clone().unwrap_or_default(),
            },
            updated_at: from_millis(self.updated_at),
        })
    }
}

const CANNED_SELECT: &str = "SELECT r.id, r.shortcut, r.title, r.content, r.created_by, \
     o.name AS created_by_name, r.updated_at FROM canned_replies r \
     LEFT JOIN operators o ON o.id = r.created_by";

impl Db<'_> {
    /// A conversation's assignee: `None` when the conversation does not exist.
    pub async fn assignee(self, conversation_id: Uuid) -> sqlx::Result<Option<Option<String>>> {
        let sql = "SELECT assignee_id FROM conversations WHERE id = $1";
        on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(conversation_id.to_string())
            .fetch_optional(c)
            .await)
    }

    /// Sets a conversation's assignee.
    pub async fn set_assignee(
        self,
        conversation_id: Uuid,
        operator_id: Option<&str>,
    ) -> sqlx::Result<()> {
        let sql = "UPDATE conversations SET assignee_id = $2 WHERE id = $1";
        on_db!(self, |c| sqlx::query(sql)
            .bind(conversation_id.to_string())
            .bind(operator_id)
            .execute(c)
            .await
            .map(drop))
    }

    /// Takes every conversation off an operator: the conversations they had.
    pub async fn unassign_operator(self, operator_id: &str) -> sqlx::Result<Vec<String>> {
        let sql = "UPDATE conversations SET assignee_id = NULL WHERE assignee_id = $1 \
                   RETURNING id";
        on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(operator_id)
            .fetch_all(c)
            .await)
    }

    /// Every label, by name.
    pub async fn labels(self) -> sqlx::Result<Vec<LabelRow>> {
        let sql = "SELECT id, name, color FROM labels ORDER BY lower(name), id";
        on_db!(self, |c| sqlx::query_as(sql).fetch_all(c).await)
    }

    /// The labels with these ids that exist.
    pub async fn labels_by_id(self, ids: &[String]) -> sqlx::Result<Vec<LabelRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT id, name, color FROM labels WHERE id IN ({}) ORDER BY lower(name), id",
            placeholders(1, ids.len())
        );
        on_db!(self, |c| {
            let mut query = sqlx::query_as(&sql);
            for id in ids {
                query = query.bind(id);
            }
            query.fetch_all(c).await
        })
    }

    /// Stores a new label; `false` when its name is taken (ignoring case).
    pub async fn insert_label(self, row: &LabelRow, now: i64) -> sqlx::Result<bool> {
        let sql = "INSERT INTO labels (id, name, color, created_at) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT DO NOTHING";
        on_db!(self, |c| Ok(sqlx::query(sql)
            .bind(&row.id)
            .bind(&row.name)
            .bind(&row.color)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()
            == 1))
    }

    /// Writes a label's name and colour (a taken name fails with a unique violation).
    pub async fn update_label(self, row: &LabelRow) -> sqlx::Result<bool> {
        let sql = "UPDATE labels SET name = $2, color = $3 WHERE id = $1";
        on_db!(self, |c| Ok(sqlx::query(sql)
            .bind(&row.id)
            .bind(&row.name)
            .bind(&row.color)
            .execute(c)
            .await?
            .rows_affected()
            == 1))
    }

    /// Takes a label off every conversation: the conversations it was on.
    pub async fn unlabel_all(self, label_id: &str) -> sqlx::Result<Vec<String>> {
        let sql = "DELETE FROM conversation_labels WHERE label_id = $1 RETURNING conversation_id";
        on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(label_id)
            .fetch_all(c)
            .await)
    }

    /// Deletes a label; `false` when there is none.
    pub async fn delete_label(self, id: &str) -> sqlx::Result<bool> {
        let sql = "DELETE FROM labels WHERE id = $1";
        on_db!(self, |c| Ok(sqlx::query(sql)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
            == 1))
    }

    /// Takes every label off a conversation.
    pub async fn clear_conversation_labels(self, conversation_id: Uuid) -> sqlx::Result<()> {
        let sql = "DELETE FROM conversation_labels WHERE conversation_id = $1";
        on_db!(self, |c| sqlx::query(sql)
            .bind(conversation_id.to_string())
            .execute(c)
            .await
            .map(drop))
    }

    /// Puts labels on a conversation (that has none of them yet).
    pub async fn add_conversation_labels(
        self,
        conversation_id: Uuid,
        label_ids: &[String],
    ) -> sqlx::Result<()> {
        if label_ids.is_empty() {
            return Ok(());
        }
        let values = (0..label_ids.len())
            .map(|i| format!("($1, ${})", i + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let sql =
            format!("INSERT INTO conversation_labels (conversation_id, label_id) VALUES {values}");
        on_db!(self, |c| {
            let mut query = sqlx::query(&sql).bind(conversation_id.to_string());
            for id in label_ids {
                query = query.bind(id);
            }
            query.execute(c).await.map(drop)
        })
    }

    /// The labels on each of these conversations, by name.
    pub async fn labels_on(
        self,
        conversation_ids: &[String],
    ) -> sqlx::Result<HashMap<String, Vec<LabelRow>>> {
        if conversation_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let sql = format!(
            "SELECT cl.conversation_id, l.id, l.name, l.color FROM conversation_labels cl \
             JOIN labels l ON l.id = cl.label_id WHERE cl.conversation_id IN ({}) \
             ORDER BY lower(l.name), l.id",
            placeholders(1, conversation_ids.len())
        );
        let rows: Vec<OnConversationRow> = on_db!(self, |c| {
            let mut query = sqlx::query_as(&sql);
            for id in conversation_ids {
                query = query.bind(id);
            }
            query.fetch_all(c).await
        })?;
        let mut on: HashMap<String, Vec<LabelRow>> = HashMap::new();
        for row in rows {
            on.entry(row.conversation_id).or_default().push(row.label);
        }
        Ok(on)
    }

    /// Canned replies whose shortcut, title or text holds `q` (ignoring case; all when
    /// empty), by shortcut.
    pub async fn canned_replies(self, q: &str) -> sqlx::Result<Vec<CannedRow>> {
        let sql = format!(
            "{CANNED_SELECT} WHERE $1 = '' OR lower(r.shortcut) LIKE $2 ESCAPE '\\' \
             OR lower(r.title) LIKE $2 ESCAPE '\\' OR lower(r.content) LIKE $2 ESCAPE '\\' \
             ORDER BY r.shortcut"
        );
        let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(q)
            .bind(&pattern)
            .fetch_all(c)
            .await)
    }

    /// One canned reply.
    pub async fn canned_reply(self, id: &str) -> sqlx::Result<Option<CannedRow>> {
        let sql = format!("{CANNED_SELECT} WHERE r.id = $1");
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(c)
            .await)
    }

    /// Stores a new canned reply; `false` when its shortcut is taken.
    pub async fn insert_canned_reply(self, row: &CannedRow, now: i64) -> sqlx::Result<bool> {
        let sql = "INSERT INTO canned_replies \
                   (id, shortcut, title, content, created_by, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT DO NOTHING";
        on_db!(self, |c| Ok(sqlx::query(sql)
            .bind(&row.id)
            .bind(&row.shortcut)
            .bind(&row.title)
            .bind(&row.content)
            .bind(&row.created_by)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()
            == 1))
    }

    /// Writes a canned reply's shortcut, title, text and time (a taken shortcut fails with a
    /// unique violation).
    pub async fn update_canned_reply(self, row: &CannedRow) -> sqlx::Result<bool> {
        let sql = "UPDATE canned_replies SET shortcut = $2, title = $3, content = $4, \
                   updated_at = $5 WHERE id = $1";
        on_db!(self, |c| Ok(sqlx::query(sql)
            .bind(&row.id)
            .bind(&row.shortcut)
            .bind(&row.title)
            .bind(&row.content)
            .bind(row.updated_at)
            .execute(c)
            .await?
            .rows_affected()
            == 1))
    }

    /// Deletes a canned reply; `false` when there is none.
    pub async fn delete_canned_reply(self, id: &str) -> sqlx::Result<bool> {
        let sql = "DELETE FROM canned_replies WHERE id = $1";
        on_db!(self, |c| Ok(sqlx::query(sql)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
            == 1))
    }
}

/// `text` with LIKE's wildcards and the escape character escaped.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
