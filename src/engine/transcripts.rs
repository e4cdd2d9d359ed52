//! Transcripts: a conversation's messages as a download, for its operators (notes when they
//! ask), its customer and its guest (never notes).

use uuid::Uuid;

use super::chat::Access;
use super::Engine;
use crate::actor::Actor;
use crate::error::Error;
use crate::wire::{Message, Transcript, TranscriptConversation};

/// Messages read at a time while a transcript is built.
const TRANSCRIPT_PAGE: i64 = 500;

impl Engine {
    /// Every message of a conversation that `actor` may read, oldest first, with what the
    /// transcript says of the conversation. Private notes only when `notes` and `actor` sees
    /// notes (an operator): a customer's or guest's transcript never has them.
    pub async fn transcript(
        &self,
        actor: &Actor,
        conversation_id: Uuid,
        notes: bool,
    ) -> Result<Transcript, Error> {
        self.authorize(actor, conversation_id, Access::Read).await?;
        self.last_seq_of(conversation_id).await?;
        let messages = self
            .every_message(conversation_id, notes && actor.sees_notes())
            .await?;
        let item = self.inbox_item(conversation_id).await?;
        let title = self
            .inner
            .store
            .db()
            .session_by_conversation(conversation_id)
            .await?
            .and_then(|session| session.title);
        Ok(Transcript {
            conversation: TranscriptConversation {
                id: conversation_id,
                kind: item.kind,
                title,
                customer_name: item.customer.as_ref().and_then(|c| c.name.clone()),
                customer_email: item.customer.and_then(|c| c.email),
            },
            messages,
            exported_at: self.now(),
        })
    }

    /// Every message of a conversation, oldest first, private notes only when `notes`; read
    /// [`TRANSCRIPT_PAGE`] at a time.
    pub(super) async fn every_message(
        &self,
        conversation_id: Uuid,
        notes: bool,
    ) -> Result<Vec<Message>, Error> {
        let mut messages = Vec::new();
        let mut after = 0;
        loop {
            let rows = self
                .inner
                .store
                .db()
                .messages_after(conversation_id, after, TRANSCRIPT_PAGE, notes)
                .await?;
            let full = rows.len() as i64 == TRANSCRIPT_PAGE;
            for row in &rows {
                messages.push(row.to_message()?);
                after = row.seq;
            }
            if !full {
                return Ok(messages);
            }
        }
    }
}
