//! Remote-support sessions: create, list, end, rotate the guest link.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use switchboard::domain::{parse_outcome, SessionFilter, SessionReport, SessionTitle};
use switchboard::wire::{
    CreateSessionRequest, CreatedSession, EndSessionRequest, GuestLink, SessionEnvelope,
    SessionList,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{parse_id, ApiJson, SignedIn};
use crate::error::ApiError;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_session, list_sessions))
        .routes(routes!(get_session))
        .routes(routes!(end_session))
        .routes(routes!(rotate_link))
}

/// Opens a session and makes its guest link.
#[utoipa::path(
    post,
    path = "/api/v1/sessions",
    tag = "sessions",
    security(("operator" = [])),
    request_body = CreateSessionRequest,
    responses((status = 201, description = "The session and its guest link", body = CreatedSession)),
)]

async fn create_session(
    State(state): State<AppState>,
    signed_in: SignedIn,
    ApiJson(body): ApiJson<CreateSessionRequest>,
) -> Result<Response, ApiError> {
    let title = SessionTitle::parse(body.title.as_deref().unwrap_or_default())?;
    let (session, link) = state
        .engine
        .create_session(&signed_in.operator, title)
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedSession { session, link })).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// `open` (waiting or active) or `ended`; all when absent.
    #[param(pattern = "^(open|ended)$")]
    status: Option<String>,
    /// `resolved`, `unresolved` or `unknown`: only ended sessions with that outcome.
    #[param(pattern = "^(resolved|unresolved|unknown)$")]
    outcome: Option<String>,
}

/// Lists sessions, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/sessions",
    tag = "sessions",
    security(("operator" = [])),
    params(ListQuery),
    responses((status = 200, description = "The sessions", body = SessionList)),
)]

async fn list_sessions(
    State(state): State<AppState>,
    _signed_in: SignedIn,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<SessionList>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadBody(e.body_text()))?;
    let filter = SessionFilter::parse(query.status.as_deref())?;
    let outcome = parse_outcome(query.outcome.as_deref())?;
    let sessions = state.engine.list_sessions(filter, outcome).await?;
    Ok(Json(SessionList { sessions }))
}

/// One session.
#[utoipa::path(
    get,
    path = "/api/v1/sessions/{id}",
    tag = "sessions",
    security(("operator" = [])),
    params(("id" = Uuid, Path, description = "The session's id")),
    responses((status = 200, description = "The session", body = SessionEnvelope)),
)]
async fn get_session(
    State(state): State<AppState>,
    _signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<SessionEnvelope>, ApiError> {
    let session = state.engine.session(parse_id(&id, "session")?).await?;
    Ok(Json(SessionEnvelope { session }))
}

/// Ends a session, with an optional report; its guest is cut off.
#[utoipa::path(
    post,
    path = "/api/v1/sessions/{id}/end",
    tag = "sessions",
    security(("operator" = [])),
    params(("id" = Uuid, Path, description = "The session's id")),
    request_body(content = Option<EndSessionRequest>, description = "An outcome and notes, or nothing"),
    responses((status = 200, description = "The ended session", body = SessionEnvelope)),
)]
async fn end_session(
    State(state): State<AppState>,
    _signed_in: SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EndSessionRequest>,
) -> Result<Json<SessionEnvelope>, ApiError> {
    let id = parse_id(&id, "session")?;
    // No body (or `{}`): no report.
    let report = match (body.outcome.as_deref(), body.report.as_deref()) {
        (None, None) => None,
        (outcome, report) => Some(SessionReport::parse(outcome, report)?),
    };
    let session = state.engine.end_session(id, report).await?;
    Ok(Json(SessionEnvelope { session }))
}

/// Replaces the guest link: the old one stops working and its guest is cut off.
#[utoipa::path(
    post,
    path = "/api/v1/sessions/{id}/rotate_link",
    tag = "sessions",
    security(("operator" = [])),
    params(("id" = Uuid, Path, description = "The session's id")),
    responses((status = 200, description = "The new guest link", body = GuestLink)),
)]
async fn rotate_link(
    State(state): State<AppState>,
    _signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (_session, link) = state.engine.rotate_link(parse_id(&id, "session")?).await?;
    Ok(Json(link).into_response())
}
