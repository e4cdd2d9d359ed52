//! Retention (`SWITCHBOARD_RETENTION`): the server's own daily run, on the engine's clock,
//! deletes exactly the conversations and sessions without activity for that long, with their
//! files, and writes one audit entry each; on both backends.

use std::time::Duration;

use serde_json::{json, Value};

use crate::common::files::{send_files, uploaded, Door};
use crate::common::on_both;

const DAY: Duration = Duration::from_secs(86_400);

/// The audit log's `retention_deleted` entries, once the server's run wrote `count` of them.
async fn deletions(server: &crate::common::TestServer, count: usize) -> Vec<Value> {
    let operator = server.signed_in().await;
    for _ in 0..500 {
        let page = server
            .get_json(&operator, "/api/v1/audit?action=retention_deleted")
            .await;
        let entries = page["entries"].as_array().unwrap().clone();
        if entries.len() >= count {
            return entries;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("retention never wrote {count} entries");
}

on_both!(
    retention_deletes_exactly_what_had_no_activity_for_its_period,
    [("SWITCHBOARD_RETENTION", "365d")],
    |server| {
        let operator = server.signed_in().await;
        // Day 0: a customer who wrote and sent a file, one the team answers on day 200, one who
        // comes back on day 200 without writing, and an ended session.
        let gone = server.anonymous_widget().await;
        let door = Door::Customer(&gone);
        let file = uploaded(&server, &door, "old.txt", b"quartzite".to_vec()).await;
        let file_id = file["id"].as_str().unwrap().to_owned();
        let (status, _) = send_files(&server, &door, "quartzite order", &[&file_id], None).await;
        assert_eq!(status, 201);
        let answered = server.anonymous_widget().await;
        assert_eq!(server.widget_post(&answered, "hello?").await.status(), 201);
        let returning = server.anonymous_widget().await;
        assert_eq!(server.widget_post(&returning, "hi").await.status(), 201);
        let ended = server.create_session(&operator, Some("Printer")).await;
        let ended_id = ended["session"]["id"].as_str().unwrap().to_owned();
        let ended_conversation = ended["session"]["conversation_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let response = server
            .post(&operator, &format!("/api/v1/sessions/{ended_id}/end"))
            .await;
        assert_eq!(response.status(), 200);

        server.clock.advance(200 * DAY);
        let operator = server.signed_in().await;
        server
            .operator_post(&operator, &answered.conversation_id, "Sorry for the wait")
            .await;
        let visitor_token = returning.session["visitor_token"].as_str().unwrap();
        let back = server
            .widget_with(json!({ "visitor_token": visitor_token }))
            .await;
        assert_eq!(back.customer_id, returning.customer_id);
        let recent = server.create_session(&operator, Some("Scanner")).await;
        let recent_id = recent["session"]["id"].as_str().unwrap().to_owned();

        // Day 400: the server's hourly look finds the day's run due and takes it.
        server.clock.advance(200 * DAY);
        let entries = deletions(&server, 2).await;
        let operator = server.signed_in().await;
        let mut deleted: Vec<&str> = entries
            .iter()
            .map(|e| e["target"]["id"].as_str().unwrap())
            .collect();
        deleted.sort();
        let mut expected = vec![gone.conversation_id.as_str(), ended_conversation.as_str()];
        expected.sort();
        assert_eq!(deleted, expected);
        let support = entries
            .iter()
            .find(|e| e["detail"]["kind"] == "support")
            .unwrap();
        assert_eq!(support["actor"], Value::Null);
        assert_eq!(support["detail"]["messages"], 1);
        assert_eq!(support["detail"]["files"], 1);
        assert_eq!(support["detail"]["customer_id"], gone.customer_id.as_str());
        assert!(support["target"]["label"]
            .as_str()
            .unwrap()
            .starts_with("Customer #"));
        let session = entries
            .iter()
            .find(|e| e["detail"]["kind"] == "session")
            .unwrap();
        assert_eq!(session["detail"]["session_id"], ended_id.as_str());
        assert!(!entries.iter().any(|e| e.to_string().contains("quartzite")));

        for gone_path in [
            format!("/api/v1/conversations/{}", gone.conversation_id),
            format!("/api/v1/conversations/{ended_conversation}"),
            format!("/api/v1/sessions/{ended_id}"),
            format!("/api/v1/files/{file_id}"),
        ] {
            let response = server.get(&operator, &gone_path).await;
            assert_eq!(response.status(), 404, "{gone_path}");
        }
        let customers = server.get_json(&operator, "/api/v1/customers").await;
        assert!(!customers.to_string().contains(&gone.customer_id));
        for kept in [
            format!("/api/v1/conversations/{}", answered.conversation_id),
            format!("/api/v1/conversations/{}", returning.conversation_id),
            format!("/api/v1/sessions/{recent_id}"),
        ] {
            let response = server.get(&operator, &kept).await;
            assert_eq!(response.status(), 200, "{kept}");
        }
        let found = server
            .get_json(&operator, "/api/v1/search?q=quartzite")
            .await;
        assert_eq!(found["results"], json!([]));

        // Today's run is taken: another look before a day has passed does nothing.
        let again = server
            .engine
            .retention_turn(365 * DAY)
            .await
            .expect("a look");
        assert_eq!(again, None);
        assert_eq!(deletions(&server, 2).await.len(), 2);
    }
);
