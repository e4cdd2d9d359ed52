//! Files: uploads (multipart, streamed into the engine's spool) and downloads (streamed out of
//! the store chunk by chunk) through each party's door: operators with their cookie, guests
//! with their link, customers with their widget token.

use axum::body::Body;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use switchboard::auth::Token;
use switchboard::domain::Invalid;
use switchboard::wire::FileEnvelope;
use switchboard::{Actor, Download, Engine};
use uuid::Uuid;

use super::{parse_id, SignedIn};
use crate::error::ApiError;
use crate::extract::WidgetCustomer;
use crate::state::AppState;

/// The most bytes of form parts other than `file` a request may carry.
const OTHER_PARTS_LIMIT: usize = 64 * 1024;

/// This area's routes. Upload bodies are not held whole, so axum's body limit is off for them:
/// the engine stops a file at its size limit while it streams in, and the guard refuses a
/// declared length over it before anything is read.
pub fn routes() -> Router<AppState> {
    let uploads = Router::new()
        .route("/api/v1/conversations/{id}/files", post(operator_upload))
        .route("/support/guest/{token}/files", post(guest_upload))
        .route("/api/v1/widget/files", post(customer_upload))
        .layer(DefaultBodyLimit::disable());
    Router::new()
        .merge(uploads)
        .route("/api/v1/files/{file}", get(operator_file::<false>))
        .route("/api/v1/files/{file}/thumbnail", get(operator_file::<true>))
        .route(
            "/support/guest/{token}/files/{file}",
            get(guest_file::<false>),
        )
        .route(
            "/support/guest/{token}/files/{file}/thumbnail",
            get(guest_file::<true>),
        )
        .route("/api/v1/widget/files/{file}", get(customer_file::<false>))
        .route(
            "/api/v1/widget/files/{file}/thumbnail",
            get(customer_file::<true>),
        )
}

async fn operator_upload(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let conversation = parse_id(&id, "conversation")?;
    let actor = Actor::Operator(signed_in.operator);
    receive(&state.engine, &actor, conversation, multipart).await
}

async fn guest_upload(
    State(state): State<AppState>,
    Path(token): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let (actor, session) = state
        .engine
        .guest_actor(&Token::from_presented(&token), None)
        .await?;
    receive(&state.engine, &actor, session.conversation_id, multipart).await
}

async fn customer_upload(
    State(state): State<AppState>,
    customer: WidgetCustomer,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    receive(
        &state.engine,
        &customer.actor,
        customer.conversation_id,
        multipart,
    )
    .await
}

/// Streams the part named `file` into a new upload and stores it: 201 with the file.
async fn receive(
    engine: &Engine,
    actor: &Actor,
    conversation_id: Uuid,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let mut multipart = multipart.map_err(|_| ApiError::NotMultipart)?;
    let mut upload = engine.begin_upload(actor, conversation_id).await?;
    let mut other_bytes = 0;
    while let Some(mut field) = multipart.next_field().await.map_err(part_error)? {
        if field.name() != Some("file") {
            while let Some(piece) = field.chunk().await.map_err(part_error)? {
                other_bytes += piece.len();
                if other_bytes > OTHER_PARTS_LIMIT {
                    return Err(ApiError::TooLarge);
                }
            }
            continue;
        }
        let name = field.file_name().map(str::to_owned);
        while let Some(piece) = field.chunk().await.map_err(part_error)? {
            upload.write(&piece).await?;
        }
        let file = engine.finish_upload(upload, name.as_deref()).await?;
        return Ok((StatusCode::CREATED, Json(FileEnvelope { file })).into_response());
    }
    Err(Invalid::new(
        "file",
        "send the file as a multipart/form-data part named file",
    )
    .into())
}

fn part_error(err: MultipartError) -> ApiError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::TooLarge;
    }
    ApiError::BadBody(err.body_text())
}

// Each door's download, of the file or (`THUMBNAIL`) of its thumbnail.

async fn operator_file<const THUMBNAIL: bool>(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let actor = Actor::Operator(signed_in.operator);
    send(&state.engine, &actor, &file, THUMBNAIL).await
}

async fn guest_file<const THUMBNAIL: bool>(
    State(state): State<AppState>,
    Path((token, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (actor, _) = state
        .engine
        .guest_reader(&Token::from_presented(&token))
        .await?;
    send(&state.engine, &actor, &file, THUMBNAIL).await
}

async fn customer_file<const THUMBNAIL: bool>(
    State(state): State<AppState>,
    customer: WidgetCustomer,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    send(&state.engine, &customer.actor, &file, THUMBNAIL).await
}

/// Opens the file for `actor` and streams it out with headers that keep a browser from doing
/// anything with it but show a re-encoded image or save the file.
async fn send(
    engine: &Engine,
    actor: &Actor,
    raw_id: &str,
    thumbnail: bool,
) -> Result<Response, ApiError> {
    let id = parse_id(raw_id, "file")?;
    let download = engine.open_file(actor, id, thumbnail).await?;
    Ok(download_response(download))
}

fn download_response(download: Download) -> Response {
    let Download {
        info,
        size,
        content_type,
        inline,
        chunks,
    } = download;
    // Fused: a compressing body polls once more after the end, which a bare unfold forbids.
    let chunks = futures_util::stream::unfold(chunks, |mut chunks| async {
        match chunks.next().await {
            Ok(Some(chunk)) => Some((Ok(axum::body::Bytes::from(chunk)), chunks)),
            Ok(None) => None,
            Err(err) => {
                tracing::error!(error = %err, "reading a file's chunk failed");
                Some((
                    Err(std::io::Error::other("reading the file failed")),
                    chunks,
                ))
            }
        }
    });
    let body = Body::from_stream(futures_util::StreamExt::fuse(chunks));
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    let content_type = match content_type {
        "text/plain" => "text/plain; charset=utf-8",
        other => other,
    };
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private"));
    let disposition = content_disposition(if inline { "inline" } else { "attachment" }, &info.name);
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266): an ASCII stand-in for old
/// clients, the exact name for the rest.
fn content_disposition(kind: &str, name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| match c {
            ' '..='~' if c != '"' && c != '\\' => c,
            _ => '_',
        })
        .collect();
    let exact = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{exact}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_download_names_its_file_for_old_and_new_clients() {
        assert_eq!(
            content_disposition("attachment", "счёт \"7\".pdf"),
            "attachment; filename=\"____ _7_.pdf\"; \
             filename*=UTF-8''%D1%81%D1%87%D1%91%D1%82%20%227%22%2Epdf"
        );
    }
}
