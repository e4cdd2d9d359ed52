//! Invitations to the team: made and revoked by the owner and admins, accepted by the person
//! invited (who has no account yet).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use switchboard::auth::Token;
use switchboard::domain::{Email, Invalid};
use switchboard::wire::Role;

use super::auth::signed_in_response;
use super::{parse_id, ApiJson, SignedIn};
use crate::error::ApiError;
use crate::extract::Client;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/invitations", get(list).post(create))
        .route("/api/v1/invitations/accept", post(accept))
        .route("/api/v1/invitations/{id}", delete(revoke))
}

async fn list(State(state): State<AppState>, signed_in: SignedIn) -> Result<Json<Value>, ApiError> {
    let invitations = state.engine.invitations(&signed_in.operator).await?;
    Ok(Json(json!({ "invitations": invitations })))
}

/// `POST /api/v1/invitations`'s body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    email: String,
    role: String,
}

async fn create(
    State(state): State<AppState>,
    signed_in: SignedIn,
    client: Client,
    ApiJson(body): ApiJson<CreateBody>,
) -> Result<Response, ApiError> {
    let email = Email::parse(&body.email)?;
    let role =
        Role::parse(&body.role).ok_or_else(|| Invalid::new("role", "must be admin or agent"))?;
    let created = state
        .engine
        .invite(
            &signed_in.operator,
            email,
            role,
            client.locale,
            &client.requester,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

async fn revoke(
    State(state): State<AppState>,
    signed_in: SignedIn,
    client: Client,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, "invitation")?;
    state
        .engine
        .revoke_invitation(&signed_in.operator, id, &client.requester)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/invitations/accept`'s body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AcceptBody {
    token: String,
    name: String,
    password: String,
}

async fn accept(
    State(state): State<AppState>,
    client: Client,
    ApiJson(body): ApiJson<AcceptBody>,
) -> Result<Response, ApiError> {
    let engine = &state.engine;
    let (operator, session) = engine
        .accept_invitation(
            &Token::from_presented(&body.token),
            &body.name,
            &body.password,
            &client.requester,
        )
        .await?;
    Ok(signed_in_response(engine, operator, session))
}
