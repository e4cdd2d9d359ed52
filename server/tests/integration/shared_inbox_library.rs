//! The team's labels and canned replies (PROTOCOL v1.1), on both backends: who may keep them,
//! how they are checked, and how the inbox lists by label.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::desk::{conversation, listed, team};
use crate::common::on_both;

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
