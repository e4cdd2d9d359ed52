//! The browser's real-time chat client: one WebSocket per page, reconnecting with backoff and
//! jitter, resuming with `after_seq`, deduplicating by message id, resending unacknowledged
//! sends with their `client_id`, and polling the REST API while the socket cannot connect.
//!
//! The state is a set of signals ([`ChatState`]) that renders the same on the server (empty,
//! connecting) and in the browser; only the browser runs the client (`hydrate` feature).

use leptos::prelude::*;
use switchboard::wire::{ErrorCode, Identity, Message, SenderKind};
use uuid::Uuid;

/// The socket's state, as the connection dot shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// Not yet connected (first attempt under way).
    Connecting,
    /// Live.
    Connected,
    /// Lost; trying again.
    Reconnecting,
    /// The browser is offline.
    Offline,
}

/// A message the user sent that the server has not acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The idempotency key, reused on every retry.
    pub client_id: String,
    /// The text.
    pub content: String,
    /// Why it failed, once it has.
    pub failed: Option<ErrorCode>,
}

/// Who the client is and where it talks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Party {
    /// A signed-in operator (cookie).
    Operator,
    /// A guest with a session link.
    Guest {
        /// The link's token.
        token: String,
    },
    /// A website customer in the widget, with a widget token.
    Customer {
        /// The bearer widget token.
        token: String,
    },
}

impl Party {
    /// The sender kind of this side's own messages.
    pub fn own_kind(&self) -> SenderKind {
        match self {
            Self::Operator => SenderKind::Operator,
            Self::Guest { .. } => SenderKind::Guest,
            Self::Customer { .. } => SenderKind::Customer,
        }
    }

    /// Whether this side reads (and so may have unread) `message`: the one rule,
    /// [`SenderKind::reads`].
    pub fn reads(&self, message: &Message) -> bool {
        self.own_kind().reads(message.sender.kind)
    }

    /// Whether the side is cut off when a support session ends (operators may still read it).
    pub fn is_visitor(&self) -> bool {
        !matches!(self, Self::Operator)
    }

    /// Whether a message came from this side.
    pub fn is_own(&self, message: &Message) -> bool {
        match self {
            Self::Operator => message.sender.kind.is_staff(),
            Self::Guest { .. } | Self::Customer { .. } => !message.sender.kind.is_staff(),
        }
    }
}

/// Everything the chat panel renders.
#[derive(Clone, Copy)]
pub struct ChatState {
    /// Stored messages, ascending by seq, unique by id.
    pub messages: RwSignal<Vec<Message>>,
    /// Sends not yet acknowledged.
    pub pending: RwSignal<Vec<Pending>>,
    /// The connection.
    pub link: RwSignal<Link>,
    /// Who is typing on the other side, and until when (ms since the epoch).
    pub typing: RwSignal<Option<(Identity, f64)>>,
    /// The highest seq the other side has read.
    pub other_read_up_to: RwSignal<i64>,
    /// The session ended: the guest is cut off.
    pub ended: RwSignal<bool>,
    /// The credential no longer holds (close 4401): a customer's widget token expired or was
    /// signed out. The page that owns the credential signs in again.
    pub signed_out: RwSignal<bool>,
    /// An error not tied to one message (for example a refused subscription).
    pub error: RwSignal<Option<ErrorCode>>,
}

impl ChatState {
    /// Empty state, for a conversation that may already have ended.
    pub fn new(ended: bool) -> Self {
        Self {
            messages: RwSignal::new(Vec::new()),
            pending: RwSignal::new(Vec::new()),
            link: RwSignal::new(Link::Connecting),
            typing: RwSignal::new(None),
            other_read_up_to: RwSignal::new(0),
            ended: RwSignal::new(ended),
            signed_out: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    /// Adds messages, keeping the list ascending and free of duplicates; returns how many were
    /// new.
    pub fn merge(&self, incoming: impl IntoIterator<Item = Message>) -> usize {
        let mut added = 0;
        self.messages.update(|list| {
            for message in incoming {
                if list.iter().any(|m| m.id == message.id) {
                    continue;
                }
                let at = list.partition_point(|m| m.seq < message.seq);
                list.insert(at, message);
                added += 1;
            }
        });
        added
    }

    /// The highest seq held: the resume cursor.
    pub fn last_seq(&self) -> i64 {
        self.messages
            .with_untracked(|list| list.last().map(|m| m.seq).unwrap_or(0))
    }
}

/// A new idempotency key.
pub fn new_client_id() -> String {
    #[cfg(feature = "hydrate")]
    {
        let mut bytes = [0u8; 16];
        for b in bytes.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
        Uuid::from_bytes(bytes).to_string()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Uuid::nil().to_string()
    }
}

/// The client's handle for the panel: send, retry, mark read, typing, reconnect. It is `Send`
/// on both sides (the browser's single thread owns the real client), so it can live in an
/// ordinary stored value that the server may drop on any thread.
#[derive(Clone)]
pub struct ChatClient {
    #[cfg(feature = "hydrate")]
    inner: send_wrapper::SendWrapper<std::rc::Rc<browser::Client>>,
    #[cfg(not(feature = "hydrate"))]
    _server: (),
}

impl ChatClient {
    /// Starts the client for `conversation_id` (browser only; on the server it does nothing).
    pub fn start(
        party: Party,
        conversation_id: Uuid,
        guest_name: Signal<Option<String>>,
        state: ChatState,
    ) -> Self {
        #[cfg(feature = "hydrate")]
        {
            Self {
                inner: send_wrapper::SendWrapper::new(browser::Client::start(
                    party,
                    conversation_id,
                    guest_name,
                    state,
                )),
            }
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (party, conversation_id, guest_name, state);
            Self { _server: () }
        }
    }

    /// Queues a message and sends it when the connection allows.
    pub fn send(&self, content: String) {
        #[cfg(feature = "hydrate")]
        self.inner.send(content);
        #[cfg(not(feature = "hydrate"))]
        let _ = content;
    }

    /// Sends a failed message again, with its original key.
    pub fn retry(&self, client_id: &str) {
        #[cfg(feature = "hydrate")]
        self.inner.retry(client_id);
        #[cfg(not(feature = "hydrate"))]
        let _ = client_id;
    }

    /// Marks the other side's messages read up to `seq`.
    pub fn mark_read(&self, seq: i64) {
        #[cfg(feature = "hydrate")]
        self.inner.mark_read(seq);
        #[cfg(not(feature = "hydrate"))]
        let _ = seq;
    }

    /// Tells the other side this side is typing (throttled by the server too).
    pub fn typing(&self) {
        #[cfg(feature = "hydrate")]
        self.inner.typing();
    }

    /// Drops the socket and connects again at once (after a name change, for example).
    pub fn reconnect(&self) {
        #[cfg(feature = "hydrate")]
        self.inner.reconnect_now();
    }
}

#[cfg(feature = "hydrate")]
pub use browser::fetch_json_with;

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::{Cell, RefCell};
    use std::rc::{Rc, Weak};

    use leptos::prelude::*;
    use switchboard::wire::{close, ClientFrame, ErrorCode, Message, ServerFrame};
    use uuid::Uuid;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{CloseEvent, MessageEvent, WebSocket};

    use super::{new_client_id, ChatState, Link, Party, Pending};

    const BACKOFF_START_MS: f64 = 500.0;
    const BACKOFF_CAP_MS: f64 = 30_000.0;
    const POLL_EVERY_MS: i32 = 5_000;
    const TYPING_SHOWN_MS: f64 = 4_000.0;

    /// A browser event handler kept alive on the Rust side.
    type Handler = Closure<dyn FnMut(JsValue)>;

    pub struct Client {
        party: Party,
        conversation_id: Uuid,
        guest_name: Signal<Option<String>>,
        state: ChatState,
        me: Weak<Client>,
        socket: RefCell<Option<WebSocket>>,
        /// Handlers of the current socket, kept alive while it is.
        handlers: RefCell<Vec<Handler>>,
        attempt: Cell<u32>,
        retry_timer: Cell<Option<i32>>,
        poll_timer: Cell<Option<i32>>,
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

    fn window() -> web_sys::Window {
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
            let _ =
                target.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
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

        fn is_open(&self) -> bool {
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
            let state = self.state;
            match frame {
                ServerFrame::Message { message } => {
                    state.merge([message]);
                }
                ServerFrame::Ack { client_id, message } => {
                    state
                        .pending
                        .update(|p| p.retain(|m| m.client_id != client_id));
                    state.merge([message]);
                }
                ServerFrame::Read {
                    reader, up_to_seq, ..
                } => {
                    let mine = self.party.own_kind();
                    // Only a reader who reads this side's messages makes them "Seen".
                    let other_side = reader.kind.reads(mine);
                    if other_side && up_to_seq > state.other_read_up_to.get_untracked() {
                        state.other_read_up_to.set(up_to_seq);
                    }
                }
                ServerFrame::Typing { who, .. } => {
                    state.typing.set(Some((who, now_ms() + TYPING_SHOWN_MS)));
                }
                ServerFrame::SessionEnded { .. } => {
                    state.ended.set(true);
                }
                ServerFrame::Error {
                    code, client_id, ..
                } => match client_id {
                    Some(id) => state.pending.update(|list| {
                        if let Some(p) = list.iter_mut().find(|p| p.client_id == id) {
                            p.failed = Some(code);
                        }
                    }),
                    None => state.error.set(Some(code)),
                },
                ServerFrame::Welcome { .. }
                | ServerFrame::Subscribed { .. }
                | ServerFrame::InboxSubscribed
                | ServerFrame::ConversationUpdated { .. }
                | ServerFrame::Pong => {}
            }
        }

        fn on_close(&self, code: u16) {
            self.socket.borrow_mut().take();
            if code == close::SESSION_ENDED {
                self.state.ended.set(true);
                self.stop_polling();
                return;
            }
            // Retrying with a credential that no longer holds only fails again: the page that
            // owns it signs in anew instead.
            if code == close::UNAUTHORIZED {
                self.state.signed_out.set(true);
                self.stop_polling();
                return;
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
                let _ = target
                    .remove_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
            }
        }

        // ---- polling fallback ------------------------------------------------------------

        fn start_polling(&self) {
            if self.poll_timer.get().is_some() {
                return;
            }
            let me = self.me.clone();
            let tick = Closure::<dyn FnMut()>::new(move || {
                if let Some(client) = me.upgrade() {
                    client.poll_once();
                }
            });
            if let Ok(id) = window().set_interval_with_callback_and_timeout_and_arguments_0(
                tick.as_ref().unchecked_ref(),
                POLL_EVERY_MS,
            ) {
                self.poll_timer.set(Some(id));
            }
            tick.forget();
        }

        fn stop_polling(&self) {
            if let Some(id) = self.poll_timer.take() {
                window().clear_interval_with_handle(id);
            }
        }

        fn messages_url(&self) -> String {
            match &self.party {
                Party::Operator => {
                    format!("/api/v1/conversations/{}/messages", self.conversation_id)
                }
                Party::Guest { token } => format!("/support/guest/{token}/messages"),
                Party::Customer { .. } => "/api/v1/widget/messages".to_owned(),
            }
        }

        /// The bearer credential a customer's REST calls carry.
        fn bearer(&self) -> Option<&str> {
            match &self.party {
                Party::Customer { token } => Some(token),
                Party::Operator | Party::Guest { .. } => None,
            }
        }

        fn poll_once(&self) {
            let cut_off = self.state.ended.get_untracked() && self.party.is_visitor();
            if self.is_open() || cut_off {
                self.stop_polling();
                return;
            }
            let url = format!(
                "{}?after_seq={}",
                self.messages_url(),
                self.state.last_seq()
            );
            let state = self.state;
            let me = self.me.clone();
            leptos::task::spawn_local(async move {
                let bearer = me.upgrade().and_then(|c| c.bearer().map(str::to_owned));
                match fetch_json(&url, None, bearer.as_deref()).await {
                    Ok((200, body)) => {
                        if let Some(list) = body.get("messages").cloned() {
                            if let Ok(messages) = serde_json::from_value::<Vec<Message>>(list) {
                                state.merge(messages);
                            }
                        }
                        // The socket is down but the server is up: flush the outbox over REST.
                        if let Some(client) = me.upgrade() {
                            client.flush_over_rest().await;
                        }
                    }
                    Ok((410, _)) => state.ended.set(true),
                    _ => {}
                }
            });
        }

        async fn flush_over_rest(&self) {
            for pending in self.state.pending.get_untracked() {
                if pending.failed.is_some() {
                    continue;
                }
                let mut body = serde_json::json!({
                    "content": pending.content,
                    "client_id": pending.client_id,
                });
                if let (Party::Guest { .. }, Some(name)) =
                    (&self.party, self.guest_name.get_untracked())
                {
                    body["guest_name"] = serde_json::Value::String(name);
                }
                match fetch_json(&self.messages_url(), Some(body.to_string()), self.bearer()).await
                {
                    Ok((200 | 201, body)) => {
                        if let Some(message) = body
                            .get("message")
                            .cloned()
                            .and_then(|m| serde_json::from_value::<Message>(m).ok())
                        {
                            let id = pending.client_id.clone();
                            self.state
                                .pending
                                .update(|p| p.retain(|m| m.client_id != id));
                            self.state.merge([message]);
                        }
                    }
                    Ok((status, body)) if (400..500).contains(&status) => {
                        let code = body
                            .pointer("/error/code")
                            .cloned()
                            .and_then(|c| serde_json::from_value::<ErrorCode>(c).ok())
                            .unwrap_or(ErrorCode::Invalid);
                        if status == 410 {
                            self.state.ended.set(true);
                        }
                        let id = pending.client_id.clone();
                        self.state.pending.update(|list| {
                            if let Some(p) = list.iter_mut().find(|p| p.client_id == id) {
                                p.failed = Some(code);
                            }
                        });
                    }
                    _ => return,
                }
            }
        }

        // ---- what the panel asks for -------------------------------------------------------

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

    /// GET (no body) or POST (JSON body) with the page's cookies, and a bearer token when
    /// given; the status and JSON body.
    async fn fetch_json(
        url: &str,
        body: Option<String>,
        bearer: Option<&str>,
    ) -> Result<(u16, serde_json::Value), JsValue> {
        let method = if body.is_some() { "POST" } else { "GET" };
        fetch_json_with(method, url, body, bearer).await
    }

    /// A request with `method` and an optional JSON body, the page's cookies, and a bearer
    /// token when given; the status and JSON body.
    pub async fn fetch_json_with(
        method: &str,
        url: &str,
        body: Option<String>,
        bearer: Option<&str>,
    ) -> Result<(u16, serde_json::Value), JsValue> {
        let init = web_sys::RequestInit::new();
        init.set_method(method);
        let headers = web_sys::Headers::new()?;
        if let Some(body) = body {
            init.set_body(&JsValue::from_str(&body));
            headers.set("content-type", "application/json")?;
        }
        if let Some(token) = bearer {
            headers.set("authorization", &format!("Bearer {token}"))?;
        }
        init.set_headers(&headers);
        let request = web_sys::Request::new_with_str_and_init(url, &init)?;
        let response: web_sys::Response =
            wasm_bindgen_futures::JsFuture::from(window().fetch_with_request(&request))
                .await?
                .dyn_into()?;
        let status = response.status();
        let text = wasm_bindgen_futures::JsFuture::from(response.text()?)
            .await?
            .as_string()
            .unwrap_or_default();
        Ok((
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        ))
    }
}
