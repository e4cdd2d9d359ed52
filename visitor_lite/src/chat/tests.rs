//! The chat's state, natively: how frames, closes, REST answers and sends change it.

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
            .apply(frame(6, SenderKind::System), 0.0)
            .touches(Changes::FRESH),
        "a line of Switchboard's is no reply"
    );
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
    // A history longer than one answer comes in pages, none of it news.
    assert_eq!(
        chat.polled(vec![message(1, SenderKind::Operator)], false),
        Changes::MESSAGES
    );
    assert!(!chat.history_known());
    assert_eq!(
        chat.polled(vec![message(2, SenderKind::Operator)], true),
        Changes::MESSAGES
    );
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
