//! The use cases. Every door (REST handler, server function, WebSocket) calls these and nothing
//! else; none re-implements one. Each product word has its file here; this one holds the engine
//! itself: its settings, its parts, and what every use case shares.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use secrecy::SecretString;

use crate::auth::{PasswordHashing, WidgetSecret};
use crate::clock::{Clock, SystemClock};
use crate::error::Error;
use crate::hub::{Bus, Hub};
use crate::limits::LoginLimiter;
use crate::limits::RateWindows;
use crate::store::Store;
use crate::writer::{self, Writer};

/// How often the WAL is checkpointed.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

mod alerts;
mod announce;
mod appearance;
mod assignment;
mod audit;
mod chat;
mod confirmations;
mod customers;
mod emails;
mod file_serving;
mod files;
mod health;
mod inbox;
mod invitations;
mod library;
mod metrics;
mod operators;
mod presence;
mod profile;
mod records;
mod resets;
mod retention;
mod search;
mod send_window;
mod sessions;
mod socket_places;
mod subscriptions;
mod team;
mod transcripts;
mod viewers;
mod widget;

pub use audit::{AuditQuery, Requester, AUDIT_PAGE_DEFAULT, AUDIT_PAGE_MAX};
pub use chat::Posted;
pub use file_serving::{Chunks, Download};
pub use files::{Upload, CHUNK_BYTES};
pub use metrics::EngineMetrics;
pub use operators::{NewOperator, SignedIn};
pub use presence::OperatorOnline;
pub use retention::RetentionReport;
pub(crate) use sessions::session_at;
pub use sessions::{GuestVisit, MAX_GUEST_LINK_TTL};
pub use socket_places::SocketPlace;

/// The engine's settings.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// The public base URL, without a trailing slash (`https://support.example.com`).
    pub public_url: String,
    /// How long a guest link works after it is issued.
    pub guest_link_ttl: Duration,
    /// How long an operator stays signed in at most.
    pub operator_session_ttl: Duration,
    /// How long an operator's sign-in survives without use.
    pub operator_idle_timeout: Duration,
    /// Failed sign-ins allowed per email within `login_window`.
    pub login_failures_per_email: u32,
    /// Failed sign-ins allowed per client address within `login_window`.
    pub login_failures_per_ip: u32,
    /// The window the sign-in limits count in.
    pub login_window: Duration,
    /// Messages one sender may post per `send_window`, over every door together.
    pub sends_per_window: u32,
    /// The window for `sends_per_window`.
    pub send_window: Duration,
    /// The embedded widget's settings.
    pub widget: crate::widget::WidgetConfig,
    /// Reply emails' settings.
    pub email: crate::mail::EmailConfig,
    /// Files' limits and accepted kinds.
    pub files: crate::domain::FileLimits,
}

impl EngineConfig {
    /// Defaults for everything but the public URL.
    pub fn new(public_url: impl Into<String>) -> Self {
        Self {
            public_url: public_url.into().trim_end_matches('/').to_owned(),
            guest_link_ttl: Duration::from_secs(24 * 3600),
            operator_session_ttl: Duration::from_secs(30 * 24 * 3600),
            operator_idle_timeout: Duration::from_secs(72 * 3600),
            login_failures_per_email: 5,
            login_failures_per_ip: 30,
            login_window: Duration::from_secs(15 * 60),
            sends_per_window: 20,
            send_window: Duration::from_secs(10),
            widget: crate::widget::WidgetConfig::default(),
            email: crate::mail::EmailConfig::default(),
            files: crate::domain::FileLimits::default(),
        }
    }
}

struct Inner {
    store: Store,
    config: EngineConfig,
    limiter: LoginLimiter,
    hashing: PasswordHashing,
    sends: RateWindows,
    /// Each sender's uploads in the last minute.
    uploads: RateWindows,
    /// Images decoded at once: one, since decoding holds every pixel in memory.
    image_slots: tokio::sync::Semaphore,
    bus: Arc<dyn Bus>,
    clock: Arc<dyn Clock>,
    /// The customer doors' counts (this node's, on SQLite).
    doors: crate::limits::doors::DoorWindows,
    /// The log line for refused widget signatures, at most once a minute.
    wrong_signatures: crate::limits::LogThrottle,
    /// This node's live operator sockets.
    presence: Arc<presence::Presence>,
    /// This node's sockets' places in the database (PostgreSQL).
    places: Arc<socket_places::Places>,
    /// The widget secret, once read or generated.
    widget_secret: tokio::sync::OnceCell<crate::auth::WidgetSecret>,
    /// The key email links are signed with, once read or generated.
    link_key: tokio::sync::OnceCell<crate::mail::LinkKey>,
    /// Wakes the email worker when a reply on this node opens a window.
    email_wake: Arc<tokio::sync::Notify>,
    /// What this node counts for monitoring.
    metrics: metrics::EngineMetrics,
    /// SQLite's group-commit writer, started by the first post.
    writer: std::sync::OnceLock<Writer>,
    /// Where emails go, once the email worker started: invitations and password resets are
    /// sent through it too.
    mailer: std::sync::OnceLock<Arc<dyn crate::mail::Mailer>>,
}

/// The engine: the store plus the use cases. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("config", &self.inner.config)
            .finish()
    }
}

impl Engine {
    /// An engine over an opened and migrated store, with an in-process bus and the system
    /// clock: one node.
    pub fn new(store: Store, config: EngineConfig) -> Self {
        Self::with_parts(store, config, Arc::new(Hub::new()), Arc::new(SystemClock))
    }

    /// An engine with the bus and clock given: the bus between nodes, or a test's own clock.
    pub fn with_parts(
        store: Store,
        config: EngineConfig,
        bus: Arc<dyn Bus>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let limiter = LoginLimiter::new(
            config.login_window,
            config.login_failures_per_email,
            config.login_failures_per_ip,
        );
        let sends = RateWindows::new(config.send_window);
        Self {
            inner: Arc::new(Inner {
                store,
                config,
                limiter,
                hashing: PasswordHashing::for_this_machine(),
                sends,
                uploads: RateWindows::new(Duration::from_secs(60)),
                image_slots: tokio::sync::Semaphore::new(1),
                bus,
                clock,
                doors: Default::default(),
                wrong_signatures: crate::limits::LogThrottle::new(Duration::from_secs(60)),
                widget_secret: tokio::sync::OnceCell::new(),
                link_key: tokio::sync::OnceCell::new(),
                email_wake: Arc::new(tokio::sync::Notify::new()),
                writer: std::sync::OnceLock::new(),
                mailer: std::sync::OnceLock::new(),
                presence: Arc::new(presence::Presence::new()),
                places: Default::default(),
                metrics: metrics::EngineMetrics::new(),
            }),
        }
    }

    /// The bounded pool that hashes and checks passwords (its peak is reported for tests).
    pub fn password_hashing(&self) -> &PasswordHashing {
        &self.inner.hashing
    }

    /// A secret this installation generated for itself once and kept under `key`: read, or
    /// generated and stored (nodes starting together agree on the first one stored).
    async fn instance_secret(&self, key: &str) -> Result<SecretString, Error> {
        let store = &self.inner.store;
        if let Some(stored) = store.db().instance_setting(key).await? {
            return Ok(SecretString::from(stored));
        }
        let fresh = WidgetSecret::generate();
        store
            .db()
            .insert_instance_setting(key, fresh.expose())
            .await?;
        let stored = store
            .db()
            .instance_setting(key)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the generated {key} was not kept"))?;
        tracing::info!(key, "generated a secret for this installation");
        Ok(SecretString::from(stored))
    }

    /// Checkpoints SQLite's WAL every [`CHECKPOINT_EVERY`] for as long as the server runs (SQLite's
    /// own checkpoint after a commit is turned off in `store::open_sqlite`). Every write counts,
    /// not only messages: sign-ins and contact details grow the WAL too. Nothing to do on
    /// PostgreSQL.
    pub async fn run_checkpoints(self) {
        if self.inner.store.sqlite().is_none() {
            return;
        }
        let mut every = tokio::time::interval(CHECKPOINT_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(err) = self.inner.store.checkpoint().await {
                tracing::warn!(error = %err, "a WAL checkpoint failed");
            }
        }
    }

    /// The group-commit writer, started on first use.
    fn writer(&self) -> &Writer {
        self.inner.writer.get_or_init(|| {
            Writer::start(writer::Parts {
                store: self.inner.store.clone(),
                bus: self.inner.bus.clone(),
                email_delay: self.inner.config.email.delay,
                email_wake: self.inner.email_wake.clone(),
            })
        })
    }

    /// The event bus the sockets listen on.
    pub fn bus(&self) -> &Arc<dyn Bus> {
        &self.inner.bus
    }

    /// The time now, by the engine's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    /// Ends when the engine's clock reaches `deadline`.
    pub fn sleep_until(&self, deadline: DateTime<Utc>) -> crate::clock::Alarm {
        self.inner.clock.sleep_until(deadline)
    }

    /// The store, for wiring and tests.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The settings.
    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! The engine over a fresh SQLite file and a clock the test moves.

    use super::*;

    use crate::clock::ManualClock;
    use crate::wire::Operator;

    pub(crate) async fn engine_with(
        config: EngineConfig,
    ) -> (Engine, Arc<ManualClock>, tempfile::TempDir) {
        let clock = Arc::new(ManualClock::starting_now());
        let (engine, dir) = crate::testing::test_engine(config, clock.clone()).await;
        (engine, clock, dir)
    }

    pub(crate) async fn operator(engine: &Engine) -> Operator {
        crate::testing::test_operator(engine).await
    }
}
