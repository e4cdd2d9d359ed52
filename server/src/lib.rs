//! Switchboard's server: settings, the axum router, the REST API and the command line. It only
//! wires: every use case lives in the engine, every page in `app`.

#![recursion_limit = "512"]

pub mod api;
pub mod cli;
pub mod connections;
pub mod embedded_site;
pub mod error;
pub mod extract;
pub mod first_operator;
pub mod health;
pub mod metrics;
pub mod origin;
pub mod render;
pub mod security;
pub mod serve;
pub mod settings;
pub mod site;
pub mod socket_caps;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod uploads;
pub mod widget_assets;
pub mod ws;
