//! How long a socket waits before it tries again: doubling from a start up to a cap, with
//! jitter between half and all of the step so that many clients do not reconnect together.

/// The most any wait grows to.
const CAP_MS: f64 = 30_000.0;

/// A reconnect schedule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// The first wait's full step.
    pub start_ms: f64,
    /// How many times the step doubles at most.
    pub doublings: u32,
}

impl Backoff {
    /// The wait before attempt `attempt` (from 0), for a `random` number in `0..1`.
    pub fn delay_ms(&self, attempt: u32, random: f64) -> f64 {
        let step = (self.start_ms * 2f64.powi(attempt.min(self.doublings) as i32)).min(CAP_MS);
        step * (0.5 + random * 0.5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_from_its_start_up_to_the_cap_with_jitter_between_half_and_all() {
        let backoff = Backoff {
            start_ms: 500.0,
            doublings: 16,
        };
        let full: Vec<f64> = (0..8).map(|n| backoff.delay_ms(n, 1.0)).collect();
        assert_eq!(
            full,
            vec![500.0, 1_000.0, 2_000.0, 4_000.0, 8_000.0, 16_000.0, 30_000.0, 30_000.0]
        );
        assert_eq!(backoff.delay_ms(3, 0.0), 2_000.0);
        assert_eq!(backoff.delay_ms(u32::MAX, 0.0), 15_000.0);
    }

    #[test]
    fn the_step_stops_doubling_after_its_doublings() {
        let backoff = Backoff {
            start_ms: 10.0,
            doublings: 2,
        };
        assert_eq!(backoff.delay_ms(2, 1.0), 40.0);
        assert_eq!(backoff.delay_ms(9, 1.0), 40.0);
    }
}
