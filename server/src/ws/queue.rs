//! The bounded queue between a connection's followers and its loop. A queue that stays full
//! means the peer reads slower than its conversation moves; it is then disconnected, and
//! resumes with `after_seq`.
//!
//! Both ends live in the connection's one task (the followers are polled by its loop), so the
//! queue is a list under a lock nobody contends, not a channel. tokio's bounded channel
//! allocated a block of 32 slots and a cache-padded state up front: `heaptrack` put 1.3 KiB of
//! every idle socket's memory in it. This one holds its frames only while they wait.

use std::collections::VecDeque;
use std::future::poll_fn;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Poll, Waker};
use std::time::Duration;

use switchboard::wire::{close, ServerFrame};

/// What forwarders hand the loop.
pub(super) enum Queued {
    /// A frame to send. Boxed, so that a waiting item is small.
    Frame(Box<ServerFrame>),
    /// Close with this code and reason.
    Close(u16, &'static str),
}

impl Queued {
    /// A frame to send.
    pub(super) fn frame(frame: ServerFrame) -> Self {
        Self::Frame(Box::new(frame))
    }
}

/// How long a follower waits for room in a full queue before it calls the peer too slow.
const SLOW_PEER_GRACE: Duration = Duration::from_secs(5);

/// The close a peer too slow for its queue gets, ahead of whatever still waits in it.
const TOO_SLOW: Queued = Queued::Close(close::POLICY, "too slow to keep up; resume with after_seq");

#[derive(Default)]
struct State {
    items: VecDeque<Queued>,
    /// The loop, when it waits for an item.
    taker: Option<Waker>,
    /// Followers waiting for room; all are woken when an item is taken, and each tries again.
    waiting: Vec<Waker>,
    /// A follower gave up waiting for room: the peer is too slow.
    overflowed: bool,
    /// The loop is gone.
    closed: bool,
}

struct Shared {
    capacity: usize,
    state: Mutex<State>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding it leaves nothing half-done: each change is one field.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A queue of at most `capacity` items: the followers' end and the loop's.
pub(super) fn queue(capacity: usize) -> (Outbox, Inbox) {
    let shared = Arc::new(Shared {
        capacity: capacity.max(1),
        state: Mutex::default(),
    });
    (Outbox(shared.clone()), Inbox(shared))
}

/// The followers' end.
#[derive(Clone)]
pub(super) struct Outbox(Arc<Shared>);

impl Outbox {
    /// Queues an item, waiting a little for room; `false` once the peer cannot keep up (the
    /// loop then disconnects it) or the loop is gone.
    pub(super) async fn push(&self, item: Queued) -> bool {
        // Room at once is the rule; the timed wait is boxed, so that every idle follower's
        // future does not carry a timer.
        match self.try_push(item, None) {
            Ok(pushed) => pushed,
            Err(item) => Box::pin(self.wait_for_room(item)).await,
        }
    }

    /// Queues `item` if there is room (`Ok(true)`), or answers `Ok(false)` when the loop is
    /// gone; otherwise hands it back, after noting `waker` (if any) to wake when room is made.
    fn try_push(&self, item: Queued, waker: Option<&Waker>) -> Result<bool, Queued> {
        let mut state = self.0.state();
        if state.closed {
            return Ok(false);
        }
        if state.items.len() >= self.0.capacity {
            if let Some(waker) = waker {
                state.waiting.push(waker.clone());
            }
            return Err(item);
        }
        state.items.push_back(item);
        if let Some(taker) = state.taker.take() {
            taker.wake();
        }
        Ok(true)
    }

    /// Queues `item` once there is room, or gives up after [`SLOW_PEER_GRACE`] and tells the
    /// loop the peer is too slow.
    async fn wait_for_room(&self, item: Queued) -> bool {
        let mut item = Some(item);
        let room = poll_fn(|cx| {
            let Some(waiting) = item.take() else {
                return Poll::Ready(false);
            };
            match self.try_push(waiting, Some(cx.waker())) {
                Ok(pushed) => Poll::Ready(pushed),
                Err(waiting) => {
                    item = Some(waiting);
                    Poll::Pending
                }
            }
        });
        if let Ok(pushed) = tokio::time::timeout(SLOW_PEER_GRACE, room).await {
            return pushed;
        }
        let mut state = self.0.state();
        state.overflowed = true;
        if let Some(taker) = state.taker.take() {
            taker.wake();
        }
        false
    }
}

/// The loop's end. Dropping it refuses every later push.
pub(super) struct Inbox(Arc<Shared>);

impl Inbox {
    /// The next item: the close for a peer too slow first, then the items in the order queued.
    pub(super) fn poll_take(&mut self, cx: &mut std::task::Context<'_>) -> Poll<Queued> {
        let mut state = self.0.state();
        if std::mem::take(&mut state.overflowed) {
            return Poll::Ready(TOO_SLOW);
        }
        let Some(item) = state.items.pop_front() else {
            state.taker = Some(cx.waker().clone());
            return Poll::Pending;
        };
        if state.items.is_empty() {
            // A burst's buffer goes with the burst: an idle socket keeps none.
            state.items = VecDeque::new();
        }
        for waiting in state.waiting.drain(..) {
            waiting.wake();
        }
        Poll::Ready(item)
    }

    /// The next item, as [`Inbox::poll_take`] gives it.
    #[cfg(test)]
    pub(super) async fn take(&mut self) -> Queued {
        poll_fn(|cx| self.poll_take(cx)).await
    }
}

impl Drop for Inbox {
    fn drop(&mut self) {
        let mut state = self.0.state();
        state.closed = true;
        state.items.clear();
        for waiting in state.waiting.drain(..) {
            waiting.wake();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame that carries a number, to tell items apart.
    fn text(n: i64) -> Queued {
        Queued::frame(ServerFrame::Subscribed {
            conversation_id: uuid::Uuid::nil(),
            last_seq: n,
        })
    }

    /// The next item; a queue that never gives one fails the test (on the paused clock, at once).
    async fn next(inbox: &mut Inbox) -> Queued {
        tokio::time::timeout(Duration::from_secs(60), inbox.take())
            .await
            .expect("an item comes out")
    }

    fn number(item: Queued) -> i64 {
        match item {
            Queued::Frame(frame) => match *frame {
                ServerFrame::Subscribed { last_seq, .. } => last_seq,
                _ => panic!("not a test frame"),
            },
            Queued::Close(code, reason) => panic!("a close {code} {reason}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn items_come_out_in_the_order_they_were_queued() {
        let (outbox, mut inbox) = queue(8);
        for n in 1..=5 {
            assert!(outbox.push(text(n)).await);
        }
        for n in 1..=5 {
            assert_eq!(number(next(&mut inbox).await), n);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_push_into_a_full_queue_waits_until_an_item_is_taken() {
        let (outbox, mut inbox) = queue(2);
        assert!(outbox.push(text(1)).await);
        assert!(outbox.push(text(2)).await);
        let pusher = outbox.clone();
        let mut third = tokio::spawn(async move { pusher.push(text(3)).await });
        // With the clock paused, time only moves when every task waits: the push is parked.
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(futures_util::poll!(&mut third).is_pending());
        assert_eq!(number(next(&mut inbox).await), 1);
        let taken = tokio::time::Instant::now();
        assert!(
            third.await.unwrap(),
            "the third item went in once there was room"
        );
        // The take woke the waiting push: the paused clock did not have to move to its timer.
        assert_eq!(taken.elapsed(), Duration::ZERO);
        assert_eq!(number(next(&mut inbox).await), 2);
        assert_eq!(number(next(&mut inbox).await), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_queue_left_full_past_the_grace_closes_the_peer_as_too_slow_ahead_of_its_items() {
        let (outbox, mut inbox) = queue(1);
        assert!(outbox.push(text(1)).await);
        let started = tokio::time::Instant::now();
        assert!(!outbox.push(text(2)).await, "the push gives up");
        assert_eq!(started.elapsed(), SLOW_PEER_GRACE);
        match next(&mut inbox).await {
            Queued::Close(code, reason) => {
                assert_eq!(code, close::POLICY);
                assert!(reason.contains("too slow"), "{reason}");
            }
            Queued::Frame(_) => panic!("the close comes first"),
        }
        assert_eq!(number(next(&mut inbox).await), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_push_after_the_loop_is_gone_is_refused_and_a_waiting_one_gives_up_at_once() {
        let (outbox, inbox) = queue(1);
        assert!(outbox.push(text(1)).await);
        let pusher = outbox.clone();
        let waiting = tokio::spawn(async move { pusher.push(text(2)).await });
        tokio::task::yield_now().await;
        let started = tokio::time::Instant::now();
        drop(inbox);
        assert!(!waiting.await.unwrap());
        assert!(started.elapsed() < SLOW_PEER_GRACE);
        assert!(!outbox.push(text(3)).await);
    }
}
