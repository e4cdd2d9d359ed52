//! One reconnecting WebSocket, shared by the chat and the inbox feed: it opens the socket, hands
//! its owner the frames, ignores every event of a socket it has replaced, unhooks a socket before
//! dropping it, and schedules the next attempt by its [`Backoff`].

use std::cell::{Cell, RefCell};
use std::rc::Weak;
use std::time::Duration;

use leptos::prelude::{set_timeout_with_handle, TimeoutHandle};

use switchboard::wire::{ClientFrame, ServerFrame};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use super::backoff::Backoff;
use super::window;

/// A browser event handler kept alive on the Rust side.
pub type Handler = Closure<dyn FnMut(JsValue)>;

/// What owns a [`Socket`] and hears from it.
pub trait Peer: 'static {
    /// The owner's socket.
    fn socket(&self) -> &Socket;
    /// The socket opened.
    fn opened(&self);
    /// A frame arrived.
    fn frame(&self, frame: ServerFrame);
    /// The socket closed with `code` (it is already forgotten).
    fn closed(&self, code: u16);
    /// The backoff's wait is over: connect again.
    fn try_again(&self);
}

/// A WebSocket, the handlers of the current one, and the reconnect schedule.
pub struct Socket {
    backoff: Backoff,
    current: RefCell<Option<WebSocket>>,
    /// Handlers of the current socket, kept alive while it is.
    handlers: RefCell<Vec<Handler>>,
    attempt: Cell<u32>,
    retry_timer: Cell<Option<TimeoutHandle>>,
    /// Increments per socket, so events of an old socket are ignored.
    generation: Cell<u32>,
}

/// Unhooks a socket's handlers, so the browser never calls one after it is dropped (a closed
/// socket still fires `close` once the closing handshake ends).
fn detach(socket: &WebSocket) {
    socket.set_onopen(None);
    socket.set_onmessage(None);
    socket.set_onclose(None);
    socket.set_onerror(None);
}

/// `ws://` or `wss://` (as the page) to this host, and `path_and_query`.
pub fn url_here(path_and_query: &str) -> String {
    let location = window().location();
    let scheme = if location.protocol().unwrap_or_default() == "https:" {
        "wss"
    } else {
        "ws"
    };
    format!(
        "{scheme}://{}{path_and_query}",
        location.host().unwrap_or_default()
    )
}

impl Socket {
    /// No socket yet; attempts wait by `backoff`.
    pub fn new(backoff: Backoff) -> Self {
        Self {
            backoff,
            current: RefCell::new(None),
            handlers: RefCell::new(Vec::new()),
            attempt: Cell::new(0),
            retry_timer: Cell::new(None),
            generation: Cell::new(0),
        }
    }

    /// Replaces the current socket (if any) with a new one to `url`, whose events reach `peer`
    /// while it stays current. When the browser refuses to open one, the next attempt is
    /// scheduled instead.
    pub fn open<P: Peer>(&self, url: &str, peer: Weak<P>) {
        self.clear_retry();
        self.drop_current();
        let generation = self.generation.get();
        let Ok(socket) = WebSocket::new(url) else {
            self.retry_later(peer);
            return;
        };
        let current = move |peer: &Weak<P>| {
            peer.upgrade()
                .filter(|p| p.socket().generation.get() == generation)
        };
        let mut handlers = Vec::new();

        let me = peer.clone();
        let on_open = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            if let Some(peer) = current(&me) {
                peer.opened();
            }
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        handlers.push(on_open);

        let me = peer.clone();
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let Some(peer) = current(&me) else { return };
            if let Some(text) = event
                .dyn_ref::<MessageEvent>()
                .and_then(|e| e.data().as_string())
            {
                if let Ok(frame) = crate::load::read_json::<ServerFrame>(&text) {
                    peer.frame(frame);
                }
            }
        });
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        handlers.push(on_message);

        let me = peer;
        let on_close = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let Some(peer) = current(&me) else { return };
            let code = event.dyn_ref::<CloseEvent>().map(|e| e.code()).unwrap_or(0);
            peer.socket().current.borrow_mut().take();
            peer.closed(code);
        });
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        handlers.push(on_close);

        *self.current.borrow_mut() = Some(socket);
        *self.handlers.borrow_mut() = handlers;
    }

    /// Whether the current socket is open.
    pub fn is_open(&self) -> bool {
        self.current
            .borrow()
            .as_ref()
            .is_some_and(|s| s.ready_state() == WebSocket::OPEN)
    }

    /// Sends a frame when the socket is open; whether it went.
    pub fn send(&self, frame: &ClientFrame) -> bool {
        let current = self.current.borrow();
        let Some(socket) = current
            .as_ref()
            .filter(|s| s.ready_state() == WebSocket::OPEN)
        else {
            return false;
        };
        let text = serde_json::to_string(frame).expect("client frames serialize");
        socket.send_with_str(&text).is_ok()
    }

    /// Unhooks and closes the current socket; events of it are ignored from now on.
    pub fn drop_current(&self) {
        self.generation.set(self.generation.get() + 1);
        if let Some(socket) = self.current.borrow_mut().take() {
            detach(&socket);
            let _ = socket.close();
        }
    }

    /// The next attempt waits from the start of the schedule again.
    pub fn reset_backoff(&self) {
        self.attempt.set(0);
    }

    /// Calls the peer's `try_again` after the schedule's next wait.
    pub fn retry_later<P: Peer>(&self, peer: Weak<P>) {
        self.clear_retry();
        let attempt = self.attempt.get();
        self.attempt.set(attempt.saturating_add(1));
        let delay = self.backoff.delay_ms(attempt, js_sys::Math::random());
        let retry = move || {
            if let Some(peer) = peer.upgrade() {
                peer.socket().retry_timer.set(None);
                peer.try_again();
            }
        };
        if let Ok(handle) = set_timeout_with_handle(retry, Duration::from_millis(delay as u64)) {
            self.retry_timer.set(Some(handle));
        }
    }

    /// Cancels a scheduled attempt.
    pub fn clear_retry(&self) {
        if let Some(handle) = self.retry_timer.take() {
            handle.clear();
        }
    }

    /// Stops for good: no attempt, no socket, no handler left.
    pub fn shut_down(&self) {
        self.clear_retry();
        self.drop_current();
        self.handlers.borrow_mut().clear();
    }
}
