//! The doors a website's visitors use (widget sign-in, contact details, reads, messages and the
//! socket): what a stranger holding one of them can and cannot make the server do.

use crate::common::ws::{connect, Handshake};
use crate::common::TestServer;

/// A session's guest token, made through the API.
async fn guest_token(server: &TestServer) -> String {
    let client = server.signed_in().await;
    let created = server.create_session(&client, Some("Doors")).await;
    created["guest_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_guest_socket_from_another_site_is_refused_even_with_a_widget_token_beside_it() {
    let server = TestServer::start().await;
    let guest = guest_token(&server).await;
    let evil = [("origin", "http://evil.example")];
    for query in [
        format!("?guest_token={guest}"),
        format!("?guest_token={guest}&widget_token=junk"),
    ] {
        match connect(&server.ws_url(&query), &evil).await {
            Handshake::Refused(status, _) => assert_eq!(status, 403, "{query}"),
            Handshake::Open(_) => panic!("{query} from evil.example was accepted"),
        }
    }
    let widget = server.anonymous_widget().await;
    let query = format!("?widget_token={}", widget.token);
    assert!(
        matches!(connect(&server.ws_url(&query), &evil).await, Handshake::Open(_)),
        "a customer's widget may speak from any embedding page when embedding is open to all"
    );
}
