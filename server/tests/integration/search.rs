//! Search over HTTP: conversations found by their messages and notes, with snippets, filters and
//! pages, on both backends.

use std::time::Duration;

use serde_json::{json, Value};

use crate::common::desk::{assign, conversation, post_with};
use crate::common::{error_code, on_both, TestServer};

/// `GET /api/v1/search?<query>` as `client`, which must answer 200.
async fn search(server: &TestServer, client: &reqwest::Client, query: &str) -> Value {
    let response = server.get(client, &format!("/api/v1/search?{query}")).await;
    assert_eq!(response.status(), 200, "search?{query}");
    response.json().await.unwrap()
}

/// The conversation ids of a page of results, in order.
fn found(page: &Value) -> Vec<String> {
    page["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["conversation"]["id"].as_str().unwrap().to_owned())
        .collect()
}

fn q(text: &str) -> String {
    format!("q={}", urlencoding(text))
}

/// Percent-encodes a query value (every byte outside unreserved characters).
fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

on_both!(
    messages_and_notes_are_found_with_escaped_snippets,
    |server| {
        let operator = server.signed_in().await;
        let printer =
            conversation(&server, "My PRINTER is on fire <script>alert(1)</script>").await;
        server.clock.advance(Duration::from_secs(60));
        let tree = conversation(&server, "Новая ёлка и مَرْحَبًا").await;
        server.clock.advance(Duration::from_secs(60));
        let (status, _) = post_with(
            &server,
            &operator,
            &printer.conversation_id,
            json!({"content": "Escalate the printer & call back", "internal": true}),
        )
        .await;
        assert_eq!(status, 201);

        let page = search(&server, &operator, &q("printer")).await;
        assert_eq!(found(&page), [printer.conversation_id.as_str()]);
        assert_eq!(page["next_cursor"], Value::Null);
        let result = &page["results"][0];
        assert_eq!(result["matched"], json!(["messages"]));
        assert_eq!(
            result["conversation"]["customer"]["id"],
            printer.customer_id.as_str()
        );
        let hits = result["hits"].as_array().unwrap();
        assert_eq!(hits.len(), 2);
        // Newest first: the note, then the customer's message.
        assert_eq!(hits[0]["internal"], true);
        assert_eq!(hits[0]["seq"], 2);
        assert_eq!(
            hits[0]["snippet"],
            "Escalate the <mark>printer</mark> &amp; call back"
        );
        assert_eq!(hits[1]["internal"], false);
        assert_eq!(
            hits[1]["snippet"],
            "My <mark>PRINTER</mark> is on fire &lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert!(hits[1]["message_id"].is_string() && hits[1]["created_at"].is_string());

        for (query, expected) in [
            ("ЕЛКА", vec![tree.conversation_id.clone()]),
            ("مرحبا", vec![tree.conversation_id.clone()]),
            ("\"on fire\"", vec![printer.conversation_id.clone()]),
            ("\"fire on\"", vec![]),
            ("prin*", vec![printer.conversation_id.clone()]),
            ("printer ёлка", vec![]),
            ("escalate", vec![printer.conversation_id.clone()]),
        ] {
            assert_eq!(
                found(&search(&server, &operator, &q(query)).await),
                expected,
                "{query}"
            );
        }
    }
);

on_both!(
    filters_narrow_the_results_and_pages_follow_the_cursor,
    |server| {
        let operator = server.signed_in().await;
        let mut conversations = Vec::new();
        for i in 0..3 {
            conversations.push(conversation(&server, &format!("invoice number {i}")).await);
            server.clock.advance(Duration::from_secs(60));
        }
        let ids: Vec<String> = conversations
            .iter()
            .map(|c| c.conversation_id.clone())
            .collect();
        let newest_first: Vec<String> = ids.iter().rev().cloned().collect();

        // One result a page, newest first, to the end.
        let mut pages = Vec::new();
        let mut query = format!("{}&limit=1", q("invoice"));
        loop {
            let page = search(&server, &operator, &query).await;
            pages.extend(found(&page));
            match page["next_cursor"].as_str() {
                Some(cursor) => query = format!("{}&limit=1&cursor={cursor}", q("invoice")),
                None => break,
            }
        }
        assert_eq!(pages, newest_first);

        let archived = server
            .post(
                &operator,
                &format!("/api/v1/conversations/{}/archive", ids[0]),
            )
            .await;
        assert_eq!(archived.status(), 200);
        let only = |page: Value| found(&page);
        assert_eq!(
            only(
                search(
                    &server,
                    &operator,
                    &format!("{}&status=archived", q("invoice"))
                )
                .await
            ),
            [ids[0].clone()]
        );
        assert_eq!(
            only(
                search(
                    &server,
                    &operator,
                    &format!("{}&status=active", q("invoice"))
                )
                .await
            ),
            [ids[2].clone(), ids[1].clone()]
        );
        assert!(only(
            search(
                &server,
                &operator,
                &format!("{}&kind=session", q("invoice"))
            )
            .await
        )
        .is_empty());

        let me = server.get_json(&operator, "/api/v1/me").await["operator"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(assign(&server, &operator, &ids[1], Some(&me)).await.0, 200);
        assert_eq!(
            only(search(&server, &operator, &format!("{}&assignee=me", q("invoice"))).await),
            [ids[1].clone()]
        );
        assert_eq!(
            only(
                search(
                    &server,
                    &operator,
                    &format!("{}&assignee=none", q("invoice"))
                )
                .await
            ),
            [ids[2].clone(), ids[0].clone()]
        );

        // Times bound the messages that match: only the first one was sent this early.
        let page = search(&server, &operator, &q("invoice")).await;
        let oldest_hit = page["results"][2]["hits"][0]["created_at"]
            .as_str()
            .unwrap()
            .to_owned();
        let before_second = format!(
            "{}&to={}",
            q("invoice"),
            urlencoding(&next_second(&oldest_hit))
        );
        assert_eq!(
            only(search(&server, &operator, &before_second).await),
            [ids[0].clone()]
        );
        let from_second = format!(
            "{}&from={}",
            q("invoice"),
            urlencoding(&next_second(&oldest_hit))
        );
        assert_eq!(
            only(search(&server, &operator, &from_second).await),
            [ids[2].clone(), ids[1].clone()]
        );
    }
);

/// An RFC 3339 time one second after `time`.
fn next_second(time: &str) -> String {
    let t = chrono::DateTime::parse_from_rfc3339(time).unwrap() + chrono::Duration::seconds(1);
    t.to_rfc3339()
}

on_both!(a_bad_search_is_refused_in_the_contracts_shape, |server| {
    let anonymous = server.client();
    let response = server.get(&anonymous, "/api/v1/search?q=printer").await;
    assert_eq!(response.status(), 401);
    let operator = server.signed_in().await;
    let too_long = "a".repeat(201);
    for query in [
        "q=".to_owned(),
        "q=%20%20".to_owned(),
        "q=...".to_owned(),
        format!("q={too_long}"),
        "q=a*".to_owned(),
        "q=x&limit=0".to_owned(),
        "q=x&limit=51".to_owned(),
        "q=x&limit=ten".to_owned(),
        "q=x&cursor=nonsense".to_owned(),
        "q=x&status=closed".to_owned(),
        "q=x&kind=email".to_owned(),
        "q=x&assignee=someone".to_owned(),
        "q=x&label=red".to_owned(),
        "q=x&from=yesterday".to_owned(),
        "q=x&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z".to_owned(),
        "q=x&colour=red".to_owned(),
    ] {
        let response = server
            .get(&operator, &format!("/api/v1/search?{query}"))
            .await;
        assert_eq!(response.status(), 422, "{query}");
        assert_eq!(error_code(response).await, "invalid", "{query}");
    }
    // Without q at all.
    let response = server.get(&operator, "/api/v1/search").await;
    assert_eq!(response.status(), 422);
});

on_both!(
    customers_and_session_titles_are_found_and_say_what_matched,
    |server| {
        let operator = server.signed_in().await;
        let zoe = server
            .signed_widget("user-zoe", "Zoe.Mueller@example.org", "Zoë Müller")
            .await;
        assert_eq!(server.widget_post(&zoe, "Hello there").await.status(), 201);
        server.clock.advance(Duration::from_secs(60));
        let session = server
            .create_session(&operator, Some("Квартальный отчёт Zoë"))
            .await;
        let session_conversation = session["session"]["conversation_id"]
            .as_str()
            .unwrap()
            .to_owned();

        let page = search(&server, &operator, &q("zoe")).await;
        assert_eq!(
            found(&page),
            [session_conversation.clone(), zoe.conversation_id.clone()]
        );
        assert_eq!(page["results"][0]["matched"], json!(["title"]));
        assert_eq!(page["results"][0]["hits"], json!([]));
        assert_eq!(page["results"][1]["matched"], json!(["customer"]));
        assert_eq!(page["results"][1]["conversation"]["kind"], "support");

        // Name and email are one text: every word must be in it.
        for (query, expected) in [
            ("müller example*", vec![zoe.conversation_id.clone()]),
            ("\"zoe mueller\"", vec![zoe.conversation_id.clone()]),
            ("zoe hello", vec![]),
            ("ОТЧЕТ", vec![session_conversation.clone()]),
            ("квартал*", vec![session_conversation.clone()]),
        ] {
            assert_eq!(
                found(&search(&server, &operator, &q(query)).await),
                expected,
                "{query}"
            );
        }
        let sessions_only = search(&server, &operator, &format!("{}&kind=session", q("zoe"))).await;
        assert_eq!(found(&sessions_only), [session_conversation]);

        // A customer whose message and name both match.
        server.clock.advance(Duration::from_secs(60));
        assert_eq!(server.widget_post(&zoe, "zoe again").await.status(), 201);
        let page = search(&server, &operator, &q("zoe")).await;
        assert_eq!(
            page["results"][0]["conversation"]["id"],
            zoe.conversation_id.as_str()
        );
        assert_eq!(
            page["results"][0]["matched"],
            json!(["messages", "customer"])
        );
    }
);
