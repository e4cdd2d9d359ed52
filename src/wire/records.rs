//! Customers' records for the owner and admins: the list, an export, an erasure.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{time, Customer, EmailRecord, Message};

/// `GET /api/v1/customers` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerList {
    /// Newest first.
    pub customers: Vec<Customer>,
}

/// Everything an export says of the customer themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerRecord {
    /// What the inbox shows of them.
    #[serde(flatten)]
    pub customer: Customer,
    /// The host site's user id, for a signed customer.
    pub user_id: Option<String>,
    /// The widget's language.
    pub locale: Option<String>,
    /// When they were last seen.
    #[serde(with = "time::option")]
    pub last_seen_at: Option<DateTime<Utc>>,
    /// When they stopped reply emails.
    #[serde(with = "time::option")]
    pub unsubscribed_at: Option<DateTime<Utc>>,
    /// The addresses they were asked to confirm.
    pub email_confirmations: Vec<EmailConfirmationRecord>,
}

/// One confirmation email sent to a customer's address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailConfirmationRecord {
    /// The address.
    pub email: String,
    /// When it was asked for.
    #[serde(with = "time")]
    pub created_at: DateTime<Utc>,
    /// When its link was used.
    #[serde(with = "time::option")]
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// A conversation in an export: its messages (never private notes) and reply emails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedConversation {
    /// The conversation.
    pub id: Uuid,
    /// Oldest first.
    pub messages: Vec<Message>,
    /// Newest first.
    pub emails: Vec<EmailRecord>,
}

/// A file in an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedFile {
    /// The file.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// Its media type.
    #[serde(rename = "type")]
    pub content_type: String,
    /// Its size in bytes.
    pub size: i64,
    /// Where an operator downloads it.
    pub download_url: String,
}

/// `GET /api/v1/customers/:id/export` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerExport {
    /// The customer.
    pub customer: CustomerRecord,
    /// Their conversation (a customer has one), when it exists.
    pub conversations: Vec<ExportedConversation>,
    /// The files of their conversation, private notes' excepted.
    pub files: Vec<ExportedFile>,
    /// When the export was made.
    #[serde(with = "time")]
    pub exported_at: DateTime<Utc>,
}
