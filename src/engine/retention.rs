//! Retention (`SWITCHBOARD_RETENTION`): conversations and support sessions without activity for
//! that long are deleted with everything they hold, once a day, by one node at a time.

use std::time::Duration;

use serde_json::json;

use super::audit::{customer_label, Record, Requester};
use super::Engine;
use crate::domain::ttl;
use crate::error::Error;
use crate::store::{to_millis, StaleConversation};
use crate::wire::{AuditAction, AuditTarget};

/// How often a node looks whether retention is due.
const LOOK_EVERY: Duration = Duration::from_secs(3600);
/// How long after one run the next is due.
const RUN_EVERY: Duration = Duration::from_secs(24 * 3600);
/// Conversations deleted per transaction.
const BATCH: i64 = 100;

/// What a retention run deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionReport {
    /// Conversations deleted (support sessions' included).
    pub conversations: u64,
    /// Messages deleted with them.
    pub messages: u64,
}

/// How an audit entry names a deleted conversation: by kind and number, nothing personal.
fn deleted_target(stale: &StaleConversation) -> AuditTarget {
    let label = match (&stale.session_id, stale.customer_number) {
        (Some(_), _) => "Support session".to_owned(),
        (None, Some(number)) => customer_label(Some(number)),
        (None, None) => "Conversation".to_owned(),
    };
    AuditTarget {
        kind: "conversation".to_owned(),
        id: stale.id.clone(),
        label,
    }
}

impl Engine {
    /// Deletes every conversation and support session without activity for `keep` (by the
    /// engine's clock), each with an audit entry `retention_deleted` in the same transaction.
    pub async fn apply_retention(&self, keep: Duration) -> Result<RetentionReport, Error> {
        let before = to_millis(self.now() - ttl(keep));
        let mut report = RetentionReport::default();
        loop {
            // Chosen inside the transaction that deletes them, so that (on SQLite, whose
            // transactions take the write lock first) no message can arrive in between.
            let mut tx = self.inner.store.begin().await?;
            let stale = tx.db().stale_conversations(before, BATCH).await?;
            for conversation in &stale {
                let emptied = tx.delete_conversation(conversation).await?;
                let detail = json!({
                    "conversation_id": conversation.id,
                    "kind": conversation.kind,
                    "customer_id": conversation.customer_id,
                    "session_id": conversation.session_id,
                    "messages": emptied.messages,
                    "files": emptied.files,
                    "email_jobs": emptied.email_jobs,
                });
                self.audit(
                    tx.db(),
                    Record {
                        action: AuditAction::RetentionDeleted,
                        actor: None,
                        target: Some(deleted_target(conversation)),
                        from: &Requester::default(),
                        detail,
                    },
                )
                .await?;
                report.conversations += 1;
                report.messages += emptied.messages;
            }
            tx.commit().await?;
            if (stale.len() as i64) < BATCH {
                return Ok(report);
            }
        }
    }

    /// Runs retention when this node takes the day's turn (no node has run it in the last 24
    /// hours): `None` when another node has.
    pub async fn retention_turn(&self, keep: Duration) -> Result<Option<RetentionReport>, Error> {
        let now = self.now();
        let due_before = to_millis(now - ttl(RUN_EVERY));
        let taken = self
            .inner
            .store
            .db()
            .take_retention_turn(due_before, to_millis(now))
            .await?;
        if !taken {
            return Ok(None);
        }
        Ok(Some(self.apply_retention(keep).await?))
    }

    /// Looks every hour, by the engine's clock, whether retention is due, for as long as the
    /// server runs; runs it when this node takes the turn.
    pub async fn run_retention(self, keep: Duration) {
        loop {
            match self.retention_turn(keep).await {
                Ok(Some(report)) => tracing::info!(
                    conversations = report.conversations,
                    messages = report.messages,
                    "retention deleted what had no activity"
                ),
                Ok(None) => {}
                Err(err) => tracing::warn!(error = %err, "retention failed; trying again later"),
            }
            let next = self.now() + ttl(LOOK_EVERY);
            self.inner.clock.sleep_until(next).await;
        }
    }
}
