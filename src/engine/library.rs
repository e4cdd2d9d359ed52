//! The team's shared things: labels (the owner and admins keep them) and canned replies
//! (everyone writes them; the author, the owner and admins change or delete one).

use uuid::Uuid;

use super::Engine;
use crate::domain::{CannedReplyChange, Capability, LabelColor, LabelName};
use crate::error::Error;
use crate::store::{is_unique_violation, to_millis, CannedRow, LabelRow};
use crate::wire::{CannedReply, Label, Operator};

const LABEL_TAKEN: &str = "a label with this name exists already";
const SHORTCUT_TAKEN: &str = "a canned reply with this shortcut exists already";

impl Engine {
    /// Every label, by name.
    pub async fn labels(&self) -> Result<Vec<Label>, Error> {
        self.inner
            .store
            .db()
            .labels()
            .await?
            .iter()
            .map(|row| Ok(row.to_label()?))
            .collect()
    }

    /// Creates a label (owner and admins); a name taken, ignoring case, is a `conflict`.
    pub async fn create_label(
        &self,
        by: &Operator,
        name: LabelName,
        color: LabelColor,
    ) -> Result<Label, Error> {
        self.require(by, Capability::CurateInbox)?;
        let row = LabelRow {
            id: Uuid::now_v7().to_string(),
            name: name.as_str().to_owned(),
            color: color.as_str().to_owned(),
        };
        let db = self.inner.store.db();
        if !db.insert_label(&row, to_millis(self.now())).await? {
            return Err(Error::Conflict(LABEL_TAKEN.to_owned()));
        }
        Ok(row.to_label()?)
    }

    /// Renames or recolours a label (owner and admins); every conversation's item shows it.
    pub async fn change_label(
        &self,
        by: &Operator,
        id: Uuid,
        name: Option<LabelName>,
        color: Option<LabelColor>,
    ) -> Result<Label, Error> {
        self.require(by, Capability::CurateInbox)?;
        let db = self.inner.store.db();
        let mut row = db
            .labels_by_id(&[id.to_string()])
            .await?
            .pop()
            .ok_or(Error::NotFound("label"))?;
        if let Some(name) = name {
            row.name = name.as_str().to_owned();
        }
        if let Some(color) = color {
            row.color = color.as_str().to_owned();
        }
        match self.inner.store.db().update_label(&row).await {
            Err(err) if is_unique_violation(&err) => {
                return Err(Error::Conflict(LABEL_TAKEN.to_owned()))
            }
            Err(err) => return Err(err.into()),
            Ok(false) => return Err(Error::NotFound("label")),
            Ok(true) => {}
        }
        Ok(row.to_label()?)
    }

    /// Deletes a label (owner and admins), taking it off every conversation.
    pub async fn delete_label(&self, by: &Operator, id: Uuid) -> Result<(), Error> {
        self.require(by, Capability::CurateInbox)?;
        let id = id.to_string();
        let mut tx = self.inner.store.begin().await?;
        let on = tx.db().unlabel_all(&id).await?;
        if !tx.db().delete_label(&id).await? {
            return Err(Error::NotFound("label"));
        }
        tx.commit().await?;
        for conversation in on {
            if let Ok(conversation) = Uuid::parse_str(&conversation) {
                self.conversation_changed(conversation);
            }
        }
        Ok(())
    }

    /// Canned replies whose shortcut, title or text holds `q` (all when empty), by shortcut.
    pub async fn canned_replies(&self, q: &str) -> Result<Vec<CannedReply>, Error> {
        self.inner
            .store
            .db()
            .canned_replies(q.trim())
            .await?
            .iter()
            .map(|row| Ok(row.to_reply()?))
            .collect()
    }

    /// Adds a canned reply; a shortcut taken is a `conflict`.
    pub async fn create_canned_reply(
        &self,
        by: &Operator,
        draft: CannedReplyChange,
    ) -> Result<CannedReply, Error> {
        let draft = draft.into_draft()?;
        let now = to_millis(self.now());
        let row = CannedRow {
            id: Uuid::now_v7().to_string(),
            shortcut: draft.shortcut.as_str().to_owned(),
            title: draft.title,
            content: draft.content.as_str().to_owned(),
            created_by: by.id.to_string(),
            created_by_name: Some(by.name.clone()),
            updated_at: now,
        };
        if !self.inner.store.db().insert_canned_reply(&row, now).await? {
            return Err(Error::Conflict(SHORTCUT_TAKEN.to_owned()));
        }
        Ok(row.to_reply()?)
    }

    /// Changes a canned reply: its author, the owner or an admin.
    pub async fn change_canned_reply(
        &self,
        by: &Operator,
        id: Uuid,
        change: CannedReplyChange,
    ) -> Result<CannedReply, Error> {
        let mut row = self.own_canned_reply(by, id).await?;
        if let Some(shortcut) = change.shortcut {
            row.shortcut = shortcut.as_str().to_owned();
        }
        if let Some(title) = change.title {
            row.title = title;
        }
        if let Some(content) = change.content {
            row.content = content.as_str().to_owned();
        }
        row.updated_at = to_millis(self.now());
        match self.inner.store.db().update_canned_reply(&row).await {
            Err(err) if is_unique_violation(&err) => {
                return Err(Error::Conflict(SHORTCUT_TAKEN.to_owned()))
            }
            Err(err) => return Err(err.into()),
            Ok(false) => return Err(Error::NotFound("canned reply")),
            Ok(true) => {}
        }
        Ok(row.to_reply()?)
    }

    /// Deletes a canned reply: its author, the owner or an admin.
    pub async fn delete_canned_reply(&self, by: &Operator, id: Uuid) -> Result<(), Error> {
        self.own_canned_reply(by, id).await?;
        if !self
            .inner
            .store
            .db()
            .delete_canned_reply(&id.to_string())
            .await?
        {
            return Err(Error::NotFound("canned reply"));
        }
        Ok(())
    }

    /// A canned reply `by` may change: their own, or any for the owner and admins.
    async fn own_canned_reply(&self, by: &Operator, id: Uuid) -> Result<CannedRow, Error> {
        let row = self
            .inner
            .store
            .db()
            .canned_reply(&id.to_string())
            .await?
            .ok_or(Error::NotFound("canned reply"))?;
        if row.created_by != by.id.to_string() {
            self.require(by, Capability::CurateInbox).map_err(|_| {
                Error::Forbidden("only its author, the owner and admins change a canned reply")
            })?;
        }
        Ok(row)
    }
}
