//! The widget's appearance over HTTP: anyone reads it, operators set it, bad values are refused
//! with nothing changed, and the widget page wears it.

use serde_json::{json, Value};

use crate::common::{error_code, TestServer};

async fn appearance(server: &TestServer) -> Value {
    let response = server
        .get(&server.client(), "/api/v1/widget/appearance")
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn put(server: &TestServer, client: &reqwest::Client, body: Value) -> reqwest::Response {
    client
        .put(server.url("/api/v1/widget/appearance"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn operators_set_the_widgets_appearance_and_anyone_reads_it() {
    let server = TestServer::start().await;
    assert_eq!(
        appearance(&server).await,
        json!({"team_name": null, "greeting": null, "color": "#2452d4",
               "position": "right", "theme": "auto", "reply_time": "minutes"})
    );

    let chosen = json!({"team_name": " Acme Help ", "greeting": "Hi, Acme here.",
                        "color": "#0A7D48", "position": "left", "theme": "dark",
                        "reply_time": "hours"});
    // Not signed in: refused, nothing changed.
    let anonymous = put(&server, &server.client(), chosen.clone()).await;
    assert_eq!(anonymous.status(), 401);
    assert_eq!(appearance(&server).await["color"], "#2452d4");

    let operator = server.signed_in().await;
    let saved = put(&server, &operator, chosen).await;
    assert_eq!(saved.status(), 200);
    let expected = json!({"team_name": "Acme Help", "greeting": "Hi, Acme here.",
                          "color": "#0a7d48", "position": "left", "theme": "dark",
                          "reply_time": "hours"});
    assert_eq!(saved.json::<Value>().await.unwrap(), expected);
    assert_eq!(appearance(&server).await, expected);

    // The widget page wears the colour and the team's name.
    let page = server
        .get(&server.client(), "/widget")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("--accent:#0a7d48"),
        "the brand colour is on the page"
    );
    assert!(page.contains("Acme Help"), "the team's name is on the page");
}

#[tokio::test]
async fn a_bad_appearance_is_refused_by_field_and_changes_nothing() {
    let server = TestServer::start().await;
    let operator = server.signed_in().await;
    for (body, field) in [
        (json!({"color": "blue"}), "color"),
        (json!({"color": "#12345"}), "color"),
        (
            json!({"color": "#123456", "team_name": "x".repeat(61)}),
            "team_name",
        ),
        (
            json!({"color": "#123456", "greeting": "two\nlines"}),
            "greeting",
        ),
    ] {
        let response = put(&server, &operator, body).await;
        assert_eq!(response.status(), 422);
        let text = response.text().await.unwrap();
        assert!(text.contains(field), "{text} names {field}");
    }
    let unknown_position = put(
        &server,
        &operator,
        json!({"color": "#123456", "position": "top"}),
    )
    .await;
    assert_eq!(error_code(unknown_position).await, "invalid");
    assert_eq!(appearance(&server).await["color"], "#2452d4");
}
