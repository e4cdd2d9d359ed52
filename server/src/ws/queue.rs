//! The bounded queue between a connection's forwarders and its loop. A queue that stays full
//! means the peer reads slower than its conversation moves; it is then disconnected, and
//! resumes with `after_seq`.

use std::sync::Arc;
use std::time::Duration;

use switchboard::wire::ServerFrame;
use tokio::sync::{mpsc, Notify};

/// What forwarders hand the loop.
pub(super) enum Queued {
    /// A frame to send. Boxed: the queue allocates its slots in blocks ahead of use, so a
    /// slot's size is paid by every idle connection.
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

/// How long a forwarder waits for room in a full queue before it calls the peer too slow.
const SLOW_PEER_GRACE: Duration = Duration::from_secs(5);

/// The forwarders' side of the outgoing queue. A queue that stays full means the peer reads
/// slower than its conversation moves; it is then disconnected, and resumes with `after_seq`.
#[derive(Clone)]
pub(super) struct Outbox {
    pub(super) tx: mpsc::Sender<Queued>,
    pub(super) overflow: Arc<Notify>,
}

impl Outbox {
    /// Queues a frame, waiting a little for room; `false` once the peer cannot keep up (the
    /// loop then disconnects it) or is gone.
    pub(super) async fn push(&self, item: Queued) -> bool {
        // Room at once is the rule; the timed wait is boxed, so that every idle forwarder's
        // future does not carry a timer.
        let item = match self.tx.try_send(item) {
            Ok(()) => return true,
            Err(mpsc::error::TrySendError::Closed(_)) => return false,
            Err(mpsc::error::TrySendError::Full(item)) => item,
        };
        Box::pin(self.wait_for_room(item)).await
    }

    /// Queues `item` once there is room, or gives up after [`SLOW_PEER_GRACE`].
    async fn wait_for_room(&self, item: Queued) -> bool {
        match self.tx.send_timeout(item, SLOW_PEER_GRACE).await {
            Ok(()) => true,
            Err(mpsc::error::SendTimeoutError::Timeout(_)) => {
                self.overflow.notify_one();
                false
            }
            Err(mpsc::error::SendTimeoutError::Closed(_)) => false,
        }
    }
}
