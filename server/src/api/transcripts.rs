//! Transcripts as downloads: an operator's (notes when asked), a widget customer's and a
//! guest's (never notes).

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use switchboard::auth::Token;
use switchboard::domain::{parse_notes, transcript_text, TranscriptFormat};
use switchboard::wire::Transcript;
use switchboard::Actor;

use super::{download_headers, parse_id, SignedIn};
use crate::error::ApiError;
use crate::extract::WidgetCustomer;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/conversations/{id}/transcript",
            get(operator_transcript),
        )
        .route("/api/v1/widget/transcript", get(customer_transcript))
        .route("/support/guest/{token}/transcript", get(guest_transcript))
}

/// A transcript request's query, as sent.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuery {
    format: Option<String>,
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
