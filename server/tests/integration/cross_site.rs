//! Requests from elsewhere: other sites' writes, content types, origins, HTTPS deployments,
//! idle sessions and names that could mislead.

use std::time::Duration;

use crate::common::ws::{connect, open, Handshake};
use crate::common::{error_code, TestServer, PASSWORD};
use serde_json::json;

use crate::hardening::{login_body, session};

#[tokio::test]
async fn writes_from_other_sites_are_refused_on_every_door() {
    let server = TestServer::start().await;
    let client = server.signed_in().await;
    for (path, origin_or_site) in [
        ("/api/v1/sessions", ("origin", "https://evil.example")),
        ("/api/v1/sessions", ("sec-fetch-site", "cross-site")),
        ("/api/v1/auth/logout", ("origin", "https://evil.example")),
        ("/api/v1/auth/login", ("origin", "null")),
    ] {
        let response = client
            .post(server.url(path))
            .header(origin_or_site.0, origin_or_site.1)
            .json(&login_body(PASSWORD))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{path} {origin_or_site:?}");
        assert_eq!(error_code(response).await, "forbidden");
    }
    let server_fn = client
        .post(server.url("/api/sessions/create"))
        .header("origin", "https://evil.example")
        .form(&[("title", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(server_fn.status(), 403);
    // Our own origin is fine, and the session survived all of the above.
    let own = client
        .post(server.url("/api/v1/sessions"))
        .header("origin", "http://support.test")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 201);
}

#[tokio::test]
async fn json_routes_refuse_other_content_types_with_415() {
    let server = TestServer::start().await;
    let client = server.signed_in().await;
    let response = client
        .post(server.url("/api/v1/sessions"))
        .header("content-type", "text/plain")
        .body(r#"{"title":"x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    assert_eq!(error_code(response).await, "unsupported_media_type");
}

#[tokio::test]
async fn signing_out_without_a_session_changes_nothing() {
    let server = TestServer::start().await;
    let response = server
        .client()
        .post(server.url("/api/logout"))
        .send()
        .await
        .unwrap();
    assert!(response.headers().get("set-cookie").is_none());
}

#[tokio::test]
async fn the_socket_trusts_our_public_origin_not_the_host_header() {
    let server = TestServer::start().await;
    let (_, _, token) = session(&server).await;
    let url = server.ws_url(&format!("?guest_token={token}"));
    // The request's own host, but not our public origin (http://support.test).
    let own_host = server.base.clone();
    match connect(&url, &[("origin", &own_host)]).await {
        Handshake::Refused(status, _) => assert_eq!(status, 403),
        Handshake::Open(_) => panic!("an origin matching only the Host header was accepted"),
    }
    let _ok = open(&url, &[("origin", "http://support.test")]).await;
}

#[tokio::test]
async fn https_deployments_get_hsts_and_a_host_prefixed_cookie_and_api_answers_are_not_stored() {
    let server =
        TestServer::start_with(&[("SWITCHBOARD_PUBLIC_URL", "https://support.test")]).await;
    let response = server
        .client()
        .post(server.url("/api/v1/auth/login"))
        .json(&login_body(PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers();
    assert!(headers["strict-transport-security"]
        .to_str()
        .unwrap()
        .starts_with("max-age="));
    assert_eq!(headers["cache-control"], "no-store");
    let cookie = headers["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("__Host-switchboard_session="),
        "{cookie}"
    );
    assert!(cookie.contains("; Secure") && cookie.contains("Path=/"));
}

#[tokio::test]
async fn an_idle_operator_session_ends_before_its_maximum_age() {
    let server = TestServer::start().await;
    let client = server.signed_in().await;
    assert_eq!(server.get(&client, "/api/v1/sessions").await.status(), 200);
    // Just under the idle timeout (72 hours) the session still works, and that use counts.
    server.clock.advance(Duration::from_secs(72 * 3600 - 60));
    assert_eq!(server.get(&client, "/api/v1/sessions").await.status(), 200);
    server.clock.advance(Duration::from_secs(72 * 3600 - 60));
    assert_eq!(server.get(&client, "/api/v1/sessions").await.status(), 200);
    // Then 72 hours without use.
    server.clock.advance(Duration::from_secs(72 * 3600));
    assert_eq!(server.get(&client, "/api/v1/sessions").await.status(), 401);
}

#[tokio::test]
async fn names_with_direction_overrides_are_refused() {
    let server = TestServer::start().await;
    let client = server.signed_in().await;
    let response = client
        .post(server.url("/api/v1/sessions"))
        .json(&json!({"title": "Invoice \u{202E}fdp.exe"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let (_, _, token) = session(&server).await;
    let url = server.ws_url(&format!("?guest_token={token}&guest_name=%E2%80%AEnnA"));
    assert!(matches!(
        connect(&url, &[]).await,
        Handshake::Refused(422, _)
    ));
}
