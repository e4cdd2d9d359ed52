//! The team's rows: operators, their sign-ins, invitations and the audit log.

use sqlx::FromRow;

use super::{from_millis, uuid_of, Corrupt};
use crate::wire::{Operator, Role};

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
