//! The guest's session watcher: it closes a guest's socket when the session ends, the link
//! expires or is replaced, and re-reads the store whenever it may have missed an event.

use switchboard::hub::{Event, RecvError, Subscription};
use switchboard::wire::ServerFrame;
use switchboard::{Actor, Engine, GuestStanding};
use uuid::Uuid;

use super::connection::close;
use super::queue::{Outbox, Queued};

/// What the session watcher should do about a guest's link.
pub(super) enum Standing {
    /// Stay, until the link expires.
    Open(chrono::DateTime<chrono::Utc>),
    /// Close the socket with this code.
    Close(u16, &'static str),
}

/// Reads where a guest's link stands. A store failure closes with 1011, so the browser
/// reconnects; only a real end or expiry closes with 4410, which stops it for good.
pub(super) async fn standing(
    engine: &Engine,
    actor: &Actor,
) -> Result<Standing, (u16, &'static str)> {
    match engine.guest_standing(actor).await {
        Ok(GuestStanding::Open { expires_at }) => Ok(Standing::Open(expires_at)),
        Ok(GuestStanding::Ended) | Err(switchboard::Error::Gone) => {
            Ok(Standing::Close(close::SESSION_ENDED, "session ended"))
        }
        Ok(GuestStanding::LinkReplaced) | Err(switchboard::Error::NotFound(_)) => {
            Ok(Standing::Close(close::LINK_REPLACED, "guest link replaced"))
        }
        Err(err) => {
            tracing::error!(error = %err, "could not check a guest's session");
            Err((close::INTERNAL, "try again"))
        }
    }
}

/// Follows a guest's own session and closes the guest's socket when it ends, expires, or its
/// link is replaced. It re-reads the store whenever it may have missed an event.
pub(super) struct SessionWatcher {
    pub(super) engine: Engine,
    pub(super) actor: Actor,
    pub(super) session_id: Uuid,
    pub(super) expires_at: chrono::DateTime<chrono::Utc>,
    pub(super) outbox: Outbox,
}

impl SessionWatcher {
    pub(super) async fn run(mut self, mut events: Subscription) {
        let close = loop {
            let recheck = tokio::select! {
                event = events.recv() => match event {
                    Ok(Event::Frame { frame: ServerFrame::SessionEnded { session_id }, .. }) if session_id == self.session_id => true,
                    Ok(Event::LinkRotated { session_id }) if session_id == self.session_id => true,
                    Ok(Event::Resync) | Err(RecvError::Lagged(_)) => true,
                    Ok(_) => false,
                    Err(RecvError::Closed) => return,
                },
                _ = self.engine.sleep_until(self.expires_at) => true,
            };
            if !recheck {
                continue;
            }
            match standing(&self.engine, &self.actor).await {
                Ok(Standing::Open(expires_at)) => self.expires_at = expires_at,
                Ok(Standing::Close(code, reason)) => break (code, reason),
                Err(close) => break close,
            }
        };
        if close.0 == close::SESSION_ENDED {
            let ended = ServerFrame::SessionEnded {
                session_id: self.session_id,
            };
            self.outbox.push(Queued::frame(ended)).await;
        }
        self.outbox.push(Queued::Close(close.0, close.1)).await;
    }
}
