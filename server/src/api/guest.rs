//! A support session's guest, with the link token as the credential.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use switchboard::auth::Token;
use switchboard::domain::{DisplayName, NewMessage};
use switchboard::wire::{GuestMessages, PostMessageRequest};

use super::{posted_response, ApiJson};
use crate::error::ApiError;
use crate::extract::PageQuery;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/support/guest/{token}/messages",
        get(guest_messages).post(guest_post),
    )
}

async fn guest_messages(
    State(state): State<AppState>,
    Path(token): Path<String>,
    query: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<GuestMessages>, ApiError> {
    let (after, limit) = PageQuery::parse(query)?;
    // Reading does not join the session: a link preview may do it.
    let (actor, session) = state
        .engine
        .guest_reader(&Token::from_presented(&token))
        .await?;
    let messages = state
        .engine
        .messages(&actor, session.conversation_id, after, limit)
        .await?;
    Ok(Json(GuestMessages { session, messages }))
}

async fn guest_post(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<PostMessageRequest>,
) -> Result<Response, ApiError> {
    // The link is checked before the body, so a dead link answers 404/410 whatever was sent.
    let (actor, session) = state
        .engine
        .guest_actor(&Token::from_presented(&token), None)
        .await?;
    let message = NewMessage::from_request(&body)?;
    let name = DisplayName::parse("guest_name", body.guest_name.as_deref().unwrap_or(""))?;
    let actor = actor.with_guest_name(name);
    let posted = state
        .engine
        .post(&actor, session.conversation_id, message)
        .await?;
    Ok(posted_response(posted))
}
