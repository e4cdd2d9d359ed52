//! The embedded widget's API and socket: signed and anonymous customers, bearer tokens, the
//! customer's conversation, and the bad inputs.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::widget::Widget;
use crate::common::ws::{connect, open, Handshake};
use crate::common::{error_code, TestServer};

#[tokio::test]
async fn an_anonymous_visitor_gets_its_conversation_back_with_its_visitor_token() {
    let server = TestServer::start().await;
    let first = server.anonymous_widget().await;
    let visitor = first.session["visitor_token"].as_str().unwrap().to_owned();
    assert!(visitor.len() >= 22, "at least 128 bits: {visitor}");
    assert!(first.token.len() >= 22);
    assert_eq!(first.session["customer"]["email"], Value::Null);
    let again = server
        .widget_with(json!({ "visitor_token": visitor }))
        .await;
    assert_eq!(again.conversation_id, first.conversation_id);
    assert_eq!(again.customer_id, first.customer_id);
    assert_ne!(again.token, first.token, "each session has its own token");
    // Only digests are stored.
    let stored: Vec<(String,)> = sqlx::query_as("SELECT token_hash FROM widget_tokens")
        .fetch_all(server.store.sqlite().unwrap())
        .await
        .unwrap();
    assert!(stored.iter().all(|(h,)| h != &first.token && h.len() == 64));
    // Somebody else's (or a made-up) visitor token starts a new visitor.
    let stranger = server
        .widget_with(json!({ "visitor_token": "made-up-token" }))
        .await;
    assert_ne!(stranger.conversation_id, first.conversation_id);
    assert_ne!(stranger.session["visitor_token"], "made-up-token");
}

#[tokio::test]
async fn a_signed_customer_is_one_customer_and_takes_the_signed_identity_each_time() {
    let server = TestServer::start().await;
    let first = server.signed_widget("42", "ann@example.com", "Ann").await;
    assert_eq!(first.session["customer"]["email"], "ann@example.com");
    assert_eq!(first.session["customer"]["name"], "Ann");
    assert_eq!(first.session["customer"]["signed"], true);
    assert!(first.session.get("visitor_token").is_none());
    let again = server.signed_widget("42", "ann@new.example", "Ann B").await;
    assert_eq!(again.conversation_id, first.conversation_id);
    assert_eq!(again.session["customer"]["email"], "ann@new.example");
    assert_eq!(again.session["customer"]["name"], "Ann B");
    let other = server.signed_widget("43", "bob@example.com", "Bob").await;
    assert_ne!(other.conversation_id, first.conversation_id);
}

#[tokio::test]
async fn a_user_id_with_a_missing_or_wrong_signature_is_refused_and_never_made_anonymous() {
    let server = TestServer::start().await;
    let good = server.signature_of("42").await;
    let wrong_user = server.signature_of("43").await;
    let cases = [
        json!({"user_id": "42"}),
        json!({"user_id": "42", "signature": ""}),
        json!({"user_id": "42", "signature": wrong_user}),
        json!({"user_id": "42", "signature": "zz-not-hex"}),
        json!({"user_id": "42", "signature": &good[..40]}),
        json!({"user_id": "42", "signature": "00".repeat(32)}),
    ];
    for body in cases {
        let response = server.widget_session_raw(body.clone()).await;
        assert_eq!(response.status(), 401, "{body}");
        assert_eq!(error_code(response).await, "unauthorized");
    }
    let customers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers")
        .fetch_one(server.store.sqlite().unwrap())
        .await
        .unwrap();
    assert_eq!(customers, 0, "no refused sign-in created anybody");
    // Upper-case hex is the same signature.
    let upper = server
        .widget_session_raw(json!({"user_id": "42", "signature": good.to_uppercase()}))
        .await;
    assert_eq!(upper.status(), 200);
}

#[tokio::test]
async fn a_bad_email_in_a_signed_identity_is_invalid() {
    let server = TestServer::start().await;
    let signature = server.signature_of("42").await;
    let response = server
        .widget_session_raw(
            json!({"user_id": "42", "email": "not an email", "signature": signature}),
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(error_code(response).await, "invalid");
}

#[tokio::test]
async fn with_anonymous_visitors_off_only_signed_customers_get_in() {
    let server = TestServer::start_with(&[("SWITCHBOARD_WIDGET_ANONYMOUS", "false")]).await;
    for body in [json!({}), json!({"visitor_token": "anything"})] {
        let response = server.widget_session_raw(body).await;
        assert_eq!(response.status(), 401);
        assert_eq!(error_code(response).await, "unauthorized");
    }
    server.signed_widget("7", "eve@example.com", "Eve").await;
}

#[tokio::test]
async fn a_configured_secret_signs_and_a_generated_one_is_kept_in_the_database() {
    let secret = "a-configured-widget-secret";
    let server = TestServer::start_with(&[("SWITCHBOARD_WIDGET_SECRET", secret)]).await;
    let expected = switchboard::auth::WidgetSecret::new(secret.to_owned().into()).sign("42");
    let response = server
        .widget_session_raw(json!({"user_id": "42", "signature": expected}))
        .await;
    assert_eq!(response.status(), 200);

    let generated = TestServer::start().await;
    let first = generated.signature_of("42").await;
    let stored: String =
        sqlx::query_scalar("SELECT value FROM instance_settings WHERE key = 'widget_secret'")
            .fetch_one(generated.store.sqlite().unwrap())
            .await
            .unwrap();
    assert_eq!(
        switchboard::auth::WidgetSecret::new(stored.into()).sign("42"),
        first
    );
}

#[tokio::test]
async fn widget_routes_need_a_valid_unexpired_bearer_token() {
    let server = TestServer::start().await;
    let widget = server.anonymous_widget().await;
    let client = server.client();
    let unauthenticated = [
        client.get(server.url("/api/v1/widget/messages")),
        client
            .get(server.url("/api/v1/widget/messages"))
            .bearer_auth("not-a-token"),
        client
            .get(server.url("/api/v1/widget/messages"))
            .header("authorization", format!("Basic {}", widget.token)),
        client
            .post(server.url("/api/v1/widget/messages"))
            .json(&json!({"content": "hi"})),
        client
            .post(server.url("/api/v1/widget/read"))
            .json(&json!({"up_to_seq": 1})),
        client
            .patch(server.url("/api/v1/widget/customer"))
            .json(&json!({"email": "a@b.c"})),
    ];
    for request in unauthenticated {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401);
        assert_eq!(error_code(response).await, "unauthorized");
    }
    server.widget_messages(&widget, 0).await;
    server.clock.advance(Duration::from_secs(24 * 3600));
    let expired = server
        .widget_request(&widget, Method::GET, "/api/v1/widget/messages")
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), 401, "a token expires after a day");
    match connect(
        &server.ws_url(&format!("?widget_token={}", widget.token)),
        &[],
    )
    .await
    {
        Handshake::Refused(status, body) => {
            assert_eq!(status, 401);
            assert_eq!(body["error"]["code"], "unauthorized");
        }
        Handshake::Open(_) => panic!("an expired widget token must not open a socket"),
    }
}

#[tokio::test]
async fn a_customer_posts_idempotently_and_counts_the_operator_replies_not_yet_read() {
    let server = TestServer::start().await;
    let widget = server.anonymous_widget().await;
    let key = json!({"content": "Hello?", "client_id": "c-1"});
    for expected in [201, 200] {
        let response = server
            .widget_request(&widget, Method::POST, "/api/v1/widget/messages")
            .json(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), expected);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["message"]["seq"], 1);
        assert_eq!(body["message"]["sender"]["kind"], "customer");
    }
    let operator = server.signed_in().await;
    for text in ["Hi!", "How can I help?"] {
        server
            .operator_post(&operator, &widget.conversation_id, text)
            .await;
    }
    let listed = server.widget_messages(&widget, 0).await;
    assert_eq!(listed["messages"].as_array().unwrap().len(), 3);
    assert_eq!(listed["unread"], 2);
    assert_eq!(
        server.widget_messages(&widget, 2).await["messages"][0]["seq"],
        3
    );
    let read = server
        .widget_request(&widget, Method::POST, "/api/v1/widget/read")
        .json(&json!({"up_to_seq": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 204);
    let listed = server.widget_messages(&widget, 0).await;
    assert_eq!(listed["unread"], 1);
    assert!(listed["messages"][1]["read_at"].is_string());
    assert!(
        listed["messages"][0]["read_at"].is_null(),
        "the customer's own message is read by operators, not by the customer"
    );
}

#[tokio::test]
async fn bad_widget_posts_are_refused_in_the_contracts_shape() {
    let server = TestServer::start().await;
    let widget = server.anonymous_widget().await;
    let cases = [
        (json!({"content": ""}), 422),
        (json!({"content": "x".repeat(4001)}), 422),
        (json!({"content": "nul\u{0}"}), 422),
        (json!({"text": "wrong field"}), 422),
    ];
    for (body, status) in cases {
        let response = server
            .widget_request(&widget, Method::POST, "/api/v1/widget/messages")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{body}");
        assert_eq!(error_code(response).await, "invalid");
    }
    let negative = server
        .widget_request(&widget, Method::POST, "/api/v1/widget/read")
        .json(&json!({"up_to_seq": -1}))
        .send()
        .await
        .unwrap();
    assert_eq!(negative.status(), 422);
    assert_eq!(
        server.widget_messages(&widget, 0).await["messages"],
        json!([])
    );
}

async fn patch_customer(server: &TestServer, widget: &Widget, body: Value) -> reqwest::Response {
    server
        .widget_request(widget, Method::PATCH, "/api/v1/widget/customer")
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_anonymous_visitor_leaves_an_email_and_a_signed_customers_signed_email_wins() {
    let server = TestServer::start().await;
    let visitor = server.anonymous_widget().await;
    let response = patch_customer(&server, &visitor, json!({"email": "not-an-address"})).await;
    assert_eq!(response.status(), 422);
    assert_eq!(error_code(response).await, "invalid");
    let response = patch_customer(
        &server,
        &visitor,
        json!({"email": " Zoe@Example.com ", "name": "Zoe"}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["customer"]["email"], "zoe@example.com");
    assert_eq!(body["customer"]["name"], "Zoe");
    assert_eq!(body["customer"]["signed"], false);

    let signed = server.signed_widget("42", "ann@example.com", "Ann").await;
    let response = patch_customer(&server, &signed, json!({"email": "typed@example.com"})).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["customer"]["email"], "ann@example.com");
}

#[tokio::test]
async fn a_customer_socket_follows_only_its_own_conversation() {
    let server = TestServer::start().await;
    let widget = server.anonymous_widget().await;
    let other = server.anonymous_widget().await;
    let mut socket = open(
        &server.ws_url(&format!("?widget_token={}", widget.token)),
        &[],
    )
    .await;
    let welcome = socket.frame().await;
    assert_eq!(welcome["type"], "welcome");
    assert_eq!(welcome["identity"]["kind"], "customer");
    assert_eq!(welcome["identity"]["id"], widget.customer_id.as_str());
    assert_eq!(welcome["conversation_id"], widget.conversation_id.as_str());

    socket
        .send(json!({"type": "subscribe", "conversation_id": other.conversation_id}))
        .await;
    let refused = socket.frame().await;
    assert_eq!(
        (refused["type"].as_str(), refused["code"].as_str()),
        (Some("error"), Some("forbidden"))
    );
    socket
        .send_message(&other.conversation_id, "k-x", "not yours")
        .await;
    let refused = socket.frame().await;
    assert_eq!(refused["code"], "forbidden");
    assert_eq!(refused["client_id"], "k-x");
    socket.send(json!({"type": "subscribe_inbox"})).await;
    assert_eq!(socket.frame().await["code"], "forbidden");

    socket
        .send(json!({"type": "subscribe", "conversation_id": widget.conversation_id}))
        .await;
    assert_eq!(socket.frame().await["type"], "subscribed");
    socket
        .send_message(&widget.conversation_id, "k-1", "Hello from the widget")
        .await;
    let ack = socket.until("ack").await;
    assert_eq!(ack["message"]["sender"]["kind"], "customer");
    let operator = server.signed_in().await;
    server
        .operator_post(&operator, &widget.conversation_id, "Hello from Ann")
        .await;
    let reply = loop {
        let frame = socket.until("message").await;
        if frame["message"]["seq"] == 2 {
            break frame;
        }
    };
    assert_eq!(reply["message"]["sender"]["kind"], "operator");
    assert_eq!(
        server.widget_messages(&other, 0).await["messages"],
        json!([]),
        "nothing leaked into the other visitor's conversation"
    );
}

#[tokio::test]
async fn a_widget_socket_may_come_from_an_embedding_origin_and_no_other() {
    let server =
        TestServer::start_with(&[("SWITCHBOARD_WIDGET_EMBED_ORIGINS", "https://shop.example")])
            .await;
    let widget = server.anonymous_widget().await;
    let url = server.ws_url(&format!("?widget_token={}", widget.token));
    let mut socket = open(&url, &[("origin", "https://shop.example")]).await;
    assert_eq!(socket.frame().await["type"], "welcome");
    match connect(&url, &[("origin", "https://evil.example")]).await {
        Handshake::Refused(status, body) => {
            assert_eq!(status, 403);
            assert_eq!(body["error"]["code"], "forbidden");
        }
        Handshake::Open(_) => panic!("an origin that may not embed must not connect"),
    }
    // The embedding origins are for the widget only, not for operators.
    let cookie = server.operator_cookie().await;
    match connect(
        &server.ws_url(""),
        &[("origin", "https://shop.example"), ("cookie", &cookie)],
    )
    .await
    {
        Handshake::Refused(status, _) => assert_eq!(status, 403),
        Handshake::Open(_) => panic!("operators connect from Switchboard's own origin only"),
    }
}

async fn operators_online(server: &TestServer, widget: &Widget) -> bool {
    let response = server
        .widget_request(widget, Method::GET, "/api/v1/widget/presence")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json::<Value>().await.unwrap()["operators_online"]
        .as_bool()
        .unwrap()
}

/// Asks until the answer is `expected`: the node writes its report in a task of its own, so
/// the change lands a moment after the socket opens or closes. Fails after 5 s.
async fn until_online_is(server: &TestServer, widget: &Widget, expected: bool) {
    for _ in 0..250 {
        if operators_online(server, widget).await == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("operators_online never became {expected}");
}

#[tokio::test]
async fn the_widget_hears_whether_an_operator_is_connected_and_a_silent_node_stops_counting() {
    let server = TestServer::start().await;
    let widget = server.anonymous_widget().await;
    until_online_is(&server, &widget, false).await;
    let cookie = server.operator_cookie().await;
    let socket = open(&server.ws_url(""), &[("cookie", &cookie)]).await;
    until_online_is(&server, &widget, true).await;
    drop(socket);
    until_online_is(&server, &widget, false).await;
    // A node that stopped reporting (it died) counts for 90 s at most.
    let now = switchboard::store::to_millis(server.engine.now());
    server
        .store
        .db()
        .report_presence("a-node-that-died", 2, now)
        .await
        .unwrap();
    assert!(operators_online(&server, &widget).await);
    server.clock.advance(Duration::from_secs(91));
    until_online_is(&server, &widget, false).await;
    let unauthenticated = server
        .client()
        .get(server.url("/api/v1/widget/presence"))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), 401);
}

#[tokio::test]
async fn the_demo_shop_embeds_the_widget_from_switchboards_origin_under_a_strict_policy() {
    let server = TestServer::start_with(&[("SWITCHBOARD_DEMO_ADDR", "127.0.0.1:0")]).await;
    let shop = format!("http://{}", server.demo.expect("the demo shop listens"));
    let page = server
        .client()
        .get(format!("{shop}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        policy.contains("script-src 'self' http://support.test"),
        "{policy}"
    );
    assert!(policy.contains("frame-src http://support.test"), "{policy}");
    assert!(!policy.contains("unsafe-inline"));
    let html = page.text().await.unwrap();
    assert!(
        html.contains(r#"src="http://support.test/widget.js""#),
        "{html}"
    );
    assert!(!html.contains("<script>"), "no inline script");
    let script = server
        .client()
        .get(format!("{shop}/widget/demo.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), 200);
    // The same page on Switchboard's own origin loads the loader from there.
    let same = server.get(&server.client(), "/widget/demo").await;
    assert!(same.text().await.unwrap().contains(r#"src="/widget.js""#));
}
