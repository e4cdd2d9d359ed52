//! Session reports over HTTP: "end" takes an outcome and notes, the session shows them with the
//! time its guest joined, and the ended list filters by outcome; on both backends.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{error_code, on_both, TestServer};

/// Ends session `id` with `body` (none: no body at all): the status and the answer.
async fn end(
    server: &TestServer,
    client: &reqwest::Client,
    id: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let path = format!("/api/v1/sessions/{id}/end");
    let response = match body {
        Some(body) => server.send_json(client, Method::POST, &path, body).await,
        None => server.post(client, &path).await,
    };
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The ids of the ended sessions with `outcome` (all ended ones when empty).
async fn ended_with(server: &TestServer, client: &reqwest::Client, outcome: &str) -> Vec<String> {
    let list = server
        .get_json(
            client,
            &format!("/api/v1/sessions?status=ended&outcome={outcome}"),
        )
        .await;
    list["sessions"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

on_both!(
    a_session_ends_with_its_outcome_and_report_and_the_list_filters_by_outcome,
    |server| {
        let operator = server.signed_in().await;
        let fixed = server.create_session(&operator, Some("Printer")).await;
        let fixed_id = fixed["session"]["id"].as_str().unwrap().to_owned();
        assert_eq!(fixed["session"]["joined_at"], Value::Null);
        assert_eq!(fixed["session"]["outcome"], Value::Null);
        assert_eq!(fixed["session"]["report"], Value::Null);

        // The guest writes a minute later: that is when they joined (opening the page is a
        // read, which a link preview does too).
        server.clock.advance(Duration::from_secs(60));
        let token = fixed["guest_token"].as_str().unwrap();
        let posted = server
            .send_json(
                &server.client(),
                Method::POST,
                &format!("/support/guest/{token}/messages"),
                json!({"content": "Hello?"}),
            )
            .await;
        assert_eq!(posted.status(), 201);
        let joined_at = switchboard::clock::Clock::now(&*server.clock);
        server.clock.advance(Duration::from_secs(25 * 60));
        let (status, body) = end(
            &server,
            &operator,
            &fixed_id,
            Some(json!({"outcome": "resolved", "report": "  Reinstalled the driver.\nPrints again.  "})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let session = &body["session"];
        assert_eq!(session["status"], "ended");
        assert_eq!(session["outcome"], "resolved");
        assert_eq!(session["report"], "Reinstalled the driver.\nPrints again.");
        let joined =
            chrono::DateTime::parse_from_rfc3339(session["joined_at"].as_str().unwrap()).unwrap();
        assert_eq!(joined.timestamp_millis(), joined_at.timestamp_millis());

        // Ended without a body: unknown, no report.
        let silent = server.create_session(&operator, None).await;
        let silent_id = silent["session"]["id"].as_str().unwrap().to_owned();
        let (status, body) = end(&server, &operator, &silent_id, None).await;
        assert_eq!(status, 200);
        assert_eq!(body["session"]["outcome"], "unknown");
        assert_eq!(body["session"]["report"], Value::Null);
        assert_eq!(body["session"]["joined_at"], Value::Null);

        // Ending again without a report changes nothing; with one, it replaces the report.
        let (_, again) = end(&server, &operator, &fixed_id, None).await;
        assert_eq!(again["session"]["outcome"], "resolved");
        assert_eq!(
            again["session"]["report"],
            "Reinstalled the driver.\nPrints again."
        );
        let (_, corrected) = end(
            &server,
            &operator,
            &silent_id,
            Some(json!({"outcome": "unresolved"})),
        )
        .await;
        assert_eq!(corrected["session"]["outcome"], "unresolved");
        assert_eq!(
            corrected["session"]["ended_at"],
            body["session"]["ended_at"]
        );

        // An open one has no outcome and is in no outcome's list.
        let open = server.create_session(&operator, Some("Still open")).await;
        let open_id = open["session"]["id"].as_str().unwrap().to_owned();
        let fetched = server
            .get_json(&operator, &format!("/api/v1/sessions/{open_id}"))
            .await;
        assert_eq!(fetched["session"]["outcome"], Value::Null);

        assert_eq!(
            ended_with(&server, &operator, "resolved").await,
            std::slice::from_ref(&fixed_id)
        );
        assert_eq!(
            ended_with(&server, &operator, "unresolved").await,
            std::slice::from_ref(&silent_id)
        );
        assert!(ended_with(&server, &operator, "unknown").await.is_empty());
        assert_eq!(
            ended_with(&server, &operator, "").await,
            [silent_id.clone(), fixed_id.clone()]
        );
        // A session whose link expired ended without a report: unknown.
        server.clock.advance(Duration::from_secs(48 * 3600));
        assert_eq!(ended_with(&server, &operator, "unknown").await, [open_id]);
    }
);

on_both!(
    a_bad_report_is_refused_and_the_session_stays_open,
    |server| {
        let operator = server.signed_in().await;
        let created = server.create_session(&operator, None).await;
        let id = created["session"]["id"].as_str().unwrap().to_owned();
        for (body, field) in [
            (json!({"outcome": "fixed"}), "outcome"),
            (json!({"report": "no outcome"}), "outcome"),
            (
                json!({"outcome": "resolved", "report": "x".repeat(2_001)}),
                "report",
            ),
        ] {
            let response = server
                .send_json(
                    &operator,
                    Method::POST,
                    &format!("/api/v1/sessions/{id}/end"),
                    body,
                )
                .await;
            assert_eq!(response.status(), 422);
            let error: Value = response.json().await.unwrap();
            assert_eq!(error["error"]["code"], "invalid");
            assert!(
                error["error"]["message"].as_str().unwrap().contains(field),
                "{error}"
            );
        }
        let fetched = server
            .get_json(&operator, &format!("/api/v1/sessions/{id}"))
            .await;
        assert_eq!(fetched["session"]["status"], "waiting");
        let response = server
            .get(&operator, "/api/v1/sessions?status=ended&outcome=maybe")
            .await;
        assert_eq!(response.status(), 422);
        assert_eq!(error_code(response).await, "invalid");
    }
);
