//! `GET /healthz` (the process serves) and `GET /readyz` (the database answers too): what a
//! load balancer or an orchestrator asks before it sends traffic.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::state::AppState;

/// The health routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// 200 `ok` while the process serves; touches no database.
async fn healthz() -> Response {
    ([(header::CACHE_CONTROL, "no-store")], "ok").into_response()
}

/// 200 while the database answers, 503 naming it when it does not.
async fn readyz(State(state): State<AppState>) -> Response {
    let (status, body) = if state.engine.database_answers().await {
        (StatusCode::OK, json!({ "status": "ready" }))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({ "status": "unavailable", "reason": "database" }),
        )
    };
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}
