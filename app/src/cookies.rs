//! The operator's cookies: one name and one set of attributes each, for the REST API and the
//! server functions alike. Behind https they carry the `__Host-` prefix, which browsers accept
//! only with `Secure`, `Path=/` and no `Domain`, so no subdomain can plant or shadow them.

use axum::http::{header, HeaderMap, HeaderValue};
use switchboard::auth::Token;
use switchboard::Engine;

/// The session cookie's name over plain http.
pub const SESSION_COOKIE: &str = "switchboard_session";
/// The device cookie's name over plain http: a browser that signed in to an account before.
pub const DEVICE_COOKIE: &str = "switchboard_device";
/// How long a device cookie is kept.
const DEVICE_MAX_AGE_SECS: u64 = 365 * 24 * 3600;

fn secure(engine: &Engine) -> bool {
    engine.config().public_url.starts_with("https://")
}

/// The session cookie's name for this server: `__Host-switchboard_session` behind https.
pub fn session_cookie_name(engine: &Engine) -> String {
    prefixed(engine, SESSION_COOKIE)
}

fn prefixed(engine: &Engine, name: &str) -> String {
    if secure(engine) {
        format!("__Host-{name}")
    } else {
        name.to_owned()
    }
}

fn attributes(engine: &Engine) -> &'static str {
    if secure(engine) {
        "Path=/; HttpOnly; SameSite=Lax; Secure"
    } else {
        "Path=/; HttpOnly; SameSite=Lax"
    }
}

fn cookie(engine: &Engine, name: &str, value: &str, max_age: u64) -> HeaderValue {
    let value = format!(
        "{}={value}; Max-Age={max_age}; {}",
        prefixed(engine, name),
        attributes(engine)
    );
    // Values are base64url tokens or empty, so the header value is always valid.
    HeaderValue::from_str(&value).expect("a base64url token makes a valid header value")
}

/// `Set-Cookie` for a fresh sign-in.
pub fn session_cookie(engine: &Engine, token: &Token) -> HeaderValue {
    let max_age = engine.config().operator_session_ttl.as_secs();
    cookie(engine, SESSION_COOKIE, token.expose(), max_age)
}

/// The `Set-Cookie` values a successful sign-in sends: the session, and a device cookie when
/// the browser had no valid one.
pub fn signed_in_cookies(engine: &Engine, signed_in: &switchboard::SignedIn) -> Vec<HeaderValue> {
    let mut cookies = vec![session_cookie(engine, &signed_in.session)];
    if let Some(device) = &signed_in.new_device {
        cookies.push(device_cookie(engine, device));
    }
    cookies
}

/// `Set-Cookie` that removes the session cookie.
pub fn cleared_session_cookie(engine: &Engine) -> HeaderValue {
    cookie(engine, SESSION_COOKIE, "", 0)
}

/// `Set-Cookie` for a browser's new device token.
pub fn device_cookie(engine: &Engine, token: &Token) -> HeaderValue {
    cookie(engine, DEVICE_COOKIE, token.expose(), DEVICE_MAX_AGE_SECS)
}

fn read_cookie(headers: &HeaderMap, wanted: &str) -> Option<Token> {
    cookie_value(headers, wanted).map(Token::from_presented)
}

/// The value of the cookie `wanted` in a request's `Cookie` headers, when it has one.
pub fn cookie_value<'a>(headers: &'a HeaderMap, wanted: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == wanted && !value.is_empty())
        .map(|(_, value)| value)
}

/// The session token from a request's `Cookie` headers, if there is one.
pub fn session_token(engine: &Engine, headers: &HeaderMap) -> Option<Token> {
    read_cookie(headers, &prefixed(engine, SESSION_COOKIE))
}

/// The device token from a request's `Cookie` headers, if there is one.
pub fn device_token(engine: &Engine, headers: &HeaderMap) -> Option<Token> {
    read_cookie(headers, &prefixed(engine, DEVICE_COOKIE))
}
