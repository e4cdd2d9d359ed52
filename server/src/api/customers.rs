//! Customers' records, for the owner and admins: the list, an export, an erasure.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use switchboard::domain::{CustomerFilter, Invalid};
use switchboard::wire::{CustomerEnvelope, CustomerList};

use super::{download_headers, parse_id, query_id, query_number, SignedIn};
use crate::error::ApiError;
use crate::extract::Client;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/customers", get(list))
        .route("/api/v1/customers/{id}/export", get(export))
        .route("/api/v1/customers/{id}/erase", post(erase))
}

/// `GET /api/v1/customers`'s query, as sent; empty values mean "not given".
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuery {
    q: Option<String>,
    before: Option<String>,
    limit: Option<String>,
}

impl RawQuery {
    fn parse(self) -> Result<CustomerFilter, Invalid> {
        let before = query_id("before", self.before)?;
        let limit = query_number("limit", self.limit)?;
        CustomerFilter::parse(self.q.as_deref(), before, limit)
    }
}

async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    query: Result<Query<RawQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<CustomerList>, ApiError> {
    let Query(raw) = query.map_err(|e| ApiError::BadBody(e.body_text()))?;
    let customers = state
        .engine
        .customers(&signed_in.operator, &raw.parse()?)
        .await?;
    Ok(Json(CustomerList { customers }))
}

/// The export, as JSON that a browser saves as a file.
async fn export(
    State(state): State<AppState>,
    signed_in: SignedIn,
    client: Client,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, "customer")?;
    let export = state
        .engine
        .export_customer(&signed_in.operator, id, &client.requester)
        .await?;
    Ok((
        download_headers(&format!("customer-{id}.json")),
        Json(export),
    )
        .into_response())
}

async fn erase(
    State(state): State<AppState>,
    signed_in: SignedIn,
    client: Client,
    Path(id): Path<String>,
) -> Result<Json<CustomerEnvelope>, ApiError> {
    let id = parse_id(&id, "customer")?;
    let customer = state
        .engine
        .erase_customer(&signed_in.operator, id, &client.requester)
        .await?;
    Ok(Json(CustomerEnvelope { customer }))
}
