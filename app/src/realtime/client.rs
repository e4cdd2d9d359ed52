//! The chat's socket in the browser: connect, resume with `after_seq` and resend what was not
//! acknowledged, reconnect with backoff and jitter, drop a half-open socket when the browser
//! goes offline, and unhook everything when the page leaves.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use leptos::prelude::*;
use switchboard::wire::{ClientFrame, ServerFrame};
use uuid::Uuid;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use super::{new_client_id, AfterClose, ChatState, Link, Party, Pending};

const BACKOFF_START_MS: f64 = 500.0;
const BACKOFF_CAP_MS: f64 = 30_000.0;

/// A browser event handler kept alive on the Rust side.
type Handler = Closure<dyn FnMut(JsValue)>;

/// The chat's browser client: its socket, timers and listeners.
pub struct Client {
    pub(super) party: Party,
    pub(super) conversation_id: Uuid,
    pub(super) guest_name: Signal<Option<String>>,
    pub(super) state: ChatState,
    pub(super) me: Weak<Client>,
    pub(super) socket: RefCell<Option<WebSocket>>,
    /// Handlers of the current socket, kept alive while it is.
    handlers: RefCell<Vec<Handler>>,
    attempt: Cell<u32>,
    retry_timer: Cell<Option<i32>>,
    pub(super) poll_timer: Cell<Option<i32>>,
    /// Increments per socket, so events of an old socket are ignored.
    generation: Cell<u32>,
    /// Window and document listeners, removed before their closures are dropped.
    listeners: RefCell<Vec<(web_sys::EventTarget, &'static str, Handler)>>,
}

/// Unhooks a socket's handlers, so the browser never calls one after it is dropped (a
/// closed socket still fires `close` once the closing handshake ends).
fn detach(socket: &WebSocket) {
    socket.set_onopen(None);
    socket.set_onmessage(None);
    socket.set_onclose(None);
    socket.set_onerror(None);
}

impl Drop for Client {
    fn drop(&mut self) {
        // The handler closures are fields and drop after this: unhook them first.
        self.shut_down();
    }
}

pub(super) fn window() -> web_sys::Window {
    web_sys::window().expect("a browser window")
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

impl Client {
    pub fn start(
        party: Party,
        conversation_id: Uuid,
        guest_name: Signal<Option<String>>,
        state: ChatState,
    ) -> Rc<Self> {
        let client = Rc::new_cyclic(|me| Client {
            party,
            conversation_id,
            guest_name,
            state,
            me: me.clone(),
            socket: RefCell::new(None),
            handlers: RefCell::new(Vec::new()),
            attempt: Cell::new(0),
            retry_timer: Cell::new(None),
            poll_timer: Cell::new(None),
            generation: Cell::new(0),
            listeners: RefCell::new(Vec::new()),
        });
        client.listen_to_browser();
        client.connect();
        // Cleanups must be Send; a local stored value carries the browser-only handle.
        let weak = StoredValue::new_local(Rc::downgrade(&client));
        on_cleanup(move || {
            if let Some(client) = weak.try_with_value(Weak::upgrade).flatten() {
                client.shut_down();
            }
        });
        client
    }

    fn ws_url(&self) -> String {
        let location = window().location();
        let scheme = if location.protocol().unwrap_or_default() == "https:" {
            "wss"
        } else {
            "ws"
        };
        let host = location.host().unwrap_or_default();
        match &self.party {
            Party::Operator => format!("{scheme}://{host}/ws"),
            Party::Guest { token } => {
                let name = self.guest_name.get_untracked().unwrap_or_default();
                format!(
                    "{scheme}://{host}/ws?guest_token={}&guest_name={}",
                    js_sys::encode_uri_component(token),
                    js_sys::encode_uri_component(&name)
                )
            }
            Party::Customer { token } => format!(
                "{scheme}://{host}/ws?widget_token={}",
                js_sys::encode_uri_component(token)
            ),
        }
    }

    fn listen(&self, target: web_sys::EventTarget, event: &'static str, handler: Handler) {
        let _ = target.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
        self.listeners.borrow_mut().push((target, event, handler));
    }

    fn listen_to_browser(&self) {
        let me = self.me.clone();
        let online = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            if let Some(client) = me.upgrade() {
                client.reconnect_if_down();
            }
        });
        self.listen(window().into(), "online", online);
        let me = self.me.clone();
        let offline = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            if let Some(client) = me.upgrade() {
                client.go_offline();
            }
        });
        self.listen(window().into(), "offline", offline);
        let me = self.me.clone();
        let visible = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            let shown = window()
                .document()
                .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
            if let (true, Some(client)) = (shown, me.upgrade()) {
                client.reconnect_if_down();
            }
        });
        if let Some(document) = window().document() {
            self.listen(document.into(), "visibilitychange", visible);
        }
    }

    pub(super) fn is_open(&self) -> bool {
        self.socket
            .borrow()
            .as_ref()
            .is_some_and(|s| s.ready_state() == WebSocket::OPEN)
    }

    fn send_frame(&self, frame: &ClientFrame) -> bool {
        let socket = self.socket.borrow();
        let Some(socket) = socket
            .as_ref()
            .filter(|s| s.ready_state() == WebSocket::OPEN)
        else {
            return false;
        };
        let text = serde_json::to_string(frame).expect("client frames serialize");
        socket.send_with_str(&text).is_ok()
    }

    fn connect(&self) {
        // A guest is cut off once the session ends; an operator may still read it.
        if self.state.ended.get_untracked() && self.party.is_visitor() {
            return;
        }
        self.clear_retry();
        if let Some(old) = self.socket.borrow_mut().take() {
            detach(&old);
            let _ = old.close();
        }
        let generation = self.generation.get() + 1;
        self.generation.set(generation);
        let Ok(socket) = WebSocket::new(&self.ws_url()) else {
            self.schedule_retry();
            return;
        };
        let mut handlers = Vec::new();

        let me = self.me.clone();
        let on_open = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            if let Some(client) = me.upgrade().filter(|c| c.generation.get() == generation) {
                client.on_open();
            }
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        handlers.push(on_open);

        let me = self.me.clone();
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let Some(client) = me.upgrade().filter(|c| c.generation.get() == generation) else {
                return;
            };
            if let Some(text) = event
                .dyn_ref::<MessageEvent>()
                .and_then(|e| e.data().as_string())
            {
                if let Ok(frame) = serde_json::from_str::<ServerFrame>(&text) {
                    client.on_frame(frame);
                }
            }
        });
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        handlers.push(on_message);

        let me = self.me.clone();
        let on_close = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let Some(client) = me.upgrade().filter(|c| c.generation.get() == generation) else {
                return;
            };
            let code = event.dyn_ref::<CloseEvent>().map(|e| e.code()).unwrap_or(0);
            client.on_close(code);
        });
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        handlers.push(on_close);

        *self.socket.borrow_mut() = Some(socket);
        *self.handlers.borrow_mut() = handlers;
    }

    fn on_open(&self) {
        self.attempt.set(0);
        self.stop_polling();
        self.state.link.set(Link::Connected);
        self.state.error.set(None);
        self.send_frame(&ClientFrame::Subscribe {
            conversation_id: self.conversation_id,
            after_seq: Some(self.state.last_seq()),
        });
        // Whatever was not acknowledged goes again, with the same keys.
        for pending in self.state.pending.get_untracked() {
            if pending.failed.is_none() {
                self.transmit(&pending);
            }
        }
    }

    fn on_frame(&self, frame: ServerFrame) {
        self.state.apply(frame, self.party.own_kind(), now_ms());
    }

    fn on_close(&self, code: u16) {
        self.socket.borrow_mut().take();
        match self.state.closed(code) {
            AfterClose::Ended | AfterClose::SignedOut => {
                self.stop_polling();
                return;
            }
            AfterClose::Reconnect => {}
        }
        let offline = !window().navigator().on_line();
        self.state.link.set(if offline {
            Link::Offline
        } else {
            Link::Reconnecting
        });
        self.start_polling();
        self.schedule_retry();
    }

    fn schedule_retry(&self) {
        self.clear_retry();
        let attempt = self.attempt.get();
        self.attempt.set(attempt.saturating_add(1));
        let base = (BACKOFF_START_MS * 2f64.powi(attempt.min(16) as i32)).min(BACKOFF_CAP_MS);
        // Full jitter between half and all of the step, so many clients do not stampede.
        let delay = base * (0.5 + js_sys::Math::random() * 0.5);
        let me = self.me.clone();
        let retry = Closure::once_into_js(move || {
            if let Some(client) = me.upgrade() {
                client.retry_timer.set(None);
                client.connect();
            }
        });
        if let Ok(id) = window().set_timeout_with_callback_and_timeout_and_arguments_0(
            retry.unchecked_ref(),
            delay as i32,
        ) {
            self.retry_timer.set(Some(id));
        }
    }

    fn clear_retry(&self) {
        if let Some(id) = self.retry_timer.take() {
            window().clear_timeout_with_handle(id);
        }
    }

    fn reconnect_if_down(&self) {
        let cut_off = self.state.ended.get_untracked() && self.party.is_visitor();
        if !self.is_open() && !cut_off {
            self.attempt.set(0);
            self.connect();
        }
    }

    /// The browser says the network is gone: a socket may linger half-open for a long
    /// time, so drop it now and resume with `after_seq` when the network is back.
    fn go_offline(&self) {
        self.generation.set(self.generation.get() + 1);
        if let Some(socket) = self.socket.borrow_mut().take() {
            detach(&socket);
            let _ = socket.close();
        }
        self.clear_retry();
        self.state.link.set(Link::Offline);
        self.start_polling();
    }

    pub fn reconnect_now(&self) {
        if let Some(socket) = self.socket.borrow_mut().take() {
            detach(&socket);
            let _ = socket.close();
        }
        self.attempt.set(0);
        self.connect();
    }

    fn shut_down(&self) {
        self.clear_retry();
        self.stop_polling();
        self.generation.set(self.generation.get() + 1);
        if let Some(socket) = self.socket.borrow_mut().take() {
            detach(&socket);
            let _ = socket.close();
        }
        self.handlers.borrow_mut().clear();
        for (target, event, handler) in self.listeners.borrow_mut().drain(..) {
            let _ =
                target.remove_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
        }
    }

    // ---- what the panel asks for ---------------------------------------------------------

    fn transmit(&self, pending: &Pending) {
        self.send_frame(&ClientFrame::Send {
            conversation_id: self.conversation_id,
            client_id: pending.client_id.clone(),
            content: pending.content.clone(),
        });
    }

    pub fn send(&self, content: String) {
        let pending = Pending {
            client_id: new_client_id(),
            content,
            failed: None,
        };
        self.state.pending.update(|p| p.push(pending.clone()));
        self.transmit(&pending);
    }

    pub fn retry(&self, client_id: &str) {
        let mut again = None;
        self.state.pending.update(|list| {
            if let Some(p) = list.iter_mut().find(|p| p.client_id == client_id) {
                p.failed = None;
                again = Some(p.clone());
            }
        });
        if let Some(pending) = again {
            self.transmit(&pending);
        }
    }

    pub fn mark_read(&self, seq: i64) {
        self.send_frame(&ClientFrame::Read {
            conversation_id: self.conversation_id,
            up_to_seq: seq,
        });
    }

    pub fn typing(&self) {
        self.send_frame(&ClientFrame::Typing {
            conversation_id: self.conversation_id,
        });
    }
}
