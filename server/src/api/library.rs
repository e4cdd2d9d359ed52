//! The team's labels and canned replies.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use switchboard::domain::{CannedReplyChange, Invalid, LabelColor, LabelName};
use switchboard::wire::{
    CannedReplyEnvelope, CannedReplyList, CannedReplyRequest, LabelEnvelope, LabelList,
    LabelRequest,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{parse_id, ApiJson, SignedIn};
use crate::error::ApiError;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_labels, create_label))
        .routes(routes!(change_label, delete_label))
        .routes(routes!(canned_replies, create_canned_reply))
        .routes(routes!(change_canned_reply, delete_canned_reply))
}

/// The team's labels, by name.
#[utoipa::path(
    get,
    path = "/api/v1/labels",
    tag = "library",
    security(("operator" = [])),
    responses((status = 200, description = "The labels", body = LabelList)),
)]
async fn list_labels(
    State(state): State<AppState>,
    _signed_in: SignedIn,
) -> Result<Json<LabelList>, ApiError> {
    let labels = state.engine.labels().await?;
    Ok(Json(LabelList { labels }))
}

/// Creates a label (owner and admins); a name taken, ignoring case, is a conflict.
#[utoipa::path(
    post,
    path = "/api/v1/labels",
    tag = "library",
    security(("operator" = [])),
    request_body(content = LabelRequest, description = "The label's name and colour (`#rrggbb`), both required"),
    responses((status = 201, description = "The new label", body = LabelEnvelope)),
)]
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

/// Renames or recolours a label (owner and admins); every conversation shows the change.
#[utoipa::path(
    patch,
    path = "/api/v1/labels/{id}",
    tag = "library",
    security(("operator" = [])),
    params(("id" = Uuid, Path, description = "The label's id")),
    request_body(content = Option<LabelRequest>, description = "A new name, a new colour, or both"),
    responses((status = 200, description = "The changed label", body = LabelEnvelope)),
)]
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

/// Deletes a label (owner and admins), taking it off every conversation.
#[utoipa::path(
    delete,
    path = "/api/v1/labels/{id}",
    tag = "library",
    security(("operator" = [])),
    params(("id" = Uuid, Path, description = "The label's id")),
    responses((status = 204, description = "The label is deleted")),
)]
async fn delete_label(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, "label")?;
    state.engine.delete_label(&signed_in.operator, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct Search {
    /// Only canned replies whose shortcut, title or text holds this, ignoring case; all when
    /// absent or empty.
    q: Option<String>,
}

/// The team's canned replies, by shortcut.
#[utoipa::path(
    get,
    path = "/api/v1/canned_replies",
    tag = "library",
    security(("operator" = [])),
    params(Search),
    responses((status = 200, description = "The canned replies", body = CannedReplyList)),
)]
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

/// Adds a canned reply; a shortcut taken is a conflict.
#[utoipa::path(
    post,
    path = "/api/v1/canned_replies",
    tag = "library",
    security(("operator" = [])),
    request_body(content = CannedReplyRequest, description = "The shortcut, title and text, all required"),
    responses((status = 201, description = "The new canned reply", body = CannedReplyEnvelope)),
)]
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

/// Changes a canned reply: its author, the owner or an admin.
#[utoipa::path(
    patch,
    path = "/api/v1/canned_replies/{id}",
    tag = "library",
    security(("operator" = [])),
    params(("id" = Uuid, Path, description = "The canned reply's id")),
    request_body(content = Option<CannedReplyRequest>, description = "The parts to change: shortcut, title or text"),
    responses((status = 200, description = "The changed canned reply", body = CannedReplyEnvelope)),
)]
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

/// Deletes a canned reply: its author, the owner or an admin.
#[utoipa::path(
    delete,
    path = "/api/v1/canned_replies/{id}",
    tag = "library",
    security(("operator" = [])),
    params(("id" = Uuid, Path, description = "The canned reply's id")),
    responses((status = 204, description = "The canned reply is deleted")),
)]
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
