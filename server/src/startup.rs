//! Building and running the application: open the database, wire the router, bind, serve.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use anyhow::Context as _;
use app::{shell, App, ServerContext};
use axum::extract::State;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use switchboard::clock::{Clock, SystemClock};
use switchboard::domain::Email;
use switchboard::hub::{Bus, Hub, PgBus};
use switchboard::store::{PoolSize, Store};
use switchboard::wire::{ErrorCode, Operator};
use switchboard::{Engine, EngineConfig};
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::connections::AddressShares;
use crate::error::{error_response, ApiError};
use crate::first_operator::first_operator_notice;
use crate::render::RenderFailed;
use crate::security::BODY_LIMIT;
use crate::serve::{serve, ConnectionLimits};
use crate::settings::Settings;
use crate::state::AppState;

/// Opens the database, applies migrations and returns the engine, reading time from the
/// system clock.
pub async fn open_engine(settings: &Settings) -> anyhow::Result<Engine> {
    open_engine_with_clock(settings, Arc::new(SystemClock)).await
}

/// As [`open_engine`], with the clock given. On PostgreSQL the engine's bus is LISTEN/NOTIFY
/// between nodes; on SQLite it is in process.
pub async fn open_engine_with_clock(
    settings: &Settings,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Engine> {
    let size = PoolSize {
        max_connections: settings.database_pool,
        ..PoolSize::default()
    };
    let store = Store::connect_with(settings.database_url.expose_secret(), size).await?;
    store.migrate().await?;
    let mut config = EngineConfig::new(settings.public_url.clone());
    config.guest_link_ttl = settings.guest_link_ttl;
    config.operator_idle_timeout = settings.operator_idle_timeout;
    config.sends_per_window = settings.send_limit;
    config.widget = settings.widget.clone();
    config.email = settings.email.config.clone();
    config.files = settings.files.clone();
    let bus: Arc<dyn Bus> = match store.postgres() {
        Some(pool) => PgBus::start(pool.clone())
            .await
            .context("listening for the other nodes' events")?,
        None => Arc::new(Hub::new()),
    };
    Ok(Engine::with_parts(store, config, bus, clock))
}

/// The app's page routes, worked out once per process.
///
/// Working them out renders the whole app with resource loading switched off, and Leptos keeps
/// that switch in one process-wide flag (`SuppressResourceLoad`): a page render anywhere in the
/// process whose data load started while it was on would wait for that load forever. So the
/// list is made once, by the first router, before any router in the process can serve a page;
/// every later router (a second `Application` in the same process, as every integration test
/// starts) reuses it instead of switching resource loading off under renders in flight.
pub fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The router with every route and layer, over `state`.
pub fn router(state: AppState) -> Router {
    let routes = page_routes();
    let context = ServerContext {
        engine: state.engine.clone(),
        lite_bundle: state.site.lite.clone(),
        split_manifest: state.site.split_manifest.clone(),
    };
    let leptos_options = state.site.options.clone();
    let pages = Router::new()
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let context = context.clone();
                move || app::provide_server_context(context.clone())
            },
            move || shell(leptos_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(
            {
                let context = context.clone();
                move || app::provide_server_context(context.clone())
            },
            shell,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            finish_renders,
        ));
    Router::new()
        .merge(crate::api::routes())
        .route("/ws", get(crate::ws::handler))
        .merge(crate::widget_assets::routes())
        .route("/api/v1/{*rest}", any(api_not_found))
        .merge(crate::site::file_routes(&state.site))
        .merge(pages)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::security::guard,
        ))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            crate::metrics::record,
        ))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                tracing::info_span!(
                    "request",
                    method = %request.method(),
                    path = %crate::security::loggable_path(request.uri().path()),
                )
            }),
        )
        .with_state(state)
}

/// The most a page may weigh; pages are a few tens of KiB.
const PAGE_LIMIT: usize = 4 * 1024 * 1024;

/// A page render runs on a render thread (see [`crate::render`]) to its end, even when the
/// client hangs up, or until `SWITCHBOARD_RENDER_TIMEOUT`; its reactive owner is paused before
/// it is disposed.
///
/// Leptos disposes the render's owner when the body stream ends, or when the render or its body
/// is dropped midway (a client that hung up, a render out of time). Effects that the render
/// spawned (`Suspense`'s, and leptos_i18n's cookie effect on every page) may still be queued
/// then, and would read disposed signals and panic ("already been disposed"). In async SSR the
/// page is complete when the handler returns, so its effects have nothing left to do: pausing
/// them makes a queued one skip its run, and the render thread makes sure none is running while
/// the owner is disposed.
///
/// A render out of time is answered 503 with the error page in the reader's language (a server
/// function, 500 `internal` in the contract's shape), and logged with its path.
async fn finish_renders(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let owner = app::RenderOwner::default();
    request.extensions_mut().insert(owner.clone());
    let path = crate::security::loggable_path(request.uri().path()).to_string();
    let is_server_fn = request
        .uri()
        .path()
        .starts_with(crate::security::API_PREFIX);
    let locale = app::error_page::request_locale(request.headers(), request.uri().query());
    let limit = state.settings.render_timeout;
    let paused = owner.clone();
    let render = crate::render::on_render_thread(
        limit,
        async move {
            let response = next.run(request).await;
            owner.pause();
            // Files (wasm, JavaScript, CSS) stream through; only rendered pages are read whole.
            let page = response
                .headers()
                .get(header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
            if !page {
                return Ok(response);
            }
            let (parts, body) = response.into_parts();
            let page = axum::body::to_bytes(body, PAGE_LIMIT).await?;
            Ok::<_, axum::Error>(Response::from_parts(parts, axum::body::Body::from(page)))
        },
        move || paused.pause(),
    );
    match render.await {
        Ok(Ok(response)) => response,
        Ok(Err(err)) => {
            tracing::error!(error = %err, path = %path, "a page render failed");
            error_response(ErrorCode::Internal, "internal error".to_owned())
        }
        Err(RenderFailed::Panicked) => {
            tracing::error!(path = %path, "a page render panicked");
            error_response(ErrorCode::Internal, "internal error".to_owned())
        }
        Err(RenderFailed::TimedOut) => {
            tracing::error!(
                path = %path,
                limit_ms = limit.as_millis() as u64,
                "a page render ran out of time and was dropped; answered 503"
            );
            if is_server_fn {
                return error_response(
                    ErrorCode::Internal,
                    "the server took too long to answer".to_owned(),
                );
            }
            let page = app::error_page::error_document(
                &state.site.options,
                locale,
                app::error_page::Problem::Unavailable,
                None,
            );
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "5")],
                axum::response::Html(page),
            )
                .into_response()
        }
    }
}

async fn api_not_found() -> impl IntoResponse {
    ApiError::NoRoute
}

/// A listener on `addr` when it is set; `what` names it in the error.
async fn bind_if_set(addr: Option<SocketAddr>, what: &str) -> anyhow::Result<Option<TcpListener>> {
    match addr {
        Some(addr) => TcpListener::bind(addr)
            .await
            .map(Some)
            .with_context(|| format!("binding {what} at {addr}")),
        None => Ok(None),
    }
}

/// A built application: bound to its address, ready to serve.
pub struct Application {
    listener: TcpListener,
    address: SocketAddr,
    /// The demo shop's listener (`SWITCHBOARD_DEMO_ADDR`).
    demo: Option<TcpListener>,
    /// The metrics listener (`SWITCHBOARD_METRICS_ADDR`).
    metrics: Option<TcpListener>,
    state: AppState,
    first_operator: Option<(Operator, String)>,
}

impl Application {
    /// Opens the database (creating the first operator on an empty one) and binds the listener;
    /// port 0 picks a free port, which `address` then tells.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    /// As [`Application::build`], with the engine reading time from `clock` (tests move it).
    pub async fn build_with_clock(
        settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        let engine = open_engine_with_clock(&settings, clock).await?;
        let email = Email::parse(&settings.first_operator_email)
            .context("SWITCHBOARD_FIRST_OPERATOR_EMAIL")?;
        let first_operator = engine
            .ensure_first_operator(email)
            .await
            .map_err(|e| anyhow::anyhow!("creating the first operator: {e}"))?;
        let listener = TcpListener::bind(settings.site_addr)
            .await
            .with_context(|| format!("binding {}", settings.site_addr))?;
        let address = listener.local_addr()?;
        let demo = bind_if_set(settings.demo_addr, "the demo shop").await?;
        let metrics = bind_if_set(settings.metrics_addr, "the metrics address").await?;
        let mut settings = settings;
        settings.site_addr = address;
        let state = AppState {
            metrics: Arc::new(crate::metrics::Metrics::new(&engine)),
            engine,
            site: crate::site::Site::open(&settings),
            settings: Arc::new(settings),
            sockets: Default::default(),
        };
        Ok(Self {
            listener,
            address,
            demo,
            metrics,
            state,
            first_operator,
        })
    }

    /// Where the demo shop listens, when `SWITCHBOARD_DEMO_ADDR` is set.
    pub fn demo_address(&self) -> Option<SocketAddr> {
        self.demo.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// Where `GET /metrics` is served, when `SWITCHBOARD_METRICS_ADDR` is set.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// Where the server listens.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The engine, for tests that arrange data directly.
    pub fn engine(&self) -> &Engine {
        &self.state.engine
    }

    /// Hands out the first operator's credentials, once, when this start created it: on the
    /// console when it is a terminal; otherwise (a service manager's log, a container's output)
    /// into a file that only the server's user can read, whose path is printed.
    pub fn announce_first_operator(&self) -> anyhow::Result<()> {
        use std::io::IsTerminal as _;
        if let Some((operator, password)) = &self.first_operator {
            let notice = first_operator_notice(
                &operator.email,
                password,
                &self.state.settings,
                std::io::stderr().is_terminal(),
            )?;
            eprintln!("{notice}");
        }
        Ok(())
    }

    /// Serves until `shutdown` completes.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let settings = &self.state.settings;
        let limits = ConnectionLimits {
            header_timeout: settings.header_timeout,
            idle_timeout: settings.idle_timeout,
            max_connections: settings.max_connections,
            shares: AddressShares::new(
                settings.connections_per_address,
                settings.trusted_proxies.clone(),
            ),
        };
        let presence = tokio::spawn(self.state.engine.clone().report_presence());
        let checkpoints = tokio::spawn(self.state.engine.clone().run_checkpoints());
        let file_sweeps = tokio::spawn(self.state.engine.clone().run_file_sweeps());
        let search_backlog = tokio::spawn(self.state.engine.clone().catch_up_search_index());
        let retention = self
            .state
            .settings
            .retention
            .map(|keep| tokio::spawn(self.state.engine.clone().run_retention(keep)));
        let mailer = self.state.settings.email.mailer()?;
        let emails = tokio::spawn(self.state.engine.clone().run_email_worker(mailer));
        let demo = self.demo.map(|listener| {
            let shop = crate::widget_assets::demo_shop(&self.state.settings.public_url);
            tokio::spawn(async move {
                if let Err(err) = axum::serve(listener, shop).await {
                    tracing::error!(error = %err, "the demo shop stopped");
                }
            })
        });
        let metrics = self.metrics.map(|listener| {
            let routes = crate::metrics::routes(crate::metrics::Scraped {
                metrics: self.state.metrics.clone(),
                engine: self.state.engine.clone(),
                sockets: self.state.sockets.clone(),
            });
            tokio::spawn(async move {
                if let Err(err) = axum::serve(listener, routes).await {
                    tracing::error!(error = %err, "the metrics listener stopped");
                }
            })
        });
        let engine = self.state.engine.clone();
        serve(self.listener, router(self.state), limits, shutdown).await;
        if let Err(err) = engine.give_back_socket_places().await {
            tracing::warn!(error = %err, "giving back this node's socket places failed");
        }
        if let Some(metrics) = metrics {
            metrics.abort();
        }
        presence.abort();
        checkpoints.abort();
        file_sweeps.abort();
        search_backlog.abort();
        emails.abort();
        if let Some(retention) = retention {
            retention.abort();
        }
        if let Some(demo) = demo {
            demo.abort();
        }
        Ok(())
    }
}
