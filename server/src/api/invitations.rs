//! Invitations to the team: made and revoked by the owner and admins, accepted by the person
//! invited (who has no account yet).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use switchboard::auth::Token;
use switchboard::domain::{Email, Invalid};
use switchboard::wire::{CreatedInvitation, InvitationList, LoginResponse, Role};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::signed_in_response;
use super::{parse_id, ApiJson, SignedIn};
use crate::error::ApiError;
use crate::extract::Client;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_invitations, create))
        .routes(routes!(accept))
        .routes(routes!(revoke))
}

/// The pending invitations.
#[utoipa::path(
    get,
    path = "/api/v1/invitations",
    tag = "team",
    security(("operator" = [])),
    responses((status = 200, description = "The pending invitations", body = InvitationList)),
)]
async fn list_invitations(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Json<InvitationList>, ApiError> {
    let invitations = state.engine.invitations(&signed_in.operator).await?;
    Ok(Json(InvitationList { invitations }))
}

/// `POST /api/v1/invitations`'s body.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateInvitationRequest {
    /// The address to invite.
    email: String,
    /// The role they get: `admin` or `agent`.
    role: String,
}

/// Invites someone to the team by email; the accept link is in the answer this once.
#[utoipa::path(
    post,
    path = "/api/v1/invitations",
    tag = "team",
    security(("operator" = [])),
    request_body = CreateInvitationRequest,
    responses((status = 201, description = "The invitation and its one-time link", body = CreatedInvitation)),
)]
async fn create(
    State(state): State<AppState>,
    signed_in: SignedIn,
    client: Client,
    ApiJson(body): ApiJson<CreateInvitationRequest>,
) -> Result<Response, ApiError> {
    let email = Email::parse(&body.email)?;
    let role =
        Role::parse(&body.role).ok_or_else(|| Invalid::new("role", "must be admin or agent"))?;
    let created = state
        .engine
        .invite(
            &signed_in.operator,
            email,
            role,
            client.locale,
            &client.requester,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// Revokes an invitation: its link stops working.
#[utoipa::path(
    delete,
    path = "/api/v1/invitations/{id}",
    tag = "team",
    security(("operator" = [])),
    params(("id" = Uuid, Path, description = "The invitation's id")),
    responses((status = 204, description = "Revoked (one already ended stays as it was)")),
)]
async fn revoke(
    State(state): State<AppState>,
    signed_in: SignedIn,
    client: Client,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, "invitation")?;
    state
        .engine
        .revoke_invitation(&signed_in.operator, id, &client.requester)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/invitations/accept`'s body.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct AcceptInvitationRequest {
    /// The token from the invitation's link.
    token: String,
    /// The new operator's name.
    name: String,
    /// Their password.
    password: String,
}

/// Accepts an invitation: makes the invited person's account and signs them in.
#[utoipa::path(
    post,
    path = "/api/v1/invitations/accept",
    tag = "team",
    request_body = AcceptInvitationRequest,
    responses((
        status = 200,
        description = "The new operator, signed in",
        body = LoginResponse,
        headers(("set-cookie" = String, description = "The new sign-in's session cookie")),
    )),
)]
async fn accept(
    State(state): State<AppState>,
    client: Client,
    ApiJson(body): ApiJson<AcceptInvitationRequest>,
) -> Result<Response, ApiError> {
    let engine = &state.engine;
    let (operator, session) = engine
        .accept_invitation(
            &Token::from_presented(&body.token),
            &body.name,
            &body.password,
            &client.requester,
        )
        .await?;
    Ok(signed_in_response(engine, operator, session))
}
