//! Pages and the forms on them, as a browser meets them: every page answers, a form posted
//! from a link page (`Origin: null`) works, and an error on a form comes back as a page in the
//! reader's language, never as raw JSON.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{text, TestServer};

/// Headers Chromium and Firefox send with a form posted from a page of ours that has
/// `Referrer-Policy: no-referrer`.
fn form_from_a_link_page(request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    request
        .header("origin", "null")
        .header("sec-fetch-site", "same-origin")
        .header("sec-fetch-mode", "navigate")
        .header("accept", "text/html,application/xhtml+xml")
        .header("content-type", "application/x-www-form-urlencoded")
}

/// Has the operator reply to a German-speaking customer and lets the reply go unread until it
/// is emailed (as an `.eml` file); returns the email's unsubscribe path and the conversation.
async fn emailed_unsubscribe_path(app: &TestServer) -> (String, String, reqwest::Client) {
    let operator = app.signed_in().await;
    let mut body = app.signed_body("ute-1", "ute@example.com", "Ute").await;
    body["locale"] = "de".into();
    let customer = app.widget_with(body).await;
    app.operator_post(
        &operator,
        &customer.conversation_id,
        "Ihr Paket ist unterwegs.",
    )
    .await;
    app.clock.advance(Duration::from_secs(300));
    let sent = app
        .wait_for_email(&operator, &customer.conversation_id, "sent")
        .await;
    let raw = std::fs::read(
        app.mail_dir
            .join(format!("{}.eml", sent["id"].as_str().unwrap())),
    )
    .expect("the .eml file");
    let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
    let url = message
        .header_raw("List-Unsubscribe")
        .expect("List-Unsubscribe")
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned();
    let path = url.trim_start_matches("http://support.test").to_owned();
    (path, customer.conversation_id, operator)
}

#[tokio::test]
async fn pages_keep_answering_while_another_server_in_the_process_builds_its_router() {
    // Each test in this binary builds a router, as a second `Application` in one process would.
    // Building one used to work the page routes out again, which switches Leptos' resource
    // loading off process-wide for a moment: a render whose data load began then waited
    // forever. With a short render limit, such a render would come back 503 here.
    let app = TestServer::start_with(&[("SWITCHBOARD_RENDER_TIMEOUT", "3s")]).await;
    let building = Arc::new(AtomicBool::new(true));
    let builder = {
        let building = building.clone();
        std::thread::spawn(move || {
            // As in a test of its own: a thread with its own runtime.
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let _inside = runtime.enter();
            let mut built = 0u32;
            while building.load(Ordering::Relaxed) {
                assert!(!server::startup::page_routes().is_empty());
                built += 1;
            }
            built
        })
    };
    let guest = app.client();
    for _ in 0..40 {
        let page = app
            .get(&guest, "/support/guest/not-a-real-token-at-all")
            .await;
        assert_eq!(page.status(), 404);
        assert!(page.text().await.unwrap().contains("Link not found"));
        let redirect = guest
            .get(app.url("/sessions"))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert!(redirect.status().is_redirection(), "{}", redirect.status());
    }
    building.store(false, Ordering::Relaxed);
    assert!(builder.join().unwrap() > 0, "routers were built meanwhile");
}

#[tokio::test]
async fn the_unsubscribe_pages_button_works_from_a_page_without_a_referrer() {
    let app = TestServer::start().await;
    let (path, conversation, operator) = emailed_unsubscribe_path(&app).await;
    assert!(
        path.ends_with("?lang=de"),
        "the email's language rides along: {path}"
    );
    let link = path
        .trim_start_matches("/email/unsubscribe/")
        .trim_end_matches("?lang=de")
        .to_owned();

    let page = app.get(&app.client(), &path).await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    let html = page.text().await.unwrap();
    assert!(html.contains(&text("de", "unsubscribe.stop")));
    let action = format!("action=\"/email/unsubscribe/{link}?lang=de\"");
    assert!(
        html.contains(&action),
        "the form posts back in German: {html}"
    );

    let clicked = form_from_a_link_page(app.client().post(app.url(&path)))
        .body("List-Unsubscribe=One-Click&back=page")
        .send()
        .await
        .unwrap();
    assert_eq!(clicked.status(), 303);
    assert_eq!(clicked.headers()["location"], path.as_str());
    let after = app.get(&app.client(), &path).await.text().await.unwrap();
    assert!(after.contains(&text("de", "unsubscribe.unsubscribed")));

    app.operator_post(&operator, &conversation, "Noch eine Frage?")
        .await;
    app.clock.advance(Duration::from_secs(300));
    let skipped = app
        .wait_for_email(&operator, &conversation, "skipped")
        .await;
    assert_eq!(skipped["reason"], "unsubscribed");

    // A browser that sends `Origin: null` and no `Sec-Fetch-Site` may still use the link: it is
    // the only credential here.
    let resumed = app
        .client()
        .post(app.url(&format!("/email/resubscribe/{link}?lang=de")))
        .header("origin", "null")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("back=page")
        .send()
        .await
        .unwrap();
    assert_eq!(resumed.status(), 303);
    let page = app.get(&app.client(), &path).await.text().await.unwrap();
    assert!(page.contains(&text("de", "unsubscribe.stop")));
}

#[tokio::test]
async fn an_opaque_origin_is_refused_where_a_sign_in_cookie_rides_along() {
    let app = TestServer::start().await;
    let operator = app.signed_in().await;
    for site in [Some("cross-site"), Some("same-site"), None] {
        let mut request = operator
            .post(app.url("/api/v1/sessions"))
            .header("origin", "null")
            .json(&serde_json::json!({ "title": "forged" }));
        if let Some(site) = site {
            request = request.header("sec-fetch-site", site);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 403, "{site:?}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "forbidden");
    }
    let own_page = operator
        .post(app.url("/api/v1/sessions"))
        .header("origin", "null")
        .header("sec-fetch-site", "same-origin")
        .json(&serde_json::json!({ "title": "from our own page" }))
        .send()
        .await
        .unwrap();
    assert_eq!(own_page.status(), 201);
}

#[tokio::test]
async fn a_refused_form_reaches_a_person_as_a_page_in_their_language_and_a_program_as_json() {
    let app = TestServer::start().await;
    let bad = "/email/unsubscribe/not-a-valid-link?lang=de";
    let person = form_from_a_link_page(app.client().post(app.url(bad)))
        .body("List-Unsubscribe=One-Click&back=page")
        .send()
        .await
        .unwrap();
    assert_eq!(person.status(), 401);
    assert!(person.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert_eq!(person.headers()["referrer-policy"], "no-referrer");
    let page = person.text().await.unwrap();
    assert!(page.contains("<html lang=\"de\" dir=\"ltr\">"), "{page}");
    assert!(page.contains(&text("de", "problem.link_invalid")), "{page}");
    assert!(page.contains("href=\"/email/unsubscribe/not-a-valid-link?lang=de\""));
    assert!(!page.contains("\"error\""), "no JSON: {page}");

    // A form from another site is refused with a page too, in the browser's language.
    let foreign = app
        .client()
        .post(app.url("/email/unsubscribe/not-a-valid-link"))
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .header("sec-fetch-mode", "navigate")
        .header("accept-language", "ar")
        .body("back=page")
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);
    let page = foreign.text().await.unwrap();
    assert!(page.contains("dir=\"rtl\""), "{page}");
    assert!(page.contains(&text("ar", "problem.forbidden")), "{page}");

    // A mail client's one-click POST, or any program, keeps the contract's JSON.
    let program = app
        .client()
        .post(app.url(bad))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(program.status(), 401);
    assert_eq!(crate::common::error_code(program).await, "unauthorized");
}

#[tokio::test]
async fn a_chunked_server_function_body_over_the_limit_is_413_and_changes_nothing() {
    let server = TestServer::start().await;
    let cookie = server.operator_cookie().await;
    let body = format!("title={}", "x".repeat(100 * 1024));
    // No Content-Length: the body arrives in chunks, and only reading it shows its size.
    let mut request = format!(
        "POST /api/sessions/create HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n"
    )
    .into_bytes();
    for chunk in body.as_bytes().chunks(8 * 1024) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let mut stream = tokio::net::TcpStream::connect(server.base.trim_start_matches("http://"))
        .await
        .unwrap();
    // The server may answer and close before it has read everything.
    let _ = stream.write_all(&request).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("payload_too_large"), "{answer}");
    let operator = server.signed_in().await;
    let sessions = server.get_json(&operator, "/api/v1/sessions").await;
    assert_eq!(sessions["sessions"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn an_unsubscribe_link_carrying_a_line_break_is_refused_without_a_500() {
    let server = TestServer::start().await;
    let response =
        form_from_a_link_page(server.client().post(
            server.url("/email/unsubscribe/abc%0D%0ALocation:%20evil.example%0D%0A?lang=de"),
        ))
        .body("back=page")
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    assert!((400..500).contains(&status), "{status}");
    assert!(response.headers().get("location").is_none());
    let page = response.text().await.unwrap();
    assert!(page.contains(&text("de", "problem.link_invalid")), "{page}");
}

#[tokio::test]
async fn a_page_rendered_in_a_chosen_language_keeps_that_choice_for_the_whole_site_and_a_year() {
    let app = TestServer::start().await;
    let page = app
        .client()
        .get(app.url("/support/guest/no-such-link"))
        .header("cookie", "i18n_pref_locale=de")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    let cookies: Vec<String> = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .filter(|cookie| cookie.starts_with("i18n_pref_locale="))
        .map(str::to_owned)
        .collect();
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    let attributes: Vec<&str> = cookies[0].split("; ").collect();
    assert_eq!(attributes[0], "i18n_pref_locale=de");
    // The same cookie as the language switcher's: a second one for this page's folder would
    // win over the reader's next choice on every page under it.
    for expected in ["Path=/", "Max-Age=31536000", "SameSite=Lax"] {
        assert!(attributes.contains(&expected), "{expected} in {cookies:?}");
    }
    assert!(page.text().await.unwrap().contains("<html lang=\"de\""));
}
