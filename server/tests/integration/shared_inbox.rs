//! The shared inbox (PROTOCOL v1.1): assignment by role and the collision guard, on both
//! backends, through REST and the socket.

use reqwest::Method;
use serde_json::json;

use crate::common::desk::{assign, conversation, listed, post_with, team};
use crate::common::ws::open;
use crate::common::{error_code, on_both};

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
