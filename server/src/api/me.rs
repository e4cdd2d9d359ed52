//! An operator about themselves: profile, preferences, password and sign-ins.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use switchboard::wire::{Me, Preferences};

use super::{parse_id, ApiJson, SignedIn};
use crate::error::ApiError;
use crate::extract::Client;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me", get(read).patch(update))
        .route("/api/v1/me/password", post(change_password))
        .route("/api/v1/me/signins", get(signins))
        .route("/api/v1/me/signins/end_others", post(end_others))
        .route("/api/v1/me/signins/{id}", delete(end_one))
}

async fn read(State(state): State<AppState>, signed_in: SignedIn) -> Result<Json<Me>, ApiError> {
    Ok(Json(state.engine.me(&signed_in.operator).await?))
}

/// `PATCH /api/v1/me`'s body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    name: Option<String>,
    preferences: Option<Preferences>,
}

async fn update(
    State(state): State<AppState>,
    signed_in: SignedIn,
    ApiJson(body): ApiJson<UpdateBody>,
) -> Result<Json<Me>, ApiError> {
    let me = state
        .engine
        .update_me(&signed_in.operator, body.name.as_deref(), body.preferences)
        .await?;
    Ok(Json(me))
}

/// `POST /api/v1/me/password`'s body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordBody {
    current_password: String,
    new_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    signed_in: SignedIn,
    client: Client,
    ApiJson(body): ApiJson<PasswordBody>,
) -> Result<StatusCode, ApiError> {
    state
        .engine
        .change_password(
            &signed_in.operator,
            &signed_in.token,
            &body.current_password,
            &body.new_password,
            &client.requester,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn signins(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Json<Value>, ApiError> {
    let signins = state
        .engine
        .signins(&signed_in.operator, &signed_in.token)
        .await?;
    Ok(Json(json!({ "signins": signins })))
}

async fn end_one(
    State(state): State<AppState>,
    signed_in: SignedIn,
    client: Client,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, "sign-in")?;
    state
        .engine
        .end_signin(&signed_in.operator, id, &client.requester)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn end_others(
    State(state): State<AppState>,
    signed_in: SignedIn,
    client: Client,
) -> Result<StatusCode, ApiError> {
    state
        .engine
        .end_other_signins(&signed_in.operator, &signed_in.token, &client.requester)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
