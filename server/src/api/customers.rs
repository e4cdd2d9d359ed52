//! Customers' records, for the owner and admins: the list, an export, an erasure.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use switchboard::domain::{CustomerFilter, Invalid};
use switchboard::wire::{CustomerEnvelope, CustomerExport, CustomerList};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{download_headers, parse_id, query_id, query_number, SignedIn};
use crate::error::ApiError;
use crate::extract::Client;
use crate::state::AppState;

/// This area's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_customers))
        .routes(routes!(export))
        .routes(routes!(erase))
}

/// `GET /api/v1/customers`'s query, as sent; empty values mean "not given".
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct RawQuery {
    /// Words that each begin a word of the customer's name or email, or a customer's id; at
    /// most 200 characters; everyone when blank.
    q: Option<String>,
    /// The last customer id of the previous page.
    #[param(value_type = Option<Uuid>)]
    before: Option<String>,
    /// Customers on the page: 1 to 200, 50 when absent.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    limit: Option<String>,
}

impl RawQuery {
    fn parse(self) -> Result<CustomerFilter, Invalid> {
        let before = query_id("before", self.before)?;
        let limit = query_number("limit", self.limit)?;
        CustomerFilter::parse(self.q.as_deref(), before, limit)
    }
}

/// Lists customers, newest first; for the owner and admins.
#[utoipa::path(
    get,
    path = "/api/v1/customers",
    tag = "customers",
    security(("operator" = [])),
    params(RawQuery),
    responses((status = 200, description = "A page of customers", body = CustomerList)),
)]
async fn list_customers(
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

/// A customer's data export, as JSON that a browser saves as a file; for the owner and admins.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}/export",
    tag = "customers",
    security(("operator" = [])),
    params(("id" = Uuid, Path, description = "The customer's id")),
    responses((
        status = 200,
        description = "The export, as a download",
        body = CustomerExport,
        headers(
            ("Content-Disposition" = String, description = "`attachment; filename=\"customer-<id>.json\"`"),
            ("Cache-Control" = String, description = "`no-store`"),
        ),
    )),
)]
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

/// Erases a customer (again: no change); for the owner and admins.
#[utoipa::path(
    post,
    path = "/api/v1/customers/{id}/erase",
    tag = "customers",
    security(("operator" = [])),
    params(("id" = Uuid, Path, description = "The customer's id")),
    responses((status = 200, description = "The erased customer, with `erased_at`", body = CustomerEnvelope)),
)]
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
