//! The shared inbox (PROTOCOL v1.1): assignment by role, the collision guard, labels and
//! canned replies, on both backends, through REST and the socket.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::team::Member;
use crate::common::widget::Widget;
use crate::common::ws::open;
use crate::common::{error_code, on_both, TestServer};

/// `POST /api/v1/conversations/:id/assign` as `client`: status and body.
async fn assign(
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
async fn listed(server: &TestServer, client: &reqwest::Client, query: &str) -> Vec<String> {
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
async fn conversation(server: &TestServer, text: &str) -> Widget {
    let widget = server.anonymous_widget().await;
    assert_eq!(server.widget_post(&widget, text).await.status(), 201);
    widget
}

async fn team(server: &TestServer) -> (reqwest::Client, Member, Member, Member) {
    let owner = server.signed_in().await;
    let admin = server.member(&owner, "olga@example.com", "admin").await;
    let ben = server.member(&owner, "ben@example.com", "agent").await;
    let cleo = server.member(&owner, "cleo@example.com", "agent").await;
    (owner, admin, ben, cleo)
}

on_both!(
    agents_take_and_drop_their_own_and_admins_assign_anyone,
    |server| {
        let (owner, admin, ben, cleo) = team(&server).await;
        let widget = conversation(&server, "Where is my parcel?").await;
        let id = widget.conversation_id.as_str();

        let (status, body) = assign(&server, &ben.client, id, Some(ben.id())).await;
        assert_eq!(status, 200, "an agent takes an unassigned conversation");
        assert_eq!(body["conversation"]["assignee"]["id"], ben.id());
        for to in [Some(cleo.id()), Some(ben.id()), None] {
            let (status, _) = assign(&server, &cleo.client, id, to).await;
            assert_eq!(
                status, 403,
                "an agent may not take or drop a colleague's: {to:?}"
            );
        }
        let (status, body) = assign(&server, &admin.client, id, Some(cleo.id())).await;
        assert_eq!(status, 200, "an admin assigns anyone");
        assert_eq!(body["conversation"]["assignee"]["id"], cleo.id());
        assert_eq!(assign(&server, &ben.client, id, None).await.0, 403);
        let (status, body) = assign(&server, &cleo.client, id, None).await;
        assert_eq!(status, 200, "an agent drops their own");
        assert!(body["conversation"]["assignee"].is_null());

        // The assignee must be an active operator, and the key must be there.
        let unknown = uuid::Uuid::now_v7().to_string();
        assert_eq!(assign(&server, &owner, id, Some(&unknown)).await.0, 422);
        let deactivated = server
            .send_json(
                &owner,
                Method::PATCH,
                &format!("/api/v1/operators/{}", admin.id()),
                json!({"active": false}),
            )
            .await;
        assert_eq!(deactivated.status(), 200);
        assert_eq!(assign(&server, &owner, id, Some(admin.id())).await.0, 422);
        let missing = server
            .send_json(
                &owner,
                Method::POST,
                &format!("/api/v1/conversations/{id}/assign"),
                json!({}),
            )
            .await;
        assert_eq!(missing.status(), 422);
        assert_eq!(error_code(missing).await, "invalid");
        let nowhere = format!("/api/v1/conversations/{unknown}/assign");
        let response = server
            .send_json(&owner, Method::POST, &nowhere, json!({"operator_id": null}))
            .await;
        assert_eq!(response.status(), 404);

        // Mine, unassigned, someone's: the list takes each filter.
        let other = conversation(&server, "A second question").await;
        assert_eq!(assign(&server, &owner, id, Some(ben.id())).await.0, 200);
        assert_eq!(listed(&server, &ben.client, "assignee=me").await, vec![id]);
        assert_eq!(
            listed(&server, &owner, "assignee=none").await,
            vec![other.conversation_id.clone()]
        );
        assert_eq!(
            listed(&server, &cleo.client, &format!("assignee={}", ben.id())).await,
            vec![id]
        );
        assert_eq!(listed(&server, &owner, "").await.len(), 2);
        let bad = server
            .get(&owner, "/api/v1/conversations?assignee=somebody")
            .await;
        assert_eq!(bad.status(), 422);

        // Operators see who did what in the thread; the customer sees nothing of it.
        let detail = server
            .get_json(&owner, &format!("/api/v1/conversations/{id}"))
            .await;
        let lines: Vec<(String, String, String)> = detail["activity"]
            .as_array()
            .unwrap()
            .iter()
            .map(|line| {
                (
                    line["kind"].as_str().unwrap().to_owned(),
                    line["by"]["id"].as_str().unwrap().to_owned(),
                    line["to"]["id"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        let owner_id = server.get_json(&owner, "/api/v1/me").await["operator"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            lines,
            vec![
                ("assigned".into(), ben.id().into(), ben.id().into()),
                ("assigned".into(), admin.id().into(), cleo.id().into()),
                ("unassigned".into(), cleo.id().into(), cleo.id().into()),
                ("assigned".into(), owner_id, ben.id().into()),
            ]
        );
        assert_eq!(detail["notes"], detail["activity"]);
        let seen = server.widget_messages(&widget, 0).await;
        assert_eq!(seen["messages"].as_array().unwrap().len(), 1);
    }
);

on_both!(
    a_reply_based_on_a_stale_view_is_refused_with_what_arrived,
    |server| {
        let (owner, _admin, ben, _cleo) = team(&server).await;
        let widget = conversation(&server, "Hello?").await;
        let id = widget.conversation_id.as_str();

        // The operator's own messages since their view do not count against them.
        let (status, first) = post_with(
            &server,
            &owner,
            id,
            json!({"content": "Hi!", "based_on_seq": 1}),
        )
        .await;
        assert_eq!(status, 201);
        assert_eq!(first["message"]["seq"], 2);
        let (status, _) = post_with(
            &server,
            &owner,
            id,
            json!({"content": "How can I help?", "based_on_seq": 1}),
        )
        .await;
        assert_eq!(status, 201);

        // The customer writes; a reply based on seq 3 is refused with that message.
        assert_eq!(
            server.widget_post(&widget, "My order 1234").await.status(),
            201
        );
        let (status, refused) = post_with(
            &server,
            &owner,
            id,
            json!({"content": "Let me check", "client_id": "k-stale", "based_on_seq": 3}),
        )
        .await;
        assert_eq!(status, 409);
        assert_eq!(refused["error"]["code"], "conflict");
        let newer = refused["messages"].as_array().expect("the newer messages");
        assert_eq!(newer.len(), 1);
        assert_eq!(newer[0]["seq"], 4);
        assert_eq!(newer[0]["content"], "My order 1234");

        // A colleague's note counts too; nothing was stored for the refused sends.
        let (status, _) = post_with(
            &server,
            &ben.client,
            id,
            json!({"content": "I know this one", "internal": true}),
        )
        .await;
        assert_eq!(status, 201);
        let (status, refused) = post_with(
            &server,
            &owner,
            id,
            json!({"content": "Let me check", "based_on_seq": 4}),
        )
        .await;
        assert_eq!(status, 409);
        assert_eq!(refused["messages"][0]["content"], "I know this one");
        assert_eq!(refused["messages"][0]["internal"], true);
        let stored = server
            .get_json(&owner, &format!("/api/v1/conversations/{id}/messages"))
            .await;
        assert_eq!(stored["messages"].as_array().unwrap().len(), 5);

        // Forced, it goes; without a guard (a v1 client), too.
        let (status, forced) = post_with(
        &server,
        &owner,
        id,
        json!({"content": "Let me check", "client_id": "k-stale", "based_on_seq": 3, "force": true}),
    )
    .await;
        assert_eq!(status, 201);
        assert_eq!(forced["message"]["seq"], 6);
        assert_eq!(
            post_with(&server, &owner, id, json!({"content": "v1"}))
                .await
                .0,
            201
        );

        // On the socket the refusal is an error frame with the client_id and the messages.
        assert_eq!(
            server.widget_post(&widget, "Still there?").await.status(),
            201
        );
        let mut socket = open(
            &server.ws_url(""),
            &[("cookie", &server.operator_cookie().await)],
        )
        .await;
        assert_eq!(socket.frame().await["type"], "welcome");
        socket
            .send(
                json!({"type": "send", "conversation_id": id, "client_id": "ws-1",
                     "content": "Checking", "based_on_seq": 7}),
            )
            .await;
        let error = socket.until("error").await;
        assert_eq!(error["code"], "conflict");
        assert_eq!(error["client_id"], "ws-1");
        assert_eq!(error["messages"][0]["content"], "Still there?");
        socket
            .send(
                json!({"type": "send", "conversation_id": id, "client_id": "ws-1",
                     "content": "Checking", "based_on_seq": 8}),
            )
            .await;
        let ack = socket.until("ack").await;
        assert_eq!(ack["message"]["seq"], 9);
    }
);

on_both!(
    deactivating_an_operator_hands_their_conversations_back,
    |server| {
        let (owner, _admin, ben, _cleo) = team(&server).await;
        let widget = conversation(&server, "Is anyone on this?").await;
        let id = widget.conversation_id.as_str();
        assert_eq!(
            assign(&server, &ben.client, id, Some(ben.id())).await.0,
            200
        );
        let deactivated = server
            .send_json(
                &owner,
                Method::PATCH,
                &format!("/api/v1/operators/{}", ben.id()),
                json!({"active": false}),
            )
            .await;
        assert_eq!(deactivated.status(), 200);
        assert_eq!(listed(&server, &owner, "assignee=none").await, vec![id]);
        let detail = server
            .get_json(&owner, &format!("/api/v1/conversations/{id}"))
            .await;
        assert!(detail["conversation"]["assignee"].is_null());
        let last = detail["activity"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(last["kind"], "unassigned");
        assert_eq!(last["to"]["id"], ben.id());
    }
);

on_both!(labels_are_kept_by_admins_and_put_on_by_anyone, |server| {
    let (owner, admin, ben, _cleo) = team(&server).await;
    let create = |client: &reqwest::Client, body: Value| {
        let (server, client) = (&server, client.clone());
        async move {
            server
                .send_json(&client, Method::POST, "/api/v1/labels", body)
                .await
        }
    };
    assert_eq!(
        create(&ben.client, json!({"name": "VIP", "color": "#aa0000"}))
            .await
            .status(),
        403
    );
    let vip = create(&admin.client, json!({"name": "VIP", "color": "#AA0000"})).await;
    assert_eq!(vip.status(), 201);
    let vip: Value = vip.json().await.unwrap();
    assert_eq!(vip["label"]["color"], "#aa0000");
    let vip_id = vip["label"]["id"].as_str().unwrap().to_owned();
    let taken = create(&owner, json!({"name": "vip", "color": "#00aa00"})).await;
    assert_eq!(taken.status(), 409);
    for bad in [
        json!({"name": "Bug", "color": "red"}),
        json!({"name": "", "color": "#00aa00"}),
        json!({"name": "x".repeat(41), "color": "#00aa00"}),
        json!({"name": "Bug"}),
    ] {
        assert_eq!(create(&owner, bad.clone()).await.status(), 422, "{bad}");
    }
    let bug: Value = create(&owner, json!({"name": "Bug", "color": "#0000aa"}))
        .await
        .json()
        .await
        .unwrap();
    let bug_id = bug["label"]["id"].as_str().unwrap().to_owned();
    let names: Vec<String> = server.get_json(&ben.client, "/api/v1/labels").await["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["Bug", "VIP"]);

    // Anyone puts labels on; the list filters by one and shows them on each row.
    let first = conversation(&server, "It crashed").await;
    let second = conversation(&server, "Invoice please").await;
    let path = format!("/api/v1/conversations/{}/labels", first.conversation_id);
    let put = server
        .send_json(
            &ben.client,
            Method::PUT,
            &path,
            json!({"label_ids": [vip_id, bug_id, vip_id]}),
        )
        .await;
    assert_eq!(put.status(), 200);
    let item: Value = put.json().await.unwrap();
    assert_eq!(item["conversation"]["labels"][0]["name"], "Bug");
    assert_eq!(item["conversation"]["labels"][1]["name"], "VIP");
    let unknown = json!({"label_ids": [uuid::Uuid::now_v7()]});
    assert_eq!(
        server
            .send_json(&ben.client, Method::PUT, &path, unknown)
            .await
            .status(),
        422
    );
    assert_eq!(
        listed(&server, &ben.client, &format!("label={bug_id}")).await,
        vec![first.conversation_id.clone()]
    );
    assert_eq!(listed(&server, &ben.client, "").await.len(), 2);
    let _ = second;

    // A rename shows on the rows; a delete takes the label off them.
    let label_path = format!("/api/v1/labels/{bug_id}");
    assert_eq!(
        server
            .send_json(
                &ben.client,
                Method::PATCH,
                &label_path,
                json!({"name": "Defect"})
            )
            .await
            .status(),
        403
    );
    let renamed = server
        .send_json(
            &admin.client,
            Method::PATCH,
            &label_path,
            json!({"name": "Defect"}),
        )
        .await;
    assert_eq!(renamed.status(), 200);
    let rows = server.get_json(&owner, "/api/v1/conversations").await;
    let row = rows["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["id"] == first.conversation_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["labels"][0]["name"], "Defect");
    let deleted = server
        .send_json(&admin.client, Method::DELETE, &label_path, Value::Null)
        .await;
    assert_eq!(deleted.status(), 204);
    assert!(listed(&server, &owner, &format!("label={bug_id}"))
        .await
        .is_empty());
    let detail = server
        .get_json(
            &owner,
            &format!("/api/v1/conversations/{}", first.conversation_id),
        )
        .await;
    assert_eq!(
        detail["conversation"]["labels"].as_array().unwrap().len(),
        1
    );
    assert_eq!(detail["activity"][0]["kind"], "labelled");
    assert_eq!(detail["activity"][0]["labels"], json!(["Bug", "VIP"]));
    assert_eq!(detail["activity"][0]["by"]["id"], ben.id());
});

on_both!(
    the_team_writes_canned_replies_and_only_authors_and_admins_change_them,
    |server| {
        let (_owner, admin, ben, cleo) = team(&server).await;
        let create = |client: &reqwest::Client, body: Value| {
            let (server, client) = (&server, client.clone());
            async move {
                server
                    .send_json(&client, Method::POST, "/api/v1/canned_replies", body)
                    .await
            }
        };
        let made = create(
            &ben.client,
            json!({"shortcut": "refund", "title": "Refund policy",
               "content": "Hi {{customer.name}}, refunds take 5 days. {{operator.name}}"}),
        )
        .await;
        assert_eq!(made.status(), 201);
        let made: Value = made.json().await.unwrap();
        let reply = &made["canned_reply"];
        assert_eq!(reply["created_by"]["id"], ben.id());
        assert_eq!(
            reply["content"],
            "Hi {{customer.name}}, refunds take 5 days. {{operator.name}}"
        );
        let id = reply["id"].as_str().unwrap().to_owned();
        let again = create(
            &cleo.client,
            json!({"shortcut": "refund", "title": "x", "content": "y"}),
        )
        .await;
        assert_eq!(again.status(), 409);
        for bad in [
            json!({"shortcut": "Refund", "title": "x", "content": "y"}),
            json!({"shortcut": "two words", "title": "x", "content": "y"}),
            json!({"shortcut": "ok", "title": "", "content": "y"}),
            json!({"shortcut": "ok", "title": "x", "content": " "}),
            json!({"shortcut": "ok", "title": "x"}),
        ] {
            assert_eq!(
                create(&cleo.client, bad.clone()).await.status(),
                422,
                "{bad}"
            );
        }
        assert_eq!(
            create(
                &cleo.client,
                json!({"shortcut": "hello", "title": "Greeting", "content": "Hello!"})
            )
            .await
            .status(),
            201
        );
        let found = |q: &str| {
            let path = format!("/api/v1/canned_replies?q={q}");
            let client = cleo.client.clone();
            let server = &server;
            async move {
                server.get_json(&client, &path).await["canned_replies"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["shortcut"].as_str().unwrap().to_owned())
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(found("").await, ["hello", "refund"]);
        assert_eq!(found("REFUNDS").await, ["refund"]);
        assert_eq!(found("greet").await, ["hello"]);
        assert!(
            found("100%25").await.is_empty(),
            "a % is a character, not a wildcard"
        );

        let path = format!("/api/v1/canned_replies/{id}");
        let patch = json!({"title": "Refunds"});
        assert_eq!(
            server
                .send_json(&cleo.client, Method::PATCH, &path, patch.clone())
                .await
                .status(),
            403
        );
        let changed = server
            .send_json(&admin.client, Method::PATCH, &path, patch)
            .await;
        assert_eq!(changed.status(), 200);
        let changed: Value = changed.json().await.unwrap();
        assert_eq!(changed["canned_reply"]["title"], "Refunds");
        assert_eq!(
            server
                .send_json(&cleo.client, Method::DELETE, &path, Value::Null)
                .await
                .status(),
            403
        );
        assert_eq!(
            server
                .send_json(&ben.client, Method::DELETE, &path, Value::Null)
                .await
                .status(),
            204
        );
        assert_eq!(
            server
                .send_json(&ben.client, Method::DELETE, &path, Value::Null)
                .await
                .status(),
            404
        );
    }
);

/// Viewers frames for `conversation` until one that `holds`; returns its operators as
/// `(id, typing)`.
pub async fn viewers_until(
    socket: &mut crate::common::ws::Socket,
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
pub async fn viewing(url: &str, cookie: &str, conversation: &str) -> crate::common::ws::Socket {
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

on_both!(
    operators_see_who_else_views_and_types_and_customers_never_do,
    |server| {
        let (owner, _admin, ben, _cleo) = team(&server).await;
        let widget = conversation(&server, "Anyone?").await;
        let id = widget.conversation_id.as_str();
        let ann_cookie = server.operator_cookie().await;
        let ann_id = server.get_json(&owner, "/api/v1/me").await["operator"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut ann = viewing(&server.ws_url(""), &ann_cookie, id).await;
        viewers_until(&mut ann, |v| v == [(ann_id.clone(), false)]).await;
        let mut bens = viewing(&server.ws_url(""), &ben.cookie, id).await;
        let both = [(ann_id.clone(), false), (ben.id().to_owned(), false)];
        viewers_until(&mut ann, |v| v == both).await;
        viewers_until(&mut bens, |v| v == both).await;

        bens.send(json!({"type": "typing", "conversation_id": id}))
            .await;
        let typing = [(ann_id.clone(), false), (ben.id().to_owned(), true)];
        viewers_until(&mut ann, |v| v == typing).await;
        // Typing counts for a few seconds on the server's clock, then it is over.
        server.clock.advance(std::time::Duration::from_secs(7));
        viewers_until(&mut ann, |v| v == both).await;
        bens.send(json!({"type": "unview", "conversation_id": id}))
            .await;
        viewers_until(&mut ann, |v| v == [(ann_id.clone(), false)]).await;
        bens.send(json!({"type": "view", "conversation_id": id}))
            .await;
        viewers_until(&mut ann, |v| v == both).await;
        drop(bens);
        viewers_until(&mut ann, |v| v == [(ann_id.clone(), false)]).await;

        // The customer may not say what they view, and hears of no viewer.
        let widget_ws = server.ws_url(&format!("?widget_token={}", widget.token));
        let mut customer = open(&widget_ws, &[]).await;
        assert_eq!(customer.frame().await["type"], "welcome");
        customer
            .send(json!({"type": "subscribe", "conversation_id": id, "after_seq": 1}))
            .await;
        customer.until("subscribed").await;
        customer
            .send(json!({"type": "view", "conversation_id": id}))
            .await;
        let refused = customer.until("error").await;
        assert_eq!(refused["code"], "forbidden");
        let _again = viewing(&server.ws_url(""), &ben.cookie, id).await;
        viewers_until(&mut ann, |v| v == both).await;
        server.operator_post(&owner, id, "Still here").await;
        loop {
            let frame = customer.frame().await;
            assert_ne!(
                frame["type"], "viewers",
                "a customer never learns who watches"
            );
            if frame["type"] == "message" {
                break;
            }
        }
    }
);
