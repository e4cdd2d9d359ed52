//! The wire types of reply emails: what operators see of a conversation's emails.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::time;

/// Where one reply email stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EmailStatus {
    /// Waiting for the customer to read the reply; goes out at `at` if they do not.
    Scheduled,
    /// Being sent now.
    Sending,
    /// A send failed for now; tried again at `at`.
    Retrying,
    /// Sent at `at`.
    Sent,
    /// Not sent, for `reason`; decided at `at`.
    Skipped,
    /// Refused for good or given up, for `reason`; at `at`.
    Failed,
}

/// Why an email was skipped or failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EmailReason {
    /// The customer read the replies (at `read_at`).
    Read,
    /// An earlier email already covered the replies.
    Covered,
    /// The conversation was archived.
    Archived,
    /// The customer has no email address.
    NoEmail,
    /// The customer unsubscribed.
    Unsubscribed,
    /// The mail server refused the email for good (`detail` says what it said).
    Refused,
    /// Sending kept failing for a day (`detail` has the last error).
    GaveUp,
}

impl EmailReason {
    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Covered => "covered",
            Self::Archived => "archived",
            Self::NoEmail => "no_email",
            Self::Unsubscribed => "unsubscribed",
            Self::Refused => "refused",
            Self::GaveUp => "gave_up",
        }
    }

    /// The reason a stored code names.
    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Read,
            Self::Covered,
            Self::Archived,
            Self::NoEmail,
            Self::Unsubscribed,
            Self::Refused,
            Self::GaveUp,
        ]
        .into_iter()
        .find(|r| r.as_str() == raw)
    }
}

/// One reply email of a conversation, as operators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailRecord {
    /// The email's id (its `Message-ID` is `<id@host>`).
    pub id: Uuid,
    /// Where it stands.
    pub status: EmailStatus,
    /// The time that goes with the status: when it is due, was sent, was skipped, failed, or
    /// is tried again.
    #[serde(with = "time")]
    pub at: DateTime<Utc>,
    /// Why it was skipped or failed.
    pub reason: Option<EmailReason>,
    /// The address it went (or goes) to.
    pub recipient: Option<String>,
    /// How many replies it covered.
    pub replies: i64,
    /// When the customer read the replies (for a skip because of that).
    #[serde(with = "time::option")]
    pub read_at: Option<DateTime<Utc>>,
    /// The mail server's last answer, for a retry or a failure.
    pub detail: Option<String>,
    /// Sends tried.
    pub attempts: i64,
}

/// `GET /api/v1/conversations/:id/emails` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationEmails {
    /// Newest first.
    pub emails: Vec<EmailRecord>,
}

/// What a customer's unsubscribe link shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailSubscription {
    /// Whether reply emails go to the customer.
    pub subscribed: bool,
}
