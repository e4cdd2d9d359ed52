//! What operations tools read: the readiness check's answer.

use serde::{Deserialize, Serialize};

/// `GET /readyz` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Readiness {
    /// `ready` or `unavailable`.
    pub status: ReadyStatus,
    /// What does not answer, when unavailable: `database`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Whether the server can take traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReadyStatus {
    /// The database answers.
    Ready,
    /// It does not.
    Unavailable,
}
