//! The state every handler shares.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use switchboard::Engine;

use crate::settings::Settings;
use crate::socket_caps::SocketCaps;

/// The engine handles and settings, given to handlers and (as context) to server functions.
#[derive(Clone)]
pub struct AppState {
    /// The use cases.
    pub engine: Engine,
    /// The built site (inside the binary or in a folder) and Leptos' settings for it.
    pub site: crate::site::Site,
    /// The settings the server started with.
    pub settings: Arc<Settings>,
    /// Live sockets per credential.
    pub sockets: SocketCaps,
    /// What this node counts for Prometheus.
    pub metrics: Arc<crate::metrics::Metrics>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.site.options.clone()
    }
}
