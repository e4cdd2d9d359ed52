//! What a stranger, or someone holding only a guest link, can try: each test pins a limit or a
//! promise against the real server over real sockets.

use std::time::Duration;

use crate::common::ws::{connect, open, too_big, Handshake, Next, Socket};
use crate::common::{closed_within, TestServer, EMAIL, PASSWORD};
use futures_util::SinkExt;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::Message;

/// A session created through the API: (session id, conversation id, guest token).
pub(crate) async fn session(server: &TestServer) -> (String, String, String) {
    let client = server.signed_in().await;
    let created = server.create_session(&client, Some("Hardening")).await;
    let field = |v: &Value| v.as_str().unwrap().to_owned();
    (
        field(&created["session"]["id"]),
        field(&created["session"]["conversation_id"]),
        field(&created["guest_token"]),
    )
}

pub(crate) async fn guest_socket(server: &TestServer, token: &str) -> Socket {
    let mut socket = open(&server.ws_url(&format!("?guest_token={token}")), &[]).await;
    assert_eq!(socket.frame().await["type"], "welcome");
    socket
}

pub(crate) fn login_body(password: &str) -> Value {
    json!({"email": EMAIL, "password": password})
}

// ---- memory and CPU ------------------------------------------------------------------------

#[tokio::test]
async fn refused_subscribes_join_no_topic_and_a_closed_socket_leaves_none() {
    let server = TestServer::start().await;
    let (_, _, token) = session(&server).await;
    let mut socket = guest_socket(&server, &token).await;
    let watched = server.engine.bus().topic_count();
    assert_eq!(watched, 1, "the guest's own session watcher");
    for _ in 0..20 {
        socket
            .send(json!({"type": "subscribe", "conversation_id": fresh_id()}))
            .await;
        assert_eq!(socket.frame().await["code"], "forbidden");
    }
    assert_eq!(server.engine.bus().topic_count(), watched);
    // One more refusal is past the bad-frame limit: the socket is closed.
    socket
        .send(json!({"type": "subscribe", "conversation_id": fresh_id()}))
        .await;
    assert!(matches!(socket.next().await, Next::Closed(1008)));
    wait_until(|| server.engine.bus().topic_count() == 0).await;
}

#[tokio::test]
async fn concurrent_wrong_passwords_for_one_email_get_exactly_the_limit_of_401s() {
    let server = TestServer::start().await;
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let (client, url) = (server.client(), server.url("/api/v1/auth/login"));
        tasks.push(tokio::spawn(async move {
            let response = client.post(url).json(&login_body("wrong password")).send();
            response.await.unwrap().status().as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    let unauthorized = statuses.iter().filter(|s| **s == 401).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((unauthorized, limited), (5, 95), "{statuses:?}");
}

#[tokio::test]
async fn concurrent_sign_ins_queue_for_a_bounded_number_of_password_hashes() {
    let server = TestServer::start().await;
    let mut tasks = Vec::new();
    // Unknown emails are checked against a dummy hash, so each one costs a full argon2 run.
    for n in 0..24 {
        let (client, url) = (server.client(), server.url("/api/v1/auth/login"));
        tasks.push(tokio::spawn(async move {
            let body =
                json!({"email": format!("nobody{n}@example.com"), "password": "wrong password"});
            client
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 401, "queued, not refused");
    }
    let hashing = server.engine.password_hashing();
    assert!(hashing.peak() >= 1);
    assert!(
        hashing.peak() <= hashing.capacity(),
        "{} hashes ran at once; the cap is {}",
        hashing.peak(),
        hashing.capacity()
    );
}

#[tokio::test]
async fn a_guest_link_holds_at_most_ten_live_sockets() {
    let server = TestServer::start().await;
    let (_, _, token) = session(&server).await;
    let url = server.ws_url(&format!("?guest_token={token}"));
    let mut sockets = Vec::new();
    for _ in 0..10 {
        sockets.push(open(&url, &[]).await);
    }
    match connect(&url, &[]).await {
        Handshake::Refused(status, body) => {
            assert_eq!(status, 429);
            assert_eq!(body["error"]["code"], "rate_limited");
        }
        Handshake::Open(_) => panic!("an eleventh socket was accepted"),
    }
    // A closed socket frees its place.
    let mut first = sockets.remove(0);
    first.0.close(None).await.unwrap();
    wait_for_open(&url).await;
}

#[tokio::test]
async fn frames_over_the_transport_limit_close_with_1009_and_invalid_utf8_with_1007() {
    let server = TestServer::start().await;
    let (_, _, token) = session(&server).await;
    // Just over the loop's 16 KiB rule, and over the transport's own limit.
    for size in [16 * 1024 + 512, 20 * 1024] {
        let mut socket = guest_socket(&server, &token).await;
        socket
            .0
            .send(Message::Text("x".repeat(size).into()))
            .await
            .ok();
        assert!(
            matches!(socket.next().await, Next::Closed(code) if code == too_big()),
            "{size} bytes"
        );
    }
    let mut socket = guest_socket(&server, &token).await;
    let bad = Frame::message(vec![0x22, 0xff, 0xfe, 0x22], OpCode::Data(Data::Text), true);
    socket.0.send(Message::Frame(bad)).await.unwrap();
    assert!(matches!(socket.next().await, Next::Closed(1007)));
}

#[tokio::test]
async fn rest_posts_share_the_senders_window_with_retry_after() {
    let server = TestServer::start().await;
    let (_, _, token) = session(&server).await;
    let client = server.client();
    let url = server.url(&format!("/support/guest/{token}/messages"));
    for n in 0..20 {
        let response = client
            .post(&url)
            .json(&json!({"content": format!("m{n}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }
    let refused = client
        .post(&url)
        .json(&json!({"content": "one too many"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 429);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=10).contains(&wait));
    // The same sender over a socket is in the same window.
    let mut socket = guest_socket(&server, &token).await;
    let conversation = server
        .get_json(&client, &format!("/support/guest/{token}/messages"))
        .await["session"]["conversation_id"]
        .clone();
    socket
        .send(json!({"type": "send", "conversation_id": conversation, "client_id": "k", "content": "x"}))
        .await;
    assert_eq!(socket.frame().await["code"], "rate_limited");
}

#[tokio::test]
async fn a_client_that_dribbles_headers_is_cut_off_after_the_header_timeout() {
    let server = TestServer::start_with(&[("SWITCHBOARD_HEADER_TIMEOUT", "1s")]).await;
    let mut stream = TcpStream::connect(server.base.trim_start_matches("http://"))
        .await
        .unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let dribble = async {
        for _ in 0..100 {
            if stream.write_all(b"X-A: b\r\n").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    // The dribble would go on for 20 s; the server ends it long before.
    let ended_early = tokio::time::timeout(Duration::from_secs(10), dribble)
        .await
        .is_ok();
    assert!(ended_early || closed_within(&mut stream, Duration::from_secs(5)).await);
}

#[tokio::test]
async fn a_half_sent_body_is_answered_408_after_the_request_timeout() {
    let server = TestServer::start_with(&[("SWITCHBOARD_REQUEST_TIMEOUT", "1s")]).await;
    let mut stream = TcpStream::connect(server.base.trim_start_matches("http://"))
        .await
        .unwrap();
    stream
        .write_all(
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"email\":",
        )
        .await
        .unwrap();
    let mut answer = vec![0u8; 512];
    let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut answer))
        .await
        .expect("an answer within 10 s")
        .unwrap();
    let head = String::from_utf8_lossy(&answer[..n]);
    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
}

#[tokio::test]
async fn connections_past_the_cap_are_closed_at_once() {
    let server = TestServer::start_with(&[("SWITCHBOARD_MAX_CONNECTIONS", "3")]).await;
    let address = server.base.trim_start_matches("http://").to_owned();
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut stream = TcpStream::connect(&address).await.unwrap();
        // Each is served: a request gets its answer.
        stream
            .write_all(b"GET /api/v1/nothing HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 64];
        let n = stream.read(&mut buf).await.unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 404"));
        held.push(stream);
    }
    let mut extra = TcpStream::connect(&address).await.unwrap();
    let _ = extra.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    let mut buf = [0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(5), extra.read(&mut buf))
        .await
        .expect("the server answers the fourth connection at once")
        .unwrap_or(0);
    assert_eq!(n, 0, "the fourth connection is closed unserved");
}

// ---- sign-in lockouts ----------------------------------------------------------------------

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_address_limit() {
    let server = TestServer::start_with(&[("SWITCHBOARD_TRUSTED_PROXIES", "127.0.0.1")]).await;
    let attempt = |forwarded: &'static str, email: String| {
        let (client, url) = (server.client(), server.url("/api/v1/auth/login"));
        async move {
            client
                .post(url)
                .header("x-forwarded-for", forwarded)
                .json(&json!({"email": email, "password": "wrong password"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    for n in 0..30 {
        assert_eq!(
            attempt("198.51.100.1", format!("x{n}@example.com")).await,
            401
        );
    }
    assert_eq!(attempt("198.51.100.1", "y@example.com".into()).await, 429);
    assert_eq!(attempt("198.51.100.2", "y@example.com".into()).await, 401);
}

#[tokio::test]
async fn x_forwarded_for_from_an_untrusted_peer_is_ignored() {
    let server = TestServer::start().await;
    for n in 0..30 {
        let response = server
            .client()
            .post(server.url("/api/v1/auth/login"))
            .header("x-forwarded-for", format!("198.51.100.{n}"))
            .json(&json!({"email": format!("x{n}@example.com"), "password": "wrong password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
    }
    let response = server
        .client()
        .post(server.url("/api/v1/auth/login"))
        .header("x-forwarded-for", "198.51.100.200")
        .json(&login_body("wrong password"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429, "all thirty came from one peer");
}

#[tokio::test]
async fn a_browser_that_signed_in_before_gets_through_the_email_lock() {
    let server = TestServer::start().await;
    let known = server.signed_in().await;
    let login = |client: &reqwest::Client, password: &str| {
        client
            .post(server.url("/api/v1/auth/login"))
            .json(&login_body(password))
            .send()
    };
    // Someone else guesses until the email is locked.
    let stranger = server.client();
    for _ in 0..5 {
        assert_eq!(
            login(&stranger, "wrong password").await.unwrap().status(),
            401
        );
    }
    assert_eq!(login(&stranger, PASSWORD).await.unwrap().status(), 429);
    assert_eq!(
        login(&server.client(), PASSWORD).await.unwrap().status(),
        429
    );
    // The owner's browser has its device cookie.
    assert_eq!(login(&known, PASSWORD).await.unwrap().status(), 200);
}

// ---- helpers -------------------------------------------------------------------------------

pub(crate) fn fresh_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Polls `done` until it holds; panics after 10 s.
pub(crate) async fn wait_until(done: impl Fn() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the condition did not come true within 10 s");
}

/// Tries to open `url` until it upgrades; panics after 10 s.
pub(crate) async fn wait_for_open(url: &str) {
    for _ in 0..200 {
        if let Handshake::Open(_) = connect(url, &[]).await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{url} did not open within 10 s");
}
