//! Reply emails: operators read a conversation's email history; a customer's one-click
//! unsubscribe link (RFC 8058), the unsubscribe page's buttons and the confirmation page's
//! button land here.

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use serde::Deserialize;
use switchboard::wire::ConversationEmails;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{parse_id, SignedIn};
use crate::error::ApiError;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(history))
        .routes(routes!(unsubscribe))
        .routes(routes!(resubscribe))
        .routes(routes!(confirm))
}

/// A conversation's reply emails, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/conversations/{id}/emails",
    tag = "email",
    security(("operator" = [])),
    params(("id" = Uuid, Path, description = "The conversation's id")),
    responses((status = 200, description = "The conversation's emails", body = ConversationEmails)),
)]
async fn history(
    State(state): State<AppState>,
    _signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<ConversationEmails>, ApiError> {
    let id = parse_id(&id, "conversation")?;
    let emails = state.engine.email_history(id).await?;
    Ok(Json(ConversationEmails { emails }))
}

/// The form either button sends. A mail client's one-click POST sends
/// `List-Unsubscribe=One-Click` and no `back`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
struct Choice {
    /// Set by the unsubscribe page: answer with a redirect back to it.
    #[serde(default)]
    back: Option<String>,
}

/// The page's language, which the form's address carries (`?lang=`), kept on the way back.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PageLanguage {
    /// The page's language, kept on the redirect back to it.
    #[serde(default)]
    lang: Option<String>,
}

/// Unsubscribes the link's customer from reply emails.
///
/// A mail client's one-click unsubscribe (RFC 8058) or the unsubscribe page's button.
#[utoipa::path(
    post,
    path = "/email/unsubscribe/{link}",
    tag = "email",
    params(
        ("link" = String, Path, description = "The unsubscribe link's token"),
        PageLanguage,
    ),
    request_body(
        content = Option<Choice>,
        content_type = "application/x-www-form-urlencoded",
        description = "The page's form, or a mail client's `List-Unsubscribe=One-Click`"
    ),
    responses(
        (status = 200, description = "Unsubscribed, for a mail client", content_type = "text/plain", body = String, example = "unsubscribed"),
        (status = 303, description = "Unsubscribed; back to the unsubscribe page, for a person", headers(("Location" = String, description = "The unsubscribe page"))),
    ),
)]
async fn unsubscribe(
    State(state): State<AppState>,
    Path(link): Path<String>,
    Query(language): Query<PageLanguage>,
    form: Result<Form<Choice>, FormRejection>,
) -> Result<Response, ApiError> {
    state.engine.set_email_subscription(&link, false).await?;
    Ok(answer(
        UNSUBSCRIBE_PAGE,
        &link,
        language,
        form.ok(),
        "unsubscribed",
    ))
}

/// Subscribes the link's customer to reply emails again: the unsubscribe page's other button.
#[utoipa::path(
    post,
    path = "/email/resubscribe/{link}",
    tag = "email",
    params(
        ("link" = String, Path, description = "The unsubscribe link's token"),
        PageLanguage,
    ),
    request_body(
        content = Option<Choice>,
        content_type = "application/x-www-form-urlencoded",
        description = "The page's form"
    ),
    responses(
        (status = 200, description = "Subscribed, for a client without `back`", content_type = "text/plain", body = String, example = "subscribed"),
        (status = 303, description = "Subscribed; back to the unsubscribe page, for a person", headers(("Location" = String, description = "The unsubscribe page"))),
    ),
)]
async fn resubscribe(
    State(state): State<AppState>,
    Path(link): Path<String>,
    Query(language): Query<PageLanguage>,
    form: Result<Form<Choice>, FormRejection>,
) -> Result<Response, ApiError> {
    state.engine.set_email_subscription(&link, true).await?;
    Ok(answer(
        UNSUBSCRIBE_PAGE,
        &link,
        language,
        form.ok(),
        "subscribed",
    ))
}

/// Confirms the address a confirmation link went to: from now on it gets reply emails.
#[utoipa::path(
    post,
    path = "/email/confirm/{link}",
    tag = "email",
    params(
        ("link" = String, Path, description = "The confirmation link's token"),
        PageLanguage,
    ),
    request_body(
        content = Option<Choice>,
        content_type = "application/x-www-form-urlencoded",
        description = "The page's form"
    ),
    responses(
        (status = 200, description = "Confirmed, for a client without `back`", content_type = "text/plain", body = String, example = "confirmed"),
        (status = 303, description = "Confirmed; back to the confirmation page, for a person", headers(("Location" = String, description = "The confirmation page"))),
    ),
)]
async fn confirm(
    State(state): State<AppState>,
    Path(link): Path<String>,
    Query(language): Query<PageLanguage>,
    form: Result<Form<Choice>, FormRejection>,
) -> Result<Response, ApiError> {
    state.engine.confirm_email(&link).await?;
    Ok(answer(
        CONFIRM_PAGE,
        &link,
        language,
        form.ok(),
        "confirmed",
    ))
}

/// The page the unsubscribe and resubscribe buttons are on.
const UNSUBSCRIBE_PAGE: &str = "/email/unsubscribe/";
/// The page the confirmation button is on.
const CONFIRM_PAGE: &str = "/email/confirm/";

/// Back to the page (`page`, the link's), in its language, for a person (303, so the browser
/// loads it with GET); a short 200 for a mail client.
fn answer(
    page: &str,
    link: &str,
    language: PageLanguage,
    form: Option<Form<Choice>>,
    done: &'static str,
) -> Response {
    if form.is_none_or(|Form(choice)| choice.back.is_none()) {
        return (StatusCode::OK, done).into_response();
    }
    let link = crate::security::path_segment(link);
    let lang = language
        .lang
        .as_deref()
        .and_then(switchboard::domain::Locale::parse)
        .map(|locale| format!("?lang={}", locale.as_str()))
        .unwrap_or_default();
    Redirect::to(&format!("{page}{link}{lang}")).into_response()
}
