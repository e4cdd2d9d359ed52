//! Operators sign in and out.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use switchboard::auth::Token;
use switchboard::wire::{LoginRequest, LoginResponse, Operator};
use switchboard::Engine;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, SignedIn};
use crate::error::ApiError;
use crate::extract::Client;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(forgot))
        .routes(routes!(reset))
}

/// Signs an operator in with email and password; sets the session cookie.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses((
        status = 200,
        description = "Signed in",
        body = LoginResponse,
        headers((
            "Set-Cookie" = String,
            description = "The session cookie, and a device cookie when the browser had no valid one"
        )),
    )),
)]
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

/// Signs the operator out: ends this sign-in and clears the session cookie.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    security(("operator" = [])),
    responses((
        status = 204,
        description = "Signed out",
        headers(("Set-Cookie" = String, description = "Clears the session cookie")),
    )),
)]
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
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ForgotBody {
    /// The operator's sign-in address.
    email: String,
}

/// Asks for a password reset email; the answer is the same whether or not the address is known.
#[utoipa::path(
    post,
    path = "/api/v1/auth/forgot",
    tag = "auth",
    request_body = ForgotBody,
    responses((status = 202, description = "Accepted: a reset link is emailed when the address is an active operator's")),
)]
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
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ResetBody {
    /// The token from the reset email's link.
    token: String,
    /// The new password.
    password: String,
}

/// Sets a new password with a reset email's token, and signs the operator in.
#[utoipa::path(
    post,
    path = "/api/v1/auth/reset",
    tag = "auth",
    request_body = ResetBody,
    responses((
        status = 200,
        description = "The password is set and the operator signed in",
        body = LoginResponse,
        headers(("Set-Cookie" = String, description = "The session cookie")),
    )),
)]
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
