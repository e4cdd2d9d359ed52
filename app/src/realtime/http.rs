//! Requests from the browser, with the page's cookies and, for a customer, the widget token.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::client::window;

/// GET (no body) or POST (JSON body) with the page's cookies, and a bearer token when
/// given; the status and JSON body.
pub(super) async fn fetch_json(
    url: &str,
    body: Option<String>,
    bearer: Option<&str>,
) -> Result<(u16, serde_json::Value), JsValue> {
    let method = if body.is_some() { "POST" } else { "GET" };
    fetch_json_with(method, url, body, bearer).await
}

/// A request with `method` and an optional JSON body, the page's cookies, and a bearer
/// token when given; the status and JSON body.
pub async fn fetch_json_with(
    method: &str,
    url: &str,
    body: Option<String>,
    bearer: Option<&str>,
) -> Result<(u16, serde_json::Value), JsValue> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new()?;
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(&body));
        headers.set("content-type", "application/json")?;
    }
    if let Some(token) = bearer {
        headers.set("authorization", &format!("Bearer {token}"))?;
    }
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(url, &init)?;
    let response: web_sys::Response =
        wasm_bindgen_futures::JsFuture::from(window().fetch_with_request(&request))
            .await?
            .dyn_into()?;
    let status = response.status();
    let text = wasm_bindgen_futures::JsFuture::from(response.text()?)
        .await?
        .as_string()
        .unwrap_or_default();
    Ok((
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    ))
}
