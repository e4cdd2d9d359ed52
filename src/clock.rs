//! Where the engine reads the time. Production uses the system clock; tests hand in a
//! [`ManualClock`] and move it, so expiry and rate windows are tested without sleeping.

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

/// A future that ends at a time on some clock.
pub type Alarm = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// A source of "now", and of waiting for a time to come.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
    /// Ends once this clock shows `deadline` or later.
    fn sleep_until(&self, deadline: DateTime<Utc>) -> Alarm;
}

/// The system's wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep_until(&self, deadline: DateTime<Utc>) -> Alarm {
        let wait = (deadline - Utc::now()).to_std().unwrap_or_default();
        Box::pin(tokio::time::sleep(wait))
    }
}

/// A clock that stands still until it is moved; alarms ring when it is moved past them.
#[derive(Debug)]
pub struct ManualClock {
    now: watch::Sender<DateTime<Utc>>,
}

impl ManualClock {
    /// A clock showing `start`.
    pub fn at(start: DateTime<Utc>) -> Self {
        Self {
            now: watch::Sender::new(start),
        }
    }

    /// A clock showing the system time at the moment it is made.
    pub fn starting_now() -> Self {
        Self::at(Utc::now())
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: std::time::Duration) {
        let by = chrono::Duration::from_std(by).expect("a test's step fits chrono's range");
        self.now.send_modify(|now| *now += by);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.borrow()
    }

    fn sleep_until(&self, deadline: DateTime<Utc>) -> Alarm {
        let mut now = self.now.subscribe();
        Box::pin(async move {
            // The sender lives as long as the clock; if it is gone, time stops for good.
            if now.wait_for(|t| *t >= deadline).await.is_err() {
                std::future::pending::<()>().await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_manual_clock_moves_only_when_told_and_rings_alarms_it_passes() {
        let clock = ManualClock::starting_now();
        let start = clock.now();
        assert_eq!(clock.now(), start);
        let alarm = tokio::spawn(clock.sleep_until(start + chrono::Duration::seconds(90)));
        clock.advance(Duration::from_secs(60));
        tokio::task::yield_now().await;
        assert!(!alarm.is_finished());
        clock.advance(Duration::from_secs(30));
        alarm.await.unwrap();
        assert_eq!(clock.now() - start, chrono::Duration::seconds(90));
    }
}
