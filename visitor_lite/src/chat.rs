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
        let news =
            !self.is_own(&message) && self.heard_up_to.is_some_and(|heard| message.seq > heard);
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

    /// The first REST answer, when no subscription came before it: the history the page
    /// opened with (nothing in it is news).
    pub fn polled(&mut self, messages: Vec<Message>) -> Changes {
        let added = self.merge(messages);
        self.heard_up_to.get_or_insert(self.last_seq());
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
mod tests {
    use super::*;

    fn message(seq: i64, kind: SenderKind) -> Message {
        Message {
            id: format!("m{seq}"),
            seq,
            kind,
            name: None,
            content: format!("text {seq}"),
            client_id: format!("c{seq}"),
            created_ms: 0.0,
            created_at: "2026-12-05T08:00:00.000Z".into(),
            read: false,
            attachments: Vec::new(),
        }
    }

    fn seqs(chat: &Chat) -> Vec<i64> {
        chat.messages().iter().map(|m| m.seq).collect()
    }

    fn operator(seq: i64) -> Frame {
        Frame::Message(message(seq, SenderKind::Operator))
    }

    fn guest_chat() -> Chat {
        Chat::new(SenderKind::Guest, false)
    }

    #[test]
    fn a_message_heard_twice_is_kept_once_and_the_list_stays_in_seq_order() {
        let mut chat = guest_chat();
        for seq in [2, 1, 2, 3, 1] {
            chat.apply(operator(seq), 0.0);
        }
        assert_eq!(seqs(&chat), [1, 2, 3]);
        assert_eq!(chat.apply(operator(3), 0.0), Changes::NONE);
    }

    #[test]
    fn a_replay_after_a_lost_socket_fills_the_gap_and_the_cursor_is_the_highest_seq() {
        let mut chat = guest_chat();
        assert_eq!(chat.last_seq(), 0);
        chat.merge([1, 2, 5].map(|seq| message(seq, SenderKind::Operator)));
        assert_eq!(chat.last_seq(), 5);
        let replay: Vec<Message> = (3..=6)
            .map(|seq| message(seq, SenderKind::Operator))
            .collect();
        assert_eq!(chat.merge(replay.clone()), 3);
        assert_eq!(chat.merge(replay), 0);
        assert_eq!(seqs(&chat), [1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn an_ack_moves_a_send_to_the_messages_and_a_refusal_marks_only_that_send_failed() {
        let mut chat = guest_chat();
        chat.send("a".into(), "hello".into(), Vec::new());
        chat.send("b".into(), "again".into(), Vec::new());
        let stored = message(1, SenderKind::Guest);
        let changes = chat.apply(
            Frame::Ack {
                client_id: "a".into(),
                message: stored.clone(),
            },
            0.0,
        );
        assert!(changes.touches(Changes::PENDING) && changes.touches(Changes::MESSAGES));
        chat.apply(
            Frame::Error {
                code: Some(ErrorCode::RateLimited),
                client_id: Some("b".into()),
            },
            0.0,
        );
        assert_eq!(chat.messages(), [stored]);
        assert_eq!(chat.pending().len(), 1);
        assert_eq!(chat.pending()[0].failed, Some(ErrorCode::RateLimited));
        assert_eq!(chat.error(), None);
        assert_eq!(chat.waiting().count(), 0);
        assert_eq!(chat.retry("b").map(|p| p.content), Some("again".into()));
        assert_eq!(chat.waiting().count(), 1);
    }

    #[test]
    fn an_error_for_no_send_is_shown_on_its_own_until_the_socket_opens_again() {
        let mut chat = guest_chat();
        chat.send("a".into(), "hello".into(), Vec::new());
        chat.apply(
            Frame::Error {
                code: Some(ErrorCode::Forbidden),
                client_id: None,
            },
            0.0,
        );
        assert_eq!(chat.error(), Some(ErrorCode::Forbidden));
        assert_eq!(chat.pending()[0].failed, None);
        chat.opened();
        assert_eq!(chat.error(), None);
        assert_eq!(chat.link(), Link::Connected);
    }

    #[test]
    fn a_typing_notice_lasts_four_seconds_or_until_that_side_s_message_arrives() {
        let mut chat = guest_chat();
        let who = Who {
            kind: SenderKind::Operator,
            name: Some("Ada".into()),
        };
        chat.apply(Frame::Typing(who.clone()), 1_000.0);
        assert_eq!(chat.typist(4_999.0), Some(&who));
        assert_eq!(chat.typist(5_000.0), None);
        chat.apply(Frame::Typing(who), 10_000.0);
        let changes = chat.apply(operator(1), 10_001.0);
        assert!(changes.touches(Changes::TYPING));
        assert_eq!(chat.typist(10_002.0), None);
    }

    #[test]
    fn only_the_other_side_s_reading_marks_the_newest_own_message_seen() {
        let mut chat = guest_chat();
        chat.merge([
            message(1, SenderKind::Guest),
            message(2, SenderKind::Guest),
            message(3, SenderKind::Operator),
        ]);
        let read_by = |reader| Frame::Read {
            reader,
            up_to_seq: 2,
        };
        assert_eq!(chat.apply(read_by(SenderKind::Guest), 0.0), Changes::NONE);
        assert_eq!(chat.seen_seq(), None);
        assert_eq!(
            chat.apply(read_by(SenderKind::Operator), 0.0),
            Changes::READ
        );
        assert_eq!(chat.seen_seq(), Some(2));
        chat.merge([message(4, SenderKind::Guest)]);
        assert_eq!(
            chat.seen_seq(),
            None,
            "the newest own message is not read yet"
        );
    }

    #[test]
    fn unread_counts_the_operators_messages_above_what_this_page_marked_read() {
        let mut chat = Chat::new(SenderKind::Customer, false);
        let mut read = message(1, SenderKind::Operator);
        read.read = true;
        chat.merge([
            read,
            message(2, SenderKind::Operator),
            message(3, SenderKind::Customer),
            message(4, SenderKind::System),
            message(5, SenderKind::Operator),
        ]);
        assert_eq!(chat.unread(0), 2);
        assert_eq!(chat.unread(2), 1);
        assert_eq!(chat.unread(5), 0);
    }

    #[test]
    fn the_end_of_a_session_fails_what_waits_and_keeps_the_client_closed() {
        let mut chat = guest_chat();
        chat.send("a".into(), "hello".into(), Vec::new());
        let (after, changes) = chat.closed(close::SESSION_ENDED);
        assert_eq!(after, AfterClose::Ended);
        assert!(changes.touches(Changes::CLOSED));
        assert!(chat.cut_off() && chat.stays_closed());
        assert_eq!(chat.pending()[0].failed, Some(ErrorCode::Gone));
    }

    #[test]
    fn a_replaced_link_and_a_lapsed_credential_stop_reconnecting_but_a_dropped_socket_does_not() {
        let mut chat = guest_chat();
        assert_eq!(chat.closed(1006).0, AfterClose::Reconnect);
        assert!(!chat.stays_closed());
        assert_eq!(chat.closed(close::LINK_REPLACED).0, AfterClose::Replaced);
        assert!(chat.replaced() && chat.cut_off());

        let mut customer = Chat::new(SenderKind::Customer, false);
        assert_eq!(
            customer.closed(close::UNAUTHORIZED).0,
            AfterClose::SignedOut
        );
        assert!(customer.signed_out() && customer.stays_closed() && !customer.cut_off());
    }

    #[test]
    fn only_the_other_side_s_messages_above_the_opening_history_are_news() {
        let mut chat = Chat::new(SenderKind::Customer, false);
        let frame = |seq, kind| Frame::Message(message(seq, kind));
        assert_eq!(
            chat.apply(Frame::Subscribed { last_seq: 2 }, 0.0),
            Changes::NONE
        );
        assert!(!chat
            .apply(frame(1, SenderKind::Operator), 0.0)
            .touches(Changes::FRESH));
        assert!(!chat
            .apply(frame(2, SenderKind::Operator), 0.0)
            .touches(Changes::FRESH));
        assert!(chat
            .apply(frame(3, SenderKind::Operator), 0.0)
            .touches(Changes::FRESH));
        assert!(!chat
            .apply(frame(4, SenderKind::Customer), 0.0)
            .touches(Changes::FRESH));
        assert!(
            !chat
                .apply(frame(3, SenderKind::Operator), 0.0)
                .touches(Changes::FRESH),
            "a message held already is no news twice"
        );
        // A reconnect's subscription does not move the line: what it replays came meanwhile.
        chat.apply(Frame::Subscribed { last_seq: 5 }, 0.0);
        assert!(chat
            .apply(frame(5, SenderKind::Operator), 0.0)
            .touches(Changes::FRESH));
    }

    #[test]
    fn the_first_poll_before_any_subscription_is_history_and_what_follows_is_news() {
        let mut chat = Chat::new(SenderKind::Customer, false);
        assert!(!chat.history_known());
        let history = vec![
            message(1, SenderKind::Operator),
            message(2, SenderKind::Operator),
        ];
        assert_eq!(chat.polled(history), Changes::MESSAGES);
        assert!(chat.history_known());
        assert!(chat
            .arrived(message(3, SenderKind::Operator))
            .touches(Changes::FRESH));
        assert!(!chat
            .arrived(message(4, SenderKind::Customer))
            .touches(Changes::FRESH));
        assert_eq!(chat.messages().len(), 4);
    }

    #[test]
    fn a_customer_signed_in_again_may_connect_again() {
        let mut chat = Chat::new(SenderKind::Customer, false);
        chat.opened();
        let (_, changes) = chat.closed(close::UNAUTHORIZED);
        assert!(changes.touches(Changes::LINK));
        assert_eq!(
            chat.link(),
            Link::Reconnecting,
            "no longer reads as connected"
        );
        assert!(chat.stays_closed());
        chat.signed_in_again();
        assert!(!chat.stays_closed() && !chat.signed_out());
    }

    #[test]
    fn a_rest_answer_ends_the_chat_on_410_and_replaces_only_a_guest_s_link_on_404() {
        let mut customer = Chat::new(SenderKind::Customer, false);
        assert_eq!(customer.answered(404), Changes::NONE);
        assert!(!customer.cut_off());
        customer.answered(410);
        assert!(customer.ended());

        let mut guest = guest_chat();
        guest.answered(404);
        assert!(guest.replaced() && !guest.ended());
    }

    #[test]
    fn a_rest_answer_of_401_signs_a_customer_out_as_the_socket_s_4401_does() {
        let mut customer = Chat::new(SenderKind::Customer, false);
        let changes = customer.answered(401);
        assert!(changes.touches(Changes::CLOSED));
        assert!(customer.signed_out() && customer.stays_closed() && !customer.cut_off());
    }

    #[test]
    fn a_lost_connection_reads_offline_only_when_the_browser_is() {
        let mut chat = guest_chat();
        assert_eq!(chat.link(), Link::Connecting);
        chat.lost(true);
        assert_eq!(chat.link(), Link::Reconnecting);
        chat.lost(false);
        assert_eq!(chat.link(), Link::Offline);
    }
}
