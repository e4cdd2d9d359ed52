//! Two nodes on one PostgreSQL database, each with its own bus, in one test process: what one
//! node does, the other's sockets hear.

use std::time::Duration;

use crate::common::ws::{open, Next, Socket};
use crate::common::TestServer;
use serde_json::{json, Value};
use switchboard::store::Backend;
use switchboard::testing::TestDatabase;

mod limits;

struct Cluster {
    a: TestServer,
    b: TestServer,
    db: Option<TestDatabase>,
}

impl Cluster {
    async fn start() -> Option<Self> {
        Self::start_with(&[]).await
    }

    /// Two nodes with further settings, both the same.
    async fn start_with(extra: &[(&str, &str)]) -> Option<Self> {
        let db = TestDatabase::create(Backend::Postgres).await?;
        let mut settings = vec![("DATABASE_URL", db.url.as_str())];
        settings.extend_from_slice(extra);
        let a = TestServer::start_with(&settings).await;
        let b = TestServer::start_with(&settings).await;
        Some(Self { a, b, db: Some(db) })
    }

    /// Moves both nodes' clocks to the same moment, a few seconds into a minute, so that their
    /// minute windows are the same ones.
    fn align_clocks(&self) {
        use switchboard::clock::Clock as _;
        let (a, b) = (self.a.clock.now(), self.b.clock.now());
        let later = a.max(b).timestamp_millis();
        let target = later - later.rem_euclid(60_000) + 65_000;
        for (clock, now) in [(&self.a.clock, a), (&self.b.clock, b)] {
            clock.advance(Duration::from_millis(
                (target - now.timestamp_millis()) as u64,
            ));
        }
    }

    /// An operator signed in on A, and a session they created there: the API's answer, its
    /// conversation id and its guest token.
    async fn session_on_a(&self, title: Option<&str>) -> (reqwest::Client, Value, String, String) {
        let operator = self.a.signed_in().await;
        let created = self.a.create_session(&operator, title).await;
        let conversation = created["session"]["conversation_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let token = created["guest_token"].as_str().unwrap().to_owned();
        (operator, created, conversation, token)
    }

    async fn stop(mut self) {
        self.a.store.close().await;
        self.b.store.close().await;
        if let Some(db) = self.db.take() {
            db.drop_database().await;
        }
    }
}

async fn subscribe(socket: &mut Socket, conversation_id: &str) {
    socket
        .send(json!({"type": "subscribe", "conversation_id": conversation_id, "after_seq": 0}))
        .await;
    assert_eq!(socket.until("subscribed").await["type"], "subscribed");
}

async fn send(socket: &mut Socket, conversation_id: &str, key: &str, text: &str) {
    socket.send_message(conversation_id, key, text).await;
}

/// Posts `key` as both content and `client_id` to `url` in its own task; the task gives the
/// status.
fn post_in_task(client: reqwest::Client, url: String, key: String) -> tokio::task::JoinHandle<u16> {
    tokio::spawn(async move {
        client
            .post(url)
            .json(&json!({"content": key, "client_id": key}))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    })
}

/// Messages until one with `content` arrives; returns its frame.
async fn message_with(socket: &mut Socket, content: &str) -> Value {
    loop {
        let frame = socket.until("message").await;
        if frame["message"]["content"] == content {
            return frame;
        }
    }
}

/// On PostgreSQL only (`--skip postgres` leaves these out).
mod postgres {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_operator_on_one_node_and_a_guest_on_another_chat_both_ways() {
        let Some(cluster) = Cluster::start().await else {
            return;
        };
        let (a, b) = (&cluster.a, &cluster.b);
        // A sign-in made on A is valid on B.
        let (operator, created, conversation, token) =
            cluster.session_on_a(Some("Two nodes")).await;
        let cookie = a.operator_cookie().await;
        let listed = b
            .client()
            .get(b.url("/api/v1/sessions"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(listed.status(), 200);

        let mut on_a = open(&a.ws_url(""), &[("cookie", &cookie)]).await;
        subscribe(&mut on_a, &conversation).await;
        let mut on_b = open(
            &b.ws_url(&format!("?guest_token={token}&guest_name=Ann")),
            &[],
        )
        .await;
        subscribe(&mut on_b, &conversation).await;

        send(&mut on_a, &conversation, "a1", "hello from A").await;
        let heard = message_with(&mut on_b, "hello from A").await;
        assert_eq!(heard["message"]["seq"], 1);
        send(&mut on_b, &conversation, "b1", "hello from B").await;
        assert_eq!(
            message_with(&mut on_a, "hello from B").await["message"]["seq"],
            2
        );

        // Typing crosses too, and does not come back to the typist on its own node.
        on_b.send(json!({"type": "typing", "conversation_id": conversation}))
            .await;
        assert_eq!(on_a.until("typing").await["who"]["kind"], "guest");

        // Ending the session on A closes the guest's socket on B with 4410.
        let ended = operator
            .post(a.url(&format!(
                "/api/v1/sessions/{}/end",
                created["session"]["id"].as_str().unwrap()
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(ended.status(), 200);
        assert_eq!(on_b.until("session_ended").await["type"], "session_ended");
        assert!(matches!(on_b.next().await, Next::Closed(4410)));
        cluster.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_sends_from_both_nodes_give_seqs_one_to_n_on_both() {
        let Some(cluster) = Cluster::start().await else {
            return;
        };
        let (a, b) = (&cluster.a, &cluster.b);
        let (operator, _, conversation, token) = cluster.session_on_a(None).await;
        let path = format!("/api/v1/conversations/{conversation}/messages");
        let mut tasks = Vec::new();
        for i in 0..10 {
            tasks.push(post_in_task(
                operator.clone(),
                a.url(&path),
                format!("a{i}"),
            ));
            let guest_path = format!("/support/guest/{token}/messages");
            tasks.push(post_in_task(
                b.client(),
                b.url(&guest_path),
                format!("b{i}"),
            ));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap(), 201);
        }
        for node in [a, b] {
            let listed: Value = operator
                .get(node.url(&format!("{path}?after_seq=0&limit=100")))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let seqs: Vec<i64> = listed["messages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["seq"].as_i64().unwrap())
                .collect();
            assert_eq!(seqs, (1..=20).collect::<Vec<_>>());
        }
        cluster.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_node_whose_listener_is_killed_reconnects_and_misses_nothing() {
        let Some(cluster) = Cluster::start().await else {
            return;
        };
        let (a, b) = (&cluster.a, &cluster.b);
        let (_, _, conversation, token) = cluster.session_on_a(None).await;
        let mut guest_on_b = open(
            &b.ws_url(&format!("?guest_token={token}&guest_name=Ann")),
            &[],
        )
        .await;
        subscribe(&mut guest_on_b, &conversation).await;
        let cookie = a.operator_cookie().await;
        let mut op_on_a = open(&a.ws_url(""), &[("cookie", &cookie)]).await;
        subscribe(&mut op_on_a, &conversation).await;

        // Kill every listening connection: B's and A's.
        let pool = a.store.postgres().unwrap();
        let before = b.engine.bus().reconnects();
        let killed: Vec<(bool,)> = sqlx::query_as(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND query ILIKE 'LISTEN%'",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        assert!(
            killed.len() >= 2,
            "both nodes' listeners were found ({})",
            killed.len()
        );
        // Messages sent while B may still be reconnecting reach it all the same.
        for i in 0..5 {
            send(
                &mut op_on_a,
                &conversation,
                &format!("k{i}"),
                &format!("m{i}"),
            )
            .await;
        }
        let mut seqs = Vec::new();
        while seqs.len() < 5 {
            seqs.push(
                guest_on_b.until("message").await["message"]["seq"]
                    .as_i64()
                    .unwrap(),
            );
        }
        assert_eq!(seqs, vec![1, 2, 3, 4, 5]);
        for _ in 0..200 {
            if b.engine.bus().reconnects() > before {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(
            b.engine.bus().reconnects() > before,
            "B's listener reconnected"
        );
        // And live delivery works again after the reconnect.
        send(&mut op_on_a, &conversation, "after", "after the reconnect").await;
        assert_eq!(
            message_with(&mut guest_on_b, "after the reconnect").await["message"]["seq"],
            6
        );
        cluster.stop().await;
    }
}

#[tokio::test]
async fn an_operator_following_the_inbox_on_b_hears_a_customer_writing_on_a() {
    let Some(cluster) = Cluster::start().await else {
        return;
    };
    let cookie = cluster.b.operator_cookie().await;
    let mut inbox = open(&cluster.b.ws_url(""), &[("cookie", &cookie)]).await;
    inbox.frame().await;
    inbox.send(json!({"type": "subscribe_inbox"})).await;
    assert_eq!(inbox.frame().await["type"], "inbox_subscribed");
    let widget = cluster.a.anonymous_widget().await;
    assert_eq!(
        cluster
            .a
            .widget_post(&widget, "Written on A")
            .await
            .status(),
        201
    );
    let item = loop {
        let frame = inbox.until("conversation_updated").await;
        if frame["conversation"]["id"] == widget.conversation_id.as_str() {
            break frame["conversation"].clone();
        }
    };
    assert_eq!(item["last_message_preview"], "Written on A");
    assert_eq!(item["unread"], true);
    // A widget token issued on A works on B: tokens live in the shared database.
    let listed = cluster.b.widget_messages(&widget, 0).await;
    assert_eq!(listed["messages"][0]["content"], "Written on A");
    cluster.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewers_typing_and_assignments_cross_nodes() {
    use crate::common::desk::{viewers_until, viewing};
    let Some(cluster) = Cluster::start().await else {
        return;
    };
    let owner = cluster.a.signed_in().await;
    let ann_id = cluster.a.get_json(&owner, "/api/v1/me").await["operator"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ben = cluster.a.member(&owner, "ben@example.com", "agent").await;
    let widget = cluster.a.anonymous_widget().await;
    assert_eq!(cluster.a.widget_post(&widget, "Hi").await.status(), 201);
    let id = widget.conversation_id.as_str();
    let ann_cookie = cluster.a.operator_cookie().await;

    let mut ann = viewing(&cluster.a.ws_url(""), &ann_cookie, id).await;
    let mut bens = viewing(&cluster.b.ws_url(""), &ben.cookie, id).await;
    let both = [(ann_id.clone(), false), (ben.id().to_owned(), false)];
    viewers_until(&mut ann, |v| v == both).await;
    viewers_until(&mut bens, |v| v == both).await;
    bens.send(json!({"type": "typing", "conversation_id": id}))
        .await;
    viewers_until(&mut ann, |v| v.contains(&(ben.id().to_owned(), true))).await;

    // Ann assigns it to Ben on A: Ben's socket on B is alerted, and an inbox on B moves.
    let mut inbox = open(&cluster.b.ws_url(""), &[("cookie", &ben.cookie)]).await;
    assert_eq!(inbox.frame().await["type"], "welcome");
    inbox.send(json!({"type": "subscribe_inbox"})).await;
    inbox.until("inbox_subscribed").await;
    let assigned = cluster
        .a
        .send_json(
            &owner,
            reqwest::Method::POST,
            &format!("/api/v1/conversations/{id}/assign"),
            json!({"operator_id": ben.id()}),
        )
        .await;
    assert_eq!(assigned.status(), 200);
    let alert = bens.until("alert").await;
    assert_eq!(alert["kind"], "assigned");
    assert_eq!(alert["by"]["id"], ann_id.as_str());
    assert_eq!(alert["conversation_id"], id);
    loop {
        let updated = inbox.until("conversation_updated").await;
        if updated["conversation"]["assignee"]["id"] == ben.id() {
            break;
        }
    }
    drop(bens);
    viewers_until(&mut ann, |v| v == [(ann_id.clone(), false)]).await;
    cluster.stop().await;
}
