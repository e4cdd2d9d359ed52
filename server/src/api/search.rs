//! Search for operators: conversations by their messages and notes.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use switchboard::domain::search::{RawSearch, SearchRequest};
use switchboard::wire::SearchPage;

use super::SignedIn;
use crate::error::ApiError;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/search", get(search))
}

/// `GET /api/v1/search`'s query, as sent; empty values mean "not given".
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuery {
    q: Option<String>,
    status: Option<String>,
    assignee: Option<String>,
    label: Option<String>,
    kind: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

async fn search(
    State(state): State<AppState>,
    signed_in: SignedIn,
    query: Result<Query<RawQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<SearchPage>, ApiError> {
    let Query(raw) = query.map_err(|e| ApiError::BadBody(e.body_text()))?;
    let request = SearchRequest::parse(
        RawSearch {
            q: raw.q.as_deref(),
            status: raw.status.as_deref(),
            assignee: raw.assignee.as_deref(),
            label: raw.label.as_deref(),
            kind: raw.kind.as_deref(),
            from: raw.from.as_deref(),
            to: raw.to.as_deref(),
            limit: raw.limit.as_deref(),
            cursor: raw.cursor.as_deref(),
        },
        signed_in.operator.id,
    )?;
    Ok(Json(state.engine.search(&request).await?))
}
