//! The operators' inbox: the list, one conversation (which marks it viewed), archive, restore,
//! assignment and labels.

use axum::extract::{Path, Query, State};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use switchboard::domain::InboxQuery;
use switchboard::wire::{
    AssignRequest, ConversationDetail, ConversationEnvelope, ConversationList, LabelsRequest,
};

use super::{parse_id, ApiJson, SignedIn};
use crate::error::ApiError;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/conversations", get(list))
        .route("/api/v1/conversations/{id}", get(open))
        .route("/api/v1/conversations/{id}/archive", post(archive))
        .route("/api/v1/conversations/{id}/unarchive", post(unarchive))
        .route("/api/v1/conversations/{id}/assign", post(assign))
        .route("/api/v1/conversations/{id}/labels", put(labels))
}

#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
    kind: Option<String>,
    limit: Option<i64>,
    before: Option<String>,
    assignee: Option<String>,
    label: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ConversationList>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadBody(e.body_text()))?;
    let query = InboxQuery::parse(
        query.status.as_deref(),
        query.kind.as_deref(),
        query.limit,
        query.before.as_deref(),
    )?
    .filtered(
        query.assignee.as_deref(),
        query.label.as_deref(),
        signed_in.operator.id,
    )?;
    let conversations = state.engine.inbox(&query).await?;
    Ok(Json(ConversationList { conversations }))
}

async fn open(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<ConversationDetail>, ApiError> {
    let id = parse_id(&id, "conversation")?;
    let detail = state
        .engine
        .open_conversation(&signed_in.operator, id, None)
        .await?;
    Ok(Json(detail))
}

async fn archive(
    State(state): State<AppState>,
    _signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<ConversationEnvelope>, ApiError> {
    let id = parse_id(&id, "conversation")?;
    let conversation = state.engine.set_archived(id, true).await?;
    Ok(Json(ConversationEnvelope { conversation }))
}

async fn unarchive(
    State(state): State<AppState>,
    _signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<ConversationEnvelope>, ApiError> {
    let id = parse_id(&id, "conversation")?;
    let conversation = state.engine.set_archived(id, false).await?;
    Ok(Json(ConversationEnvelope { conversation }))
}

async fn assign(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AssignRequest>,
) -> Result<Json<ConversationEnvelope>, ApiError> {
    let id = parse_id(&id, "conversation")?;
    let to = body.operator_id.ok_or_else(|| {
        switchboard::domain::Invalid::new("operator_id", "is required (null to unassign)")
    })?;
    let conversation = state.engine.assign(&signed_in.operator, id, to).await?;
    Ok(Json(ConversationEnvelope { conversation }))
}

async fn labels(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<LabelsRequest>,
) -> Result<Json<ConversationEnvelope>, ApiError> {
    let id = parse_id(&id, "conversation")?;
    let conversation = state
        .engine
        .set_labels(&signed_in.operator, id, &body.label_ids)
        .await?;
    Ok(Json(ConversationEnvelope { conversation }))
}
