//! Group commit: one writer task per engine stores every posted message. Posts queue to it; it
//! takes whatever has queued (up to [`MAX_BATCH`]) and stores the lot in one transaction, so a
//! busy server pays one commit (one turn of SQLite's write lock, one PostgreSQL WAL flush) per
//! batch instead of per message. Nothing is acknowledged before its batch has committed; the
//! batch's messages are published in commit order, before any caller hears back, so this
//! node's subscribers never see seqs out of order. A batch that fails (a post's conversation
//! raced on another node, say) is rolled back whole and every post in it is tried again on its
//! own, so one post cannot fail the others. A post with a collision guard is stored in a
//! transaction of its own, where the guard's check and the insert see the same locked seq.
//! On PostgreSQL the next batch is written while one commits (see `pipeline.rs`).
//!
//! Durability: each message is acknowledged only once committed. On SQLite that is
//! `synchronous = NORMAL` in WAL mode (see `store::open_sqlite`): a committed message survives
//! the process being killed, and a power cut may lose the last commits before the next
//! checkpoint. WAL checkpoints run beside the writer (`Engine::run_checkpoints`), not inside
//! a commit. On PostgreSQL it is the server's own `synchronous_commit`.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, Notify};
use uuid::Uuid;

use crate::domain::ttl;
use crate::error::Error;
use crate::hub::{Bus, Event, Topic};
use crate::store::{
    is_unique_violation, Inserted, MessageRow, NewMessageRow, Posting, SessionGuard, Store, Tx,
};
use crate::wire::Message;

mod pipeline;
mod stage;

pub(crate) use stage::notify_all;
use stage::Staged;

/// The most posts one transaction takes.
pub(crate) const MAX_BATCH: usize = 256;
/// Posts that may wait for the writer before posting waits for room.
const QUEUE: usize = 4 * MAX_BATCH;

/// A message to store, as [`Writer::store`] takes it.
pub(crate) struct Post {
    pub(crate) conversation_id: Uuid,
    pub(crate) new: NewMessageRow,
    pub(crate) reopens: bool,
    pub(crate) emails: bool,
    /// The collision guard: the highest seq the sender's view had. A message from anyone else
    /// after it refuses the post with [`Error::Collision`].
    pub(crate) based_on_seq: Option<i64>,
    /// The ids of the uploaded files it attaches (checked by the engine; attached here, in the
    /// message's transaction, only if none was attached elsewhere meanwhile).
    pub(crate) attach: Vec<String>,
    /// What its conversation's session must be, checked in the message's transaction.
    pub(crate) guard: Option<SessionGuard>,
}

/// What storing a post came to; `None` when the conversation does not exist.
pub(crate) type Stored = Option<StoredPost>;

/// A post's message as stored, read back once for every use: the caller's answer, this node's
/// listeners and the other nodes' notification.
pub(crate) struct StoredPost {
    /// The stored row.
    pub(crate) row: MessageRow,
    /// The row as the wire shows it.
    pub(crate) message: Arc<Message>,
    /// Whether this post stored it (not an earlier post of the same key).
    pub(crate) created: bool,
}

impl StoredPost {
    fn of(row: MessageRow, created: bool) -> Result<Self, Error> {
        let message = Arc::new(row.to_message()?);
        Ok(Self {
            row,
            message,
            created,
        })
    }
}

struct Job {
    post: Post,
    done: oneshot::Sender<Result<Stored, Error>>,
}

/// The queue to the writer task.
#[derive(Debug)]
pub(crate) struct Writer {
    jobs: mpsc::Sender<Job>,
}

/// What the writer task stores with and tells: the store, the bus, when a reply's email
/// window is due, and the email worker to wake.
pub(crate) struct Parts {
    pub(crate) store: Store,
    pub(crate) bus: Arc<dyn Bus>,
    pub(crate) email_delay: Duration,
    pub(crate) email_wake: Arc<Notify>,
}

impl Writer {
    /// Starts the writer task. It ends when the `Writer` (and with it the queue) is dropped.
    pub(crate) fn start(parts: Parts) -> Self {
        let (jobs, queue) = mpsc::channel(QUEUE);
        tokio::spawn(pipeline::run_writer(parts, queue));
        Self { jobs }
    }

    /// Stores `post` in the next batch; answers once that batch has committed and the message
    /// has been published.
    pub(crate) async fn store(&self, post: Post) -> Result<Stored, Error> {
        let (done, answer) = oneshot::channel();
        self.jobs
            .send(Job { post, done })
            .await
            .map_err(|_| anyhow::anyhow!("the message writer has stopped"))?;
        answer
            .await
            .map_err(|_| anyhow::anyhow!("the message writer dropped a post"))?
    }
}

impl Parts {
    /// Stores the jobs as one batch (one by one if the batch fails), answering each.
    async fn store_jobs(&self, batch: &mut Vec<Job>) {
        if batch.is_empty() {
            return;
        }
        let posts: Vec<&Post> = batch.iter().map(|job| &job.post).collect();
        match self.store_batch(&posts).await {
            Ok(outcomes) => {
                for (job, outcome) in batch.drain(..).zip(outcomes) {
                    self.finish(job, outcome);
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, posts = batch.len(), "a batch failed; storing its posts one by one");
                self.one_by_one(batch.drain(..)).await;
            }
        }
    }

    /// Stores each job's post in a transaction of its own, in order, answering each.
    async fn one_by_one(&self, jobs: impl IntoIterator<Item = Job>) {
        for job in jobs {
            let outcome = self.store_message(&job.post).await;
            self.finish(job, outcome);
        }
    }
}

impl Parts {
    /// Announces a post the writer stored (in the order it is called: commit order), then
    /// answers its caller.
    fn finish(&self, job: Job, outcome: Result<Stored, Error>) {
        if let Ok(Some(stored)) = &outcome {
            if stored.created {
                self.announce(&stored.message);
            }
        }
        let _ = job.done.send(outcome);
    }
}

impl Parts {
    /// Stores a message in one transaction of its own: the stored row and whether this call
    /// stored it; `None` when the conversation does not exist. Two posts of one key that race
    /// (on two nodes) both end with the one stored message.
    pub(crate) async fn store_message(&self, post: &Post) -> Result<Stored, Error> {
        for _ in 0..2 {
            let mut tx = self.store.begin().await?;
            let (stored, opened) = match self.stage_message(&mut tx, post).await {
                Err(Error::Internal(err))
                    if err
                        .downcast_ref::<sqlx::Error>()
                        .is_some_and(is_unique_violation) =>
                {
                    continue
                }
                stored => stored?,
            };
            if stored.as_ref().is_some_and(|stored| stored.created) {
                match tx.commit().await {
                    Err(err) if is_unique_violation(&err) => continue,
                    done => done?,
                }
                self.windows_opened(opened);
            }
            return Ok(stored);
        }
        let existing = self
            .store
            .db()
            .message_by_client_id(&post.new.conversation_id, &post.new.client_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("a message key kept conflicting"))?;
        Ok(Some(StoredPost::of(existing, false)?))
    }

    /// Stores several posts in one transaction (the writer's group commit): each post's
    /// outcome, in order (a post its session's guard refused is an error of its own). Any
    /// other failure fails them all, and nothing is committed.
    pub(crate) async fn store_batch(
        &self,
        posts: &[&Post],
    ) -> Result<Vec<Result<Stored, Error>>, Error> {
        if let Some(direct) = self.store.direct_writer() {
            let postings = posts.iter().map(|post| self.posting(post)).collect();
            let batch = direct.store(postings).await?;
            self.windows_opened(batch.windows_opened);
            return Ok(batch.inserted.into_iter().map(stored_of).collect());
        }
        let written = self.write_batch(posts).await?;
        written.tx.commit().await?;
        self.windows_opened(written.opened);
        Ok(written.outcomes)
    }

    /// Writes several posts inside one transaction of the pool, uncommitted: the transaction
    /// and each post's outcome, as [`Parts::store_batch`] answers them.
    async fn write_batch(&self, posts: &[&Post]) -> Result<Written, Error> {
        let mut tx = self.store.begin().await?;
        let news: Vec<&NewMessageRow> = posts.iter().map(|post| &post.new).collect();
        let guards: Vec<Option<&SessionGuard>> =
            posts.iter().map(|post| post.guard.as_ref()).collect();
        let batch = tx.insert_guarded(&news, &guards).await?;
        let mut outcomes = Vec::with_capacity(posts.len());
        let mut staged = Staged::default();
        for (post, inserted) in posts.iter().zip(batch.inserted) {
            // A refused post is its own outcome; any other failure fails the batch.
            if let Inserted::Refused(refusal) = inserted {
                outcomes.push(Err(refusal.into()));
                continue;
            }
            let archived = batch.archived.contains(&post.new.conversation_id);
            outcomes.push(Ok(self
                .stage_effects(&mut tx, post, inserted, archived, &mut staged)
                .await?));
        }
        let opened = staged.write(&mut tx).await?;
        Ok(Written {
            tx,
            outcomes,
            opened,
        })
    }

    /// A post as the writer's own SQLite connection stores it, with the effects
    /// [`Parts::stage_effects`] would stage (it attaches no files: such posts go alone).
    fn posting(&self, post: &Post) -> Posting {
        Posting {
            new: post.new.clone(),
            reopen_note: post.reopens.then(|| Uuid::now_v7().to_string()),
            email_window: post.emails.then(|| {
                (
                    Uuid::now_v7().to_string(),
                    ttl(self.email_delay).num_milliseconds(),
                )
            }),
            guard: post.guard.clone(),
        }
    }

    /// Tells this node's listeners of a message just committed (the other nodes heard of it
    /// through the commit itself, see [`Parts::stage_effects`]).
    pub(crate) fn announce(&self, message: &Arc<Message>) {
        let conversation_id = message.conversation_id;
        self.bus.publish_local(
            &Topic::Conversation(conversation_id),
            Event::message(message.clone()),
        );
        self.bus.publish(
            &Topic::Inbox,
            Event::ConversationChanged { conversation_id },
        );
    }
}

/// What an insert that needs nothing more came to.
fn stored_of(inserted: Inserted) -> Result<Stored, Error> {
    Ok(match inserted {
        Inserted::New(row) => Some(StoredPost::of(row, true)?),
        Inserted::Existing(row) => Some(StoredPost::of(row, false)?),
        Inserted::NoConversation => None,
        Inserted::Refused(refusal) => return Err(refusal.into()),
    })
}

/// A batch written inside its transaction, not yet committed.
struct Written {
    tx: Tx,
    /// Each post's outcome, in order, once the transaction commits.
    outcomes: Vec<Result<Stored, Error>>,
    /// The reply-email windows it opens.
    opened: u64,
}

impl Parts {
    /// Wakes the email worker when committed posts opened reply-email windows: it sleeps until
    /// the earliest window it knows of is due.
    fn windows_opened(&self, opened: u64) {
        if opened > 0 {
            self.email_wake.notify_one();
        }
    }
}
