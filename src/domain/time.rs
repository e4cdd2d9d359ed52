//! Lifetimes as settings give them and as the clock adds them.

use std::time::Duration;

/// A lifetime as chrono counts it, capped at a century so that adding it to now cannot
/// overflow whatever a setting says.
pub fn ttl(duration: Duration) -> chrono::Duration {
    let century = Duration::from_secs(100 * 365 * 24 * 3600);
    chrono::Duration::from_std(duration.min(century)).expect("a century fits chrono's range")
}
