//! Operators in a conversation: read its messages, post, mark read.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use switchboard::domain::NewMessage;
use switchboard::wire::{MessageEnvelope, MessageList, PostMessageRequest, ReadRequest};
use switchboard::Actor;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{parse_id, posted_response, ApiJson, SignedIn};
use crate::error::ApiError;
use crate::extract::PageQuery;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(operator_messages, operator_post))
        .routes(routes!(operator_read))
}

/// A page of a conversation's messages, ascending by seq.
#[utoipa::path(
    get,
    path = "/api/v1/conversations/{id}/messages",
    tag = "messages",
    security(("operator" = [])),
    params(
        ("id" = Uuid, Path, description = "The conversation's id"),
        ("after_seq" = Option<i64>, Query, minimum = 0, description = "Only messages after this seq (0 or more; 0 when absent)"),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "Messages on the page: 1 to 500, 100 when absent"),
    ),
    responses((status = 200, description = "The messages", body = MessageList)),
)]
async fn operator_messages(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    query: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<MessageList>, ApiError> {
    let conversation = parse_id(&id, "conversation")?;
    let (after, limit) = PageQuery::parse(query)?;
    let actor = Actor::Operator(signed_in.operator);
    let messages = state
        .engine
        .messages(&actor, conversation, after, limit)
        .await?;
    Ok(Json(MessageList { messages }))
}

/// Posts a message (or a private note) to a conversation as the operator.
#[utoipa::path(
    post,
    path = "/api/v1/conversations/{id}/messages",
    tag = "messages",
    security(("operator" = [])),
    params(("id" = Uuid, Path, description = "The conversation's id")),
    request_body = PostMessageRequest,
    responses(
        (status = 201, description = "The new message", body = MessageEnvelope),
        (status = 200, description = "The message already posted with this `client_id`", body = MessageEnvelope),
    ),
)]
async fn operator_post(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PostMessageRequest>,
) -> Result<Response, ApiError> {
    let conversation = parse_id(&id, "conversation")?;
    let message = NewMessage::from_request(&body)?;
    let actor = Actor::Operator(signed_in.operator);
    let posted = state.engine.post(&actor, conversation, message).await?;
    Ok(posted_response(posted))
}

/// Marks a conversation read by the operator, up to a seq.
#[utoipa::path(
    post,
    path = "/api/v1/conversations/{id}/read",
    tag = "messages",
    security(("operator" = [])),
    params(("id" = Uuid, Path, description = "The conversation's id")),
    request_body = ReadRequest,
    responses((status = 204, description = "Marked read")),
)]
async fn operator_read(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReadRequest>,
) -> Result<StatusCode, ApiError> {
    let conversation = parse_id(&id, "conversation")?;
    let actor = Actor::Operator(signed_in.operator);
    state
        .engine
        .mark_read(&actor, conversation, body.up_to_seq)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
