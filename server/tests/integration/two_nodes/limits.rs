//! Limits that hold across both nodes: a customer's window, a sender's send window, a guest
//! link's socket cap, and an operator deactivated on one node losing their socket on the other.

use super::Cluster;
use crate::common::ws::{connect, open, Handshake, Next};
use crate::common::TestServer;
use serde_json::json;

/// The status of a customer's message list on `node`.
async fn messages_status(node: &TestServer, widget: &crate::common::widget::Widget) -> u16 {
    node.widget_request(widget, reqwest::Method::GET, "/api/v1/widget/messages")
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_customers_window_holds_across_both_nodes() {
    let Some(cluster) = Cluster::start_with(&[("SWITCHBOARD_WIDGET_RATE_PER_CUSTOMER", "6")]).await
    else {
        return;
    };
    cluster.align_clocks();
    let widget = cluster.a.anonymous_widget().await;
    // The sign-in on A took one; five more, alternating between the nodes, spend the six.
    for i in 0..5 {
        let node = if i % 2 == 0 { &cluster.b } else { &cluster.a };
        assert_eq!(messages_status(node, &widget).await, 200, "request {i}");
    }
    for node in [&cluster.a, &cluster.b] {
        assert_eq!(
            messages_status(node, &widget).await,
            429,
            "past the window on either node"
        );
    }
    cluster.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deactivating_on_one_node_closes_the_colleagues_socket_on_the_other() {
    let Some(cluster) = Cluster::start().await else {
        return;
    };
    let owner = cluster.a.signed_in().await;
    let agent = cluster.a.member(&owner, "agent@example.com", "agent").await;
    let mut on_b = open(&cluster.b.ws_url(""), &[("cookie", &agent.cookie)]).await;
    assert_eq!(on_b.frame().await["type"], "welcome");
    let deactivated = cluster
        .a
        .send_json(
            &owner,
            reqwest::Method::PATCH,
            &format!("/api/v1/operators/{}", agent.id()),
            json!({"active": false}),
        )
        .await;
    assert_eq!(deactivated.status(), 200);
    match on_b.next().await {
        Next::Closed(code) => assert_eq!(code, 4401),
        other => panic!("expected a close with 4401, got {other:?}"),
    }
    assert_eq!(
        cluster.b.get(&agent.client, "/api/v1/me").await.status(),
        401
    );
    cluster.stop().await;
}

/// A `client_id`'d message from the operator with `cookie`, through `node`: the status.
async fn operator_posts(node: &TestServer, cookie: &str, conversation: &str, key: &str) -> u16 {
    node.client()
        .post(node.url(&format!("/api/v1/conversations/{conversation}/messages")))
        .header("cookie", cookie)
        .json(&json!({"content": key, "client_id": key}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_posting_through_both_nodes_is_refused_at_the_same_count_as_on_one() {
    let Some(cluster) = Cluster::start_with(&[("SWITCHBOARD_SEND_LIMIT", "4")]).await else {
        return;
    };
    cluster.align_clocks();
    let (_, _, conversation, _) = cluster.session_on_a(None).await;
    let cookie = cluster.a.operator_cookie().await;
    // Four sends, alternating between the nodes, spend the window of four.
    for i in 0..4 {
        let node = if i % 2 == 0 { &cluster.a } else { &cluster.b };
        let status = operator_posts(node, &cookie, &conversation, &format!("m{i}")).await;
        assert_eq!(status, 201, "send {i}");
    }
    for (name, node) in [("A", &cluster.a), ("B", &cluster.b)] {
        let status = operator_posts(node, &cookie, &conversation, &format!("over-{name}")).await;
        assert_eq!(status, 429, "the fifth send, on {name}");
    }
    cluster.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_links_socket_cap_counts_the_sockets_of_both_nodes() {
    let Some(cluster) = Cluster::start_with(&[("SWITCHBOARD_SOCKETS_PER_GUEST_LINK", "3")]).await
    else {
        return;
    };
    let (_, _, _, token) = cluster.session_on_a(None).await;
    let query = format!("?guest_token={token}&guest_name=Ann");
    let (url_a, url_b) = (cluster.a.ws_url(&query), cluster.b.ws_url(&query));
    let mut first_on_a = open(&url_a, &[]).await;
    assert_eq!(first_on_a.frame().await["type"], "welcome");
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut socket = open(&url_b, &[]).await;
        assert_eq!(socket.frame().await["type"], "welcome");
        held.push(socket);
    }
    // Each node holds fewer than three, together they hold three.
    for (name, url) in [("A", &url_a), ("B", &url_b)] {
        match connect(url, &[]).await {
            Handshake::Refused(status, body) => {
                assert_eq!(status, 429, "the fourth socket, on {name}");
                assert_eq!(body["error"]["code"], "rate_limited");
            }
            Handshake::Open(_) => panic!("a fourth socket opened on {name}"),
        }
    }
    // A socket closed on A gives its place back to both nodes.
    first_on_a.0.close(None).await.unwrap();
    assert!(matches!(
        first_on_a.next().await,
        Next::Closed(_) | Next::Ended
    ));
    let mut reopened = None;
    for _ in 0..100 {
        match connect(&url_b, &[]).await {
            Handshake::Open(socket) => {
                reopened = Some(socket);
                break;
            }
            // The place is given back after the socket's close is handled.
            Handshake::Refused(429, _) => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await
            }
            Handshake::Refused(status, body) => panic!("refused with {status}: {body}"),
        }
    }
    let mut reopened = reopened.expect("the freed place is taken on B");
    assert_eq!(reopened.frame().await["type"], "welcome");
    cluster.stop().await;
}
