//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of the REST routes, built from the
//! handlers' own `#[utoipa::path]` descriptions. utoipa-axum registers each route from its
//! description, so a route cannot be served without being in the document, nor listed without
//! being served.

use std::sync::LazyLock;

use axum::http::header;
use axum::response::IntoResponse;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// The security scheme of a signed-in operator: the session cookie.
pub(crate) const OPERATOR: &str = "operator";
/// The security scheme of a widget customer: `Authorization: Bearer <widget_token>`.
pub(crate) const CUSTOMER: &str = "customer";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Switchboard",
        description = "The REST API of Switchboard, a self-hosted real-time support chat. \
            Errors of every route share one shape, `{\"error\": {\"code\", \"message\"}}`; \
            the WebSocket at `GET /ws` is described in docs/API.md.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
    ),
    components(schemas(switchboard::wire::ErrorBody)),
    modifiers(&Schemes),
)]
struct Document;

/// Names the two ways a caller proves who it is.
struct Schemes;

impl Modify for Schemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            OPERATOR,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                app::cookies::SESSION_COOKIE,
                "Set by `POST /api/v1/auth/login`; named `__Host-switchboard_session` when the \
                 server runs behind HTTPS.",
            ))),
        );
        components.add_security_scheme(
            CUSTOMER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The `widget_token` that `POST /api/v1/widget/session` returns.",
                    ))
                    .build(),
            ),
        );
    }
}

/// Gives every operation the contract's error answer for the 4xx statuses it does not name:
/// every route can refuse a request (bad input, no sign-in, too many requests) in that one shape.
struct ErrorResponses;

impl Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let error = ResponseBuilder::new()
            .description(
                "Refused, in the contract's error shape; `error.code` names why \
                 (docs/API.md, \"Errors\").",
            )
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build();
        for item in openapi.paths.paths.values_mut() {
            let operations: [&mut Option<Operation>; 5] = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                let responses = &mut operation.responses.responses;
                if !responses.keys().any(|status| status.starts_with('4')) {
                    responses.insert("4XX".to_owned(), error.clone().into());
                }
            }
        }
    }
}

/// The document, built once.
static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    let (_, mut document) = super::documented().split_for_parts();
    ErrorResponses.modify(&mut document);
    document
        .to_json()
        .expect("the OpenAPI document serializes to JSON")
});

/// The document as JSON.
pub fn document() -> &'static str {
    &DOCUMENT
}

/// The root of the document: its description and security schemes, and its own route.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Document::openapi()).routes(routes!(openapi_json))
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "operations",
    responses((status = 200, description = "The OpenAPI 3.1 document of every REST route", content_type = "application/json", body = serde_json::Value)),
)]
async fn openapi_json() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        document(),
    )
}
