//! File uploads (multipart, streamed into the engine's spool) through each party's door:
//! operators with their cookie, guests with their link, customers with their widget token.

use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use switchboard::auth::Token;
use switchboard::domain::Invalid;
use switchboard::wire::FileEnvelope;
use switchboard::{Actor, Engine};
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
    OpenApiRouter::new().merge(uploads)
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
