//! The inbox's rows: list items, with their previews, and the activity lines between messages.

use sqlx::FromRow;

use super::{from_millis, uuid_of, Corrupt};
use crate::wire::{
    ConversationItem, ConversationKind, ConversationNote, Customer, NoteKind, OperatorRef,
    SenderKind,
};

/// An inbox list item as one query reads it.
#[derive(Debug, Clone, FromRow)]
pub struct ItemRow {
    /// Conversation id.
    pub id: String,
    /// `support` or `session`.
    pub kind: String,
    /// Last message time (ms).
    pub last_message_at: Option<i64>,
    /// The highest seq: every message counts, so this is the message count.
    pub last_seq: i64,
    /// When archived (ms).
    pub archived_at: Option<i64>,
    /// The last message's first 101 characters (one more than a preview shows, to tell a cut).
    pub preview: Option<String>,
    /// The last message's files, as stored (JSON), for a message of files alone.
    pub last_attachments: Option<String>,
    /// The last message's sender kind.
    pub last_sender: Option<String>,
    /// Whether operators have something unread.
    pub unread: bool,
    /// The customer's id.
    pub customer_id: Option<String>,
    /// The customer's host-site id (signed customers).
    pub customer_external_id: Option<String>,
    /// The customer's email.
    pub customer_email: Option<String>,
    /// Whether that email is verified (absent without a customer).
    pub customer_email_verified: Option<bool>,
    /// The customer's name.
    pub customer_name: Option<String>,
    /// When the customer was first seen (ms).
    pub customer_created_at: Option<i64>,
    /// The customer's number.
    pub customer_number: Option<i64>,
    /// When the customer was erased (ms).
    pub customer_erased_at: Option<i64>,
    /// Whether the last message is a private note.
    pub last_internal: Option<bool>,
    /// The assignee's id.
    pub assignee_id: Option<String>,
    /// The assignee's name.
    pub assignee_name: Option<String>,
}

/// The longest list preview, in characters, the ellipsis included.
pub const PREVIEW_MAX_CHARS: usize = 100;

/// A preview of `text`: itself when it fits, else cut to end with `…` within the limit.
pub fn preview_of(text: &str) -> String {
    cut_to(text, PREVIEW_MAX_CHARS)
}

/// `text` when it has at most `max` characters, else its first `max - 1` and `…`.
pub fn cut_to(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

impl ItemRow {
    /// The last message's preview: its text, or for a message of files alone, `📎` and their
    /// names.
    fn preview_text(&self) -> Result<Option<String>, Corrupt> {
        let text = self.preview.as_deref().unwrap_or_default();
        let files = super::attachments_of(self.last_attachments.as_deref())?;
        if !text.is_empty() || files.is_empty() {
            return Ok(self.preview.as_deref().map(preview_of));
        }
        let names: Vec<&str> = files.iter().map(|file| file.name.as_str()).collect();
        Ok(Some(preview_of(&format!("📎 {}", names.join(", ")))))
    }

    /// The list item as the contract shows it.
    pub fn to_item(&self) -> Result<ConversationItem, Corrupt> {
        let kind = ConversationKind::parse(&self.kind).ok_or_else(|| Corrupt {
            what: "conversation kind",
            value: self.kind.clone(),
        })?;
        let last_message_sender = match &self.last_sender {
            Some(raw) => Some(SenderKind::parse(raw).ok_or_else(|| Corrupt {
                what: "sender kind",
                value: raw.clone(),
            })?),
            None => None,
        };
        let customer = match &self.customer_id {
            Some(id) => Some(Customer {
                id: uuid_of("customer id", id)?,
                name: self.customer_name.clone(),
                email: self.customer_email.clone(),
                email_verified: self.customer_email_verified.unwrap_or(false),
                signed: self.customer_external_id.is_some(),
                first_seen_at: from_millis(self.customer_created_at.unwrap_or_default()),
                number: self.customer_number.unwrap_or_default(),
                erased_at: self.customer_erased_at.map(from_millis),
            }),
            None => None,
        };
        Ok(ConversationItem {
            id: uuid_of("conversation id", &self.id)?,
            kind,
            customer,
            last_message_at: self.last_message_at.map(from_millis),
            last_message_preview: self.preview_text()?,
            last_message_sender,
            message_count: self.last_seq,
            unread: self.unread,
            archived: self.archived_at.is_some(),
            last_message_internal: self.last_internal.unwrap_or(false),
            assignee: operator_ref(&self.assignee_id, &self.assignee_name)?,
            labels: Vec::new(),
        })
    }
}

/// An operator named by a joined id and name, when there is one.
fn operator_ref(
    id: &Option<String>,
    name: &Option<String>,
) -> Result<Option<OperatorRef>, Corrupt> {
    match (id, name) {
        (Some(id), Some(name)) => Ok(Some(OperatorRef {
            id: uuid_of("operator id", id)?,
            name: name.clone(),
        })),
        _ => Ok(None),
    }
}

/// A conversation note as stored.
#[derive(Debug, Clone, FromRow)]
pub struct NoteRow {
    /// What happened.
    pub kind: String,
    /// The seq it belongs before.
    pub at_seq: i64,
    /// When (ms).
    pub created_at: i64,
    /// Who did it.
    pub by_id: Option<String>,
    /// Their name.
    pub by_name: Option<String>,
    /// To or from whom.
    pub to_id: Option<String>,
    /// Their name.
    pub to_name: Option<String>,
    /// A labelling's label names (JSON).
    pub detail: Option<String>,
}

impl NoteRow {
    /// The note as operators see it.
    pub fn to_note(&self) -> Result<ConversationNote, Corrupt> {
        Ok(ConversationNote {
            kind: NoteKind::parse(&self.kind).ok_or_else(|| Corrupt {
                what: "note kind",
                value: self.kind.clone(),
            })?,
            at_seq: self.at_seq,
            created_at: from_millis(self.created_at),
            by: operator_ref(&self.by_id, &self.by_name)?,
            to: operator_ref(&self.to_id, &self.to_name)?,
            labels: match &self.detail {
                None => None,
                Some(raw) => Some(serde_json::from_str(raw).map_err(|_| Corrupt {
                    what: "activity labels",
                    value: raw.clone(),
                })?),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preview_keeps_short_text_and_cuts_long_text_to_100_characters_with_an_ellipsis() {
        assert_eq!(preview_of("hello"), "hello");
        let exactly = "é".repeat(100);
        assert_eq!(preview_of(&exactly), exactly);
        let cut = preview_of(&"é".repeat(101));
        assert_eq!(cut.chars().count(), 100);
        assert!(cut.ends_with("é…"));
    }
}
