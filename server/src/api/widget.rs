//! The embedded widget's API: a customer signs in and chats, with a bearer widget token.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, patch, post};
use axum::{Extension, Json, Router};
use switchboard::auth::{SignedIdentity, Token};
use switchboard::domain::{ClientNetwork, DisplayName, Email, Locale, NewMessage, UserId};
use switchboard::widget::WidgetSignIn;
use switchboard::wire::{
    CustomerEnvelope, CustomerPatch, PostMessageRequest, ReadRequest, WidgetLauncher,
    WidgetMessages, WidgetPresence, WidgetSession, WidgetSessionRequest,
};

use super::{posted_response, ApiJson};
use crate::error::ApiError;
use crate::extract::{PageQuery, WidgetCustomer};
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/widget/session", post(start_session))
        .route("/api/v1/widget/customer", patch(update_customer))
        .route("/api/v1/widget/messages", get(messages).post(post_message))
        .route("/api/v1/widget/read", post(read))
        .route("/api/v1/widget/signout", post(signout))
        .route("/api/v1/widget/presence", get(presence))
        .route("/api/v1/widget/launcher", post(launcher))
}

/// Parses a session request: a `link` (from a reply email) names its customer; a `user_id` makes it a signed sign-in, whose signature must be
/// there (a missing one is refused like a wrong one, never read as anonymous).
fn sign_in_of(body: WidgetSessionRequest) -> Result<WidgetSignIn, ApiError> {
    if let Some(link) = body.link.filter(|l| !l.trim().is_empty()) {
        return Ok(WidgetSignIn::Link { link });
    }
    let user_id = body.user_id.filter(|id| !id.trim().is_empty());
    let Some(user_id) = user_id else {
        return Ok(WidgetSignIn::Anonymous {
            visitor_token: body
                .visitor_token
                .filter(|t| !t.trim().is_empty())
                .map(|t| Token::from_presented(t.trim())),
        });
    };
    let signature =
        body.signature
            .filter(|s| !s.trim().is_empty())
            .ok_or(switchboard::Error::Unauthorized(
                "a user_id must come with its signature",
            ))?;
    // A v1.1 signature covers the fields exactly as they were sent.
    let covers = body.issued_at.map(|issued_at| SignedIdentity {
        user_id: user_id.clone(),
        email: body.email.clone().unwrap_or_default(),
        name: body.name.clone().unwrap_or_default(),
        issued_at,
    });
    let email = match body.email.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(Email::parse(raw)?),
    };
    Ok(WidgetSignIn::Signed {
        user_id: UserId::parse(&user_id)?,
        email,
        name: DisplayName::parse("name", body.name.as_deref().unwrap_or(""))?,
        signature,
        covers,
    })
}

async fn start_session(
    State(state): State<AppState>,
    client: Option<Extension<ClientNetwork>>,
    ApiJson(body): ApiJson<WidgetSessionRequest>,
) -> Result<Json<WidgetSession>, ApiError> {
    let locale = body.locale.as_deref().and_then(Locale::parse);
    let sign_in = sign_in_of(body)?;
    let session = state
        .engine
        .widget_session(sign_in, locale, client.map(|Extension(network)| network))
        .await?;
    Ok(Json(session))
}

async fn signout(
    State(state): State<AppState>,
    customer: WidgetCustomer,
) -> Result<StatusCode, ApiError> {
    state.engine.widget_signout(&customer.actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn update_customer(
    State(state): State<AppState>,
    customer: WidgetCustomer,
    ApiJson(body): ApiJson<CustomerPatch>,
) -> Result<Json<CustomerEnvelope>, ApiError> {
    let email = match body.email.as_deref() {
        None => None,
        Some(raw) => Some(Email::parse(raw)?),
    };
    let name = DisplayName::parse("name", body.name.as_deref().unwrap_or(""))?;
    let customer = state
        .engine
        .update_customer(&customer.actor, email, name)
        .await?;
    Ok(Json(CustomerEnvelope { customer }))
}

async fn messages(
    State(state): State<AppState>,
    customer: WidgetCustomer,
    query: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<WidgetMessages>, ApiError> {
    let (after, limit) = PageQuery::parse(query)?;
    let engine = &state.engine;
    let messages = engine
        .messages(&customer.actor, customer.conversation_id, after, limit)
        .await?;
    let unread = engine
        .unread_for(&customer.actor, customer.conversation_id)
        .await?;
    Ok(Json(WidgetMessages { messages, unread }))
}

async fn post_message(
    State(state): State<AppState>,
    customer: WidgetCustomer,
    ApiJson(body): ApiJson<PostMessageRequest>,
) -> Result<Response, ApiError> {
    let message = NewMessage::from_request(&body)?;
    let posted = state
        .engine
        .post(&customer.actor, customer.conversation_id, message)
        .await?;
    Ok(posted_response(posted))
}

async fn read(
    State(state): State<AppState>,
    customer: WidgetCustomer,
    ApiJson(body): ApiJson<ReadRequest>,
) -> Result<StatusCode, ApiError> {
    state
        .engine
        .mark_read(&customer.actor, customer.conversation_id, body.up_to_seq)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn presence(
    State(state): State<AppState>,
    _customer: WidgetCustomer,
) -> Result<Json<WidgetPresence>, ApiError> {
    let operators_online = state.engine.operators_online().await?;
    Ok(Json(WidgetPresence { operators_online }))
}

/// The launcher's state for the loader on the host page (through the `/embed/launcher` page):
/// the visitor's unread replies, the widget's colours and side, and its words in the visitor's
/// language (`locale` in the body, else `Accept-Language`).
async fn launcher(
    State(state): State<AppState>,
    client: Option<Extension<ClientNetwork>>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<WidgetSessionRequest>,
) -> Result<Json<WidgetLauncher>, ApiError> {
    let locale = body
        .locale
        .as_deref()
        .and_then(|raw| raw.parse::<app::i18n::Locale>().ok())
        .unwrap_or_else(|| app::error_page::request_locale(&headers, None));
    let sign_in = sign_in_of(body)?;
    let engine = &state.engine;
    let unread = engine
        .launcher_unread(sign_in, client.map(|Extension(network)| network))
        .await?;
    let look = engine.widget_appearance().await?;
    let color = app::widget::theme::brand_color(&look);
    Ok(Json(WidgetLauncher {
        unread,
        color: color.hex(),
        text_color: color.text_color().hex(),
        position: look.position,
        lang: app::error_page::tag(locale).to_owned(),
        dir: app::error_page::direction(locale).to_owned(),
        labels: app::widget::launcher::launcher_labels(locale, unread),
    }))
}
