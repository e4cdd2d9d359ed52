//! The browser's real-time chat client: one WebSocket per page, reconnecting with backoff and
//! jitter, resuming with `after_seq`, deduplicating by message id, resending unacknowledged
//! sends with their `client_id`, and polling the REST API while the socket cannot connect.
//!
//! The state is a set of signals ([`ChatState`], `state.rs`) that renders the same on the server
//! (empty, connecting) and in the browser, and takes frames without touching the browser; only
//! the browser runs the client (`hydrate` feature): its socket in `client.rs`, the REST fallback
//! in `polling.rs`, requests in `http.rs`.

use switchboard::wire::{Message, SenderKind};
use uuid::Uuid;

mod backoff;
#[cfg(feature = "hydrate")]
mod client;
#[cfg(feature = "hydrate")]
mod http;
#[cfg(feature = "hydrate")]
mod polling;
#[cfg(feature = "hydrate")]
mod socket;
mod state;

pub use backoff::Backoff;
#[cfg(feature = "hydrate")]
pub use http::{request, Answer, Method, NO_BODY};
#[cfg(feature = "hydrate")]
pub use socket::{url_here, Peer, Socket};
pub use state::{AfterClose, ChatState, Link, Pending};

/// What an operator's send may add: a private note and its mentions, and the collision guard
/// (based on the highest seq the view holds when it is sent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendExtras {
    /// A private note.
    pub internal: bool,
    /// The operators the note mentions.
    pub mentions: Vec<uuid::Uuid>,
    /// Refuse the send if someone else wrote since what this view holds.
    pub guarded: bool,
    /// Uploaded files the message carries.
    pub attachments: Vec<switchboard::wire::FileInfo>,
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

    /// Whether this is a guest on a session link (whose link can be replaced).
    pub fn is_guest(&self) -> bool {
        matches!(self, Self::Guest { .. })
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

/// The page's window.
#[cfg(feature = "hydrate")]
fn window() -> web_sys::Window {
    web_sys::window().expect("a browser window")
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
    inner: send_wrapper::SendWrapper<std::rc::Rc<client::Client>>,
    #[cfg(not(feature = "hydrate"))]
    _server: (),
}

impl ChatClient {
    /// Starts the client for `conversation_id` (browser only; on the server it does nothing).
    pub fn start(party: Party, conversation_id: Uuid, state: ChatState) -> Self {
        #[cfg(feature = "hydrate")]
        {
            Self {
                inner: send_wrapper::SendWrapper::new(client::Client::start(
                    party,
                    conversation_id,
                    state,
                )),
            }
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (party, conversation_id, state);
            Self { _server: () }
        }
    }

    /// Queues a message and sends it when the connection allows.
    pub fn send(&self, content: String, extras: SendExtras) {
        #[cfg(feature = "hydrate")]
        self.inner.send(content, extras);
        #[cfg(not(feature = "hydrate"))]
        let _ = (content, extras);
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

    /// Tells the other side this side is typing (throttled by the server too); a note's typing
    /// only operators hear of.
    pub fn typing(&self, internal: bool) {
        #[cfg(feature = "hydrate")]
        self.inner.typing(internal);
        #[cfg(not(feature = "hydrate"))]
        let _ = internal;
    }
}
