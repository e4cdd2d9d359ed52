//! A connection's followers: the futures that forward its subscriptions, follow the inbox and
//! its alerts, and watch its credential. They run inside the connection's own task, polled by
//! its loop beside the socket, instead of as tasks of their own: a socket is one task, and a
//! frame a follower queues wakes only that task. Their reads of the store are the exception:
//! each runs as a short task of its own ([`off_loop`]), so that a loop busy with a frame never
//! keeps a connection of the pool from going back.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::future::{AbortHandle, Abortable};
use futures_util::stream::{FuturesUnordered, StreamExt};
use uuid::Uuid;

/// What one of a connection's followers follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Followed {
    /// The socket's own credential: a guest's session, a customer's token, an operator's sign-in.
    Watcher,
    /// One subscribed conversation.
    Conversation(Uuid),
    /// The operators' inbox.
    Inbox,
    /// An operator's own alerts.
    Alerts,
}

type Running = Abortable<Pin<Box<dyn Future<Output = ()> + Send>>>;

/// The followers a connection runs, one per [`Followed`].
#[derive(Default)]
pub(super) struct Followers {
    running: FuturesUnordered<Running>,
    handles: HashMap<Followed, AbortHandle>,
}

impl Followers {
    /// Runs `follower` for `followed`, in place of the one that ran for it before.
    pub(super) fn start(
        &mut self,
        followed: Followed,
        follower: impl Future<Output = ()> + Send + 'static,
    ) {
        self.stop(followed);
        let (handle, registration) = AbortHandle::new_pair();
        self.running
            .push(Abortable::new(Box::pin(follower), registration));
        self.handles.insert(followed, handle);
    }

    /// Stops the follower of `followed`, if one runs.
    pub(super) fn stop(&mut self, followed: Followed) {
        if let Some(old) = self.handles.remove(&followed) {
            old.abort();
        }
    }

    /// Stops every follower; their subscriptions go with them.
    pub(super) fn stop_all(&mut self) {
        self.handles.clear();
        self.running = FuturesUnordered::new();
    }

    /// Drives the followers as far as they go now: each until it waits or ends. The loop does
    /// this right before it takes what they queued, so that a frame is sent in the same
    /// wake-up that brought its event.
    pub(super) fn poll_progress(&mut self, cx: &mut Context<'_>) {
        while let Poll::Ready(Some(_)) = self.running.poll_next_unpin(cx) {}
    }
}

/// Runs a follower's read of the store as a task of its own and waits for it; `None` when the
/// runtime stopped it (the server is shutting down).
///
/// A follower is polled only while its connection's loop waits in `select!`. A read it started
/// holds one of the pool's connections until it is polled to its end; if the loop meanwhile
/// awaits the store itself (a post authorizes through the pool), the two wait on each other,
/// and once enough sockets do so at once, the pool is held by reads that nobody polls until its
/// acquire timeout. As a task, the read runs to its end and gives its connection back whatever
/// the loop is doing. Reads are rare beside the events a follower forwards, so the task costs
/// little.
///
/// Not an `async fn`: one would keep `read` inside its own future until first polled, so every
/// follower would carry the largest read it makes for all its life. The read is spawned at the
/// call, and the future returned holds only the task's handle.
pub(super) fn off_loop<F>(read: F) -> impl Future<Output = Option<F::Output>>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let running = tokio::spawn(read);
    async move {
        match running.await {
            Ok(output) => Some(output),
            Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
            Err(_) => None,
        }
    }
}
