//! Security headers and log redaction.

use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The guest pages: their URL carries the guest token.
const GUEST_PREFIX: &str = "/support/guest/";

/// The Content-Security-Policy, with the nonce of the response's inline scripts: only our own
/// scripts, the inline hydration scripts that carry the nonce, and our own wasm.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Adds the security headers to every response. Each request gets a fresh CSP nonce, which the
/// page render uses for its inline scripts (see `app::provide_server_context`). The guest kiosk
/// gets `no-referrer`, because its URL is its credential.
pub async fn headers(mut request: Request, next: Next) -> Response {
    let guest_page = request.uri().path().starts_with(GUEST_PREFIX);
    let nonce = switchboard::auth::csp_nonce();
    request
        .extensions_mut()
        .insert(app::CspNonce(nonce.clone()));
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
    if let Ok(policy) = HeaderValue::from_str(&content_security_policy(&nonce)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
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
