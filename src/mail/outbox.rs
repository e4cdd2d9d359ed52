//! The outbox worker. An operator's reply opens an email window in its own transaction (see
//! `Engine::store_message`); when the window is due, the worker claims the job, checks it
//! against the store (still unread by the one rule, not archived, an address, not
//! unsubscribed), fixes which replies it covers, and only then sends. What became of every job
//! is kept, so operators see why an email went or did not.
//!
//! Sending twice is prevented by the claim: a job is claimed in a transaction that moves its
//! `due_at` past the send's longest duration (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so no
//! other worker takes it meanwhile; losing one is prevented by the same row: a claim that is
//! never finished lapses and the job is due again (at once, on a single SQLite node that
//! restarts).

use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;

use super::compose::{compose, host_of, Email, Letter, Reply};
use super::links::{LinkKey, LinkPurpose};
use super::{Mailer, SendError};
use crate::chat::stored_kinds;
use crate::engine::{ttl, Engine};
use crate::error::Error;
use crate::store::emails::{EmailJobRow, EmailTargetRow, ReplyRow};
use crate::store::{from_millis, to_millis, Backend};
use crate::wire::{EmailReason, EmailRecord, EmailStatus, SenderKind};

/// How long a claim for sending holds: longer than any one send may take.
pub(super) const HOLD: Duration = Duration::from_secs(90);
/// The first pause after a failed send; each next one doubles.
const FIRST_RETRY: Duration = Duration::from_secs(30);
/// The longest pause between tries.
const LONGEST_RETRY: Duration = Duration::from_secs(3600);
/// Tries stop this long after the window opened.
pub(super) const GIVE_UP_AFTER: Duration = Duration::from_secs(24 * 3600);
/// The worker looks for jobs other nodes opened at least this often.
const POLL: Duration = Duration::from_secs(30);
/// How long an unsubscribe link works.
const UNSUBSCRIBE_LINK_TTL: Duration = Duration::from_secs(365 * 24 * 3600);
/// Where the link key is kept.
const LINK_SECRET_KEY: &str = "email_link_secret";
/// The most email records a conversation shows.
const HISTORY_LIMIT: i64 = 50;

/// Whether a job's replies are still open to join (a waiting window) or fixed by a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowState {
    /// Waiting: the window takes every unread reply not emailed before.
    Open,
    /// Claimed for sending once: it covers the replies fixed then.
    Fixed,
}

/// Why a job ends without an email.
pub type SkipReason = EmailReason;

/// What the worker does with a due job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Not yet: the first unread reply is younger than the delay. Look again at `until` (ms).
    Wait {
        /// When.
        until: i64,
    },
    /// End without an email.
    Skip {
        /// Why.
        reason: SkipReason,
        /// For [`EmailReason::Read`]: when the last reply was read (ms).
        read_at: Option<i64>,
    },
    /// Send an email covering `replies` (seqs, ascending) to `to`.
    Send {
        /// The replies' seqs.
        replies: Vec<i64>,
        /// The address.
        to: String,
        /// Whether the replies' text may be quoted (a signed address).
        quote: bool,
    },
}

/// Decides what a due job becomes, from what the store holds now: `replies` are the operator
/// replies the job could cover (for an open window, every one not emailed before), `opened_at`
/// is when the window opened, all times in ms. The email goes out when the first unread reply
/// is `delay` old, and never later than 3 × `delay` after the window opened.
pub fn decide(
    window: WindowState,
    opened_at: i64,
    target: &EmailTargetRow,
    replies: &[ReplyRow],
    now: i64,
    delay: Duration,
) -> Decision {
    let unread: Vec<&ReplyRow> = replies.iter().filter(|r| r.read_at.is_none()).collect();
    let Some(first) = unread.first() else {
        let read_at = replies.iter().filter_map(|r| r.read_at).max();
        return Decision::Skip {
            reason: if read_at.is_some() {
                EmailReason::Read
            } else {
                EmailReason::Covered
            },
            read_at,
        };
    };
    let delay = delay.as_millis() as i64;
    if window == WindowState::Open {
        let due = (first.created_at + delay).min(opened_at + 3 * delay);
        if now < due {
            return Decision::Wait { until: due };
        }
    }
    let skip = |reason| Decision::Skip {
        reason,
        read_at: None,
    };
    if target.archived_at.is_some() {
        return skip(EmailReason::Archived);
    }
    // Only an address known to be the customer's gets email: a typed one, or one sent beside
    // a v1 signature, could be anyone's.
    let Some(to) = target
        .email
        .clone()
        .filter(|e| !e.trim().is_empty() && target.email_verified)
    else {
        return skip(EmailReason::NoEmail);
    };
    if target.unsubscribed_at.is_some() {
        return skip(EmailReason::Unsubscribed);
    }
    Decision::Send {
        replies: unread.iter().map(|r| r.seq).collect(),
        to,
        quote: target.email_verified,
    }
}

/// The pause before try number `attempts + 1`, after `attempts` failed ones.
pub(super) fn retry_pause(attempts: i64) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    (FIRST_RETRY * 2u32.pow(doublings)).min(LONGEST_RETRY)
}

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
    job: EmailJobRow,
    email: Email,
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

impl Engine {
    /// The key the email links are signed with: generated once and kept in the database.
    pub(crate) async fn link_key(&self) -> Result<LinkKey, Error> {
        let key = self
            .inner
            .link_key
            .get_or_try_init(|| async {
                let secret = self.instance_secret(LINK_SECRET_KEY).await?;
                Ok::<_, Error>(LinkKey::new(secret))
            })
            .await?;
        Ok(key.clone())
    }

    /// Sends every email that is due now, one after another, and settles every due job.
    pub async fn deliver_due_emails(&self, mailer: &dyn Mailer) -> Result<Delivered, Error> {
        let mut done = Delivered::default();
        loop {
            match self.claim_due_email().await? {
                Step::Idle => return Ok(done),
                Step::Settled(Decision::Wait { .. }) => done.postponed += 1,
                Step::Settled(_) => done.skipped += 1,
                Step::Ready(claimed) => match self.send_claimed(*claimed, mailer).await? {
                    EmailStatus::Sent => done.sent += 1,
                    EmailStatus::Retrying => done.retrying += 1,
                    _ => done.failed += 1,
                },
            }
        }
    }

    /// Looks at the job due first: puts it off, ends it, or claims it for sending (the
    /// replies it covers are fixed by the claim). The claim is committed before anything is
    /// sent, so a worker that dies after it leaves a claim that lapses, never a lost job.
    pub async fn claim_due_email(&self) -> Result<Step, Error> {
        // Read (or made) before the transaction: on SQLite the claim holds the write lock.
        let key = self.link_key().await?;
        let now = self.now();
        let now_ms = to_millis(now);
        let mut tx = self.inner.store.begin().await?;
        let Some(mut job) = tx
            .db()
            .claim_due_email(now_ms, to_millis(now + ttl(HOLD)))
            .await?
        else {
            return Ok(Step::Idle);
        };
        let conversation = job.conversation_id.clone();
        let conversation_id = crate::store::rows::uuid_of("conversation id", &conversation)?;
        let Some(target) = tx.db().email_target(&conversation).await? else {
            return Err(anyhow::anyhow!("an email job's conversation has no customer").into());
        };
        let operators = stored_kinds(SenderKind::Customer.read_senders());
        let (window, from, to) = match job.last_seq {
            None => {
                let from = tx.db().emailed_up_to(&conversation).await? + 1;
                let to = tx.db().last_seq(conversation_id).await?.unwrap_or_default();
                (WindowState::Open, from, to)
            }
            Some(last) => (WindowState::Fixed, job.first_seq, last),
        };
        let replies = tx
            .db()
            .replies_between(&conversation, &operators, from, to)
            .await?;
        let decision = decide(
            window,
            job.opened_at,
            &target,
            &replies,
            now_ms,
            self.inner.config.email.delay,
        );
        let settled_for_good = !matches!(decision, Decision::Wait { .. });
        let ready = match &decision {
            Decision::Wait { until } => {
                job.due_at = *until;
                None
            }
            Decision::Skip { reason, read_at } => {
                job.state = "skipped".to_owned();
                job.outcome = Some(reason.as_str().to_owned());
                job.read_at = *read_at;
                job.finished_at = Some(now_ms);
                job.due_at = now_ms;
                None
            }
            Decision::Send {
                replies: seqs,
                to,
                quote,
            } => {
                let covered: Vec<&ReplyRow> =
                    replies.iter().filter(|r| seqs.contains(&r.seq)).collect();
                job.state = "sending".to_owned();
                job.first_seq = seqs[0];
                job.last_seq = Some(job.last_seq.unwrap_or(seqs[seqs.len() - 1]));
                job.replies = seqs.len() as i64;
                job.recipient = Some(to.clone());
                job.attempts += 1;
                Some(self.letter_for(&key, &job, &target, &covered, *quote)?)
            }
        };
        let step = match ready {
            None => Step::Settled(decision),
            Some(Ok(email)) => Step::Ready(Box::new(Claimed {
                job: job.clone(),
                email,
            })),
            Some(Err(problem)) => {
                job.state = "failed".to_owned();
                job.outcome = Some(EmailReason::Refused.as_str().to_owned());
                job.detail = Some(problem);
                job.finished_at = Some(now_ms);
                Step::Settled(Decision::Skip {
                    reason: EmailReason::Refused,
                    read_at: None,
                })
            }
        };
        tx.db().update_email_job(&job).await?;
        tx.commit().await?;
        if settled_for_good {
            self.conversation_changed(crate::store::rows::uuid_of(
                "conversation id",
                &conversation,
            )?);
        }
        Ok(step)
    }

    /// Composes a claimed job's email; an error says why it cannot be (a stored address that
    /// mail cannot use).
    fn letter_for(
        &self,
        key: &LinkKey,
        job: &EmailJobRow,
        target: &EmailTargetRow,
        covered: &[&ReplyRow],
        quote: bool,
    ) -> Result<Result<Email, String>, Error> {
        let customer = crate::store::rows::uuid_of("customer id", &target.customer_id)?;
        let now = self.now();
        let config = &self.inner.config;
        let chat = key.sign(
            LinkPurpose::Chat,
            customer,
            now + ttl(config.email.chat_link_ttl),
        );
        let leave = key.sign(
            LinkPurpose::Unsubscribe,
            customer,
            now + ttl(UNSUBSCRIBE_LINK_TTL),
        );
        let lang = target
            .locale
            .as_deref()
            .map(|l| format!("?lang={l}"))
            .unwrap_or_default();
        let chat_url = format!("{}/chat/{chat}{lang}", config.public_url);
        let unsubscribe_url = format!("{}/email/unsubscribe/{leave}{lang}", config.public_url);
        let replies: Vec<Reply> = covered
            .iter()
            .map(|r| Reply {
                sender_name: r.sender_name.clone(),
                content: r.content.clone(),
                at: from_millis(r.created_at),
            })
            .collect();
        let host = host_of(&config.public_url);
        let letter = Letter {
            id: &job.id,
            to: job.recipient.as_deref().unwrap_or_default(),
            // A name the host site did not sign never appears in an email.
            name: target.name.as_deref().filter(|_| target.name_verified),
            lang: target.locale.as_deref(),
            replies: &replies,
            quote,
            chat_url: &chat_url,
            unsubscribe_url: &unsubscribe_url,
            date: now,
            host,
        };
        Ok(compose(&config.email, &letter).map_err(|e| format!("the email cannot be built: {e}")))
    }

    /// Sends a claimed job's email and records the outcome: sent; tried again later with a
    /// growing pause (30 s, doubling, at most an hour apart, for a day); or failed for good
    /// when the server refuses it (5xx).
    pub async fn send_claimed(
        &self,
        claimed: Claimed,
        mailer: &dyn Mailer,
    ) -> Result<EmailStatus, Error> {
        let Claimed { mut job, email } = claimed;
        let result = mailer.send(&email).await;
        let now = self.now();
        let now_ms = to_millis(now);
        let status = match result {
            Ok(()) => {
                job.state = "sent".to_owned();
                job.detail = None;
                job.finished_at = Some(now_ms);
                tracing::info!(email = %job.id, replies = job.replies, "sent a reply email");
                EmailStatus::Sent
            }
            Err(SendError::Permanent(detail)) => {
                job.state = "failed".to_owned();
                job.outcome = Some(EmailReason::Refused.as_str().to_owned());
                job.detail = Some(detail);
                job.finished_at = Some(now_ms);
                tracing::warn!(email = %job.id, "the mail server refused a reply email");
                EmailStatus::Failed
            }
            Err(SendError::Transient(detail)) => {
                let next = now + ttl(retry_pause(job.attempts));
                let give_up = from_millis(job.opened_at) + ttl(GIVE_UP_AFTER);
                job.detail = Some(detail);
                if next > give_up {
                    job.state = "failed".to_owned();
                    job.outcome = Some(EmailReason::GaveUp.as_str().to_owned());
                    job.finished_at = Some(now_ms);
                    tracing::warn!(email = %job.id, "gave up sending a reply email");
                    EmailStatus::Failed
                } else {
                    job.state = "retrying".to_owned();
                    job.due_at = to_millis(next);
                    tracing::warn!(email = %job.id, attempts = job.attempts, "a reply email will be tried again");
                    EmailStatus::Retrying
                }
            }
        };
        self.inner.store.db().update_email_job(&job).await?;
        self.conversation_changed(crate::store::rows::uuid_of(
            "conversation id",
            &job.conversation_id,
        )?);
        Ok(status)
    }

    /// Sends reply emails (and confirmation emails) for as long as it runs: at start (a single SQLite node) the claims
    /// an earlier run left are due at once; then every due job is handled, and the worker
    /// sleeps until the next one is due, a reply on this node opens a window, or `POLL` passes
    /// (for windows other nodes opened). Time comes from the engine's clock.
    pub async fn run_email_worker(self, mailer: Arc<dyn Mailer>) {
        tracing::info!("reply emails go to {}", mailer.describe());
        if self.inner.store.backend() == Backend::Sqlite {
            match self.resume_email_claims().await {
                Ok(0) => {}
                Ok(n) => {
                    tracing::warn!(jobs = n, "resuming reply emails an earlier run was sending")
                }
                Err(err) => tracing::warn!(error = %err, "resuming reply emails failed"),
            }
        }
        loop {
            if let Err(err) = self.deliver_due_emails(&*mailer).await {
                tracing::warn!(error = %err, "the reply email worker hit an error");
            }
            if let Err(err) = self.deliver_due_confirmations(&*mailer).await {
                tracing::warn!(error = %err, "sending confirmation emails hit an error");
            }
            let poll = self.now() + ttl(POLL);
            let store = &self.inner.store;
            let reply = store.db().next_email_due().await;
            let next = match (reply, store.db().next_confirmation_due().await) {
                (Ok(reply), Ok(confirmation)) => reply
                    .into_iter()
                    .chain(confirmation)
                    .map(from_millis)
                    .fold(poll, |next, due| next.min(due)),
                (Err(err), _) | (_, Err(err)) => {
                    tracing::warn!(error = %err, "reading when the next email is due failed");
                    poll
                }
            };
            tokio::select! {
                () = self.inner.email_wake.notified() => {}
                () = self.sleep_until(next) => {}
            }
        }
    }

    /// Makes every claim for sending due now. Only for a node that knows no other node works
    /// on its database (SQLite) and has just started: the claims are its earlier run's, which
    /// died while sending. A job sent just before that death goes out again (SMTP cannot tell);
    /// the file transport writes it once.
    pub async fn resume_email_claims(&self) -> Result<u64, Error> {
        Ok(self
            .inner
            .store
            .db()
            .release_email_claims(to_millis(self.now()))
            .await?)
    }

    /// The reply emails of a conversation, newest first, for operators.
    pub async fn email_history(&self, conversation_id: Uuid) -> Result<Vec<EmailRecord>, Error> {
        self.inner
            .store
            .db()
            .last_seq(conversation_id)
            .await?
            .ok_or(Error::NotFound("conversation"))?;
        let rows = self
            .inner
            .store
            .db()
            .email_jobs_of(&conversation_id.to_string(), HISTORY_LIMIT)
            .await?;
        rows.iter().map(record_of).collect()
    }

    /// The customer a link names, when it is valid for `purpose` now.
    pub(crate) async fn customer_of_link(
        &self,
        purpose: LinkPurpose,
        token: &str,
    ) -> Result<Uuid, Error> {
        self.link_key()
            .await?
            .verify(purpose, token, self.now())
            .ok_or(Error::Unauthorized("this link is not valid or has expired"))
    }

    /// Whether the customer of an unsubscribe link gets reply emails.
    pub async fn email_subscription(&self, link: &str) -> Result<bool, Error> {
        let customer = self
            .customer_of_link(LinkPurpose::Unsubscribe, link)
            .await?;
        let at = self
            .inner
            .store
            .db()
            .unsubscribed_at(&customer.to_string())
            .await?
            .ok_or(Error::NotFound("customer"))?;
        Ok(at.is_none())
    }

    /// Stops (or, with `subscribed`, resumes) reply emails for the customer of an unsubscribe
    /// link. Jobs already claimed check it again before every try.
    pub async fn set_email_subscription(&self, link: &str, subscribed: bool) -> Result<(), Error> {
        let customer = self
            .customer_of_link(LinkPurpose::Unsubscribe, link)
            .await?;
        let at = (!subscribed).then(|| to_millis(self.now()));
        if !self
            .inner
            .store
            .db()
            .set_unsubscribed(&customer.to_string(), at)
            .await?
        {
            return Err(Error::NotFound("customer"));
        }
        tracing::info!(subscribed, "a customer changed their reply emails");
        Ok(())
    }
}

/// A stored job as operators see it.
fn record_of(row: &EmailJobRow) -> Result<EmailRecord, Error> {
    let status = match row.state.as_str() {
        "waiting" => EmailStatus::Scheduled,
        "sending" => EmailStatus::Sending,
        "retrying" => EmailStatus::Retrying,
        "sent" => EmailStatus::Sent,
        "skipped" => EmailStatus::Skipped,
        "failed" => EmailStatus::Failed,
        other => return Err(anyhow::anyhow!("stored email state {other:?} is not valid").into()),
    };
    let at = match status {
        EmailStatus::Sent | EmailStatus::Skipped | EmailStatus::Failed => {
            row.finished_at.unwrap_or(row.due_at)
        }
        _ => row.due_at,
    };
    Ok(EmailRecord {
        id: crate::store::rows::uuid_of("email id", &row.id)?,
        status,
        at: from_millis(at),
        reason: row.outcome.as_deref().and_then(EmailReason::parse),
        recipient: row.recipient.clone(),
        replies: row.replies,
        read_at: row.read_at.map(from_millis),
        detail: row.detail.clone(),
        attempts: row.attempts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;
    const DELAY: Duration = Duration::from_secs(300);

    fn target() -> EmailTargetRow {
        EmailTargetRow {
            customer_id: Uuid::now_v7().to_string(),
            email: Some("ann@example.com".to_owned()),
            email_verified: true,
            name: Some("Ann".to_owned()),
            name_verified: true,
            locale: None,
            unsubscribed_at: None,
            archived_at: None,
        }
    }

    fn reply(seq: i64, at_min: i64, read_at_min: Option<i64>) -> ReplyRow {
        ReplyRow {
            seq,
            sender_name: Some("Bob".to_owned()),
            content: format!("reply {seq}"),
            created_at: at_min * MIN,
            read_at: read_at_min.map(|m| m * MIN),
        }
    }

    #[test]
    fn the_email_waits_for_the_first_unread_reply_to_be_delay_old_but_no_longer_than_three_delays()
    {
        let open = WindowState::Open;
        // One reply at 0: due at 5.
        let one = [reply(1, 0, None)];
        assert_eq!(
            decide(open, 0, &target(), &one, 4 * MIN, DELAY),
            Decision::Wait { until: 5 * MIN }
        );
        // The first was read at 3, the second came at 4: due at 9.
        let two = [reply(1, 0, Some(3)), reply(2, 4, None)];
        assert_eq!(
            decide(open, 0, &target(), &two, 5 * MIN, DELAY),
            Decision::Wait { until: 9 * MIN }
        );
        // Replies keep coming and being read: never later than 15.
        let late = [reply(1, 0, Some(1)), reply(2, 13, None)];
        assert_eq!(
            decide(open, 0, &target(), &late, 5 * MIN, DELAY),
            Decision::Wait { until: 15 * MIN }
        );
        assert!(matches!(
            decide(open, 0, &target(), &late, 15 * MIN, DELAY),
            Decision::Send { ref replies, .. } if replies == &[2]
        ));
        // A fixed job (claimed once) does not wait again.
        assert!(matches!(
            decide(WindowState::Fixed, 0, &target(), &one, MIN, DELAY),
            Decision::Send { .. }
        ));
    }

    #[test]
    fn each_check_at_send_time_ends_the_job_with_its_reason() {
        let unread = [reply(1, 0, None), reply(2, 1, None)];
        let at = 6 * MIN;
        let read = [reply(1, 0, Some(2)), reply(2, 1, Some(3))];
        let cases: Vec<(EmailTargetRow, &[ReplyRow], Decision)> = vec![
            (
                target(),
                &read,
                Decision::Skip {
                    reason: EmailReason::Read,
                    read_at: Some(3 * MIN),
                },
            ),
            (
                target(),
                &[],
                Decision::Skip {
                    reason: EmailReason::Covered,
                    read_at: None,
                },
            ),
            (
                EmailTargetRow {
                    archived_at: Some(MIN),
                    ..target()
                },
                &unread,
                Decision::Skip {
                    reason: EmailReason::Archived,
                    read_at: None,
                },
            ),
            (
                EmailTargetRow {
                    email: None,
                    ..target()
                },
                &unread,
                Decision::Skip {
                    reason: EmailReason::NoEmail,
                    read_at: None,
                },
            ),
            (
                EmailTargetRow {
                    unsubscribed_at: Some(MIN),
                    ..target()
                },
                &unread,
                Decision::Skip {
                    reason: EmailReason::Unsubscribed,
                    read_at: None,
                },
            ),
            (
                target(),
                &unread,
                Decision::Send {
                    replies: vec![1, 2],
                    to: "ann@example.com".to_owned(),
                    quote: true,
                },
            ),
            (
                EmailTargetRow {
                    email_verified: false,
                    ..target()
                },
                &unread,
                Decision::Skip {
                    reason: EmailReason::NoEmail,
                    read_at: None,
                },
            ),
        ];
        for (target, replies, expected) in cases {
            assert_eq!(
                decide(WindowState::Open, 0, &target, replies, at, DELAY),
                expected
            );
        }
    }

    #[test]
    fn retries_start_within_30_seconds_and_grow_to_an_hour_apart() {
        assert_eq!(retry_pause(1), Duration::from_secs(30));
        assert_eq!(retry_pause(2), Duration::from_secs(60));
        assert_eq!(retry_pause(5), Duration::from_secs(480));
        assert_eq!(retry_pause(9), Duration::from_secs(3600));
        assert_eq!(retry_pause(60), Duration::from_secs(3600));
    }
}
