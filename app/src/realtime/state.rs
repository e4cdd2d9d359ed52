//! What the chat panel shows, and how each server frame, socket close and REST answer changes
//! it. Nothing here touches the browser, so it runs (and is tested) natively.

use leptos::prelude::*;
use switchboard::wire::{close, ErrorCode, Identity, Message, SenderKind, ServerFrame, Viewer};
use uuid::Uuid;

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
    /// An operator's private note.
    pub internal: bool,
    /// The operators a note mentions.
    pub mentions: Vec<Uuid>,
    /// The collision guard: the highest seq the operator's view had (`None`: no guard, or
    /// sent anyway).
    pub based_on_seq: Option<i64>,
    /// The uploaded files it carries.
    pub attachments: Vec<switchboard::wire::FileInfo>,
}

impl Pending {
    /// A new send with a fresh key.
    pub fn new(client_id: String, content: String) -> Self {
        Self {
            client_id,
            content,
            failed: None,
            internal: false,
            mentions: Vec::new(),
            based_on_seq: None,
            attachments: Vec::new(),
        }
    }

    /// The ids of its files, as a send names them.
    pub fn attachment_ids(&self) -> Vec<Uuid> {
        self.attachments.iter().map(|file| file.id).collect()
    }
}

/// What the client does once its socket closed with a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterClose {
    /// The session ended (4410): stay closed.
    Ended,
    /// The credential no longer holds (4401): stay closed; the page signs in anew.
    SignedOut,
    /// The guest link was replaced by a new one (4404): stay closed; only the new link works.
    Replaced,
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
    /// The guest link this page was opened with was replaced (close 4404, or a REST answer 404
    /// to the guest's token): the guest needs the new link.
    pub replaced: RwSignal<bool>,
    /// An error not tied to one message (for example a refused subscription).
    pub error: RwSignal<Option<ErrorCode>>,
    /// Operators: who else has the conversation on screen, and who of them types.
    pub viewers: RwSignal<Vec<Viewer>>,
    /// Operators: a send the collision guard refused (others wrote since the view it was
    /// based on). The composer takes the draft back and offers to send it anyway.
    pub collision: RwSignal<Option<Pending>>,
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
            replaced: RwSignal::new(false),
            error: RwSignal::new(None),
            viewers: RwSignal::new(Vec::new()),
            collision: RwSignal::new(None),
        }
    }

    /// The collision guard refused a send: what arrived meanwhile joins the messages, and the
    /// draft goes back to the composer (it is no longer pending: nothing was stored).
    pub fn collide(&self, client_id: &str, newer: Vec<Message>) {
        self.merge(newer);
        let mut refused = None;
        self.pending.update(|list| {
            if let Some(at) = list.iter().position(|p| p.client_id == client_id) {
                refused = Some(list.remove(at));
            }
        });
        if let Some(refused) = refused {
            self.collision.set(Some(refused));
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
                // The message a typing notice announced ends it, in the same update.
                let announced = self.typing.with_untracked(|typing| {
                    typing
                        .as_ref()
                        .is_some_and(|(who, _)| who.kind == message.sender.kind)
                });
                if announced {
                    self.typing.set(None);
                }
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
            ServerFrame::SessionEnded { .. } => self.end(),
            ServerFrame::Error {
                code: ErrorCode::Conflict,
                client_id: Some(id),
                messages: Some(newer),
                ..
            } => self.collide(&id, newer),
            ServerFrame::Error {
                code, client_id, ..
            } => match client_id {
                Some(id) => self.refuse(&id, code),
                None => self.error.set(Some(code)),
            },
            ServerFrame::Viewers { operators, .. } => self.viewers.set(operators),
            ServerFrame::Welcome { .. }
            | ServerFrame::Subscribed { .. }
            | ServerFrame::InboxSubscribed
            | ServerFrame::ConversationUpdated { .. }
            | ServerFrame::Alert { .. }
            | ServerFrame::Pong => {}
        }
    }

    /// The socket closed with `code`: what the state becomes, and what the client does next.
    pub fn closed(&self, code: u16) -> AfterClose {
        match code {
            close::SESSION_ENDED => {
                self.end();
                AfterClose::Ended
            }
            // Retrying with a credential that no longer holds only fails again: the page that
            // owns it signs in anew instead.
            close::UNAUTHORIZED => {
                self.signed_out.set(true);
                AfterClose::SignedOut
            }
            close::LINK_REPLACED => {
                self.replace();
                AfterClose::Replaced
            }
            _ => AfterClose::Reconnect,
        }
    }

    /// What a REST answer's status says about the chat as a whole, as the socket's closes do:
    /// 410 ends it (like 4410), and a 404 to a guest's token means its link was replaced (like
    /// 4404). Other statuses concern one request only.
    pub fn answered(&self, status: u16, guest: bool) {
        match status {
            410 => self.end(),
            404 if guest => self.replace(),
            _ => {}
        }
    }

    /// The session ended: sends still waiting can never go, and say so.
    pub fn end(&self) {
        self.ended.set(true);
        self.fail_waiting(ErrorCode::Gone);
    }

    /// The guest link was replaced: sends still waiting can never go, and say so.
    pub fn replace(&self) {
        self.replaced.set(true);
        self.fail_waiting(ErrorCode::NotFound);
    }

    /// Whether this side can no longer send: the session ended, or the link it came in with
    /// was replaced.
    pub fn cut_off(&self) -> bool {
        self.ended.get() || self.replaced.get()
    }

    fn fail_waiting(&self, code: ErrorCode) {
        self.pending.update(|list| {
            for pending in list.iter_mut().filter(|p| p.failed.is_none()) {
                pending.failed = Some(code);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use switchboard::wire::Sender;
    use uuid::Uuid;

    use super::*;

    const CONVERSATION: Uuid = Uuid::from_u128(7);

    fn message(seq: i64, kind: SenderKind) -> Message {
        Message {
            id: Uuid::from_u128(1000 + seq as u128),
            conversation_id: CONVERSATION,
            seq,
            sender: Sender { kind, name: None },
            content: format!("m{seq}"),
            client_id: format!("c{seq}"),
            created_at: Utc.with_ymd_and_hms(2026, 12, 4, 8, 0, 0).unwrap(),
            read_at: None,
            internal: false,
            mentions: Vec::new(),
            attachments: Vec::new(),
        }
    }

    fn from_guest(seq: i64) -> ServerFrame {
        ServerFrame::Message {
            message: message(seq, SenderKind::Guest),
        }
    }

    fn seqs(state: &ChatState) -> Vec<i64> {
        state
            .messages
            .with_untracked(|list| list.iter().map(|m| m.seq).collect())
    }

    fn identity(kind: SenderKind) -> Identity {
        Identity {
            kind,
            id: None,
            name: Some("Ada".into()),
        }
    }

    /// Runs `test` inside a reactive owner: signals need one when the server's features are on.
    fn reactive(test: impl FnOnce()) {
        Owner::new_root(None).with(test)
    }

    fn pending(client_id: &str) -> Pending {
        Pending::new(client_id.into(), "hello".into())
    }

    #[test]
    fn a_message_heard_twice_is_kept_once_and_the_list_stays_in_seq_order() {
        reactive(|| {
            let state = ChatState::new(false);
            for seq in [2, 1, 2, 3, 1] {
                state.apply(from_guest(seq), SenderKind::Operator, 0.0);
            }
            assert_eq!(seqs(&state), vec![1, 2, 3]);
            assert_eq!(state.merge([message(3, SenderKind::Guest)]), 0);
        })
    }

    #[test]
    fn the_resume_cursor_is_the_highest_seq_held_even_across_a_gap() {
        reactive(|| {
            let state = ChatState::new(false);
            assert_eq!(state.last_seq(), 0);
            state.merge([message(5, SenderKind::Guest), message(2, SenderKind::Guest)]);
            assert_eq!(state.last_seq(), 5);
        })
    }

    #[test]
    fn a_replay_after_a_lagged_or_lost_socket_fills_the_gap_without_duplicates() {
        reactive(|| {
            let state = ChatState::new(false);
            state.merge([1, 2, 5].map(|seq| message(seq, SenderKind::Guest)));
            // The server replays everything after the cursor a resubscribe sent, and the REST poll
            // may bring the same messages again.
            let replay: Vec<Message> = (3..=6).map(|seq| message(seq, SenderKind::Guest)).collect();
            assert_eq!(state.merge(replay.clone()), 3);
            assert_eq!(state.merge(replay), 0);
            assert_eq!(seqs(&state), vec![1, 2, 3, 4, 5, 6]);
        })
    }

    #[test]
    fn an_ack_moves_a_send_from_pending_to_the_messages_and_a_refusal_marks_it_failed() {
        reactive(|| {
            let state = ChatState::new(false);
            state.pending.set(vec![pending("a"), pending("b")]);
            let stored = message(1, SenderKind::Operator);
            state.apply(
                ServerFrame::Ack {
                    client_id: "a".into(),
                    message: stored.clone(),
                },
                SenderKind::Operator,
                0.0,
            );
            state.apply(
                ServerFrame::Error {
                    code: ErrorCode::RateLimited,
                    message: "slow down".into(),
                    client_id: Some("b".into()),
                    messages: None,
                },
                SenderKind::Operator,
                0.0,
            );
            assert_eq!(state.messages.get_untracked(), vec![stored]);
            let left = state.pending.get_untracked();
            assert_eq!(left.len(), 1);
            assert_eq!(left[0].client_id, "b");
            assert_eq!(left[0].failed, Some(ErrorCode::RateLimited));
            assert_eq!(state.error.get_untracked(), None);
        })
    }

    #[test]
    fn a_refused_reply_shows_what_arrived_and_hands_the_draft_back() {
        reactive(|| {
            let state = ChatState::new(false);
            state.merge([message(1, SenderKind::Customer)]);
            let mut draft = pending("a");
            draft.based_on_seq = Some(1);
            state.pending.set(vec![draft.clone()]);
            state.apply(
                ServerFrame::Error {
                    code: ErrorCode::Conflict,
                    message: "new messages".into(),
                    client_id: Some("a".into()),
                    messages: Some(vec![message(2, SenderKind::Customer)]),
                },
                SenderKind::Operator,
                0.0,
            );
            let seqs: Vec<i64> = state
                .messages
                .get_untracked()
                .iter()
                .map(|m| m.seq)
                .collect();
            assert_eq!(seqs, [1, 2]);
            assert!(state.pending.get_untracked().is_empty());
            assert_eq!(state.collision.get_untracked(), Some(draft));
            assert_eq!(state.error.get_untracked(), None);
        })
    }

    #[test]
    fn an_error_for_no_send_is_shown_on_its_own() {
        reactive(|| {
            let state = ChatState::new(false);
            state.pending.set(vec![pending("a")]);
            state.apply(
                ServerFrame::Error {
                    code: ErrorCode::Forbidden,
                    message: "no".into(),
                    client_id: None,
                    messages: None,
                },
                SenderKind::Guest,
                0.0,
            );
            assert_eq!(state.error.get_untracked(), Some(ErrorCode::Forbidden));
            assert_eq!(state.pending.get_untracked()[0].failed, None);
        })
    }

    #[test]
    fn only_the_other_side_reading_further_moves_the_seen_mark() {
        reactive(|| {
            let state = ChatState::new(false);
            let read = |kind, up_to_seq| ServerFrame::Read {
                conversation_id: CONVERSATION,
                reader: identity(kind),
                up_to_seq,
            };
            // An operator's own colleague reading does not make the operator's messages "Seen".
            state.apply(read(SenderKind::Operator, 9), SenderKind::Operator, 0.0);
            assert_eq!(state.other_read_up_to.get_untracked(), 0);
            state.apply(read(SenderKind::Customer, 4), SenderKind::Operator, 0.0);
            assert_eq!(state.other_read_up_to.get_untracked(), 4);
            // A read mark never moves back.
            state.apply(read(SenderKind::Guest, 2), SenderKind::Operator, 0.0);
            assert_eq!(state.other_read_up_to.get_untracked(), 4);
        })
    }

    #[test]
    fn typing_is_shown_for_four_seconds_from_when_it_was_heard() {
        reactive(|| {
            let state = ChatState::new(false);
            state.apply(
                ServerFrame::Typing {
                    conversation_id: CONVERSATION,
                    who: identity(SenderKind::Guest),
                    internal: false,
                },
                SenderKind::Operator,
                10_000.0,
            );
            let (who, until) = state.typing.get_untracked().expect("typing is shown");
            assert_eq!(who, identity(SenderKind::Guest));
            assert_eq!(until, 14_000.0);
        })
    }

    #[test]
    fn a_message_from_the_side_that_was_typing_ends_the_typing_line_at_once() {
        reactive(|| {
            let state = ChatState::new(false);
            let typing = ServerFrame::Typing {
                conversation_id: CONVERSATION,
                who: identity(SenderKind::Guest),
                internal: false,
            };
            state.apply(typing.clone(), SenderKind::Operator, 10_000.0);
            // Another operator's message does not end the guest's typing.
            state.apply(
                ServerFrame::Message {
                    message: message(1, SenderKind::Operator),
                },
                SenderKind::Operator,
                10_500.0,
            );
            assert!(state.typing.get_untracked().is_some());
            state.apply(from_guest(2), SenderKind::Operator, 11_000.0);
            assert_eq!(state.typing.get_untracked(), None);
        })
    }

    #[test]
    fn the_session_end_arrives_as_a_frame_or_as_close_4410_and_cuts_the_chat_off() {
        reactive(|| {
            let by_frame = ChatState::new(false);
            by_frame.apply(
                ServerFrame::SessionEnded {
                    session_id: Uuid::nil(),
                },
                SenderKind::Guest,
                0.0,
            );
            assert!(by_frame.ended.get_untracked());

            let by_close = ChatState::new(false);
            assert_eq!(by_close.closed(close::SESSION_ENDED), AfterClose::Ended);
            assert!(by_close.ended.get_untracked());
        })
    }

    #[test]
    fn close_4401_signs_out_and_any_other_close_reconnects_with_nothing_changed() {
        reactive(|| {
            let state = ChatState::new(false);
            assert_eq!(state.closed(close::POLICY), AfterClose::Reconnect);
            assert_eq!(state.closed(1006), AfterClose::Reconnect);
            assert!(!state.ended.get_untracked() && !state.signed_out.get_untracked());
            assert_eq!(state.closed(close::UNAUTHORIZED), AfterClose::SignedOut);
            assert!(state.signed_out.get_untracked());
            assert!(!state.ended.get_untracked());
        })
    }

    #[test]
    fn close_4404_tells_the_guest_the_link_was_replaced_and_fails_what_was_waiting() {
        reactive(|| {
            let state = ChatState::new(false);
            state.pending.set(vec![pending("a")]);
            assert_eq!(state.closed(close::LINK_REPLACED), AfterClose::Replaced);
            assert!(state.replaced.get_untracked());
            assert!(!state.ended.get_untracked());
            assert!(untrack(|| state.cut_off()));
            // "sending…" forever would read as a network failure: the send says it failed.
            assert_eq!(
                state.pending.get_untracked()[0].failed,
                Some(ErrorCode::NotFound)
            );
        })
    }

    #[test]
    fn the_session_ending_fails_the_sends_still_waiting() {
        reactive(|| {
            let state = ChatState::new(false);
            state.pending.set(vec![pending("a")]);
            assert_eq!(state.closed(close::SESSION_ENDED), AfterClose::Ended);
            assert_eq!(
                state.pending.get_untracked()[0].failed,
                Some(ErrorCode::Gone)
            );
            assert!(!state.replaced.get_untracked());
        })
    }

    #[test]
    fn a_rest_410_ends_the_chat_and_a_404_replaces_only_a_guests_link() {
        reactive(|| {
            let operator = ChatState::new(false);
            operator.answered(404, false);
            operator.answered(500, false);
            assert!(!untrack(|| operator.cut_off()));
            operator.answered(410, false);
            assert!(operator.ended.get_untracked());

            let guest = ChatState::new(false);
            guest.answered(404, true);
            assert!(guest.replaced.get_untracked());
            assert!(!guest.ended.get_untracked());
        })
    }
}
