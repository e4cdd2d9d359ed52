//! Email to customers about operators' replies they have not read: the settings, the
//! [`Mailer`] that delivers (SMTP, or `.eml` files), the signed links an email carries, the
//! message itself, and the outbox worker.

mod account;
mod compose;
mod confirmation;
mod links;
mod outbox;
mod policy;
mod text;
mod transport;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

pub use account::{compose_account, AccountEmail, AccountLetter};
pub use compose::{compose, Email, Letter, Reply, REPLY_PREVIEW_CHARS};
pub use confirmation::{compose_confirmation, ConfirmationLetter, CONFIRMATIONS_PER_DAY};
pub use links::{LinkKey, LinkPurpose};
pub use outbox::{Claimed, Delivered, Step};
pub use policy::{decide, Decision, SkipReason, WindowState};
pub use transport::{FileMailer, SmtpMailer};

pub(crate) use compose::host_of;
pub(crate) use policy::{retry_pause, GIVE_UP_AFTER};

/// The email settings.
#[derive(Debug, Clone)]
pub struct EmailConfig {
    /// How long a reply waits unread before it is emailed (`SWITCHBOARD_EMAIL_DELAY`).
    pub delay: Duration,
    /// The sender (`SWITCHBOARD_EMAIL_FROM`).
    pub from: lettre::message::Mailbox,
    /// The product's name in subjects and text (`SWITCHBOARD_PRODUCT_NAME`).
    pub product_name: String,
    /// How long the chat link in an email works.
    pub chat_link_ttl: Duration,
}

impl Default for EmailConfig {
    fn default() -> Self {
        Self {
            delay: Duration::from_secs(5 * 60),
            from: "Switchboard <support@localhost>"
                .parse()
                .expect("the default sender parses"),
            product_name: "Switchboard".to_owned(),
            chat_link_ttl: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

/// Why a send did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth trying again later: the server is down, busy, or said "try later" (4xx).
    #[error("{0}")]
    Transient(String),
    /// The server refused the message for good (5xx): trying again would not help.
    #[error("{0}")]
    Permanent(String),
}

/// A future that a [`Mailer`] returns.
pub type Sending<'a> = Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>>;

/// Delivers composed emails.
pub trait Mailer: Send + Sync {
    /// Delivers one email. Delivering the same email (same `Message-ID`) again must be safe
    /// where the transport can make it so.
    fn send<'a>(&'a self, email: &'a Email) -> Sending<'a>;
    /// Where emails go, for the log line at start-up (no secrets).
    fn describe(&self) -> String;
}
