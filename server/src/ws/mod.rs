//! `GET /ws`: the handshake (Origin check and authentication, answered with the contract's
//! errors before any upgrade) and the adapter from axum's socket to [`connection::run`].

pub mod connection;
mod followers;
mod forwarder;
mod frames;
mod inbox;
mod queue;
#[cfg(test)]
mod testing;
mod watcher;

use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::Extension;
use futures_util::{FutureExt, SinkExt, StreamExt};
use serde::Deserialize;
use switchboard::auth::Token;
use switchboard::domain::{ClientNetwork, DisplayName};
use switchboard::wire::ServerFrame;
use switchboard::{Actor, Engine};

use crate::error::ApiError;
use crate::extract::SignedIn;
use crate::origin::origin_allowed;
use crate::serve::ConnectionTicket;
use crate::state::AppState;
use connection::{Incoming, Limits, Outgoing};
use watcher::Watched;

/// The transport reads a frame of at most this size (just above the loop's 16 KiB rule) and
/// refuses anything larger before buffering it; both end in a 1009 close.
const TRANSPORT_MAX_MESSAGE: usize = 16 * 1024 + 1024;
/// The read buffer every connection allocates up front: chat frames are small, and a larger
/// frame grows it while it is read (the codec reserves a frame's length once its header is in).
/// 1 KiB instead of 2 took about 1.5 KiB off each idle socket in `loadgen idle`, with the same
/// latency in `loadgen rate`.
const READ_BUFFER_BYTES: usize = 1024;
/// Outgoing frames are flushed once this much is buffered (the buffer grows only as used).
const WRITE_BUFFER_BYTES: usize = 8 * 1024;

#[derive(Deserialize)]
pub struct WsQuery {
    guest_token: Option<String>,
    guest_name: Option<String>,
    widget_token: Option<String>,
}

/// The cap of a credential's live sockets.
fn cap_of(actor: &Actor, settings: &crate::settings::Settings) -> usize {
    match actor {
        Actor::Operator(_) => settings.sockets_per_operator,
        Actor::Guest { .. } | Actor::Customer { .. } => settings.sockets_per_guest_link,
    }
}

/// Who a socket's query says it is: the credential is read once, and both the Origin rule and
/// the authentication follow from it.
enum Credential {
    Guest { token: String, name: Option<String> },
    Customer { token: String },
    Operator,
}

impl From<WsQuery> for Credential {
    fn from(query: WsQuery) -> Self {
        match (query.guest_token, query.widget_token) {
            (Some(token), _) => Self::Guest {
                token,
                name: query.guest_name,
            },
            (None, Some(token)) => Self::Customer { token },
            (None, None) => Self::Operator,
        }
    }
}

async fn authenticate(
    engine: &Engine,
    headers: &HeaderMap,
    credential: Credential,
    client: Option<ClientNetwork>,
) -> Result<(Actor, Option<Watched>, ServerFrame), ApiError> {
    match credential {
        Credential::Guest { token, name } => {
            let name = DisplayName::parse("guest_name", name.as_deref().unwrap_or(""))?;
            let (actor, session) = engine
                .guest_actor(&Token::from_presented(&token), name)
                .await?;
            let welcome = ServerFrame::Welcome {
                identity: actor.identity(),
                conversation_id: Some(session.conversation_id),
                session: Some(session),
            };
            let watched = Watched::of(&actor);
            Ok((actor, watched, welcome))
        }
        Credential::Customer { token } => {
            let (actor, conversation_id) = engine
                .widget_customer(&Token::from_presented(&token), client)
                .await?;
            let welcome = ServerFrame::Welcome {
                identity: actor.identity(),
                conversation_id: Some(conversation_id),
                session: None,
            };
            let watched = Watched::of(&actor);
            Ok((actor, watched, welcome))
        }
        Credential::Operator => {
            let SignedIn { operator, token } = SignedIn::from_headers(engine, headers).await?;
            let watched = Watched::signin(operator.id, token);
            let actor = Actor::Operator(operator);
            let welcome = ServerFrame::Welcome {
                identity: actor.identity(),
                conversation_id: None,
                session: None,
            };
            Ok((actor, Some(watched), welcome))
        }
    }
}

/// The `/ws` handler.
pub async fn handler(
    State(state): State<AppState>,
    ticket: Option<Extension<ConnectionTicket>>,
    client: Option<Extension<ClientNetwork>>,
    headers: HeaderMap,
    query: Result<Query<WsQuery>, axum::extract::rejection::QueryRejection>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadBody(e.body_text()))?;
    let credential = Credential::from(query);
    if let Some(origin) = headers.get(header::ORIGIN) {
        let settings = &state.settings;
        let embed = &settings.widget.embed_origins;
        let allowed = origin.to_str().is_ok_and(|origin| {
            origin_allowed(origin, &settings.public_origin, &settings.allowed_origins)
                // A customer's widget may also speak from the pages that may embed it; a guest
                // or an operator never does.
                || (matches!(credential, Credential::Customer { .. })
                    && (embed.iter().any(|o| o == "*") || origin_allowed(origin, "", embed)))
        });
        if !allowed {
            return Err(switchboard::Error::Forbidden("this origin may not connect").into());
        }
    }
    let client = client.map(|Extension(network)| network);
    let (actor, watched, welcome) =
        authenticate(&state.engine, &headers, credential, client).await?;
    let (key, cap) = (actor.key(), cap_of(&actor, &state.settings));
    let slot = state
        .sockets
        .take(key.clone(), cap)
        .ok_or(switchboard::Error::RateLimited {
            retry_after_secs: 5,
        })?;
    // This node's count refuses first, without a round trip; the engine's counts every node.
    let place = state.engine.take_socket_place(&key, cap).await?;
    // One box for what the upgrade needs: the task axum spawns keeps its closure for life.
    let parts = Box::new((
        state.engine.clone(),
        actor,
        watched,
        welcome,
        place,
        slot,
        ticket,
    ));
    Ok(upgrade
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(WRITE_BUFFER_BYTES)
        .max_write_buffer_size(TRANSPORT_MAX_MESSAGE)
        .max_message_size(TRANSPORT_MAX_MESSAGE)
        .max_frame_size(TRANSPORT_MAX_MESSAGE)
        .on_upgrade(move |socket| {
            let (engine, actor, watched, welcome, place, slot, ticket) = *parts;
            // Customers see whether anyone is here: operators' sockets count while open.
            let online = matches!(actor, Actor::Operator(_)).then(|| engine.operator_online());
            // In this order when the loop ends: presence, the places under the caps, and the
            // connection's share of its address.
            let guards = (online, place, slot, ticket);
            serve_socket(engine, actor, watched, welcome, socket).map(move |()| drop(guards))
        }))
}

/// What a transport error means for the loop: an oversized frame, invalid UTF-8, or gone.
fn transport_error(err: axum::Error) -> Incoming {
    use tungstenite::error::{CapacityError, Error as WsError};
    match err.into_inner().downcast_ref::<WsError>() {
        Some(WsError::Capacity(CapacityError::MessageTooLong { .. })) => Incoming::TooBig,
        Some(WsError::Utf8(_)) => Incoming::NotUtf8,
        _ => Incoming::Close,
    }
}

/// The connection's loop over axum's socket. Not an `async fn`, for the reason
/// [`connection::run`] gives: the loop's future is the whole task.
fn serve_socket(
    engine: Engine,
    actor: Actor,
    watched: Option<Watched>,
    welcome: ServerFrame,
    socket: WebSocket,
) -> impl std::future::Future<Output = ()> {
    let (sink, stream) = socket.split();
    let sink = sink.with(|out: Outgoing| async move {
        Ok::<_, axum::Error>(match out {
            Outgoing::Text(text) => WsMessage::Text(text.into()),
            Outgoing::Ping => WsMessage::Ping(Vec::new().into()),
            Outgoing::Close(code, reason) => WsMessage::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            })),
        })
    });
    let stream = stream
        .map(|item| match item {
            Ok(WsMessage::Text(text)) => Incoming::Text(text.to_string()),
            Ok(WsMessage::Binary(bytes)) => Incoming::Binary(bytes.len()),
            Ok(WsMessage::Ping(_)) | Ok(WsMessage::Pong(_)) => Incoming::Alive,
            Ok(WsMessage::Close(_)) => Incoming::Close,
            Err(err) => transport_error(err),
        })
        .boxed();
    connection::run(
        engine,
        actor,
        watched,
        welcome,
        Box::pin(sink),
        stream,
        Limits::default(),
    )
}
