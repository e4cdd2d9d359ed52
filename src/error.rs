//! The engine's error type: what a use case can answer besides success.

use crate::domain::Invalid;
use crate::wire::ErrorCode;

/// Everything a use case can fail with. Each variant maps to one code of the contract; the
/// `Internal` details are for the log only.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A field failed validation.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// No or bad credentials. The message is deliberately the same for every cause.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// Authenticated, but not allowed.
    #[error("{0}")]
    Forbidden(&'static str),
    /// An unknown id or token; names what was not found.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The support session has ended or its link has expired.
    #[error("this support session has ended")]
    Gone,
    /// A one-time link (an invitation, a password reset) was used, revoked or has expired;
    /// says which.
    #[error("{0}")]
    LinkGone(&'static str),
    /// A state conflict the caller can resolve.
    #[error("{0}")]
    Conflict(String),
    /// The collision guard: others wrote these messages since the sender's view, so nothing
    /// was stored.
    #[error("new messages arrived since you started writing; read them, then send again")]
    Collision(Vec<crate::wire::Message>),
    /// A file or a conversation's files over their limit; says which.
    #[error("{0}")]
    TooLarge(String),
    /// A file of a kind this server does not accept; says which it does.
    #[error("{0}")]
    UnsupportedType(String),
    /// Too many attempts; try again after the given number of seconds.
    #[error("too many attempts, try again in {retry_after_secs} seconds")]
    RateLimited {
        /// Seconds until the next attempt may succeed.
        retry_after_secs: u64,
    },
    /// Anything else. Never shown to the client; its cause is in its text, for the log.
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl Error {
    /// The contract's code for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Invalid(_) => ErrorCode::Invalid,
            Self::Unauthorized(_) => ErrorCode::Unauthorized,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::Gone | Self::LinkGone(_) => ErrorCode::Gone,
            Self::Conflict(_) | Self::Collision(_) => ErrorCode::Conflict,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::TooLarge(_) => ErrorCode::PayloadTooLarge,
            Self::UnsupportedType(_) => ErrorCode::UnsupportedMediaType,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The message that is safe to show to the client.
    pub fn public_message(&self) -> String {
        match self {
            Self::Internal(_) => "something went wrong on our side".to_owned(),
            other => other.to_string(),
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(anyhow::Error::new(err).context("database"))
    }
}

impl From<crate::store::Refusal> for Error {
    fn from(refusal: crate::store::Refusal) -> Self {
        match refusal {
            // A replaced link stops at once, for sockets opened with it too.
            crate::store::Refusal::LinkReplaced => Self::NotFound("guest link"),
            crate::store::Refusal::Ended => Self::Gone,
        }
    }
}

impl From<crate::store::Corrupt> for Error {
    fn from(err: crate::store::Corrupt) -> Self {
        Self::Internal(anyhow::Error::new(err))
    }
}
