//! The HTTP layer's error: the one place where failures become responses in the contract's shape.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use switchboard::wire::{ErrorBody, ErrorCode, ErrorDetail};

/// Everything an HTTP handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A use case refused or failed.
    #[error(transparent)]
    Engine(#[from] switchboard::Error),
    /// The body is not JSON of the expected shape.
    #[error("invalid JSON body: {0}")]
    BadBody(String),
    /// The body is over the size limit.
    #[error("the request body is too large")]
    TooLarge,
    /// A body that is not JSON where JSON is expected.
    #[error("send the body as application/json")]
    NotJson,
    /// An upload that is not `multipart/form-data`.
    #[error("send the file as multipart/form-data")]
    NotMultipart,
    /// A state-changing request from a page of another site.
    #[error("requests from this origin are not allowed")]
    CrossSite,
    /// The request did not arrive in time.
    #[error("the request took too long to arrive")]
    Timeout,
    /// No route here.
    #[error("no such endpoint")]
    NoRoute,
}

impl From<switchboard::domain::Invalid> for ApiError {
    fn from(invalid: switchboard::domain::Invalid) -> Self {
        Self::Engine(invalid.into())
    }
}

impl ApiError {
    /// The contract's code for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Engine(e) => e.code(),
            Self::BadBody(_) => ErrorCode::Invalid,
            Self::TooLarge => ErrorCode::PayloadTooLarge,
            Self::NotJson | Self::NotMultipart => ErrorCode::UnsupportedMediaType,
            Self::CrossSite => ErrorCode::Forbidden,
            Self::Timeout => ErrorCode::RequestTimeout,
            Self::NoRoute => ErrorCode::NotFound,
        }
    }

    fn public_message(&self) -> String {
        match self {
            Self::Engine(e) => e.public_message(),
            other => other.to_string(),
        }
    }
}

/// The error body and status for `code` and `message`, as every error response carries them.
pub fn error_response(code: ErrorCode, message: String) -> Response {
    body_response(ErrorBody {
        error: ErrorDetail { code, message },
        messages: None,
    })
}

fn body_response(body: ErrorBody) -> Response {
    let status = StatusCode::from_u16(body.error.code.http_status())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(body)).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Engine(switchboard::Error::Internal(err)) = &self {
            tracing::error!(error = format!("{err:#}"), "request failed");
        }
        let messages = match &self {
            Self::Engine(switchboard::Error::Collision(messages)) => Some(messages.clone()),
            _ => None,
        };
        let mut response = body_response(ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: self.public_message(),
            },
            messages,
        });
        if let Self::Engine(switchboard::Error::RateLimited { retry_after_secs }) = &self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
        }
        response
    }
}
