//! An operator about themselves: profile, preferences, password and sign-ins.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use switchboard::wire::{Me, Preferences, SignInList};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{parse_id, ApiJson, SignedIn};
use crate::error::ApiError;
use crate::extract::Client;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(read_me, update))
        .routes(routes!(change_password))
        .routes(routes!(signins))
        .routes(routes!(end_others))
        .routes(routes!(end_one))
}

/// The signed-in operator and their preferences.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "me",
    security(("operator" = [])),
    responses((status = 200, description = "The operator and their preferences", body = Me)),
)]
async fn read_me(State(state): State<AppState>, signed_in: SignedIn) -> Result<Json<Me>, ApiError> {
    Ok(Json(state.engine.me(&signed_in.operator).await?))
}

/// `PATCH /api/v1/me`'s body.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    /// A new name; messages already sent keep the name they were sent with.
    name: Option<String>,
    /// New notification preferences, all of them.
    preferences: Option<Preferences>,
}

/// Changes the operator's name and preferences, each when given.
#[utoipa::path(
    patch,
    path = "/api/v1/me",
    tag = "me",
    security(("operator" = [])),
    request_body(content = Option<UpdateBody>, description = "A new name, new preferences, or both"),
    responses((status = 200, description = "The operator and their preferences", body = Me)),
)]
async fn update(
    State(state): State<AppState>,
    signed_in: SignedIn,
    ApiJson(body): ApiJson<UpdateBody>,
) -> Result<Json<Me>, ApiError> {
    let me = state
        .engine
        .update_me(&signed_in.operator, body.name.as_deref(), body.preferences)
        .await?;
    Ok(Json(me))
}

/// `POST /api/v1/me/password`'s body.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct PasswordBody {
    /// The password now.
    current_password: String,
    /// The password from now on.
    new_password: String,
}

/// Changes the password after checking the current one; the operator's other sign-ins end.
#[utoipa::path(
    post,
    path = "/api/v1/me/password",
    tag = "me",
    security(("operator" = [])),
    request_body = PasswordBody,
    responses((status = 204, description = "The password is changed")),
)]
async fn change_password(
    State(state): State<AppState>,
    signed_in: SignedIn,
    client: Client,
    ApiJson(body): ApiJson<PasswordBody>,
) -> Result<StatusCode, ApiError> {
    state
        .engine
        .change_password(
            &signed_in.operator,
            &signed_in.token,
            &body.current_password,
            &body.new_password,
            &client.requester,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The operator's live sign-ins (browsers).
#[utoipa::path(
    get,
    path = "/api/v1/me/signins",
    tag = "me",
    security(("operator" = [])),
    responses((status = 200, description = "The sign-ins", body = SignInList)),
)]
async fn signins(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Json<SignInList>, ApiError> {
    let signins = state
        .engine
        .signins(&signed_in.operator, &signed_in.token)
        .await?;
    Ok(Json(SignInList { signins }))
}

/// Ends one of the operator's sign-ins; its sockets close.
#[utoipa::path(
    delete,
    path = "/api/v1/me/signins/{id}",
    tag = "me",
    security(("operator" = [])),
    params(("id" = Uuid, Path, description = "The sign-in's id")),
    responses((status = 204, description = "The sign-in is ended")),
)]
async fn end_one(
    State(state): State<AppState>,
    signed_in: SignedIn,
    client: Client,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, "sign-in")?;
    state
        .engine
        .end_signin(&signed_in.operator, id, &client.requester)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends every sign-in of the operator but the one asking.
#[utoipa::path(
    post,
    path = "/api/v1/me/signins/end_others",
    tag = "me",
    security(("operator" = [])),
    responses((status = 204, description = "The other sign-ins are ended")),
)]
async fn end_others(
    State(state): State<AppState>,
    signed_in: SignedIn,
    client: Client,
) -> Result<StatusCode, ApiError> {
    state
        .engine
        .end_other_signins(&signed_in.operator, &signed_in.token, &client.requester)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
