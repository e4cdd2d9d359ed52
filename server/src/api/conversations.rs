//! Operators in a conversation: read its messages, post, mark read.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use switchboard::domain::NewMessage;
use switchboard::wire::{MessageList, PostMessageRequest, ReadRequest};
use switchboard::Actor;

use super::{parse_id, posted_response, ApiJson, SignedIn};
use crate::error::ApiError;
use crate::extract::PageQuery;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/conversations/{id}/messages",
            get(operator_messages).post(operator_post),
        )
        .route("/api/v1/conversations/{id}/read", post(operator_read))
}

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
