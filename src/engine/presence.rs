//! Whether any operator is connected, on any node: each node counts its live operator sockets
//! and reports the count to the store on every change and every [`HEARTBEAT`]; a node that
//! has not reported for [`STALE_AFTER`] (it died) no longer counts. The widget shows "no one is
//! here right now" from this.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use uuid::Uuid;

use super::Engine;
use crate::error::Error;
use crate::store::to_millis;

/// How often a node reports its count even when nothing changed.
pub const HEARTBEAT: Duration = Duration::from_secs(30);
/// A report older than this no longer counts.
pub const STALE_AFTER: Duration = Duration::from_secs(90);

/// This node's live operator sockets.
#[derive(Debug)]
pub(crate) struct Presence {
    node_id: String,
    sockets: AtomicI64,
    changed: Notify,
}

impl Presence {
    /// This node's id, as its reports and its viewers' rows carry it.
    pub(crate) fn node_id(&self) -> &str {
        &self.node_id
    }

    pub(crate) fn new() -> Self {
        Self {
            node_id: Uuid::now_v7().to_string(),
            sockets: AtomicI64::new(0),
            changed: Notify::new(),
        }
    }
}

/// Held while an operator's socket is open; dropping it counts the socket out.
#[derive(Debug)]
pub struct OperatorOnline {
    presence: Arc<Presence>,
}

impl Drop for OperatorOnline {
    fn drop(&mut self) {
        self.presence.sockets.fetch_sub(1, Ordering::SeqCst);
        self.presence.changed.notify_one();
    }
}

impl Engine {
    /// Counts an operator's socket in until the returned guard is dropped.
    pub fn operator_online(&self) -> OperatorOnline {
        let presence = self.inner.presence.clone();
        presence.sockets.fetch_add(1, Ordering::SeqCst);
        presence.changed.notify_one();
        OperatorOnline { presence }
    }

    /// Reports this node's count whenever it changes and every heartbeat, until the process
    /// ends. One task per node runs it, so reports are written in order.
    pub async fn report_presence(self) {
        let presence = self.inner.presence.clone();
        // A node without operators has nothing to say: no row counts as none. It writes its
        // zero once after it had some, and while it has some, on every change and heartbeat.
        // A node holding sockets' places reports too: its places count while it is alive.
        let mut reported = 0;
        loop {
            let count = presence.sockets.load(Ordering::SeqCst);
            if count > 0 || reported > 0 || self.inner.places.any_held() {
                let now = to_millis(self.now());
                match self
                    .inner
                    .store
                    .db()
                    .report_presence(&presence.node_id, count, now)
                    .await
                {
                    Ok(()) => reported = count,
                    Err(err) => tracing::warn!(error = %err, "reporting operator presence failed"),
                }
            }
            if let Err(err) = self.sweep_viewers().await {
                tracing::warn!(error = %err, "sweeping the viewers of stopped nodes failed");
            }
            if let Err(err) = self.tidy_socket_places().await {
                tracing::warn!(error = %err, "tidying the sockets' places failed");
            }
            let next = self.now() + chrono::Duration::from_std(HEARTBEAT).expect("30 s fits");
            tokio::select! {
                _ = presence.changed.notified() => {}
                _ = self.sleep_until(next) => {}
            }
        }
    }

    /// Whether any operator has a socket open on any node that reported lately.
    pub async fn operators_online(&self) -> Result<bool, Error> {
        let since = self.now() - chrono::Duration::from_std(STALE_AFTER).expect("90 s fits");
        Ok(self
            .inner
            .store
            .db()
            .operator_sockets_since(to_millis(since))
            .await?
            > 0)
    }
}
