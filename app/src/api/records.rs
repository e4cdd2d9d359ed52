//! Server functions of customers' records (owner and admins): the list and erasing. The export
//! is a plain download from the REST route, which the browser's cookie opens.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use switchboard::wire::Customer;

use crate::error::AppError;

#[cfg(feature = "ssr")]
use super::ssr;

/// One page of the customers list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomersView {
    /// Newest first.
    pub customers: Vec<Customer>,
    /// Whether older customers may follow.
    pub more: bool,
}

/// Customers whose name or email has words beginning with those of `q` (all when empty),
/// older than `before` when given.
#[server(endpoint = "customers")]
pub async fn load_customers(
    q: String,
    before: Option<uuid::Uuid>,
) -> Result<CustomersView, AppError> {
    const PAGE: i64 = 50;
    let result = async {
        let me = ssr::signed_in().await?;
        let filter = switchboard::domain::CustomerFilter::parse(Some(&q), before, Some(PAGE + 1))?;
        Ok::<_, AppError>(ssr::engine()?.customers(&me, &filter).await?)
    }
    .await;
    let mut customers = result.inspect_err(ssr::set_status_for)?;
    let more = customers.len() as i64 > PAGE;
    customers.truncate(PAGE as usize);
    Ok(CustomersView { customers, more })
}

/// Erases a customer (see the engine's `erase_customer`).
#[server(endpoint = "customers/erase")]
pub async fn erase_customer(id: uuid::Uuid) -> Result<Customer, AppError> {
    let result = async {
        let me = ssr::signed_in().await?;
        Ok::<_, AppError>(
            ssr::engine()?
                .erase_customer(&me, id, &ssr::requester())
                .await?,
        )
    }
    .await;
    result.inspect_err(ssr::set_status_for)
}
