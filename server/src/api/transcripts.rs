//! Transcripts as downloads: an operator's (notes when asked), a widget customer's and a
//! guest's (never notes).

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use switchboard::auth::Token;
use switchboard::domain::{parse_notes, transcript_text, TranscriptFormat};
use switchboard::wire::Transcript;
use switchboard::Actor;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{download_headers, parse_id, SignedIn};
use crate::error::ApiError;
use crate::extract::WidgetCustomer;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(operator_transcript))
        .routes(routes!(customer_transcript))
        .routes(routes!(guest_transcript))
}

/// A transcript request's query, as sent.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct RawQuery {
    /// `txt` (the default: one line per message) or `json`.
    #[param(pattern = "^(txt|json)$")]
    format: Option<String>,
    /// `true` to include private notes, `false` (the default) not to. Only an operator's
    /// transcript has notes; the widget's and a guest's ignore this.
    #[param(pattern = "^(true|false)$")]
    notes: Option<String>,
}

type QueryResult = Result<Query<RawQuery>, axum::extract::rejection::QueryRejection>;

fn parsed(query: QueryResult) -> Result<RawQuery, ApiError> {
    query
        .map(|Query(raw)| raw)
        .map_err(|e| ApiError::BadBody(e.body_text()))
}

/// The download: the chosen form, named after the conversation, never cached.
fn download(transcript: &Transcript, format: TranscriptFormat) -> Result<Response, ApiError> {
    let body = match format {
        TranscriptFormat::Text => transcript_text(transcript),
        TranscriptFormat::Json => serde_json::to_string_pretty(transcript)
            .map_err(|e| switchboard::Error::Internal(e.into()))?,
    };
    let name = format!(
        "transcript-{}.{}",
        transcript.conversation.id,
        format.extension()
    );
    Ok((
        [(header::CONTENT_TYPE, format.content_type().to_owned())],
        download_headers(&name),
        body,
    )
        .into_response())
}

/// A conversation's transcript as a download, with private notes when asked.
#[utoipa::path(
    get,
    path = "/api/v1/conversations/{id}/transcript",
    tag = "transcripts",
    security(("operator" = [])),
    params(("id" = Uuid, Path, description = "The conversation's id"), RawQuery),
    responses(
        (
            status = 200,
            description = "The transcript, as text or JSON by `format`",
            content((String = "text/plain"), (Transcript = "application/json")),
            headers(
                ("Content-Disposition" = String, description = "`attachment; filename=\"transcript-<id>.txt\"` (or `.json`)"),
                ("Cache-Control" = String, description = "`no-store`")
            )
        ),
    ),
)]
async fn operator_transcript(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    query: QueryResult,
) -> Result<Response, ApiError> {
    let conversation = parse_id(&id, "conversation")?;
    let raw = parsed(query)?;
    let format = TranscriptFormat::parse(raw.format.as_deref())?;
    let notes = parse_notes(raw.notes.as_deref())?;
    let actor = Actor::Operator(signed_in.operator);
    let transcript = state.engine.transcript(&actor, conversation, notes).await?;
    download(&transcript, format)
}

/// The widget customer's transcript of their conversation as a download, never with notes.
#[utoipa::path(
    get,
    path = "/api/v1/widget/transcript",
    tag = "transcripts",
    security(("customer" = [])),
    params(RawQuery),
    responses(
        (
            status = 200,
            description = "The transcript, as text or JSON by `format`",
            content((String = "text/plain"), (Transcript = "application/json")),
            headers(
                ("Content-Disposition" = String, description = "`attachment; filename=\"transcript-<id>.txt\"` (or `.json`)"),
                ("Cache-Control" = String, description = "`no-store`")
            )
        ),
    ),
)]
async fn customer_transcript(
    State(state): State<AppState>,
    customer: WidgetCustomer,
    query: QueryResult,
) -> Result<Response, ApiError> {
    let raw = parsed(query)?;
    let format = TranscriptFormat::parse(raw.format.as_deref())?;
    // A customer's transcript never has notes, whatever is asked.
    let transcript = state
        .engine
        .transcript(&customer.actor, customer.conversation_id, false)
        .await?;
    download(&transcript, format)
}

/// A guest's transcript of their session's conversation as a download, never with notes.
#[utoipa::path(
    get,
    path = "/support/guest/{token}/transcript",
    tag = "transcripts",
    params(("token" = String, Path, description = "The guest link's token"), RawQuery),
    responses(
        (
            status = 200,
            description = "The transcript, as text or JSON by `format`",
            content((String = "text/plain"), (Transcript = "application/json")),
            headers(
                ("Content-Disposition" = String, description = "`attachment; filename=\"transcript-<id>.txt\"` (or `.json`)"),
                ("Cache-Control" = String, description = "`no-store`")
            )
        ),
    ),
)]
async fn guest_transcript(
    State(state): State<AppState>,
    Path(token): Path<String>,
    query: QueryResult,
) -> Result<Response, ApiError> {
    let raw = parsed(query)?;
    let format = TranscriptFormat::parse(raw.format.as_deref())?;
    let (actor, session) = state
        .engine
        .guest_reader(&Token::from_presented(&token))
        .await?;
    let transcript = state
        .engine
        .transcript(&actor, session.conversation_id, false)
        .await?;
    download(&transcript, format)
}
