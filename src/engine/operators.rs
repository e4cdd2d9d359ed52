//! Operators: creating them, signing in and out, and the sign-in cookie's checks.

use super::announce::signins_ended;
use uuid::Uuid;

use super::Engine;
use crate::auth::{self, Token};
use crate::domain::ttl;
use serde_json::json;

use super::audit::{Record, Requester};
use crate::domain::{browser_of, Email, PasswordInput};
use crate::error::Error;
use crate::limits::AttemptScope;
use crate::store::{to_millis, NewSignIn, OperatorRow, Tx};
use crate::wire::{AuditAction, Operator, Role};

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
    /// The role; the first operator is the owner whatever is asked.
    pub role: Role,
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
    pub(super) async fn hash<T: Send + 'static>(
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
        let name = super::invitations::operator_name(&new.name)?;
        let password = new.password.expose().to_owned();
        let hash = self.hash(move || auth::hash_password(&password)).await??;
        let db = || self.inner.store.db();
        let role = if db().operator_count().await? == 0 {
            Role::Owner
        } else {
            new.role
        };
        let row = OperatorRow {
            id: Uuid::now_v7().to_string(),
            email: new.email.as_str().to_owned(),
            name,
            password_hash: hash,
            created_at: to_millis(self.now()),
            role: role.as_str().to_owned(),
            deactivated_at: None,
            last_seen_at: None,
        };
        if !db().insert_operator(&row).await? {
            return Err(Error::Conflict(
                if db().operator_by_email(&row.email).await?.is_some() {
                    format!("an operator with the email {} already exists", row.email)
                } else {
                    "there is an owner already; the owner hands ownership over instead".to_owned()
                },
            ));
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
                role: Role::Owner,
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
        from: &Requester,
        device: Option<&Token>,
    ) -> Result<SignedIn, Error> {
        let client_addr = from.address.as_deref().unwrap_or("unknown");
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
        let found = match store.db().operator_by_email(email.as_str()).await {
            Ok(row) => row,
            Err(err) => {
                limiter.refund(store, attempt).await?;
                return Err(err.into());
            }
        };
        // A deactivated operator's password no longer opens anything.
        let stored = found
            .as_ref()
            .filter(|r| r.deactivated_at.is_none())
            .map(|r| r.password_hash.clone());
        let checked = self
            .hash(move || auth::verify_password(password.expose(), stored.as_deref()))
            .await;
        let row = match (checked, found) {
            (Ok(true), Some(row)) => row,
            (Err(busy), _) => {
                limiter.refund(store, attempt).await?;
                return Err(busy);
            }
            (_, found) => {
                // The reserved attempt stays counted as a failure.
                drop(attempt);
                tracing::info!("sign-in refused");
                // Only a known account is named: what was typed as an email may be anything,
                // a password even.
                let target = match &found {
                    Some(row) => Record::operator_target(&row.to_operator()?),
                    None => None,
                };
                let detail = match &found {
                    Some(row) if row.deactivated_at.is_some() => json!({"reason": "deactivated"}),
                    Some(_) => json!({"reason": "wrong_password"}),
                    None => json!({"reason": "unknown_email"}),
                };
                let record = Record {
                    action: AuditAction::SigninFailed,
                    actor: None,
                    target,
                    from,
                    detail,
                };
                self.audit(store.db(), record).await?;
                return Err(Error::Unauthorized(REFUSED));
            }
        };
        limiter.succeeded(store, attempt, email.as_str()).await?;
        let device = match known_device {
            Some(_) => None,
            None => Some(Token::generate()),
        };
        let operator = row.to_operator()?;
        let mut tx = store.begin().await?;
        let token = self.start_signin(&mut tx, &operator, from).await?;
        self.audit(
            tx.db(),
            Record {
                action: AuditAction::Signin,
                actor: Some(&operator),
                target: None,
                from,
                detail: json!({}),
            },
        )
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
            operator,
            session: token,
            new_device: device,
        })
    }

    /// Starts a sign-in for `operator` inside `tx`: a new session cookie value, recorded with
    /// the browser and address it came from. Also forgets sign-ins that ran out.
    pub(crate) async fn start_signin(
        &self,
        tx: &mut Tx,
        operator: &Operator,
        from: &Requester,
    ) -> Result<Token, Error> {
        let now = self.now();
        let token = Token::generate();
        let expires = now + ttl(self.inner.config.operator_session_ttl);
        let operator_id = operator.id.to_string();
        let browser = from.user_agent.as_deref().and_then(browser_of);
        // Sign-ins are rare; this is a good moment to forget sessions that have run out.
        tx.db()
            .delete_expired_operator_sessions(to_millis(now))
            .await?;
        let signin = NewSignIn {
            digest: &token.digest(),
            id: &Uuid::now_v7().to_string(),
            operator_id: &operator_id,
            browser: browser.as_deref(),
            address: from.address.as_deref(),
        };
        tx.db()
            .insert_operator_session(&signin, to_millis(now), to_millis(expires))
            .await?;
        tx.db().touch_operator(&operator_id, to_millis(now)).await?;
        Ok(token)
    }

    /// The operator behind a session cookie value: `unauthorized` once the session passed its
    /// maximum age or sat unused for longer than the idle timeout, was ended, or its operator
    /// was deactivated.
    pub async fn authenticate_operator(&self, token: &Token) -> Result<Operator, Error> {
        Ok(self.operator_signin(token).await?.0)
    }

    /// The operator behind a session cookie value and until when that sign-in holds at most
    /// (its maximum age; the idle timeout never ends a sign-in that is in use).
    pub async fn operator_signin(
        &self,
        token: &Token,
    ) -> Result<(Operator, chrono::DateTime<chrono::Utc>), Error> {
        let now = to_millis(self.now());
        let idle = ttl(self.inner.config.operator_idle_timeout).num_milliseconds();
        let digest = token.digest();
        let db = || self.inner.store.db();
        let signin = db()
            .operator_by_session(&digest, now, now.saturating_sub(idle))
            .await?
            .ok_or(Error::Unauthorized("sign in first"))?;
        if now - signin.session_seen_at >= SESSION_TOUCH_EVERY_MS {
            db().touch_operator_session(&digest, now).await?;
            db().touch_operator(&signin.operator.id, now).await?;
        }
        Ok((
            signin.operator.to_operator()?,
            crate::store::from_millis(signin.session_expires_at),
        ))
    }

    /// Signs a browser out; unknown tokens are fine. Sockets opened with it close (4401).
    pub async fn logout(&self, token: &Token, from: &Requester) -> Result<(), Error> {
        let digest = token.digest();
        let owner = self
            .inner
            .store
            .db()
            .operator_by_session(&digest, 0, i64::MIN)
            .await?;
        let mut tx = self.inner.store.begin().await?;
        tx.db().delete_operator_session(&digest).await?;
        if let Some(signin) = &owner {
            let operator = signin.operator.to_operator()?;
            let record = Record {
                action: AuditAction::Signout,
                actor: Some(&operator),
                target: None,
                from,
                detail: json!({}),
            };
            self.audit(tx.db(), record).await?;
        }
        let events = match owner {
            Some(signin) => vec![signins_ended(&signin.operator.id)?],
            None => Vec::new(),
        };
        self.commit_announcing(tx, events).await
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
            .login(
                "admin@example.com",
                &password,
                &super::Requester::new("127.0.0.1", None),
                None,
            )
            .await
            .unwrap();
        assert_eq!(signed_in.operator.id, op.id);
    }
}
