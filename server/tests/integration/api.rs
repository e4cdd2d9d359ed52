//! The operator API and the guest kiosk, over real HTTP against a real server and SQLite file.

use crate::common::{error_code, TestServer, EMAIL, PASSWORD};
use serde_json::{json, Value};

#[tokio::test]
async fn signing_in_with_the_right_password_sets_an_http_only_lax_cookie() {
    let server = TestServer::start().await;
    let response = server
        .client()
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"email": EMAIL, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("switchboard_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(!cookie.contains("Secure"), "plain http must not set Secure");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["operator"]["email"], EMAIL);
    assert_eq!(body["operator"]["name"], "Ann");
    assert!(body["operator"]["id"].as_str().unwrap().len() == 36);
}

#[tokio::test]
async fn the_cookie_is_secure_when_the_public_url_is_https() {
    let server =
        TestServer::start_with(&[("SWITCHBOARD_PUBLIC_URL", "https://support.test")]).await;
    let response = server
        .client()
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"email": EMAIL, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("; Secure"));
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let server = TestServer::start().await;
    let mut answers = Vec::new();
    for (email, password) in [(EMAIL, "wrong password"), ("nobody@example.com", PASSWORD)] {
        let response = server
            .client()
            .post(server.url("/api/v1/auth/login"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        assert!(response.headers().get("set-cookie").is_none());
        answers.push(response.text().await.unwrap());
    }
    assert_eq!(answers[0], answers[1]);
    let body: Value = serde_json::from_str(&answers[0]).unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
}

#[tokio::test]
async fn repeated_failures_for_one_email_are_rate_limited_with_retry_after() {
    let server = TestServer::start().await;
    let client = server.client();
    for _ in 0..5 {
        let response = client
            .post(server.url("/api/v1/auth/login"))
            .json(&json!({"email": EMAIL, "password": "guess"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
    }
    // Even the right password is refused while the limit holds.
    let response = client
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"email": EMAIL, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "retry-after {retry}");
    assert_eq!(error_code(response).await, "rate_limited");
}

#[tokio::test]
async fn every_operator_route_answers_401_without_a_session() {
    let server = TestServer::start().await;
    let client = server.client();
    let id = "0193a000-0000-7000-8000-000000000000";
    let routes = [
        ("POST", "/api/v1/auth/logout".to_owned()),
        ("POST", "/api/v1/sessions".to_owned()),
        ("GET", "/api/v1/sessions".to_owned()),
        ("GET", "/api/v1/sessions?status=ended".to_owned()),
        ("GET", format!("/api/v1/sessions/{id}")),
        ("POST", format!("/api/v1/sessions/{id}/end")),
        ("POST", format!("/api/v1/sessions/{id}/rotate_link")),
    ];
    for (method, path) in routes {
        let request = match method {
            "GET" => client.get(server.url(&path)),
            _ => client.post(server.url(&path)).json(&json!({})),
        };
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401, "{method} {path}");
        assert_eq!(
            error_code(response).await,
            "unauthorized",
            "{method} {path}"
        );
    }
    // A made-up cookie is no better than none.
    let response = client
        .get(server.url("/api/v1/sessions"))
        .header("cookie", "switchboard_session=forged")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn signing_out_ends_the_session_cookie() {
    let server = TestServer::start().await;
    let client = server.signed_in().await;
    let response = server.post(&client, "/api/v1/auth/logout").await;
    assert_eq!(response.status(), 204);
    assert!(response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    let response = server.get(&client, "/api/v1/sessions").await;
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn sessions_are_created_listed_newest_first_and_ended() {
    let server = TestServer::start().await;
    let client = server.signed_in().await;

    let first = server
        .create_session(&client, Some("  Printer setup "))
        .await;
    let second = server.create_session(&client, None).await;
    let session = &first["session"];
    assert_eq!(session["title"], "Printer setup");
    assert_eq!(session["status"], "waiting");
    assert_eq!(session["ended_at"], Value::Null);
    assert!(session["conversation_id"].as_str().unwrap().len() == 36);
    let token = first["guest_token"].as_str().unwrap();
    assert!(token.len() >= 22, "at least 128 bits");
    assert!(token
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    assert_eq!(
        first["guest_url"],
        format!("http://support.test/support/guest/{token}")
    );
    assert_eq!(second["session"]["title"], Value::Null);

    let open: Value = server
        .get_json(&client, "/api/v1/sessions?status=open")
        .await;
    let ids: Vec<&str> = open["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![
            second["session"]["id"].as_str().unwrap(),
            session["id"].as_str().unwrap()
        ]
    );

    let id = session["id"].as_str().unwrap();
    let ended = server
        .post(&client, &format!("/api/v1/sessions/{id}/end"))
        .await;
    assert_eq!(ended.status(), 200);
    let ended: Value = ended.json().await.unwrap();
    assert_eq!(ended["session"]["status"], "ended");
    let ended_at = ended["session"]["ended_at"].clone();
    assert!(ended_at.is_string());

    // Ending twice is fine and changes nothing.
    let again: Value = server
        .post(&client, &format!("/api/v1/sessions/{id}/end"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["session"]["ended_at"], ended_at);

    let ended_list: Value = server
        .get_json(&client, "/api/v1/sessions?status=ended")
        .await;
    assert_eq!(ended_list["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(ended_list["sessions"][0]["id"], id);
    let fetched: Value = server
        .get_json(&client, &format!("/api/v1/sessions/{id}"))
        .await;
    assert_eq!(fetched["session"]["status"], "ended");
}

#[tokio::test]
async fn rotating_the_link_stops_the_old_token_at_once() {
    let server = TestServer::start().await;
    let client = server.signed_in().await;
    let created = server.create_session(&client, Some("Rotate me")).await;
    let id = created["session"]["id"].as_str().unwrap();
    let old = created["guest_token"].as_str().unwrap();

    let response = server
        .post(&client, &format!("/api/v1/sessions/{id}/rotate_link"))
        .await;
    assert_eq!(response.status(), 200);
    let rotated: Value = response.json().await.unwrap();
    let new = rotated["guest_token"].as_str().unwrap();
    assert_ne!(new, old);
    assert_eq!(
        rotated["guest_url"],
        format!("http://support.test/support/guest/{new}")
    );

    let guest = server.client();
    let old_page = server.get(&guest, &format!("/support/guest/{old}")).await;
    assert_eq!(old_page.status(), 404);
    let new_page = server.get(&guest, &format!("/support/guest/{new}")).await;
    assert_eq!(new_page.status(), 200);
    assert!(new_page.text().await.unwrap().contains("Rotate me"));

    // An ended session's link cannot be renewed.
    server
        .post(&client, &format!("/api/v1/sessions/{id}/end"))
        .await;
    let response = server
        .post(&client, &format!("/api/v1/sessions/{id}/rotate_link"))
        .await;
    assert_eq!(response.status(), 410);
    assert_eq!(error_code(response).await, "gone");
}

#[tokio::test]
async fn the_kiosk_answers_200_for_a_live_link_404_for_an_unknown_one_and_410_once_ended() {
    let server = TestServer::start().await;
    let client = server.signed_in().await;
    let created = server
        .create_session(&client, Some("Kiosk </title><b>check</b>"))
        .await;
    let token = created["guest_token"].as_str().unwrap();
    let id = created["session"]["id"].as_str().unwrap();
    let guest = server.client();

    let page = server.get(&guest, &format!("/support/guest/{token}")).await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("<h1>Kiosk &lt;/title&gt;&lt;b&gt;check&lt;/b&gt;"));
    assert!(
        html.contains("<title>Kiosk &lt;/title&gt;&lt;b&gt;check&lt;/b&gt; – Switchboard</title>")
    );
    assert!(
        !html.contains("<b>check</b>"),
        "operator text never becomes markup"
    );

    // Opening the page joins nobody: a link preview does the same. (Joining is the guest's
    // first socket or message.)
    let fetched: Value = server
        .get_json(&client, &format!("/api/v1/sessions/{id}"))
        .await;
    assert_eq!(fetched["session"]["status"], "waiting");

    let unknown = server
        .get(&guest, "/support/guest/not-a-real-token-at-all")
        .await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(unknown.headers()["referrer-policy"], "no-referrer");
    assert!(unknown.text().await.unwrap().contains("Link not found"));

    server
        .post(&client, &format!("/api/v1/sessions/{id}/end"))
        .await;
    let ended = server.get(&guest, &format!("/support/guest/{token}")).await;
    assert_eq!(ended.status(), 410);
    assert!(ended
        .text()
        .await
        .unwrap()
        .contains("This session has ended"));
}

#[tokio::test]
async fn an_expired_link_gives_410_and_lists_the_session_as_ended() {
    let server = TestServer::start_with(&[("SWITCHBOARD_GUEST_LINK_TTL", "1s")]).await;
    let client = server.signed_in().await;
    let created = server.create_session(&client, None).await;
    let token = created["guest_token"].as_str().unwrap();
    server.clock.advance(std::time::Duration::from_secs(1));
    let page = server
        .client()
        .get(server.url(&format!("/support/guest/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 410);
    let ended: Value = server
        .get_json(&client, "/api/v1/sessions?status=ended")
        .await;
    assert_eq!(ended["sessions"][0]["status"], "ended");
    assert_eq!(
        ended["sessions"][0]["ended_at"],
        ended["sessions"][0]["expires_at"]
    );
}

#[tokio::test]
async fn the_database_holds_only_the_sha256_of_guest_tokens() {
    let server = TestServer::start().await;
    let client = server.signed_in().await;
    let created = server.create_session(&client, None).await;
    let token = created["guest_token"].as_str().unwrap();

    let stored: Vec<(String,)> = sqlx::query_as("SELECT token_hash FROM support_sessions")
        .fetch_all(server.store.sqlite().unwrap())
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].0.len(), 64, "hex SHA-256");
    assert_ne!(stored[0].0, token);
    // No column of any table holds the token.
    let pool = server.store.sqlite().unwrap();
    let tables: Vec<(String,)> =
        sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(pool)
            .await
            .unwrap();
    let mut columns_seen = 0;
    for (table,) in &tables {
        let columns: Vec<(String,)> =
            sqlx::query_as(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .fetch_all(pool)
                .await
                .unwrap();
        for (column,) in columns {
            columns_seen += 1;
            let hits: (i64,) = sqlx::query_as(&format!(
                "SELECT COUNT(*) FROM \"{table}\" WHERE instr(CAST(\"{column}\" AS TEXT), $1) > 0"
            ))
            .bind(token)
            .fetch_one(pool)
            .await
            .unwrap();
            assert_eq!(hits.0, 0, "{table}.{column} holds the guest token");
        }
    }
    assert!(
        columns_seen > 40,
        "every column of every table was read ({columns_seen})"
    );
    let sessions: Vec<(String,)> = sqlx::query_as("SELECT token_hash FROM operator_sessions")
        .fetch_all(server.store.sqlite().unwrap())
        .await
        .unwrap();
    assert!(sessions.iter().all(|(hash,)| hash.len() == 64));
}

#[tokio::test]
async fn bad_sign_in_input_is_refused_with_invalid() {
    let server = TestServer::start().await;
    let long_password = "x".repeat(1_025);
    let cases: Vec<(&str, String)> = vec![
        ("not JSON", "{email".to_owned()),
        ("missing password", json!({"email": EMAIL}).to_string()),
        (
            "email not a string",
            json!({"email": 42, "password": "x"}).to_string(),
        ),
        (
            "empty email",
            json!({"email": "", "password": "x"}).to_string(),
        ),
        (
            "malformed email",
            json!({"email": "ann", "password": "x"}).to_string(),
        ),
        (
            "empty password",
            json!({"email": EMAIL, "password": ""}).to_string(),
        ),
        (
            "overlong password",
            json!({"email": EMAIL, "password": long_password}).to_string(),
        ),
        ("an array", "[]".to_owned()),
    ];
    for (case, body) in cases {
        let response = server
            .client()
            .post(server.url("/api/v1/auth/login"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{case}");
        assert_eq!(error_code(response).await, "invalid", "{case}");
    }
}

#[tokio::test]
async fn bad_session_input_is_refused_and_nothing_is_stored() {
    let server = TestServer::start().await;
    let client = server.signed_in().await;
    let cases: Vec<(&str, String, u16, &str)> = vec![
        (
            "title too long",
            json!({"title": "x".repeat(121)}).to_string(),
            422,
            "invalid",
        ),
        (
            "title with NUL",
            json!({"title": "a\u{0}b"}).to_string(),
            422,
            "invalid",
        ),
        (
            "title with newline",
            json!({"title": "a\nb"}).to_string(),
            422,
            "invalid",
        ),
        (
            "title not a string",
            json!({"title": 7}).to_string(),
            422,
            "invalid",
        ),
        ("not JSON", "title=x".to_owned(), 422, "invalid"),
        (
            "too large",
            json!({"title": "x".repeat(70_000)}).to_string(),
            413,
            "payload_too_large",
        ),
    ];
    for (case, body, status, code) in cases {
        let response = client
            .post(server.url("/api/v1/sessions"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{case}");
        assert_eq!(error_code(response).await, code, "{case}");
    }
    let count: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM support_sessions")
        .fetch_one(server.store.sqlite().unwrap())
        .await
        .unwrap();
    assert_eq!(count.0, 0);

    // An empty body is a session without a title.
    let response = server.post(&client, "/api/v1/sessions").await;
    assert_eq!(response.status(), 201);
}

#[tokio::test]
async fn unknown_ids_status_filters_and_routes_get_contract_errors() {
    let server = TestServer::start().await;
    let client = server.signed_in().await;
    for path in [
        "/api/v1/sessions/0193a000-0000-7000-8000-000000000000",
        "/api/v1/sessions/not-a-uuid",
        "/api/v1/nothing-here",
    ] {
        let response = client.get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(error_code(response).await, "not_found", "{path}");
    }
    let response = server
        .post(
            &client,
            "/api/v1/sessions/0193a000-0000-7000-8000-000000000000/end",
        )
        .await;
    assert_eq!(response.status(), 404);
    let response = server.get(&client, "/api/v1/sessions?status=closed").await;
    assert_eq!(response.status(), 422);
    assert_eq!(error_code(response).await, "invalid");
}

#[tokio::test]
async fn pages_carry_security_headers_and_dashboard_pages_redirect_to_sign_in() {
    let server = TestServer::start().await;
    let client = server.client();
    let login = client.get(server.url("/login")).send().await.unwrap();
    assert_eq!(login.status(), 200);
    let headers = login.headers().clone();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(csp.contains("'nonce-"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    let html = login.text().await.unwrap();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the inline scripts carry the header's nonce"
    );
    assert!(
        html.contains("<form"),
        "the sign-in form renders without JS"
    );
    assert!(html.contains("name=\"email\""));

    for (path, target) in [
        ("/sessions", "/login"),
        ("/sessions/0193a000-0000-7000-8000-000000000000", "/login"),
        ("/", "/sessions"),
    ] {
        // Browsers ask for HTML; that is what makes the redirect an HTTP 302.
        let response = client
            .get(server.url(path))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_redirection(),
            "{path}: {}",
            response.status()
        );
        assert_eq!(response.headers()["location"], target, "{path}");
    }
    let missing = server.get(&client, "/no/such/page").await;
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn the_sign_in_form_works_without_javascript() {
    let server = TestServer::start().await;
    let client = server.client();
    let response = client
        .post(server.url("/api/login"))
        .header("accept", "text/html")
        .header("referer", server.url("/login"))
        .form(&[("email", EMAIL), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], "/sessions");
    let page = client.get(server.url("/sessions")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Support sessions"));

    let refused = server
        .client()
        .post(server.url("/api/login"))
        .header("accept", "text/html")
        .header("referer", server.url("/login"))
        .form(&[("email", EMAIL), ("password", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 302);
    let location = refused.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.contains("/login") && location.contains("__err="),
        "{location}"
    );
    let page = server.client().get(&location).send().await.unwrap();
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("Wrong email or password."));
}
