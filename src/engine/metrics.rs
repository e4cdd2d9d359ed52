//! What the engine counts for monitoring: messages stored and how long a post takes to be
//! durable, in Prometheus' own types so the server exposes them as they are; and what it reads
//! on demand: email jobs by state, database connections.

use prometheus::{Histogram, HistogramOpts, IntCounter};

use super::Engine;
use crate::store::emails::JobState;
use crate::store::PoolUse;
use crate::Error;

/// The engine's counters, one set per process.
#[derive(Debug, Clone)]
pub struct EngineMetrics {
    /// Messages (and notes) this node stored; a repeated `client_id` is not counted again.
    pub messages_stored: IntCounter,
    /// From a post's arrival at the engine to its message being committed (or found stored
    /// already), in seconds; refused posts are not timed.
    pub post_duration: Histogram,
}

impl EngineMetrics {
    pub(super) fn new() -> Self {
        let messages_stored = IntCounter::new(
            "switchboard_messages_stored_total",
            "Messages and notes stored by this node.",
        )
        .expect("a valid counter");
        let post_duration = Histogram::with_opts(
            HistogramOpts::new(
                "switchboard_post_duration_seconds",
                "Time from a post reaching the engine to its message being durable.",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
        )
        .expect("a valid histogram");
        Self {
            messages_stored,
            post_duration,
        }
    }
}

impl Engine {
    /// This node's counters.
    pub fn metrics(&self) -> &EngineMetrics {
        &self.inner.metrics
    }

    /// How many email jobs (reply emails, confirmations) stand in each state, every state
    /// named, zero included.
    pub async fn email_jobs_by_state(&self) -> Result<Vec<(&'static str, i64)>, Error> {
        let counts = self.store().db().email_job_counts().await?;
        Ok(JobState::ALL
            .iter()
            .map(|state| {
                let count = counts
                    .iter()
                    .find(|(stored, _)| stored == state.as_str())
                    .map_or(0, |(_, n)| *n);
                (state.as_str(), count)
            })
            .collect())
    }

    /// The database pool's connections now.
    pub fn pool_use(&self) -> PoolUse {
        self.store().pool_use()
    }
}
