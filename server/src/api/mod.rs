//! The REST API of `shared/PROTOCOL.md`: one router per feature area, merged here. Each handler
//! parses, calls one use case, and renders.

mod appearance;
mod audit;
mod auth;
mod conversations;
mod customers;
mod email;
mod file_downloads;
mod files;
mod guest;
mod inbox;
mod invitations;
mod library;
mod me;
pub mod openapi;
mod search;
mod sessions;
mod team;
mod transcripts;
mod widget;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use switchboard::wire::MessageEnvelope;
use switchboard::Posted;
use utoipa_axum::router::OpenApiRouter;
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

pub use crate::extract::{ApiJson, SignedIn};

/// The REST routes: `/api/v1`, the guests' `/support/guest/{token}/…`, the email links' and the
/// health checks.
pub fn routes() -> Router<AppState> {
    documented().split_for_parts().0
}

/// The REST routes with their OpenAPI descriptions.
fn documented() -> OpenApiRouter<AppState> {
    openapi::routes()
        .merge(crate::health::routes())
        .merge(appearance::routes())
        .merge(audit::routes())
        .merge(invitations::routes())
        .merge(me::routes())
        .merge(auth::routes())
        .merge(sessions::routes())
        .merge(conversations::routes())
        .merge(customers::routes())
        .merge(email::routes())
        .merge(files::routes())
        .merge(file_downloads::routes())
        .merge(guest::routes())
        .merge(inbox::routes())
        .merge(library::routes())
        .merge(search::routes())
        .merge(team::routes())
        .merge(transcripts::routes())
        .merge(widget::routes())
}

/// 201 for a new message, 200 for a repeated `client_id`.
pub(crate) fn posted_response(posted: Posted) -> Response {
    let status = if posted.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (
        status,
        Json(MessageEnvelope {
            message: posted.message,
        }),
    )
        .into_response()
}

/// The headers of a download named `name`: saved as a file, never cached.
pub(crate) fn download_headers(name: &str) -> [(axum::http::HeaderName, String); 2] {
    [
        (
            axum::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ),
        (axum::http::header::CACHE_CONTROL, "no-store".to_owned()),
    ]
}

/// A query value as sent, an empty one read as absent.
pub(crate) fn given(value: Option<String>) -> Option<String> {
    value.filter(|s| !s.is_empty())
}

/// An optional id in a query: `field` is `invalid` when it is not a UUID.
pub(crate) fn query_id(
    field: &'static str,
    value: Option<String>,
) -> Result<Option<Uuid>, switchboard::domain::Invalid> {
    given(value)
        .map(|raw| {
            Uuid::parse_str(&raw)
                .map_err(|_| switchboard::domain::Invalid::new(field, "must be an id"))
        })
        .transpose()
}

/// An optional whole number in a query: `field` is `invalid` when it is not one.
pub(crate) fn query_number(
    field: &'static str,
    value: Option<String>,
) -> Result<Option<i64>, switchboard::domain::Invalid> {
    given(value)
        .map(|raw| {
            raw.parse::<i64>()
                .map_err(|_| switchboard::domain::Invalid::new(field, "must be a number"))
        })
        .transpose()
}

/// An id in the path; one that is not a UUID cannot name anything, so it is `not_found`.
pub(crate) fn parse_id(raw: &str, what: &'static str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| switchboard::Error::NotFound(what).into())
}
