//! The doors a website's visitors use (widget sign-in, contact details, reads, messages and the
//! socket): what a stranger holding one of them can and cannot make the server do.

use std::time::Duration;

use crate::common::widget::Widget;
use crate::common::ws::{connect, Handshake};
use crate::common::TestServer;
use reqwest::Method;
use serde_json::json;

/// A session's guest token, made through the API.
async fn guest_token(server: &TestServer) -> String {
    let client = server.signed_in().await;
    let created = server.create_session(&client, Some("Doors")).await;
    created["guest_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_guest_socket_from_another_site_is_refused_even_with_a_widget_token_beside_it() {
    let server = TestServer::start().await;
    let guest = guest_token(&server).await;
    let evil = [("origin", "http://evil.example")];
    for query in [
        format!("?guest_token={guest}"),
        format!("?guest_token={guest}&widget_token=junk"),
    ] {
        match connect(&server.ws_url(&query), &evil).await {
            Handshake::Refused(status, _) => assert_eq!(status, 403, "{query}"),
            Handshake::Open(_) => panic!("{query} from evil.example was accepted"),
        }
    }
    let widget = server.anonymous_widget().await;
    let query = format!("?widget_token={}", widget.token);
    assert!(
        matches!(
            connect(&server.ws_url(&query), &evil).await,
            Handshake::Open(_)
        ),
        "a customer's widget may speak from any embedding page when embedding is open to all"
    );
}

#[tokio::test]
async fn a_visitor_signing_in_again_and_again_holds_a_bounded_number_of_tokens() {
    let server = TestServer::start().await;
    let first = server.anonymous_widget().await;
    let visitor = first.session["visitor_token"].as_str().unwrap().to_owned();
    let mut tokens = vec![first.token.clone()];
    for _ in 0..14 {
        server.clock.advance(Duration::from_secs(1));
        let again = server
            .widget_with(json!({ "visitor_token": visitor }))
            .await;
        assert_eq!(again.customer_id, first.customer_id);
        tokens.push(again.token);
    }
    let live = server
        .store
        .db()
        .live_widget_tokens(&first.customer_id, i64::MIN)
        .await
        .unwrap();
    assert_eq!(live, switchboard::widget::LIVE_TOKENS_PER_CUSTOMER);
    let works = |token: &str| {
        server
            .client()
            .get(server.url("/api/v1/widget/messages"))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(
        works(&tokens[14]).await.unwrap().status(),
        200,
        "the newest works"
    );
    assert_eq!(
        works(&tokens[4]).await.unwrap().status(),
        401,
        "the oldest were replaced"
    );
}

#[tokio::test]
async fn the_write_ahead_log_is_cut_back_while_writes_go_on_without_any_message() {
    let server = TestServer::start().await;
    let pool = server.store.sqlite().unwrap();
    let (_, _, file): (i64, String, String) = sqlx::query_as("PRAGMA database_list")
        .fetch_one(pool)
        .await
        .unwrap();
    let wal = std::path::PathBuf::from(format!("{file}-wal"));
    sqlx::query("CREATE TABLE bulk (b BLOB)")
        .execute(pool)
        .await
        .unwrap();
    // 80 MiB of writes, none of them a message (nothing starts the message writer).
    for _ in 0..80 {
        sqlx::query("INSERT INTO bulk (b) VALUES (zeroblob(1048576))")
            .execute(pool)
            .await
            .unwrap();
    }
    let limit = switchboard::store::WAL_LIMIT as u64;
    let size = || std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    let grown = size();
    let mut now = grown;
    // A checkpoint lets the log start over; the next write does, and cuts the file back.
    for _ in 0..200 {
        now = size();
        if now <= limit {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        sqlx::query("INSERT INTO bulk (b) VALUES (x'00')")
            .execute(pool)
            .await
            .unwrap();
    }
    assert!(grown > limit, "the writes grew the log to {grown} bytes");
    assert!(now <= limit, "the log is still {now} bytes");
}

/// A request through a customer door with the widget's token; its status.
async fn door(server: &TestServer, widget: &Widget, which: usize) -> u16 {
    let request = match which % 4 {
        0 => server
            .widget_request(widget, Method::GET, "/api/v1/widget/messages")
            .send(),
        1 => server
            .widget_request(widget, Method::POST, "/api/v1/widget/read")
            .json(&json!({"up_to_seq": 0}))
            .send(),
        2 => server
            .widget_request(widget, Method::PATCH, "/api/v1/widget/customer")
            .json(&json!({"name": format!("Visitor {which}")}))
            .send(),
        _ => server
            .widget_request(widget, Method::POST, "/api/v1/widget/messages")
            .json(&json!({"content": format!("message {which}")}))
            .send(),
    };
    request.await.unwrap().status().as_u16()
}

#[tokio::test]
async fn a_customer_over_their_window_is_refused_at_every_door_until_the_minute_turns() {
    let server = TestServer::start_with(&[("SWITCHBOARD_WIDGET_RATE_PER_CUSTOMER", "12")]).await;
    let widget = server.anonymous_widget().await;
    let other = server.anonymous_widget().await;
    // The sign-in took one; a message takes one more than the request that carries it.
    let mut spent = 1;
    let mut which = 0;
    while spent + if which % 4 == 3 { 2 } else { 1 } <= 12 {
        let status = door(&server, &widget, which).await;
        assert!((200..300).contains(&status), "door {which}: {status}");
        spent += if which % 4 == 3 { 2 } else { 1 };
        which += 1;
    }
    for refused in 0..4 {
        let response = server
            .widget_request(&widget, Method::GET, "/api/v1/widget/messages")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 429, "door {refused} past the window");
        let retry: u64 = response.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry), "retry after {retry}");
        assert_eq!(door(&server, &widget, refused).await, 429);
    }
    let socket = connect(
        &server.ws_url(&format!("?widget_token={}", widget.token)),
        &[],
    )
    .await;
    assert!(
        matches!(socket, Handshake::Refused(429, _)),
        "the socket is a door too"
    );
    let again = server
        .widget_session_raw(json!({"visitor_token": widget.session["visitor_token"]}))
        .await;
    assert_eq!(again.status(), 429, "signing in again is a door too");
    assert_eq!(
        door(&server, &other, 0).await,
        200,
        "another customer is served"
    );
    server.clock.advance(Duration::from_secs(60));
    assert_eq!(
        door(&server, &widget, 0).await,
        200,
        "a new minute, a new window"
    );
}

#[tokio::test]
async fn customers_from_one_address_share_its_window_and_an_ipv6_64_is_one_address() {
    let server = TestServer::start_with(&[
        ("SWITCHBOARD_WIDGET_RATE_PER_ADDRESS", "6"),
        ("SWITCHBOARD_TRUSTED_PROXIES", "127.0.0.1"),
    ])
    .await;
    // Six new visitors from one /64, each its own customer, spend the network's six.
    for i in 0..6 {
        let address = if i % 2 == 0 {
            "2001:db8:1:2::10"
        } else {
            "2001:db8:1:2:ffff::99"
        };
        assert_eq!(sign_in_from(&server, address).await, 200, "visitor {i}");
    }
    assert_eq!(sign_in_from(&server, "2001:db8:1:2::77").await, 429);
    assert_eq!(
        sign_in_from(&server, "2001:db8:1:3::10").await,
        200,
        "the next /64"
    );
}

/// A new visitor's sign-in through a trusted proxy for a client at `address`; its status.
async fn sign_in_from(server: &TestServer, address: &str) -> u16 {
    server
        .client()
        .post(server.url("/api/v1/widget/session"))
        .header("x-forwarded-for", address)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn one_address_starts_a_bounded_number_of_new_visitors_a_minute() {
    let server =
        TestServer::start_with(&[("SWITCHBOARD_WIDGET_NEW_VISITORS_PER_ADDRESS", "3")]).await;
    let first = server.anonymous_widget().await;
    for _ in 0..2 {
        server.anonymous_widget().await;
    }
    assert_eq!(server.widget_session_raw(json!({})).await.status(), 429);
    let known = json!({"visitor_token": first.session["visitor_token"]});
    assert_eq!(
        server.widget_session_raw(known).await.status(),
        200,
        "a visitor who came before is no new visitor"
    );
}

#[tokio::test]
async fn the_same_details_or_read_marker_sent_again_tell_operators_nothing() {
    let server = TestServer::start().await;
    let widget = server.anonymous_widget().await;
    let operator = server.signed_in().await;
    server
        .operator_post(&operator, &widget.conversation_id, "Hello there")
        .await;
    let cookie = server.operator_cookie().await;
    let mut inbox = crate::common::ws::open(&server.ws_url(""), &[("cookie", &cookie)]).await;
    inbox.until("welcome").await;
    inbox.send(json!({"type": "subscribe_inbox"})).await;
    inbox.until("inbox_subscribed").await;
    let patch = |name: &str| {
        server
            .widget_request(&widget, Method::PATCH, "/api/v1/widget/customer")
            .json(&json!({"name": name}))
            .send()
    };
    let read = || {
        server
            .widget_request(&widget, Method::POST, "/api/v1/widget/read")
            .json(&json!({"up_to_seq": 1}))
            .send()
    };
    assert_eq!(patch("Dana").await.unwrap().status(), 200);
    let first = inbox.until("conversation_updated").await;
    assert_eq!(first["conversation"]["customer"]["name"], "Dana");
    for _ in 0..5 {
        assert_eq!(patch("Dana").await.unwrap().status(), 200);
    }
    assert_eq!(read().await.unwrap().status(), 204);
    for _ in 0..5 {
        assert_eq!(read().await.unwrap().status(), 204);
    }
    assert_eq!(patch("Dana B").await.unwrap().status(), 200);
    // The read was the one real change among eleven requests before the rename; the rename's
    // frame comes right after its frame, with no repeat in between.
    let after_read = inbox.until("conversation_updated").await;
    assert_eq!(after_read["conversation"]["customer"]["name"], "Dana");
    let renamed = inbox.until("conversation_updated").await;
    assert_eq!(renamed["conversation"]["customer"]["name"], "Dana B");
}
