//! Customers' records, for the owner and admins: the list, an export of everything held about
//! one customer, and erasing them.

use super::announce::item_changed;
use serde_json::json;
use uuid::Uuid;

use super::audit::{customer_label, Record, Requester};
use super::Engine;
use crate::domain::{Capability, CustomerFilter};
use crate::error::Error;
use crate::hub::{Event, Topic};
use crate::store::rows::uuid_of;
use crate::store::{from_millis, to_millis, Activity, CustomerRow, Erased};
use crate::wire::{
    AuditAction, AuditTarget, Customer, CustomerExport, CustomerRecord, EmailConfirmationRecord,
    ExportedConversation, ExportedFile, NoteKind, Operator,
};

/// Every reply email of a conversation goes into an export.
const ALL_EMAILS: i64 = i64::MAX;

/// An audit entry's customer (see [`customer_label`]).
fn customer_target(row: &CustomerRow) -> Option<AuditTarget> {
    Some(AuditTarget {
        kind: "customer".to_owned(),
        id: row.id.clone(),
        label: customer_label(row.number),
    })
}

impl Engine {
    /// A page of customers, newest first, for the owner and admins.
    pub async fn customers(
        &self,
        viewer: &Operator,
        filter: &CustomerFilter,
    ) -> Result<Vec<Customer>, Error> {
        self.require(viewer, Capability::ManageSettings)?;
        let id = filter.id.map(|id| id.to_string());
        let before = filter.before.map(|id| id.to_string());
        let rows = self
            .inner
            .store
            .db()
            .customers_page(
                &filter.prefixes,
                id.as_deref(),
                before.as_deref(),
                filter.limit,
            )
            .await?;
        Ok(rows
            .iter()
            .map(CustomerRow::to_customer)
            .collect::<Result<_, _>>()?)
    }

    /// The customer with this id, or `not_found`.
    async fn customer_row(&self, id: Uuid) -> Result<CustomerRow, Error> {
        self.inner
            .store
            .db()
            .customer(&id.to_string())
            .await?
            .ok_or(Error::NotFound("customer"))
    }

    /// Everything held about a customer (their details, their conversation's messages without
    /// private notes, its reply emails and files), for the owner and admins; written to the
    /// audit log as `customer_exported`.
    pub async fn export_customer(
        &self,
        viewer: &Operator,
        id: Uuid,
        from: &Requester,
    ) -> Result<CustomerExport, Error> {
        self.require(viewer, Capability::ManageSettings)?;
        let row = self.customer_row(id).await?;
        let db = || self.inner.store.db();
        let mut conversations = Vec::new();
        let mut files = Vec::new();
        if let Some(conversation) = db().customer_conversation(&row.id).await? {
            let conversation_id = uuid_of("conversation id", &conversation)?;
            conversations.push(ExportedConversation {
                id: conversation_id,
                messages: self.every_message(conversation_id, false).await?,
                emails: self.emails_of(conversation_id, ALL_EMAILS).await?,
            });
            for file in db().files_of_conversation(&conversation).await? {
                if file.internal || !file.stored {
                    continue;
                }
                files.push(ExportedFile {
                    download_url: format!(
                        "{}/api/v1/files/{}",
                        self.inner.config.public_url, file.id
                    ),
                    id: uuid_of("file id", &file.id)?,
                    name: file.name,
                    content_type: file.content_type,
                    size: file.size,
                });
            }
        }
        let email_confirmations = db()
            .confirmations_of(&row.id)
            .await?
            .into_iter()
            .map(
                |(email, created_at, confirmed_at)| EmailConfirmationRecord {
                    email,
                    created_at: from_millis(created_at),
                    confirmed_at: confirmed_at.map(from_millis),
                },
            )
            .collect();
        let export = CustomerExport {
            customer: CustomerRecord {
                customer: row.to_customer()?,
                user_id: row.external_id.clone(),
                locale: row.locale.clone(),
                last_seen_at: row.last_seen_at.map(from_millis),
                unsubscribed_at: db()
                    .unsubscribed_at(&row.id)
                    .await?
                    .flatten()
                    .map(from_millis),
                email_confirmations,
            },
            exported_at: self.now(),
            conversations,
            files,
        };
        let detail = json!({
            "messages": export.conversations.iter().map(|c| c.messages.len()).sum::<usize>(),
            "files": export.files.len(),
        });
        self.audit(
            db(),
            Record {
                action: AuditAction::CustomerExported,
                actor: Some(viewer),
                target: customer_target(&row),
                from,
                detail,
            },
        )
        .await?;
        Ok(export)
    }

    /// Erases a customer, for the owner and admins: see [`crate::store::Tx::erase_customer`].
    /// Their conversation gets an `erased` activity line, their open widgets close, operators
    /// see the conversation change, and the audit log gets `customer_erased` with counts only.
    /// Erasing them again changes nothing and writes nothing.
    pub async fn erase_customer(
        &self,
        viewer: &Operator,
        id: Uuid,
        from: &Requester,
    ) -> Result<Customer, Error> {
        self.require(viewer, Capability::ManageSettings)?;
        let now = to_millis(self.now());
        let mut tx = self.inner.store.begin().await?;
        let before = tx
            .db()
            .customer(&id.to_string())
            .await?
            .ok_or(Error::NotFound("customer"))?;
        if before.erased_at.is_some() {
            return Ok(before.to_customer()?);
        }
        let (row, erased) = tx
            .erase_customer(&before.id, now)
            .await?
            .ok_or(Error::NotFound("customer"))?;
        let conversation_id = erased
            .conversation_id
            .as_deref()
            .map(|c| uuid_of("conversation id", c))
            .transpose()?;
        if let Some(conversation_id) = conversation_id {
            let at_seq = tx.db().last_seq(conversation_id).await?.unwrap_or_default() + 1;
            let by = viewer.id.to_string();
            let activity = Activity {
                kind: NoteKind::Erased.as_str(),
                at_seq,
                by: Some(&by),
                to: None,
                detail: None,
            };
            tx.db()
                .insert_activity(&Uuid::now_v7().to_string(), conversation_id, &activity, now)
                .await?;
        }
        self.audit(
            tx.db(),
            Record {
                action: AuditAction::CustomerErased,
                actor: Some(viewer),
                target: customer_target(&row),
                from,
                detail: erased_detail(&erased),
            },
        )
        .await?;
        let mut events = Vec::new();
        if let Some(conversation_id) = conversation_id {
            for token_hash in erased.tokens {
                let revoked = Event::WidgetTokenRevoked { token_hash };
                events.push((Topic::Conversation(conversation_id), revoked));
            }
            events.push(item_changed(conversation_id));
        }
        self.commit_announcing(tx, events).await?;
        Ok(row.to_customer()?)
    }
}

/// What an erasure's audit entry says: counts, never content.
fn erased_detail(erased: &Erased) -> serde_json::Value {
    json!({
        "conversation_id": erased.conversation_id,
        "messages": erased.messages,
        "files": erased.files,
        "emails": erased.emails,
        "widget_tokens": erased.tokens.len(),
    })
}
