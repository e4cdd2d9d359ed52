//! An operator about themselves: name, notification preferences, password, and the browsers
//! they are signed in on.

use super::announce::signins_ended;
use serde_json::json;
use uuid::Uuid;

use super::audit::{Record, Requester};
use super::invitations::operator_name;
use super::Engine;
use crate::auth::{self, Token};
use crate::domain::{ttl, Email, PasswordInput};
use crate::error::Error;
use crate::store::to_millis;
use crate::wire::{AuditAction, Me, Operator, Preferences, SignIn};

impl Engine {
    /// The operator and their preferences.
    pub async fn me(&self, operator: &Operator) -> Result<Me, Error> {
        let stored = self
            .inner
            .store
            .db()
            .operator_preferences(&operator.id.to_string())
            .await?;
        let preferences = match stored {
            Some(json) => serde_json::from_str(&json).map_err(|err| {
                Error::Internal(anyhow::Error::new(err).context("stored preferences"))
            })?,
            None => Preferences::default(),
        };
        Ok(Me {
            operator: operator.clone(),
            preferences,
        })
    }

    /// Changes the operator's name and preferences, each when given. Messages already sent keep
    /// the name they were sent with.
    pub async fn update_me(
        &self,
        operator: &Operator,
        name: Option<&str>,
        preferences: Option<Preferences>,
    ) -> Result<Me, Error> {
        let name = name.map(operator_name).transpose()?;
        let id = operator.id.to_string();
        let mut tx = self.inner.store.begin().await?;
        if let Some(name) = &name {
            tx.db().set_operator_name(&id, name).await?;
        }
        if let Some(preferences) = preferences {
            let json = serde_json::to_string(&preferences)
                .map_err(|err| Error::Internal(anyhow::Error::new(err)))?;
            tx.db().set_operator_preferences(&id, &json).await?;
        }
        tx.commit().await?;
        let operator = self.operator_by_id(operator.id).await?;
        self.me(&operator).await
    }

    /// Changes the password after checking the current one (`unauthorized` when wrong). Every
    /// other sign-in of this operator ends; `current` stays.
    #[tracing::instrument(skip_all)]
    pub async fn change_password(
        &self,
        operator: &Operator,
        current: &Token,
        current_password: &str,
        new_password: &str,
        from: &Requester,
    ) -> Result<(), Error> {
        let id = operator.id.to_string();
        let email = Email::parse(&operator.email)?;
        let new_password = PasswordInput::parse_chosen("new_password", new_password, &email)?;
        let typed = PasswordInput::parse(current_password)
            .map_err(|_| Error::Unauthorized("the current password is wrong"))?;
        let row = self
            .inner
            .store
            .db()
            .operator_by_id(&id)
            .await?
            .ok_or(Error::Unauthorized("sign in first"))?;
        let stored = row.password_hash.clone();
        let right = self
            .hash(move || auth::verify_password(typed.expose(), Some(&stored)))
            .await?;
        if !right {
            return Err(Error::Unauthorized("the current password is wrong"));
        }
        let hash = self
            .hash(move || auth::hash_password(new_password.expose()))
            .await??;
        let mut tx = self.inner.store.begin().await?;
        tx.db().set_operator_password(&id, &hash).await?;
        let ended = tx
            .db()
            .end_operator_signins(&id, Some(&current.digest()))
            .await?;
        let record = Record {
            action: AuditAction::PasswordChanged,
            actor: Some(operator),
            target: Record::operator_target(operator),
            from,
            detail: json!({ "signins_ended": ended }),
        };
        self.audit(tx.db(), record).await?;
        self.commit_announcing(tx, vec![signins_ended(&id)?]).await
    }

    /// The operator's live sign-ins, most recently used first; `current` is marked.
    pub async fn signins(
        &self,
        operator: &Operator,
        current: &Token,
    ) -> Result<Vec<SignIn>, Error> {
        let now = to_millis(self.now());
        let idle = ttl(self.inner.config.operator_idle_timeout).num_milliseconds();
        let rows = self
            .inner
            .store
            .db()
            .operator_signins(&operator.id.to_string(), now, now.saturating_sub(idle))
            .await?;
        let current = current.digest();
        rows.iter()
            .map(|row| Ok(row.to_signin(&current)?))
            .collect()
    }

    /// Ends one of the operator's sign-ins (its sockets close with 4401); `not_found` when
    /// they have no such sign-in.
    pub async fn end_signin(
        &self,
        operator: &Operator,
        signin: Uuid,
        from: &Requester,
    ) -> Result<(), Error> {
        let id = operator.id.to_string();
        let mut tx = self.inner.store.begin().await?;
        if !tx
            .db()
            .end_operator_signin(&id, &signin.to_string())
            .await?
        {
            return Err(Error::NotFound("sign-in"));
        }
        let record = Record {
            action: AuditAction::Signout,
            actor: Some(operator),
            target: None,
            from,
            detail: json!({ "signin": signin }),
        };
        self.audit(tx.db(), record).await?;
        self.commit_announcing(tx, vec![signins_ended(&id)?]).await
    }

    /// Ends every sign-in of the operator but `current`.
    pub async fn end_other_signins(
        &self,
        operator: &Operator,
        current: &Token,
        from: &Requester,
    ) -> Result<(), Error> {
        let id = operator.id.to_string();
        let mut tx = self.inner.store.begin().await?;
        let ended = tx
            .db()
            .end_operator_signins(&id, Some(&current.digest()))
            .await?;
        if ended > 0 {
            let record = Record {
                action: AuditAction::Signout,
                actor: Some(operator),
                target: None,
                from,
                detail: json!({ "others": ended }),
            };
            self.audit(tx.db(), record).await?;
        }
        self.commit_announcing(tx, vec![signins_ended(&id)?]).await
    }
}
