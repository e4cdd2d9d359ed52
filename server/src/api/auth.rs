//! Operators sign in and out.

use app::ClientIp;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Json, Router};
use switchboard::wire::{LoginRequest, LoginResponse};

use super::{ApiJson, SignedIn};
use crate::error::ApiError;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/logout", post(logout))
}

async fn login(
    State(state): State<AppState>,
    Extension(ClientIp(client)): Extension<ClientIp>,
    request_headers: HeaderMap,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let engine = &state.engine;
    let device = app::cookies::device_token(engine, &request_headers);
    let signed_in = engine
        .login(&body.email, &body.password, &client, device.as_ref())
        .await?;
    let mut headers = HeaderMap::new();
    for cookie in app::cookies::signed_in_cookies(engine, &signed_in) {
        headers.append(header::SET_COOKIE, cookie);
    }
    let operator = signed_in.operator;
    Ok((headers, Json(LoginResponse { operator })).into_response())
}

async fn logout(State(state): State<AppState>, signed_in: SignedIn) -> Result<Response, ApiError> {
    state.engine.logout(&signed_in.token).await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::SET_COOKIE,
        app::cookies::cleared_session_cookie(&state.engine),
    );
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}
