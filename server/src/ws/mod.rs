//! `GET /ws`: the handshake (Origin check and authentication, answered with the contract's
//! errors before any upgrade) and the adapter from axum's socket to [`connection::run`].

pub mod connection;

use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use switchboard::auth::Token;
use switchboard::domain::DisplayName;
use switchboard::wire::ServerFrame;
use switchboard::{Actor, Engine};

use crate::api::SignedIn;
use crate::error::ApiError;
use crate::state::AppState;
use connection::{Incoming, Limits, Outgoing};

/// Frames up to this size are read whole; the loop itself closes anything over 16 KiB with 1009.
/// Larger ones are cut off by the transport.
const TRANSPORT_MAX_MESSAGE: usize = 1024 * 1024;
/// Read and write buffers per connection.
const BUFFER_BYTES: usize = 8 * 1024;

#[derive(Deserialize)]
pub struct WsQuery {
    guest_token: Option<String>,
    guest_name: Option<String>,
    widget_token: Option<String>,
}

/// Whether a browser page at `origin` may open a socket: our public origin, one of the allowed
/// origins, or the very host the request was sent to (same origin).
pub fn origin_allowed(
    origin: &str,
    host: Option<&str>,
    public_url: &str,
    allowed: &[String],
) -> bool {
    let origin = origin.trim_end_matches('/');
    let public_origin = public_url
        .find("://")
        .map(|i| {
            let rest = &public_url[i + 3..];
            let end = rest
                .find('/')
                .map(|j| i + 3 + j)
                .unwrap_or(public_url.len());
            &public_url[..end]
        })
        .unwrap_or(public_url);
    if origin.eq_ignore_ascii_case(public_origin)
        || allowed.iter().any(|a| a.eq_ignore_ascii_case(origin))
    {
        return true;
    }
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

async fn authenticate(
    engine: &Engine,
    headers: &HeaderMap,
    query: WsQuery,
) -> Result<(Actor, ServerFrame), ApiError> {
    if let Some(raw) = query.guest_token {
        let name = DisplayName::parse("guest_name", query.guest_name.as_deref().unwrap_or(""))
            .map_err(switchboard::Error::from)?;
        let token = Token::from_presented(&raw);
        let (actor, session) = engine.guest_actor(&token, name).await?;
        let welcome = ServerFrame::Welcome {
            identity: actor.identity(),
            conversation_id: Some(session.conversation_id),
            session: Some(session),
        };
        return Ok((actor, welcome));
    }
    if query.widget_token.is_some() {
        return Err(switchboard::Error::Unauthorized("widget sign-in is not available yet").into());
    }
    let actor = Actor::Operator(SignedIn::from_headers(engine, headers).await?.operator);
    let welcome = ServerFrame::Welcome {
        identity: actor.identity(),
        conversation_id: None,
        session: None,
    };
    Ok((actor, welcome))
}

/// The `/ws` handler.
pub async fn handler(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<WsQuery>, axum::extract::rejection::QueryRejection>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    if let Some(origin) = headers.get(header::ORIGIN) {
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        let allowed = origin.to_str().is_ok_and(|origin| {
            origin_allowed(
                origin,
                host,
                &state.settings.public_url,
                &state.settings.allowed_origins,
            )
        });
        if !allowed {
            return Err(switchboard::Error::Forbidden("this origin may not connect").into());
        }
    }
    let Query(query) = query.map_err(|e| ApiError::BadBody(e.body_text()))?;
    let (actor, welcome) = authenticate(&state.engine, &headers, query).await?;
    let engine = state.engine.clone();
    Ok(upgrade
        .read_buffer_size(BUFFER_BYTES)
        .write_buffer_size(BUFFER_BYTES)
        .max_write_buffer_size(TRANSPORT_MAX_MESSAGE)
        .max_message_size(TRANSPORT_MAX_MESSAGE)
        .max_frame_size(TRANSPORT_MAX_MESSAGE)
        .on_upgrade(move |socket| serve_socket(engine, actor, welcome, socket)))
}

async fn serve_socket(engine: Engine, actor: Actor, welcome: ServerFrame, socket: WebSocket) {
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
            Ok(WsMessage::Close(_)) | Err(_) => Incoming::Close,
        })
        .boxed();
    connection::run(
        engine,
        actor,
        welcome,
        Box::pin(sink),
        stream,
        Limits::default(),
    )
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_own_allowed_and_same_host_origins_pass_and_others_do_not() {
        let allowed = vec!["https://shop.example".to_owned()];
        let public = "https://support.example.com";
        assert!(origin_allowed(
            "https://support.example.com",
            None,
            public,
            &allowed
        ));
        assert!(origin_allowed(
            "https://shop.example",
            None,
            public,
            &allowed
        ));
        assert!(origin_allowed(
            "http://127.0.0.1:3000",
            Some("127.0.0.1:3000"),
            public,
            &allowed
        ));
        assert!(!origin_allowed(
            "https://evil.example",
            Some("support.example.com"),
            public,
            &allowed
        ));
        assert!(!origin_allowed(
            "https://support.example.com.evil",
            None,
            public,
            &allowed
        ));
        assert!(!origin_allowed(
            "null",
            Some("support.example.com"),
            public,
            &allowed
        ));
    }
}
