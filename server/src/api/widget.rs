//! The embedded widget's API: a customer signs in and chats, with a bearer widget token.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::{Extension, Json};
use switchboard::auth::{SignedIdentity, Token};
use switchboard::domain::{ClientNetwork, DisplayName, Email, Locale, NewMessage, UserId};
use switchboard::widget::WidgetSignIn;
use switchboard::wire::{
    CustomerEnvelope, CustomerPatch, MessageEnvelope, PostMessageRequest, ReadRequest,
    WidgetLauncher, WidgetMessages, WidgetPresence, WidgetSession, WidgetSessionRequest,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{posted_response, ApiJson};
use crate::error::ApiError;
use crate::extract::{PageQuery, WidgetCustomer};
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(start_session))
        .routes(routes!(update_customer))
        .routes(routes!(messages, post_message))
        .routes(routes!(mark_read))
        .routes(routes!(signout))
        .routes(routes!(presence))
        .routes(routes!(launcher))
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

/// Signs a widget in: signed, by a reply email's link, or anonymous; issues a widget token.
///
/// Finds or creates the customer and their one conversation. A `user_id` whose signature is
/// missing or wrong is refused, never taken as anonymous.
#[utoipa::path(
    post,
    path = "/api/v1/widget/session",
    tag = "widget",
    request_body(content = Option<WidgetSessionRequest>, description = "A signed identity, a chat link, or an anonymous visitor's token (or nothing)"),
    responses((status = 200, description = "The widget token, the customer and their conversation", body = WidgetSession)),
)]
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

/// Signs the widget out: its token stops at once, and its sockets close.
#[utoipa::path(
    post,
    path = "/api/v1/widget/signout",
    tag = "widget",
    security(("customer" = [])),
    responses((status = 204, description = "The widget token no longer works")),
)]
async fn signout(
    State(state): State<AppState>,
    customer: WidgetCustomer,
) -> Result<StatusCode, ApiError> {
    state.engine.widget_signout(&customer.actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The customer leaves an address for replies and a name.
///
/// A signed customer's signed email is kept: a typed one does not replace it.
#[utoipa::path(
    patch,
    path = "/api/v1/widget/customer",
    tag = "widget",
    security(("customer" = [])),
    request_body(content = Option<CustomerPatch>, description = "An email address and a name, each optional"),
    responses((status = 200, description = "The customer", body = CustomerEnvelope)),
)]
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

/// The customer's conversation's messages, ascending by seq, and how many they have not read.
#[utoipa::path(
    get,
    path = "/api/v1/widget/messages",
    tag = "widget",
    security(("customer" = [])),
    params(
        ("after_seq" = Option<i64>, Query, minimum = 0, description = "Only messages after this seq (0 or more; default 0)"),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "At most this many messages, 1 to 500 (default 100)"),
    ),
    responses((status = 200, description = "The messages and the unread count", body = WidgetMessages)),
)]
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

/// Posts the customer's message to their conversation; a repeated `client_id` answers the first.
#[utoipa::path(
    post,
    path = "/api/v1/widget/messages",
    tag = "widget",
    security(("customer" = [])),
    request_body = PostMessageRequest,
    responses(
        (status = 201, description = "The new message", body = MessageEnvelope),
        (status = 200, description = "The message already posted with this `client_id`", body = MessageEnvelope),
    ),
)]
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

/// Marks the operators' messages read up to a seq.
#[utoipa::path(
    post,
    path = "/api/v1/widget/read",
    tag = "widget",
    security(("customer" = [])),
    request_body = ReadRequest,
    responses((status = 204, description = "The messages are marked read")),
)]
async fn mark_read(
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

/// Whether any operator is online (has the dashboard open).
#[utoipa::path(
    get,
    path = "/api/v1/widget/presence",
    tag = "widget",
    security(("customer" = [])),
    responses((status = 200, description = "Whether operators are online", body = WidgetPresence)),
)]
async fn presence(
    State(state): State<AppState>,
    _customer: WidgetCustomer,
) -> Result<Json<WidgetPresence>, ApiError> {
    let operators_online = state.engine.operators_online().await?;
    Ok(Json(WidgetPresence { operators_online }))
}

/// The launcher's state for the loader on the host page, before the widget is opened.
///
/// Through the `/embed/launcher` page: the visitor's unread replies, the widget's colours and
/// side, and its words in the visitor's language (`locale` in the body, else
/// `Accept-Language`). It only reads: no customer, conversation or token is created.
#[utoipa::path(
    post,
    path = "/api/v1/widget/launcher",
    tag = "widget",
    params(("Accept-Language" = Option<String>, Header, description = "The visitor's languages, when the body has no `locale`")),
    request_body(content = Option<WidgetSessionRequest>, description = "The visitor as `POST /api/v1/widget/session` takes them (or nothing)"),
    responses((status = 200, description = "What the launcher shows", body = WidgetLauncher)),
)]
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
