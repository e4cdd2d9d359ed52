//! Security headers and log redaction.

use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The guest pages: their URL carries the guest token.
const GUEST_PREFIX: &str = "/support/guest/";

/// The Content-Security-Policy for every response. Pages may replace it with a stricter,
/// per-response one (see `app::csp`); this is the floor for everything else.
pub const DEFAULT_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
     object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Adds the security headers to every response. The guest kiosk gets `no-referrer`, because its
/// URL is its credential.
pub async fn headers(request: Request, next: Next) -> Response {
    let guest_page = request.uri().path().starts_with(GUEST_PREFIX);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let referrer = if guest_page {
        "no-referrer"
    } else {
        "strict-origin-when-cross-origin"
    };
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static(referrer));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DEFAULT_CSP),
        );
    }
    if guest_page {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The request path as it may be logged: guest tokens replaced by `[redacted]`, query strings
/// (which may carry `guest_token`) dropped.
pub fn loggable_path(path: &str) -> String {
    match path.strip_prefix(GUEST_PREFIX) {
        Some(rest) => {
            let tail = rest.find('/').map(|i| &rest[i..]).unwrap_or("");
            format!("{GUEST_PREFIX}[redacted]{tail}")
        }
        None => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guest_tokens_never_reach_the_log() {
        assert_eq!(
            loggable_path("/support/guest/abcDEF123"),
            "/support/guest/[redacted]"
        );
        assert_eq!(
            loggable_path("/support/guest/abcDEF123/messages"),
            "/support/guest/[redacted]/messages"
        );
        assert_eq!(loggable_path("/api/v1/sessions"), "/api/v1/sessions");
    }
}
