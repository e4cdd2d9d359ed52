//! The operator's session cookie: one name, one set of attributes, for the REST API and the
//! server functions alike.

use axum::http::{header, HeaderMap, HeaderValue};
use switchboard::auth::Token;
use switchboard::Engine;

/// The cookie's name.
pub const SESSION_COOKIE: &str = "switchboard_session";

fn attributes(engine: &Engine) -> &'static str {
    if engine.config().public_url.starts_with("https://") {
        "Path=/; HttpOnly; SameSite=Lax; Secure"
    } else {
        "Path=/; HttpOnly; SameSite=Lax"
    }
}

/// `Set-Cookie` for a fresh sign-in.
pub fn session_cookie(engine: &Engine, token: &Token) -> HeaderValue {
    let max_age = engine.config().operator_session_ttl.as_secs();
    let value = format!(
        "{SESSION_COOKIE}={}; Max-Age={max_age}; {}",
        token.expose(),
        attributes(engine)
    );
    // A token is base64url, so the header value is always valid.
    HeaderValue::from_str(&value).expect("a base64url token makes a valid header value")
}

/// `Set-Cookie` that removes the session cookie.
pub fn cleared_session_cookie(engine: &Engine) -> HeaderValue {
    let value = format!("{SESSION_COOKIE}=; Max-Age=0; {}", attributes(engine));
    HeaderValue::from_str(&value).expect("a constant makes a valid header value")
}

/// The session token from a request's `Cookie` headers, if there is one.
pub fn session_token(headers: &HeaderMap) -> Option<Token> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == SESSION_COOKIE && !value.is_empty())
        .map(|(_, value)| Token::from_presented(value))
}
