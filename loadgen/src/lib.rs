//! `loadgen`'s parts: the HTTP calls that set a run up, and the runs themselves.

pub mod api;
pub mod rate;
