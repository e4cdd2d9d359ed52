//! `loadgen`'s parts: the HTTP calls that set a run up, the server processes a chaos run
//! manages, and the runs themselves (rate, idle, files, chaos).

pub mod api;
pub mod chaos;
pub mod files;
pub mod idle;
pub mod nodes;
pub mod rate;
