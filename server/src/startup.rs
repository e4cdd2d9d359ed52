//! Building and running the application: open the database, wire the router, bind, serve.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use app::{shell, App, ServerContext};
use axum::extract::{DefaultBodyLimit, Request};
use axum::response::IntoResponse;
use axum::routing::any;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos_axum::{generate_route_list, LeptosRoutes};
use switchboard::domain::Email;
use switchboard::store::Store;
use switchboard::wire::Operator;
use switchboard::{Engine, EngineConfig};
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::settings::Settings;
use crate::state::AppState;

/// The largest request body accepted (JSON bodies and forms).
const BODY_LIMIT: usize = 64 * 1024;

/// Opens the database, applies migrations and returns the engine.
pub async fn open_engine(settings: &Settings) -> anyhow::Result<Engine> {
    let store = Store::connect(&settings.database_url).await?;
    store.migrate().await?;
    let mut config = EngineConfig::new(settings.public_url.clone());
    config.guest_link_ttl = settings.guest_link_ttl;
    Ok(Engine::new(store, config))
}

/// Leptos' site settings, built from ours so the binary runs without cargo-leptos.
fn leptos_options(settings: &Settings) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("switchboard")
        .site_root(settings.site_root.clone())
        .site_pkg_dir("pkg")
        .site_addr(settings.site_addr)
        .build()
}

/// The router with every route and layer, over `state`.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context = ServerContext {
        engine: state.engine.clone(),
    };
    let leptos_options = state.leptos_options.clone();
    Router::new()
        .merge(crate::api::routes())
        .route("/api/v1/{*rest}", any(api_not_found))
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
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(crate::security::headers))
        .layer(CompressionLayer::new())
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

async fn api_not_found() -> impl IntoResponse {
    ApiError::NoRoute
}

/// A built application: bound to its address, ready to serve.
pub struct Application {
    listener: TcpListener,
    address: SocketAddr,
    state: AppState,
    first_operator: Option<(Operator, String)>,
}

impl Application {
    /// Opens the database (creating the first operator on an empty one) and binds the listener;
    /// port 0 picks a free port, which `address` then tells.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let engine = open_engine(&settings).await?;
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
        let mut settings = settings;
        settings.site_addr = address;
        let state = AppState {
            engine,
            leptos_options: leptos_options(&settings),
            settings: Arc::new(settings),
        };
        Ok(Self {
            listener,
            address,
            state,
            first_operator,
        })
    }

    /// Where the server listens.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The engine, for tests that arrange data directly.
    pub fn engine(&self) -> &Engine {
        &self.state.engine
    }

    /// Prints the first operator's credentials, once, when this start created it.
    pub fn announce_first_operator(&self) {
        if let Some((operator, password)) = &self.first_operator {
            let line = "=".repeat(64);
            eprintln!(
                "\n{line}\n  Switchboard created the first operator.\n\n    email:    {}\n    password: {}\n\n  It is shown only this once. Sign in at {}/login\n{line}\n",
                operator.email, password, self.state.settings.public_url
            );
        }
    }

    /// Serves until `shutdown` completes.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let app = router(self.state);
        axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .context("serving")
    }
}
