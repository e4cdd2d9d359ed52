//! The widget's static parts: the loader that host pages embed (`/widget.js`), and a demo host
//! page that embeds it the way a customer's site would (`/widget/demo`), under a strict CSP.

use std::sync::LazyLock;

use app::CspNonce;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};

use crate::state::AppState;

/// The loader's source: one script, kept in parts by what they do (read in this order, they are
/// the body of one function, sharing its variables).
pub const LOADER: &str = concat!(
    include_str!("widget_assets/loader/protocol.js"), // the postMessage contract and the API
    include_str!("widget_assets/loader/state.js"), // the script tag, storage, posting to the iframe
    include_str!("widget_assets/loader/launcher.js"), // drawing the launcher and its badge
    include_str!("widget_assets/loader/counter.js"), // the launcher's look and unread count
    include_str!("widget_assets/loader/frame.js"), // the chat's iframe, mounted on intent
    include_str!("widget_assets/loader/api.js"),   // window.Switchboard and the start
);
const DEMO_PAGE: &str = include_str!("widget_assets/demo.html");
const DEMO_SCRIPT: &str = include_str!("widget_assets/demo.js");
const DEMO_STYLE: &str = include_str!("widget_assets/demo.css");
const LAUNCHER_PAGE: &str = include_str!("widget_assets/launcher.html");

/// The demo page's policy: what a careful host site allows, only `script-src` and `frame-src`
/// naming Switchboard (here the same origin), no inline script or style at all.
const DEMO_POLICY: &str = "default-src 'self'; script-src 'self'; frame-src 'self'; \
                           style-src 'self'; img-src 'self' data:; object-src 'none'; \
                           base-uri 'none'; frame-ancestors 'none'";

/// The routes of the loader and the demo host page.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/widget.js", get(loader))
        .route(crate::security::WIDGET_LAUNCHER_PAGE, get(launcher_page))
        .route("/widget/demo", get(demo_page))
        .route("/widget/demo.js", get(demo_script))
        .route("/widget/demo.css", get(demo_style))
}

/// A strong validator for a body: FNV-1a over its bytes, stable across builds of the same text.
fn etag_of(body: &str) -> String {
    let hash = body.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("\"{hash:016x}\"")
}

static LOADER_ETAG: LazyLock<String> = LazyLock::new(|| etag_of(LOADER));

/// Serves `body` with a validator: a repeat visit revalidates and gets 304 without the body.
fn cached(
    request: &HeaderMap,
    body: &'static str,
    etag: &str,
    content_type: &'static str,
    max_age_secs: u32,
) -> Response {
    let fresh = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        body.into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(etag) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, etag);
    }
    if let Ok(cache) = HeaderValue::from_str(&format!(
        "public, max-age={max_age_secs}, stale-while-revalidate=86400"
    )) {
        headers.insert(header::CACHE_CONTROL, cache);
    }
    response
}

async fn loader(request: HeaderMap) -> Response {
    let mut response = cached(
        &request,
        LOADER,
        &LOADER_ETAG,
        "text/javascript; charset=utf-8",
        3600,
    );
    // Host pages of any origin load it with a plain <script>, including ones that isolate
    // themselves with Cross-Origin-Embedder-Policy.
    response.headers_mut().insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("cross-origin"),
    );
    response
}

/// The page the loader frames to reach the launcher endpoint from any host page: its script
/// carries this response's CSP nonce (the security guard's policy, with the widget page's
/// `frame-ancestors`).
async fn launcher_page(Extension(CspNonce(nonce)): Extension<CspNonce>) -> Response {
    let page = LAUNCHER_PAGE.replace("{{NONCE}}", &nonce);
    let mut response = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The demo page loading the widget from `switchboard` (empty: this same origin), under a
/// policy that allows only that origin's scripts and frames.
fn demo_page_from(switchboard: &str) -> Response {
    let page = DEMO_PAGE.replace("{{SWITCHBOARD}}", switchboard);
    let policy = if switchboard.is_empty() {
        DEMO_POLICY.to_owned()
    } else {
        DEMO_POLICY
            .replace(
                "script-src 'self'",
                &format!("script-src 'self' {switchboard}"),
            )
            .replace("frame-src 'self'", &format!("frame-src {switchboard}"))
    };
    let mut response = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response();
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

async fn demo_page() -> Response {
    demo_page_from("")
}

/// The demo shop on an address of its own (`SWITCHBOARD_DEMO_ADDR`): the demo page at `/`,
/// embedding the widget from `public_url`, another origin, as a customer's site would.
pub fn demo_shop(public_url: &str) -> Router {
    let origin = crate::origin::origin_of(public_url);
    Router::new()
        .route("/", get(move || async move { demo_page_from(&origin) }))
        .route("/widget/demo.js", get(demo_script))
        .route("/widget/demo.css", get(demo_style))
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
}

async fn demo_script(request: HeaderMap) -> Response {
    static ETAG: LazyLock<String> = LazyLock::new(|| etag_of(DEMO_SCRIPT));
    cached(
        &request,
        DEMO_SCRIPT,
        &ETAG,
        "text/javascript; charset=utf-8",
        300,
    )
}

async fn demo_style(request: HeaderMap) -> Response {
    static ETAG: LazyLock<String> = LazyLock::new(|| etag_of(DEMO_STYLE));
    cached(&request, DEMO_STYLE, &ETAG, "text/css; charset=utf-8", 300)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loader_is_plain_small_javascript() {
        // It draws the launcher too (issue 24); most of it is the protocol's comment.
        assert!(LOADER.len() < 20 * 1024, "{} bytes", LOADER.len());
        assert!(!LOADER.contains("eval("));
        assert!(!LOADER.contains("innerHTML"));
        assert!(!LOADER.contains("setAttribute(\"style\""));
    }

    #[test]
    fn an_etag_changes_with_the_body_and_only_then() {
        assert_eq!(etag_of("a"), etag_of("a"));
        assert_ne!(etag_of("a"), etag_of("b"));
    }
}
