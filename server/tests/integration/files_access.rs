//! Who may fetch a file: the parties of its conversation while their credential holds, and
//! nobody else; a file id on its own grants nothing. Files travel in socket frames too.

use serde_json::json;

use crate::common::files::{download, send_files, uploaded, Door};
use crate::common::ws::open;
use crate::common::{on_both, TestServer};

/// A session with a guest link: its id, its conversation and the token.
async fn session(server: &TestServer, owner: &reqwest::Client) -> (String, String, String) {
    let created = server.create_session(owner, Some("Printer")).await;
    (
        created["session"]["id"].as_str().unwrap().to_owned(),
        created["session"]["conversation_id"]
            .as_str()
            .unwrap()
            .to_owned(),
        created["guest_token"].as_str().unwrap().to_owned(),
    )
}

/// The status of `GET path` with the session `cookie`, or with no credential at all.
async fn fetched(server: &TestServer, path: &str, cookie: Option<&str>) -> u16 {
    let mut request = server.client().get(server.url(path));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap().status().as_u16()
}

/// The status of a download through `door`.
async fn status_of(server: &TestServer, door: &Door<'_>, file: &str) -> u16 {
    download(server, door, file, false).await.0
}

on_both!(
    a_guests_file_reaches_only_that_sessions_parties_while_the_link_holds,
    |server| {
        let owner = server.signed_in().await;
        let (session_id, conversation, token) = session(&server, &owner).await;
        let (_, _, other_token) = session(&server, &owner).await;
        let guest = Door::Guest(&token);
        let shot = uploaded(&server, &guest, "error.txt", b"Error 0x80070005\n".to_vec()).await;
        let shot = shot["id"].as_str().unwrap().to_owned();
        assert_eq!(
            send_files(&server, &guest, "this", &[&shot], None).await.0,
            201
        );
        let operator = Door::Operator(&owner, &conversation);
        // An operator's note with a file, and an upload not sent yet: neither is the guest's.
        let note = uploaded(
            &server,
            &operator,
            "internal.txt",
            b"refund approved\n".to_vec(),
        )
        .await;
        let note = note["id"].as_str().unwrap().to_owned();
        let response = owner
            .post(server.url(&format!("/api/v1/conversations/{conversation}/messages")))
            .json(&json!({"content": "for us", "internal": true, "attachments": [note]}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let draft = uploaded(&server, &operator, "draft.txt", b"not sent\n".to_vec()).await;
        let draft = draft["id"].as_str().unwrap().to_owned();

        assert_eq!(status_of(&server, &guest, &shot).await, 200);
        assert_eq!(status_of(&server, &operator, &shot).await, 200);
        assert_eq!(status_of(&server, &operator, &note).await, 200);
        assert_eq!(
            status_of(&server, &guest, &note).await,
            404,
            "a note's file"
        );
        assert_eq!(
            status_of(&server, &guest, &draft).await,
            404,
            "an operator's upload not sent yet"
        );
        assert_eq!(
            status_of(&server, &Door::Guest(&other_token), &shot).await,
            404,
            "another guest"
        );
        let stranger = server.anonymous_widget().await;
        assert_eq!(
            status_of(&server, &Door::Customer(&stranger), &shot).await,
            404,
            "a customer"
        );
        let path = format!("/api/v1/files/{shot}");
        assert_eq!(fetched(&server, &path, None).await, 401, "no credential");

        // A rotated link stops at once; the new one works until the session ends.
        let rotated = server
            .post(
                &owner,
                &format!("/api/v1/sessions/{session_id}/rotate_link"),
            )
            .await;
        assert_eq!(rotated.status(), 200);
        let rotated: serde_json::Value = rotated.json().await.unwrap();
        let new_token = rotated["guest_token"].as_str().unwrap().to_owned();
        assert_eq!(
            status_of(&server, &guest, &shot).await,
            404,
            "the replaced link"
        );
        assert_eq!(
            status_of(&server, &Door::Guest(&new_token), &shot).await,
            200
        );
        let ended = server
            .post(&owner, &format!("/api/v1/sessions/{session_id}/end"))
            .await;
        assert!(ended.status().is_success());
        assert_eq!(
            status_of(&server, &Door::Guest(&new_token), &shot).await,
            410,
            "the ended session"
        );
        assert_eq!(
            status_of(&server, &operator, &shot).await,
            200,
            "operators keep the record"
        );

        // A signed-out operator's cookie opens nothing.
        let cookie = server.operator_cookie().await;
        assert_eq!(fetched(&server, &path, Some(&cookie)).await, 200);
        let out = server
            .client()
            .post(server.url("/api/v1/auth/logout"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert!(out.status().is_success(), "{}", out.status());
        assert_eq!(fetched(&server, &path, Some(&cookie)).await, 401);
    }
);

on_both!(
    a_customers_file_reaches_that_customer_and_no_other,
    |server| {
        let owner = server.signed_in().await;
        let ann = server.anonymous_widget().await;
        let bob = server.anonymous_widget().await;
        let operator = Door::Operator(&owner, &ann.conversation_id);
        let guide = uploaded(
            &server,
            &operator,
            "guide.pdf",
            b"%PDF-1.4\n%%EOF\n".to_vec(),
        )
        .await;
        let guide = guide["id"].as_str().unwrap().to_owned();
        assert_eq!(
            download(&server, &Door::Customer(&ann), &guide, false)
                .await
                .0,
            404,
            "not sent yet"
        );
        assert_eq!(
            send_files(&server, &operator, "The guide", &[&guide], None)
                .await
                .0,
            201
        );
        assert_eq!(
            download(&server, &Door::Customer(&ann), &guide, false)
                .await
                .0,
            200
        );
        assert_eq!(
            download(&server, &Door::Customer(&bob), &guide, false)
                .await
                .0,
            404
        );
        let made_up = uuid::Uuid::now_v7().to_string();
        assert_eq!(
            download(&server, &Door::Customer(&ann), &made_up, false)
                .await
                .0,
            404
        );
        assert_eq!(
            download(&server, &Door::Customer(&ann), "not-an-id", false)
                .await
                .0,
            404
        );
        let path = format!("/api/v1/widget/files/{guide}");
        assert_eq!(fetched(&server, &path, None).await, 401, "no token");
    }
);

on_both!(
    a_socket_send_carries_files_to_the_other_side_live,
    |server| {
        let owner = server.signed_in().await;
        let (_, conversation, token) = session(&server, &owner).await;
        let cookie = server.operator_cookie().await;
        let mut operator = open(&server.ws_url(""), &[("cookie", &cookie)]).await;
        assert_eq!(operator.frame().await["type"], "welcome");
        operator
            .send(json!({"type": "subscribe", "conversation_id": conversation, "after_seq": 0}))
            .await;
        operator.until("subscribed").await;
        let mut guest = open(
            &server.ws_url(&format!("?guest_token={token}&guest_name=Gil")),
            &[],
        )
        .await;
        assert_eq!(guest.frame().await["type"], "welcome");
        let file = uploaded(
            &server,
            &Door::Guest(&token),
            "note.txt",
            b"it says 42\n".to_vec(),
        )
        .await;
        guest
            .send(json!({
                "type": "send", "conversation_id": conversation, "client_id": "c-1",
                "content": "", "attachments": [file["id"]]
            }))
            .await;
        let ack = guest.until("ack").await;
        assert_eq!(ack["message"]["attachments"][0], file);
        let live = operator.until("message").await;
        assert_eq!(live["message"]["attachments"][0], file);
        guest
            .send(json!({
                "type": "send", "conversation_id": conversation, "client_id": "c-2",
                "content": "", "attachments": []
            }))
            .await;
        let refused = guest.until("error").await;
        assert_eq!(refused["code"], "invalid");
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_uploaded_on_one_node_downloads_from_the_other() {
    use switchboard::store::Backend;
    use switchboard::testing::TestDatabase;
    let Some(db) = TestDatabase::create(Backend::Postgres).await else {
        return;
    };
    let a = TestServer::start_with(&[("DATABASE_URL", db.url.as_str())]).await;
    let b = TestServer::start_with(&[("DATABASE_URL", db.url.as_str())]).await;
    let customer = a.anonymous_widget().await;
    // Larger than one stored chunk, so that the download streams several.
    let text: Vec<u8> = (0..40_000)
        .flat_map(|n| format!("line {n}\n").into_bytes())
        .collect();
    assert!(text.len() > switchboard::CHUNK_BYTES);
    let file = uploaded(&a, &Door::Customer(&customer), "log.txt", text.clone()).await;
    let id = file["id"].as_str().unwrap();
    assert_eq!(
        send_files(&a, &Door::Customer(&customer), "", &[id], None)
            .await
            .0,
        201
    );
    let owner_on_b = b.signed_in().await;
    let (status, headers, bytes) = download(
        &b,
        &Door::Operator(&owner_on_b, &customer.conversation_id),
        id,
        false,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-length"], text.len().to_string().as_str());
    assert!(bytes == text, "the same bytes from the other node");
    let (status, _, bytes) = download(&b, &Door::Customer(&customer), id, false).await;
    assert!(status == 200 && bytes == text);
    a.store.close().await;
    b.store.close().await;
    db.drop_database().await;
}
