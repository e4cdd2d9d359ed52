//! `relay`: the floor under the side-by-side figures. A server that speaks just enough of
//! Switchboard's protocol for `../shared/peer/load.js` (sign-in, a session per pair, `/ws` with
//! welcome, subscribe and send) and stores nothing, checks nothing and relays each message to
//! its conversation's sockets at once, on one thread. Whatever latency the load client
//! measures against it is the client's and the machine's, not a chat server's: no server can
//! answer this client faster.
//!
//! It takes the two commands `side-by-side.sh` runs, so that one run compares the peer with it:
//!
//! ```text
//! cargo build --release -p loadgen --bin relay
//! SB_BIN=target/release/relay ../shared/peer/side-by-side.sh 1000 500 20
//! ```
//!
//! `relay create-operator` reads and ignores its input; `relay serve` listens on
//! `LEPTOS_SITE_ADDR` (default 127.0.0.1:3000). Every sign-in succeeds: it is a benchmark's
//! instrument, never a server to expose.

use std::collections::HashMap;
use std::io::Read as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;

/// Session and conversation numbers, shared by the handlers.
static NEXT: AtomicU64 = AtomicU64::new(1);

/// The sockets subscribed to each conversation. One thread serves them all, so its lock is
/// never contended.
type Rooms = Arc<Mutex<HashMap<String, Vec<mpsc::UnboundedSender<String>>>>>;

fn main() -> anyhow::Result<()> {
    match std::env::args().nth(1).as_deref() {
        Some("create-operator") => {
            std::io::stdin().read_to_end(&mut Vec::new())?;
            Ok(())
        }
        Some("serve") => serve(),
        _ => anyhow::bail!("usage: relay create-operator | relay serve"),
    }
}

fn serve() -> anyhow::Result<()> {
    let address = std::env::var("LEPTOS_SITE_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let rooms = Rooms::default();
        let app = Router::new()
            .route("/api/v1/auth/login", post(sign_in))
            .route("/api/v1/sessions", post(new_session))
            .route(
                "/ws",
                get(move |upgrade: WebSocketUpgrade| {
                    let rooms = rooms.clone();
                    async move { upgrade.on_upgrade(move |socket| relay(socket, rooms)) }
                }),
            );
        let listener = tokio::net::TcpListener::bind(&address).await?;
        axum::serve(listener, app).await?;
        Ok(())
    })
}

async fn sign_in() -> Response {
    ([(header::SET_COOKIE, "relay=1; Path=/")], Json(json!({}))).into_response()
}

async fn new_session() -> Json<Value> {
    let number = NEXT.fetch_add(1, Ordering::Relaxed);
    Json(json!({
        "session": { "conversation_id": format!("conversation-{number}") },
        "guest_token": format!("guest-{number}"),
    }))
}

/// One socket: the welcome, then each subscribe answered and each send relayed to every socket
/// of its conversation (the sender's too, as Switchboard does), with an ack to the sender.
async fn relay(socket: WebSocket, rooms: Rooms) {
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    if sink
        .send(Message::Text(json!({"type": "welcome"}).to_string().into()))
        .await
        .is_err()
    {
        return;
    }
    loop {
        tokio::select! {
            incoming = stream.next() => {
                let Some(Ok(Message::Text(text))) = incoming else { break };
                let Ok(frame) = serde_json::from_str::<Value>(&text) else { continue };
                let conversation = frame["conversation_id"].as_str().unwrap_or_default().to_owned();
                match frame["type"].as_str() {
                    Some("subscribe") => {
                        rooms.lock().unwrap().entry(conversation).or_default().push(tx.clone());
                        let _ = tx.send(json!({"type": "subscribed"}).to_string());
                    }
                    Some("send") => {
                        let message = json!({
                            "client_id": frame["client_id"],
                            "content": frame["content"],
                            "conversation_id": conversation,
                        });
                        let _ = tx.send(json!({"type": "ack", "message": message}).to_string());
                        let out = json!({"type": "message", "message": message}).to_string();
                        for socket in rooms.lock().unwrap().get(&conversation).into_iter().flatten() {
                            let _ = socket.send(out.clone());
                        }
                    }
                    _ => {}
                }
            }
            Some(out) = rx.recv() => {
                if sink.send(Message::Text(out.into())).await.is_err() {
                    break;
                }
            }
        }
    }
}
