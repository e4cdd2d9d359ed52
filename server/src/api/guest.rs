//! A support session's guest, with the link token as the credential.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Json;
use switchboard::auth::Token;
use switchboard::domain::{DisplayName, NewMessage};
use switchboard::wire::{GuestMessages, MessageEnvelope, PostMessageRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{posted_response, ApiJson};
use crate::error::ApiError;
use crate::extract::PageQuery;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(guest_messages, guest_post))
}

/// The guest's session and its messages; reading does not join the session.
#[utoipa::path(
    get,
    path = "/support/guest/{token}/messages",
    tag = "guest",
    params(
        ("token" = String, Path, description = "The guest link's token"),
        ("after_seq" = Option<i64>, Query, minimum = 0, description = "Only messages after this seq (0 or more; 0 when absent)"),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "At most this many messages (1 to 500; 100 when absent)"),
    ),
    responses((status = 200, description = "The session and its messages, ascending by seq", body = GuestMessages)),
)]
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

/// Posts a message as the session's guest, which joins the session.
#[utoipa::path(
    post,
    path = "/support/guest/{token}/messages",
    tag = "guest",
    params(("token" = String, Path, description = "The guest link's token")),
    request_body = PostMessageRequest,
    responses(
        (status = 201, description = "The new message", body = MessageEnvelope),
        (status = 200, description = "The message already posted with this `client_id`", body = MessageEnvelope),
    ),
)]
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
