//! The REST API of `shared/PROTOCOL.md`: each handler parses, calls one use case, and renders.

use app::ClientIp;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use switchboard::auth::Token;
use switchboard::chat::Posted;
use switchboard::domain::{
    parse_after_seq, parse_limit, ClientId, DisplayName, MessageBody, SessionFilter, SessionTitle,
};
use switchboard::wire::{
    CreateSessionRequest, CreatedSession, GuestMessages, LoginRequest, LoginResponse,
    MessageEnvelope, MessageList, Operator, PostMessageRequest, ReadRequest, SessionEnvelope,
    SessionList,
};
use switchboard::{Actor, Engine};
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

/// The `/api/v1` routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/sessions", post(create_session).get(list_sessions))
        .route("/api/v1/sessions/{id}", get(get_session))
        .route("/api/v1/sessions/{id}/end", post(end_session))
        .route("/api/v1/sessions/{id}/rotate_link", post(rotate_link))
        .route(
            "/api/v1/conversations/{id}/messages",
            get(operator_messages).post(operator_post),
        )
        .route("/api/v1/conversations/{id}/read", post(operator_read))
        .route(
            "/support/guest/{token}/messages",
            get(guest_messages).post(guest_post),
        )
        .route("/ws", get(crate::ws::handler))
}

/// A JSON body with failures in the contract's shape. A body must be sent as
/// `application/json` (415 otherwise), which a cross-site form cannot do; an empty body reads as
/// `{}`, so optional-only bodies may be left out.
pub struct ApiJson<T>(pub T);

/// Whether a `Content-Type` is JSON (`application/json`, with or without parameters).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = is_json(req.headers());
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|rejection| match rejection {
                BytesRejection::FailedToBufferBody(_)
                    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE =>
                {
                    ApiError::TooLarge
                }
                other => ApiError::BadBody(other.body_text()),
            })?;
        let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else if !json {
            return Err(ApiError::NotJson);
        } else {
            &bytes
        };
        serde_json::from_slice(bytes)
            .map(ApiJson)
            .map_err(|e| ApiError::BadBody(e.to_string()))
    }
}

/// The signed-in operator, from the session cookie; 401 without one.
pub struct SignedIn {
    /// Who is signed in.
    pub operator: Operator,
    /// The cookie's token, for sign-out.
    pub token: Token,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Self::from_headers(&state.engine, &parts.headers).await
    }
}

impl SignedIn {
    /// The operator behind the session cookie in `headers`; `unauthorized` without one.
    pub async fn from_headers(engine: &Engine, headers: &HeaderMap) -> Result<Self, ApiError> {
        let token = app::cookies::session_token(engine, headers)
            .ok_or(switchboard::Error::Unauthorized("sign in first"))?;
        let operator = engine.authenticate_operator(&token).await?;
        Ok(Self { operator, token })
    }
}

/// `?after_seq=N&limit=M`, read leniently and parsed into domain values once.
#[derive(Deserialize)]
struct PageQuery {
    after_seq: Option<i64>,
    limit: Option<i64>,
}

impl PageQuery {
    fn parse(
        query: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
    ) -> Result<(i64, i64), ApiError> {
        let Query(query) = query.map_err(|e| ApiError::BadBody(e.body_text()))?;
        let after = parse_after_seq(query.after_seq).map_err(switchboard::Error::from)?;
        let limit = parse_limit(query.limit).map_err(switchboard::Error::from)?;
        Ok((after, limit))
    }
}

/// 201 for a new message, 200 for a repeated `client_id`.
fn posted_response(posted: Posted) -> Response {
    let status = if posted.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (
        status,
        Json(MessageEnvelope {
            message: posted.message,
        }),
    )
        .into_response()
}

/// An id in the path; one that is not a UUID cannot name anything, so it is `not_found`.
fn parse_id(raw: &str, what: &'static str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| switchboard::Error::NotFound(what).into())
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

async fn create_session(
    State(state): State<AppState>,
    signed_in: SignedIn,
    ApiJson(body): ApiJson<CreateSessionRequest>,
) -> Result<Response, ApiError> {
    let title = SessionTitle::parse(body.title.as_deref().unwrap_or_default())
        .map_err(switchboard::Error::from)?;
    let (session, link) = state
        .engine
        .create_session(&signed_in.operator, title)
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedSession { session, link })).into_response())
}

#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
}

async fn list_sessions(
    State(state): State<AppState>,
    _signed_in: SignedIn,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<SessionList>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadBody(e.body_text()))?;
    let filter = SessionFilter::parse(query.status.as_deref()).map_err(switchboard::Error::from)?;
    let sessions = state.engine.list_sessions(filter).await?;
    Ok(Json(SessionList { sessions }))
}

async fn get_session(
    State(state): State<AppState>,
    _signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<SessionEnvelope>, ApiError> {
    let session = state.engine.session(parse_id(&id, "session")?).await?;
    Ok(Json(SessionEnvelope { session }))
}

async fn end_session(
    State(state): State<AppState>,
    _signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<SessionEnvelope>, ApiError> {
    let session = state.engine.end_session(parse_id(&id, "session")?).await?;
    Ok(Json(SessionEnvelope { session }))
}

async fn rotate_link(
    State(state): State<AppState>,
    _signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (_session, link) = state.engine.rotate_link(parse_id(&id, "session")?).await?;
    Ok(Json(link).into_response())
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
    let content = MessageBody::parse(&body.content).map_err(switchboard::Error::from)?;
    let client_id =
        ClientId::parse_optional(body.client_id.as_deref()).map_err(switchboard::Error::from)?;
    let actor = Actor::Operator(signed_in.operator);
    let posted = state
        .engine
        .post_message(&actor, conversation, content, client_id)
        .await?;
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
    let content = MessageBody::parse(&body.content).map_err(switchboard::Error::from)?;
    let name = DisplayName::parse("guest_name", body.guest_name.as_deref().unwrap_or(""))
        .map_err(switchboard::Error::from)?;
    let client_id =
        ClientId::parse_optional(body.client_id.as_deref()).map_err(switchboard::Error::from)?;
    let actor = actor.with_guest_name(name);
    let posted = state
        .engine
        .post_message(&actor, session.conversation_id, content, client_id)
        .await?;
    Ok(posted_response(posted))
}
