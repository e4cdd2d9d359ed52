//! Forgotten passwords: a one-time link by email, valid 30 minutes; using it sets a new
//! password, ends every earlier sign-in and signs the operator in.

use super::announce::signins_ended;
use std::time::Duration;

use serde_json::json;

use super::audit::{Record, Requester};
use super::Engine;
use crate::auth::{self, Token};
use crate::domain::{ttl, Email, Locale, PasswordInput};
use crate::error::Error;
use crate::limits::AttemptScope;
use crate::store::{to_millis, OperatorRow};
use crate::wire::{AuditAction, Operator};

/// How long a reset link works.
pub const RESET_TTL: Duration = Duration::from_secs(30 * 60);

impl Engine {
    /// Emails a reset link to `email` if an active operator has it. The answer is the same
    /// either way; requests are limited like sign-in attempts (per address and per email).
    #[tracing::instrument(skip_all)]
    pub async fn forgot_password(
        &self,
        email: &str,
        locale: Option<Locale>,
        from: &Requester,
    ) -> Result<(), Error> {
        let email = Email::parse(email)?;
        let store = &self.inner.store;
        let now = self.now();
        let client = from.address.as_deref().unwrap_or("unknown");
        // Every request counts as an attempt: the window bounds how many links anyone can
        // have sent, to one address or from one client.
        let attempt = self
            .inner
            .limiter
            .reserve(store, client, &AttemptScope::Email(email.as_str()), now)
            .await?
            .map_err(|secs| Error::RateLimited {
                retry_after_secs: secs,
            })?;
        drop(attempt);
        let Some(row) = store
            .db()
            .operator_by_email(email.as_str())
            .await?
            .filter(|r| r.deactivated_at.is_none())
        else {
            return Ok(());
        };
        let (url, operator) = self.new_reset_link(&row, from, "email").await?;
        self.send_account_email(
            uuid::Uuid::now_v7().to_string(),
            operator.email,
            locale,
            url,
            None,
        );
        Ok(())
    }

    /// A reset link for the operator with `email`, for the command line (an owner locked out).
    pub async fn reset_link(&self, email: &Email) -> Result<String, Error> {
        let row = self
            .inner
            .store
            .db()
            .operator_by_email(email.as_str())
            .await?
            .ok_or(Error::NotFound("operator"))?;
        if row.deactivated_at.is_some() {
            return Err(Error::Conflict(
                "this operator is deactivated; an admin reactivates them first".to_owned(),
            ));
        }
        let from = Requester::default();
        Ok(self.new_reset_link(&row, &from, "command_line").await?.0)
    }

    /// Records a new reset link for `row` and returns it.
    async fn new_reset_link(
        &self,
        row: &OperatorRow,
        from: &Requester,
        via: &str,
    ) -> Result<(String, Operator), Error> {
        let now = self.now();
        let token = Token::generate();
        let operator = row.to_operator()?;
        let mut tx = self.inner.store.begin().await?;
        tx.db()
            .insert_password_reset(
                &token.digest(),
                &row.id,
                to_millis(now),
                to_millis(now + ttl(RESET_TTL)),
            )
            .await?;
        let record = Record {
            action: AuditAction::PasswordResetRequested,
            actor: None,
            target: Record::operator_target(&operator),
            from,
            detail: json!({ "via": via }),
        };
        self.audit(tx.db(), record).await?;
        tx.commit().await?;
        let url = format!("{}/reset/{}", self.inner.config.public_url, token.expose());
        Ok((url, operator))
    }

    /// Whether a reset link still works: `not_found` when unknown, `gone` when used or expired.
    pub async fn check_reset_link(&self, token: &Token) -> Result<(), Error> {
        self.open_reset(token).await.map(drop)
    }

    /// The operator an open reset link is for.
    async fn open_reset(&self, token: &Token) -> Result<OperatorRow, Error> {
        let db = || self.inner.store.db();
        let (operator_id, expires_at, used_at) = db()
            .password_reset(&token.digest())
            .await?
            .ok_or(Error::NotFound("reset link"))?;
        if used_at.is_some() {
            return Err(Error::LinkGone("this reset link was used already"));
        }
        if expires_at <= to_millis(self.now()) {
            return Err(Error::LinkGone("this reset link has expired"));
        }
        db().operator_by_id(&operator_id)
            .await?
            .filter(|r| r.deactivated_at.is_none())
            .ok_or(Error::LinkGone("this reset link no longer works"))
    }

    /// Sets a new password through a reset link: every earlier sign-in ends (their sockets
    /// close with 4401) and a new one starts. The link, and every other of the operator's,
    /// stops working.
    #[tracing::instrument(skip_all)]
    pub async fn reset_password(
        &self,
        token: &Token,
        password: &str,
        from: &Requester,
    ) -> Result<(Operator, Token), Error> {
        let row = self.open_reset(token).await?;
        let email = Email::parse(&row.email)?;
        let password = PasswordInput::parse_chosen("password", password, &email)?;
        let hash = self
            .hash(move || auth::hash_password(password.expose()))
            .await??;
        let operator = row.to_operator()?;
        let mut tx = self.inner.store.begin().await?;
        if !tx
            .db()
            .use_password_reset(&token.digest(), &row.id, to_millis(self.now()))
            .await?
        {
            return Err(Error::LinkGone("this reset link was used already"));
        }
        tx.db().set_operator_password(&row.id, &hash).await?;
        let ended = tx.db().end_operator_signins(&row.id, None).await?;
        let session = self.start_signin(&mut tx, &operator, from).await?;
        let record = Record {
            action: AuditAction::PasswordReset,
            actor: Some(&operator),
            target: Record::operator_target(&operator),
            from,
            detail: json!({ "signins_ended": ended }),
        };
        self.audit(tx.db(), record).await?;
        self.commit_announcing(tx, vec![signins_ended(&row.id)?])
            .await?;
        Ok((operator, session))
    }
}
