//! Reply emails through the real server: a reply the customer leaves unread reaches a real SMTP
//! server on loopback; its link opens the conversation; its one-click unsubscribe works; and
//! operators see what happened.

use std::time::Duration;

use serde_json::json;

use crate::common::smtp_server::{Received, TestSmtpServer};
use crate::common::{error_code, TestServer};

/// Waits for the server's worker to hand `count` emails to the SMTP server.
async fn delivered(smtp: &TestSmtpServer, count: usize) -> Vec<Received> {
    for _ in 0..500 {
        let received = smtp.received();
        if received.len() >= count {
            return received;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!(
        "{count} emails did not arrive; got {:?}",
        smtp.received().len()
    );
}

/// The link after `label: ` in a text part.
fn link_after<'a>(text: &'a str, label: &str) -> &'a str {
    let start = text
        .find(label)
        .unwrap_or_else(|| panic!("{label} in {text}"))
        + label.len();
    text[start..].split_whitespace().next().unwrap()
}

#[tokio::test]
async fn an_unread_reply_reaches_a_real_smtp_server_and_its_link_opens_the_chat() {
    let smtp = TestSmtpServer::start();
    let app = TestServer::start_with(&[
        ("SWITCHBOARD_SMTP_URL", smtp.url().as_str()),
        ("SWITCHBOARD_EMAIL_FROM", "Acme Support <help@acme.test>"),
        ("SWITCHBOARD_PRODUCT_NAME", "Acme"),
    ])
    .await;
    let operator = app.signed_in().await;
    let ann = app.signed_widget("ann-1", "ann@example.com", "Ann").await;
    app.operator_post(
        &operator,
        &ann.conversation_id,
        "Your parcel left our warehouse today.",
    )
    .await;
    let emails = app
        .get_json(
            &operator,
            &format!("/api/v1/conversations/{}/emails", ann.conversation_id),
        )
        .await;
    assert_eq!(emails["emails"][0]["status"], "scheduled");

    app.clock.advance(Duration::from_secs(300));
    let received = delivered(&smtp, 1).await;
    assert_eq!(received.len(), 1);
    let mail = &received[0];
    assert_eq!(mail.from, "help@acme.test");
    assert_eq!(mail.to, vec!["ann@example.com".to_owned()]);
    let message = mail_parser::MessageParser::default()
        .parse(mail.data.as_bytes())
        .expect("an email");
    assert_eq!(message.subject(), Some("New reply from Acme Support"));
    let text = message.body_text(0).expect("a text part").into_owned();
    let html = message.body_html(0).expect("an HTML part").into_owned();
    assert!(text.contains("Your parcel left our warehouse today."));
    assert!(html.contains("Your parcel left our warehouse today."));
    assert!(text.contains("Hello Ann,"));
    let message_id = message.message_id().expect("a Message-ID");
    assert!(message_id.ends_with("@support.test"), "{message_id}");
    let unsubscribe = message
        .header_raw("List-Unsubscribe")
        .expect("List-Unsubscribe")
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned();
    assert!(unsubscribe.starts_with("http://support.test/email/unsubscribe/"));
    assert_eq!(
        message.header_raw("List-Unsubscribe-Post").map(str::trim),
        Some("List-Unsubscribe=One-Click")
    );

    // The link opens Ann's conversation, on the hosted page, where she can answer.
    let chat_url = link_after(&text, "Open the chat: ");
    assert!(html.contains(chat_url));
    let link = chat_url
        .trim_start_matches("http://support.test/chat/")
        .to_owned();
    let page = app.get(&app.client(), &format!("/chat/{link}")).await;
    assert_eq!(page.status(), 200);
    // The link is a credential: it must not leak through a referrer or a cache.
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    assert_eq!(page.headers()["cache-control"], "no-store");
    let hosted = app.widget_with(json!({ "link": link })).await;
    assert_eq!(hosted.conversation_id, ann.conversation_id);
    assert_eq!(hosted.customer_id, ann.customer_id);
    let messages = app.widget_messages(&hosted, 0).await;
    assert_eq!(
        messages["messages"][0]["content"],
        "Your parcel left our warehouse today."
    );
    assert_eq!(
        app.widget_post(&hosted, "Thanks, got it!").await.status(),
        201
    );

    let history = app
        .get_json(
            &operator,
            &format!("/api/v1/conversations/{}/emails", ann.conversation_id),
        )
        .await;
    let sent = &history["emails"][0];
    assert_eq!(sent["status"], "sent");
    assert_eq!(sent["recipient"], "ann@example.com");
    assert_eq!(sent["replies"], 1);

    // One click from the mail client, as RFC 8058 has it.
    let path = unsubscribe.trim_start_matches("http://support.test");
    let response = app
        .client()
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    app.operator_post(&operator, &ann.conversation_id, "One more thing.")
        .await;
    app.clock.advance(Duration::from_secs(300));
    let after = app
        .wait_for_email(&operator, &ann.conversation_id, "skipped")
        .await;
    assert_eq!(after["reason"], "unsubscribed");
    assert_eq!(smtp.received().len(), 1);
}

#[tokio::test]
async fn bad_links_are_refused_and_change_nothing() {
    let app = TestServer::start().await;
    let ann = app.signed_widget("ann-2", "ann@example.com", "Ann").await;
    for link in [
        "",
        "not-a-link",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        let response = app.widget_session_raw(json!({ "link": link })).await;
        if link.is_empty() {
            // An empty link is no link: an anonymous visitor starts.
            assert_eq!(response.status(), 200);
            continue;
        }
        assert_eq!(response.status(), 401, "{link}");
        assert_eq!(error_code(response).await, "unauthorized");
        let response = app
            .client()
            .post(app.url(&format!("/email/unsubscribe/{link}")))
            .body("List-Unsubscribe=One-Click")
            .header("content-type", "application/x-www-form-urlencoded")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{link}");
    }
    let operator = app.signed_in().await;
    let missing = app
        .get(
            &operator,
            "/api/v1/conversations/00000000-0000-7000-8000-000000000000/emails",
        )
        .await;
    assert_eq!(missing.status(), 404);
    let anonymous = app
        .get(
            &app.client(),
            &format!("/api/v1/conversations/{}/emails", ann.conversation_id),
        )
        .await;
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn without_smtp_an_unread_reply_becomes_an_eml_file() {
    let app = TestServer::start().await;
    let operator = app.signed_in().await;
    let ann = app.signed_widget("ann-3", "ann@example.com", "Ann").await;
    app.operator_post(&operator, &ann.conversation_id, "Written to a file.")
        .await;
    app.clock.advance(Duration::from_secs(300));
    let sent = app
        .wait_for_email(&operator, &ann.conversation_id, "sent")
        .await;
    let file = app
        .mail_dir
        .join(format!("{}.eml", sent["id"].as_str().unwrap()));
    let raw = std::fs::read(&file).expect("the .eml file");
    let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
    assert_eq!(
        message.subject(),
        Some("New reply from Switchboard Support")
    );
    assert!(message.body_text(0).unwrap().contains("Written to a file."));
}
