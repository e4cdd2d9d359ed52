//! An operator's inbox follower: turns "conversation changed" events into
//! `conversation_updated` frames carrying the item as the store has it now, one per conversation
//! for all the changes that arrived together.

use std::future::Future;
use switchboard::hub::{Event, RecvError, Subscription};
use switchboard::wire::ServerFrame;
use switchboard::Engine;
use tokio::sync::broadcast::error::TryRecvError;

use super::followers::off_loop;
use super::queue::{Outbox, Queued};
use switchboard::wire::close;

/// Follows the inbox for one operator connection.
pub(super) struct InboxFollower {
    pub(super) engine: Engine,
    pub(super) outbox: Outbox,
}

/// What a batch of inbox events asks for.
#[derive(Default)]
struct Pending {
    /// Conversations that changed, each once, in the order they first changed.
    changed: Vec<uuid::Uuid>,
    /// Changes may have been missed: the client reloads its list.
    resync: bool,
    /// The bus has closed.
    closed: bool,
}

impl Pending {
    fn add(&mut self, event: Result<Event, RecvError>) {
        match event {
            Ok(Event::ConversationChanged { conversation_id }) => {
                if !self.changed.contains(&conversation_id) {
                    self.changed.push(conversation_id);
                }
            }
            Ok(Event::Resync) | Err(RecvError::Lagged(_)) => self.resync = true,
            Ok(_) => {}
            Err(RecvError::Closed) => self.closed = true,
        }
    }
}

/// Passes an operator's alerts (frames on their own topic) to their connection, until it goes.
/// Not an `async fn`, for the reason [`run`](super::connection::run) gives.
#[allow(clippy::manual_async_fn)] // an async fn would keep its arguments twice
pub(super) fn forward_alerts(mut events: Subscription, outbox: Outbox) -> impl Future<Output = ()> {
    async move {
        loop {
            match events.recv().await {
                Ok(Event::Frame { frame, .. }) => {
                    if !outbox.push(Queued::Frame(frame)).await {
                        return;
                    }
                }
                // An alert missed is not worth a resync: the inbox shows the state.
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            }
        }
    }
}

/// Conversations one batch reads at most; what is left waits for the next batch.
const MAX_BATCH: usize = 64;

impl InboxFollower {
    /// Follows the inbox until the connection goes.
    /// Not an `async fn`, for the reason [`run`](super::connection::run) gives: this future
    /// lives as long as the socket.
    #[allow(clippy::manual_async_fn)] // an async fn would keep `self` twice
    pub(super) fn run(self, mut events: Subscription) -> impl Future<Output = ()> {
        async move {
            loop {
                // Everything already waiting is taken together, so a conversation that changed many
                // times since the last frame is read and sent once, with how it stands now.
                let mut pending = Pending::default();
                pending.add(events.recv().await);
                while pending.changed.len() < MAX_BATCH && !pending.resync && !pending.closed {
                    match events.try_recv() {
                        Ok(event) => pending.add(Ok(event)),
                        Err(TryRecvError::Lagged(n)) => pending.add(Err(RecvError::Lagged(n))),
                        Err(TryRecvError::Closed) => pending.add(Err(RecvError::Closed)),
                        Err(TryRecvError::Empty) => break,
                    }
                }
                if pending.resync {
                    if !self
                        .outbox
                        .push(Queued::frame(ServerFrame::InboxSubscribed))
                        .await
                    {
                        return;
                    }
                    continue;
                }
                for conversation_id in pending.changed {
                    // Read when the event arrives, so the latest change always ends with the
                    // latest item, whatever order concurrent changes were published in.
                    let engine = self.engine.clone();
                    let item = off_loop(async move { engine.inbox_item(conversation_id).await });
                    let conversation = match item.await {
                        None => return,
                        // Not listed until its first message: nothing to update.
                        Some(Ok(conversation)) if conversation.last_message_at.is_none() => {
                            continue
                        }
                        Some(Ok(conversation)) => conversation,
                        Some(Err(switchboard::Error::NotFound(_))) => continue,
                        Some(Err(err)) => {
                            tracing::error!(error = %err, "reading an inbox item failed");
                            self.outbox
                                .push(Queued::Close(close::INTERNAL, "try again"))
                                .await;
                            return;
                        }
                    };
                    let frame = ServerFrame::ConversationUpdated {
                        conversation: Box::new(conversation),
                    };
                    if !self.outbox.push(Queued::frame(frame)).await {
                        return;
                    }
                }
                if pending.closed {
                    return;
                }
            }
        }
    }
}
