//! Operators: creating them, signing in and out, and the sign-in cookie's checks.

use uuid::Uuid;

use super::Engine;
use crate::auth::{self, Token};
use crate::domain::ttl;
use crate::domain::{Email, PasswordInput};
use crate::error::Error;
use crate::limits::AttemptScope;
use crate::store::{to_millis, OperatorRow};
use crate::wire::Operator;

/// A session's "last seen" time is written at most this often.
const SESSION_TOUCH_EVERY_MS: i64 = 60_000;

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

impl Engine {
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
}

#[cfg(test)]
mod tests {
    use crate::domain::Email;
    use crate::engine::testing::engine_with;
    use crate::engine::EngineConfig;

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
