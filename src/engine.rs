//! The use cases. Every door (REST handler, server function, WebSocket) calls these and nothing
//! else; none re-implements one.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::auth::{self, AttemptScope, LoginLimiter, PasswordHashing, Token};
use crate::clock::{Clock, SystemClock};
use crate::domain::{Email, PasswordInput, SessionFilter, SessionTitle};
use crate::error::Error;
use crate::hub::{Bus, Event, Hub, Topic};
use crate::limits::RateWindows;
use crate::store::{to_millis, OperatorRow, SessionRow, Store, StoredSession};
use crate::wire::{GuestLink, Operator, ServerFrame, Session, SessionStatus};

/// How many sessions a list shows at most.
const SESSION_LIST_LIMIT: i64 = 500;
/// The longest guest link lifetime the engine accepts.
pub const MAX_GUEST_LINK_TTL: Duration = Duration::from_secs(365 * 24 * 3600);
/// A session's "last seen" time is written at most this often.
const SESSION_TOUCH_EVERY_MS: i64 = 60_000;

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
        }
    }
}

/// An operator to create.
#[derive(Debug)]
pub struct NewOperator {
    /// Sign-in address.
    pub email: Email,
    /// Display name.
    pub name: String,
    /// The chosen password.
    pub password: PasswordInput,
}

/// A successful sign-in.
#[derive(Debug)]
pub struct SignedIn {
    /// Who signed in.
    pub operator: Operator,
    /// The new session's cookie value.
    pub session: Token,
    /// A device cookie value for a browser that had no valid one for this account: with it,
    /// the browser can sign in while the account's email is locked by failures elsewhere.
    pub new_device: Option<Token>,
}

/// What a valid guest link opens.
#[derive(Debug, Clone)]
pub struct GuestVisit {
    /// The session, after the visit marked it joined.
    pub session: Session,
}

pub(crate) struct Inner {
    pub(crate) store: Store,
    pub(crate) config: EngineConfig,
    pub(crate) limiter: LoginLimiter,
    pub(crate) hashing: PasswordHashing,
    pub(crate) sends: RateWindows,
    pub(crate) bus: Arc<dyn Bus>,
    pub(crate) clock: Arc<dyn Clock>,
    /// The customer doors' counts (this node's, on SQLite).
    pub(crate) doors: crate::doors::DoorWindows,
    /// The log line for refused widget signatures, at most once a minute.
    pub(crate) wrong_signatures: crate::limits::LogThrottle,
    /// This node's live operator sockets.
    pub(crate) presence: Arc<crate::presence::Presence>,
    /// The widget secret, once read or generated.
    pub(crate) widget_secret: tokio::sync::OnceCell<crate::auth::WidgetSecret>,
    /// The key email links are signed with, once read or generated.
    pub(crate) link_key: tokio::sync::OnceCell<crate::mail::LinkKey>,
    /// Wakes the email worker when a reply on this node opens a window.
    pub(crate) email_wake: tokio::sync::Notify,
    /// SQLite's group-commit writer, started by the first post.
    pub(crate) writer: std::sync::OnceLock<crate::writer::Writer>,
}

/// The engine: the store plus the use cases. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("config", &self.inner.config)
            .finish()
    }
}

/// A lifetime as chrono counts it, capped at a century so that adding it to now cannot
/// overflow whatever a setting says.
pub(crate) fn ttl(duration: Duration) -> chrono::Duration {
    let century = Duration::from_secs(100 * 365 * 24 * 3600);
    chrono::Duration::from_std(duration.min(century)).expect("a century fits chrono's range")
}

/// A stored session as the contract shows it at `now`: status and end are derived from the
/// stored times, so expiry needs no background job.
pub(crate) fn session_at(row: &SessionRow, now: DateTime<Utc>) -> Result<Session, Error> {
    let stored: StoredSession = row.to_session()?;
    let ended_at = stored
        .ended_at
        .or((stored.expires_at <= now).then_some(stored.expires_at));
    let status = match (ended_at, stored.joined_at) {
        (Some(_), _) => SessionStatus::Ended,
        (None, Some(_)) => SessionStatus::Active,
        (None, None) => SessionStatus::Waiting,
    };
    Ok(Session {
        id: stored.id,
        title: stored.title,
        status,
        conversation_id: stored.conversation_id,
        created_at: stored.created_at,
        expires_at: stored.expires_at,
        ended_at,
    })
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
                bus,
                clock,
                doors: Default::default(),
                wrong_signatures: crate::limits::LogThrottle::new(Duration::from_secs(60)),
                widget_secret: tokio::sync::OnceCell::new(),
                link_key: tokio::sync::OnceCell::new(),
                email_wake: tokio::sync::Notify::new(),
                writer: std::sync::OnceLock::new(),
                presence: Arc::new(crate::presence::Presence::new()),
            }),
        }
    }

    /// The bounded pool that hashes and checks passwords (its peak is reported for tests).
    pub fn password_hashing(&self) -> &PasswordHashing {
        &self.inner.hashing
    }

    /// Runs a password hash or check on the bounded pool; `rate_limited` when it is full.
    async fn hash<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Error> {
        self.inner
            .hashing
            .run(work)
            .await
            .map_err(|auth::HashingBusy| Error::RateLimited {
                retry_after_secs: 1,
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

    /// The link a guest opens for `token`.
    pub fn guest_url(&self, token: &Token) -> String {
        format!(
            "{}/support/guest/{}",
            self.inner.config.public_url,
            token.expose()
        )
    }

    // ---- operators -------------------------------------------------------------------------

    /// Creates an operator. `conflict` when the email is taken.
    #[tracing::instrument(skip_all)]
    pub async fn create_operator(&self, new: NewOperator) -> Result<Operator, Error> {
        let name = new.name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(crate::domain::Invalid::new(
                "name",
                "must be 1 to 100 characters on one line",
            )
            .into());
        }
        let password = new.password.expose().to_owned();
        let hash = self.hash(move || auth::hash_password(&password)).await??;
        let row = OperatorRow {
            id: Uuid::now_v7().to_string(),
            email: new.email.as_str().to_owned(),
            name: name.to_owned(),
            password_hash: hash,
            created_at: to_millis(self.now()),
        };
        if !self.inner.store.db().insert_operator(&row).await? {
            return Err(Error::Conflict(format!(
                "an operator with the email {} already exists",
                row.email
            )));
        }
        tracing::info!(operator_id = %row.id, "operator created");
        Ok(row.to_operator()?)
    }

    /// On a database with no operator at all, creates one with a generated password and returns
    /// it with that password, to be shown once. `None` when operators exist.
    pub async fn ensure_first_operator(
        &self,
        email: Email,
    ) -> Result<Option<(Operator, String)>, Error> {
        if self.inner.store.db().operator_count().await? > 0 {
            return Ok(None);
        }
        let password = auth::generate_password();
        let created = self
            .create_operator(NewOperator {
                email,
                name: "Administrator".to_owned(),
                password: PasswordInput::parse(&password)?,
            })
            .await;
        match created {
            Ok(operator) => Ok(Some((operator, password))),
            // Another node starting at the same moment created it first.
            Err(Error::Conflict(_)) => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// Signs an operator in from raw form values. Wrong email and wrong password give the same
    /// answer. Failures are limited per client address and per email; a browser holding a
    /// device cookie from an earlier sign-in to the same account is limited per device instead
    /// of per email, so guessing from elsewhere cannot lock its owner out. Each attempt is
    /// counted before the password is checked, so concurrent guesses cannot pass the limit.
    #[tracing::instrument(skip_all)]
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        client_addr: &str,
        device: Option<&Token>,
    ) -> Result<SignedIn, Error> {
        const REFUSED: &str = "wrong email or password";
        let email = Email::parse(email)?;
        let password = PasswordInput::parse(password)?;
        let store = &self.inner.store;
        let now = self.now();
        // Only a browser that shows a device cookie costs a query before the limit is checked.
        let known_device = match device {
            Some(device) => {
                let digest = device.digest();
                let owner = store.db().operator_device_email(&digest).await?;
                (owner.as_deref() == Some(email.as_str())).then_some(digest)
            }
            None => None,
        };
        let scope = match &known_device {
            Some(digest) => AttemptScope::Device(digest),
            None => AttemptScope::Email(email.as_str()),
        };
        let limiter = &self.inner.limiter;
        let attempt = limiter
            .reserve(store, client_addr, &scope, now)
            .await?
            .map_err(|secs| {
                tracing::warn!("sign-in refused by the rate limit");
                Error::RateLimited {
                    retry_after_secs: secs,
                }
            })?;
        let row = match store.db().operator_by_email(email.as_str()).await {
            Ok(row) => row,
            Err(err) => {
                limiter.refund(store, attempt).await?;
                return Err(err.into());
            }
        };
        let stored = row.as_ref().map(|r| r.password_hash.clone());
        let checked = self
            .hash(move || auth::verify_password(password.expose(), stored.as_deref()))
            .await;
        let row = match (checked, row) {
            (Ok(true), Some(row)) => row,
            (Err(busy), _) => {
                limiter.refund(store, attempt).await?;
                return Err(busy);
            }
            _ => {
                // The reserved attempt stays counted as a failure.
                drop(attempt);
                tracing::info!("sign-in refused");
                return Err(Error::Unauthorized(REFUSED));
            }
        };
        limiter.succeeded(store, attempt, email.as_str()).await?;
        let token = Token::generate();
        let expires = now + ttl(self.inner.config.operator_session_ttl);
        let device = match known_device {
            Some(_) => None,
            None => Some(Token::generate()),
        };
        let mut tx = store.begin().await?;
        // Sign-ins are rare; this is a good moment to forget sessions that have run out.
        tx.db()
            .delete_expired_operator_sessions(to_millis(now))
            .await?;
        tx.db()
            .insert_operator_session(&token.digest(), &row.id, to_millis(now), to_millis(expires))
            .await?;
        match (&known_device, &device) {
            (Some(digest), _) => {
                tx.db()
                    .touch_operator_device(digest, to_millis(now))
                    .await?
            }
            (None, Some(new)) => {
                tx.db()
                    .insert_operator_device(&new.digest(), &row.id, to_millis(now))
                    .await?
            }
            (None, None) => {}
        }
        tx.commit().await?;
        tracing::info!(operator_id = %row.id, "operator signed in");
        Ok(SignedIn {
            operator: row.to_operator()?,
            session: token,
            new_device: device,
        })
    }

    /// The operator behind a session cookie value: `unauthorized` once the session passed its
    /// maximum age or sat unused for longer than the idle timeout.
    pub async fn authenticate_operator(&self, token: &Token) -> Result<Operator, Error> {
        let now = to_millis(self.now());
        let idle = ttl(self.inner.config.operator_idle_timeout).num_milliseconds();
        let digest = token.digest();
        let (row, last_seen) = self
            .inner
            .store
            .db()
            .operator_by_session(&digest, now, now.saturating_sub(idle))
            .await?
            .ok_or(Error::Unauthorized("sign in first"))?;
        if now - last_seen >= SESSION_TOUCH_EVERY_MS {
            self.inner
                .store
                .db()
                .touch_operator_session(&digest, now)
                .await?;
        }
        Ok(row.to_operator()?)
    }

    /// Signs a browser out; unknown tokens are fine.
    pub async fn logout(&self, token: &Token) -> Result<(), Error> {
        self.inner
            .store
            .db()
            .delete_operator_session(&token.digest())
            .await?;
        Ok(())
    }

    // ---- support sessions ------------------------------------------------------------------

    /// Creates a support session with a fresh guest link.
    #[tracing::instrument(skip_all, fields(operator_id = %operator.id))]
    pub async fn create_session(
        &self,
        operator: &Operator,
        title: Option<SessionTitle>,
    ) -> Result<(Session, GuestLink), Error> {
        let now = self.now();
        let token = Token::generate();
        let row = SessionRow {
            id: Uuid::now_v7().to_string(),
            conversation_id: Uuid::now_v7().to_string(),
            title: title.map(|t| t.as_str().to_owned()),
            created_by: Some(operator.id.to_string()),
            token_hash: token.digest().as_str().to_owned(),
            created_at: to_millis(now),
            expires_at: to_millis(now + ttl(self.inner.config.guest_link_ttl)),
            joined_at: None,
            ended_at: None,
        };
        let mut tx = self.inner.store.begin().await?;
        tx.db()
            .insert_conversation(&row.conversation_id, "session", row.created_at)
            .await?;
        tx.db().insert_support_session(&row).await?;
        tx.commit().await?;
        tracing::info!(session_id = %row.id, "support session created");
        let link = GuestLink {
            guest_url: self.guest_url(&token),
            guest_token: token.expose().to_owned(),
        };
        Ok((session_at(&row, now)?, link))
    }

    /// Open or ended sessions, newest first.
    pub async fn list_sessions(&self, filter: SessionFilter) -> Result<Vec<Session>, Error> {
        let now = self.now();
        self.inner
            .store
            .db()
            .support_sessions(filter, to_millis(now), SESSION_LIST_LIMIT)
            .await?
            .iter()
            .map(|row| session_at(row, now))
            .collect()
    }

    /// One session by id.
    pub async fn session(&self, id: Uuid) -> Result<Session, Error> {
        let row = self
            .inner
            .store
            .db()
            .support_session(id)
            .await?
            .ok_or(Error::NotFound("session"))?;
        session_at(&row, self.now())
    }

    /// Ends a session; ending an ended session is fine and changes nothing.
    #[tracing::instrument(skip(self))]
    pub async fn end_session(&self, id: Uuid) -> Result<Session, Error> {
        let now = self.now();
        let row = self
            .inner
            .store
            .db()
            .end_support_session(id, to_millis(now))
            .await?
            .ok_or(Error::NotFound("session"))?;
        tracing::info!("support session ended");
        let session = session_at(&row, now)?;
        // Published on every call: a second "end" finds no sockets left to cut off, and a
        // guest that slipped in between the two gets cut off too.
        self.inner.bus.publish(
            &Topic::Conversation(session.conversation_id),
            Event::frame(ServerFrame::SessionEnded {
                session_id: session.id,
            }),
        );
        Ok(session)
    }

    /// Replaces a session's guest link: the old token stops working at once and the new one
    /// gets a full lifetime. An ended or expired session gives `gone`.
    #[tracing::instrument(skip(self))]
    pub async fn rotate_link(&self, id: Uuid) -> Result<(Session, GuestLink), Error> {
        let now = self.now();
        let token = Token::generate();
        let expires = now + ttl(self.inner.config.guest_link_ttl);
        let replaced = self
            .inner
            .store
            .db()
            .replace_guest_token(id, &token.digest(), to_millis(now), to_millis(expires))
            .await?;
        let session = self.session(id).await?;
        if !replaced {
            return Err(Error::Gone);
        }
        tracing::info!("guest link rotated");
        // Sockets opened with the old link hear this and close.
        self.inner.bus.publish(
            &Topic::Conversation(session.conversation_id),
            Event::LinkRotated {
                session_id: session.id,
            },
        );
        let link = GuestLink {
            guest_url: self.guest_url(&token),
            guest_token: token.expose().to_owned(),
        };
        Ok((session, link))
    }

    /// The session a guest token opens, without changing anything: `not_found` for an unknown
    /// token, `gone` once it ended or expired.
    pub async fn guest_session(&self, token: &Token) -> Result<Session, Error> {
        let row = self
            .inner
            .store
            .db()
            .support_session_by_token(&token.digest())
            .await?
            .ok_or(Error::NotFound("guest link"))?;
        let session = session_at(&row, self.now())?;
        if session.is_ended() {
            return Err(Error::Gone);
        }
        Ok(session)
    }

    /// A guest opens the link: as [`Engine::guest_session`], and the session becomes active.
    pub async fn visit_as_guest(&self, token: &Token) -> Result<GuestVisit, Error> {
        let mut session = self.guest_session(token).await?;
        if session.status == SessionStatus::Waiting {
            self.inner
                .store
                .db()
                .mark_session_joined(session.id, to_millis(self.now()))
                .await?;
            session.status = SessionStatus::Active;
        }
        Ok(GuestVisit { session })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::clock::ManualClock;

    async fn engine_with(config: EngineConfig) -> (Engine, Arc<ManualClock>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("test.db").display());
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let clock = Arc::new(ManualClock::starting_now());
        let engine = Engine::with_parts(store, config, Arc::new(Hub::new()), clock.clone());
        (engine, clock, dir)
    }

    async fn operator(engine: &Engine) -> Operator {
        engine
            .create_operator(NewOperator {
                email: Email::parse("op@example.com").unwrap(),
                name: "Op".into(),
                password: PasswordInput::parse_new("a-long-password").unwrap(),
            })
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_new_session_waits_then_becomes_active_when_a_guest_visits() {
        let (engine, _clock, _dir) = engine_with(EngineConfig::new("http://h")).await;
        let op = operator(&engine).await;
        let (session, link) = engine.create_session(&op, None).await.unwrap();
        assert_eq!(session.status, SessionStatus::Waiting);
        assert_eq!(
            link.guest_url,
            format!("http://h/support/guest/{}", link.guest_token)
        );
        let visit = engine
            .visit_as_guest(&Token::from_presented(&link.guest_token))
            .await
            .unwrap();
        assert_eq!(visit.session.status, SessionStatus::Active);
        assert_eq!(
            engine.session(session.id).await.unwrap().status,
            SessionStatus::Active
        );
    }

    #[tokio::test]
    async fn an_expired_link_is_gone_and_its_session_is_listed_as_ended() {
        let mut config = EngineConfig::new("http://h");
        config.guest_link_ttl = Duration::from_secs(60);
        let (engine, clock, _dir) = engine_with(config).await;
        let op = operator(&engine).await;
        let (session, link) = engine.create_session(&op, None).await.unwrap();
        clock.advance(Duration::from_secs(59));
        assert!(engine
            .guest_session(&Token::from_presented(&link.guest_token))
            .await
            .is_ok());
        clock.advance(Duration::from_secs(1));
        let err = engine
            .guest_session(&Token::from_presented(&link.guest_token))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Gone));
        let ended = engine.list_sessions(SessionFilter::Ended).await.unwrap();
        assert_eq!(ended[0].id, session.id);
        assert_eq!(ended[0].ended_at, Some(ended[0].expires_at));
        assert!(matches!(
            engine.rotate_link(session.id).await.unwrap_err(),
            Error::Gone
        ));
    }

    #[tokio::test]
    async fn ending_twice_keeps_the_first_end_time() {
        let (engine, _clock, _dir) = engine_with(EngineConfig::new("http://h")).await;
        let op = operator(&engine).await;
        let (session, _) = engine.create_session(&op, None).await.unwrap();
        let first = engine.end_session(session.id).await.unwrap();
        let second = engine.end_session(session.id).await.unwrap();
        assert_eq!(first.status, SessionStatus::Ended);
        assert_eq!(first.ended_at, second.ended_at);
    }

    #[tokio::test]
    async fn the_first_operator_is_created_once_with_a_generated_password() {
        let (engine, _clock, _dir) = engine_with(EngineConfig::new("http://h")).await;
        let email = Email::parse("admin@example.com").unwrap();
        let (op, password) = engine
            .ensure_first_operator(email.clone())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(password.len(), 20);
        assert!(engine.ensure_first_operator(email).await.unwrap().is_none());
        let signed_in = engine
            .login("admin@example.com", &password, "127.0.0.1", None)
            .await
            .unwrap();
        assert_eq!(signed_in.operator.id, op.id);
    }
}
