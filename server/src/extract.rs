//! The extractors every API handler shares: JSON bodies in the contract's error shape, the
//! signed-in operator, and paging queries.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use switchboard::auth::Token;
use switchboard::domain::Locale;
use switchboard::domain::{parse_after_seq, parse_limit, ClientNetwork};
use switchboard::wire::Operator;
use switchboard::{Engine, Requester};

use crate::error::ApiError;
use crate::state::AppState;

/// A JSON body with failures in the contract's shape. A body must be sent as
/// `application/json` (415 otherwise), which a cross-site form cannot do; an empty body, or JSON
/// `null`, reads as `{}`, so optional-only bodies may be left out.
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
        } else if bytes.trim_ascii() == b"null" {
            // What a client that sends "no body" as JSON writes, as the OpenAPI document's
            // optional bodies allow.
            b"{}"
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

/// Where a request came from (the client's address, its browser) and the reader's language:
/// for sign-ins, the audit log and the emails a request sends.
pub struct Client {
    /// Address and User-Agent.
    pub requester: Requester,
    /// The reader's language (`?lang=`, the switcher's cookie, `Accept-Language`).
    pub locale: Option<Locale>,
}

impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let address = parts
            .extensions
            .get::<app::ClientIp>()
            .map_or_else(|| "unknown".to_owned(), |ip| ip.0.clone());
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok());
        let shown = app::error_page::request_locale(&parts.headers, parts.uri.query());
        Ok(Self {
            requester: Requester::new(address, user_agent),
            locale: Locale::parse(app::error_page::tag(shown)),
        })
    }
}

/// `?after_seq=N&limit=M`, read leniently and parsed into domain values once.
#[derive(Deserialize)]
pub(crate) struct PageQuery {
    after_seq: Option<i64>,
    limit: Option<i64>,
}

impl PageQuery {
    pub(crate) fn parse(
        query: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
    ) -> Result<(i64, i64), ApiError> {
        let Query(query) = query.map_err(|e| ApiError::BadBody(e.body_text()))?;
        let after = parse_after_seq(query.after_seq)?;
        let limit = parse_limit(query.limit)?;
        Ok((after, limit))
    }
}

/// The widget customer behind `Authorization: Bearer <widget_token>`; 401 without a valid one.
pub struct WidgetCustomer {
    /// The customer as an actor in their conversation.
    pub actor: switchboard::Actor,
    /// Their conversation.
    pub conversation_id: uuid::Uuid,
}

impl FromRequestParts<AppState> for WidgetCustomer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let raw = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.split_once(' ')
                    .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            })
            .map(|(_, token)| token.trim())
            .filter(|token| !token.is_empty())
            .ok_or(switchboard::Error::Unauthorized(
                "send the widget token as Authorization: Bearer <token>",
            ))?;
        let client = parts.extensions.get::<ClientNetwork>().copied();
        let (actor, conversation_id) = state
            .engine
            .widget_customer(&Token::from_presented(raw), client)
            .await?;
        Ok(Self {
            actor,
            conversation_id,
        })
    }
}
