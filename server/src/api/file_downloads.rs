//! File downloads (streamed out of the store chunk by chunk) through each party's door:
//! operators with their cookie, guests with their link, customers with their widget token.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use switchboard::auth::Token;
use switchboard::{Actor, Download, Engine};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{parse_id, SignedIn};
use crate::error::ApiError;
use crate::extract::WidgetCustomer;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(operator_download))
        .routes(routes!(operator_thumbnail))
        .routes(routes!(guest_download))
        .routes(routes!(guest_thumbnail))
        .routes(routes!(customer_download))
        .routes(routes!(customer_thumbnail))
}

/// A file's bytes, as the OpenAPI document describes a download.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
struct FileBytes(Vec<u8>);

// Each door's download, of the file or of its thumbnail.

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
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let actor = Actor::Operator(signed_in.operator);
    send(&state.engine, &actor, &file, false).await
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
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let actor = Actor::Operator(signed_in.operator);
    send(&state.engine, &actor, &file, true).await
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
    State(state): State<AppState>,
    Path((token, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let actor = guest(&state.engine, &token).await?;
    send(&state.engine, &actor, &file, false).await
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
    State(state): State<AppState>,
    Path((token, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let actor = guest(&state.engine, &token).await?;
    send(&state.engine, &actor, &file, true).await
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
    State(state): State<AppState>,
    customer: WidgetCustomer,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    send(&state.engine, &customer.actor, &file, false).await
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
    State(state): State<AppState>,
    customer: WidgetCustomer,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    send(&state.engine, &customer.actor, &file, true).await
}

/// The guest a link's token names, as a reader of their session.
async fn guest(engine: &Engine, token: &str) -> Result<Actor, ApiError> {
    let (actor, _) = engine.guest_reader(&Token::from_presented(token)).await?;
    Ok(actor)
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
