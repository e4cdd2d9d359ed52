//! The team: the operators list, role changes, deactivation and handing over ownership.

use axum::extract::{Path, State};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use switchboard::domain::{Invalid, TeamChange};
use switchboard::wire::Role;
use uuid::Uuid;

use super::{parse_id, ApiJson, SignedIn};
use crate::error::ApiError;
use crate::extract::Client;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/operators", get(list))
        .route("/api/v1/operators/{id}", patch(change))
        .route("/api/v1/operators/{id}/make_owner", post(make_owner))
}

async fn list(State(state): State<AppState>, signed_in: SignedIn) -> Result<Json<Value>, ApiError> {
    let operators = state.engine.team(&signed_in.operator).await?;
    Ok(Json(json!({ "operators": operators })))
}

/// `PATCH /api/v1/operators/:id`'s body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeBody {
    role: Option<String>,
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

async fn change(
    State(state): State<AppState>,
    signed_in: SignedIn,
    client: Client,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ChangeBody>,
) -> Result<Json<Value>, ApiError> {
    let id: Uuid = parse_id(&id, "operator")?;
    let change = body.parse()?;
    let operator = state
        .engine
        .change_operator(&signed_in.operator, id, change, &client.requester)
        .await?;
    Ok(Json(json!({ "operator": operator })))
}

async fn make_owner(
    State(state): State<AppState>,
    signed_in: SignedIn,
    client: Client,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id: Uuid = parse_id(&id, "operator")?;
    let operator = state
        .engine
        .make_owner(&signed_in.operator, id, &client.requester)
        .await?;
    Ok(Json(json!({ "operator": operator })))
}
