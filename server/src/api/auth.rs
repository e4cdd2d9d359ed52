//! Operators sign in and out.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use switchboard::auth::Token;
use switchboard::wire::{LoginRequest, LoginResponse, Operator};
use switchboard::Engine;

use super::{ApiJson, SignedIn};
use crate::error::ApiError;
use crate::extract::Client;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/auth/forgot", post(forgot))
        .route("/api/v1/auth/reset", post(reset))
}

async fn login(
    State(state): State<AppState>,
    client: Client,
    request_headers: HeaderMap,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let engine = &state.engine;
    let device = app::cookies::device_token(engine, &request_headers);
    let signed_in = engine
        .login(
            &body.email,
            &body.password,
            &client.requester,
            device.as_ref(),
        )
        .await?;
    let mut headers = HeaderMap::new();
    for cookie in app::cookies::signed_in_cookies(engine, &signed_in) {
        headers.append(header::SET_COOKIE, cookie);
    }
    let operator = signed_in.operator;
    Ok((headers, Json(LoginResponse { operator })).into_response())
}

async fn logout(
    State(state): State<AppState>,
    signed_in: SignedIn,
    client: Client,
) -> Result<Response, ApiError> {
    state
        .engine
        .logout(&signed_in.token, &client.requester)
        .await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::SET_COOKIE,
        app::cookies::cleared_session_cookie(&state.engine),
    );
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}

/// `POST /api/v1/auth/forgot`'s body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ForgotBody {
    email: String,
}

async fn forgot(
    State(state): State<AppState>,
    client: Client,
    ApiJson(body): ApiJson<ForgotBody>,
) -> Result<StatusCode, ApiError> {
    state
        .engine
        .forgot_password(&body.email, client.locale, &client.requester)
        .await?;
    Ok(StatusCode::ACCEPTED)
}

/// `POST /api/v1/auth/reset`'s body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetBody {
    token: String,
    password: String,
}

async fn reset(
    State(state): State<AppState>,
    client: Client,
    ApiJson(body): ApiJson<ResetBody>,
) -> Result<Response, ApiError> {
    let engine = &state.engine;
    let (operator, session) = engine
        .reset_password(
            &Token::from_presented(&body.token),
            &body.password,
            &client.requester,
        )
        .await?;
    Ok(signed_in_response(engine, operator, session))
}

/// 200 `{"operator"}` with the sign-in cookie: what a reset or an accepted invitation answers.
pub(super) fn signed_in_response(engine: &Engine, operator: Operator, session: Token) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::SET_COOKIE,
        app::cookies::session_cookie(engine, &session),
    );
    (headers, Json(LoginResponse { operator })).into_response()
}
