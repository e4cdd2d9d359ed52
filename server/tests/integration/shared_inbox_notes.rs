//! Private notes never reach a guest or a customer, through any door they read from, while
//! operators see them everywhere; a mention alerts the operator it names.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::desk::post_with;
use crate::common::ws::{open, Socket};
use crate::common::{on_both, TestServer};

const SECRET: &str = "SECRET: refund approved by finance";

/// A socket subscribed to `conversation` from `after_seq`: it and the `subscribed` frame.
async fn subscribed(
    url: &str,
    headers: &[(&str, &str)],
    conversation: &str,
    after_seq: i64,
) -> (Socket, Value) {
    let mut socket = open(url, headers).await;
    assert_eq!(socket.frame().await["type"], "welcome");
    socket
        .send(json!({"type": "subscribe", "conversation_id": conversation, "after_seq": after_seq}))
        .await;
    let frame = socket.until("subscribed").await;
    (socket, frame)
}

/// Message frames until one with `last` arrives: their seqs and contents.
async fn messages_until(socket: &mut Socket, last: &str) -> Vec<(i64, String)> {
    let mut seen = Vec::new();
    loop {
        let frame = socket.until("message").await;
        let content = frame["message"]["content"].as_str().unwrap().to_owned();
        seen.push((frame["message"]["seq"].as_i64().unwrap(), content.clone()));
        if content == last {
            return seen;
        }
    }
}

/// Every frame up to and including the first of type `kind`.
async fn frames_until(socket: &mut Socket, kind: &str) -> Vec<Value> {
    let mut frames = Vec::new();
    loop {
        let frame = socket.frame().await;
        let done = frame["type"] == kind;
        frames.push(frame);
        if done {
            return frames;
        }
    }
}

fn contents(messages: &Value) -> Vec<String> {
    messages
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["content"].as_str().unwrap().to_owned())
        .collect()
}

/// An operator's post (a note, usually) that must be stored.
async fn note(
    server: &TestServer,
    client: &reqwest::Client,
    conversation: &str,
    body: Value,
) -> Value {
    let (status, posted) = post_with(server, client, conversation, body).await;
    assert_eq!(status, 201);
    posted
}

on_both!(
    a_note_reaches_no_customer_door_and_every_operator_one,
    |server| {
        let owner = server.signed_in().await;
        let ben = server.member(&owner, "ben@example.com", "agent").await;
        let mut bens_socket = open(&server.ws_url(""), &[("cookie", &ben.cookie)]).await;
        assert_eq!(bens_socket.frame().await["type"], "welcome");
        let ann = server
            .signed_widget("ann-7", "ann@example.com", "Ann")
            .await;
        let id = ann.conversation_id.clone();
        assert_eq!(
            server
                .widget_post(&ann, "Can I get a refund?")
                .await
                .status(),
            201
        );
        let widget_ws = server.ws_url(&format!("?widget_token={}", ann.token));
        let (mut live, _) = subscribed(&widget_ws, &[], &id, 1).await;

        server
            .operator_post(&owner, &id, "Let me ask finance.")
            .await;
        let posted = note(
            &server,
            &owner,
            &id,
            json!({"content": SECRET, "internal": true, "mentions": [ben.id()]}),
        )
        .await;
        assert_eq!(posted["message"]["internal"], true);
        assert_eq!(posted["message"]["mentions"], json!([ben.id()]));
        server
            .operator_post(&owner, &id, "Good news: it is approved.")
            .await;

        // Live: the customer's socket gets seqs 2 and 4, and never the note between them.
        assert_eq!(
            messages_until(&mut live, "Good news: it is approved.").await,
            vec![
                (2, "Let me ask finance.".to_owned()),
                (4, "Good news: it is approved.".to_owned())
            ]
        );
        // The widget's history and unread count leave the note out.
        let history = server.widget_messages(&ann, 0).await;
        assert_eq!(
            contents(&history["messages"]),
            [
                "Can I get a refund?",
                "Let me ask finance.",
                "Good news: it is approved."
            ]
        );
        assert_eq!(history["unread"], 2);
        // A replay after a reconnect, from the start and from seq 2, skips it too; the last seq
        // a customer may see is the last that is not a note.
        for (after, expected) in [(0, vec![1, 2, 4]), (2, vec![4])] {
            let (mut again, frame) = subscribed(&widget_ws, &[], &id, after).await;
            assert_eq!(frame["last_seq"], 4);
            let seqs: Vec<i64> = messages_until(&mut again, "Good news: it is approved.")
                .await
                .into_iter()
                .map(|(seq, _)| seq)
                .collect();
            assert_eq!(seqs, expected);
        }
        note(
            &server,
            &owner,
            &id,
            json!({"content": "Closing this one.", "internal": true}),
        )
        .await;
        let (_, frame) = subscribed(&widget_ws, &[], &id, 0).await;
        assert_eq!(
            frame["last_seq"], 4,
            "a note at the end moves no customer's last seq"
        );
        // A customer cannot write one.
        let refused = server
            .widget_request(&ann, Method::POST, "/api/v1/widget/messages")
            .json(&json!({"content": "psst", "internal": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 403);

        // The reply email carries the replies, not the note; its link's hosted page neither.
        server.clock.advance(Duration::from_secs(300));
        let sent = server.wait_for_email(&owner, &id, "sent").await;
        let emails = server
            .get_json(&owner, &format!("/api/v1/conversations/{id}/emails"))
            .await;
        assert_eq!(
            emails["emails"].as_array().unwrap().len(),
            1,
            "notes start no email"
        );
        let raw = std::fs::read_to_string(
            server
                .mail_dir
                .join(format!("{}.eml", sent["id"].as_str().unwrap())),
        )
        .expect("the .eml file");
        let email = mail_parser::MessageParser::default()
            .parse(raw.as_bytes())
            .unwrap();
        let text = email.body_text(0).unwrap().into_owned();
        assert!(text.contains("Good news: it is approved."), "{text}");
        assert!(!raw.contains("SECRET") && !text.contains("SECRET"));
        let link = text
            .split("Open the chat: ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .expect("a chat link")
            .trim_start_matches("http://support.test/chat/")
            .to_owned();
        let page = server.get(&server.client(), &format!("/chat/{link}")).await;
        assert_eq!(page.status(), 200);
        assert!(!page.text().await.unwrap().contains("SECRET"));
        let hosted = server.widget_with(json!({ "link": link })).await;
        assert!(
            !contents(&server.widget_messages(&hosted, 0).await["messages"])
                .iter()
                .any(|c| c.contains("SECRET"))
        );

        // Operators see it: the history, the conversation view, a replay, the list's preview.
        let all = server
            .get_json(&owner, &format!("/api/v1/conversations/{id}/messages"))
            .await;
        assert!(contents(&all["messages"]).contains(&SECRET.to_owned()));
        let detail = server
            .get_json(&owner, &format!("/api/v1/conversations/{id}"))
            .await;
        assert_eq!(detail["messages"][2]["internal"], true);
        assert_eq!(
            detail["conversation"]["last_message_preview"],
            "Closing this one."
        );
        assert_eq!(detail["conversation"]["last_message_internal"], true);
        let cookie = server.operator_cookie().await;
        let (mut operator_replay, frame) =
            subscribed(&server.ws_url(""), &[("cookie", &cookie)], &id, 0).await;
        assert_eq!(frame["last_seq"], 5);
        let seen = messages_until(&mut operator_replay, "Closing this one.").await;
        assert!(seen.contains(&(3, SECRET.to_owned())));

        // Ben was mentioned: his socket got the alert.
        let alert = bens_socket.until("alert").await;
        assert_eq!(alert["kind"], "mention");
        assert_eq!(alert["conversation_id"], id.as_str());
        assert_eq!(alert["message_id"], posted["message"]["id"]);
    }
);

on_both!(a_note_reaches_no_guest_door, |server| {
    let owner = server.signed_in().await;
    let created = server.create_session(&owner, Some("Printer")).await;
    let token = created["guest_token"].as_str().unwrap().to_owned();
    let id = created["session"]["conversation_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let guest_ws = server.ws_url(&format!("?guest_token={token}&guest_name=Gil"));
    let (mut live, _) = subscribed(&guest_ws, &[], &id, 0).await;
    server.operator_post(&owner, &id, "Hello Gil").await;
    note(
        &server,
        &owner,
        &id,
        json!({"content": SECRET, "internal": true}),
    )
    .await;
    server
        .operator_post(&owner, &id, "Try turning it off and on")
        .await;
    assert_eq!(
        messages_until(&mut live, "Try turning it off and on").await,
        vec![
            (1, "Hello Gil".to_owned()),
            (3, "Try turning it off and on".to_owned())
        ]
    );
    let history = server
        .get_json(
            &server.client(),
            &format!("/support/guest/{token}/messages"),
        )
        .await;
    assert_eq!(
        contents(&history["messages"]),
        ["Hello Gil", "Try turning it off and on"]
    );
    let (mut again, frame) = subscribed(&guest_ws, &[], &id, 0).await;
    assert_eq!(frame["last_seq"], 3);
    let seqs: Vec<i64> = messages_until(&mut again, "Try turning it off and on")
        .await
        .into_iter()
        .map(|(seq, _)| seq)
        .collect();
    assert_eq!(seqs, [1, 3]);
    // Typing a note is announced to operators only; a guest cannot write a note.
    let cookie = server.operator_cookie().await;
    let (mut typist, _) = subscribed(&server.ws_url(""), &[("cookie", &cookie)], &id, 3).await;
    let (mut colleague, _) = subscribed(&server.ws_url(""), &[("cookie", &cookie)], &id, 3).await;
    typist
        .send(json!({"type": "typing", "conversation_id": id, "internal": true}))
        .await;
    let typing = colleague.until("typing").await;
    assert_eq!(typing["internal"], true);
    live.send(json!({"type": "send", "conversation_id": id, "client_id": "g1", "content": "psst", "internal": true}))
        .await;
    let mut frames = frames_until(&mut live, "error").await;
    let error = frames.last().unwrap().clone();
    assert_eq!(error["code"], "forbidden");
    assert_eq!(error["client_id"], "g1");
    server.operator_post(&owner, &id, "Did it work?").await;
    frames.extend(frames_until(&mut live, "message").await);
    assert_eq!(frames.last().unwrap()["message"]["content"], "Did it work?");
    assert!(frames.iter().all(|f| f["type"] != "typing"), "{frames:?}");
    let posted = server
        .client()
        .post(server.url(&format!("/support/guest/{token}/messages")))
        .json(&json!({"content": "psst", "internal": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 403);
});
