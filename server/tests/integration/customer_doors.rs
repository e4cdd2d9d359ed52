//! The doors a website's visitors use (widget sign-in, contact details, reads, messages and the
//! socket): what a stranger holding one of them can and cannot make the server do.

use crate::common::ws::{connect, Handshake};
use crate::common::TestServer;

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
        server.clock.advance(std::time::Duration::from_secs(1));
        let again = server
            .widget_with(serde_json::json!({ "visitor_token": visitor }))
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
    for _ in 0..200 {
        now = size();
        if now <= limit {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(grown > limit, "the writes grew the log to {grown} bytes");
    assert!(now <= limit, "the log is still {now} bytes");
}
