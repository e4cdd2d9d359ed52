//! A forwarder replays one conversation from the store and then follows it live for one
//! connection, skipping what it already sent and reading the store again whenever it may have
//! missed something (a lag, an event from another node, a resync).

use std::future::Future;
use std::sync::Arc;

use switchboard::hub::{Event, RecvError, Subscription};
use switchboard::wire::{Identity, ServerFrame};
use switchboard::{Actor, Engine};
use uuid::Uuid;

use super::followers::off_loop;
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
    /// Who listens: guests and customers never get private notes or viewers. Shared with the
    /// reads of the store, which run as tasks of their own.
    pub(super) actor: Arc<Actor>,
    pub(super) outbox: Outbox,
}

impl Forwarder {
    /// Follows the conversation until the connection goes. The reads of the store are boxed:
    /// a task's future is as large as its largest await, and an idle subscription would pay
    /// for the store's futures all its life. Not an `async fn`, for the reason
    /// [`run`](super::connection::run) gives.
    #[allow(clippy::manual_async_fn)] // an async fn would keep `self` twice
    pub(super) fn run(mut self, mut events: Subscription) -> impl Future<Output = ()> {
        async move {
            let is_guest = !self.actor.sees_notes();
            if !Box::pin(self.catch_up()).await {
                return;
            }
            loop {
                let ok = match events.recv().await {
                    // A note is not for guests and customers: their cursor skips its seq.
                    Ok(Event::Message {
                        seq,
                        stored: Some(message),
                        ..
                    }) if seq == self.sent_up_to + 1 && message.internal && is_guest => {
                        self.sent_up_to = seq;
                        true
                    }
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
                    Ok(Event::Message { .. }) | Ok(Event::Resync) => {
                        Box::pin(self.catch_up()).await
                    }
                    Ok(Event::Frame { origin, .. }) if origin == Some(self.connection) => true,
                    // Guests hear of the end from their session watcher, which also closes them;
                    // typing a note is for operators' eyes only.
                    Ok(Event::Frame { frame, .. })
                        if is_guest
                            && matches!(
                                *frame,
                                ServerFrame::SessionEnded { .. }
                                    | ServerFrame::Typing { internal: true, .. }
                            ) =>
                    {
                        true
                    }
                    Ok(Event::Frame { frame, .. }) => {
                        let frame = for_listener(*frame, is_guest);
                        self.outbox.push(Queued::frame(frame)).await
                    }
                    Ok(Event::ViewersChanged { .. }) if is_guest => true,
                    Ok(Event::ViewersChanged { .. }) => Box::pin(self.send_viewers()).await,
                    // The watchers close guests that came with the old link, customers whose
                    // token went and operators signed out; inbox changes travel on the inbox topic.
                    Ok(Event::LinkRotated { .. })
                    | Ok(Event::WidgetTokenRevoked { .. })
                    | Ok(Event::SignInsEnded { .. })
                    | Ok(Event::ConversationChanged { .. }) => true,
                    Err(RecvError::Lagged(missed)) => {
                        tracing::debug!(missed, "subscriber lagged; resyncing from the store");
                        Box::pin(self.catch_up()).await
                    }
                    Err(RecvError::Closed) => return,
                };
                if !ok {
                    return;
                }
            }
        }
    }

    /// Sends an operator who views the conversation now (on a change only: a v1 client that
    /// never says what it views gets no frame it does not know). `false` when the connection cannot
    /// take it.
    async fn send_viewers(&mut self) -> bool {
        let (engine, conversation_id) = (self.engine.clone(), self.conversation_id);
        let Some(read) = off_loop(async move { engine.viewers(conversation_id).await }).await
        else {
            return false;
        };
        match read {
            Ok(operators) => {
                self.outbox
                    .push(Queued::frame(ServerFrame::Viewers {
                        conversation_id: self.conversation_id,
                        operators,
                    }))
                    .await
            }
            // Viewers are a courtesy: a failed read is logged, and the next change tries again.
            Err(err) => {
                tracing::warn!(error = %err, "reading viewers failed");
                true
            }
        }
    }

    /// Sends everything stored after `sent_up_to`. `false` when the connection cannot take it.
    async fn catch_up(&mut self) -> bool {
        loop {
            let (engine, actor) = (self.engine.clone(), self.actor.clone());
            let (conversation_id, after) = (self.conversation_id, self.sent_up_to);
            let read = off_loop(async move {
                engine
                    .read_back(&actor, conversation_id, after, REPLAY_BATCH)
                    .await
            });
            let batch = match read.await {
                None => return false,
                Some(Ok(batch)) => batch,
                Some(Err(err)) => {
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
            internal,
        } => ServerFrame::Typing {
            conversation_id,
            who: typing_identity(who),
            internal,
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use switchboard::domain::MessageBody;
    use switchboard::hub::{Event, Subscription};
    use switchboard::wire::ServerFrame;
    use switchboard::{Actor, Engine};
    use uuid::Uuid;

    use super::*;
    use crate::ws::queue::{queue, Inbox};
    use crate::ws::testing::engine_with_session;

    /// Posts `texts` as the operator and returns the stored messages.
    async fn post_all(
        engine: &Engine,
        actor: &Actor,
        conv: Uuid,
        texts: std::ops::Range<i32>,
    ) -> Vec<switchboard::wire::Message> {
        let mut stored = Vec::new();
        for i in texts {
            let body = MessageBody::parse(&format!("m{i}")).unwrap();
            stored.push(
                engine
                    .post_message(actor, conv, body, None)
                    .await
                    .unwrap()
                    .message,
            );
        }
        stored
    }

    /// A barrier for "nothing else was queued": posts one more message and publishes it; the
    /// forwarder handles events in order, so the next queued frame must be this message.
    async fn next_is_fresh_message(
        engine: &Engine,
        actor: &Actor,
        conv: Uuid,
        events: &tokio::sync::broadcast::Sender<Event>,
        queued: &mut Inbox,
    ) -> bool {
        let n = engine.read_back(actor, conv, 0, 1000).await.unwrap().len();
        let n = n as i32;
        let fresh = post_all(engine, actor, conv, n..n + 1).await.remove(0);
        let _ = events.send(Event::message(fresh.clone()));
        queued_seqs(queued, 1).await == vec![fresh.seq]
    }

    /// Frames queued by a forwarder, as message seqs.
    async fn queued_seqs(rx: &mut Inbox, n: usize) -> Vec<i64> {
        let mut seqs = Vec::new();
        while seqs.len() < n {
            let item = tokio::time::timeout(Duration::from_secs(5), rx.take())
                .await
                .expect("a frame within 5 s");
            if let Queued::Frame(frame) = item {
                if let ServerFrame::Message { message } = *frame {
                    seqs.push(message.seq);
                }
            }
        }
        seqs
    }

    #[tokio::test]
    async fn a_forwarder_fills_gaps_skips_duplicates_and_resyncs_after_lagging() {
        let (engine, actor, conv, _dir) = engine_with_session().await;
        let stored = post_all(&engine, &actor, conv, 0..6).await;
        // A channel the test controls, with room for one event only.
        let (events, rx) = tokio::sync::broadcast::channel(1);
        let (outbox, mut queued) = queue(64);
        let forwarder = Forwarder {
            engine: engine.clone(),
            conversation_id: conv,
            sent_up_to: 1,
            connection: Uuid::nil(),
            actor: Arc::new(actor.clone()),
            outbox,
        };
        let task = tokio::spawn(forwarder.run(Subscription::detached(rx)));
        // The replay after seq 1: 2..=6 from the store, each once.
        assert_eq!(queued_seqs(&mut queued, 5).await, vec![2, 3, 4, 5, 6]);
        // A duplicate of what was sent is skipped.
        let _ = events.send(Event::message(stored[5].clone()));
        assert!(next_is_fresh_message(&engine, &actor, conv, &events, &mut queued).await);

        // Three new messages whose events overflow the one-slot channel before the forwarder
        // runs again (this test's runtime has one thread): it lags, and the store fills in.
        let later = post_all(&engine, &actor, conv, 7..10).await;
        for message in &later {
            let _ = events.send(Event::message(message.clone()));
        }
        assert_eq!(queued_seqs(&mut queued, 3).await, vec![8, 9, 10]);
        assert!(next_is_fresh_message(&engine, &actor, conv, &events, &mut queued).await);

        // A later message published before an earlier one: both arrive, in order, once.
        let pair = post_all(&engine, &actor, conv, 11..13).await;
        let _ = events.send(Event::message(pair[1].clone()));
        assert_eq!(queued_seqs(&mut queued, 2).await, vec![12, 13]);
        let _ = events.send(Event::message(pair[0].clone()));
        assert!(next_is_fresh_message(&engine, &actor, conv, &events, &mut queued).await);

        // An event from another node carries only the seq: the message is read from the store.
        let remote = post_all(&engine, &actor, conv, 14..15).await.remove(0);
        let _ = events.send(Event::Message {
            conversation_id: conv,
            seq: remote.seq,
            stored: None,
        });
        assert_eq!(queued_seqs(&mut queued, 1).await, vec![15]);

        // A resync (the node's bus reconnected) reads whatever the store has beyond what was sent.
        let missed = post_all(&engine, &actor, conv, 15..17).await;
        assert_eq!(missed.len(), 2);
        let _ = events.send(Event::Resync);
        assert_eq!(queued_seqs(&mut queued, 2).await, vec![16, 17]);
        task.abort();
    }
}
