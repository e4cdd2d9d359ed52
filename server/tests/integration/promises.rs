//! Promises of the contract that a guest or a stranger could test: links, ids, joining, and
//! the statuses server functions answer with.

use std::time::Duration;

use crate::common::ws::{connect, Handshake, Next};
use crate::common::{error_code, TestServer};
use serde_json::{json, Value};

use crate::hardening::{guest_socket, session};

#[tokio::test]
async fn rotating_the_link_closes_sockets_opened_with_the_old_one() {
    let server = TestServer::start().await;
    let (session_id, conversation_id, token) = session(&server).await;
    let mut socket = guest_socket(&server, &token).await;
    let client = server.signed_in().await;
    let rotated = server
        .post(
            &client,
            &format!("/api/v1/sessions/{session_id}/rotate_link"),
        )
        .await;
    assert_eq!(rotated.status(), 200);
    assert!(matches!(socket.next().await, Next::Closed(4404)));
    // The old link opens no new socket either.
    let url = server.ws_url(&format!("?guest_token={token}"));
    assert!(matches!(
        connect(&url, &[]).await,
        Handshake::Refused(404, _)
    ));
    let _ = conversation_id;
}

#[tokio::test]
async fn link_expiry_ends_guest_sockets() {
    let server = TestServer::start_with(&[("SWITCHBOARD_GUEST_LINK_TTL", "1h")]).await;
    let (session_id, _, token) = session(&server).await;
    let mut socket = guest_socket(&server, &token).await;
    server.clock.advance(Duration::from_secs(3600));
    let ended = socket.until("session_ended").await;
    assert_eq!(ended["session_id"], session_id.as_str());
    assert!(matches!(socket.next().await, Next::Closed(4410)));
}

#[tokio::test]
async fn a_client_id_is_the_senders_own_and_another_senders_reuse_is_a_conflict() {
    let server = TestServer::start().await;
    let (_, conversation_id, token) = session(&server).await;
    let guest = server.client();
    let posted = guest
        .post(server.url(&format!("/support/guest/{token}/messages")))
        .json(&json!({"content": "guest text", "client_id": "same-key"}))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 201);
    let operator = server.signed_in().await;
    let reused = operator
        .post(server.url(&format!("/api/v1/conversations/{conversation_id}/messages")))
        .json(&json!({"content": "operator text", "client_id": "same-key"}))
        .send()
        .await
        .unwrap();
    assert_eq!(reused.status(), 409);
    assert_eq!(error_code(reused).await, "conflict");
    let list = server
        .get_json(
            &operator,
            &format!("/api/v1/conversations/{conversation_id}/messages"),
        )
        .await;
    let contents: Vec<&str> = list["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(contents, vec!["guest text"]);
}

#[tokio::test]
async fn looking_at_a_guest_link_does_not_join_the_session() {
    let server = TestServer::start().await;
    let (session_id, _, token) = session(&server).await;
    let client = server.client();
    assert_eq!(
        server
            .get(&client, &format!("/support/guest/{token}"))
            .await
            .status(),
        200
    );
    let polled = server
        .get_json(&client, &format!("/support/guest/{token}/messages"))
        .await;
    assert_eq!(polled["session"]["status"], "waiting");
    let operator = server.signed_in().await;
    let status = |s: Value| s["session"]["status"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/sessions/{session_id}");
    assert_eq!(status(server.get_json(&operator, &path).await), "waiting");
    let _socket = guest_socket(&server, &token).await;
    assert_eq!(status(server.get_json(&operator, &path).await), "active");
}

#[tokio::test]
async fn guests_do_not_receive_operator_ids() {
    let server = TestServer::start().await;
    let (_, conversation_id, token) = session(&server).await;
    let mut guest = guest_socket(&server, &token).await;
    guest
        .send(json!({"type": "subscribe", "conversation_id": conversation_id}))
        .await;
    assert_eq!(guest.frame().await["type"], "subscribed");
    // A read frame goes out when something was newly read: the guest writes first.
    guest
        .send_message(&conversation_id, "g1", "Hello, anyone?")
        .await;
    guest.until("ack").await;
    let operator = server.signed_in().await;
    let read = operator
        .post(server.url(&format!("/api/v1/conversations/{conversation_id}/read")))
        .json(&json!({"up_to_seq": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 204);
    let frame = guest.until("read").await;
    assert_eq!(frame["reader"]["kind"], "operator");
    assert!(
        frame["reader"].get("id").is_none_or(Value::is_null),
        "{frame}"
    );
}

#[tokio::test]
async fn server_functions_answer_with_the_status_of_their_error() {
    let server = TestServer::start().await;
    let client = server.client();
    let unauthorized = client
        .post(server.url("/api/sessions/create"))
        .form(&[("title", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), 401);
    let huge = "x".repeat(200 * 1024);
    let too_large = client
        .post(server.url("/api/sessions/create"))
        .form(&[("title", huge.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(too_large.status(), 413);
    assert_eq!(error_code(too_large).await, "payload_too_large");
}
