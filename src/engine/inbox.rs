//! The operators' inbox: the list, opening a conversation (which marks it viewed), archive and
//! restore, and the unread count. Every change is published as `ConversationChanged` on the
//! inbox topic, which the sockets of operators following the inbox turn into list items.

use super::announce::item_changed;
use uuid::Uuid;

use super::Engine;
use crate::actor::Actor;
use crate::domain::InboxQuery;
use crate::error::Error;
use crate::hub::{Event, Topic};
use crate::store::{to_millis, ItemRow, MessageRow, NoteRow};
use crate::wire::{
    ConversationDetail, ConversationItem, ConversationKind, Operator, SenderKind, ServerFrame,
};

/// How many of the latest messages opening a conversation shows.
pub const DETAIL_MESSAGES: i64 = 100;
/// Messages shown above the one a search result opens a conversation at.
const MESSAGES_BEFORE_FOUND: i64 = 5;

impl Engine {
    /// Tells operators following the inbox that a conversation's list item changed.
    pub(crate) fn conversation_changed(&self, conversation_id: Uuid) {
        let (topic, event) = item_changed(conversation_id);
        self.inner.bus.publish(&topic, event);
    }

    /// One page of the inbox, newest activity first.
    pub async fn inbox(&self, query: &InboxQuery) -> Result<Vec<ConversationItem>, Error> {
        let rows = self.inner.store.db().inbox_page(query).await?;
        self.items_of(&rows).await
    }

    /// One conversation's list item; `not_found` when it does not exist.
    pub async fn inbox_item(&self, conversation_id: Uuid) -> Result<ConversationItem, Error> {
        let row = self
            .inner
            .store
            .db()
            .inbox_item(conversation_id)
            .await?
            .ok_or(Error::NotFound("conversation"))?;
        let mut items = self.items_of(std::slice::from_ref(&row)).await?;
        Ok(items.remove(0))
    }

    /// List items as the contract shows them, with their labels, in the order of `rows`.
    pub(super) async fn items_of(&self, rows: &[ItemRow]) -> Result<Vec<ConversationItem>, Error> {
        let items = rows
            .iter()
            .map(|row| Ok(row.to_item()?))
            .collect::<Result<Vec<_>, Error>>()?;
        self.with_labels(items).await
    }

    /// An operator opens a conversation: its item, latest messages and notes; or, when `at_seq`
    /// is older than those (a search result), the messages from a few before it on (the
    /// socket's resume brings the rest). Opening marks it viewed, so what the customer (or
    /// guest) wrote up to now is read by operators. What the customer has unread is not
    /// touched.
    #[tracing::instrument(skip(self, operator), fields(operator_id = %operator.id))]
    pub async fn open_conversation(
        &self,
        operator: &Operator,
        conversation_id: Uuid,
        at_seq: Option<i64>,
    ) -> Result<ConversationDetail, Error> {
        let now = to_millis(self.now());
        let senders = SenderKind::Operator.read_senders();
        // What the customer (or guest) wrote up to this moment becomes read, in one step with
        // the view itself.
        let mut tx = self.inner.store.begin().await?;
        let up_to_seq = tx
            .db()
            .mark_operator_viewed(conversation_id, now)
            .await?
            .ok_or(Error::NotFound("conversation"))?;
        let newly_read = tx
            .db()
            .mark_read(conversation_id, senders, up_to_seq, now)
            .await?;
        let mut events = Vec::new();
        if newly_read > 0 {
            let read = Event::frame(ServerFrame::Read {
                conversation_id,
                reader: Actor::Operator(operator.clone()).identity(),
                up_to_seq,
            });
            events.push((Topic::Conversation(conversation_id), read));
        }
        events.push(item_changed(conversation_id));
        self.commit_announcing(tx, events).await?;
        // Read after the view, so the item and the messages show it.
        let db = || self.inner.store.db();
        let mut rows = db()
            .latest_messages(conversation_id, DETAIL_MESSAGES)
            .await?;
        let first = rows.first().map_or(0, |row| row.seq);
        if let Some(seq) = at_seq.filter(|seq| *seq > 0 && *seq < first) {
            let after = (seq - MESSAGES_BEFORE_FOUND - 1).max(0);
            rows = db()
                .messages_after(conversation_id, after, DETAIL_MESSAGES, true)
                .await?;
        }
        let messages = rows
            .iter()
            .map(MessageRow::to_message)
            .collect::<Result<Vec<_>, _>>()?;
        let from_seq = messages.first().map_or(0, |m| m.seq);
        let notes = self
            .inner
            .store
            .db()
            .notes(conversation_id, from_seq)
            .await?;
        let notes: Vec<_> = notes
            .iter()
            .map(NoteRow::to_note)
            .collect::<Result<_, _>>()?;
        Ok(ConversationDetail {
            conversation: self.inbox_item(conversation_id).await?,
            messages,
            activity: notes.clone(),
            notes,
        })
    }

    /// Archives (`true`) or restores (`false`) a conversation. Neither changes what anybody
    /// has unread.
    #[tracing::instrument(skip(self))]
    pub async fn set_archived(
        &self,
        conversation_id: Uuid,
        archived: bool,
    ) -> Result<ConversationItem, Error> {
        let db = self.inner.store.db();
        let found = if archived {
            db.archive_conversation(conversation_id, to_millis(self.now()))
                .await?
        } else {
            db.unarchive_conversation(conversation_id).await?
        };
        if !found {
            return Err(Error::NotFound("conversation"));
        }
        self.conversation_changed(conversation_id);
        self.inbox_item(conversation_id).await
    }

    /// How many support conversations hold something operators have not read: the inbox
    /// badge and the tab title's count.
    pub async fn unread_conversations(&self) -> Result<i64, Error> {
        let senders = SenderKind::Operator.read_senders();
        Ok(self
            .inner
            .store
            .db()
            .conversations_with_unread(ConversationKind::Support.as_str(), senders)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::SystemClock;
    use crate::domain::MessageBody;
    use crate::testing::{test_engine, test_operator};
    use crate::EngineConfig;

    #[tokio::test]
    async fn a_conversation_opened_at_an_old_message_starts_a_few_messages_before_it() {
        let mut config = EngineConfig::new("http://h");
        config.sends_per_window = 1000;
        let (engine, _dir) = test_engine(config, Arc::new(SystemClock)).await;
        let op = test_operator(&engine).await;
        let (session, _) = engine.create_session(&op, None).await.unwrap();
        let actor = Actor::Operator(op.clone());
        for n in 1..=130 {
            let body = MessageBody::parse(&format!("message {n}")).unwrap();
            engine
                .post_message(&actor, session.conversation_id, body, None)
                .await
                .unwrap();
        }
        let seqs = |detail: &ConversationDetail| -> (i64, i64, usize) {
            let first = detail.messages.first().unwrap().seq;
            let last = detail.messages.last().unwrap().seq;
            (first, last, detail.messages.len())
        };
        let latest = engine
            .open_conversation(&op, session.conversation_id, None)
            .await
            .unwrap();
        assert_eq!(seqs(&latest), (31, 130, 100));
        // Shown already among the latest: the same view.
        let recent = engine
            .open_conversation(&op, session.conversation_id, Some(40))
            .await
            .unwrap();
        assert_eq!(seqs(&recent), (31, 130, 100));
        let old = engine
            .open_conversation(&op, session.conversation_id, Some(12))
            .await
            .unwrap();
        assert_eq!(seqs(&old), (7, 106, 100));
        let first = engine
            .open_conversation(&op, session.conversation_id, Some(2))
            .await
            .unwrap();
        assert_eq!(seqs(&first), (1, 100, 100));
    }
}
