//! The security middleware: the client's address, cross-site write refusal, body size and time
//! limits, security headers, and log redaction.

use std::net::{IpAddr, SocketAddr};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use switchboard::domain::ClientNetwork;
use switchboard::wire::ErrorCode;

use crate::error::{error_response, ApiError};
use crate::origin::origin_allowed;
use crate::settings::IpNet;
use crate::state::AppState;

/// The guest pages: their URL carries the guest token.
const GUEST_PREFIX: &str = "/support/guest/";
/// Where server functions (and, under `/api/v1/`, the REST API) live.
pub const API_PREFIX: &str = "/api/";
/// Where the REST API lives.
const REST_PREFIX: &str = "/api/v1/";

/// The largest request body accepted (JSON bodies and forms).
pub const BODY_LIMIT: usize = 64 * 1024;

/// The Content-Security-Policy, with the nonce of the response's inline scripts: only our own
/// scripts, the inline hydration scripts that carry the nonce, and our own wasm. Images may be
/// `blob:` URLs: a customer's files come with a bearer token that an `<img src>` cannot carry.
/// `frame_ancestors` is `'none'` for every page but the widget's iframe page, which the
/// embedding origins may frame.
pub fn content_security_policy(nonce: &str, frame_ancestors: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; \
         media-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors {frame_ancestors}"
    )
}

/// The widget's iframe page: with the launcher page, the pages other sites may frame.
pub const WIDGET_PAGE: &str = "/widget";
/// The widget's launcher page (`widget_assets`), framed by the loader like the widget page.
pub const WIDGET_LAUNCHER_PAGE: &str = "/embed/launcher";

/// The `frame-ancestors` sources for the widget page: the embedding origins, or `*`.
pub fn widget_frame_ancestors(embed_origins: &[String]) -> String {
    if embed_origins.iter().any(|o| o == "*") {
        "*".to_owned()
    } else {
        embed_origins.join(" ")
    }
}

/// The client's address: the peer, or, when the peer is a trusted proxy, the nearest address in
/// `X-Forwarded-For` that is not itself a trusted proxy (the left-most entries can be forged by
/// the client; the ones our proxies appended cannot).
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| part.trim().parse().ok())
        .collect();
    forwarded
        .iter()
        .rev()
        .find(|ip| !is_trusted(**ip))
        .or(forwarded.first())
        .copied()
        .unwrap_or(peer)
}

/// Whether a state-changing request comes from a page of another site: its `Origin` is neither
/// ours nor an allowed one, or, without `Origin`, the browser says `Sec-Fetch-Site: cross-site`.
/// Clients that are not browsers send neither and pass.
pub fn cross_site_write(
    method: &Method,
    headers: &HeaderMap,
    public_origin: &str,
    allowed: &[String],
) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let fetch_site = headers.get("sec-fetch-site").map(|v| v.as_bytes());
    if let Some(origin) = headers.get(header::ORIGIN) {
        // A form posted from a page with `Referrer-Policy: no-referrer` (every link page) says
        // `Origin: null` in Chromium and Firefox alike; their `Sec-Fetch-Site` still tells
        // whether it came from one of our own pages.
        if origin.as_bytes() == b"null" {
            return !fetch_site.is_some_and(|site| site.eq_ignore_ascii_case(b"same-origin"));
        }
        return !origin
            .to_str()
            .is_ok_and(|o| origin_allowed(o, public_origin, allowed));
    }
    fetch_site.is_some_and(|site| site.eq_ignore_ascii_case(b"cross-site"))
}

/// Forms whose only credential is the link in their own address (a reply email's unsubscribe
/// link): no cookie rides along, so a post from an opaque origin (`Origin: null`, from a
/// browser that sends no `Sec-Fetch-Site`) can do nothing that the link's holder could not.
const LINK_FORM_PREFIXES: [&str; 3] = [
    "/email/unsubscribe/",
    "/email/resubscribe/",
    "/email/confirm/",
];

/// Whether a refused cross-site write is in fact an opaque-origin post to a link form.
fn opaque_post_to_link_form(path: &str, headers: &HeaderMap) -> bool {
    headers
        .get(header::ORIGIN)
        .is_some_and(|origin| origin.as_bytes() == b"null")
        && LINK_FORM_PREFIXES
            .iter()
            .any(|prefix| path.starts_with(prefix))
}

/// Whether the request is a browser loading a page or posting a form, as opposed to a script's
/// `fetch` or another program: its answer is shown to a person as it is.
fn is_navigation(headers: &HeaderMap) -> bool {
    match headers.get("sec-fetch-mode") {
        Some(mode) => mode.as_bytes().eq_ignore_ascii_case(b"navigate"),
        None => headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html")),
    }
}

/// The page a form's error leads back to: an unsubscribe link's page for its two forms.
fn way_back(path: &str, locale: app::i18n::Locale) -> Option<String> {
    let link = LINK_FORM_PREFIXES
        .iter()
        .find_map(|prefix| path.strip_prefix(prefix))?;
    let link = path_segment(link);
    Some(format!(
        "/email/unsubscribe/{link}?lang={}",
        app::error_page::tag(locale)
    ))
}

/// Characters a path segment keeps as they are: RFC 3986's unreserved ones.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `raw` made safe to stand as one segment of a path in a `Location` or a link: a link token as
/// it came in (decoded, so possibly with `/`, CR or LF) cannot split the path or the header.
pub fn path_segment(raw: &str) -> String {
    percent_encoding::utf8_percent_encode(raw, SEGMENT).collect()
}

/// The language of a person's browser when the request is one whose error a person reads as it
/// is: a navigation outside `/api/`. `None` for scripts, programs and the API.
fn reader_of(path: &str, headers: &HeaderMap, query: Option<&str>) -> Option<app::i18n::Locale> {
    (!path.starts_with(API_PREFIX) && is_navigation(headers))
        .then(|| app::error_page::request_locale(headers, query))
}

/// An error answered in the contract's JSON shape to a person's navigation (a form without
/// script) becomes the error page, in `locale`, with the same status and headers: a person never
/// sees raw JSON.
async fn error_page_for_a_person(
    response: Response,
    path: &str,
    locale: app::i18n::Locale,
    options: &leptos::config::LeptosOptions,
) -> Response {
    let is_json_error = (response.status().is_client_error()
        || response.status().is_server_error())
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !is_json_error {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let code = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .ok()
        .and_then(|bytes| serde_json::from_slice::<switchboard::wire::ErrorBody>(&bytes).ok())
        .map_or(ErrorCode::Internal, |body| body.error.code);
    let page = app::error_page::error_document(
        options,
        locale,
        app::error_page::Problem::Code(code),
        way_back(path, locale).as_deref(),
    );
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(page))
}

/// Over `limit` by its declared length.
fn declared_too_large(headers: &HeaderMap, limit: u64) -> bool {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > limit)
}

/// The guarding middleware, outermost of ours: works out the client's address, refuses
/// cross-site writes and oversized bodies, answers 408 when a request takes longer than the
/// request timeout, gives server-function errors their statuses, and adds the security
/// headers. Each request gets a fresh CSP nonce, which the page render uses for its inline
/// scripts (see `app::provide_server_context`).
pub async fn guard(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let settings = &state.settings;
    let path = request.uri().path().to_owned();
    let reader = reader_of(&path, request.headers(), request.uri().query());
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    if let Some(peer) = peer {
        let ip = client_ip(peer, request.headers(), &settings.trusted_proxies);
        request
            .extensions_mut()
            .insert(app::ClientIp(ip.to_string()));
        // What the limits count, worked out once for every door that needs it.
        request.extensions_mut().insert(ClientNetwork::of(ip));
    }
    let (body_limit, timeout) = crate::uploads::allowance(settings, request.method(), &path)
        .unwrap_or((BODY_LIMIT as u64, settings.request_timeout));
    let refused = if cross_site_write(
        request.method(),
        request.headers(),
        &settings.public_origin,
        &settings.allowed_origins,
    ) && !opaque_post_to_link_form(&path, request.headers())
    {
        Some(ApiError::CrossSite)
    } else if declared_too_large(request.headers(), body_limit) {
        Some(ApiError::TooLarge)
    } else {
        None
    };
    let nonce = switchboard::auth::csp_nonce();
    let mut response = match refused {
        Some(error) => error.into_response(),
        None => {
            request
                .extensions_mut()
                .insert(app::CspNonce(nonce.clone()));
            let is_server_fn = path.starts_with(API_PREFIX) && !path.starts_with(REST_PREFIX);
            let run = async move {
                let request = match is_server_fn {
                    true => read_whole(request).await?,
                    false => request,
                };
                Ok::<_, ApiError>(next.run(request).await)
            };
            match tokio::time::timeout(timeout, run).await {
                Ok(Ok(response)) => response,
                Ok(Err(error)) => error.into_response(),
                Err(_) => ApiError::Timeout.into_response(),
            }
        }
    };
    if path.starts_with(API_PREFIX) && !path.starts_with(REST_PREFIX) {
        response = server_function_status(response).await;
    }
    if let Some(locale) = reader {
        response = error_page_for_a_person(response, &path, locale, &state.site.options).await;
    }
    let frame_ancestors = if path == WIDGET_PAGE || path == WIDGET_LAUNCHER_PAGE {
        widget_frame_ancestors(&settings.widget.embed_origins)
    } else {
        "'none'".to_owned()
    };
    add_headers(
        &mut response,
        &path,
        &nonce,
        &frame_ancestors,
        settings.secure_cookies(),
    );
    response
}

/// Reads a server function's body whole, up to [`BODY_LIMIT`]: a chunked body (no
/// `Content-Length`) shows its size only as it is read, and Leptos would answer one past the
/// limit with a 500. Server functions take small forms, so holding one whole costs little.
async fn read_whole(request: Request) -> Result<Request, ApiError> {
    use http_body_util::{BodyExt as _, LengthLimitError, Limited};
    let (parts, body) = request.into_parts();
    let bytes = match Limited::new(body, BODY_LIMIT).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(err) if err.is::<LengthLimitError>() => return Err(ApiError::TooLarge),
        Err(err) => {
            return Err(ApiError::BadBody(format!(
                "the body could not be read: {err}"
            )))
        }
    };
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// Server functions answer every error with 500 and the error in the body; give the response
/// the status of the error's code instead, so clients and proxies see 401, 404 or 413.
async fn server_function_status(response: Response) -> Response {
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return error_response(ErrorCode::Internal, "internal error".to_owned());
    };
    if let Ok(error) = serde_json::from_slice::<app::error::AppError>(&bytes) {
        if let Ok(status) = StatusCode::from_u16(error.code.http_status()) {
            parts.status = status;
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn add_headers(
    response: &mut Response,
    path: &str,
    nonce: &str,
    frame_ancestors: &str,
    https: bool,
) {
    // Pages whose URL holds a credential: nothing of it may leak or be cached.
    let link_page = SECRET_SEGMENT_PREFIXES
        .iter()
        .any(|prefix| path.starts_with(prefix));
    let response_ok = response.status().is_success();
    let headers = response.headers_mut();
    let referrer = if link_page {
        "no-referrer"
    } else {
        "strict-origin-when-cross-origin"
    };
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static(referrer));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // X-Frame-Options cannot name several origins; the widget page relies on CSP alone.
    if frame_ancestors == "'none'" {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    headers.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    // A response that set its own policy (the demo host page) keeps it.
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        if let Ok(policy) = HeaderValue::from_str(&content_security_policy(nonce, frame_ancestors))
        {
            headers.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
    }
    // Link pages carry their token in the URL, and API answers can carry tokens and messages;
    // a file download says itself how it may be kept (`private`).
    if (link_page || path.starts_with(API_PREFIX)) && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    // A file whose name carries its content's hash never changes under that name.
    if hashed_asset(path) && response_ok {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    }
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
}

/// Whether `path` names a built file with a content hash in its name, as a release build
/// writes them: `/pkg/switchboard.<hash>.wasm` (and `.js`, `.css`).
fn hashed_asset(path: &str) -> bool {
    let Some(file) = path.strip_prefix("/pkg/") else {
        return false;
    };
    let mut parts = file.split('.');
    let (Some(stem), Some(hash), Some(ext), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    !stem.is_empty()
        && !stem.contains('/')
        && hash.len() >= 8
        && hash
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && matches!(ext, "wasm" | "js" | "css")
}

/// Paths whose next segment is a credential: a guest link, a reply email's chat link, its
/// unsubscribe link.
const SECRET_SEGMENT_PREFIXES: [&str; 4] = [
    GUEST_PREFIX,
    "/chat/",
    "/email/unsubscribe/",
    "/email/resubscribe/",
];

/// The request path as it may be logged: link tokens replaced by `[redacted]`, query strings
/// (which may carry `guest_token`) dropped.
pub fn loggable_path(path: &str) -> String {
    for prefix in SECRET_SEGMENT_PREFIXES {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map(|i| &rest[i..]).unwrap_or("");
            return format!("{prefix}[redacted]{tail}");
        }
    }
    path.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_content_hashed_built_files_count_as_immutable() {
        assert!(hashed_asset("/pkg/switchboard.ZtCq7CMWmpA8DVIGp-tEhw.wasm"));
        assert!(hashed_asset("/pkg/switchboard.b3Ag9_xK2q1Lm0Pz.css"));
        assert!(!hashed_asset("/pkg/switchboard.wasm"), "an unhashed name");
        assert!(
            !hashed_asset("/pkg/switchboard.short.js"),
            "too short for a hash"
        );
        assert!(
            !hashed_asset("/pkg/snippets/x.ZtCq7CMWmpA8DVIG.js"),
            "a snippet"
        );
        assert!(
            !hashed_asset("/widget.ZtCq7CMWmpA8DVIG.js"),
            "outside /pkg/"
        );
        assert!(!hashed_asset("/pkg/switchboard.ZtCq7CMWmpA8DVIG.html"));
    }

    #[test]
    fn guest_and_email_link_tokens_never_reach_the_log() {
        assert_eq!(
            loggable_path("/support/guest/abcDEF123"),
            "/support/guest/[redacted]"
        );
        assert_eq!(
            loggable_path("/support/guest/abcDEF123/messages"),
            "/support/guest/[redacted]/messages"
        );
        assert_eq!(loggable_path("/api/v1/sessions"), "/api/v1/sessions");
        assert_eq!(loggable_path("/chat/Y2hhdA"), "/chat/[redacted]");
        assert_eq!(
            loggable_path("/email/unsubscribe/dW5zdWI"),
            "/email/unsubscribe/[redacted]"
        );
    }

    fn forwarded(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", value.parse().unwrap());
        headers
    }

    #[test]
    fn the_client_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy() {
        let proxies = vec![IpNet::parse("10.0.0.0/8").unwrap()];
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let stranger: IpAddr = "203.0.113.9".parse().unwrap();
        let headers = forwarded("1.1.1.1, 198.51.100.7, 10.0.0.5");
        // Behind our proxies: the nearest address they did not add themselves.
        assert_eq!(
            client_ip(proxy, &headers, &proxies),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        // Anyone else's header is ignored.
        assert_eq!(client_ip(stranger, &headers, &proxies), stranger);
        assert_eq!(client_ip(proxy, &HeaderMap::new(), &proxies), proxy);
    }

    #[test]
    fn writes_from_other_sites_are_refused_and_reads_and_non_browsers_pass() {
        let allowed = vec!["https://partner.example".to_owned()];
        let public = "https://support.example.com";
        let with = |name: &str, value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
            headers
        };
        let post = Method::POST;
        assert!(cross_site_write(
            &post,
            &with("origin", "https://evil.example"),
            public,
            &allowed
        ));
        assert!(cross_site_write(
            &post,
            &with("sec-fetch-site", "cross-site"),
            public,
            &allowed
        ));
        assert!(!cross_site_write(
            &post,
            &with("origin", public),
            public,
            &allowed
        ));
        assert!(!cross_site_write(
            &post,
            &with("origin", "https://partner.example"),
            public,
            &allowed
        ));
        assert!(!cross_site_write(
            &post,
            &HeaderMap::new(),
            public,
            &allowed
        ));
        assert!(!cross_site_write(
            &Method::GET,
            &with("origin", "https://evil.example"),
            public,
            &allowed
        ));
    }
    #[test]
    fn an_opaque_origin_passes_only_from_our_own_pages_or_to_a_link_form() {
        let public = "https://support.example.com";
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, value.parse().unwrap());
            }
            map
        };
        let post = Method::POST;
        let own_page = headers(&[("origin", "null"), ("sec-fetch-site", "same-origin")]);
        assert!(!cross_site_write(&post, &own_page, public, &[]));
        for site in ["cross-site", "same-site", "none"] {
            let other = headers(&[("origin", "null"), ("sec-fetch-site", site)]);
            assert!(cross_site_write(&post, &other, public, &[]), "{site}");
        }
        let bare = headers(&[("origin", "null")]);
        assert!(cross_site_write(&post, &bare, public, &[]));
        assert!(opaque_post_to_link_form("/email/unsubscribe/abc", &bare));
        assert!(opaque_post_to_link_form("/email/resubscribe/abc", &bare));
        assert!(!opaque_post_to_link_form("/api/v1/sessions", &bare));
        let foreign = headers(&[("origin", "https://evil.example")]);
        assert!(!opaque_post_to_link_form(
            "/email/unsubscribe/abc",
            &foreign
        ));
    }
}
