//! Double opt-in: an address nobody vouched for (typed by a visitor, or sent beside a v1
//! signature) is asked to confirm itself before any reply email goes to it. At most
//! [`CONFIRMATIONS_PER_DAY`] confirmation emails per customer a day.

use std::time::Duration;

use uuid::Uuid;

use super::emails::HOLD;
use super::Engine;
use crate::domain::ttl;
use crate::error::Error;
use crate::mail::{compose_confirmation, ConfirmationLetter, CONFIRMATIONS_PER_DAY};
use crate::mail::{host_of, retry_pause, LinkPurpose, GIVE_UP_AFTER};
use crate::mail::{Mailer, SendError};
use crate::store::emails::JobState;
use crate::store::{from_millis, to_millis, ConfirmationRow, CustomerRow, Tx};

/// How long a confirmation link works.
const CONFIRM_LINK_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

impl Engine {
    /// Asks `customer`'s address to confirm itself, in the transaction that set it, when it is
    /// unverified and the customer has not had their day's confirmations. Whether one was asked
    /// for (the caller wakes the email worker after committing).
    pub(crate) async fn ask_to_confirm(
        &self,
        tx: &mut Tx,
        customer: &CustomerRow,
    ) -> Result<bool, Error> {
        let Some(email) = customer
            .email
            .as_deref()
            .filter(|_| !customer.email_verified)
        else {
            return Ok(false);
        };
        let now = to_millis(self.now());
        let day_ago = now - 24 * 3600 * 1000;
        if tx.db().confirmations_since(&customer.id, day_ago).await? >= CONFIRMATIONS_PER_DAY {
            tracing::info!("a customer's confirmation emails for today are used up");
            return Ok(false);
        }
        tx.db()
            .insert_confirmation(
                &Uuid::now_v7().to_string(),
                &customer.id,
                email,
                customer.locale.as_deref(),
                now,
            )
            .await?;
        Ok(true)
    }

    /// Sends every confirmation email that is due; how many went out.
    pub async fn deliver_due_confirmations(&self, mailer: &dyn Mailer) -> Result<usize, Error> {
        let mut sent = 0;
        loop {
            let now = self.now();
            let claimed = self
                .inner
                .store
                .db()
                .claim_due_confirmation(to_millis(now), to_millis(now + ttl(HOLD)))
                .await?;
            let Some(row) = claimed else {
                return Ok(sent);
            };
            if self.send_confirmation(&row, mailer).await? {
                sent += 1;
            }
        }
    }

    /// Sends one claimed confirmation and records the outcome, retried like reply emails.
    async fn send_confirmation(
        &self,
        row: &ConfirmationRow,
        mailer: &dyn Mailer,
    ) -> Result<bool, Error> {
        let now = self.now();
        let config = &self.inner.config;
        let id = crate::store::rows::uuid_of("confirmation id", &row.id)?;
        let link =
            self.link_key()
                .await?
                .sign(LinkPurpose::Confirm, id, now + ttl(CONFIRM_LINK_TTL));
        let lang = row
            .locale
            .as_deref()
            .map(|l| format!("?lang={l}"))
            .unwrap_or_default();
        let confirm_url = format!("{}/email/confirm/{link}{lang}", config.public_url);
        let host = host_of(&config.public_url);
        let letter = ConfirmationLetter {
            id: &row.id,
            to: &row.email,
            lang: row.locale.as_deref(),
            confirm_url: &confirm_url,
            date: now,
            host: &host,
        };
        let attempts = row.attempts + 1;
        let result = match compose_confirmation(&config.email, &letter) {
            Ok(email) => mailer.send(&email).await,
            Err(err) => Err(SendError::Permanent(format!("cannot be built: {err}"))),
        };
        let db = self.inner.store.db();
        let now_ms = to_millis(now);
        match result {
            Ok(()) => {
                db.settle_confirmation(&row.id, JobState::Sent, now_ms, attempts, None)
                    .await?;
                tracing::info!(confirmation = %row.id, "sent a confirmation email");
                return Ok(true);
            }
            Err(SendError::Permanent(detail)) => {
                db.settle_confirmation(&row.id, JobState::Failed, now_ms, attempts, Some(&detail))
                    .await?;
                tracing::warn!(confirmation = %row.id, "the mail server refused a confirmation email");
            }
            Err(SendError::Transient(detail)) => {
                let next = now + ttl(retry_pause(attempts));
                let (state, due) = if next > from_millis(row.created_at) + ttl(GIVE_UP_AFTER) {
                    (JobState::Failed, now_ms)
                } else {
                    (JobState::Retrying, to_millis(next))
                };
                db.settle_confirmation(&row.id, state, due, attempts, Some(&detail))
                    .await?;
                tracing::warn!(confirmation = %row.id, state = state.as_str(), "a confirmation email was not sent");
            }
        }
        Ok(false)
    }

    /// The confirmation a link names, when the link is valid now.
    async fn confirmation_of_link(&self, link: &str) -> Result<ConfirmationRow, Error> {
        let id = self
            .link_key()
            .await?
            .verify(LinkPurpose::Confirm, link, self.now())
            .ok_or(Error::Unauthorized("this link is not valid or has expired"))?;
        self.inner
            .store
            .db()
            .confirmation(&id.to_string())
            .await?
            .ok_or(Error::NotFound("confirmation"))
    }

    /// Whether a confirmation link was used already (the page shows its button until it is).
    pub async fn email_confirmation(&self, link: &str) -> Result<bool, Error> {
        Ok(self
            .confirmation_of_link(link)
            .await?
            .confirmed_at
            .is_some())
    }

    /// Confirms the address a link was sent to: from now on it gets reply emails. `gone` when
    /// the customer has since changed their address (the link confirms only the one it went
    /// to). Using a link again changes nothing.
    pub async fn confirm_email(&self, link: &str) -> Result<(), Error> {
        let row = self.confirmation_of_link(link).await?;
        let mut tx = self.inner.store.begin().await?;
        if !tx.db().confirm_address(&row.id).await? {
            return Err(Error::Gone);
        }
        tx.db()
            .mark_confirmation_used(&row.id, to_millis(self.now()))
            .await?;
        let conversation = tx
            .db()
            .ensure_customer_conversation(
                &row.customer_id,
                &Uuid::now_v7().to_string(),
                to_millis(self.now()),
            )
            .await?;
        tx.commit().await?;
        tracing::info!("a customer confirmed their email address");
        self.conversation_changed(crate::store::rows::uuid_of(
            "conversation id",
            &conversation,
        )?);
        Ok(())
    }
}
