//! A forwarder replays one conversation from the store and then follows it live for one
//! connection, skipping what it already sent and reading the store again whenever it may have
//! missed something (a lag, an event from another node, a resync).

use std::sync::Arc;

use switchboard::hub::{Event, RecvError, Subscription};
use switchboard::wire::{Identity, ServerFrame};
use switchboard::Engine;
use uuid::Uuid;

use super::queue::{Outbox, Queued};
use switchboard::wire::close;

/// How many events a replay reads per store query.
const REPLAY_BATCH: i64 = 500;

/// Replays and then follows one conversation for one connection.
pub(super) struct Forwarder {
    pub(super) engine: Engine,
    pub(super) conversation_id: Uuid,
    /// The highest seq handed to the connection so far.
    pub(super) sent_up_to: i64,
    /// The connection's id: its own typing does not come back to it.
    pub(super) connection: Uuid,
    pub(super) is_guest: bool,
    pub(super) outbox: Outbox,
}

impl Forwarder {
    pub(super) async fn run(mut self, mut events: Subscription) {
        if !self.catch_up().await {
            return;
        }
        loop {
            let ok = match events.recv().await {
                Ok(Event::Message {
                    seq,
                    stored: Some(message),
                    ..
                }) if seq == self.sent_up_to + 1 => {
                    self.sent_up_to = seq;
                    self.outbox
                        .push(Queued::frame(ServerFrame::Message {
                            message: Arc::unwrap_or_clone(message),
                        }))
                        .await
                }
                // Already replayed: the seam between backlog and live.
                Ok(Event::Message { seq, .. }) if seq <= self.sent_up_to => true,
                // From another node (no body), or out of order: the store has them all.
                Ok(Event::Message { .. }) | Ok(Event::Resync) => self.catch_up().await,
                Ok(Event::Frame { origin, .. }) if origin == Some(self.connection) => true,
                // Guests hear of the end from their session watcher, which also closes them.
                Ok(Event::Frame {
                    frame: ServerFrame::SessionEnded { .. },
                    ..
                }) if self.is_guest => true,
                Ok(Event::Frame { frame, .. }) => {
                    let frame = for_listener(frame, self.is_guest);
                    self.outbox.push(Queued::frame(frame)).await
                }
                // The watchers close guests that came with the old link and customers whose
                // token went; inbox changes travel on the inbox topic.
                Ok(Event::LinkRotated { .. })
                | Ok(Event::WidgetTokenRevoked { .. })
                | Ok(Event::ConversationChanged { .. }) => true,
                Err(RecvError::Lagged(missed)) => {
                    tracing::debug!(missed, "subscriber lagged; resyncing from the store");
                    self.catch_up().await
                }
                Err(RecvError::Closed) => return,
            };
            if !ok {
                return;
            }
        }
    }

    /// Sends everything stored after `sent_up_to`. `false` when the connection cannot take it.
    async fn catch_up(&mut self) -> bool {
        loop {
            let batch = match self
                .engine
                .read_back(self.conversation_id, self.sent_up_to, REPLAY_BATCH)
                .await
            {
                Ok(batch) => batch,
                Err(err) => {
                    // The socket must not stay open while deaf to this conversation: closing
                    // makes the client reconnect and resume with its after_seq.
                    tracing::error!(error = %err, "replay failed");
                    self.outbox
                        .push(Queued::Close(close::INTERNAL, "try again"))
                        .await;
                    return false;
                }
            };
            let full = batch.len() as i64 == REPLAY_BATCH;
            for message in batch {
                self.sent_up_to = message.seq;
                if !self
                    .outbox
                    .push(Queued::frame(ServerFrame::Message { message }))
                    .await
                {
                    return false;
                }
            }
            if !full {
                return true;
            }
        }
    }
}

/// A frame as one listener gets it: `typing.who` (and, for guests, `read.reader`) carries kind
/// and name only; guests do not need operators' ids.
fn for_listener(frame: ServerFrame, is_guest: bool) -> ServerFrame {
    match frame {
        ServerFrame::Typing {
            conversation_id,
            who,
        } => ServerFrame::Typing {
            conversation_id,
            who: typing_identity(who),
        },
        ServerFrame::Read {
            conversation_id,
            reader,
            up_to_seq,
        } if is_guest => ServerFrame::Read {
            conversation_id,
            reader: typing_identity(reader),
            up_to_seq,
        },
        other => other,
    }
}

/// `typing.who` (and, for guests, `read.reader`) carries kind and name only.
pub(super) fn typing_identity(who: Identity) -> Identity {
    Identity {
        kind: who.kind,
        id: None,
        name: who.name,
    }
}
