//! The operators' inbox: the list, one conversation (which marks it viewed), archive, restore,
//! assignment and labels.

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use switchboard::domain::InboxQuery;
use switchboard::wire::{
    AssignRequest, ConversationDetail, ConversationEnvelope, ConversationList, LabelsRequest,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{parse_id, ApiJson, SignedIn};
use crate::error::ApiError;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_conversations))
        .routes(routes!(open))
        .routes(routes!(archive))
        .routes(routes!(unarchive))
        .routes(routes!(assign))
        .routes(routes!(labels))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// `active` (the default) or `archived`.
    #[param(pattern = "^(active|archived)$")]
    status: Option<String>,
    /// `support` (the default) or `session`.
    #[param(pattern = "^(support|session)$")]
    kind: Option<String>,
    /// At most this many conversations (1 to 200; 50 when absent).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    /// Only conversations whose last message is older than this RFC 3339 time (the next page).
    before: Option<String>,
    /// `me`, `none` or an operator's id: only conversations assigned so.
    assignee: Option<String>,
    /// A label's id: only conversations carrying it.
    label: Option<String>,
}

/// One page of the inbox, newest activity first.
#[utoipa::path(
    get,
    path = "/api/v1/conversations",
    tag = "inbox",
    security(("operator" = [])),
    params(ListQuery),
    responses((status = 200, description = "The conversations", body = ConversationList)),
)]
async fn list_conversations(
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

/// One conversation with its latest messages and notes; opening it marks it viewed.
#[utoipa::path(
    get,
    path = "/api/v1/conversations/{id}",
    tag = "inbox",
    security(("operator" = [])),
    params(("id" = Uuid, Path, description = "The conversation's id")),
    responses((status = 200, description = "The conversation", body = ConversationDetail)),
)]
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

/// Archives a conversation.
#[utoipa::path(
    post,
    path = "/api/v1/conversations/{id}/archive",
    tag = "inbox",
    security(("operator" = [])),
    params(("id" = Uuid, Path, description = "The conversation's id")),
    responses((status = 200, description = "The archived conversation", body = ConversationEnvelope)),
)]
async fn archive(
    State(state): State<AppState>,
    _signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<ConversationEnvelope>, ApiError> {
    let id = parse_id(&id, "conversation")?;
    let conversation = state.engine.set_archived(id, true).await?;
    Ok(Json(ConversationEnvelope { conversation }))
}

/// Restores an archived conversation to the inbox.
#[utoipa::path(
    post,
    path = "/api/v1/conversations/{id}/unarchive",
    tag = "inbox",
    security(("operator" = [])),
    params(("id" = Uuid, Path, description = "The conversation's id")),
    responses((status = 200, description = "The restored conversation", body = ConversationEnvelope)),
)]
async fn unarchive(
    State(state): State<AppState>,
    _signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<ConversationEnvelope>, ApiError> {
    let id = parse_id(&id, "conversation")?;
    let conversation = state.engine.set_archived(id, false).await?;
    Ok(Json(ConversationEnvelope { conversation }))
}

/// Assigns a conversation to an operator, or (`operator_id: null`) to nobody.
#[utoipa::path(
    post,
    path = "/api/v1/conversations/{id}/assign",
    tag = "inbox",
    security(("operator" = [])),
    params(("id" = Uuid, Path, description = "The conversation's id")),
    request_body = AssignRequest,
    responses((status = 200, description = "The conversation", body = ConversationEnvelope)),
)]
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

/// Replaces a conversation's labels.
#[utoipa::path(
    put,
    path = "/api/v1/conversations/{id}/labels",
    tag = "inbox",
    security(("operator" = [])),
    params(("id" = Uuid, Path, description = "The conversation's id")),
    request_body = LabelsRequest,
    responses((status = 200, description = "The conversation", body = ConversationEnvelope)),
)]
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
