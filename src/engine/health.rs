//! Whether this node can serve: what a load balancer's readiness check asks.

use std::time::Duration;

use super::Engine;

/// How long the database has to answer before the node counts as not ready. A node whose
/// database went away must say so well within a load balancer's usual 5 s check, and the pool
/// would otherwise wait its whole acquire timeout (10 s) for a connection.
pub const READY_WAIT: Duration = Duration::from_secs(2);

impl Engine {
    /// Whether the database answers within [`READY_WAIT`].
    pub async fn database_answers(&self) -> bool {
        match tokio::time::timeout(READY_WAIT, self.store().ping()).await {
            Ok(Ok(())) => true,
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "the database does not answer");
                false
            }
            Err(_) => {
                tracing::warn!("the database did not answer within {READY_WAIT:?}");
                false
            }
        }
    }
}
