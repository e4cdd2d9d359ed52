//! The bus between nodes: PostgreSQL LISTEN/NOTIFY feeding each node's in-process [`Hub`].
//!
//! A publish reaches this node's listeners at once, and the other nodes through `pg_notify` on
//! one channel. A node ignores its own notifications (it delivered them already). When the
//! listening connection drops, sqlx reconnects and listens again; every listener on the node is
//! then told to resync from the store, which covers whatever was published meanwhile.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::{Bus, Event, Hub, Notification, Subscription, Topic};

/// The NOTIFY channel every node listens on.
pub const CHANNEL: &str = "switchboard_events";
/// PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more.
const MAX_PAYLOAD: usize = 7_900;
/// Notifications sent in one statement at most.
const BATCH: usize = 256;
/// How long a batch of notifications is retried before it is dropped.
const GIVE_UP_AFTER: Duration = Duration::from_secs(30);

/// An event as it crosses nodes: sent with the event borrowed, received owned.
#[derive(Debug, Serialize, Deserialize)]
struct Envelope<E> {
    node: Uuid,
    topic: String,
    event: E,
}

/// The PostgreSQL bus of one node. Dropping it stops nothing: its tasks live as long as the
/// runtime (a node has one bus for its whole life).
#[derive(Debug)]
pub struct PgBus {
    node: Uuid,
    local: Arc<Hub>,
    outgoing: mpsc::UnboundedSender<String>,
    reconnects: Arc<AtomicU64>,
}

impl PgBus {
    /// Starts listening on `pool`'s database and returns once the first LISTEN is in place, so
    /// that nothing published after this returns is missed.
    pub async fn start(pool: PgPool) -> anyhow::Result<Arc<Self>> {
        let node = Uuid::now_v7();
        let local = Arc::new(Hub::new());
        let (outgoing, queued) = mpsc::unbounded_channel();
        let reconnects = Arc::new(AtomicU64::new(0));
        let mut listener = PgListener::connect_with(&pool).await?;
        listener.listen(CHANNEL).await?;
        tokio::spawn(send_notifications(pool.clone(), queued));
        tokio::spawn(listen(
            pool,
            listener,
            node,
            local.clone(),
            reconnects.clone(),
        ));
        Ok(Arc::new(Self {
            node,
            local,
            outgoing,
            reconnects,
        }))
    }

    /// This node's id on the bus.
    pub fn node(&self) -> Uuid {
        self.node
    }
}

impl PgBus {
    /// The NOTIFY payload for an event: the event as it crosses nodes; for a message that
    /// would not fit, the message's seq without its body; for another event, a resync of its
    /// topic.
    fn payload(&self, topic: &Topic, event: &Event) -> Option<String> {
        let envelope = |event: &Event| {
            serde_json::to_string(&Envelope {
                node: self.node,
                topic: topic.key(),
                event,
            })
        };
        match envelope(event) {
            Ok(payload) if payload.len() <= MAX_PAYLOAD => Some(payload),
            Ok(payload) => match event {
                // A long message crosses without its body: the other nodes read it back.
                Event::Message {
                    conversation_id,
                    seq,
                    stored: Some(_),
                } => self.payload(
                    topic,
                    &Event::Message {
                        conversation_id: *conversation_id,
                        seq: *seq,
                        stored: None,
                    },
                ),
                // Cannot happen with the other events (ids, seqs, names of at most 100
                // characters); other nodes resync that topic rather than miss it.
                _ => {
                    tracing::error!(bytes = payload.len(), "event too large for NOTIFY");
                    envelope(&Event::Resync).ok()
                }
            },
            Err(err) => {
                tracing::error!(error = %err, "event not serializable");
                None
            }
        }
    }
}

impl Bus for PgBus {
    fn publish(&self, topic: &Topic, event: Event) {
        let payload = self.payload(topic, &event);
        self.local.publish(topic, event);
        if let Some(payload) = payload {
            let _ = self.outgoing.send(payload);
        }
    }

    fn publish_local(&self, topic: &Topic, event: Event) {
        self.local.publish(topic, event);
    }

    fn crossing(&self, topic: &Topic, event: &Event) -> Option<Notification> {
        self.payload(topic, event).map(|payload| Notification {
            channel: CHANNEL,
            payload,
        })
    }

    fn subscribe(&self, topic: &Topic) -> Subscription {
        self.local.subscribe(topic)
    }

    fn topic_count(&self) -> usize {
        self.local.topic_count()
    }

    fn reconnects(&self) -> u64 {
        self.reconnects.load(Ordering::SeqCst)
    }
}

/// Sends queued notifications in order, many per statement; a failed batch is retried with
/// growing pauses so that order is kept.
async fn send_notifications(pool: PgPool, mut queued: mpsc::UnboundedReceiver<String>) {
    let mut batch = Vec::with_capacity(BATCH);
    while queued.recv_many(&mut batch, BATCH).await > 0 {
        let mut pause = Duration::from_millis(50);
        let give_up = tokio::time::Instant::now() + GIVE_UP_AFTER;
        loop {
            let sent =
                sqlx::query("SELECT pg_notify($1, payload) FROM UNNEST($2::text[]) AS payload")
                    .bind(CHANNEL)
                    .bind(&batch)
                    .execute(&pool)
                    .await;
            match sent {
                Ok(_) => break,
                Err(sqlx::Error::PoolClosed) => return,
                Err(err) if tokio::time::Instant::now() >= give_up => {
                    // Their sockets catch up at the next event or reconnect; later events
                    // must not wait behind these for ever.
                    tracing::error!(error = %err, dropped = batch.len(), "could not notify the other nodes; giving up on these events");
                    break;
                }
                Err(err) => {
                    tracing::warn!(error = %err, "could not notify the other nodes; retrying");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(5));
                }
            }
        }
        batch.clear();
    }
}

async fn listen(
    pool: PgPool,
    mut listener: PgListener,
    node: Uuid,
    local: Arc<Hub>,
    reconnects: Arc<AtomicU64>,
) {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => deliver(&local, node, notification.payload()),
            // The connection dropped and sqlx has listened again on a new one: whatever was
            // published in between is only in the store.
            Ok(None) => resynced(&local, &reconnects),
            Err(sqlx::Error::PoolClosed) => return,
            Err(err) => {
                tracing::warn!(error = %err, "the bus listener failed; reconnecting");
                let Some(again) = reconnect(&pool).await else {
                    return;
                };
                listener = again;
                resynced(&local, &reconnects);
            }
        }
    }
}

fn resynced(local: &Hub, reconnects: &AtomicU64) {
    tracing::info!("the bus listener reconnected; every listener on this node resyncs");
    local.resync_all();
    reconnects.fetch_add(1, Ordering::SeqCst);
}

/// A new listening connection; `None` once the pool is closed (the node is stopping).
async fn reconnect(pool: &PgPool) -> Option<PgListener> {
    let mut pause = Duration::from_millis(100);
    loop {
        let attempt = async {
            let mut listener = PgListener::connect_with(pool).await?;
            listener.listen(CHANNEL).await?;
            Ok::<_, sqlx::Error>(listener)
        };
        match attempt.await {
            Ok(listener) => return Some(listener),
            Err(sqlx::Error::PoolClosed) => return None,
            Err(err) => {
                tracing::warn!(error = %err, "the bus listener cannot reconnect yet");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(5));
            }
        }
    }
}

fn deliver(local: &Hub, node: Uuid, payload: &str) {
    let envelope: Envelope<Event> = match serde_json::from_str(payload) {
        Ok(envelope) => envelope,
        Err(err) => {
            tracing::warn!(error = %err, "ignoring a malformed bus notification");
            return;
        }
    };
    if envelope.node == node {
        return;
    }
    match Topic::parse(&envelope.topic) {
        Some(topic) => local.publish(&topic, envelope.event),
        None => {
            tracing::warn!(topic = %envelope.topic, "ignoring a notification for an unknown topic")
        }
    }
}
