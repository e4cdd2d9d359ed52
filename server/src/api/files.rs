//! Files: uploads (multipart, streamed into the engine's spool) and downloads (streamed out of
//! the store chunk by chunk) through each party's door: operators with their cookie, guests
//! with their link, customers with their widget token.

use axum::body::Body;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use switchboard::auth::Token;
use switchboard::domain::Invalid;
use switchboard::wire::FileEnvelope;
use switchboard::{Actor, Download, Engine};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
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
pub fn routes() -> OpenApiRouter<AppState> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(operator_upload))
        .routes(routes!(guest_upload))
        .routes(routes!(customer_upload))
        .layer(DefaultBodyLimit::disable());
    OpenApiRouter::new()
        .merge(uploads)
        .routes(routes!(operator_download))
        .routes(routes!(operator_thumbnail))
        .routes(routes!(guest_download))
        .routes(routes!(guest_thumbnail))
        .routes(routes!(customer_download))
        .routes(routes!(customer_thumbnail))
}

/// An upload's form, as the OpenAPI document describes it: only the part named `file` is read.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct Upload {
    /// The file; the part's filename is the name it is stored under. Other parts are skipped
    /// (64 KiB of them at most).
    #[schema(
        value_type = String,
        format = Binary,
        content_media_type = "application/octet-stream"
    )]
    file: Vec<u8>,
}

/// A file's bytes, as the OpenAPI document describes a download.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
struct FileBytes(Vec<u8>);

/// Uploads a file into a conversation, as an operator.
#[utoipa::path(
    post,
    path = "/api/v1/conversations/{id}/files",
    tag = "files",
    security(("operator" = [])),
    params(("id" = Uuid, Path, description = "The conversation's id")),
    request_body(content = Upload, content_type = "multipart/form-data", description = "The file, as the part named `file`"),
    responses((status = 201, description = "The stored file", body = FileEnvelope)),
)]
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

/// Uploads a file into a support session, as its guest.
#[utoipa::path(
    post,
    path = "/support/guest/{token}/files",
    tag = "files",
    params(("token" = String, Path, description = "The guest link's token")),
    request_body(content = Upload, content_type = "multipart/form-data", description = "The file, as the part named `file`"),
    responses((status = 201, description = "The stored file", body = FileEnvelope)),
)]
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

/// Uploads a file into the widget customer's conversation.
#[utoipa::path(
    post,
    path = "/api/v1/widget/files",
    tag = "files",
    security(("customer" = [])),
    request_body(content = Upload, content_type = "multipart/form-data", description = "The file, as the part named `file`"),
    responses((status = 201, description = "The stored file", body = FileEnvelope)),
)]
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

/// Downloads a file, as an operator.
#[utoipa::path(
    get,
    path = "/api/v1/files/{file}",
    tag = "files",
    security(("operator" = [])),
    params(("file" = Uuid, Path, description = "The file's id")),
    responses((status = 200, description = "The file, in its own content type (an image, PDF, text, ZIP or MP4)", content(
        (FileBytes = "image/png"),
        (FileBytes = "image/jpeg"),
        (FileBytes = "image/gif"),
        (FileBytes = "image/webp"),
        (FileBytes = "application/pdf"),
        (FileBytes = "text/plain"),
        (FileBytes = "application/zip"),
        (FileBytes = "video/mp4"),
    ))),
)]
async fn operator_download(
    state: State<AppState>,
    signed_in: SignedIn,
    file: Path<String>,
) -> Result<Response, ApiError> {
    operator_file::<false>(state, signed_in, file).await
}

/// Downloads an image's thumbnail, as an operator.
#[utoipa::path(
    get,
    path = "/api/v1/files/{file}/thumbnail",
    tag = "files",
    security(("operator" = [])),
    params(("file" = Uuid, Path, description = "The file's id")),
    responses((status = 200, description = "The thumbnail: a JPEG, or a PNG where the image has alpha", content((FileBytes = "image/jpeg"), (FileBytes = "image/png")))),
)]
async fn operator_thumbnail(
    state: State<AppState>,
    signed_in: SignedIn,
    file: Path<String>,
) -> Result<Response, ApiError> {
    operator_file::<true>(state, signed_in, file).await
}

/// Downloads a file of a support session, as its guest.
#[utoipa::path(
    get,
    path = "/support/guest/{token}/files/{file}",
    tag = "files",
    params(
        ("token" = String, Path, description = "The guest link's token"),
        ("file" = Uuid, Path, description = "The file's id"),
    ),
    responses((status = 200, description = "The file, in its own content type (an image, PDF, text, ZIP or MP4)", content(
        (FileBytes = "image/png"),
        (FileBytes = "image/jpeg"),
        (FileBytes = "image/gif"),
        (FileBytes = "image/webp"),
        (FileBytes = "application/pdf"),
        (FileBytes = "text/plain"),
        (FileBytes = "application/zip"),
        (FileBytes = "video/mp4"),
    ))),
)]
async fn guest_download(
    state: State<AppState>,
    path: Path<(String, String)>,
) -> Result<Response, ApiError> {
    guest_file::<false>(state, path).await
}

/// Downloads an image's thumbnail in a support session, as its guest.
#[utoipa::path(
    get,
    path = "/support/guest/{token}/files/{file}/thumbnail",
    tag = "files",
    params(
        ("token" = String, Path, description = "The guest link's token"),
        ("file" = Uuid, Path, description = "The file's id"),
    ),
    responses((status = 200, description = "The thumbnail: a JPEG, or a PNG where the image has alpha", content((FileBytes = "image/jpeg"), (FileBytes = "image/png")))),
)]
async fn guest_thumbnail(
    state: State<AppState>,
    path: Path<(String, String)>,
) -> Result<Response, ApiError> {
    guest_file::<true>(state, path).await
}

/// Downloads a file of the widget customer's conversation.
#[utoipa::path(
    get,
    path = "/api/v1/widget/files/{file}",
    tag = "files",
    security(("customer" = [])),
    params(("file" = Uuid, Path, description = "The file's id")),
    responses((status = 200, description = "The file, in its own content type (an image, PDF, text, ZIP or MP4)", content(
        (FileBytes = "image/png"),
        (FileBytes = "image/jpeg"),
        (FileBytes = "image/gif"),
        (FileBytes = "image/webp"),
        (FileBytes = "application/pdf"),
        (FileBytes = "text/plain"),
        (FileBytes = "application/zip"),
        (FileBytes = "video/mp4"),
    ))),
)]
async fn customer_download(
    state: State<AppState>,
    customer: WidgetCustomer,
    file: Path<String>,
) -> Result<Response, ApiError> {
    customer_file::<false>(state, customer, file).await
}

/// Downloads an image's thumbnail in the widget customer's conversation.
#[utoipa::path(
    get,
    path = "/api/v1/widget/files/{file}/thumbnail",
    tag = "files",
    security(("customer" = [])),
    params(("file" = Uuid, Path, description = "The file's id")),
    responses((status = 200, description = "The thumbnail: a JPEG, or a PNG where the image has alpha", content((FileBytes = "image/jpeg"), (FileBytes = "image/png")))),
)]
async fn customer_thumbnail(
    state: State<AppState>,
    customer: WidgetCustomer,
    file: Path<String>,
) -> Result<Response, ApiError> {
    customer_file::<true>(state, customer, file).await
}

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
