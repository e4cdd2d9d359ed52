//! The team's rows: operators, their sign-ins, invitations and the audit log.

use sqlx::FromRow;

use super::{from_millis, uuid_of, Corrupt};
use crate::auth::TokenDigest;
use crate::wire::{
    AuditAction, AuditEntry, AuditTarget, Invitation, Operator, OperatorRef, Role, SignIn,
};

/// An operator as stored, password hash included.
#[derive(Debug, Clone, FromRow)]
pub struct OperatorRow {
    /// Id (UUID text).
    pub id: String,
    /// Normalised email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Creation time (ms).
    pub created_at: i64,
    /// `owner`, `admin` or `agent`.
    pub role: String,
    /// When deactivated (ms); `None` while active.
    pub deactivated_at: Option<i64>,
    /// When last seen (ms).
    pub last_seen_at: Option<i64>,
}

/// The columns of an [`OperatorRow`], in its order.
pub(in crate::store) const OPERATOR_COLUMNS: &str =
    "id, email, name, password_hash, created_at, role, deactivated_at, last_seen_at";

impl OperatorRow {
    /// The operator as the contract shows it.
    pub fn to_operator(&self) -> Result<Operator, Corrupt> {
        Ok(Operator {
            id: uuid_of("operator id", &self.id)?,
            email: self.email.clone(),
            name: self.name.clone(),
            role: Role::parse(&self.role).ok_or_else(|| Corrupt {
                what: "role",
                value: self.role.clone(),
            })?,
            active: self.deactivated_at.is_none(),
            last_seen_at: self.last_seen_at.map(from_millis),
        })
    }
}

/// An operator's sign-in (a browser's session cookie) with its operator.
#[derive(Debug, Clone, FromRow)]
pub struct SignInRow {
    /// The operator.
    #[sqlx(flatten)]
    pub operator: OperatorRow,
    /// When the sign-in was last used (ms).
    pub session_seen_at: i64,
    /// When it expires (ms).
    pub session_expires_at: i64,
}

/// A sign-in to write.
#[derive(Debug, Clone, Copy)]
pub struct NewSignIn<'a> {
    /// The cookie token's digest.
    pub digest: &'a crate::auth::TokenDigest,
    /// The public id (UUID text).
    pub id: &'a str,
    /// The operator.
    pub operator_id: &'a str,
    /// The browser, as "Firefox on Linux".
    pub browser: Option<&'a str>,
    /// The client's address.
    pub address: Option<&'a str>,
}

/// A sign-in as an operator's list shows it.
#[derive(Debug, Clone, FromRow)]
pub struct SignInListRow {
    /// The public id.
    pub id: String,
    /// The cookie token's digest: tells the current one.
    pub token_hash: String,
    /// The browser.
    pub browser: Option<String>,
    /// The client's address.
    pub address: Option<String>,
    /// When it began (ms).
    pub created_at: i64,
    /// When it was last used (ms).
    pub last_seen_at: i64,
}

/// An audit log entry as stored.
#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    /// Id (UUID v7 text).
    pub id: String,
    /// When (ms).
    pub at: i64,
    /// What happened (`signin`, `role_changed`, ...).
    pub action: String,
    /// Who did it, when someone signed in did.
    pub actor_id: Option<String>,
    /// Their name at the time.
    pub actor_name: Option<String>,
    /// What it was done to: `operator`, `invitation`, `widget`, `customer`.
    pub target_kind: Option<String>,
    /// Its id.
    pub target_id: Option<String>,
    /// Its name or address at the time.
    pub target_label: Option<String>,
    /// The client's address.
    pub address: Option<String>,
    /// Facts (JSON object), such as the old and new role.
    pub detail: String,
}

/// An invitation to write.
#[derive(Debug, Clone, Copy)]
pub struct NewInvitation<'a> {
    /// Id (UUID text).
    pub id: &'a str,
    /// The invited address (normalised).
    pub email: &'a str,
    /// `admin` or `agent`.
    pub role: &'a str,
    /// The inviting operator's id.
    pub invited_by: &'a str,
    /// When (ms).
    pub created_at: i64,
    /// When the link stops working (ms).
    pub expires_at: i64,
}

/// An invitation as stored, with its inviter's name.
#[derive(Debug, Clone, FromRow)]
pub struct InvitationRow {
    /// Id (UUID text).
    pub id: String,
    /// The invited address.
    pub email: String,
    /// `admin` or `agent`.
    pub role: String,
    /// The inviting operator's id.
    pub invited_by: Option<String>,
    /// The inviting operator's name.
    pub invited_by_name: Option<String>,
    /// When (ms).
    pub created_at: i64,
    /// When the link stops working (ms).
    pub expires_at: i64,
    /// When it was used, revoked or replaced (ms).
    pub ended_at: Option<i64>,
    /// `accepted`, `revoked` or `replaced`.
    pub ended_how: Option<String>,
    /// `sending`, `sent` or `failed`.
    pub email_state: String,
}

impl SignInListRow {
    /// The sign-in as the contract shows it; `current` is the asking browser's digest.
    pub fn to_signin(&self, current: &TokenDigest) -> Result<SignIn, Corrupt> {
        Ok(SignIn {
            id: uuid_of("sign-in id", &self.id)?,
            current: self.token_hash == current.as_str(),
            browser: self.browser.clone(),
            address: self.address.clone(),
            created_at: from_millis(self.created_at),
            last_used_at: from_millis(self.last_seen_at),
        })
    }
}

impl InvitationRow {
    /// The invitation as the contract shows it.
    pub fn to_invitation(&self) -> Result<Invitation, Corrupt> {
        let invited_by = match (&self.invited_by, &self.invited_by_name) {
            (Some(id), Some(name)) => Some(OperatorRef {
                id: uuid_of("inviter id", id)?,
                name: name.clone(),
            }),
            _ => None,
        };
        Ok(Invitation {
            id: uuid_of("invitation id", &self.id)?,
            email: self.email.clone(),
            role: Role::parse(&self.role).ok_or_else(|| Corrupt::new("role", &self.role))?,
            invited_by,
            created_at: from_millis(self.created_at),
            expires_at: from_millis(self.expires_at),
            email_state: self.email_state.clone(),
        })
    }
}

impl AuditRow {
    /// The entry as the contract shows it.
    pub fn to_entry(&self) -> Result<AuditEntry, Corrupt> {
        let actor = match (&self.actor_id, &self.actor_name) {
            (Some(id), Some(name)) => Some(OperatorRef {
                id: uuid_of("audit actor id", id)?,
                name: name.clone(),
            }),
            _ => None,
        };
        let target = match (&self.target_kind, &self.target_id) {
            (Some(kind), Some(id)) => Some(AuditTarget {
                kind: kind.clone(),
                id: id.clone(),
                label: self.target_label.clone().unwrap_or_default(),
            }),
            _ => None,
        };
        Ok(AuditEntry {
            id: uuid_of("audit entry id", &self.id)?,
            at: from_millis(self.at),
            action: AuditAction::parse(&self.action)
                .ok_or_else(|| Corrupt::new("audit action", &self.action))?,
            actor,
            target,
            address: self.address.clone(),
            detail: serde_json::from_str(&self.detail)
                .map_err(|_| Corrupt::new("audit detail", &self.detail))?,
        })
    }
}
