//! Search for operators: conversations by their messages and notes.

use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use switchboard::domain::search::{RawSearch, SearchRequest};
use switchboard::wire::SearchPage;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::SignedIn;
use crate::error::ApiError;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search))
}

/// `GET /api/v1/search`'s query, as sent; empty values mean "not given".
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct RawQuery {
    /// What to find: words (all must match), `"quoted phrases"` and `prefix*`.
    #[param(required = true)]
    q: Option<String>,
    /// `active` or `archived` conversations only; both when absent.
    #[param(pattern = "^(active|archived)$")]
    status: Option<String>,
    /// Whose conversations: `me`, `none` (unassigned) or an operator's id; anyone's when absent.
    assignee: Option<String>,
    /// Only conversations with this label (an id).
    label: Option<String>,
    /// `support` or `session` conversations only; both when absent.
    #[param(pattern = "^(support|session)$")]
    kind: Option<String>,
    /// Only what happened at or after this time (RFC 3339).
    from: Option<String>,
    /// Only what happened before this time (RFC 3339); after `from`.
    to: Option<String>,
    /// Conversations per page, 1 to 50 (default 20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 50)]
    limit: Option<String>,
    /// Where the page starts: a previous page's `next_cursor`.
    cursor: Option<String>,
}

/// Finds conversations by their messages and notes, customer or session title, newest first.
///
/// A conversation matches by its messages or private notes, its customer's name and email, or
/// its session's title; each comes with its newest matching messages.
#[utoipa::path(
    get,
    path = "/api/v1/search",
    tag = "search",
    security(("operator" = [])),
    params(RawQuery),
    responses((status = 200, description = "One page of results", body = SearchPage)),
)]
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
