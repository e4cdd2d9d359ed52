//! `GET /api/v1/openapi.json`: the document names every REST route of docs/API.md, and each
//! route it names is one the server serves.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::common::TestServer;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Routes docs/API.md names that are pages, a socket or the metrics listener, not REST routes.
const NOT_REST: [&str; 12] = [
    "GET /chat/{}",
    "GET /email/unsubscribe/{}",
    "GET /email/resubscribe/{}",
    "GET /email/confirm/{}",
    "GET /support/guest/{}",
    "GET /invite/{}",
    "GET /reset/{}",
    "GET /ws",
    "GET /metrics",
    "GET /widget",
    "GET /widget.js",
    "GET /embed/launcher",
];

async fn document(server: &TestServer) -> Value {
    let response = server.get(&server.client(), "/api/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    response.json().await.expect("a JSON document")
}

/// Every `METHOD /path` of the document.
fn operations(document: &Value) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in METHODS {
            if item.get(method).is_some() {
                found.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    found
}

/// `route` with each parameter segment written `{}`, whatever its name.
fn unnamed(route: &str) -> String {
    route
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') || segment.starts_with(':') {
                "{}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Every `METHOD /path` docs/API.md names in code spans, with parameter segments written `{}`
/// and queries left off.
fn routes_in_the_api_guide() -> BTreeSet<String> {
    let guide = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/API.md"))
        .expect("docs/API.md");
    let mut found = BTreeSet::new();
    for span in guide.split('`').skip(1).step_by(2) {
        let Some((method, path)) = span.split_once(' ') else {
            continue;
        };
        if !METHODS.contains(&method.to_lowercase().as_str()) || !path.starts_with('/') {
            continue;
        }
        let path = path.split(['?', ' ']).next().unwrap_or_default();
        found.insert(unnamed(&format!("{method} {path}")));
    }
    found
}

#[tokio::test]
async fn the_openapi_document_is_version_3_1_and_names_every_rest_route_of_the_api_guide() {
    let server = TestServer::start().await;
    let document = document(&server).await;
    assert!(
        document["openapi"].as_str().unwrap().starts_with("3.1."),
        "{}",
        document["openapi"]
    );
    let documented = operations(&document);
    let unnamed_documented: BTreeSet<String> = documented.iter().map(|r| unnamed(r)).collect();
    let guide = routes_in_the_api_guide();
    assert!(guide.len() > 40, "the guide's routes were read: {guide:?}");
    let missing: Vec<&String> = guide
        .iter()
        .filter(|route| !unnamed_documented.contains(*route) && !NOT_REST.contains(&route.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "routes of docs/API.md missing from the document: {missing:?}"
    );
    for route in ["GET /healthz", "GET /readyz", "GET /api/v1/openapi.json"] {
        assert!(documented.contains(route), "{route}");
    }
}

#[tokio::test]
async fn every_operation_has_its_own_id_and_every_schema_it_refers_to_is_in_the_document() {
    let server = TestServer::start().await;
    let document = document(&server).await;
    let mut ids = BTreeSet::new();
    for item in document["paths"].as_object().unwrap().values() {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                let id = operation["operationId"].as_str().expect("an operationId");
                assert!(ids.insert(id.to_owned()), "operationId {id} is used twice");
            }
        }
    }
    let text = document.to_string();
    let schemas = document["components"]["schemas"].as_object().unwrap();
    for reference in text.split("\"$ref\":\"").skip(1) {
        let target = reference.split('"').next().unwrap();
        if let Some(name) = target.strip_prefix("#/components/schemas/") {
            assert!(
                schemas.contains_key(name),
                "{target} is not in the document"
            );
        }
    }
}

#[tokio::test]
async fn every_operation_the_document_names_is_served() {
    let server = TestServer::start().await;
    let document = document(&server).await;
    let client = server.client();
    let operations = operations(&document);
    assert!(operations.len() > 60, "{operations:?}");
    for operation in operations {
        let (method, path) = operation.split_once(' ').unwrap();
        // Any value in the path: an unknown id or token is the route's own `not_found`.
        let path: Vec<&str> = path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    "00000000-0000-0000-0000-000000000000"
                } else {
                    segment
                }
            })
            .collect();
        let url = server.url(&path.join("/"));
        let response = client
            .request(method.parse().unwrap(), url)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .expect("an answer");
        let status = response.status();
        assert_ne!(status, 405, "{operation}: the method is not served");
        if status == 404 {
            let body: Value = response.json().await.unwrap_or(Value::Null);
            assert_eq!(body["error"]["code"], "not_found", "{operation}: {body}");
            assert_ne!(
                body["error"]["message"], "no such endpoint",
                "{operation}: the path is not served"
            );
        }
    }
}

#[tokio::test]
async fn a_json_null_body_reads_as_no_body_as_the_documents_optional_bodies_allow() {
    let server = TestServer::start().await;
    let client = server.signed_in().await;
    let created = client
        .post(server.url("/api/v1/sessions"))
        .header("content-type", "application/json")
        .body("null")
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let session: Value = created.json().await.unwrap();
    assert_eq!(session["session"]["title"], Value::Null);
    // A body the route needs is still needed.
    let read = client
        .post(server.url(&format!(
            "/api/v1/conversations/{}/read",
            session["session"]["conversation_id"].as_str().unwrap()
        )))
        .header("content-type", "application/json")
        .body("null")
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 422);
}

#[tokio::test]
async fn a_file_download_is_documented_in_every_content_type_a_stored_file_can_have() {
    let server = TestServer::start().await;
    let document = document(&server).await;
    for path in [
        "/api/v1/files/{file}",
        "/api/v1/widget/files/{file}",
        "/support/guest/{token}/files/{file}",
    ] {
        let content = &document["paths"][path]["get"]["responses"]["200"]["content"];
        for kind in switchboard::domain::FileKind::ALL {
            assert!(
                content.get(kind.mime()).is_some(),
                "{path} does not name {}",
                kind.mime()
            );
        }
    }
}
