//! Prometheus metrics (`SWITCHBOARD_METRICS_ADDR`): HTTP requests by route template and status,
//! with durations, counted by a middleware on the public router; open sockets, email jobs and
//! database connections read at each scrape; and the engine's own counters. Served on their own
//! address only, never on the public port.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

use crate::socket_caps::SocketCaps;
use switchboard::Engine;

/// The server's metrics and the registry that gathers them with the engine's.
pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    sockets_open: IntGaugeVec,
    email_jobs: IntGaugeVec,
    db_connections: IntGaugeVec,
}

/// The parties a socket speaks for, as `party` labels.
const PARTIES: [&str; 3] = ["operator", "guest", "customer"];

impl Metrics {
    /// The metrics, with the engine's counters registered beside them.
    pub fn new(engine: &switchboard::Engine) -> Self {
        let registry = Registry::new();
        let http_requests = IntCounterVec::new(
            Opts::new(
                "switchboard_http_requests_total",
                "HTTP requests answered, by route template and status.",
            ),
            &["route", "status"],
        )
        .expect("a valid counter");
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "switchboard_http_request_duration_seconds",
                "Time to answer an HTTP request (to its response's head), by route template.",
            ),
            &["route"],
        )
        .expect("a valid histogram");
        let sockets_open = IntGaugeVec::new(
            Opts::new("switchboard_sockets_open", "Open WebSockets, by party."),
            &["party"],
        )
        .expect("a valid gauge");
        let email_jobs = IntGaugeVec::new(
            Opts::new(
                "switchboard_email_jobs",
                "Email jobs in the database, by state.",
            ),
            &["state"],
        )
        .expect("a valid gauge");
        let db_connections = IntGaugeVec::new(
            Opts::new(
                "switchboard_db_pool_connections",
                "This node's database connections, by state (idle or in_use).",
            ),
            &["state"],
        )
        .expect("a valid gauge");
        let metrics = engine.metrics();
        let collectors: [Box<dyn prometheus::core::Collector>; 7] = [
            Box::new(http_requests.clone()),
            Box::new(http_duration.clone()),
            Box::new(sockets_open.clone()),
            Box::new(email_jobs.clone()),
            Box::new(db_connections.clone()),
            Box::new(metrics.messages_stored.clone()),
            Box::new(metrics.post_duration.clone()),
        ];
        for collector in collectors {
            registry.register(collector).expect("distinct metric names");
        }
        Self {
            registry,
            http_requests,
            http_duration,
            sockets_open,
            email_jobs,
            db_connections,
        }
    }

    /// Reads what is read at each scrape, then writes every metric in Prometheus' text format.
    async fn render(
        &self,
        engine: &Engine,
        sockets: &SocketCaps,
    ) -> Result<String, switchboard::Error> {
        let open = sockets.live_by_prefix();
        for party in PARTIES {
            let count = open
                .iter()
                .find(|(prefix, _)| prefix == party)
                .map_or(0, |(_, n)| *n);
            self.sockets_open
                .with_label_values(&[party])
                .set(count as i64);
        }
        for (job_state, count) in engine.email_jobs_by_state().await? {
            self.email_jobs.with_label_values(&[job_state]).set(count);
        }
        let pool = engine.pool_use();
        self.db_connections
            .with_label_values(&["idle"])
            .set(pool.idle as i64);
        self.db_connections
            .with_label_values(&["in_use"])
            .set(pool.open.saturating_sub(pool.idle) as i64);
        let mut text = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut text)
            .map_err(anyhow::Error::new)?;
        Ok(String::from_utf8(text).map_err(anyhow::Error::new)?)
    }
}

/// What a scrape reads.
#[derive(Clone)]
pub struct Scraped {
    /// The metrics.
    pub metrics: Arc<Metrics>,
    /// For the email jobs and the database pool.
    pub engine: Engine,
    /// For the open sockets.
    pub sockets: SocketCaps,
}

/// The metrics listener's routes: `GET /metrics` alone.
pub fn routes(scraped: Scraped) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(scraped)
}

async fn scrape(State(scraped): State<Scraped>) -> Response {
    match scraped
        .metrics
        .render(&scraped.engine, &scraped.sockets)
        .await
    {
        Ok(text) => (
            [
                (header::CONTENT_TYPE, TextEncoder::new().format_type()),
                (header::CACHE_CONTROL, "no-store"),
            ],
            text,
        )
            .into_response(),
        Err(err) => {
            tracing::error!(error = %err, "reading the metrics failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// Counts and times each request of the public router by its route template, so that no
/// token or id in a path becomes a label.
pub async fn record(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let route = route_of(&request);
    let started = Instant::now();
    let response = next.run(request).await;
    metrics
        .http_duration
        .with_label_values(&[&route])
        .observe(started.elapsed().as_secs_f64());
    metrics
        .http_requests
        .with_label_values(&[&route, response.status().as_str()])
        .inc();
    response
}

/// The template of the route `request` matched; the built files are one route, and whatever
/// matched none is `unmatched`.
fn route_of(request: &Request) -> String {
    let path = request.uri().path();
    if path.starts_with("/pkg/") {
        return "/pkg/{file}".to_owned();
    }
    match request.extensions().get::<MatchedPath>() {
        Some(matched) => matched.as_str().to_owned(),
        None => "unmatched".to_owned(),
    }
}
