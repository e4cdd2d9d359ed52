//! The sign-in limiter: failures per client address, per email and per known device, counted
//! in the store so that a limit holds across nodes and restarts.

use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::auth::TokenDigest;
use crate::store::Store;

/// One sign-in attempt's claim on the limiter's counters: made before the password is checked,
/// so concurrent guesses cannot all slip under the limit. It stays counted as a failure unless
/// it is given back ([`LoginLimiter::refund`]) or the sign-in succeeds
/// ([`LoginLimiter::succeeded`]).
#[derive(Debug)]
#[must_use]
pub struct Reservation {
    attempt: String,
}

/// What one attempt counts against: the client address always, and either the email or, for a
/// browser that signed in to that account before, its device.
#[derive(Debug, Clone)]
pub enum AttemptScope<'a> {
    /// A browser without a known device cookie: the email's lock applies.
    Email(&'a str),
    /// A browser with a device cookie issued to this account: the email's lock does not apply,
    /// but the device has its own.
    Device(&'a TokenDigest),
}

/// Limits sign-in failures per client address, per email and per known device, in a sliding
/// window. The counts live in the store, so a limit holds across nodes and restarts.
#[derive(Debug)]
pub struct LoginLimiter {
    window: chrono::Duration,
    max_per_email: i64,
    max_per_ip: i64,
}

fn email_key(email: &str) -> String {
    format!("email:{email}")
}

impl LoginLimiter {
    /// A limiter allowing `max_per_email` failures per email (and per device) and `max_per_ip`
    /// per client address, per `window`.
    pub fn new(window: Duration, max_per_email: u32, max_per_ip: u32) -> Self {
        Self {
            window: chrono::Duration::from_std(window).unwrap_or(chrono::Duration::MAX),
            max_per_email: max_per_email.into(),
            max_per_ip: max_per_ip.into(),
        }
    }

    /// Counts an attempt at `now` as a failure in advance: `Ok(Err(seconds))` when a key has
    /// used up its failures (nothing is counted then); the seconds say when the oldest counted
    /// failure leaves the window. One transaction that locks the keys first, so attempts racing
    /// on one key (from any node) are judged one after another and the limit is exact.
    pub async fn reserve(
        &self,
        store: &Store,
        ip: &str,
        scope: &AttemptScope<'_>,
        now: DateTime<Utc>,
    ) -> sqlx::Result<Result<Reservation, u64>> {
        let second = match scope {
            AttemptScope::Email(email) => email_key(email),
            AttemptScope::Device(digest) => format!("device:{}", digest.as_str()),
        };
        let ip_key = format!("ip:{ip}");
        let keys = vec![ip_key.clone(), second];
        let (now_ms, since) = (
            now.timestamp_millis(),
            (now - self.window).timestamp_millis(),
        );
        let mut tx = store.begin().await?;
        // A write first: on SQLite it takes the database's write lock for the transaction.
        tx.db().delete_login_attempts_before(since).await?;
        tx.db().lock_keys(&keys).await?;
        let counts = tx.db().login_attempts_since(&keys, since).await?;
        let mut wait = None::<i64>;
        for (key, count, oldest) in counts {
            let max = if key == ip_key {
                self.max_per_ip
            } else {
                self.max_per_email
            };
            if count >= max {
                let left = oldest + self.window.num_milliseconds() - now_ms;
                wait = Some(wait.map_or(left, |w| w.max(left)));
            }
        }
        if let Some(left) = wait {
            tx.commit().await?;
            return Ok(Err((left.max(0) as u64).div_ceil(1000).max(1)));
        }
        let attempt = Uuid::now_v7().to_string();
        tx.db()
            .insert_login_attempt(&attempt, &keys, now_ms)
            .await?;
        tx.commit().await?;
        Ok(Ok(Reservation { attempt }))
    }

    /// Gives an attempt back: it was never judged (for example, the server was too busy).
    pub async fn refund(&self, store: &Store, reservation: Reservation) -> sqlx::Result<()> {
        store.db().delete_login_attempt(&reservation.attempt).await
    }

    /// A successful sign-in: its attempt was no failure, and the email's earlier failures are
    /// forgotten.
    pub async fn succeeded(
        &self,
        store: &Store,
        reservation: Reservation,
        email: &str,
    ) -> sqlx::Result<()> {
        self.refund(store, reservation).await?;
        store.db().delete_login_attempts_of(&email_key(email)).await
    }
}
