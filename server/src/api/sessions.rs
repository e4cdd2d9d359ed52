//! Remote-support sessions: create, list, end, rotate the guest link.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use switchboard::domain::{parse_outcome, SessionFilter, SessionReport, SessionTitle};
use switchboard::wire::{
    CreateSessionRequest, CreatedSession, EndSessionRequest, SessionEnvelope, SessionList,
};

use super::{parse_id, ApiJson, SignedIn};
use crate::error::ApiError;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/sessions", post(create_session).get(list_sessions))
        .route("/api/v1/sessions/{id}", get(get_session))
        .route("/api/v1/sessions/{id}/end", post(end_session))
        .route("/api/v1/sessions/{id}/rotate_link", post(rotate_link))
}

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

#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
    outcome: Option<String>,
}

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

async fn get_session(
    State(state): State<AppState>,
    _signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<SessionEnvelope>, ApiError> {
    let session = state.engine.session(parse_id(&id, "session")?).await?;
    Ok(Json(SessionEnvelope { session }))
}

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

async fn rotate_link(
    State(state): State<AppState>,
    _signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (_session, link) = state.engine.rotate_link(parse_id(&id, "session")?).await?;
    Ok(Json(link).into_response())
}
