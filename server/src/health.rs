//! `GET /healthz` (the process serves) and `GET /readyz` (the database answers too): what a
//! load balancer or an orchestrator asks before it sends traffic; and `switchboard health`, which
//! asks a running server, for a container's health check (its image has no HTTP client).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use anyhow::{bail, Context as _};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use switchboard::wire::{Readiness, ReadyStatus};

use crate::state::AppState;

/// The health routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
}

/// Whether the process serves; touches no database.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses((status = 200, description = "The process serves", content_type = "text/plain", body = String, example = "ok")),
)]
async fn healthz() -> Response {
    ([(header::CACHE_CONTROL, "no-store")], "ok").into_response()
}

/// Whether the database answers too.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, description = "Ready: `{\"status\":\"ready\"}`", body = Readiness),
        (status = 503, description = "The database does not answer: `{\"status\":\"unavailable\",\"reason\":\"database\"}`", body = Readiness),
    ),
)]
async fn readyz(State(state): State<AppState>) -> Response {
    let (status, body) = if state.engine.database_answers().await {
        (
            StatusCode::OK,
            Readiness {
                status: ReadyStatus::Ready,
                reason: None,
            },
        )
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Readiness {
                status: ReadyStatus::Unavailable,
                reason: Some("database".to_owned()),
            },
        )
    };
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

/// How long `switchboard health` waits for the whole answer.
const PROBE_WAIT: Duration = Duration::from_secs(5);

/// Asks the server listening at `addr` for `/healthz` (a wildcard address is asked on
/// loopback); Ok when it answers 200 within [`PROBE_WAIT`].
pub async fn probe(addr: SocketAddr) -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    let mut target = addr;
    if target.ip().is_unspecified() {
        target.set_ip(match target.ip() {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
        });
    }
    let ask = async {
        let mut stream = tokio::net::TcpStream::connect(target)
            .await
            .with_context(|| format!("connecting to {target}"))?;
        let request =
            format!("GET /healthz HTTP/1.1\r\nHost: {target}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await?;
        let mut head = Vec::new();
        stream.take(1024).read_to_end(&mut head).await?;
        anyhow::Ok(head)
    };
    let head = tokio::time::timeout(PROBE_WAIT, ask)
        .await
        .with_context(|| format!("{target} did not answer within {PROBE_WAIT:?}"))??;
    let status_line = String::from_utf8_lossy(&head);
    let status_line = status_line.lines().next().unwrap_or_default();
    match status_line.split_whitespace().nth(1) {
        Some("200") => Ok(()),
        _ => bail!("{target}/healthz answered {status_line:?}"),
    }
}
