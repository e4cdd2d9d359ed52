//! The operators' inbox over HTTP and the socket: list items, viewing, archive and restore,
//! pages, live `conversation_updated`, and the one unread rule.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::widget::Widget;
use crate::common::ws::{open, Socket};
use crate::common::{error_code, TestServer};

async fn inbox(server: &TestServer, client: &reqwest::Client, query: &str) -> Vec<Value> {
    let response = server
        .get(client, &format!("/api/v1/conversations{query}"))
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["conversations"].as_array().unwrap().clone()
}

async fn item(server: &TestServer, client: &reqwest::Client, widget: &Widget) -> Value {
    for status in ["active", "archived"] {
        let found = inbox(server, client, &format!("?status={status}&limit=200"))
            .await
            .into_iter()
            .find(|i| i["id"] == widget.conversation_id.as_str());
        if let Some(found) = found {
            return found;
        }
    }
    panic!("conversation {} is not listed", widget.conversation_id)
}

async fn set_archived(
    server: &TestServer,
    client: &reqwest::Client,
    id: &str,
    action: &str,
) -> Value {
    let response = server
        .post(client, &format!("/api/v1/conversations/{id}/{action}"))
        .await;
    assert_eq!(response.status(), 200);
    response.json::<Value>().await.unwrap()["conversation"].clone()
}

async fn customer_unread(server: &TestServer, widget: &Widget) -> i64 {
    server.widget_messages(widget, 0).await["unread"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn the_inbox_lists_support_conversations_with_their_last_message_newest_first() {
    let server = TestServer::start().await;
    let operator = server.signed_in().await;
    let quiet = server.anonymous_widget().await;
    let ann = server.signed_widget("1", "ann@example.com", "Ann").await;
    let bob = server.anonymous_widget().await;
    server.widget_post(&ann, "Where is my order?").await;
    server.clock.advance(Duration::from_secs(1));
    server.widget_post(&bob, &"é".repeat(150)).await;
    server.clock.advance(Duration::from_secs(1));
    server
        .operator_post(&operator, &ann.conversation_id, "Checking now")
        .await;
    // A session's conversation is not a support conversation.
    let session = server.create_session(&operator, Some("Printer")).await;
    let session_conversation = session["session"]["conversation_id"].as_str().unwrap();
    server
        .operator_post(&operator, session_conversation, "Hello guest")
        .await;

    let items = inbox(&server, &operator, "").await;
    let ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [ann.conversation_id.as_str(), bob.conversation_id.as_str()]
    );
    assert!(
        !ids.contains(&quiet.conversation_id.as_str()),
        "a visitor who never wrote is not listed"
    );
    let first = &items[0];
    assert_eq!(first["kind"], "support");
    assert_eq!(first["customer"]["email"], "ann@example.com");
    assert_eq!(first["customer"]["name"], "Ann");
    assert_eq!(first["last_message_preview"], "Checking now");
    assert_eq!(first["last_message_sender"], "operator");
    assert_eq!(first["message_count"], 2);
    assert_eq!(first["unread"], true, "Ann's question is still unread");
    assert_eq!(first["archived"], false);
    let preview = items[1]["last_message_preview"].as_str().unwrap();
    assert_eq!(preview.chars().count(), 100);
    assert!(preview.ends_with('…'));
    assert_eq!(items[1]["customer"]["name"], Value::Null);

    let sessions = inbox(&server, &operator, "?kind=session").await;
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0]["id"], session_conversation);
    assert_eq!(sessions[0]["customer"], Value::Null);
}

#[tokio::test]
async fn inbox_pages_follow_before_and_limit_without_overlap() {
    let server = TestServer::start().await;
    let operator = server.signed_in().await;
    let mut expected = Vec::new();
    for i in 0..7 {
        let widget = server.anonymous_widget().await;
        server.widget_post(&widget, &format!("message {i}")).await;
        server.clock.advance(Duration::from_millis(10));
        expected.push(widget.conversation_id);
    }
    expected.reverse();
    let mut seen = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let query = match &before {
            Some(t) => format!("?limit=3&before={}", urlencode(t)),
            None => "?limit=3".to_owned(),
        };
        let page = inbox(&server, &operator, &query).await;
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 3);
        seen.extend(page.iter().map(|i| i["id"].as_str().unwrap().to_owned()));
        before = Some(
            page.last().unwrap()["last_message_at"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(seen, expected);
}

fn urlencode(raw: &str) -> String {
    raw.replace(':', "%3A").replace('+', "%2B")
}

#[tokio::test]
async fn bad_inbox_requests_get_the_contracts_errors() {
    let server = TestServer::start().await;
    let operator = server.signed_in().await;
    for query in [
        "?status=open",
        "?kind=email",
        "?limit=0",
        "?limit=1000",
        "?before=yesterday",
    ] {
        let response = server
            .get(&operator, &format!("/api/v1/conversations{query}"))
            .await;
        assert_eq!(response.status(), 422, "{query}");
        assert_eq!(error_code(response).await, "invalid");
    }
    let missing = "/api/v1/conversations/0193a000-0000-7000-8000-000000000000";
    for response in [
        server.get(&operator, missing).await,
        server
            .get(&operator, "/api/v1/conversations/not-a-uuid")
            .await,
        server.post(&operator, &format!("{missing}/archive")).await,
        server
            .post(&operator, &format!("{missing}/unarchive"))
            .await,
    ] {
        assert_eq!(response.status(), 404);
        assert_eq!(error_code(response).await, "not_found");
    }
    let anonymous = server.client();
    for response in [
        server.get(&anonymous, "/api/v1/conversations").await,
        server.get(&anonymous, missing).await,
        server.post(&anonymous, &format!("{missing}/archive")).await,
    ] {
        assert_eq!(response.status(), 401);
        assert_eq!(error_code(response).await, "unauthorized");
    }
    // A customer's widget token is not an operator's credential.
    let widget = server.anonymous_widget().await;
    let response = server
        .widget_request(&widget, Method::GET, "/api/v1/conversations")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn opening_a_conversation_marks_it_viewed_and_leaves_the_customers_unread_alone() {
    let server = TestServer::start().await;
    let operator = server.signed_in().await;
    let widget = server.anonymous_widget().await;
    server.widget_post(&widget, "First").await;
    server
        .operator_post(&operator, &widget.conversation_id, "Reply")
        .await;
    server.widget_post(&widget, "Second").await;
    assert_eq!(item(&server, &operator, &widget).await["unread"], true);

    let detail = server
        .get_json(
            &operator,
            &format!("/api/v1/conversations/{}", widget.conversation_id),
        )
        .await;
    assert_eq!(detail["conversation"]["unread"], false);
    let messages = detail["messages"].as_array().unwrap();
    assert_eq!(
        messages
            .iter()
            .map(|m| m["seq"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert!(messages[0]["read_at"].is_string() && messages[2]["read_at"].is_string());
    assert!(
        messages[1]["read_at"].is_null(),
        "the customer has not read the reply"
    );
    assert_eq!(item(&server, &operator, &widget).await["unread"], false);
    assert_eq!(customer_unread(&server, &widget).await, 1);
}

#[tokio::test]
async fn only_a_customer_message_brings_an_archived_conversation_back_with_a_note() {
    let server = TestServer::start().await;
    let operator = server.signed_in().await;
    let widget = server.anonymous_widget().await;
    server.widget_post(&widget, "Thanks, bye").await;
    let archived = set_archived(&server, &operator, &widget.conversation_id, "archive").await;
    assert_eq!(archived["archived"], true);
    assert_eq!(
        set_archived(&server, &operator, &widget.conversation_id, "archive").await["archived"],
        true,
        "archiving twice is fine"
    );
    assert!(inbox(&server, &operator, "").await.is_empty());
    assert_eq!(inbox(&server, &operator, "?status=archived").await.len(), 1);

    server
        .operator_post(&operator, &widget.conversation_id, "One more thing")
        .await;
    assert_eq!(
        item(&server, &operator, &widget).await["archived"],
        true,
        "an operator reply does not reopen"
    );
    let unread_before = customer_unread(&server, &widget).await;
    server.widget_post(&widget, "Actually, one question").await;
    let reopened = item(&server, &operator, &widget).await;
    assert_eq!(reopened["archived"], false);
    assert_eq!(reopened["last_message_preview"], "Actually, one question");
    assert_eq!(reopened["last_message_sender"], "customer");
    assert_eq!(reopened["message_count"], 3, "the note is not a message");
    assert_eq!(customer_unread(&server, &widget).await, unread_before);

    let detail = server
        .get_json(
            &operator,
            &format!("/api/v1/conversations/{}", widget.conversation_id),
        )
        .await;
    assert_eq!(
        detail["notes"],
        json!([{
            "kind": "reopened",
            "at_seq": 3,
            "created_at": detail["notes"][0]["created_at"],
        }])
    );
    assert_eq!(detail["messages"].as_array().unwrap().len(), 3);
    // The customer never sees the note.
    let seen = server.widget_messages(&widget, 0).await;
    assert!(seen["messages"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["sender"]["kind"] != "system"));

    let restored = set_archived(&server, &operator, &widget.conversation_id, "archive").await;
    assert_eq!(restored["archived"], true);
    let restored = set_archived(&server, &operator, &widget.conversation_id, "unarchive").await;
    assert_eq!(restored["archived"], false);
    assert_eq!(customer_unread(&server, &widget).await, unread_before);
}

/// One step of the unread table, and what each side has unread after it.
enum Step {
    CustomerWrites,
    OperatorWrites,
    OperatorOpens,
    OperatorReadsUpTo(i64),
    CustomerReadsUpTo(i64),
    Archive,
    Restore,
}

#[tokio::test]
async fn the_unread_rule_holds_for_every_step_on_both_sides() {
    use Step::*;
    // (step, operators have unread, customer's unread count)
    let table = [
        (CustomerWrites, true, 0),
        (OperatorWrites, true, 1),
        (Archive, true, 1),
        (Restore, true, 1),
        (OperatorOpens, false, 1),
        (OperatorWrites, false, 2),
        (CustomerReadsUpTo(2), false, 1),
        (CustomerWrites, true, 1),
        (OperatorReadsUpTo(4), false, 1),
        (CustomerReadsUpTo(4), false, 0),
        (CustomerWrites, true, 0),
        (Archive, true, 0),
        (OperatorOpens, false, 0),
    ];
    let server = TestServer::start().await;
    let operator = server.signed_in().await;
    let widget = server.anonymous_widget().await;
    let conversation = widget.conversation_id.clone();
    for (i, (step, operators_unread, customer_count)) in table.into_iter().enumerate() {
        match step {
            CustomerWrites => {
                assert_eq!(
                    server.widget_post(&widget, &format!("c{i}")).await.status(),
                    201
                )
            }
            OperatorWrites => {
                server
                    .operator_post(&operator, &conversation, &format!("o{i}"))
                    .await;
            }
            OperatorOpens => {
                server
                    .get_json(&operator, &format!("/api/v1/conversations/{conversation}"))
                    .await;
            }
            OperatorReadsUpTo(seq) => {
                let response = operator
                    .post(server.url(&format!("/api/v1/conversations/{conversation}/read")))
                    .json(&json!({"up_to_seq": seq}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 204);
            }
            CustomerReadsUpTo(seq) => {
                let response = server
                    .widget_request(&widget, Method::POST, "/api/v1/widget/read")
                    .json(&json!({"up_to_seq": seq}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 204);
            }
            Archive => {
                set_archived(&server, &operator, &conversation, "archive").await;
            }
            Restore => {
                set_archived(&server, &operator, &conversation, "unarchive").await;
            }
        }
        assert_eq!(
            item(&server, &operator, &widget).await["unread"],
            operators_unread,
            "operators' unread after step {i}"
        );
        assert_eq!(
            customer_unread(&server, &widget).await,
            customer_count,
            "customer's unread after step {i}"
        );
    }
}

/// List items for `conversation_id` until one satisfies `wanted`. An item is read when its
/// change arrives, so two changes close together may both show the later state: a test waits
/// for the state it expects rather than counting frames.
async fn updated_until(
    socket: &mut Socket,
    conversation_id: &str,
    wanted: impl Fn(&Value) -> bool,
) -> Value {
    loop {
        let frame = socket.until("conversation_updated").await;
        if frame["conversation"]["id"] == conversation_id && wanted(&frame["conversation"]) {
            return frame["conversation"].clone();
        }
    }
}

#[tokio::test]
async fn operators_following_the_inbox_hear_every_change_as_a_list_item() {
    let server = TestServer::start().await;
    let operator = server.signed_in().await;
    let cookie = server.operator_cookie().await;
    let mut socket = open(&server.ws_url(""), &[("cookie", &cookie)]).await;
    assert_eq!(socket.frame().await["type"], "welcome");
    socket.send(json!({"type": "subscribe_inbox"})).await;
    assert_eq!(socket.frame().await["type"], "inbox_subscribed");

    let widget = server.anonymous_widget().await;
    let id = widget.conversation_id.clone();
    server.widget_post(&widget, "Is anyone there?").await;
    let item = updated_until(&mut socket, &id, |i| i["unread"] == true).await;
    assert_eq!(item["last_message_preview"], "Is anyone there?");
    assert_eq!(item["message_count"], 1);

    server
        .get_json(&operator, &format!("/api/v1/conversations/{id}"))
        .await;
    updated_until(&mut socket, &id, |i| i["unread"] == false).await;

    server.operator_post(&operator, &id, "Yes, hello").await;
    let item = updated_until(&mut socket, &id, |i| i["message_count"] == 2).await;
    assert_eq!(item["last_message_sender"], "operator");

    set_archived(&server, &operator, &id, "archive").await;
    updated_until(&mut socket, &id, |i| i["archived"] == true).await;
    set_archived(&server, &operator, &id, "unarchive").await;
    updated_until(&mut socket, &id, |i| i["archived"] == false).await;

    // Another customer's conversation: the follower hears every conversation, not only the
    // ones this operator opened.
    let other = server.anonymous_widget().await;
    server.widget_post(&other, "A second customer").await;
    let item = updated_until(&mut socket, &other.conversation_id, |i| i["unread"] == true).await;
    assert_eq!(item["last_message_preview"], "A second customer");
}

#[tokio::test]
async fn the_customer_sees_the_operator_read_their_messages_when_the_conversation_is_opened() {
    let server = TestServer::start().await;
    let operator = server.signed_in().await;
    let widget = server.anonymous_widget().await;
    let mut socket = open(
        &server.ws_url(&format!("?widget_token={}", widget.token)),
        &[],
    )
    .await;
    socket.frame().await;
    socket
        .send(json!({"type": "subscribe", "conversation_id": widget.conversation_id}))
        .await;
    assert_eq!(socket.frame().await["type"], "subscribed");
    server.widget_post(&widget, "Hello").await;
    assert_eq!(socket.until("message").await["message"]["seq"], 1);
    server
        .get_json(
            &operator,
            &format!("/api/v1/conversations/{}", widget.conversation_id),
        )
        .await;
    let read = socket.until("read").await;
    assert_eq!(read["reader"]["kind"], "operator");
    assert_eq!(read["up_to_seq"], 1);
    assert!(
        read["reader"].get("id").is_none(),
        "customers do not see operators' ids"
    );
}
