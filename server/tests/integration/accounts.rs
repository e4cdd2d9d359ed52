//! An operator's account (PROTOCOL v1.1): invitation links, profile, password, sign-ins,
//! forgotten passwords, and what the audit log keeps of them.

use std::path::PathBuf;
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::ws::{open, Next};
use crate::common::{error_code, TestServer, EMAIL, PASSWORD};

/// The one-time link (`/invite/…` or `/reset/…`) in the newest `.eml` file sent to `to`.
async fn emailed_link(server: &TestServer, to: &str, kind: &str) -> String {
    for _ in 0..500 {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&server.mail_dir)
            .map(|dir| dir.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.sort();
        for file in files.iter().rev() {
            // A letter still being written may not read yet: it is looked at again next round.
            let Ok(raw) = std::fs::read_to_string(file) else {
                continue;
            };
            let unfolded = raw
                .replace("=\r\n", "")
                .replace("=\n", "")
                .replace("=3D", "=");
            if !unfolded.contains(&format!("To: {to}")) {
                continue;
            }
            let marker = format!("http://support.test/{kind}/");
            if let Some(start) = unfolded.find(&marker) {
                return unfolded[start + marker.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no {kind} email to {to} was written");
}

#[tokio::test]
async fn an_invitation_is_emailed_works_once_and_says_why_it_no_longer_works() {
    let server = TestServer::start().await;
    let owner = server.signed_in().await;
    let token = server.invite(&owner, "zoe@example.com", "agent").await;
    // The email carries the same link the inviter was shown, once.
    assert_eq!(
        emailed_link(&server, "zoe@example.com", "invite").await,
        token
    );
    let pending = server.get_json(&owner, "/api/v1/invitations").await;
    let first = &pending["invitations"][0];
    assert_eq!(first["email"], "zoe@example.com");
    assert_eq!(first["role"], "agent");
    assert_eq!(first["invited_by"]["name"], "Ann");
    // Weak passwords are refused with the rule they break, and the link still works after.
    for weak in ["short", "zoe@example.com", "zzzzzzzzzzzzzzzz"] {
        let response = server.accept(&token, "Zoe", weak).await;
        assert_eq!(response.status(), 422, "{weak}");
    }
    let joined = server
        .accept(&token, "Zoe", "a long and good password")
        .await;
    assert_eq!(joined.status(), 200);
    assert!(joined.headers().get("set-cookie").is_some());
    let body: Value = joined.json().await.unwrap();
    assert_eq!(body["operator"]["role"], "agent");
    assert_eq!(body["operator"]["name"], "Zoe");
    let again = server
        .accept(&token, "Zoe", "a long and good password")
        .await;
    assert_eq!(
        (again.status().as_u16(), error_code(again).await),
        (410, "gone".to_owned())
    );
    let unknown = server
        .accept("no-such-token", "Zoe", "a long and good password")
        .await;
    assert_eq!(unknown.status(), 404);
    // Pages: the link's page says what happened, with the status to match.
    assert_eq!(
        server
            .get(&server.client(), &format!("/invite/{token}"))
            .await
            .status(),
        410
    );
    assert_eq!(
        server
            .get(&server.client(), "/invite/no-such-token")
            .await
            .status(),
        404
    );
    // A second invitation to one address replaces the first; a revoked one stops working.
    let replaced = server.invite(&owner, "yan@example.com", "agent").await;
    let current = server.invite(&owner, "yan@example.com", "admin").await;
    let old = server
        .accept(&replaced, "Yan", "a long and good password")
        .await;
    assert_eq!(old.status(), 410);
    let pending = server.get_json(&owner, "/api/v1/invitations").await;
    let yan: Vec<&Value> = pending["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["email"] == "yan@example.com")
        .collect();
    assert_eq!(yan.len(), 1);
    assert_eq!(yan[0]["role"], "admin");
    assert_eq!(
        server
            .get(&server.client(), &format!("/invite/{current}"))
            .await
            .status(),
        200
    );
    let id = yan[0]["id"].as_str().unwrap();
    let revoked = owner
        .delete(server.url(&format!("/api/v1/invitations/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    let after = server
        .accept(&current, "Yan", "a long and good password")
        .await;
    assert_eq!(after.status(), 410);
    // Seven days on, a link has expired.
    let late = server.invite(&owner, "late@example.com", "agent").await;
    server.clock.advance(Duration::from_secs(7 * 24 * 3600 + 1));
    let expired = server
        .accept(&late, "Late", "a long and good password")
        .await;
    assert_eq!(expired.status(), 410);
    // The audit log names what happened, and never a token.
    // A week on, the owner's sign-in has run out too.
    let owner = server.signed_in().await;
    let audit = server.get_json(&owner, "/api/v1/audit?limit=200").await;
    let text = audit.to_string();
    for secret in [&token, &replaced, &current, &late] {
        assert!(!text.contains(secret.as_str()), "a token in the audit log");
    }
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in [
        "invitation_created",
        "invitation_accepted",
        "invitation_revoked",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}

#[tokio::test]
async fn a_profile_keeps_name_and_preferences_and_a_new_password_ends_the_other_sign_ins() {
    let server = TestServer::start().await;
    let here = server.signed_in().await;
    let elsewhere_cookie = server.operator_cookie().await;
    let elsewhere = server.client_with_cookie(&elsewhere_cookie);
    let mut socket = open(&server.ws_url(""), &[("cookie", &elsewhere_cookie)]).await;
    assert_eq!(socket.frame().await["type"], "welcome");
    let me = server.get_json(&here, "/api/v1/me").await;
    assert_eq!(me["preferences"]["sound"], true);
    let changed = server
        .send_json(
            &here,
            Method::PATCH,
            "/api/v1/me",
            json!({"name": "Ann Lee", "preferences": {"sound": false, "desktop": {"new_message": true, "assigned": false, "mention": true}}}),
        )
        .await;
    assert_eq!(changed.status(), 200);
    let me = server.get_json(&elsewhere, "/api/v1/me").await;
    assert_eq!(me["operator"]["name"], "Ann Lee");
    assert_eq!(me["preferences"]["sound"], false);
    assert_eq!(me["preferences"]["desktop"]["assigned"], false);
    let bad = server
        .send_json(
            &here,
            Method::PATCH,
            "/api/v1/me",
            json!({"preferences": {"sound": "loud"}}),
        )
        .await;
    assert_eq!(bad.status(), 422);
    // Both browsers are listed, this one marked.
    let signins = server.get_json(&here, "/api/v1/me/signins").await;
    let list = signins["signins"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);
    let wrong = server
        .send_json(
            &here,
            Method::POST,
            "/api/v1/me/password",
            json!({"current_password": "not it", "new_password": "another long password"}),
        )
        .await;
    assert_eq!(wrong.status(), 401);
    let weak = server
        .send_json(
            &here,
            Method::POST,
            "/api/v1/me/password",
            json!({"current_password": PASSWORD, "new_password": EMAIL}),
        )
        .await;
    assert_eq!(weak.status(), 422);
    let done = server
        .send_json(
            &here,
            Method::POST,
            "/api/v1/me/password",
            json!({"current_password": PASSWORD, "new_password": "another long password"}),
        )
        .await;
    assert_eq!(done.status(), 204);
    match socket.next().await {
        Next::Closed(code) => assert_eq!(code, 4401),
        other => panic!("expected a close with 4401, got {other:?}"),
    }
    assert_eq!(server.get(&elsewhere, "/api/v1/me").await.status(), 401);
    assert_eq!(server.get(&here, "/api/v1/me").await.status(), 200);
    assert_eq!(server.login(EMAIL, PASSWORD).await.status(), 401);
    assert_eq!(
        server.login(EMAIL, "another long password").await.status(),
        200
    );
}

#[tokio::test]
async fn one_sign_in_or_all_others_can_be_ended_from_the_list() {
    let server = TestServer::start().await;
    let here = server.signed_in().await;
    let second_cookie = server.operator_cookie().await;
    let third_cookie = server.operator_cookie().await;
    let second = server.client_with_cookie(&second_cookie);
    let third = server.client_with_cookie(&third_cookie);
    let mut second_socket = open(&server.ws_url(""), &[("cookie", &second_cookie)]).await;
    assert_eq!(second_socket.frame().await["type"], "welcome");
    let list = server.get_json(&second, "/api/v1/me/signins").await;
    let mine = list["signins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ended = here
        .delete(server.url(&format!("/api/v1/me/signins/{mine}")))
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), 204);
    match second_socket.next().await {
        Next::Closed(code) => assert_eq!(code, 4401),
        other => panic!("expected a close with 4401, got {other:?}"),
    }
    assert_eq!(server.get(&second, "/api/v1/me").await.status(), 401);
    assert_eq!(server.get(&third, "/api/v1/me").await.status(), 200);
    let unknown = here
        .delete(server.url(&format!("/api/v1/me/signins/{mine}")))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let others = server.post(&here, "/api/v1/me/signins/end_others").await;
    assert_eq!(others.status(), 204);
    assert_eq!(server.get(&third, "/api/v1/me").await.status(), 401);
    assert_eq!(server.get(&here, "/api/v1/me").await.status(), 200);
}

#[tokio::test]
async fn a_forgotten_password_is_reset_through_a_one_time_link_that_ends_every_sign_in() {
    let server = TestServer::start().await;
    let before = server.signed_in().await;
    let anyone = server.client();
    let forgot = |email: &str| {
        server.send_json(
            &anyone,
            Method::POST,
            "/api/v1/auth/forgot",
            json!({ "email": email }),
        )
    };
    // The same answer whether or not the address belongs to anyone.
    assert_eq!(forgot("nobody@example.com").await.status(), 202);
    assert_eq!(forgot(EMAIL).await.status(), 202);
    let token = emailed_link(&server, EMAIL, "reset").await;
    assert_eq!(
        server
            .get(&server.client(), &format!("/reset/{token}"))
            .await
            .status(),
        200
    );
    let reset = |token: &str, password: &str| {
        server.send_json(
            &anyone,
            Method::POST,
            "/api/v1/auth/reset",
            json!({ "token": token, "password": password }),
        )
    };
    assert_eq!(reset(&token, "short").await.status(), 422);
    let done = reset(&token, "a brand new password").await;
    assert_eq!(done.status(), 200);
    assert!(done.headers().get("set-cookie").is_some());
    assert_eq!(server.get(&before, "/api/v1/me").await.status(), 401);
    assert_eq!(reset(&token, "yet another password").await.status(), 410);
    assert_eq!(
        reset("no-such-token", "yet another password")
            .await
            .status(),
        404
    );
    assert_eq!(
        server.login(EMAIL, "a brand new password").await.status(),
        200
    );
    // Thirty minutes on, a link has expired.
    assert_eq!(forgot(EMAIL).await.status(), 202);
    let late = loop {
        let link = emailed_link(&server, EMAIL, "reset").await;
        if link != token {
            break link;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    server.clock.advance(Duration::from_secs(30 * 60 + 1));
    assert_eq!(reset(&late, "yet another password").await.status(), 410);
    assert_eq!(
        server
            .get(&server.client(), &format!("/reset/{late}"))
            .await
            .status(),
        410
    );
}

#[tokio::test]
async fn asking_for_reset_links_is_limited_like_signing_in() {
    let server = TestServer::start().await;
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let response = server
            .send_json(
                &server.client(),
                Method::POST,
                "/api/v1/auth/forgot",
                json!({ "email": "someone@example.com" }),
            )
            .await;
        statuses.push(response.status().as_u16());
    }
    assert!(statuses.starts_with(&[202, 202, 202]), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
}

#[tokio::test]
async fn the_audit_log_pages_newest_first_and_filters() {
    let server = TestServer::start().await;
    let owner = server.signed_in().await;
    for _ in 0..3 {
        assert_eq!(server.login(EMAIL, "wrong password!").await.status(), 401);
    }
    let first = server.get_json(&owner, "/api/v1/audit?limit=2").await;
    let page: Vec<&Value> = first["entries"].as_array().unwrap().iter().collect();
    assert_eq!(page.len(), 2);
    assert!(page[0]["at"].as_str() >= page[1]["at"].as_str());
    let before = page[1]["id"].as_str().unwrap();
    let next = server
        .get_json(&owner, &format!("/api/v1/audit?limit=2&before={before}"))
        .await;
    let next_ids: Vec<&str> = next["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert!(!next_ids.contains(&before));
    let failed = server
        .get_json(&owner, "/api/v1/audit?action=signin_failed")
        .await;
    let failed = failed["entries"].as_array().unwrap();
    assert_eq!(failed.len(), 3);
    assert!(failed
        .iter()
        .all(|e| e["actor"].is_null() && e["target"]["label"] == EMAIL));
    assert!(failed.iter().all(|e| e["address"] == "127.0.0.1"));
    for bad in [
        "limit=0",
        "limit=201",
        "action=nope",
        "from=yesterday",
        "actor_id=7",
    ] {
        let response = server.get(&owner, &format!("/api/v1/audit?{bad}")).await;
        assert_eq!(response.status(), 422, "{bad}");
    }
    let unknown = server
        .get(
            &owner,
            "/api/v1/audit?before=0190c3a6-0000-7000-8000-000000000000",
        )
        .await;
    assert_eq!(unknown.status(), 422);
    // A change to the widget's settings is recorded with what it became.
    let look = serde_json::to_value(switchboard::wire::WidgetAppearance::default()).unwrap();
    let saved = server
        .send_json(&owner, Method::PUT, "/api/v1/widget/appearance", look)
        .await;
    assert_eq!(saved.status(), 200);
    let changed = server
        .get_json(&owner, "/api/v1/audit?action=widget_settings_changed")
        .await;
    let changed = changed["entries"].as_array().unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0]["actor"]["name"], "Ann");
    assert!(changed[0]["detail"]["color"].is_string(), "{}", changed[0]);
}
