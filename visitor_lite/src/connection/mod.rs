//! One chat's connection: a WebSocket that reconnects with backoff and jitter and resumes with
//! `after_seq`, resends unacknowledged sends with their keys, and polls the REST API while the
//! socket is down. It holds the [`Chat`] and tells the page what each event changed.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use crate::chat::{AfterClose, Changes, Chat, Pending};
use crate::dom;
use crate::json::{self, Json};
use crate::message::{File, Frame, Message};
use crate::net::{self, Fields};

mod party;
mod polling;

pub use party::Party;

/// The socket of the moment, with the handlers it calls (dropped with it).
struct Current {
    socket: WebSocket,
    _open: Closure<dyn FnMut()>,
    _message: Closure<dyn FnMut(MessageEvent)>,
    _close: Closure<dyn FnMut(CloseEvent)>,
}

impl Drop for Current {
    fn drop(&mut self) {
        self.socket.set_onopen(None);
        self.socket.set_onmessage(None);
        self.socket.set_onclose(None);
        let _ = self.socket.close();
    }
}

/// What the page does with the parts of the chat an event changed.
type Redraw = Rc<dyn Fn(Changes)>;

/// Who hears of news: each message of the other side newer than the opening history, as the
/// server sent it (the widget hands it to its host page whole).
type Announce = Rc<dyn Fn(Json)>;

/// A chat's connection; clones share it.
#[derive(Clone)]
pub struct Connection(Rc<Inner>);

struct Inner {
    party: RefCell<Party>,
    conversation_id: String,
    chat: RefCell<Chat>,
    guest_name: RefCell<Option<String>>,
    current: RefCell<Option<Current>>,
    attempt: Cell<u32>,
    retry_timer: Cell<Option<i32>>,
    poll_timer: Cell<Option<i32>>,
    redraw: RefCell<Option<Redraw>>,
    announce: RefCell<Option<Announce>>,
    /// The page let this chat go (another customer's took its place).
    stopped: Cell<bool>,
}

impl Connection {
    /// A connection for `party` to `conversation_id` (not yet open: see [`Connection::start`]).
    pub fn new(party: Party, conversation_id: String, ended: bool) -> Self {
        let own = party.kind();
        Self(Rc::new(Inner {
            party: RefCell::new(party),
            conversation_id,
            chat: RefCell::new(Chat::new(own, ended)),
            guest_name: RefCell::new(None),
            current: RefCell::new(None),
            attempt: Cell::new(0),
            retry_timer: Cell::new(None),
            poll_timer: Cell::new(None),
            redraw: RefCell::new(None),
            announce: RefCell::new(None),
            stopped: Cell::new(false),
        }))
    }

    /// Who the page speaks for, with the credential of the moment.
    pub fn party(&self) -> Party {
        self.0.party.borrow().clone()
    }

    /// The conversation it follows.
    pub fn conversation_id(&self) -> &str {
        &self.0.conversation_id
    }

    /// Reads the chat.
    pub fn chat<T>(&self, read: impl FnOnce(&Chat) -> T) -> T {
        read(&self.0.chat.borrow())
    }

    /// Calls `redraw` with what changed after every event.
    pub fn on_change(&self, redraw: impl Fn(Changes) + 'static) {
        *self.0.redraw.borrow_mut() = Some(Rc::new(redraw));
    }

    /// Hears of each message of the other side that is news ([`Changes::FRESH`]).
    pub fn on_news(&self, announce: impl Fn(Json) + 'static) {
        *self.0.announce.borrow_mut() = Some(Rc::new(announce));
    }

    /// A customer's fresh widget token (renewed before it expired, or after the old one was
    /// refused): the chat goes on with it, reconnecting at once so that the socket carries it.
    pub fn renew(&self, party: Party) {
        *self.0.party.borrow_mut() = party;
        self.update(Chat::signed_in_again);
        self.reconnect_now();
    }

    /// The guest's chosen name, which the socket and REST posts carry.
    pub fn set_guest_name(&self, name: Option<String>) {
        *self.0.guest_name.borrow_mut() = name;
    }

    /// Opens the socket, and follows the browser's network and visibility.
    pub fn start(&self) {
        let window = dom::window();
        let me = self.weak();
        dom::listen::<web_sys::Event>(&window, "online", move |_| {
            if let Some(this) = upgrade(&me) {
                this.reconnect_if_down();
            }
        });
        let me = self.weak();
        dom::listen::<web_sys::Event>(&window, "offline", move |_| {
            if let Some(this) = upgrade(&me) {
                this.go_offline();
            }
        });
        let me = self.weak();
        dom::listen::<web_sys::Event>(&window, "visibilitychange", move |_| {
            let shown = dom::document().visibility_state() == web_sys::VisibilityState::Visible;
            if let (true, Some(this)) = (shown, upgrade(&me)) {
                this.reconnect_if_down();
            }
        });
        self.connect();
    }

    /// Queues a message and sends it when the connection allows.
    pub fn send(&self, content: String, attachments: Vec<File>) {
        let pending = self
            .0
            .chat
            .borrow_mut()
            .send(net::new_client_id(), content, attachments);
        self.changed(Changes::PENDING);
        self.transmit(&pending);
    }

    /// Sends a failed message again, with its key.
    pub fn retry(&self, client_id: &str) {
        let again = self.0.chat.borrow_mut().retry(client_id);
        if let Some(pending) = again {
            self.changed(Changes::PENDING);
            self.transmit(&pending);
        }
    }

    /// Marks the other side's messages read up to `seq`; `false` when the socket is not open
    /// (the mark is then sent again later).
    pub fn mark_read(&self, seq: i64) -> bool {
        self.send_frame(&net::frame(
            "read",
            Fields::new()
                .text("conversation_id", &self.0.conversation_id)
                .number("up_to_seq", seq as f64),
        ))
    }

    /// Tells the other side this side is typing.
    pub fn typing(&self) {
        self.send_frame(&net::frame(
            "typing",
            Fields::new().text("conversation_id", &self.0.conversation_id),
        ));
    }

    /// Closes the socket for good and stops polling: the page let this chat go. Answers to
    /// requests still under way are dropped, and the page hears nothing more of it.
    pub fn stop(&self) {
        self.0.stopped.set(true);
        self.drop_socket();
        self.stop_polling();
        self.0.redraw.borrow_mut().take();
        self.0.announce.borrow_mut().take();
    }

    /// Drops the socket and connects again at once (after a name change, for example).
    pub fn reconnect_now(&self) {
        self.drop_socket();
        self.0.attempt.set(0);
        self.connect();
    }

    /// Whether the socket is open.
    pub fn is_open(&self) -> bool {
        self.0
            .current
            .borrow()
            .as_ref()
            .is_some_and(|c| c.socket.ready_state() == WebSocket::OPEN)
    }

    fn weak(&self) -> Weak<Inner> {
        Rc::downgrade(&self.0)
    }

    fn changed(&self, changes: Changes) {
        if changes.is_empty() {
            return;
        }
        let redraw = self.0.redraw.borrow().clone();
        if let Some(redraw) = redraw {
            redraw(changes);
        }
    }

    fn update(&self, change: impl FnOnce(&mut Chat) -> Changes) -> Changes {
        let changes = change(&mut self.0.chat.borrow_mut());
        self.changed(changes);
        changes
    }

    /// A message arrived with its JSON (`raw`): applied, and announced when it is news.
    fn arrived(&self, message: Message, raw: Json) {
        if self
            .update(|chat| chat.arrived(message))
            .touches(Changes::FRESH)
        {
            let announce = self.0.announce.borrow().clone();
            if let Some(announce) = announce {
                announce(raw);
            }
        }
    }

    fn stays_closed(&self) -> bool {
        self.0.stopped.get() || self.chat(Chat::stays_closed)
    }

    fn send_frame(&self, text: &str) -> bool {
        match self.0.current.borrow().as_ref() {
            Some(current) if current.socket.ready_state() == WebSocket::OPEN => {
                current.socket.send_with_str(text).is_ok()
            }
            _ => false,
        }
    }

    fn transmit(&self, pending: &Pending) {
        let ids: Vec<String> = pending.attachments.iter().map(|f| f.id.clone()).collect();
        self.send_frame(&net::frame(
            "send",
            Fields::new()
                .text("conversation_id", &self.0.conversation_id)
                .text("client_id", &pending.client_id)
                .text("content", &pending.content)
                .texts("attachments", &ids),
        ));
    }

    fn connect(&self) {
        if self.stays_closed() {
            return;
        }
        self.drop_socket();
        let path = self
            .party()
            .socket_path(self.0.guest_name.borrow().as_deref());
        let Ok(socket) = WebSocket::new(&net::socket_url(&path)) else {
            self.retry_later();
            return;
        };
        let me = self.weak();
        let open = Closure::<dyn FnMut()>::new(move || {
            if let Some(this) = upgrade(&me) {
                this.opened();
            }
        });
        let me = self.weak();
        let message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let (Some(this), Some(text)) = (upgrade(&me), event.data().as_string()) else {
                return;
            };
            let value = Json::parse(&text);
            match value.as_ref().and_then(json::frame_of) {
                Some(Frame::Message(message)) => {
                    let raw = value
                        .map(|v| v.get("message"))
                        .expect("a frame was read from it");
                    this.arrived(message, raw);
                }
                Some(frame) => {
                    this.update(|chat| chat.apply(frame, dom::now_ms()));
                }
                None => {}
            }
        });
        let me = self.weak();
        let close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            if let Some(this) = upgrade(&me) {
                this.closed(event.code());
            }
        });
        socket.set_onopen(Some(open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(close.as_ref().unchecked_ref()));
        *self.0.current.borrow_mut() = Some(Current {
            socket,
            _open: open,
            _message: message,
            _close: close,
        });
    }

    fn opened(&self) {
        self.0.attempt.set(0);
        self.stop_polling();
        self.update(Chat::opened);
        let after_seq = self.chat(Chat::last_seq);
        self.send_frame(&net::frame(
            "subscribe",
            Fields::new()
                .text("conversation_id", &self.0.conversation_id)
                .number("after_seq", after_seq as f64),
        ));
        // Whatever was not acknowledged goes again, with the same keys.
        let waiting: Vec<Pending> = self.chat(|chat| chat.waiting().cloned().collect());
        for pending in &waiting {
            self.transmit(pending);
        }
    }

    fn closed(&self, code: u16) {
        // The socket goes, with its handlers, once this one (running now) has returned.
        if let Some(current) = self.0.current.borrow_mut().take() {
            dom::after(0.0, move || drop(current));
        }
        let (after, changes) = self.0.chat.borrow_mut().closed(code);
        self.changed(changes);
        if after != AfterClose::Reconnect {
            self.stop_polling();
            return;
        }
        let online = dom::window().navigator().on_line();
        self.update(|chat| chat.lost(online));
        self.start_polling();
        self.retry_later();
    }

    fn drop_socket(&self) {
        if let Some(handle) = self.0.retry_timer.take() {
            dom::cancel(handle);
        }
        self.0.current.borrow_mut().take();
    }

    fn retry_later(&self) {
        let attempt = self.0.attempt.get();
        self.0.attempt.set(attempt.saturating_add(1));
        let me = self.weak();
        let handle = dom::after(net::backoff_ms(attempt, 500.0), move || {
            if let Some(this) = upgrade(&me) {
                this.0.retry_timer.set(None);
                this.connect();
            }
        });
        self.0.retry_timer.set(Some(handle));
    }

    fn reconnect_if_down(&self) {
        if !self.is_open() && !self.stays_closed() {
            self.0.attempt.set(0);
            self.connect();
        }
    }

    /// The browser says the network is gone: a socket may linger half-open for a long time,
    /// so drop it now and resume with `after_seq` when the network is back.
    fn go_offline(&self) {
        self.drop_socket();
        self.update(|chat| chat.lost(false));
        self.start_polling();
    }
}

fn upgrade(weak: &Weak<Inner>) -> Option<Connection> {
    weak.upgrade().map(Connection)
}
