//! The writer task's loop. On PostgreSQL it keeps two batches in flight: while one batch's
//! commit waits for the server's WAL flush, the next batch is written in a transaction of its
//! own, so a busy node pays for the flush beside the next batch's statements instead of before
//! them. Order is kept:
//!
//! - A message of the next batch in a conversation of the committing one waits for that
//!   commit at its conversation's row lock (`take_seqs` updates the row), so seqs still follow
//!   commit order.
//! - A batch's messages are announced by its commit task, and the next batch's task starts
//!   only once that one has ended, so this node's subscribers hear batches in commit order.
//! - A batch whose commit fails stored nothing. The next batch, already written, is rolled
//!   back too (its locks would hold the retries up), and the posts of both are tried one by
//!   one, in the order they came, as a failed batch's always are: a sender's later message
//!   cannot take a seq before its earlier one.
//!
//! On SQLite one write lock serialises the file, so a second batch in flight would only wait
//! for it: there the loop stores one batch at a time, as before. Posts that go alone (a
//! collision guard, files) wait for the batch in flight to end first.

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{Job, Parts, Post, Written, MAX_BATCH};

/// The batch committing in the background: it answers with its jobs if its commit failed
/// (their posts are still to store), or with none.
type Committing = JoinHandle<Vec<Job>>;

/// What the loop waits for next: posts (how many came; none when the queue closed), or the
/// end of the batch committing, with the jobs it left to store.
enum Next {
    Posts(usize),
    Ended(Vec<Job>),
}

pub(super) async fn run_writer(writer: Parts, mut queue: mpsc::Receiver<Job>) {
    let writer = Arc::new(writer);
    let pipelined = writer.store.postgres().is_some();
    let mut committing: Option<Committing> = None;
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        // A batch whose commit failed while no other posts came must be stored all the same:
        // the loop waits for either.
        let next = match committing.as_mut() {
            Some(task) => tokio::select! {
                received = queue.recv_many(&mut batch, MAX_BATCH) => Next::Posts(received),
                ended = task => Next::Ended(ended.unwrap_or_default()),
            },
            None => Next::Posts(queue.recv_many(&mut batch, MAX_BATCH).await),
        };
        match next {
            Next::Posts(0) => break,
            Next::Posts(_) => {}
            Next::Ended(failed) => {
                committing = None;
                writer.one_by_one(failed).await;
                continue;
            }
        }
        // Guarded posts, and posts that attach files, go after the batch, each in its own
        // transaction.
        let (alone, rest): (Vec<Job>, Vec<Job>) = batch
            .drain(..)
            .partition(|job| job.post.based_on_seq.is_some() || !job.post.attach.is_empty());
        batch = rest;
        if pipelined && alone.is_empty() && !batch.is_empty() {
            let jobs = std::mem::replace(&mut batch, Vec::with_capacity(MAX_BATCH));
            committing = writer.pipelined(committing.take(), jobs).await;
            continue;
        }
        writer.settle(committing.take()).await;
        let turn = writer.store.writer_turn().await;
        writer.store_jobs(&mut batch).await;
        writer.one_by_one(alone).await;
        drop(turn);
    }
    writer.settle(committing).await;
}

impl Parts {
    /// Writes `jobs` as one batch while `previous` commits, then starts its commit once
    /// `previous` has ended: the batch now committing, if any.
    async fn pipelined(
        self: &Arc<Self>,
        previous: Option<Committing>,
        jobs: Vec<Job>,
    ) -> Option<Committing> {
        let posts: Vec<&Post> = jobs.iter().map(|job| &job.post).collect();
        let written = self.write_batch(&posts).await;
        drop(posts);
        let mut failed = ended(previous).await;
        match written {
            Ok(written) if failed.is_empty() => {
                Some(tokio::spawn(self.clone().commit(written, jobs)))
            }
            Ok(written) => {
                if let Err(err) = written.tx.rollback().await {
                    tracing::warn!(error = %err, "rolling back a batch written after a failed one");
                }
                failed.extend(jobs);
                self.one_by_one(failed).await;
                None
            }
            Err(err) => {
                tracing::warn!(error = %err, posts = jobs.len(), "a batch failed; storing its posts one by one");
                failed.extend(jobs);
                self.one_by_one(failed).await;
                None
            }
        }
    }

    /// Commits a written batch, then announces and answers its posts: none back, or all of
    /// them if the commit failed (nothing of theirs is stored).
    async fn commit(self: Arc<Self>, written: Written, jobs: Vec<Job>) -> Vec<Job> {
        if let Err(err) = written.tx.commit().await {
            tracing::warn!(error = %err, posts = jobs.len(), "a batch failed to commit; storing its posts one by one");
            return jobs;
        }
        self.windows_opened(written.opened);
        for (job, outcome) in jobs.into_iter().zip(written.outcomes) {
            self.finish(job, outcome);
        }
        Vec::new()
    }

    /// Waits for the batch committing, if any, and stores the posts of a failed commit one by
    /// one.
    async fn settle(&self, committing: Option<Committing>) {
        let failed = ended(committing).await;
        self.one_by_one(failed).await;
    }
}

/// The jobs the committing batch, if any, left to store. A commit task that panicked took
/// its jobs with it: their callers hear that the writer dropped their posts.
async fn ended(committing: Option<Committing>) -> Vec<Job> {
    match committing {
        Some(task) => task.await.unwrap_or_default(),
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tokio::task::JoinHandle;
    use uuid::Uuid;

    use crate::clock::SystemClock;
    use crate::domain::{ClientId, MessageBody};
    use crate::hub::{Bus, Event, Hub, Topic};
    use crate::store::{Backend, Store};
    use crate::testing::{test_operator, TestDatabase};
    use crate::wire::Operator;
    use crate::{Actor, Engine, EngineConfig};

    const CONVERSATIONS: usize = 12;
    const POSTERS: usize = 4;
    const EACH: usize = 25;

    /// A new PostgreSQL database with the schema, and a store on it; `None` without PostgreSQL.
    async fn postgres() -> Option<(TestDatabase, Store)> {
        let db = TestDatabase::create(Backend::Postgres).await?;
        let store = Store::connect(&db.url).await.unwrap();
        store.migrate().await.unwrap();
        Some((db, store))
    }

    /// An engine on `store` with no send limit, the hub it announces on, and an operator.
    async fn engine_on(store: &Store) -> (Engine, Arc<Hub>, Operator) {
        let hub = Arc::new(Hub::new());
        let mut config = EngineConfig::new("http://localhost:3000");
        config.sends_per_window = u32::MAX;
        let engine = Engine::with_parts(store.clone(), config, hub.clone(), Arc::new(SystemClock));
        let operator = test_operator(&engine).await;
        (engine, hub, operator)
    }

    /// The seqs of the first `n` messages announced in the conversation, in the order heard.
    fn listen(hub: &Hub, conversation_id: Uuid, n: usize) -> JoinHandle<Vec<i64>> {
        let mut events = hub.subscribe(&Topic::Conversation(conversation_id));
        tokio::spawn(async move {
            let mut seqs = Vec::new();
            while seqs.len() < n {
                if let Event::Message { seq, .. } = events.recv().await.expect("it keeps up") {
                    seqs.push(seq);
                }
            }
            seqs
        })
    }

    /// Posts from several senders at once into each of a few conversations, so that batches
    /// in flight together share conversations; each conversation's listener must hear every
    /// message once, in seq order, with no gap.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn overlapping_batches_on_postgres_are_announced_in_seq_order_without_gaps() {
        let Some((db, store)) = postgres().await else {
            return;
        };
        let (engine, hub, operator) = engine_on(&store).await;

        let mut listeners = Vec::new();
        let mut posters = Vec::new();
        for _ in 0..CONVERSATIONS {
            let (session, _) = engine.create_session(&operator, None).await.unwrap();
            let conversation_id = session.conversation_id;
            listeners.push(listen(&hub, conversation_id, POSTERS * EACH));
            for poster in 0..POSTERS {
                let (engine, actor) = (engine.clone(), Actor::Operator(operator.clone()));
                posters.push(tokio::spawn(async move {
                    for k in 0..EACH {
                        let client = ClientId::parse(&format!("p{poster}-{k}")).unwrap();
                        let body = MessageBody::parse("How can I help?").unwrap();
                        engine
                            .post_message(&actor, conversation_id, body, Some(client))
                            .await
                            .unwrap();
                    }
                }));
            }
        }
        for poster in posters {
            poster.await.unwrap();
        }
        let expected: Vec<i64> = (1..=(POSTERS * EACH) as i64).collect();
        for listener in listeners {
            let seqs = tokio::time::timeout(std::time::Duration::from_secs(10), listener)
                .await
                .expect("every message is announced")
                .unwrap();
            assert_eq!(seqs, expected);
        }
        store.close().await;
        db.drop_database().await;
    }

    /// A message that PostgreSQL refuses only at commit (a deferred trigger) fails its whole
    /// batch there; the batch's other posts, and those of the batch written meanwhile, are
    /// stored one by one, and the listener still hears every stored message in order.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_refused_at_commit_stores_its_other_posts_one_by_one_in_order() {
        let Some((db, store)) = postgres().await else {
            return;
        };
        let pool = store.postgres().unwrap();
        for sql in [
            "CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'refused at commit'; END $$",
            "CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON messages \
             DEFERRABLE INITIALLY DEFERRED FOR EACH ROW \
             WHEN (NEW.content = 'refused at commit') EXECUTE FUNCTION refuse_at_commit()",
        ] {
            sqlx::query(sql).execute(pool).await.unwrap();
        }
        let (engine, hub, operator) = engine_on(&store).await;
        let (session, _) = engine.create_session(&operator, None).await.unwrap();
        let conversation_id = session.conversation_id;
        let stored = POSTERS * EACH - EACH / 5;
        let listener = listen(&hub, conversation_id, stored);

        let mut posters = Vec::new();
        for poster in 0..POSTERS {
            let (engine, actor) = (engine.clone(), Actor::Operator(operator.clone()));
            posters.push(tokio::spawn(async move {
                let mut refused = 0;
                for k in 0..EACH {
                    let content = if poster == 0 && k % 5 == 0 {
                        "refused at commit"
                    } else {
                        "How can I help?"
                    };
                    let client = ClientId::parse(&format!("p{poster}-{k}")).unwrap();
                    let body = MessageBody::parse(content).unwrap();
                    match engine
                        .post_message(&actor, conversation_id, body, Some(client))
                        .await
                    {
                        Ok(_) => assert_ne!(content, "refused at commit"),
                        Err(_) => {
                            assert_eq!(content, "refused at commit");
                            refused += 1;
                        }
                    }
                }
                refused
            }));
        }
        let mut refused = 0;
        for poster in posters {
            refused += poster.await.unwrap();
        }
        assert_eq!(refused, EACH / 5);
        // The last batch refused, with no post after it: it is answered all the same.
        let actor = Actor::Operator(operator.clone());
        let last = engine.post_message(
            &actor,
            conversation_id,
            MessageBody::parse("refused at commit").unwrap(),
            None,
        );
        let answered = tokio::time::timeout(std::time::Duration::from_secs(10), last).await;
        assert!(matches!(answered, Ok(Err(_))), "refused, and answered");
        let seqs = tokio::time::timeout(std::time::Duration::from_secs(10), listener)
            .await
            .expect("every stored message is announced")
            .unwrap();
        assert_eq!(seqs, (1..=stored as i64).collect::<Vec<_>>());
        store.close().await;
        db.drop_database().await;
    }
}
