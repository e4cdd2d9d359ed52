//! The team's labels and canned replies.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch};
use axum::{Json, Router};
use serde::Deserialize;
use switchboard::domain::{CannedReplyChange, Invalid, LabelColor, LabelName};
use switchboard::wire::{
    CannedReplyEnvelope, CannedReplyList, CannedReplyRequest, LabelEnvelope, LabelList,
    LabelRequest,
};

use super::{parse_id, ApiJson, SignedIn};
use crate::error::ApiError;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/labels", get(labels).post(create_label))
        .route(
            "/api/v1/labels/{id}",
            patch(change_label).delete(delete_label),
        )
        .route(
            "/api/v1/canned_replies",
            get(canned_replies).post(create_canned_reply),
        )
        .route(
            "/api/v1/canned_replies/{id}",
            patch(change_canned_reply).delete(delete_canned_reply),
        )
}

async fn labels(
    State(state): State<AppState>,
    _signed_in: SignedIn,
) -> Result<Json<LabelList>, ApiError> {
    let labels = state.engine.labels().await?;
    Ok(Json(LabelList { labels }))
}

async fn create_label(
    State(state): State<AppState>,
    signed_in: SignedIn,
    ApiJson(body): ApiJson<LabelRequest>,
) -> Result<Response, ApiError> {
    let name = LabelName::parse(body.name.as_deref().unwrap_or(""))?;
    let color = LabelColor::parse(
        body.color
            .as_deref()
            .ok_or_else(|| Invalid::new("color", "is required"))?,
    )?;
    let label = state
        .engine
        .create_label(&signed_in.operator, name, color)
        .await?;
    Ok((StatusCode::CREATED, Json(LabelEnvelope { label })).into_response())
}

async fn change_label(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<LabelRequest>,
) -> Result<Json<LabelEnvelope>, ApiError> {
    let id = parse_id(&id, "label")?;
    let name = body.name.as_deref().map(LabelName::parse).transpose()?;
    let color = body.color.as_deref().map(LabelColor::parse).transpose()?;
    let label = state
        .engine
        .change_label(&signed_in.operator, id, name, color)
        .await?;
    Ok(Json(LabelEnvelope { label }))
}

async fn delete_label(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, "label")?;
    state.engine.delete_label(&signed_in.operator, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct Search {
    q: Option<String>,
}

async fn canned_replies(
    State(state): State<AppState>,
    _signed_in: SignedIn,
    query: Result<Query<Search>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<CannedReplyList>, ApiError> {
    let Query(search) = query.map_err(|e| ApiError::BadBody(e.body_text()))?;
    let canned_replies = state
        .engine
        .canned_replies(search.q.as_deref().unwrap_or(""))
        .await?;
    Ok(Json(CannedReplyList { canned_replies }))
}

fn change_of(body: &CannedReplyRequest) -> Result<CannedReplyChange, Invalid> {
    CannedReplyChange::parse(
        body.shortcut.as_deref(),
        body.title.as_deref(),
        body.content.as_deref(),
    )
}

async fn create_canned_reply(
    State(state): State<AppState>,
    signed_in: SignedIn,
    ApiJson(body): ApiJson<CannedReplyRequest>,
) -> Result<Response, ApiError> {
    let canned_reply = state
        .engine
        .create_canned_reply(&signed_in.operator, change_of(&body)?)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CannedReplyEnvelope { canned_reply }),
    )
        .into_response())
}

async fn change_canned_reply(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CannedReplyRequest>,
) -> Result<Json<CannedReplyEnvelope>, ApiError> {
    let id = parse_id(&id, "canned reply")?;
    let canned_reply = state
        .engine
        .change_canned_reply(&signed_in.operator, id, change_of(&body)?)
        .await?;
    Ok(Json(CannedReplyEnvelope { canned_reply }))
}

async fn delete_canned_reply(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, "canned reply")?;
    state
        .engine
        .delete_canned_reply(&signed_in.operator, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
