//! The audit log, for the owner and admins.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use switchboard::domain::Invalid;
use switchboard::wire::AuditAction;
use switchboard::AuditQuery;

use super::{given, query_id, query_number, SignedIn};
use crate::error::ApiError;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/audit", get(list))
}

/// `GET /api/v1/audit`'s query, as sent; empty values mean "not given".
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuery {
    action: Option<String>,
    actor_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
    before: Option<String>,
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

async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    query: Result<Query<RawQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(raw) = query.map_err(|e| ApiError::BadBody(e.body_text()))?;
    let entries = state
        .engine
        .audit_log(&signed_in.operator, raw.parse()?)
        .await?;
    Ok(Json(json!({ "entries": entries })))
}
