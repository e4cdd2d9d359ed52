//! What the outbox worker reports: one pass's counts, and the job it claimed. The worker itself
//! is in `engine/emails.rs`.

use super::compose::Email;
use super::policy::Decision;
use crate::store::emails::EmailJobRow;

/// What the worker did in one pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivered {
    /// Emails sent.
    pub sent: usize,
    /// Jobs ended without an email.
    pub skipped: usize,
    /// Jobs looked at too early and put off.
    pub postponed: usize,
    /// Sends that failed and will be tried again.
    pub retrying: usize,
    /// Jobs that failed for good.
    pub failed: usize,
}

/// A job claimed for sending, with its email.
#[derive(Debug)]
pub struct Claimed {
    pub(crate) job: EmailJobRow,
    pub(crate) email: Email,
}

impl Claimed {
    /// The email about to go out.
    pub fn email(&self) -> &Email {
        &self.email
    }
}

/// The outcome of looking at the job due first.
#[derive(Debug)]
pub enum Step {
    /// No job is due.
    Idle,
    /// The job was put off or ended without an email.
    Settled(Decision),
    /// The job is claimed; its email must be sent with [`Engine::send_claimed`].
    Ready(Box<Claimed>),
}
