//! The team's wire types: colleagues, invitations, sign-ins, preferences and the audit log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{time, Operator, Role};

/// A colleague as `GET /api/v1/operators` lists one. Agents see id, name, role and whether
/// active; owner and admins also the email and when they were last seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamMember {
    /// The operator's id.
    pub id: Uuid,
    /// Their name.
    pub name: String,
    /// Their role.
    pub role: Role,
    /// Whether they can sign in.
    pub active: bool,
    /// Their sign-in address (owner and admins only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// When they were last seen (owner and admins only; absent when never).
    #[serde(
        default,
        with = "time::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_seen_at: Option<DateTime<Utc>>,
}

/// Who invited someone, or did something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OperatorRef {
    /// Their id.
    pub id: Uuid,
    /// Their name (at the time, in the audit log).
    pub name: String,
}

/// A pending invitation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invitation {
    /// Its id.
    pub id: Uuid,
    /// The invited address.
    pub email: String,
    /// The role they get: `admin` or `agent`.
    pub role: Role,
    /// Who invited them (absent if that operator is gone).
    pub invited_by: Option<OperatorRef>,
    /// When.
    #[serde(with = "time")]
    pub created_at: DateTime<Utc>,
    /// When the link stops working.
    #[serde(with = "time")]
    pub expires_at: DateTime<Utc>,
    /// How sending its email went: `sending`, `sent` or `failed` (our addition).
    #[serde(default)]
    pub email_state: String,
}

/// `POST /api/v1/invitations`'s answer: the link is shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedInvitation {
    /// The invitation.
    pub invitation: Invitation,
    /// The one-time link to accept it.
    pub accept_url: String,
}

/// What an invitation link's page shows before it is accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationPreview {
    /// The invited address.
    pub email: String,
    /// The role.
    pub role: Role,
    /// Who invited them.
    pub invited_by: Option<String>,
}

/// One of an operator's sign-ins (a browser).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignIn {
    /// Its id.
    pub id: Uuid,
    /// Whether it is the one asking.
    pub current: bool,
    /// The browser, as "Firefox on Linux", when known.
    pub browser: Option<String>,
    /// The address it signed in from.
    pub address: Option<String>,
    /// When it began.
    #[serde(with = "time")]
    pub created_at: DateTime<Utc>,
    /// When it was last used.
    #[serde(with = "time")]
    pub last_used_at: DateTime<Utc>,
}

/// Desktop notifications an operator wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DesktopNotifications {
    /// A new customer message.
    pub new_message: bool,
    /// A conversation assigned to them.
    pub assigned: bool,
    /// A mention in a note.
    pub mention: bool,
}

/// An operator's notification preferences, kept on the server so they follow them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    /// A sound for new messages.
    pub sound: bool,
    /// Desktop notifications.
    pub desktop: DesktopNotifications,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            sound: true,
            desktop: DesktopNotifications {
                new_message: true,
                assigned: true,
                mention: true,
            },
        }
    }
}

/// `GET /api/v1/me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    /// The operator.
    pub operator: Operator,
    /// Their preferences.
    pub preferences: Preferences,
}

/// What an audit log entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// An operator signed in.
    Signin,
    /// A sign-in was refused.
    SigninFailed,
    /// An operator signed out.
    Signout,
    /// An invitation was made.
    InvitationCreated,
    /// An invitation was revoked.
    InvitationRevoked,
    /// An invitation was accepted: a new operator.
    InvitationAccepted,
    /// An operator's role changed.
    RoleChanged,
    /// An operator was deactivated.
    OperatorDeactivated,
    /// An operator was reactivated.
    OperatorReactivated,
    /// Ownership was handed over.
    OwnershipTransferred,
    /// An operator changed their password.
    PasswordChanged,
    /// A password reset link was asked for.
    PasswordResetRequested,
    /// A password was reset through a link.
    PasswordReset,
    /// The widget secret changed.
    WidgetSecretChanged,
    /// The widget's settings changed.
    WidgetSettingsChanged,
    /// A customer's data was exported.
    CustomerExported,
    /// A customer's data was erased.
    CustomerErased,
    /// Old data was deleted by the retention policy.
    RetentionDeleted,
}

impl AuditAction {
    /// Every action, in the contract's order.
    pub const ALL: [Self; 18] = [
        Self::Signin,
        Self::SigninFailed,
        Self::Signout,
        Self::InvitationCreated,
        Self::InvitationRevoked,
        Self::InvitationAccepted,
        Self::RoleChanged,
        Self::OperatorDeactivated,
        Self::OperatorReactivated,
        Self::OwnershipTransferred,
        Self::PasswordChanged,
        Self::PasswordResetRequested,
        Self::PasswordReset,
        Self::WidgetSecretChanged,
        Self::WidgetSettingsChanged,
        Self::CustomerExported,
        Self::CustomerErased,
        Self::RetentionDeleted,
    ];

    /// The action's name on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Signin => "signin",
            Self::SigninFailed => "signin_failed",
            Self::Signout => "signout",
            Self::InvitationCreated => "invitation_created",
            Self::InvitationRevoked => "invitation_revoked",
            Self::InvitationAccepted => "invitation_accepted",
            Self::RoleChanged => "role_changed",
            Self::OperatorDeactivated => "operator_deactivated",
            Self::OperatorReactivated => "operator_reactivated",
            Self::OwnershipTransferred => "ownership_transferred",
            Self::PasswordChanged => "password_changed",
            Self::PasswordResetRequested => "password_reset_requested",
            Self::PasswordReset => "password_reset",
            Self::WidgetSecretChanged => "widget_secret_changed",
            Self::WidgetSettingsChanged => "widget_settings_changed",
            Self::CustomerExported => "customer_exported",
            Self::CustomerErased => "customer_erased",
            Self::RetentionDeleted => "retention_deleted",
        }
    }

    /// The action with this name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == raw)
    }
}

/// What an audit entry was done to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditTarget {
    /// `operator`, `invitation`, `widget` or `customer`.
    pub kind: String,
    /// Its id.
    pub id: String,
    /// Its name or address at the time.
    pub label: String,
}

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Its id: the cursor for the next page.
    pub id: Uuid,
    /// When.
    #[serde(with = "time")]
    pub at: DateTime<Utc>,
    /// What happened.
    pub action: AuditAction,
    /// Who did it (absent for an unknown person, such as a failed sign-in).
    pub actor: Option<OperatorRef>,
    /// What it was done to.
    pub target: Option<AuditTarget>,
    /// The address it came from.
    pub address: Option<String>,
    /// Facts, such as the old and new role. Never a password, token, link or message content.
    pub detail: serde_json::Value,
}

/// `GET /api/v1/audit` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditLog {
    /// A page of entries, newest first.
    pub entries: Vec<AuditEntry>,
}

/// `GET /api/v1/invitations` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationList {
    /// The pending invitations.
    pub invitations: Vec<Invitation>,
}

/// `GET /api/v1/me/signins` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInList {
    /// Most recently used first; the one asking is marked `current`.
    pub signins: Vec<SignIn>,
}

/// `GET /api/v1/operators` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamList {
    /// Oldest first.
    pub operators: Vec<TeamMember>,
}

/// `{"operator": ..}` answers of `PATCH /api/v1/operators/:id` and `…/make_owner`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OperatorEnvelope {
    /// The operator, as changed.
    pub operator: Operator,
}
