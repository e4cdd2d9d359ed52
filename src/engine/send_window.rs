//! The send window: how many messages one sender may post per span, whichever door they use.

use super::Engine;
use crate::actor::Actor;
use crate::domain::ttl;
use crate::error::Error;
use crate::limits::doors::Window;

impl Engine {
    /// Counts one message of `actor`'s in their send window: `rate_limited` once they are over
    /// `sends_per_window` in `send_window`.
    pub(super) async fn through_send_window(&self, actor: &Actor) -> Result<(), Error> {
        self.inner
            .sends
            .hit(
                &actor.key(),
                self.inner.config.sends_per_window as usize,
                self.now(),
            )
            .map_err(|secs| Error::RateLimited {
                retry_after_secs: secs,
            })?;
        if self.inner.store.postgres().is_some() {
            // The window above is this node's. With several nodes, the sender's count in the
            // database holds across all of them (a single SQLite node needs no second count).
            let window = Window::Sender {
                key: &actor.key(),
                span_ms: ttl(self.inner.config.send_window).num_milliseconds(),
            };
            let max = self.inner.config.sends_per_window;
            (self.inner.doors)
                .hit(&self.inner.store, self.now(), window, max)
                .await?;
        }
        Ok(())
    }
}
