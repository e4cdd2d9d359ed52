//! Alerts for one operator (a mention in a note, a conversation someone else assigned them),
//! published on their own topic so that each of their sockets, on any node, gets one.

use uuid::Uuid;

use super::Engine;
use crate::error::Error;
use crate::hub::{Event, Topic};
use crate::wire::{AlertKind, Message, Operator, OperatorRef, ServerFrame};

impl Engine {
    /// A note's mentions as stored (JSON), each an active operator: `invalid` otherwise.
    pub(super) async fn mentioned(&self, ids: &[Uuid]) -> Result<Option<String>, Error> {
        if ids.is_empty() {
            return Ok(None);
        }
        let db = self.inner.store.db();
        let rows = db.operators().await?;
        for id in ids {
            let known = rows
                .iter()
                .any(|row| row.id == id.to_string() && row.deactivated_at.is_none());
            if !known {
                return Err(crate::domain::Invalid::new(
                    "mentions",
                    format!("{id} is not an active operator"),
                )
                .into());
            }
        }
        Ok(Some(
            serde_json::to_string(ids).map_err(anyhow::Error::from)?,
        ))
    }

    /// Alerts each operator a new note mentions, other than its writer.
    pub(super) fn alert_mentions(&self, by: &Operator, message: &Message) {
        for id in message.mentions.iter().filter(|id| **id != by.id) {
            self.alert(
                *id,
                AlertKind::Mention,
                message.conversation_id,
                by,
                Some(message.id),
            );
        }
    }

    /// Sends `to`'s sockets an alert.
    pub(super) fn alert(
        &self,
        to: Uuid,
        kind: AlertKind,
        conversation_id: Uuid,
        by: &Operator,
        message_id: Option<Uuid>,
    ) {
        self.inner.bus.publish(
            &Topic::Operator(to),
            Event::frame(ServerFrame::Alert {
                kind,
                conversation_id,
                by: OperatorRef {
                    id: by.id,
                    name: by.name.clone(),
                },
                message_id,
            }),
        );
    }
}
