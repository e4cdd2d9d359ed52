//! The credential watcher: it closes a guest's socket when the session ends, the link expires
//! or is replaced, a customer's socket when the widget token expires or is revoked, and an
//! operator's when the sign-in it was opened with ends (signed out, deactivated, password
//! changed). It re-reads the store whenever it may have missed an event.

use std::future::Future;
use std::sync::Arc;

use switchboard::auth::Token;
use switchboard::hub::{Event, RecvError, Subscription};
use switchboard::wire::ServerFrame;
use switchboard::{Actor, Engine, GuestStanding};
use uuid::Uuid;

use super::followers::off_loop;
use super::queue::{Outbox, Queued};
use switchboard::wire::close;

/// What the watcher should do about a socket's credential.
pub(super) enum Standing {
    /// Stay, until the credential expires.
    Open(chrono::DateTime<chrono::Utc>),
    /// Close the socket with this code.
    Close(u16, &'static str),
}

/// Reads where a socket's credential stands: a guest's link, a customer's widget token or an
/// operator's sign-in. A store failure closes with 1011, so the browser reconnects; only a
/// real end closes with 4410 (a session) or 4401 (a token or sign-in), which stop it.
pub(super) async fn standing(
    engine: &Engine,
    actor: &Actor,
    watched: &Watched,
) -> Result<Standing, (u16, &'static str)> {
    if let Watched::SignIn { token, .. } = watched {
        return match engine.operator_signin(token).await {
            Ok((_, expires_at)) => Ok(Standing::Open(expires_at)),
            Err(switchboard::Error::Unauthorized(_)) => {
                Ok(Standing::Close(close::UNAUTHORIZED, "signed out"))
            }
            Err(err) => {
                tracing::error!(error = %err, "could not check an operator's sign-in");
                Err((close::INTERNAL, "try again"))
            }
        };
    }
    if let Actor::Customer { .. } = actor {
        return match engine.customer_standing(actor).await {
            Ok(Some(expires_at)) => Ok(Standing::Open(expires_at)),
            Ok(None) => Ok(Standing::Close(
                close::UNAUTHORIZED,
                "the widget token expired or was revoked",
            )),
            Err(err) => {
                tracing::error!(error = %err, "could not check a customer's widget token");
                Err((close::INTERNAL, "try again"))
            }
        };
    }
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

/// What a watcher follows.
pub(super) enum Watched {
    /// A guest's support session.
    Session(Uuid),
    /// A customer's widget token, by its stored digest.
    Token(String),
    /// An operator's sign-in.
    SignIn {
        /// The operator.
        operator_id: Uuid,
        /// The session cookie the socket was opened with.
        token: Token,
    },
}

impl Watched {
    /// What `actor`'s socket must be watched for; nothing for an operator.
    pub(super) fn of(actor: &Actor) -> Option<Self> {
        match actor {
            Actor::Guest { session_id, .. } => Some(Self::Session(*session_id)),
            Actor::Customer { token, .. } => Some(Self::Token(token.as_str().to_owned())),
            Actor::Operator(_) => None,
        }
    }

    /// What an operator's socket opened with the sign-in `token` is watched for.
    pub(super) fn signin(operator_id: Uuid, token: Token) -> Self {
        Self::SignIn { operator_id, token }
    }

    /// Whether `event` may have changed where the credential stands.
    fn concerns(&self, event: &Event) -> bool {
        match (self, event) {
            (Self::Session(id), Event::Frame { frame, .. }) => {
                matches!(**frame, ServerFrame::SessionEnded { session_id } if session_id == *id)
            }
            (Self::Session(id), Event::LinkRotated { session_id }) => session_id == id,
            (Self::Token(digest), Event::WidgetTokenRevoked { token_hash }) => token_hash == digest,
            (Self::SignIn { operator_id, .. }, Event::SignInsEnded { operator_id: ended }) => {
                operator_id == ended
            }
            (_, Event::Resync) => true,
            _ => false,
        }
    }
}

/// Follows one socket's credential and closes the socket when it no longer holds.
pub(super) struct Watcher {
    pub(super) engine: Engine,
    pub(super) actor: Arc<Actor>,
    /// Shared with the checks, which run as tasks of their own.
    pub(super) watched: Arc<Watched>,
    pub(super) expires_at: chrono::DateTime<chrono::Utc>,
    pub(super) outbox: Outbox,
}

impl Watcher {
    /// Watches until the credential no longer holds, then queues the close.
    /// Not an `async fn`, for the reason [`run`](super::connection::run) gives: this future
    /// lives as long as the socket.
    #[allow(clippy::manual_async_fn)] // an async fn would keep `self` twice
    pub(super) fn run(mut self, mut events: Subscription) -> impl Future<Output = ()> {
        async move {
            let close = loop {
                let recheck = tokio::select! {
                    event = events.recv() => match event {
                        Ok(event) => self.watched.concerns(&event),
                        Err(RecvError::Lagged(_)) => true,
                        Err(RecvError::Closed) => return,
                    },
                    _ = self.engine.sleep_until(self.expires_at) => true,
                };
                if !recheck {
                    continue;
                }
                let (engine, actor) = (self.engine.clone(), self.actor.clone());
                let watched = self.watched.clone();
                let check = off_loop(async move { standing(&engine, &actor, &watched).await });
                match check.await {
                    Some(Ok(Standing::Open(expires_at))) => self.expires_at = expires_at,
                    Some(Ok(Standing::Close(code, reason))) => break (code, reason),
                    Some(Err(close)) => break close,
                    None => return,
                }
            };
            if let (close::SESSION_ENDED, Watched::Session(session_id)) = (close.0, &*self.watched)
            {
                let ended = ServerFrame::SessionEnded {
                    session_id: *session_id,
                };
                self.outbox.push(Queued::frame(ended)).await;
            }
            self.outbox.push(Queued::Close(close.0, close.1)).await;
        }
    }
}
