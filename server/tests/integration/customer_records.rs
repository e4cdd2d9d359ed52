//! Customers' records over HTTP: the admins' list, an export of everything held about a
//! customer, and erasing them, after which no table holds their email, name or words; on both
//! backends.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::desk::{post_with, team};
use crate::common::files::{send_files, uploaded, Door};
use crate::common::widget::Widget;
use crate::common::{error_code, on_both, TestServer};

/// What the customer in these tests leaves behind: their address, their name and a word only
/// they wrote (in a message and in a file's name and content), each searched for in every
/// column of every table once they are erased.
const EMAIL: &str = "quillon.zebrafjord@example.com";
const NAME: &str = "Quillon Zebrafjord";
const WORD: &str = "xylophonic";

/// A customer who left their details, wrote, sent a file and got a reply, a private note
/// about them and a reply-email job: their widget.
async fn customer_with_history(server: &TestServer, operator: &reqwest::Client) -> Widget {
    let widget = server.anonymous_widget().await;
    let response = server
        .widget_request(&widget, Method::PATCH, "/api/v1/widget/customer")
        .json(&json!({ "email": EMAIL, "name": NAME }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let door = Door::Customer(&widget);
    let file = uploaded(
        server,
        &door,
        &format!("{WORD}.txt"),
        format!("my {WORD} notes").into_bytes(),
    )
    .await;
    let file_id = file["id"].as_str().unwrap().to_owned();
    let (status, _) = send_files(
        server,
        &door,
        &format!("My {WORD} order never came"),
        &[&file_id],
        None,
    )
    .await;
    assert_eq!(status, 201);
    let id = widget.conversation_id.clone();
    let (status, _) = post_with(
        server,
        operator,
        &id,
        json!({ "content": format!("Sorry {NAME}, about {WORD}: it ships today.") }),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = post_with(
        server,
        operator,
        &id,
        json!({ "content": format!("{EMAIL} asked twice"), "internal": true }),
    )
    .await;
    assert_eq!(status, 201);
    widget
}

/// Every (table, column) with a text value that holds `needle`, ignoring case, across the
/// whole database. Binary values are not read: SQLite's full-text index keeps its words in
/// binary segments, where a deleted message's words stay (unreachable by any query) until the
/// index merges that segment, as deleted rows stay in free pages until the file is vacuumed
/// (docs/API.md, "Customers' records").
async fn columns_holding(server: &TestServer, needle: &str) -> Vec<String> {
    let needle = needle.to_lowercase();
    let mut found = Vec::new();
    if let Some(pool) = server.store.sqlite() {
        let tables: Vec<String> =
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
                .fetch_all(pool)
                .await
                .unwrap();
        for table in tables {
            let columns: Vec<String> =
                sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{table}')"))
                    .fetch_all(pool)
                    .await
                    .unwrap();
            for column in columns {
                let sql = format!(
                    "SELECT COUNT(*) FROM \"{table}\" WHERE typeof(\"{column}\") = 'text' \
                     AND instr(lower(\"{column}\"), $1) > 0"
                );
                let n: i64 = sqlx::query_scalar(&sql)
                    .bind(&needle)
                    .fetch_one(pool)
                    .await
                    .unwrap();
                if n > 0 {
                    found.push(format!("{table}.{column}"));
                }
            }
        }
    }
    if let Some(pool) = server.store.postgres() {
        let columns: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT table_name::text, column_name::text, data_type::text \
             FROM information_schema.columns WHERE table_schema = 'public'",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        for (table, column, kind) in columns {
            if kind == "bytea" {
                continue;
            }
            let holds = format!("position($1 in lower(\"{column}\"::text)) > 0");
            let sql = format!("SELECT COUNT(*) FROM \"{table}\" WHERE {holds}");
            let n: i64 = sqlx::query_scalar(&sql)
                .bind(&needle)
                .fetch_one(pool)
                .await
                .unwrap();
            if n > 0 {
                found.push(format!("{table}.{column}"));
            }
        }
    }
    found
}

/// The audit entries of `action`.
async fn audited(server: &TestServer, operator: &reqwest::Client, action: &str) -> Vec<Value> {
    let page = server
        .get_json(operator, &format!("/api/v1/audit?action={action}"))
        .await;
    page["entries"].as_array().unwrap().clone()
}

on_both!(
    an_erased_customer_leaves_nothing_of_themselves_in_any_table,
    |server| {
        let operator = server.signed_in().await;
        let widget = customer_with_history(&server, &operator).await;
        let customer = widget.customer_id.clone();
        for needle in [EMAIL, "zebrafjord", WORD] {
            assert!(
                !columns_holding(&server, needle).await.is_empty(),
                "the scan finds {needle} before the erasure"
            );
        }

        let erase = format!("/api/v1/customers/{customer}/erase");
        let response = server.post(&operator, &erase).await;
        assert_eq!(response.status(), 200);
        let erased: Value = response.json().await.unwrap();
        assert_eq!(erased["customer"]["id"], customer.as_str());
        assert_eq!(erased["customer"]["name"], Value::Null);
        assert_eq!(erased["customer"]["email"], Value::Null);
        let erased_at = erased["customer"]["erased_at"].clone();
        assert!(erased_at.is_string(), "{erased}");

        for needle in [EMAIL, "zebrafjord", "quillon", WORD] {
            assert_eq!(
                columns_holding(&server, needle).await,
                Vec::<String>::new(),
                "{needle} is left after the erasure"
            );
        }

        // The conversation stays, empty, with the erasure as its activity line.
        let id = &widget.conversation_id;
        let detail = server
            .get_json(&operator, &format!("/api/v1/conversations/{id}"))
            .await;
        assert_eq!(detail["messages"], json!([]));
        assert_eq!(detail["conversation"]["customer"]["erased_at"], erased_at);
        let kinds: Vec<&str> = detail["activity"]
            .as_array()
            .unwrap()
            .iter()
            .map(|note| note["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["erased"]);
        assert_eq!(detail["activity"][0]["by"]["name"], "Ann");

        // Their widget is signed out.
        let response = server
            .widget_request(&widget, Method::GET, "/api/v1/widget/messages")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);

        // Again: the same answer, and one audit entry, without content.
        let again: Value = server.post(&operator, &erase).await.json().await.unwrap();
        assert_eq!(again["customer"]["erased_at"], erased_at);
        let entries = audited(&server, &operator, "customer_erased").await;
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0]["target"]["kind"], "customer");
        assert_eq!(entries[0]["target"]["id"], customer.as_str());
        assert!(entries[0]["target"]["label"]
            .as_str()
            .unwrap()
            .starts_with("Customer #"));
        assert_eq!(entries[0]["detail"]["messages"], 3);
        assert_eq!(entries[0]["detail"]["files"], 1);
        assert_eq!(entries[0]["detail"]["widget_tokens"], 1);
    }
);

on_both!(
    an_export_holds_everything_but_notes_and_nothing_once_erased,
    |server| {
        let operator = server.signed_in().await;
        let widget = customer_with_history(&server, &operator).await;
        let customer = widget.customer_id.clone();
        let path = format!("/api/v1/customers/{customer}/export");

        let response = server.get(&operator, &path).await;
        assert_eq!(response.status(), 200);
        let disposition = response.headers()["content-disposition"].to_str().unwrap();
        assert_eq!(
            disposition,
            format!("attachment; filename=\"customer-{customer}.json\"")
        );
        let export: Value = response.json().await.unwrap();
        assert_eq!(export["customer"]["email"], EMAIL);
        assert_eq!(export["customer"]["name"], NAME);
        assert_eq!(export["customer"]["erased_at"], Value::Null);
        assert_eq!(export["customer"]["email_confirmations"][0]["email"], EMAIL);
        let conversations = export["conversations"].as_array().unwrap();
        assert_eq!(conversations.len(), 1);
        assert_eq!(conversations[0]["id"], widget.conversation_id.as_str());
        let contents: Vec<&str> = conversations[0]["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["content"].as_str().unwrap())
            .collect();
        assert_eq!(
            contents,
            [
                format!("My {WORD} order never came"),
                format!("Sorry {NAME}, about {WORD}: it ships today.")
            ],
            "the private note is never exported"
        );
        assert!(conversations[0]["emails"].is_array());
        let files = export["files"].as_array().unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0]["name"], format!("{WORD}.txt"));
        assert_eq!(files[0]["type"], "text/plain");
        let url = files[0]["download_url"].as_str().unwrap();
        assert_eq!(
            url,
            format!(
                "http://support.test/api/v1/files/{}",
                files[0]["id"].as_str().unwrap()
            )
        );
        let local = url.trim_start_matches("http://support.test");
        let bytes = server.get(&operator, local).await.bytes().await.unwrap();
        assert_eq!(&bytes[..], format!("my {WORD} notes").as_bytes());
        let entries = audited(&server, &operator, "customer_exported").await;
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0]["target"]["id"], customer.as_str());
        assert!(!entries[0].to_string().contains(WORD));

        assert_eq!(
            server
                .post(&operator, &format!("/api/v1/customers/{customer}/erase"))
                .await
                .status(),
            200
        );
        let after: Value = server.get_json(&operator, &path).await;
        let text = after.to_string().to_lowercase();
        for needle in [EMAIL, "zebrafjord", "quillon", WORD] {
            assert!(!text.contains(needle), "{needle} in {after}");
        }
        assert_eq!(after["customer"]["user_id"], Value::Null);
        assert_eq!(after["customer"]["email_confirmations"], json!([]));
        assert_eq!(after["conversations"][0]["messages"], json!([]));
        assert_eq!(after["conversations"][0]["emails"], json!([]));
        assert_eq!(after["files"], json!([]));
    }
);

on_both!(
    the_customers_list_finds_by_word_prefix_and_only_admins_reach_records,
    |server| {
        let (owner, admin, agent, _) = team(&server).await;
        let widget = customer_with_history(&server, &owner).await;
        let other = server
            .signed_widget("host-42", "dora@shop.example", "Dóra Smith")
            .await;
        let ids = |page: &Value| -> Vec<String> {
            page["customers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_owned())
                .collect()
        };

        let everyone = server.get_json(&admin.client, "/api/v1/customers").await;
        assert_eq!(
            ids(&everyone),
            [other.customer_id.clone(), widget.customer_id.clone()]
        );
        assert_eq!(everyone["customers"][0]["signed"], true);
        assert_eq!(everyone["customers"][0]["erased_at"], Value::Null);
        assert!(everyone["customers"][0]["first_seen_at"].is_string());
        for (q, expected) in [
            ("zebra", vec![&widget.customer_id]),
            ("QUILL zebrafj", vec![&widget.customer_id]),
            ("dora", vec![&other.customer_id]),
            ("shop.ex", vec![&other.customer_id]),
            ("fjord", vec![]),
            (other.customer_id.as_str(), vec![&other.customer_id]),
        ] {
            let page = server
                .get_json(&admin.client, &format!("/api/v1/customers?q={q}"))
                .await;
            let expected: Vec<String> = expected.into_iter().cloned().collect();
            assert_eq!(ids(&page), expected, "q={q}");
        }
        let first = server
            .get_json(&admin.client, "/api/v1/customers?limit=1")
            .await;
        assert_eq!(ids(&first), std::slice::from_ref(&other.customer_id));
        let next = server
            .get_json(
                &admin.client,
                &format!("/api/v1/customers?limit=1&before={}", other.customer_id),
            )
            .await;
        assert_eq!(ids(&next), std::slice::from_ref(&widget.customer_id));

        let erase = format!("/api/v1/customers/{}/erase", widget.customer_id);
        for path in [
            "/api/v1/customers".to_owned(),
            format!("/api/v1/customers/{}/export", widget.customer_id),
        ] {
            let response = server.get(&agent.client, &path).await;
            assert_eq!(response.status(), 403, "{path}");
        }
        let response = server.post(&agent.client, &erase).await;
        assert_eq!(response.status(), 403);
        assert_eq!(error_code(response).await, "forbidden");

        for bad in [
            "limit=0",
            "limit=201",
            "limit=x",
            "before=nope",
            "q=%40%40",
            "color=red",
        ] {
            let response = server
                .get(&admin.client, &format!("/api/v1/customers?{bad}"))
                .await;
            assert_eq!(response.status(), 422, "{bad}");
        }
        let long = "a".repeat(201);
        let response = server
            .get(&admin.client, &format!("/api/v1/customers?q={long}"))
            .await;
        assert_eq!(response.status(), 422);
        for path in [
            "/api/v1/customers/nope/export".to_owned(),
            format!("/api/v1/customers/{}/export", uuid::Uuid::now_v7()),
        ] {
            let response = server.get(&admin.client, &path).await;
            assert_eq!(response.status(), 404, "{path}");
        }
        let response = server
            .post(
                &admin.client,
                &format!("/api/v1/customers/{}/erase", uuid::Uuid::now_v7()),
            )
            .await;
        assert_eq!(response.status(), 404);

        // Erased: no longer found by what they were called, still listed as erased.
        assert_eq!(server.post(&admin.client, &erase).await.status(), 200);
        let page = server
            .get_json(&admin.client, "/api/v1/customers?q=zebra")
            .await;
        assert!(ids(&page).is_empty());
        let everyone = server.get_json(&admin.client, "/api/v1/customers").await;
        assert!(everyone["customers"][1]["erased_at"].is_string());
        assert_eq!(everyone["customers"][1]["name"], Value::Null);
    }
);
