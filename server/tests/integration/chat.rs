//! Real-time chat over real sockets: operator and guest on `/ws`, plus the message REST routes.

use crate::common::ws::{connect, open, too_big, Handshake, Next, Socket, SESSION_ENDED};
use crate::common::{error_code, TestServer};
use serde_json::{json, Value};

struct Pair {
    server: TestServer,
    cookie: String,
    session_id: String,
    conversation_id: String,
    token: String,
}

async fn pair() -> Pair {
    let server = TestServer::start().await;
    let client = server.signed_in().await;
    let created = server.create_session(&client, Some("Chat")).await;
    let cookie = server.operator_cookie().await;
    Pair {
        session_id: created["session"]["id"].as_str().unwrap().to_owned(),
        conversation_id: created["session"]["conversation_id"]
            .as_str()
            .unwrap()
            .to_owned(),
        token: created["guest_token"].as_str().unwrap().to_owned(),
        cookie,
        server,
    }
}

impl Pair {
    async fn operator(&self) -> Socket {
        let mut socket = open(&self.server.ws_url(""), &[("cookie", &self.cookie)]).await;
        let welcome = socket.frame().await;
        assert_eq!(welcome["type"], "welcome");
        assert_eq!(welcome["identity"]["kind"], "operator");
        socket
    }

    async fn guest(&self, name: &str) -> Socket {
        let query = format!("?guest_token={}&guest_name={name}", self.token);
        let mut socket = open(&self.server.ws_url(&query), &[]).await;
        let welcome = socket.frame().await;
        assert_eq!(welcome["type"], "welcome");
        assert_eq!(welcome["identity"]["kind"], "guest");
        assert_eq!(welcome["conversation_id"], self.conversation_id.as_str());
        assert_eq!(welcome["session"]["id"], self.session_id.as_str());
        socket
    }

    async fn subscribe(&self, socket: &mut Socket, after_seq: Option<i64>) -> Value {
        socket
            .send(json!({"type": "subscribe", "conversation_id": self.conversation_id, "after_seq": after_seq}))
            .await;
        let subscribed = socket.frame().await;
        assert_eq!(subscribed["type"], "subscribed", "{subscribed}");
        subscribed
    }

    async fn send(&self, socket: &mut Socket, client_id: &str, content: &str) {
        socket
            .send_message(&self.conversation_id, client_id, content)
            .await;
    }
}

#[tokio::test]
async fn an_operator_and_a_guest_exchange_messages_both_ways() {
    let p = pair().await;
    let mut operator = p.operator().await;
    let mut guest = p.guest("Ann").await;
    p.subscribe(&mut operator, Some(0)).await;
    p.subscribe(&mut guest, Some(0)).await;

    p.send(&mut operator, "op-1", "Hello, how can I help?")
        .await;
    let ack = operator.frame().await;
    assert_eq!(ack["type"], "ack");
    assert_eq!(ack["client_id"], "op-1");
    assert_eq!(ack["message"]["seq"], 1);
    assert_eq!(ack["message"]["sender"]["kind"], "operator");
    assert_eq!(ack["message"]["sender"]["name"], "Ann");
    let echoed = operator.frame().await;
    assert_eq!(echoed["type"], "message");
    assert_eq!(echoed["message"]["id"], ack["message"]["id"]);
    let received = guest.frame().await;
    assert_eq!(received["type"], "message");
    assert_eq!(received["message"]["content"], "Hello, how can I help?");

    p.send(&mut guest, "g-1", "My printer is offline").await;
    let ack = guest.frame().await;
    assert_eq!(ack["type"], "ack");
    assert_eq!(ack["message"]["seq"], 2);
    assert_eq!(
        ack["message"]["sender"],
        json!({"kind": "guest", "name": "Ann"})
    );
    let received = operator.until("message").await;
    assert_eq!(received["message"]["content"], "My printer is offline");
    assert_eq!(received["message"]["read_at"], Value::Null);

    // The operator reads; the guest hears of it.
    operator
        .send(json!({"type": "read", "conversation_id": p.conversation_id, "up_to_seq": 2}))
        .await;
    let read = guest.until("read").await;
    assert_eq!(read["up_to_seq"], 2);
    assert_eq!(read["reader"]["kind"], "operator");

    // Typing reaches the other side, not the typist.
    guest
        .send(json!({"type": "typing", "conversation_id": p.conversation_id}))
        .await;
    let typing = operator.until("typing").await;
    assert_eq!(typing["who"], json!({"kind": "guest", "name": "Ann"}));
    // Barrier: the conversation's events reach the guest in order, so had its own typing come
    // back, it would come before the operator's.
    operator
        .send(json!({"type": "typing", "conversation_id": p.conversation_id}))
        .await;
    let next = guest.frame().await;
    assert_eq!(next["type"], "typing");
    assert_eq!(next["who"]["kind"], "operator");

    operator.send(json!({"type": "ping"})).await;
    assert_eq!(operator.frame().await["type"], "pong");
}

#[tokio::test]
async fn a_reconnect_with_after_seq_replays_exactly_the_gap() {
    let p = pair().await;
    let mut operator = p.operator().await;
    p.subscribe(&mut operator, Some(0)).await;
    let mut guest = p.guest("").await;
    p.subscribe(&mut guest, Some(0)).await;
    p.send(&mut operator, "a", "one").await;
    guest.until("message").await;
    drop(guest);

    for (key, text) in [("b", "two"), ("c", "three")] {
        p.send(&mut operator, key, text).await;
        // Earlier acks and echoes may still be queued; wait for this key's ack.
        while operator.until("ack").await["client_id"] != key {}
    }
    let mut guest = p.guest("").await;
    let subscribed = p.subscribe(&mut guest, Some(1)).await;
    assert_eq!(subscribed["last_seq"], 3);
    let replayed: Vec<i64> = vec![
        guest.frame().await["message"]["seq"].as_i64().unwrap(),
        guest.frame().await["message"]["seq"].as_i64().unwrap(),
    ];
    assert_eq!(replayed, vec![2, 3]);
    // Then live, with no duplicate at the seam.
    p.send(&mut operator, "d", "four").await;
    let live = guest.frame().await;
    assert_eq!(live["message"]["seq"], 4);
    // Barrier: a duplicate of 4 would come before 5.
    p.send(&mut operator, "e", "five").await;
    assert_eq!(guest.frame().await["message"]["seq"], 5);
}

#[tokio::test]
async fn the_same_client_id_twice_stores_one_message_and_acks_twice() {
    let p = pair().await;
    let mut guest = p.guest("").await;
    p.send(&mut guest, "same-key", "hello").await;
    let first = guest.until("ack").await;
    p.send(&mut guest, "same-key", "hello").await;
    let second = guest.until("ack").await;
    assert_eq!(first["message"]["id"], second["message"]["id"]);
    let client = p.server.signed_in().await;
    let messages: Value = client
        .get(p.server.url(&format!(
            "/api/v1/conversations/{}/messages",
            p.conversation_id
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(messages["messages"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn ending_the_session_closes_the_guest_with_4410_and_then_refuses_it_with_410() {
    let p = pair().await;
    let mut operator = p.operator().await;
    p.subscribe(&mut operator, None).await;
    let mut guest = p.guest("").await;
    let client = p.server.signed_in().await;
    client
        .post(
            p.server
                .url(&format!("/api/v1/sessions/{}/end", p.session_id)),
        )
        .send()
        .await
        .unwrap();
    let ended = guest.frame().await;
    assert_eq!(
        ended,
        json!({"type": "session_ended", "session_id": p.session_id})
    );
    match guest.next().await {
        Next::Closed(code) => assert_eq!(code, SESSION_ENDED),
        other => panic!("expected close 4410, got {other:?}"),
    }
    // The operator hears it and stays connected.
    assert_eq!(
        operator.until("session_ended").await["session_id"],
        p.session_id.as_str()
    );
    operator.send(json!({"type": "ping"})).await;
    assert_eq!(operator.frame().await["type"], "pong");

    match connect(&p.server.ws_url(&format!("?guest_token={}", p.token)), &[]).await {
        Handshake::Refused(status, body) => {
            assert_eq!(status, 410);
            assert_eq!(body["error"]["code"], "gone");
        }
        Handshake::Open(_) => panic!("an ended session must refuse the handshake"),
    }
    let response = p
        .server
        .client()
        .post(
            p.server
                .url(&format!("/support/guest/{}/messages", p.token)),
        )
        .json(&json!({"content": "still there?"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 410);
}

#[tokio::test]
async fn handshakes_are_refused_before_the_upgrade_with_the_contracts_errors() {
    let p = pair().await;
    type Case<'a> = (String, Vec<(&'a str, &'a str)>, u16, &'a str);
    let cases: Vec<Case> = vec![
        ("?guest_token=nope".into(), vec![], 404, "not_found"),
        (String::new(), vec![], 401, "unauthorized"),
        (
            String::new(),
            vec![("cookie", "switchboard_session=forged")],
            401,
            "unauthorized",
        ),
        (
            String::new(),
            vec![
                ("cookie", p.cookie.as_str()),
                ("origin", "https://evil.example"),
            ],
            403,
            "forbidden",
        ),
        (
            format!("?guest_token={}&guest_name={}", p.token, "x".repeat(61)),
            vec![],
            422,
            "invalid",
        ),
    ];
    for (query, headers, status, code) in cases {
        match connect(&p.server.ws_url(&query), &headers).await {
            Handshake::Refused(got, body) => {
                assert_eq!(got, status, "{query} {headers:?}");
                assert_eq!(body["error"]["code"], code, "{query}");
            }
            Handshake::Open(_) => panic!("{query} {headers:?} should be refused"),
        }
    }
    // The server's own (public) origin is fine.
    let own = "http://support.test".to_owned();
    let mut socket = open(
        &p.server.ws_url(""),
        &[("cookie", &p.cookie), ("origin", &own)],
    )
    .await;
    assert_eq!(socket.frame().await["type"], "welcome");
}

#[tokio::test]
async fn bad_frames_get_an_error_and_leave_the_connection_open() {
    let p = pair().await;
    let mut guest = p.guest("").await;
    let conv = p.conversation_id.clone();
    let long = "x".repeat(4_001);
    let frames = vec![
        ("invalid JSON", "{nope".to_owned(), None),
        ("unknown type", json!({"type": "dance"}).to_string(), None),
        ("empty message", json!({"type": "send", "conversation_id": conv, "client_id": "e1", "content": "  "}).to_string(), Some("e1")),
        ("4,001 characters", json!({"type": "send", "conversation_id": conv, "client_id": "e2", "content": long}).to_string(), Some("e2")),
        ("NUL byte", json!({"type": "send", "conversation_id": conv, "client_id": "e3", "content": "a\u{0}b"}).to_string(), Some("e3")),
    ];
    for (case, text, client_id) in frames {
        guest.send_text(&text).await;
        let error = guest.frame().await;
        assert_eq!(error["type"], "error", "{case}");
        assert_eq!(error["code"], "invalid", "{case}");
        if let Some(id) = client_id {
            assert_eq!(error["client_id"], id, "{case}");
        }
        guest.send(json!({"type": "ping"})).await;
        assert_eq!(guest.frame().await["type"], "pong", "{case}: still open");
    }
}

#[tokio::test]
async fn a_client_that_keeps_sending_bad_frames_is_closed_with_1008() {
    let p = pair().await;
    let mut guest = p.guest("").await;
    for _ in 0..20 {
        guest.send_text("garbage").await;
        assert_eq!(guest.frame().await["code"], "invalid");
    }
    guest.send_text("garbage").await;
    match guest.next().await {
        Next::Closed(code) => assert_eq!(code, 1008),
        other => panic!("expected 1008, got {other:?}"),
    }
}

#[tokio::test]
async fn a_frame_over_16_kib_closes_the_connection_with_1009() {
    let p = pair().await;
    let mut guest = p.guest("").await;
    let big = json!({"type": "send", "conversation_id": p.conversation_id, "client_id": "big", "content": "x".repeat(16 * 1024)});
    guest.send(big).await;
    match guest.next().await {
        Next::Closed(code) => assert_eq!(code, too_big()),
        other => panic!("expected 1009, got {other:?}"),
    }
}

#[tokio::test]
async fn more_than_20_sends_in_10_seconds_are_rate_limited() {
    let p = pair().await;
    let mut guest = p.guest("").await;
    for i in 0..20 {
        p.send(&mut guest, &format!("r{i}"), "spam").await;
        assert_eq!(guest.until("ack").await["client_id"], format!("r{i}"));
    }
    p.send(&mut guest, "r20", "one too many").await;
    let refused = guest.frame().await;
    assert_eq!(refused["type"], "error");
    assert_eq!(refused["code"], "rate_limited");
    assert_eq!(refused["client_id"], "r20");
}

#[tokio::test]
async fn a_guest_may_not_subscribe_to_another_conversation() {
    let p = pair().await;
    let client = p.server.signed_in().await;
    let other = p.server.create_session(&client, None).await;
    let mut guest = p.guest("").await;
    guest
        .send(json!({"type": "subscribe", "conversation_id": other["session"]["conversation_id"]}))
        .await;
    let refused = guest.frame().await;
    assert_eq!(refused["type"], "error");
    assert_eq!(refused["code"], "forbidden");
    guest.send(json!({"type": "subscribe_inbox"})).await;
    assert_eq!(guest.frame().await["code"], "forbidden");
}

#[tokio::test]
async fn html_in_content_is_stored_and_sent_verbatim() {
    let p = pair().await;
    let mut guest = p.guest("").await;
    let html = "<img src=x onerror=alert(1)> & <b>bold</b>";
    p.send(&mut guest, "h", html).await;
    assert_eq!(guest.until("ack").await["message"]["content"], html);
    let stored: (String,) = sqlx::query_as("SELECT content FROM messages")
        .fetch_one(p.server.store.sqlite().unwrap())
        .await
        .unwrap();
    assert_eq!(stored.0, html);
}

#[tokio::test]
async fn the_rest_routes_post_read_back_and_mark_read() {
    let p = pair().await;
    let guest = p.server.client();
    let guest_url = p
        .server
        .url(&format!("/support/guest/{}/messages", p.token));
    let first = guest
        .post(&guest_url)
        .json(&json!({"content": " Hi there ", "guest_name": "Bo", "client_id": "k1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["message"]["content"], "Hi there");
    assert_eq!(
        first["message"]["sender"],
        json!({"kind": "guest", "name": "Bo"})
    );
    let repeat = guest
        .post(&guest_url)
        .json(&json!({"content": "Hi there", "client_id": "k1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(repeat.status(), 200);
    assert_eq!(
        repeat.json::<Value>().await.unwrap()["message"]["id"],
        first["message"]["id"]
    );

    let operator = p.server.signed_in().await;
    let conv_url = p.server.url(&format!(
        "/api/v1/conversations/{}/messages",
        p.conversation_id
    ));
    let reply = operator
        .post(&conv_url)
        .json(&json!({"content": "Hello Bo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 201);

    let guest_path = format!("/support/guest/{}/messages", p.token);
    let after = p
        .server
        .get_json(&guest, &format!("{guest_path}?after_seq=1"))
        .await;
    assert_eq!(after["session"]["id"], p.session_id.as_str());
    let seqs: Vec<i64> = after["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, vec![2]);

    let read = operator
        .post(
            p.server
                .url(&format!("/api/v1/conversations/{}/read", p.conversation_id)),
        )
        .json(&json!({"up_to_seq": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 204);
    let conv_path = format!("/api/v1/conversations/{}/messages", p.conversation_id);
    let all = p
        .server
        .get_json(&operator, &format!("{conv_path}?limit=1"))
        .await;
    assert_eq!(all["messages"].as_array().unwrap().len(), 1);
    assert!(
        all["messages"][0]["read_at"].is_string(),
        "the guest's message was read"
    );

    for (case, body, status) in [
        ("empty", json!({"content": ""}), 422),
        ("too long", json!({"content": "x".repeat(4_001)}), 422),
        (
            "bad name",
            json!({"content": "x", "guest_name": "x".repeat(61)}),
            422,
        ),
        (
            "bad client_id",
            json!({"content": "x", "client_id": "has space"}),
            422,
        ),
        ("no content", json!({}), 422),
    ] {
        let response = guest.post(&guest_url).json(&body).send().await.unwrap();
        assert_eq!(response.status(), status, "{case}");
        assert_eq!(error_code(response).await, "invalid", "{case}");
    }
    for (query, status) in [
        ("?after_seq=-1", 422),
        ("?limit=501", 422),
        ("?limit=x", 422),
    ] {
        let response = operator
            .get(format!("{conv_url}{query}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{query}");
    }
    let unknown = operator
        .get(
            p.server
                .url("/api/v1/conversations/0193a000-0000-7000-8000-000000000000/messages"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let no_cookie = p.server.client().get(&conv_url).send().await.unwrap();
    assert_eq!(no_cookie.status(), 401);
    let bad_token = p.server.get(&guest, "/support/guest/nope/messages").await;
    assert_eq!(bad_token.status(), 404);
}
