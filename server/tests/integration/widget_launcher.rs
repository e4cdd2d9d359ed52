//! The launcher's door (`POST /api/v1/widget/launcher`): what the loader draws on the host page
//! before the widget is opened, read without creating anything, in the visitor's language; and
//! the page through which the loader asks it (`/embed/launcher`).

use serde_json::{json, Value};

use crate::common::{error_code, text, TestServer};

impl TestServer {
    /// The launcher's answer to `body`, sent as the loader sends it, with `headers`.
    async fn launcher(&self, body: &Value, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self
            .client()
            .post(self.url("/api/v1/widget/launcher"))
            .header("content-type", "application/json")
            .body(body.to_string());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.unwrap()
    }

    async fn customers(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM customers")
            .fetch_one(self.store.sqlite().unwrap())
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn the_launcher_counts_a_returning_visitors_unread_replies_and_creates_nothing_for_a_new_one()
{
    let server = TestServer::start().await;
    let widget = server.anonymous_widget().await;
    let visitor = widget.session["visitor_token"].as_str().unwrap().to_owned();
    let operator = server.signed_in().await;
    for reply in ["Hi!", "Still there?"] {
        server
            .operator_post(&operator, &widget.conversation_id, reply)
            .await;
    }
    let customers = server.customers().await;

    let answer = server
        .launcher(&json!({ "visitor_token": visitor, "locale": "en" }), &[])
        .await;
    assert_eq!(answer.status(), 200);
    let look: Value = answer.json().await.unwrap();
    assert_eq!(look["unread"], 2);
    assert_eq!(look["color"], "#2452d4");
    assert_eq!(look["text_color"], "#ffffff");
    assert_eq!(look["position"], "right");
    assert_eq!(look["labels"]["open"], text("en", "widget.open"));
    assert_eq!(look["labels"]["close"], text("en", "widget.close"));
    assert_eq!(look["labels"]["unread"], "2 unread");

    for body in [json!({}), json!({ "visitor_token": "made-up" })] {
        let answer = server.launcher(&body, &[]).await;
        assert_eq!(answer.status(), 200, "{body}");
        let look: Value = answer.json().await.unwrap();
        assert_eq!(look["unread"], 0, "{body}");
        assert_eq!(look["labels"]["unread"], "", "{body}");
    }
    assert_eq!(
        server.customers().await,
        customers,
        "a page view makes no customer"
    );
    let tokens: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM widget_tokens")
        .fetch_one(server.store.sqlite().unwrap())
        .await
        .unwrap();
    assert_eq!(tokens, 1, "and no token: the launcher signs nobody in");
}

#[tokio::test]
async fn a_signed_customers_launcher_needs_the_signature_and_counts_their_replies() {
    let server = TestServer::start().await;
    let widget = server.signed_widget("77", "lea@example.com", "Lea").await;
    let operator = server.signed_in().await;
    server
        .operator_post(&operator, &widget.conversation_id, "Your order shipped.")
        .await;
    let signed = server.signed_body("77", "lea@example.com", "Lea").await;
    let answer = server.launcher(&signed, &[]).await;
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.json::<Value>().await.unwrap()["unread"], 1);

    let mut forged = signed.clone();
    forged["signature"] = json!("00".repeat(32));
    let answer = server.launcher(&forged, &[]).await;
    assert_eq!(answer.status(), 401);
    assert_eq!(error_code(answer).await, "unauthorized");
    // A signed user the server has not met yet has nothing unread, and is not created.
    let customers = server.customers().await;
    let newcomer = server.signed_body("78", "max@example.com", "Max").await;
    let answer = server.launcher(&newcomer, &[]).await;
    assert_eq!(answer.json::<Value>().await.unwrap()["unread"], 0);
    assert_eq!(server.customers().await, customers);
}

#[tokio::test]
async fn the_launcher_speaks_the_visitors_language() {
    let server = TestServer::start().await;
    let arabic: Value = server
        .launcher(&json!({ "locale": "ar" }), &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(arabic["lang"], "ar");
    assert_eq!(arabic["dir"], "rtl");
    assert_eq!(arabic["labels"]["open"], text("ar", "widget.open"));
    // Without one named, the browser's languages choose.
    let german: Value = server
        .launcher(
            &json!({}),
            &[("accept-language", "de-CH, de;q=0.9, en;q=0.5")],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(german["lang"], "de");
    assert_eq!(german["dir"], "ltr");
    assert_eq!(german["labels"]["close"], text("de", "widget.close"));
}

#[tokio::test]
async fn the_launcher_page_may_be_framed_by_the_embedding_origins_and_runs_only_its_own_script() {
    let server =
        TestServer::start_with(&[("SWITCHBOARD_WIDGET_EMBED_ORIGINS", "https://shop.example")])
            .await;
    let page = server
        .client()
        .get(server.url("/embed/launcher?host=https%3A%2F%2Fshop.example"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        policy.contains("frame-ancestors https://shop.example"),
        "{policy}"
    );
    assert!(page.headers().get("x-frame-options").is_none());
    assert_eq!(page.headers()["cache-control"], "no-store");
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy")
        .to_owned();
    let html = page.text().await.unwrap();
    assert!(
        html.contains(&format!("<script nonce=\"{nonce}\">")),
        "{html}"
    );
    assert!(html.contains("/api/v1/widget/launcher"));
    // Every other page still refuses to be framed.
    let login = server.get(&server.client(), "/login").await;
    assert_eq!(login.headers()["x-frame-options"], "DENY");
}

#[tokio::test]
async fn a_launcher_body_that_is_not_json_is_refused_in_the_contracts_shape() {
    let server = TestServer::start().await;
    let response = server
        .client()
        .post(server.url("/api/v1/widget/launcher"))
        .header("content-type", "application/json")
        .body("visitor_token=abc")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert_eq!(error_code(response).await, "invalid");
}
