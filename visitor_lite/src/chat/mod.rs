//! A visitor's chat as plain data: what the panel shows, and how each frame, socket close, REST
//! answer and send changes it. Every change says what it touched ([`Changes`]), so the page
//! redraws only that. Nothing here touches the browser: it runs, and is tested, natively.

use switchboard::wire::{close, ErrorCode, SenderKind};

use crate::message::{File, Frame, Message, Who};

/// How long a "typing" notice stays shown, in milliseconds.
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

/// A message this page sent that the server has not acknowledged.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// The idempotency key, reused on every retry.
    pub client_id: String,
    /// The text.
    pub content: String,
    /// The uploaded files it carries.
    pub attachments: Vec<File>,
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
    /// The guest link was replaced (4404): stay closed; only the new link works.
    Replaced,
    /// Anything else: connect again, polling meanwhile.
    Reconnect,
}

/// The parts of the panel a change touched, so that the page redraws only those.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changes(u8);

impl Changes {
    /// Nothing changed.
    pub const NONE: Self = Self(0);
    /// The stored messages.
    pub const MESSAGES: Self = Self(1);
    /// The sends waiting for their ack.
    pub const PENDING: Self = Self(1 << 1);
    /// The connection.
    pub const LINK: Self = Self(1 << 2);
    /// Who is typing.
    pub const TYPING: Self = Self(1 << 3);
    /// How far the other side has read.
    pub const READ: Self = Self(1 << 4);
    /// Whether the chat was cut off (ended, link replaced) or signed out.
    pub const CLOSED: Self = Self(1 << 5);
    /// The error not tied to one send.
    pub const ERROR: Self = Self(1 << 6);
    /// A message of the other side arrived that is newer than the history the page opened
    /// with: the page may announce it (a chime, the widget's host page).
    pub const FRESH: Self = Self(1 << 7);

    /// Whether any part of `other` changed.
    pub fn touches(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether nothing changed.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl std::ops::BitOr for Changes {
    type Output = Self;
    fn bitor(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

impl std::ops::BitOrAssign for Changes {
    fn bitor_assign(&mut self, other: Self) {
        self.0 |= other.0;
    }
}

/// Everything a visitor's chat panel shows.
#[derive(Debug, Clone)]
pub struct Chat {
    own: SenderKind,
    messages: Vec<Message>,
    pending: Vec<Pending>,
    link: Link,
    typing: Option<(Who, f64)>,
    other_read_up_to: i64,
    ended: bool,
    replaced: bool,
    signed_out: bool,
    error: Option<ErrorCode>,
    /// The highest seq of the history the page opened with (the first subscription's
    /// `last_seq`, or the first REST answer): what arrives above it is news.
    heard_up_to: Option<i64>,
}

impl Chat {
    /// An empty chat for the side whose own messages are of kind `own` (a guest or a customer),
    /// in a conversation that may already have ended.
    pub fn new(own: SenderKind, ended: bool) -> Self {
        Self {
            own,
            messages: Vec::new(),
            pending: Vec::new(),
            link: Link::Connecting,
            typing: None,
            other_read_up_to: 0,
            ended,
            replaced: false,
            signed_out: false,
            error: None,
            heard_up_to: None,
        }
    }

    /// Stored messages, ascending by seq, unique by id.
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    /// Sends not yet acknowledged, in the order they were written.
    pub fn pending(&self) -> &[Pending] {
        &self.pending
    }

    /// The connection.
    pub fn link(&self) -> Link {
        self.link
    }

    /// The error not tied to one send (for example a refused subscription).
    pub fn error(&self) -> Option<ErrorCode> {
        self.error
    }

    /// Whether the session ended.
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// Whether the guest link this page was opened with was replaced.
    pub fn replaced(&self) -> bool {
        self.replaced
    }

    /// Whether the credential no longer holds (the page that owns it signs in again).
    pub fn signed_out(&self) -> bool {
        self.signed_out
    }

    /// Whether the chat takes no more messages: ended, or its link replaced.
    pub fn cut_off(&self) -> bool {
        self.ended || self.replaced
    }

    /// Whether the client must not connect again: nothing it could say would be accepted.
    pub fn stays_closed(&self) -> bool {
        self.cut_off() || self.signed_out
    }

    /// Who is typing on the other side at `now_ms`, if anyone.
    pub fn typist(&self, now_ms: f64) -> Option<&Who> {
        self.typing
            .as_ref()
            .filter(|(_, until)| *until > now_ms)
            .map(|(who, _)| who)
    }

    /// The highest seq held: the resume cursor.
    pub fn last_seq(&self) -> i64 {
        self.messages.last().map(|m| m.seq).unwrap_or(0)
    }

    /// Whether `message` came from this side (a guest's or a customer's own; every staff line
    /// is the other side's).
    pub fn is_own(&self, message: &Message) -> bool {
        !message.kind.is_staff()
    }

    /// The newest own message, if the other side has read it: the one row that says "Seen".
    pub fn seen_seq(&self) -> Option<i64> {
        self.messages
            .iter()
            .rev()
            .find(|m| self.is_own(m))
            .filter(|m| m.read || m.seq <= self.other_read_up_to)
            .map(|m| m.seq)
    }

    /// How many messages this side reads (the one rule, [`SenderKind::reads`]) are unread and
    /// above `read_up_to`, the highest seq this page has marked read.
    pub fn unread(&self, read_up_to: i64) -> usize {
        self.messages
            .iter()
            .filter(|m| m.seq > read_up_to && !m.read && self.own.reads(m.kind))
            .count()
    }

    /// Adds messages, keeping the list ascending and free of duplicates; returns how many were
    /// new.
    pub fn merge(&mut self, incoming: impl IntoIterator<Item = Message>) -> usize {
        let mut added = 0;
        for message in incoming {
            if self.messages.iter().any(|m| m.id == message.id) {
                continue;
            }
            let at = self.messages.partition_point(|m| m.seq < message.seq);
            self.messages.insert(at, message);
            added += 1;
        }
        added
    }

    /// A stored message arrived (live, replayed or polled): it joins the list, ends the typing
    /// notice it answers, and is news when it is the other side's and newer than the history
    /// the page opened with.
    pub fn arrived(&mut self, message: Message) -> Changes {
        let mut changes = Changes::NONE;
        // The message a typing notice announced ends it, in the same redraw.
        if self
            .typing
            .as_ref()
            .is_some_and(|(who, _)| who.kind == message.kind)
        {
            self.typing = None;
            changes |= Changes::TYPING;
        }
        // News is what this side reads (an operator's reply, never a line of Switchboard's).
        let news = self.own.reads(message.kind)
            && self.heard_up_to.is_some_and(|heard| message.seq > heard);
        if self.merge([message]) > 0 {
            changes |= Changes::MESSAGES;
            if news {
                changes |= Changes::FRESH;
            }
        }
        changes
    }

    /// Whether the history the page opened with is known: what arrives from now on may be news.
    pub fn history_known(&self) -> bool {
        self.heard_up_to.is_some()
    }

    /// A REST answer before any subscription: part of the history the page opened with
    /// (nothing in it is news), all of it once `complete` (the answer was not cut at its limit).
    pub fn polled(&mut self, messages: Vec<Message>, complete: bool) -> Changes {
        let added = self.merge(messages);
        if complete {
            self.heard_up_to.get_or_insert(self.last_seq());
        }
        if added > 0 {
            Changes::MESSAGES
        } else {
            Changes::NONE
        }
    }

    /// Queues a send with the key `client_id`; returns it, to transmit.
    pub fn send(&mut self, client_id: String, content: String, attachments: Vec<File>) -> Pending {
        let pending = Pending {
            client_id,
            content,
            attachments,
            failed: None,
        };
        self.pending.push(pending.clone());
        pending
    }

    /// Clears a failed send's failure; returns it, to transmit again with its key.
    pub fn retry(&mut self, client_id: &str) -> Option<Pending> {
        let pending = self.pending.iter_mut().find(|p| p.client_id == client_id)?;
        pending.failed = None;
        Some(pending.clone())
    }

    /// The sends to transmit again once a connection opens: those that have not failed.
    pub fn waiting(&self) -> impl Iterator<Item = &Pending> {
        self.pending.iter().filter(|p| p.failed.is_none())
    }

    /// A send the server stored: it leaves the pending list and joins the messages.
    pub fn acknowledge(&mut self, client_id: &str, message: Message) -> Changes {
        self.pending.retain(|p| p.client_id != client_id);
        self.merge([message]);
        Changes::PENDING | Changes::MESSAGES
    }

    /// A send the server refused, with why.
    pub fn refuse(&mut self, client_id: &str, code: ErrorCode) -> Changes {
        match self.pending.iter_mut().find(|p| p.client_id == client_id) {
            Some(pending) => {
                pending.failed = Some(code);
                Changes::PENDING
            }
            None => Changes::NONE,
        }
    }

    /// Applies one frame from the server at `now_ms`.
    pub fn apply(&mut self, frame: Frame, now_ms: f64) -> Changes {
        match frame {
            Frame::Message(message) => self.arrived(message),
            Frame::Subscribed { last_seq } => {
                // Only the first subscription's: after a reconnect, what the replay brings
                // arrived while the page was away, and is news.
                self.heard_up_to.get_or_insert(last_seq);
                Changes::NONE
            }
            Frame::Ack { client_id, message } => self.acknowledge(&client_id, message),
            Frame::Read { reader, up_to_seq } => {
                // Only a reader who reads this side's messages makes them "Seen".
                if reader.reads(self.own) && up_to_seq > self.other_read_up_to {
                    self.other_read_up_to = up_to_seq;
                    Changes::READ
                } else {
                    Changes::NONE
                }
            }
            Frame::Typing(who) => {
                self.typing = Some((who, now_ms + TYPING_SHOWN_MS));
                Changes::TYPING
            }
            Frame::SessionEnded => self.end(),
            Frame::Error {
                code,
                client_id: Some(id),
            } => self.refuse(&id, code.unwrap_or(ErrorCode::Invalid)),
            Frame::Error {
                code,
                client_id: None,
            } => {
                self.error = Some(code.unwrap_or(ErrorCode::Internal));
                Changes::ERROR
            }
            Frame::Other => Changes::NONE,
        }
    }

    /// The socket opened: the chat is live, and an earlier error is over.
    pub fn opened(&mut self) -> Changes {
        self.link = Link::Connected;
        self.error = None;
        Changes::LINK | Changes::ERROR
    }

    /// The connection is down: trying again, or offline.
    pub fn lost(&mut self, online: bool) -> Changes {
        self.link = if online {
            Link::Reconnecting
        } else {
            Link::Offline
        };
        Changes::LINK
    }

    /// The socket closed with `code`: what the chat becomes, and what the client does next.
    pub fn closed(&mut self, code: u16) -> (AfterClose, Changes) {
        match code {
            close::SESSION_ENDED => (AfterClose::Ended, self.end()),
            // Retrying with a credential that no longer holds only fails again: the page that
            // owns it signs in anew instead.
            close::UNAUTHORIZED => {
                self.signed_out = true;
                // Not live any more: the page is signing in again.
                self.link = Link::Reconnecting;
                (AfterClose::SignedOut, Changes::CLOSED | Changes::LINK)
            }
            close::LINK_REPLACED => (AfterClose::Replaced, self.replace()),
            _ => (AfterClose::Reconnect, Changes::NONE),
        }
    }

    /// The page signed in again after a 4401: the chat may connect with the new credential.
    pub fn signed_in_again(&mut self) -> Changes {
        self.signed_out = false;
        Changes::CLOSED
    }

    /// What a REST answer's status says about the chat as a whole, as the socket's closes do:
    /// 410 ends it (like 4410), a 404 to a guest's token means its link was replaced (like
    /// 4404), and a 401 that the credential no longer holds (like 4401). Other statuses concern
    /// one request only.
    pub fn answered(&mut self, status: u16) -> Changes {
        match status {
            410 => self.end(),
            404 if self.own == SenderKind::Guest => self.replace(),
            401 => self.closed(close::UNAUTHORIZED).1,
            _ => Changes::NONE,
        }
    }

    /// The session ended: every waiting send fails.
    pub fn end(&mut self) -> Changes {
        self.ended = true;
        self.fail_waiting(ErrorCode::Gone);
        Changes::CLOSED | Changes::PENDING
    }

    /// The guest link was replaced: every waiting send fails.
    pub fn replace(&mut self) -> Changes {
        self.replaced = true;
        self.fail_waiting(ErrorCode::NotFound);
        Changes::CLOSED | Changes::PENDING
    }

    fn fail_waiting(&mut self, code: ErrorCode) {
        for pending in self.pending.iter_mut().filter(|p| p.failed.is_none()) {
            pending.failed = Some(code);
        }
    }
}

#[cfg(test)]
mod tests;
