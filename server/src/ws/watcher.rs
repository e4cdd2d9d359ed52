//! The guest's session watcher: it closes a guest's socket when the session ends, the link
//! expires or is replaced, and re-reads the store whenever it may have missed an event. The
//! customer's token watcher does the same for a widget token that expires or is revoked.

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

/// Reads whether a customer's widget token still holds. A store failure closes with 1011, so
/// the widget reconnects; a token gone closes with 4401, and the widget signs in again.
pub(super) async fn token_standing(
    engine: &Engine,
    actor: &Actor,
) -> Result<Standing, (u16, &'static str)> {
    match engine.customer_standing(actor).await {
        Ok(Some(expires_at)) => Ok(Standing::Open(expires_at)),
        Ok(None) => Ok(Standing::Close(
            close::UNAUTHORIZED,
            "the widget token expired or was revoked",
        )),
        Err(err) => {
            tracing::error!(error = %err, "could not check a customer's widget token");
            Err((close::INTERNAL, "try again"))
        }
    }
}

/// Closes a customer's socket when the widget token it was opened with expires or is revoked
/// (on any node). It re-reads the store whenever it may have missed an event.
pub(super) struct TokenWatcher {
    pub(super) engine: Engine,
    pub(super) actor: Actor,
    pub(super) expires_at: chrono::DateTime<chrono::Utc>,
    pub(super) outbox: Outbox,
}

impl TokenWatcher {
    pub(super) async fn run(mut self, mut events: Subscription) {
        let Actor::Customer { token, .. } = &self.actor else {
            return;
        };
        let token = token.as_str().to_owned();
        let close = loop {
            let recheck = tokio::select! {
                event = events.recv() => match event {
                    Ok(Event::WidgetTokenRevoked { token_hash }) => token_hash == token,
                    Ok(Event::Resync) | Err(RecvError::Lagged(_)) => true,
                    Ok(_) => false,
                    Err(RecvError::Closed) => return,
                },
                _ = self.engine.sleep_until(self.expires_at) => true,
            };
            if !recheck {
                continue;
            }
            match token_standing(&self.engine, &self.actor).await {
                Ok(Standing::Open(expires_at)) => self.expires_at = expires_at,
                Ok(Standing::Close(code, reason)) => break (code, reason),
                Err(close) => break close,
            }
        };
        self.outbox.push(Queued::Close(close.0, close.1)).await;
    }
}
