//! The chat's socket in the browser: connect, resume with `after_seq` and resend what was not
//! acknowledged, reconnect with backoff and jitter, drop a half-open socket when the browser
//! goes offline, and unhook everything when the page leaves.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use leptos::ev;
use leptos::prelude::*;
use switchboard::wire::{ClientFrame, ServerFrame};
use uuid::Uuid;

use super::backoff::Backoff;
use super::socket::{url_here, Peer, Socket};
use super::{new_client_id, window, AfterClose, ChatState, Link, Party, Pending, SendExtras};

/// The chat reconnects from half a second on.
const BACKOFF: Backoff = Backoff {
    start_ms: 500.0,
    doublings: 16,
};

/// The chat's browser client: its socket, timers and listeners.
pub struct Client {
    pub(super) party: Party,
    pub(super) conversation_id: Uuid,
    pub(super) state: ChatState,
    pub(super) me: Weak<Client>,
    socket: Socket,
    pub(super) poll_timer: Cell<Option<IntervalHandle>>,
    /// Window and document listeners, removed before their closures are dropped.
    listeners: RefCell<Vec<WindowListenerHandle>>,
}

impl Drop for Client {
    fn drop(&mut self) {
        // The handler closures are fields and drop after this: unhook them first.
        self.shut_down();
    }
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

impl Client {
    pub fn start(party: Party, conversation_id: Uuid, state: ChatState) -> Rc<Self> {
        let client = Rc::new_cyclic(|me| Client {
            party,
            conversation_id,
            state,
            me: me.clone(),
            socket: Socket::new(BACKOFF),
            poll_timer: Cell::new(None),
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
        url_here(&match &self.party {
            Party::Operator => "/ws".to_owned(),
            Party::Guest { token } => format!(
                "/ws?guest_token={}&guest_name=",
                js_sys::encode_uri_component(token)
            ),
            Party::Customer { token } => {
                format!("/ws?widget_token={}", js_sys::encode_uri_component(token))
            }
        })
    }

    fn listen_to_browser(&self) {
        let me = self.me.clone();
        let online = window_event_listener(ev::online, move |_| {
            if let Some(client) = me.upgrade() {
                client.reconnect_if_down();
            }
        });
        let me = self.me.clone();
        let offline = window_event_listener(ev::offline, move |_| {
            if let Some(client) = me.upgrade() {
                client.go_offline();
            }
        });
        // The document's `visibilitychange` bubbles up to the window.
        let me = self.me.clone();
        let visible = window_event_listener(ev::visibilitychange, move |_| {
            let shown = window()
                .document()
                .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
            if let (true, Some(client)) = (shown, me.upgrade()) {
                client.reconnect_if_down();
            }
        });
        self.listeners
            .borrow_mut()
            .extend([online, offline, visible]);
    }

    /// Whether this side may no longer connect: a guest or customer once the session ended (an
    /// operator may still read it), and a guest whose link was replaced.
    pub(super) fn stays_closed(&self) -> bool {
        untrack(|| (self.state.ended.get() && self.party.is_visitor()) || self.state.replaced.get())
    }

    pub(super) fn is_open(&self) -> bool {
        self.socket.is_open()
    }

    fn send_frame(&self, frame: &ClientFrame) -> bool {
        self.socket.send(frame)
    }

    fn connect(&self) {
        if self.stays_closed() {
            return;
        }
        self.socket.open(&self.ws_url(), self.me.clone());
    }

    fn on_open(&self) {
        self.socket.reset_backoff();
        self.stop_polling();
        self.state.link.set(Link::Connected);
        self.state.error.set(None);
        self.send_frame(&ClientFrame::Subscribe {
            conversation_id: self.conversation_id,
            after_seq: Some(self.state.last_seq()),
        });
        // Colleagues see who has the conversation open (closing the socket takes it back).
        if self.party == Party::Operator {
            self.send_frame(&ClientFrame::View {
                conversation_id: self.conversation_id,
            });
        }
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
        match self.state.closed(code) {
            AfterClose::Ended | AfterClose::SignedOut | AfterClose::Replaced => {
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
        self.socket.retry_later(self.me.clone());
    }

    fn reconnect_if_down(&self) {
        if !self.is_open() && !self.stays_closed() {
            self.socket.reset_backoff();
            self.connect();
        }
    }

    /// The browser says the network is gone: a socket may linger half-open for a long
    /// time, so drop it now and resume with `after_seq` when the network is back.
    fn go_offline(&self) {
        self.socket.drop_current();
        self.socket.clear_retry();
        self.state.link.set(Link::Offline);
        self.start_polling();
    }

    fn shut_down(&self) {
        self.socket.shut_down();
        self.stop_polling();
        for listener in self.listeners.borrow_mut().drain(..) {
            listener.remove();
        }
    }

    // ---- what the panel asks for ---------------------------------------------------------

    fn transmit(&self, pending: &Pending) {
        self.send_frame(&ClientFrame::Send {
            conversation_id: self.conversation_id,
            client_id: pending.client_id.clone(),
            content: pending.content.clone(),
            attachments: pending.attachment_ids(),
            internal: pending.internal,
            mentions: pending.mentions.clone(),
            based_on_seq: pending.based_on_seq,
            force: false,
        });
    }

    pub fn send(&self, content: String, extras: SendExtras) {
        let mut pending = Pending::new(new_client_id(), content);
        pending.internal = extras.internal;
        pending.mentions = extras.mentions;
        pending.attachments = extras.attachments;
        pending.based_on_seq = extras.guarded.then(|| self.state.last_seq());
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

    pub fn typing(&self, internal: bool) {
        self.send_frame(&ClientFrame::Typing {
            conversation_id: self.conversation_id,
            internal,
        });
    }
}

impl Peer for Client {
    fn socket(&self) -> &Socket {
        &self.socket
    }

    fn opened(&self) {
        self.on_open();
    }

    fn frame(&self, frame: ServerFrame) {
        self.on_frame(frame);
    }

    fn closed(&self, code: u16) {
        self.on_close(code);
    }

    fn try_again(&self) {
        self.connect();
    }
}
