//! The team: the operators list, role changes, deactivation and handing over ownership.

use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use switchboard::domain::{Invalid, TeamChange};
use switchboard::wire::{OperatorEnvelope, Role, TeamList};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{parse_id, ApiJson, SignedIn};
use crate::error::ApiError;
use crate::extract::Client;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_operators))
        .routes(routes!(change))
        .routes(routes!(make_owner))
}

/// Every operator, as the asker may see them.
///
/// Agents see names, roles and whether active; the owner and admins also emails and when each
/// was last seen.
#[utoipa::path(
    get,
    path = "/api/v1/operators",
    tag = "team",
    security(("operator" = [])),
    responses((status = 200, description = "The team, oldest first", body = TeamList)),
)]
async fn list_operators(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Json<TeamList>, ApiError> {
    let operators = state.engine.team(&signed_in.operator).await?;
    Ok(Json(TeamList { operators }))
}

/// `PATCH /api/v1/operators/:id`'s body.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ChangeBody {
    /// A new role: `owner`, `admin` or `agent`.
    role: Option<String>,
    /// `false` to deactivate (every sign-in of theirs ends), `true` to reactivate.
    active: Option<bool>,
}

impl ChangeBody {
    fn parse(self) -> Result<TeamChange, Invalid> {
        let role = match self.role.as_deref() {
            None => None,
            Some(raw) => Some(
                Role::parse(raw)
                    .ok_or_else(|| Invalid::new("role", "must be owner, admin or agent"))?,
            ),
        };
        Ok(TeamChange {
            role,
            active: self.active,
        })
    }
}

/// Changes a colleague's role, or deactivates or reactivates them.
#[utoipa::path(
    patch,
    path = "/api/v1/operators/{id}",
    tag = "team",
    security(("operator" = [])),
    params(("id" = Uuid, Path, description = "The operator's id")),
    request_body(content = Option<ChangeBody>, description = "A new role, a new active state, or both"),
    responses((status = 200, description = "The changed operator", body = OperatorEnvelope)),
)]
async fn change(
    State(state): State<AppState>,
    signed_in: SignedIn,
    client: Client,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ChangeBody>,
) -> Result<Json<OperatorEnvelope>, ApiError> {
    let id: Uuid = parse_id(&id, "operator")?;
    let change = body.parse()?;
    let operator = state
        .engine
        .change_operator(&signed_in.operator, id, change, &client.requester)
        .await?;
    Ok(Json(OperatorEnvelope { operator }))
}

/// Hands ownership to an active admin; the old owner becomes an admin.
#[utoipa::path(
    post,
    path = "/api/v1/operators/{id}/make_owner",
    tag = "team",
    security(("operator" = [])),
    params(("id" = Uuid, Path, description = "The admin's id")),
    responses((status = 200, description = "The new owner", body = OperatorEnvelope)),
)]
async fn make_owner(
    State(state): State<AppState>,
    signed_in: SignedIn,
    client: Client,
    Path(id): Path<String>,
) -> Result<Json<OperatorEnvelope>, ApiError> {
    let id: Uuid = parse_id(&id, "operator")?;
    let operator = state
        .engine
        .make_owner(&signed_in.operator, id, &client.requester)
        .await?;
    Ok(Json(OperatorEnvelope { operator }))
}
