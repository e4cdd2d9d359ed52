//! Reply emails: operators read a conversation's email history; a customer's one-click
//! unsubscribe link (RFC 8058), the unsubscribe page's buttons and the confirmation page's
//! button land here.

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;
use switchboard::wire::ConversationEmails;

use super::{parse_id, SignedIn};
use crate::error::ApiError;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/conversations/{id}/emails", get(history))
        .route("/email/unsubscribe/{link}", post(unsubscribe))
        .route("/email/resubscribe/{link}", post(resubscribe))
        .route("/email/confirm/{link}", post(confirm))
}

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
#[derive(Debug, Default, Deserialize)]
struct Choice {
    /// Set by the unsubscribe page: answer with a redirect back to it.
    #[serde(default)]
    back: Option<String>,
}

/// The page's language, which the form's address carries (`?lang=`), kept on the way back.
#[derive(Debug, Default, Deserialize)]
struct PageLanguage {
    #[serde(default)]
    lang: Option<String>,
}

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
