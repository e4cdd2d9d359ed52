//! A small WebSocket client over tokio-tungstenite for the tests.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A connected test socket.
pub struct Socket(pub WebSocketStream<MaybeTlsStream<TcpStream>>);

/// How a handshake went.
pub enum Handshake {
    /// Upgraded.
    Open(Box<Socket>),
    /// Refused with an HTTP status and body.
    Refused(u16, Value),
}

/// Opens `url` with extra headers.
pub async fn connect(url: &str, headers: &[(&str, &str)]) -> Handshake {
    let mut request = url.into_client_request().expect("request");
    for (k, v) in headers {
        request.headers_mut().insert(
            axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((stream, _)) => Handshake::Open(Box::new(Socket(stream))),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            let status = response.status().as_u16();
            let body = response
                .body()
                .as_ref()
                .map(|b| serde_json::from_slice(b).unwrap_or(Value::Null))
                .unwrap_or(Value::Null);
            Handshake::Refused(status, body)
        }
        Err(other) => panic!("handshake failed: {other}"),
    }
}

/// Opens `url` and expects it to upgrade.
pub async fn open(url: &str, headers: &[(&str, &str)]) -> Socket {
    match connect(url, headers).await {
        Handshake::Open(socket) => *socket,
        Handshake::Refused(status, body) => panic!("refused with {status}: {body}"),
    }
}

/// What came next from the server.
#[derive(Debug)]
pub enum Next {
    /// A JSON text frame.
    Frame(Value),
    /// A close frame with its code.
    Closed(u16),
    /// The stream ended without a close frame.
    Ended,
}

impl Socket {
    /// Sends a JSON frame.
    pub async fn send(&mut self, frame: Value) {
        self.0
            .send(Message::Text(frame.to_string().into()))
            .await
            .expect("send");
    }

    /// Sends a `send` frame: `content` into `conversation_id` under `client_id`.
    pub async fn send_message(&mut self, conversation_id: &str, client_id: &str, content: &str) {
        self.send(serde_json::json!({"type": "send", "conversation_id": conversation_id, "client_id": client_id, "content": content}))
            .await;
    }

    /// Sends raw text.
    pub async fn send_text(&mut self, text: &str) {
        self.0
            .send(Message::Text(text.to_owned().into()))
            .await
            .expect("send");
    }

    /// The next frame or close, skipping pings; panics after 10 s.
    pub async fn next(&mut self) -> Next {
        loop {
            let item = tokio::time::timeout(Duration::from_secs(10), self.0.next())
                .await
                .expect("a frame within 10 s");
            match item {
                Some(Ok(Message::Text(text))) => {
                    return Next::Frame(serde_json::from_str(&text).expect("JSON frame"))
                }
                Some(Ok(Message::Close(frame))) => {
                    return Next::Closed(frame.map(|f| u16::from(f.code)).unwrap_or(0))
                }
                Some(Ok(Message::Ping(_))) | Some(Ok(Message::Pong(_))) => continue,
                Some(Ok(other)) => panic!("unexpected {other:?}"),
                Some(Err(_)) | None => return Next::Ended,
            }
        }
    }

    /// The next JSON frame; panics on a close.
    pub async fn frame(&mut self) -> Value {
        match self.next().await {
            Next::Frame(frame) => frame,
            other => panic!("expected a frame, got {other:?}"),
        }
    }

    /// Frames until one of type `kind` arrives; returns it.
    pub async fn until(&mut self, kind: &str) -> Value {
        loop {
            let frame = self.frame().await;
            if frame["type"] == kind {
                return frame;
            }
        }
    }
}

/// The close code the contract uses for an ended session.
pub const SESSION_ENDED: u16 = 4410;

/// 1009 as a number.
pub fn too_big() -> u16 {
    u16::from(CloseCode::Size)
}
