//! Double opt-in (PROTOCOL v1.1, "Widget identity"): an address nobody vouched for is sent a
//! confirmation link, gets no reply email until it is confirmed, and gets at most three
//! confirmation emails a day.

use std::path::PathBuf;
use std::time::Duration;

use crate::common::widget::Widget;
use crate::common::{text, TestServer};
use reqwest::Method;
use serde_json::json;

/// The `.eml` files in the mail folder, oldest first, once there are `count` of them.
async fn emails_written(server: &TestServer, count: usize) -> Vec<String> {
    for _ in 0..500 {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&server.mail_dir)
            .map(|dir| dir.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        if files.len() >= count {
            files.sort();
            return files
                .iter()
                .map(|f| std::fs::read_to_string(f).unwrap())
                .collect();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("fewer than {count} emails were written");
}

/// The confirmation link's path in a raw email (its text part is 7-bit or quoted-printable).
fn confirm_path(raw: &str) -> String {
    let unfolded = raw
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    let start = unfolded
        .find("http://support.test/email/confirm/")
        .expect("a confirmation link");
    let url: String = unfolded[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<')
        .collect();
    url.trim_start_matches("http://support.test").to_owned()
}

async fn type_details(server: &TestServer, widget: &Widget, email: &str) -> serde_json::Value {
    let response = server
        .widget_request(widget, Method::PATCH, "/api/v1/widget/customer")
        .json(&json!({"email": email, "name": "Ann! Account locked - verify at https://evil.example/x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// The customer as the widget sees them now (an empty PATCH changes nothing).
async fn customer_now(server: &TestServer, widget: &Widget) -> serde_json::Value {
    let response = server
        .widget_request(widget, Method::PATCH, "/api/v1/widget/customer")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    body["customer"].clone()
}

/// Posts the confirmation page's form, as a browser does from the page.
async fn press_confirm(server: &TestServer, path: &str) -> reqwest::Response {
    server
        .client()
        .post(server.url(path))
        .header("origin", "null")
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("back=page")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_typed_address_gets_a_confirmation_link_and_reply_emails_only_once_confirmed() {
    let server = TestServer::start().await;
    let widget = server.anonymous_widget().await;
    let typed = type_details(&server, &widget, "ann@example.com").await;
    assert_eq!(typed["customer"]["email_verified"], false);
    let confirmation = emails_written(&server, 1).await.remove(0);
    assert!(
        confirmation.contains("To: ann@example.com"),
        "{confirmation}"
    );
    assert!(
        !confirmation.contains("evil.example") && !confirmation.contains("Account locked"),
        "nothing the visitor typed but the address: {confirmation}"
    );
    let path = confirm_path(&confirmation);

    // A reply before confirming is not emailed.
    let operator = server.signed_in().await;
    server
        .operator_post(&operator, &widget.conversation_id, "First reply")
        .await;
    server.clock.advance(Duration::from_secs(300));
    let skipped = server
        .wait_for_email(&operator, &widget.conversation_id, "skipped")
        .await;
    assert_eq!(skipped["reason"], "no_email");

    // Opening the page changes nothing; its button confirms.
    let page = server.client().get(server.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains(&text("en", "confirm_email.button")));
    let pressed = press_confirm(&server, &path).await;
    assert_eq!(pressed.status(), 303);
    let back = server.client().get(server.url(&path)).send().await.unwrap();
    assert!(back
        .text()
        .await
        .unwrap()
        .contains(&text("en", "confirm_email.done")));
    assert_eq!(customer_now(&server, &widget).await["email_verified"], true);

    // Now a reply is emailed, with its text, and without the typed name.
    server
        .operator_post(&operator, &widget.conversation_id, "Second reply")
        .await;
    server.clock.advance(Duration::from_secs(300));
    let sent = server
        .wait_for_email(&operator, &widget.conversation_id, "sent")
        .await;
    assert_eq!(sent["recipient"], "ann@example.com");
    let reply = emails_written(&server, 2)
        .await
        .into_iter()
        .find(|e| e.contains("Second reply"))
        .expect("the reply email quotes the reply");
    assert!(!reply.contains("Account locked"), "{reply}");
}

#[tokio::test]
async fn a_customer_gets_at_most_three_confirmation_emails_a_day() {
    let server = TestServer::start().await;
    let widget = server.anonymous_widget().await;
    for i in 0..5 {
        type_details(&server, &widget, &format!("try{i}@example.com")).await;
    }
    let count = || async {
        server
            .store
            .db()
            .confirmations_since(&widget.customer_id, 0)
            .await
            .unwrap()
    };
    assert_eq!(count().await, switchboard::mail::CONFIRMATIONS_PER_DAY);
    emails_written(&server, 3).await;
    server.clock.advance(Duration::from_secs(24 * 3600 + 1));
    // The day's token has expired too: the visitor comes back with their visitor token.
    let again = server
        .widget_with(json!({"visitor_token": widget.session["visitor_token"]}))
        .await;
    type_details(&server, &again, "next-day@example.com").await;
    assert_eq!(count().await, 4, "a new day, a new allowance");
}

#[tokio::test]
async fn a_link_confirms_only_the_address_it_was_sent_to() {
    let server = TestServer::start().await;
    let widget = server.anonymous_widget().await;
    type_details(&server, &widget, "first@example.com").await;
    let path = confirm_path(&emails_written(&server, 1).await[0]);
    type_details(&server, &widget, "second@example.com").await;
    let pressed = press_confirm(&server, &path).await;
    assert_eq!(pressed.status(), 410);
    let now = customer_now(&server, &widget).await;
    assert_eq!(now["email"], "second@example.com");
    assert_eq!(now["email_verified"], false);
    let forged = press_confirm(&server, "/email/confirm/not-a-link").await;
    assert_eq!(forged.status(), 401);
}
