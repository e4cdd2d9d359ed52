//! The shared inbox for a test: a team, a customer's conversation, and the requests and frames
//! that assign, post, list and view.

use reqwest::Method;
use serde_json::{json, Value};

use super::team::Member;
use super::widget::Widget;
use super::ws::{open, Socket};
use super::TestServer;

/// `POST /api/v1/conversations/:id/assign` as `client`: status and body.
pub async fn assign(
    server: &TestServer,
    client: &reqwest::Client,
    conversation: &str,
    to: Option<&str>,
) -> (u16, Value) {
    let response = server
        .send_json(
            client,
            Method::POST,
            &format!("/api/v1/conversations/{conversation}/assign"),
            json!({ "operator_id": to }),
        )
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// An operator's post with extra fields: status and body.
pub async fn post_with(
    server: &TestServer,
    client: &reqwest::Client,
    conversation: &str,
    body: Value,
) -> (u16, Value) {
    let response = server
        .send_json(
            client,
            Method::POST,
            &format!("/api/v1/conversations/{conversation}/messages"),
            body,
        )
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The ids of a list page.
pub async fn listed(server: &TestServer, client: &reqwest::Client, query: &str) -> Vec<String> {
    let page = server
        .get_json(client, &format!("/api/v1/conversations?{query}"))
        .await;
    page["conversations"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect()
}

/// A customer conversation with one message in it.
pub async fn conversation(server: &TestServer, text: &str) -> Widget {
    let widget = server.anonymous_widget().await;
    assert_eq!(server.widget_post(&widget, text).await.status(), 201);
    widget
}

/// The owner (the test server's operator), an admin and two agents.
pub async fn team(server: &TestServer) -> (reqwest::Client, Member, Member, Member) {
    let owner = server.signed_in().await;
    let admin = server.member(&owner, "olga@example.com", "admin").await;
    let ben = server.member(&owner, "ben@example.com", "agent").await;
    let cleo = server.member(&owner, "cleo@example.com", "agent").await;
    (owner, admin, ben, cleo)
}

/// Viewers frames for `conversation` until one that `holds`; returns its operators as
/// `(id, typing)`.
pub async fn viewers_until(
    socket: &mut Socket,
    holds: impl Fn(&[(String, bool)]) -> bool,
) -> Vec<(String, bool)> {
    loop {
        let frame = socket.until("viewers").await;
        let viewers: Vec<(String, bool)> = frame["operators"]
            .as_array()
            .expect("operators")
            .iter()
            .map(|v| (v["id"].as_str().unwrap().to_owned(), v["typing"] == true))
            .collect();
        if holds(&viewers) {
            return viewers;
        }
    }
}

/// An operator's socket that follows and views `conversation`.
pub async fn viewing(url: &str, cookie: &str, conversation: &str) -> Socket {
    let mut socket = open(url, &[("cookie", cookie)]).await;
    assert_eq!(socket.frame().await["type"], "welcome");
    socket
        .send(json!({"type": "subscribe", "conversation_id": conversation, "after_seq": 0}))
        .await;
    socket.until("subscribed").await;
    socket
        .send(json!({"type": "view", "conversation_id": conversation}))
        .await;
    socket
}
