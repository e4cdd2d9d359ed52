//! Who a conversation belongs to and what it is labelled: assigning, claiming, unassigning,
//! and setting its labels. Each change leaves an activity line for operators, moves the
//! conversation's list item on every operator's inbox, and alerts an operator someone else
//! assigned it to.

use uuid::Uuid;

use super::Engine;
use crate::domain::may_assign;
use crate::error::Error;
use crate::store::{to_millis, Activity, LabelRow};
use crate::wire::{AlertKind, ConversationItem, Label, NoteKind, Operator};

impl Engine {
    /// Assigns a conversation to `to` (`None`: nobody). Agents may take one that is unassigned
    /// and drop their own; the owner and admins assign anyone. The assignee must be an active
    /// operator. Assigning it to whom it already has changes nothing.
    #[tracing::instrument(skip(self, by), fields(by = %by.id))]
    pub async fn assign(
        &self,
        by: &Operator,
        conversation_id: Uuid,
        to: Option<Uuid>,
    ) -> Result<ConversationItem, Error> {
        let current = self
            .inner
            .store
            .db()
            .assignee(conversation_id)
            .await?
            .ok_or(Error::NotFound("conversation"))?;
        let current = current
            .map(|id| crate::store::rows::uuid_of("operator id", &id))
            .transpose()?;
        if !may_assign(by.id, by.role, current, to) {
            return Err(Error::Forbidden(
                "agents may take an unassigned conversation and drop their own; \
                 only the owner and admins assign others",
            ));
        }
        if let Some(to) = to {
            let active = self
                .inner
                .store
                .db()
                .operator_by_id(&to.to_string())
                .await?
                .is_some_and(|row| row.deactivated_at.is_none());
            if !active {
                return Err(crate::domain::Invalid::new(
                    "operator_id",
                    "must be an active operator",
                )
                .into());
            }
        }
        if current == to {
            return self.inbox_item(conversation_id).await;
        }
        let by_id = by.id.to_string();
        let (kind, named) = match to {
            Some(to) => (NoteKind::Assigned, Some(to)),
            None => (NoteKind::Unassigned, current),
        };
        let named = named.map(|id| id.to_string());
        let mut tx = self.inner.store.begin().await?;
        tx.db()
            .set_assignee(conversation_id, to.map(|id| id.to_string()).as_deref())
            .await?;
        self.add_activity(
            &mut tx,
            conversation_id,
            kind,
            &by_id,
            named.as_deref(),
            None,
        )
        .await?;
        tx.commit().await?;
        self.conversation_changed(conversation_id);
        if let Some(to) = to.filter(|to| *to != by.id) {
            self.alert(to, AlertKind::Assigned, conversation_id, by, None);
        }
        self.inbox_item(conversation_id).await
    }

    /// Sets a conversation's labels (any operator may). Every label must exist; the same set
    /// again changes nothing.
    #[tracing::instrument(skip(self, by, label_ids), fields(by = %by.id))]
    pub async fn set_labels(
        &self,
        by: &Operator,
        conversation_id: Uuid,
        label_ids: &[Uuid],
    ) -> Result<ConversationItem, Error> {
        let mut ids: Vec<String> = Vec::with_capacity(label_ids.len());
        for id in label_ids.iter().map(Uuid::to_string) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        let db = self.inner.store.db();
        let labels = db.labels_by_id(&ids).await?;
        if labels.len() != ids.len() {
            return Err(crate::domain::Invalid::new(
                "label_ids",
                "names a label that does not exist",
            )
            .into());
        }
        let before = self.inbox_item(conversation_id).await?;
        let mut had: Vec<String> = before.labels.iter().map(|l| l.id.to_string()).collect();
        let mut want = ids.clone();
        had.sort();
        want.sort();
        if had == want {
            return Ok(before);
        }
        let names: Vec<&str> = labels.iter().map(|l| l.name.as_str()).collect();
        let detail = serde_json::to_string(&names).map_err(anyhow::Error::from)?;
        let mut tx = self.inner.store.begin().await?;
        tx.db().clear_conversation_labels(conversation_id).await?;
        tx.db()
            .add_conversation_labels(conversation_id, &ids)
            .await?;
        self.add_activity(
            &mut tx,
            conversation_id,
            NoteKind::Labelled,
            &by.id.to_string(),
            None,
            Some(&detail),
        )
        .await?;
        tx.commit().await?;
        self.conversation_changed(conversation_id);
        self.inbox_item(conversation_id).await
    }

    /// Takes every conversation off a deactivated operator, inside `tx`, with a line in each
    /// saying who did it: the conversations, for their inbox items to be sent once committed.
    pub(super) async fn unassign_everywhere(
        &self,
        tx: &mut crate::store::Tx,
        by: &Operator,
        operator_id: &str,
    ) -> Result<Vec<Uuid>, Error> {
        let had = tx.db().unassign_operator(operator_id).await?;
        let by_id = by.id.to_string();
        let mut conversations = Vec::with_capacity(had.len());
        for id in had {
            let id = crate::store::rows::uuid_of("conversation id", &id)?;
            self.add_activity(
                tx,
                id,
                NoteKind::Unassigned,
                &by_id,
                Some(operator_id),
                None,
            )
            .await?;
            conversations.push(id);
        }
        Ok(conversations)
    }

    /// Writes an activity line before the conversation's next message.
    async fn add_activity(
        &self,
        tx: &mut crate::store::Tx,
        conversation_id: Uuid,
        kind: NoteKind,
        by: &str,
        to: Option<&str>,
        detail: Option<&str>,
    ) -> Result<(), Error> {
        let at_seq = tx
            .db()
            .last_seq(conversation_id)
            .await?
            .ok_or(Error::NotFound("conversation"))?
            + 1;
        let activity = Activity {
            kind: kind.as_str(),
            at_seq,
            by: Some(by),
            to,
            detail,
        };
        tx.db()
            .insert_activity(
                &Uuid::now_v7().to_string(),
                conversation_id,
                &activity,
                to_millis(self.now()),
            )
            .await?;
        Ok(())
    }

    /// Puts each item's labels on it, with one query for the lot.
    pub(super) async fn with_labels(
        &self,
        mut items: Vec<ConversationItem>,
    ) -> Result<Vec<ConversationItem>, Error> {
        let ids: Vec<String> = items.iter().map(|item| item.id.to_string()).collect();
        let mut on = self.inner.store.db().labels_on(&ids).await?;
        for item in &mut items {
            item.labels = on
                .remove(&item.id.to_string())
                .unwrap_or_default()
                .iter()
                .map(LabelRow::to_label)
                .collect::<Result<Vec<Label>, _>>()?;
        }
        Ok(items)
    }
}
