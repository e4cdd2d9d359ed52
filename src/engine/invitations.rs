//! Invitations: an admin invites a colleague by email with a role; the one-time link (7 days,
//! only its SHA-256 stored) goes out by email and is shown once to the inviter; accepting it
//! creates the operator and signs them in.

use std::time::Duration;

use serde_json::json;
use uuid::Uuid;

use super::audit::{Record, Requester};
use super::Engine;
use crate::auth::{self, Token};
use crate::domain::{ttl, Capability, Email, Locale, PasswordInput};
use crate::error::Error;
use crate::mail::{compose_account, host_of, AccountEmail, AccountLetter, SendError};
use crate::store::{to_millis, InvitationRow, NewInvitation, OperatorRow};
use crate::wire::{
    AuditAction, AuditTarget, CreatedInvitation, Invitation, InvitationPreview, Operator, Role,
};

/// How long an invitation link works.
pub const INVITATION_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

/// Tries at sending an account email before giving up, and the pause after each failure.
const SEND_TRIES: [Duration; 3] = [
    Duration::from_secs(5),
    Duration::from_secs(30),
    Duration::from_secs(0),
];

impl InvitationRow {
    /// `gone` when the link was used, revoked, replaced or has expired by `now`.
    fn check_open(&self, now: i64) -> Result<(), Error> {
        match self.ended_how.as_deref() {
            Some("accepted") => Err(Error::LinkGone("this invitation was used already")),
            Some(_) => Err(Error::LinkGone("this invitation was withdrawn")),
            None if self.expires_at <= now => Err(Error::LinkGone("this invitation has expired")),
            None => Ok(()),
        }
    }
}

impl Engine {
    /// Invites `email` to the team as `role` (admin or agent). A second invitation to the same
    /// address replaces the first. The link is emailed in `locale` (the inviter's language)
    /// and returned, to be shown once.
    #[tracing::instrument(skip_all)]
    pub async fn invite(
        &self,
        actor: &Operator,
        email: Email,
        role: Role,
        locale: Option<Locale>,
        from: &Requester,
    ) -> Result<CreatedInvitation, Error> {
        self.require(actor, Capability::RunTeam)?;
        if role == Role::Owner {
            return Err(Error::Forbidden(
                "no one is invited as the owner; the owner hands ownership over",
            ));
        }
        let db = || self.inner.store.db();
        if db().operator_by_email(email.as_str()).await?.is_some() {
            return Err(Error::Conflict(format!(
                "an operator with the email {email} already exists"
            )));
        }
        let now = self.now();
        let token = Token::generate();
        let id = Uuid::now_v7().to_string();
        let inviter = actor.id.to_string();
        let row = NewInvitation {
            id: &id,
            email: email.as_str(),
            role: role.as_str(),
            invited_by: &inviter,
            created_at: to_millis(now),
            expires_at: to_millis(now + ttl(INVITATION_TTL)),
        };
        let mut tx = self.inner.store.begin().await?;
        tx.db()
            .replace_invitations(email.as_str(), row.created_at)
            .await?;
        tx.db().insert_invitation(&row, &token.digest()).await?;
        let record = Record {
            action: AuditAction::InvitationCreated,
            actor: Some(actor),
            target: Some(invitation_target(&id, email.as_str())),
            from,
            detail: json!({ "role": role }),
        };
        self.audit(tx.db(), record).await?;
        tx.commit().await?;
        let accept_url = format!("{}/invite/{}", self.inner.config.public_url, token.expose());
        self.send_account_email(
            id.clone(),
            email.as_str().to_owned(),
            locale,
            accept_url.clone(),
            Some(actor.name.clone()),
        );
        let stored = db()
            .invitation(&id)
            .await?
            .ok_or(Error::NotFound("invitation"))?;
        tracing::info!(invitation = %id, "operator invited");
        Ok(CreatedInvitation {
            invitation: stored.to_invitation()?,
            accept_url,
        })
    }

    /// Pending invitations, newest first.
    pub async fn invitations(&self, viewer: &Operator) -> Result<Vec<Invitation>, Error> {
        self.require(viewer, Capability::RunTeam)?;
        let rows = self
            .inner
            .store
            .db()
            .pending_invitations(to_millis(self.now()))
            .await?;
        rows.iter().map(|row| Ok(row.to_invitation()?)).collect()
    }

    /// Revokes an invitation: its link stops working. One that has ended already stays as
    /// it is; an unknown id is `not_found`.
    pub async fn revoke_invitation(
        &self,
        actor: &Operator,
        id: Uuid,
        from: &Requester,
    ) -> Result<(), Error> {
        self.require(actor, Capability::RunTeam)?;
        let id = id.to_string();
        let row = self
            .inner
            .store
            .db()
            .invitation(&id)
            .await?
            .ok_or(Error::NotFound("invitation"))?;
        let mut tx = self.inner.store.begin().await?;
        if tx
            .db()
            .end_invitation(&id, "revoked", to_millis(self.now()))
            .await?
        {
            let record = Record {
                action: AuditAction::InvitationRevoked,
                actor: Some(actor),
                target: Some(invitation_target(&id, &row.email)),
                from,
                detail: json!({ "role": row.role }),
            };
            self.audit(tx.db(), record).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The invitation an open link names: `not_found` for an unknown link, `gone` for one
    /// used, withdrawn or expired.
    async fn open_invitation(&self, token: &Token) -> Result<InvitationRow, Error> {
        let row = self
            .inner
            .store
            .db()
            .invitation_by_token(&token.digest())
            .await?
            .ok_or(Error::NotFound("invitation"))?;
        row.check_open(to_millis(self.now()))?;
        Ok(row)
    }

    /// What an invitation link's page shows: `not_found` for an unknown link, `gone` for one
    /// used, withdrawn or expired.
    pub async fn invitation_preview(&self, token: &Token) -> Result<InvitationPreview, Error> {
        let row = self.open_invitation(token).await?;
        let invitation = row.to_invitation()?;
        Ok(InvitationPreview {
            email: invitation.email,
            role: invitation.role,
            invited_by: invitation.invited_by.map(|i| i.name),
        })
    }

    /// Accepts an invitation: creates the operator with the invitation's email and role, the
    /// name and password given, and signs them in. The link works once.
    #[tracing::instrument(skip_all)]
    pub async fn accept_invitation(
        &self,
        token: &Token,
        name: &str,
        password: &str,
        from: &Requester,
    ) -> Result<(Operator, Token), Error> {
        let preview_row = self.open_invitation(token).await?;
        let now = self.now();
        let name = operator_name(name)?;
        let email = Email::parse(&preview_row.email)?;
        let password = PasswordInput::parse_chosen("password", password, &email)?;
        let hash = self
            .hash(move || auth::hash_password(password.expose()))
            .await??;
        let invitation = preview_row.to_invitation()?;
        let row = OperatorRow {
            id: Uuid::now_v7().to_string(),
            email: email.as_str().to_owned(),
            name: name.clone(),
            password_hash: hash,
            created_at: to_millis(now),
            role: invitation.role.as_str().to_owned(),
            deactivated_at: None,
            last_seen_at: None,
        };
        let mut tx = self.inner.store.begin().await?;
        // Only one acceptance ends the invitation; a second one finds it ended.
        if !tx
            .db()
            .end_invitation(&preview_row.id, "accepted", to_millis(now))
            .await?
        {
            return Err(Error::LinkGone("this invitation was used already"));
        }
        if !tx.db().insert_operator(&row).await? {
            return Err(Error::Conflict(format!(
                "an operator with the email {email} already exists"
            )));
        }
        let operator = row.to_operator()?;
        let session = self.start_signin(&mut tx, &operator, from).await?;
        let record = Record {
            action: AuditAction::InvitationAccepted,
            actor: Some(&operator),
            target: Some(invitation_target(&preview_row.id, email.as_str())),
            from,
            detail: json!({
                "role": invitation.role,
                "invited_by": invitation.invited_by.map(|i| i.id),
            }),
        };
        self.audit(tx.db(), record).await?;
        tx.commit().await?;
        tracing::info!(operator_id = %operator.id, "invitation accepted");
        Ok((operator, session))
    }

    /// Sends an account email (an invitation when `inviter` is given, else a password reset)
    /// in the background; an invitation records how it went. The link lives only in this
    /// task's memory: the database holds its digest alone.
    pub(crate) fn send_account_email(
        &self,
        id: String,
        to: String,
        locale: Option<Locale>,
        url: String,
        inviter: Option<String>,
    ) {
        let engine = self.clone();
        tokio::spawn(async move {
            let host = host_of(&engine.inner.config.public_url);
            let kind = match &inviter {
                Some(name) => AccountEmail::Invitation { inviter: name },
                None => AccountEmail::Reset,
            };
            let letter = AccountLetter {
                kind,
                id: &id,
                to: &to,
                lang: locale.map(Locale::as_str),
                url: &url,
                date: engine.now(),
                host: &host,
            };
            let outcome = if engine.deliver_account_email(&letter).await {
                "sent"
            } else {
                "failed"
            };
            if inviter.is_some() {
                let recorded = engine
                    .inner
                    .store
                    .db()
                    .set_invitation_email_state(&id, outcome)
                    .await;
                if let Err(err) = recorded {
                    tracing::warn!(error = %err, "recording an invitation email's outcome failed");
                }
            }
        });
    }

    /// Builds and sends `letter` through the email worker's transport, trying a few times;
    /// whether it went out.
    async fn deliver_account_email(&self, letter: &AccountLetter<'_>) -> bool {
        let Some(mailer) = self.inner.mailer.get().cloned() else {
            tracing::warn!("no email transport is running; the account email was not sent");
            return false;
        };
        let email = match compose_account(&self.inner.config.email, letter) {
            Ok(email) => email,
            Err(err) => {
                tracing::warn!(error = %err, "an account email could not be built");
                return false;
            }
        };
        for pause in SEND_TRIES {
            match mailer.send(&email).await {
                Ok(()) => return true,
                Err(SendError::Permanent(detail)) => {
                    tracing::warn!(%detail, "the mail server refused an account email");
                    return false;
                }
                Err(SendError::Transient(detail)) => {
                    tracing::warn!(%detail, "sending an account email failed for now");
                    self.sleep_until(self.now() + ttl(pause)).await;
                }
            }
        }
        false
    }
}

/// An invitation as an audit entry names it.
fn invitation_target(id: &str, email: &str) -> AuditTarget {
    AuditTarget {
        kind: "invitation".to_owned(),
        id: id.to_owned(),
        label: email.to_owned(),
    }
}

/// An operator's name: 1 to 100 characters on one line, trimmed.
pub(crate) fn operator_name(raw: &str) -> Result<String, Error> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(
            crate::domain::Invalid::new("name", "must be 1 to 100 characters on one line").into(),
        );
    }
    Ok(name.to_owned())
}
