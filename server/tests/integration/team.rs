//! Team accounts (PROTOCOL v1.1): the table of who may do what, on both backends, through
//! REST, server functions and the socket; invitations; deactivation; ownership.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::ws::{open, Next};
use crate::common::{error_code, on_both};

async fn status_and_code(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    (status, error_code(response).await)
}

on_both!(agents_are_refused_what_only_admins_may_do, |server| {
    let owner = server.signed_in().await;
    let agent = server.member(&owner, "agent@example.com", "agent").await;
    let admin = server.member(&owner, "admin@example.com", "admin").await;
    let forbidden = (403, "forbidden".to_owned());
    let refused = [
        (
            Method::POST,
            "/api/v1/invitations",
            json!({"email": "x@example.com", "role": "agent"}),
        ),
        (Method::GET, "/api/v1/invitations", Value::Null),
        (
            Method::PATCH,
            &format!("/api/v1/operators/{}", admin.id()),
            json!({"role": "agent"}),
        ),
        (
            Method::POST,
            &format!("/api/v1/operators/{}/make_owner", admin.id()),
            Value::Null,
        ),
        (Method::GET, "/api/v1/audit", Value::Null),
        (
            Method::PUT,
            "/api/v1/widget/appearance",
            serde_json::to_value(switchboard::wire::WidgetAppearance::default()).unwrap(),
        ),
    ];
    for (method, path, body) in refused {
        let request = agent.client.request(method.clone(), server.url(path));
        let request = if body.is_null() {
            request
        } else {
            request.json(&body)
        };
        let response = request.send().await.unwrap();
        assert_eq!(
            status_and_code(response).await,
            forbidden,
            "{method} {path}"
        );
    }
    // The same calls are an admin's to make.
    let listed = server.get(&admin.client, "/api/v1/invitations").await;
    assert_eq!(listed.status(), 200);
    let audit = server.get(&admin.client, "/api/v1/audit").await;
    assert_eq!(audit.status(), 200);
    // Agents see their colleagues' names and roles, not their addresses.
    let seen_by_agent = server.get_json(&agent.client, "/api/v1/operators").await;
    let members = seen_by_agent["operators"].as_array().unwrap();
    // The server's own first operator, the tests' owner and the two colleagues.
    assert_eq!(members.len(), 4);
    assert!(members
        .iter()
        .all(|m| m.get("email").is_none() && m["role"].is_string()));
    let seen_by_admin = server.get_json(&admin.client, "/api/v1/operators").await;
    let roles: Vec<(&str, &str)> = seen_by_admin["operators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["email"].as_str().unwrap(), m["role"].as_str().unwrap()))
        .collect();
    assert_eq!(
        roles[1..],
        [
            ("ann@example.com", "owner"),
            ("agent@example.com", "agent"),
            ("admin@example.com", "admin")
        ]
    );
    // Sessions and conversations stay every operator's work.
    let session = server.create_session(&agent.client, Some("Printer")).await;
    assert!(session["session"]["id"].is_string());
});

on_both!(
    admins_run_the_team_but_never_the_owner_and_no_one_changes_themselves,
    |server| {
        let owner = server.signed_in().await;
        let admin = server.member(&owner, "admin@example.com", "admin").await;
        let agent = server.member(&owner, "agent@example.com", "agent").await;
        let owner_id = server.get_json(&owner, "/api/v1/me").await["operator"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let patch = |id: &str| format!("/api/v1/operators/{id}");
        let cases = [
            (
                &admin.client,
                patch(&owner_id),
                json!({"role": "agent"}),
                403,
            ),
            (
                &admin.client,
                patch(&owner_id),
                json!({"active": false}),
                403,
            ),
            (
                &admin.client,
                patch(admin.id()),
                json!({"role": "agent"}),
                403,
            ),
            (
                &admin.client,
                patch(admin.id()),
                json!({"active": false}),
                403,
            ),
            (
                &admin.client,
                patch(agent.id()),
                json!({"role": "owner"}),
                403,
            ),
            (
                &admin.client,
                patch(agent.id()),
                json!({"role": "boss"}),
                422,
            ),
            (&admin.client, patch(agent.id()), json!({}), 422),
            (
                &admin.client,
                patch("0190c3a6-0000-7000-8000-000000000000"),
                json!({"role": "admin"}),
                404,
            ),
            (&owner, patch(&owner_id), json!({"role": "admin"}), 403),
        ];
        for (client, path, body, status) in cases {
            let response = server
                .send_json(client, Method::PATCH, &path, body.clone())
                .await;
            assert_eq!(response.status(), status, "PATCH {path} {body}");
        }
        let promoted = server
            .send_json(
                &admin.client,
                Method::PATCH,
                &patch(agent.id()),
                json!({"role": "admin"}),
            )
            .await;
        assert_eq!(promoted.status(), 200);
        let promoted: Value = promoted.json().await.unwrap();
        assert_eq!(promoted["operator"]["role"], "admin");
        // An invitation to someone already on the team is a conflict; inviting an owner is refused.
        let taken = server
            .send_json(
                &admin.client,
                Method::POST,
                "/api/v1/invitations",
                json!({"email": "agent@example.com", "role": "agent"}),
            )
            .await;
        assert_eq!(status_and_code(taken).await, (409, "conflict".to_owned()));
        let as_owner = server
            .send_json(
                &admin.client,
                Method::POST,
                "/api/v1/invitations",
                json!({"email": "new@example.com", "role": "owner"}),
            )
            .await;
        assert_eq!(as_owner.status(), 403);
        let bad_email = server
            .send_json(
                &admin.client,
                Method::POST,
                "/api/v1/invitations",
                json!({"email": "nope", "role": "agent"}),
            )
            .await;
        assert_eq!(bad_email.status(), 422);
    }
);

on_both!(
    ownership_goes_only_from_the_owner_to_an_active_admin,
    |server| {
        let owner = server.signed_in().await;
        let admin = server.member(&owner, "admin@example.com", "admin").await;
        let agent = server.member(&owner, "agent@example.com", "agent").await;
        let make_owner = |id: &str| format!("/api/v1/operators/{id}/make_owner");
        let to_agent = server.post(&owner, &make_owner(agent.id())).await;
        assert_eq!(
            status_and_code(to_agent).await,
            (409, "conflict".to_owned())
        );
        let by_admin = server.post(&admin.client, &make_owner(agent.id())).await;
        assert_eq!(by_admin.status(), 403);
        let handed = server.post(&owner, &make_owner(admin.id())).await;
        assert_eq!(handed.status(), 200);
        let handed: Value = handed.json().await.unwrap();
        assert_eq!(handed["operator"]["role"], "owner");
        let me = server.get_json(&owner, "/api/v1/me").await;
        assert_eq!(me["operator"]["role"], "admin");
        // The new owner may now hand it back; the old one no longer can.
        let old_owner_id = me["operator"]["id"].as_str().unwrap();
        let again = server.post(&owner, &make_owner(admin.id())).await;
        assert_eq!(again.status(), 403);
        let back = server.post(&admin.client, &make_owner(old_owner_id)).await;
        assert_eq!(back.status(), 200);
        let audit = server
            .get_json(
                &admin.client,
                "/api/v1/audit?action=ownership_transferred&limit=2",
            )
            .await;
        let targets: Vec<&str> = audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["target"]["id"].as_str().unwrap())
            .collect();
        assert_eq!(targets, [old_owner_id, admin.id()]);
    }
);

on_both!(
    deactivation_signs_out_everywhere_and_reactivation_restores_the_same_password,
    |server| {
        let owner = server.signed_in().await;
        let agent = server.member(&owner, "agent@example.com", "agent").await;
        let mut socket = open(&server.ws_url(""), &[("cookie", &agent.cookie)]).await;
        assert_eq!(socket.frame().await["type"], "welcome");
        let path = format!("/api/v1/operators/{}", agent.id());
        let off = server
            .send_json(&owner, Method::PATCH, &path, json!({"active": false}))
            .await;
        assert_eq!(off.status(), 200);
        assert_eq!(
            off.json::<Value>().await.unwrap()["operator"]["active"],
            false
        );
        match socket.next().await {
            Next::Closed(code) => assert_eq!(code, 4401),
            other => panic!("expected a close with 4401, got {other:?}"),
        }
        let refused = server.get(&agent.client, "/api/v1/sessions").await;
        assert_eq!(refused.status(), 401);
        let again = server.login("agent@example.com", &agent.password).await;
        assert_eq!(again.status(), 401);
        // A deactivated operator cannot open a socket either.
        let handshake =
            crate::common::ws::connect(&server.ws_url(""), &[("cookie", &agent.cookie)]).await;
        assert!(matches!(
            handshake,
            crate::common::ws::Handshake::Refused(401, _)
        ));
        let on = server
            .send_json(&owner, Method::PATCH, &path, json!({"active": true}))
            .await;
        assert_eq!(on.status(), 200);
        let back = server.login("agent@example.com", &agent.password).await;
        assert_eq!(back.status(), 200);
        let actions: Vec<String> = server.get_json(&owner, "/api/v1/audit").await["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_owned())
            .collect();
        for action in [
            "operator_deactivated",
            "operator_reactivated",
            "signin_failed",
            "signin",
        ] {
            assert!(
                actions.contains(&action.to_owned()),
                "{action} in {actions:?}"
            );
        }
    }
);

on_both!(server_functions_follow_the_same_rules, |server| {
    let owner = server.signed_in().await;
    let agent = server.member(&owner, "agent@example.com", "agent").await;
    // The Widget page's server function holds the secret: admins only.
    let setup = agent
        .client
        .post(server.url("/api/widget/setup"))
        .send()
        .await
        .unwrap();
    assert_eq!(setup.status(), 403);
    let setup = owner
        .post(server.url("/api/widget/setup"))
        .send()
        .await
        .unwrap();
    assert_eq!(setup.status(), 200);
});
