//! Limits that hold across both nodes: a customer's window, a sender's send window, and an
//! operator deactivated on one node losing their socket on the other.

use super::Cluster;
use crate::common::ws::{open, Next};
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
