//! What the chat panel shows, and how each server frame, socket close and REST answer changes
//! it. Nothing here touches the browser, so it runs (and is tested) natively.

use leptos::prelude::*;
use switchboard::wire::{close, ErrorCode, Identity, Message, SenderKind, ServerFrame};

/// How long a "typing" notice stays shown.
pub const TYPING_SHOWN_MS: f64 = 4_000.0;

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

/// What the client does once its socket closed with a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterClose {
    /// The session ended (4410): stay closed.
    Ended,
    /// The credential no longer holds (4401): stay closed; the page signs in anew.
    SignedOut,
    /// Anything else: connect again, polling meanwhile.
    Reconnect,
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

    /// A send the server stored: it leaves the pending list and joins the messages.
    pub fn acknowledge(&self, client_id: &str, message: Message) {
        self.pending
            .update(|p| p.retain(|m| m.client_id != client_id));
        self.merge([message]);
    }

    /// A send the server refused, with why.
    pub fn refuse(&self, client_id: &str, code: ErrorCode) {
        self.pending.update(|list| {
            if let Some(p) = list.iter_mut().find(|p| p.client_id == client_id) {
                p.failed = Some(code);
            }
        });
    }

    /// Applies one frame from the server, for the side whose own messages are of kind `own`,
    /// at `now_ms` (milliseconds since the epoch).
    pub fn apply(&self, frame: ServerFrame, own: SenderKind, now_ms: f64) {
        match frame {
            ServerFrame::Message { message } => {
                self.merge([message]);
            }
            ServerFrame::Ack { client_id, message } => self.acknowledge(&client_id, message),
            ServerFrame::Read {
                reader, up_to_seq, ..
            } => {
                // Only a reader who reads this side's messages makes them "Seen".
                let other_side = reader.kind.reads(own);
                if other_side && up_to_seq > self.other_read_up_to.get_untracked() {
                    self.other_read_up_to.set(up_to_seq);
                }
            }
            ServerFrame::Typing { who, .. } => {
                self.typing.set(Some((who, now_ms + TYPING_SHOWN_MS)));
            }
            ServerFrame::SessionEnded { .. } => {
                self.ended.set(true);
            }
            ServerFrame::Error {
                code, client_id, ..
            } => match client_id {
                Some(id) => self.refuse(&id, code),
                None => self.error.set(Some(code)),
            },
            ServerFrame::Welcome { .. }
            | ServerFrame::Subscribed { .. }
            | ServerFrame::InboxSubscribed
            | ServerFrame::ConversationUpdated { .. }
            | ServerFrame::Pong => {}
        }
    }

    /// The socket closed with `code`: what the state becomes, and what the client does next.
    pub fn closed(&self, code: u16) -> AfterClose {
        if code == close::SESSION_ENDED {
            self.ended.set(true);
            return AfterClose::Ended;
        }
        // Retrying with a credential that no longer holds only fails again: the page that
        // owns it signs in anew instead.
        if code == close::UNAUTHORIZED {
            self.signed_out.set(true);
            return AfterClose::SignedOut;
        }
        AfterClose::Reconnect
    }
}

