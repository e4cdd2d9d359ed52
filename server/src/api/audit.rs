//! The audit log, for the owner and admins.

use axum::extract::{Query, State};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use switchboard::domain::Invalid;
use switchboard::wire::{AuditAction, AuditLog};
use switchboard::AuditQuery;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{given, query_id, query_number, SignedIn};
use crate::error::ApiError;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(audit_log))
}

/// `GET /api/v1/audit`'s query, as sent; empty values mean "not given".
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct RawQuery {
    /// Only entries of this action (one of the audit actions, such as `signin`).
    action: Option<String>,
    /// Only entries by this operator.
    #[param(value_type = Option<Uuid>)]
    actor_id: Option<String>,
    /// Only entries at or after this time (RFC 3339).
    #[param(value_type = Option<DateTime<Utc>>)]
    from: Option<String>,
    /// Only entries before this time (RFC 3339).
    #[param(value_type = Option<DateTime<Utc>>)]
    to: Option<String>,
    /// The last entry id of the previous page: only older entries.
    #[param(value_type = Option<Uuid>)]
    before: Option<String>,
    /// Entries on the page: 1 to 200, 50 when absent.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    limit: Option<String>,
}

impl RawQuery {
    fn parse(self) -> Result<AuditQuery, Invalid> {
        let time = |field: &'static str, v: Option<String>| {
            given(v)
                .map(|raw| {
                    DateTime::parse_from_rfc3339(&raw)
                        .map(|t| t.with_timezone(&Utc))
                        .map_err(|_| Invalid::new(field, "must be an RFC 3339 time"))
                })
                .transpose()
        };
        let limit = query_number("limit", self.limit)?;
        Ok(AuditQuery {
            action: given(self.action)
                .map(|raw| {
                    AuditAction::parse(&raw)
                        .ok_or_else(|| Invalid::new("action", "is not an audit action"))
                })
                .transpose()?,
            actor_id: query_id("actor_id", self.actor_id)?,
            from: time("from", self.from)?,
            to: time("to", self.to)?,
            before: query_id("before", self.before)?,
            limit: AuditQuery::limit_of(limit)?,
        })
    }
}

/// A page of the audit log, newest first; for the owner and admins.
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "audit",
    security(("operator" = [])),
    params(RawQuery),
    responses((status = 200, description = "A page of the audit log", body = AuditLog)),
)]
async fn audit_log(
    State(state): State<AppState>,
    signed_in: SignedIn,
    query: Result<Query<RawQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<AuditLog>, ApiError> {
    let Query(raw) = query.map_err(|e| ApiError::BadBody(e.body_text()))?;
    let entries = state
        .engine
        .audit_log(&signed_in.operator, raw.parse()?)
        .await?;
    Ok(Json(AuditLog { entries }))
}
