//! Requests from the browser, with the page's cookies and, for a customer, the widget token.
//! Bodies go out and come back as the contract's wire types.

use serde::de::DeserializeOwned;
use serde::Serialize;
use switchboard::wire::{ErrorBody, ErrorCode};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::window;

/// No request body, for [`request`].
pub const NO_BODY: Option<&()> = None;

/// A server's answer: its status and body.
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    body: String,
}

impl Answer {
    /// The body as `T`, when it is one.
    pub fn json<T: DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_str(&self.body).ok()
    }

    /// The contract's error code of a refusal, when the body is an error body.
    pub fn error_code(&self) -> Option<ErrorCode> {
        self.json::<ErrorBody>().map(|body| body.error.code)
    }
}

/// A request with `method` and an optional JSON body, the page's cookies, and a bearer token
/// when given.
pub async fn request<B: Serialize + ?Sized>(
    method: &str,
    url: &str,
    body: Option<&B>,
    bearer: Option<&str>,
) -> Result<Answer, JsValue> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new()?;
    if let Some(body) = body {
        let json = serde_json::to_string(body).expect("wire types serialize");
        init.set_body(&JsValue::from_str(&json));
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
    let body = wasm_bindgen_futures::JsFuture::from(response.text()?)
        .await?
        .as_string()
        .unwrap_or_default();
    Ok(Answer { status, body })
}
