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

use super::Engine;
use crate::domain::ttl;
use crate::error::Error;
use crate::mail::{compose, host_of, Email, Letter, Reply};
use crate::mail::{decide, retry_pause, Decision, WindowState, GIVE_UP_AFTER};
use crate::mail::{Claimed, Delivered, Step};
use crate::mail::{LinkKey, LinkPurpose};
use crate::mail::{Mailer, SendError};
use crate::store::emails::{EmailJobRow, EmailTargetRow, JobState, ReplyRow};
use crate::store::{from_millis, to_millis, Backend};
use crate::wire::{EmailReason, EmailRecord, EmailStatus, SenderKind};

/// How long a claim for sending holds: longer than any one send may take.
pub(super) const HOLD: Duration = Duration::from_secs(90);
/// The worker looks for jobs other nodes opened at least this often.
const POLL: Duration = Duration::from_secs(30);
/// How long an unsubscribe link works.
const UNSUBSCRIBE_LINK_TTL: Duration = Duration::from_secs(365 * 24 * 3600);
/// The most email records a conversation shows.
const HISTORY_LIMIT: i64 = 50;

impl Engine {
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
        let conversation_id = crate::store::rows::uuid_of("conversation id", &job.conversation_id)?;
        let Some(target) = tx.db().email_target(conversation_id).await? else {
            return Err(anyhow::anyhow!("an email job's conversation has no customer").into());
        };
        let operators = SenderKind::Customer.read_senders();
        let (window, from, to) = match job.last_seq {
            None => {
                let from = tx.db().emailed_up_to(conversation_id).await? + 1;
                let to = tx.db().last_seq(conversation_id).await?.unwrap_or_default();
                (WindowState::Open, from, to)
            }
            Some(last) => (WindowState::Fixed, job.first_seq, last),
        };
        let replies = tx
            .db()
            .replies_between(conversation_id, operators, from, to)
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
                job.state = JobState::Skipped;
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
                job.state = JobState::Sending;
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
                job.state = JobState::Failed;
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
            self.conversation_changed(conversation_id);
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
            .map(|r| {
                Ok(Reply {
                    sender_name: r.sender_name.clone(),
                    content: r.content.clone(),
                    at: from_millis(r.created_at),
                    files: crate::store::rows::attachments_of(r.attachments.as_deref())?
                        .into_iter()
                        .map(|file| file.name)
                        .collect(),
                })
            })
            .collect::<Result<_, crate::store::Corrupt>>()?;
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
            host: &host,
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
                job.state = JobState::Sent;
                job.detail = None;
                job.finished_at = Some(now_ms);
                tracing::info!(email = %job.id, replies = job.replies, "sent a reply email");
                EmailStatus::Sent
            }
            Err(SendError::Permanent(detail)) => {
                job.state = JobState::Failed;
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
                    job.state = JobState::Failed;
                    job.outcome = Some(EmailReason::GaveUp.as_str().to_owned());
                    job.finished_at = Some(now_ms);
                    tracing::warn!(email = %job.id, "gave up sending a reply email");
                    EmailStatus::Failed
                } else {
                    job.state = JobState::Retrying;
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
        let _ = self.inner.mailer.set(mailer.clone());
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
        self.emails_of(conversation_id, HISTORY_LIMIT).await
    }

    /// At most `limit` reply emails of a conversation, newest first.
    pub(crate) async fn emails_of(
        &self,
        conversation_id: Uuid,
        limit: i64,
    ) -> Result<Vec<EmailRecord>, Error> {
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
            .email_jobs_of(conversation_id, limit)
            .await?;
        rows.iter().map(record_of).collect()
    }
}

/// A stored job as operators see it.
fn record_of(row: &EmailJobRow) -> Result<EmailRecord, Error> {
    let status = match row.state {
        JobState::Waiting => EmailStatus::Scheduled,
        JobState::Sending => EmailStatus::Sending,
        JobState::Retrying => EmailStatus::Retrying,
        JobState::Sent => EmailStatus::Sent,
        JobState::Skipped => EmailStatus::Skipped,
        JobState::Failed => EmailStatus::Failed,
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
