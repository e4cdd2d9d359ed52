//! Transcripts over HTTP: an operator's (notes only when asked), a widget customer's and a
//! guest's (never notes), as text and JSON downloads; on both backends.

use std::time::Duration;

use serde_json::{json, Value};

use crate::common::desk::{conversation, post_with};
use crate::common::{error_code, on_both};

/// A download: its status, headers that matter and body.
struct Download {
    status: u16,
    content_type: String,
    disposition: String,
    body: String,
}

async fn download(response: reqwest::Response) -> Download {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (content_type, disposition) = (header("content-type"), header("content-disposition"));
    Download {
        status: response.status().as_u16(),
        content_type,
        disposition,
        body: response.text().await.unwrap(),
    }
}

on_both!(
    an_operator_downloads_a_conversation_with_notes_only_when_asked_and_the_customer_never,
    |server| {
        let operator = server.signed_in().await;
        let widget = conversation(&server, "Where is my <order>?\nIt is late.").await;
        let id = widget.conversation_id.clone();
        server.clock.advance(Duration::from_secs(60));
        let (status, _) =
            post_with(&server, &operator, &id, json!({"content": "On its way."})).await;
        assert_eq!(status, 201);
        let (status, _) = post_with(
            &server,
            &operator,
            &id,
            json!({"content": "Courier lost it", "internal": true}),
        )
        .await;
        assert_eq!(status, 201);

        let path = format!("/api/v1/conversations/{id}/transcript");
        let text = download(server.get(&operator, &path).await).await;
        assert_eq!(text.status, 200);
        assert_eq!(text.content_type, "text/plain; charset=utf-8");
        assert_eq!(
            text.disposition,
            format!("attachment; filename=\"transcript-{id}.txt\"")
        );
        let lines: Vec<&str> = text.body.lines().collect();
        assert_eq!(lines.len(), 2, "{}", text.body);
        assert!(
            lines[0].ends_with("(customer): Where is my <order>? ⏎ It is late."),
            "{}",
            lines[0]
        );
        assert!(
            lines[1].ends_with("(operator): On its way."),
            "{}",
            lines[1]
        );

        let with_notes = download(server.get(&operator, &format!("{path}?notes=true")).await).await;
        let lines: Vec<&str> = with_notes.body.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[2].ends_with("(operator, private note): Courier lost it"));

        let json_form = download(
            server
                .get(&operator, &format!("{path}?format=json&notes=true"))
                .await,
        )
        .await;
        assert_eq!(json_form.content_type, "application/json");
        assert!(json_form.disposition.ends_with(".json\""));
        let parsed: Value = serde_json::from_str(&json_form.body).unwrap();
        assert_eq!(parsed["conversation"]["id"], id.as_str());
        assert_eq!(parsed["conversation"]["kind"], "support");
        let messages = parsed["messages"].as_array().unwrap();
        assert_eq!(messages.len(), 3);
        assert_eq!(messages[0]["content"], "Where is my <order>?\nIt is late.");
        assert_eq!(messages[2]["internal"], true);

        // The customer's own, from the widget: never the note, whatever is asked.
        let customer = server.client();
        for query in ["", "?format=json", "?notes=true"] {
            let response = customer
                .get(server.url(&format!("/api/v1/widget/transcript{query}")))
                .bearer_auth(&widget.token)
                .send()
                .await
                .unwrap();
            let own = download(response).await;
            assert_eq!(own.status, 200, "{query}");
            assert!(!own.body.contains("Courier"), "{query}: {}", own.body);
            assert!(own.body.contains("On its way."), "{query}");
        }
    }
);

on_both!(
    a_guest_downloads_their_session_and_bad_requests_are_refused,
    |server| {
        let operator = server.signed_in().await;
        let created = server.create_session(&operator, Some("Scanner")).await;
        let token = created["guest_token"].as_str().unwrap().to_owned();
        let conversation = created["session"]["conversation_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let guest = server.client();
        let posted = guest
            .post(server.url(&format!("/support/guest/{token}/messages")))
            .json(&json!({"content": "It beeps", "guest_name": "Gus"}))
            .send()
            .await
            .unwrap();
        assert_eq!(posted.status(), 201);
        let (status, _) = post_with(
            &server,
            &operator,
            &conversation,
            json!({"content": "Guest seems new", "internal": true}),
        )
        .await;
        assert_eq!(status, 201);

        let path = format!("/support/guest/{token}/transcript?format=json&notes=true");
        let own = download(server.get(&guest, &path).await).await;
        assert_eq!(own.status, 200);
        let parsed: Value = serde_json::from_str(&own.body).unwrap();
        assert_eq!(parsed["conversation"]["title"], "Scanner");
        assert_eq!(parsed["conversation"]["kind"], "session");
        let contents: Vec<&str> = parsed["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["content"].as_str().unwrap())
            .collect();
        assert_eq!(contents, ["It beeps"]);

        let bad = server
            .get(
                &operator,
                &format!("/api/v1/conversations/{conversation}/transcript?format=pdf"),
            )
            .await;
        assert_eq!(bad.status(), 422);
        assert_eq!(error_code(bad).await, "invalid");
        let anonymous = server
            .get(
                &server.client(),
                &format!("/api/v1/conversations/{conversation}/transcript"),
            )
            .await;
        assert_eq!(anonymous.status(), 401);
        let unknown = server
            .get(
                &operator,
                &format!("/api/v1/conversations/{}/transcript", uuid::Uuid::now_v7()),
            )
            .await;
        assert_eq!(unknown.status(), 404);
        let wrong_link = server
            .get(&guest, "/support/guest/not-a-token/transcript")
            .await;
        assert_eq!(wrong_link.status(), 404);

        // Once the session ends, its link is gone, transcript included.
        let ended = server
            .post(
                &operator,
                &format!(
                    "/api/v1/sessions/{}/end",
                    created["session"]["id"].as_str().unwrap()
                ),
            )
            .await;
        assert_eq!(ended.status(), 200);
        let gone = server
            .get(&guest, &format!("/support/guest/{token}/transcript"))
            .await;
        assert_eq!(gone.status(), 410);
    }
);
