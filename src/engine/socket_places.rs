//! A credential's live sockets counted across nodes. Each node counts its own in memory first
//! (the server's socket caps); on PostgreSQL every socket also takes a row in the database, so
//! that a cap holds across all nodes together: a guest link capped at ten sockets gets ten, not
//! ten per node. A node that dies stops counting once its presence is stale (see
//! [`STALE_AFTER`](super::presence::STALE_AFTER)), and its rows are swept with its viewers.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use uuid::Uuid;

use super::Engine;
use crate::error::Error;
use crate::store::{to_millis, PlaceClaim};

/// This node's places in the database: how many it holds, and those whose release failed, to
/// be given back at the next heartbeat.
#[derive(Debug, Default)]
pub(crate) struct Places {
    held: AtomicI64,
    unreleased: Mutex<Vec<String>>,
}

impl Places {
    /// Whether this node holds any place, so must keep reporting that it is alive.
    pub(crate) fn any_held(&self) -> bool {
        self.held.load(Ordering::SeqCst) > 0 || !self.unreleased().is_empty()
    }

    /// The places whose release failed, locked. A panic while it was held cannot have left
    /// half an id.
    fn unreleased(&self) -> MutexGuard<'_, Vec<String>> {
        self.unreleased
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// One socket's place under its credential's cap on all nodes; dropping it gives the place
/// back. On SQLite (one node) it holds nothing: the node's own count is the whole count.
#[derive(Debug)]
#[must_use]
pub struct SocketPlace {
    held: Option<(Engine, String)>,
}

impl Drop for SocketPlace {
    fn drop(&mut self) {
        let Some((engine, place_id)) = self.held.take() else {
            return;
        };
        let places = engine.inner.places.clone();
        places.held.fetch_sub(1, Ordering::SeqCst);
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            places.unreleased().push(place_id);
            return;
        };
        runtime.spawn(async move {
            let ids = [place_id];
            if let Err(err) = engine.inner.store.release_socket_places(&ids).await {
                tracing::warn!(error = %err, "giving back a socket's place failed; retried later");
                let [place_id] = ids;
                places.unreleased().push(place_id);
            }
        });
    }
}

impl Engine {
    /// Takes a place under `key`'s cap of `max` live sockets, counted on every node together
    /// (PostgreSQL); `rate_limited` when all are taken.
    pub async fn take_socket_place(&self, key: &str, max: usize) -> Result<SocketPlace, Error> {
        if self.inner.store.postgres().is_none() {
            return Ok(SocketPlace { held: None });
        }
        let place_id = Uuid::now_v7().to_string();
        let claim = PlaceClaim {
            key,
            place_id: &place_id,
            node_id: self.inner.presence.node_id(),
            now: to_millis(self.now()),
            fresh_since: self.fresh_since(),
            max: i64::try_from(max).unwrap_or(i64::MAX),
        };
        if !self.inner.store.take_socket_place(claim).await? {
            return Err(Error::RateLimited {
                retry_after_secs: 5,
            });
        }
        self.inner.places.held.fetch_add(1, Ordering::SeqCst);
        Ok(SocketPlace {
            held: Some((self.clone(), place_id)),
        })
    }

    /// Gives back every place this node holds, as it stops: its sockets' credentials may
    /// reconnect to other nodes at once, before this node's presence goes stale.
    pub async fn give_back_socket_places(&self) -> Result<(), Error> {
        let node_id = self.inner.presence.node_id();
        Ok(self.inner.store.release_node_socket_places(node_id).await?)
    }

    /// Gives back the places whose release failed, and deletes the places of nodes that died.
    pub(crate) async fn tidy_socket_places(&self) -> Result<(), Error> {
        let places = &self.inner.places;
        let unreleased = places.unreleased().clone();
        if !unreleased.is_empty() {
            self.inner.store.release_socket_places(&unreleased).await?;
            places.unreleased().retain(|id| !unreleased.contains(id));
        }
        let node_id = self.inner.presence.node_id();
        (self.inner.store)
            .sweep_socket_places(self.fresh_since(), node_id)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use crate::clock::ManualClock;
    use crate::hub::Hub;
    use crate::store::{to_millis, Backend, Store};
    use crate::testing::TestDatabase;
    use crate::{Engine, EngineConfig};

    use crate::engine::presence::STALE_AFTER;

    async fn node(url: &str, clock: Arc<ManualClock>) -> Engine {
        let store = Store::connect(url).await.unwrap();
        store.migrate().await.unwrap();
        Engine::with_parts(
            store,
            EngineConfig::new("http://localhost:3000"),
            Arc::new(Hub::new()),
            clock,
        )
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_nodes_places_count_while_it_reports_and_are_swept_once_it_stopped() {
        let Some(db) = TestDatabase::create(Backend::Postgres).await else {
            return;
        };
        let start = chrono::Utc::now();
        let (clock_a, clock_b) = (
            Arc::new(ManualClock::at(start)),
            Arc::new(ManualClock::at(start)),
        );
        let a = node(&db.url, clock_a.clone()).await;
        let b = node(&db.url, clock_b.clone()).await;
        let held = [
            a.take_socket_place("guest:x", 2).await.unwrap(),
            a.take_socket_place("guest:x", 2).await.unwrap(),
        ];
        assert!(
            b.take_socket_place("guest:x", 2).await.is_err(),
            "A's two count on B"
        );
        let other_key = b.take_socket_place("guest:y", 2).await;
        assert!(other_key.is_ok(), "another credential has its own cap");

        // Long after the places were taken, A's still count on B while A reports that it lives.
        clock_b.advance(STALE_AFTER + Duration::from_secs(60));
        let a_node = a.inner.presence.node_id().to_owned();
        let b_now = to_millis(b.now());
        a.inner
            .store
            .db()
            .report_presence(&a_node, 0, b_now)
            .await
            .unwrap();
        assert!(
            b.take_socket_place("guest:x", 2).await.is_err(),
            "A is alive"
        );
        b.tidy_socket_places().await.unwrap();
        assert!(
            b.take_socket_place("guest:x", 2).await.is_err(),
            "nothing of A's swept"
        );

        // A stops reporting, as when it died: its places stop counting and are swept.
        clock_b.advance(STALE_AFTER + Duration::from_secs(1));
        let fresh_since = b.fresh_since();
        let on_b = b.take_socket_place("guest:x", 2).await;
        assert!(on_b.is_ok(), "A's places no longer count");
        let b_node = b.inner.presence.node_id();
        let swept = b.inner.store.sweep_socket_places(fresh_since, b_node).await;
        assert_eq!(swept.unwrap(), 2, "A's two, not B's own");
        drop(held);
        drop((other_key, on_b));
        a.inner.store.close().await;
        b.inner.store.close().await;
        db.drop_database().await;
    }
}
