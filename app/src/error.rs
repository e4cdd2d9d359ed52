//! The UI layer's error: what a server function answers when it fails.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use switchboard::wire::ErrorCode;

/// A failed server function: the contract's error code, and a message safe to show. The UI
/// shows a translated text for the code (see `components::ErrorText`), not the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    /// The contract's code.
    pub code: ErrorCode,
    /// A message in English, for logs and API clients.
    pub message: String,
}

impl AppError {
    /// An error with the given code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // Transport failures (offline, bad response) and decoding failures all land here.
        Self::new(ErrorCode::Internal, value.to_string())
    }
}

impl From<ServerFnErrorErr> for AppError {
    fn from(value: ServerFnErrorErr) -> Self {
        Self::from_server_fn_error(value)
    }
}

#[cfg(feature = "ssr")]
impl From<switchboard::Error> for AppError {
    fn from(err: switchboard::Error) -> Self {
        if let switchboard::Error::Internal(inner) = &err {
            tracing::error!(error = format!("{inner:#}"), "server function failed");
        }
        Self::new(err.code(), err.public_message())
    }
}

#[cfg(feature = "ssr")]
impl From<switchboard::domain::Invalid> for AppError {
    fn from(err: switchboard::domain::Invalid) -> Self {
        Self::new(ErrorCode::Invalid, err.to_string())
    }
}
