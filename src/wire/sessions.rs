//! Operators, sign-in, and remote-support sessions with their guest links.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::time;

/// An operator as the API shows one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Operator {
    /// The operator's id.
    pub id: Uuid,
    /// The sign-in address.
    pub email: String,
    /// The name shown to guests and colleagues.
    pub name: String,
    /// What the operator may do.
    #[serde(default)]
    pub role: Role,
    /// False once deactivated: they cannot sign in.
    #[serde(default = "yes")]
    pub active: bool,
    /// When they last used the product (sign-in or a request), if ever.
    #[serde(default, with = "time::option")]
    pub last_seen_at: Option<DateTime<Utc>>,
}

fn yes() -> bool {
    true
}

/// An operator's role. Exactly one operator is the owner.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything an admin may do, and handing over ownership; cannot be demoted or
    /// deactivated except by handing ownership over.
    Owner,
    /// Runs the team (never the owner), the settings, the widget secret and the audit log.
    Admin,
    /// Works sessions and conversations.
    #[default]
    Agent,
}

impl Role {
    /// The role's name on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Agent => "agent",
        }
    }

    /// The role with this name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "owner" => Some(Self::Owner),
            "admin" => Some(Self::Admin),
            "agent" => Some(Self::Agent),
            _ => None,
        }
    }
}

/// Where a support session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// No guest has joined yet.
    Waiting,
    /// A guest has joined.
    Active,
    /// An operator ended it, or its link expired.
    Ended,
}

/// How a remote-support session ended, as its operator reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SessionOutcome {
    /// The guest's problem was solved.
    Resolved,
    /// It was not.
    Unresolved,
    /// Nobody said (the session expired, or was ended without a report).
    Unknown,
}

impl SessionOutcome {
    /// Every outcome, in the order forms list them.
    pub const ALL: [Self; 3] = [Self::Resolved, Self::Unresolved, Self::Unknown];

    /// The outcome's name on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Resolved => "resolved",
            Self::Unresolved => "unresolved",
            Self::Unknown => "unknown",
        }
    }

    /// The outcome with this name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|outcome| outcome.as_str() == raw)
    }
}

/// A remote-support session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    /// The session's id.
    pub id: Uuid,
    /// The operator's title, if one was given.
    pub title: Option<String>,
    /// Waiting, active or ended.
    pub status: SessionStatus,
    /// The conversation the session owns.
    pub conversation_id: Uuid,
    /// When it was created.
    #[serde(with = "time")]
    pub created_at: DateTime<Utc>,
    /// When the current guest link stops working.
    #[serde(with = "time")]
    pub expires_at: DateTime<Utc>,
    /// When it ended: the moment an operator ended it, or its expiry.
    #[serde(with = "time::option")]
    pub ended_at: Option<DateTime<Utc>>,
    /// When a guest first connected.
    #[serde(default, with = "time::option")]
    pub joined_at: Option<DateTime<Utc>>,
    /// How it ended; `None` until it has.
    #[serde(default)]
    pub outcome: Option<SessionOutcome>,
    /// What the operator wrote when ending it, if anything.
    #[serde(default)]
    pub report: Option<String>,
}

/// `POST /api/v1/sessions/:id/end` body (optional): the session's report.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndSessionRequest {
    /// `resolved`, `unresolved` or `unknown`.
    pub outcome: Option<String>,
    /// Notes, up to 2,000 characters.
    #[serde(default)]
    pub report: Option<String>,
}

impl Session {
    /// Whether guests are cut off.
    pub fn is_ended(&self) -> bool {
        self.status == SessionStatus::Ended
    }
}

/// `POST /api/v1/auth/login` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    /// The sign-in address.
    pub email: String,
    /// The password.
    pub password: String,
}

/// `POST /api/v1/auth/login` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    /// Who signed in.
    pub operator: Operator,
}

/// `POST /api/v1/sessions` body.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateSessionRequest {
    /// An optional title.
    #[serde(default)]
    pub title: Option<String>,
}

/// A new guest link: returned on creation and on rotation, and never again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GuestLink {
    /// The raw token; the server keeps only its SHA-256.
    pub guest_token: String,
    /// The link to send to the guest.
    pub guest_url: String,
}

/// `POST /api/v1/sessions` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedSession {
    /// The new session.
    pub session: Session,
    /// Its guest link.
    #[serde(flatten)]
    pub link: GuestLink,
}

/// `{"session": ..}` answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionEnvelope {
    /// The session.
    pub session: Session,
}

/// `GET /api/v1/sessions` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionList {
    /// Newest first.
    pub sessions: Vec<Session>,
}
