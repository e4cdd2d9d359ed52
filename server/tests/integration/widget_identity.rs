//! What a host site's signature vouches for (PROTOCOL v1.1, "Widget identity"): every field
//! it covers, for a limited time; the v1 form for the user id alone; and a widget token that,
//! once revoked or expired, ends its sockets too.

use std::time::Duration;

use crate::common::widget::Widget;
use crate::common::ws::{open, Next, Socket};
use crate::common::TestServer;
use serde_json::json;
use switchboard::clock::Clock as _;

#[tokio::test]
async fn a_v2_signature_vouches_for_the_email_and_name_and_a_swapped_field_is_refused() {
    let server = TestServer::start().await;
    let mut body = server.signed_body("42", "ann@example.com", "Ann").await;
    let signed = server.widget_with(body.clone()).await;
    assert_eq!(signed.session["customer"]["email"], "ann@example.com");
    assert_eq!(signed.session["customer"]["email_verified"], true);
    // The audit's probe: the same signature beside someone else's address.
    body["email"] = "victim@elsewhere.example".into();
    let swapped = server.widget_session_raw(body.clone()).await;
    assert_eq!(swapped.status(), 401);
    body["email"] = "ann@example.com".into();
    body["name"] = "Ann! Account locked - verify at https://evil.example/x".into();
    assert_eq!(server.widget_session_raw(body).await.status(), 401);
}

#[tokio::test]
async fn a_v1_signature_signs_in_the_id_but_its_email_is_unverified_and_gets_no_reply_email() {
    let server = TestServer::start().await;
    let signature = server.signature_of("7").await;
    let body = json!({"user_id": "7", "email": "victim@elsewhere.example",
                      "name": "Mallory", "signature": signature});
    let widget = server.widget_with(body).await;
    assert_eq!(widget.session["customer"]["signed"], true);
    assert_eq!(
        widget.session["customer"]["email"],
        "victim@elsewhere.example"
    );
    assert_eq!(widget.session["customer"]["email_verified"], false);
    let operator = server.signed_in().await;
    server
        .operator_post(&operator, &widget.conversation_id, "Your order shipped")
        .await;
    server.clock.advance(Duration::from_secs(300));
    let email = server
        .wait_for_email(&operator, &widget.conversation_id, "skipped")
        .await;
    assert_eq!(email["reason"], "no_email");
    // What the address gets is a confirmation link, and nothing of the reply.
    let written: Vec<String> = std::fs::read_dir(&server.mail_dir)
        .map(|dir| {
            dir.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        written
            .iter()
            .all(|e| e.contains("/email/confirm/") && !e.contains("Your order shipped")),
        "{written:?}"
    );
}

#[tokio::test]
async fn a_typed_address_is_unverified_and_a_signed_one_stays_verified() {
    let server = TestServer::start().await;
    let visitor = server.anonymous_widget().await;
    let typed = server
        .widget_request(&visitor, reqwest::Method::PATCH, "/api/v1/widget/customer")
        .json(&json!({"email": "someone@example.com", "name": "Someone"}))
        .send()
        .await
        .unwrap();
    let typed: serde_json::Value = typed.json().await.unwrap();
    assert_eq!(typed["customer"]["email_verified"], false);
    let signed = server.signed_widget("9", "kim@example.com", "Kim").await;
    let patched = server
        .widget_request(&signed, reqwest::Method::PATCH, "/api/v1/widget/customer")
        .json(&json!({"email": "other@example.com"}))
        .send()
        .await
        .unwrap();
    let patched: serde_json::Value = patched.json().await.unwrap();
    assert_eq!(patched["customer"]["email"], "kim@example.com");
    assert_eq!(patched["customer"]["email_verified"], true);
}

#[tokio::test]
async fn a_signature_is_refused_once_older_than_its_lifetime_or_from_the_future() {
    let server = TestServer::start_with(&[("SWITCHBOARD_WIDGET_SIGNATURE_TTL", "1h")]).await;
    let now = server.clock.now().timestamp();
    for (issued_at, expected) in [
        (now - 3_600, 200),
        (now - 3_601, 401),
        (now + 300, 200),
        (now + 301, 401),
    ] {
        let body = server.signed_body_at("5", "", "", issued_at).await;
        let status = server.widget_session_raw(body).await.status();
        assert_eq!(status, expected, "issued {} s from now", issued_at - now);
    }
}

/// A customer's socket, past its welcome.
async fn customer_socket(server: &TestServer, widget: &Widget) -> Socket {
    let url = server.ws_url(&format!("?widget_token={}", widget.token));
    let mut socket = open(&url, &[]).await;
    assert_eq!(socket.frame().await["type"], "welcome");
    socket
}

#[tokio::test]
async fn signing_out_revokes_the_token_and_closes_its_socket_with_4401() {
    let server = TestServer::start().await;
    let widget = server.anonymous_widget().await;
    let mut socket = customer_socket(&server, &widget).await;
    let signout = server
        .widget_request(&widget, reqwest::Method::POST, "/api/v1/widget/signout")
        .send()
        .await
        .unwrap();
    assert_eq!(signout.status(), 204);
    assert!(matches!(socket.next().await, Next::Closed(4401)));
    let after = server
        .widget_request(&widget, reqwest::Method::GET, "/api/v1/widget/messages")
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401);
}

#[tokio::test]
async fn a_customers_socket_closes_with_4401_when_its_token_expires() {
    let server = TestServer::start().await;
    let widget = server.anonymous_widget().await;
    let mut socket = customer_socket(&server, &widget).await;
    // The audit's probe: the token expired, yet the open socket's sends were still acked.
    server.clock.advance(Duration::from_secs(24 * 3600 + 1));
    socket
        .send_message(&widget.conversation_id, "late-1", "still here?")
        .await;
    loop {
        match socket.next().await {
            Next::Closed(code) => break assert_eq!(code, 4401),
            Next::Frame(frame) => assert_ne!(frame["type"], "ack", "a send after expiry"),
            Next::Ended => panic!("ended without a close frame"),
        }
    }
}
