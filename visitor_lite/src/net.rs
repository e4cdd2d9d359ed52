//! Talking to the server: JSON requests over `XMLHttpRequest`, and the frames the client sends
//! on its socket, written with the browser's `JSON.stringify`.

use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::XmlHttpRequest;

use crate::dom;

/// A JSON object under construction.
pub struct Fields(Object);

impl Fields {
    /// An empty object.
    pub fn new() -> Self {
        Self(Object::new())
    }

    /// Sets `key` to a string.
    pub fn text(self, key: &str, value: &str) -> Self {
        self.value(key, &JsValue::from_str(value))
    }

    /// Sets `key` to a number.
    pub fn number(self, key: &str, value: f64) -> Self {
        self.value(key, &JsValue::from_f64(value))
    }

    /// Sets `key` to a list of strings (left out when empty, as the contract's senders do).
    pub fn texts(self, key: &str, values: &[String]) -> Self {
        if values.is_empty() {
            return self;
        }
        let list: Array = values.iter().map(|v| JsValue::from_str(v)).collect();
        self.value(key, &list)
    }

    /// Sets `key` to `value`.
    pub fn value(self, key: &str, value: &JsValue) -> Self {
        let _ = Reflect::set(&self.0, &JsValue::from_str(key), value);
        self
    }

    /// The object itself (to post to another window, which copies it).
    pub fn object(&self) -> &Object {
        &self.0
    }

    /// The object as JSON text.
    pub fn json(&self) -> String {
        JSON::stringify(&self.0)
            .map(String::from)
            .unwrap_or_else(|_| "{}".into())
    }
}

impl Default for Fields {
    fn default() -> Self {
        Self::new()
    }
}

/// A socket frame of `kind` with `fields`.
pub fn frame(kind: &str, fields: Fields) -> String {
    fields.text("type", kind).json()
}

/// An answer: its status (0 when the request never got one) and its body.
pub struct Answer {
    /// The HTTP status, or 0 for a network failure.
    pub status: u16,
    /// The body as text.
    pub body: String,
}

/// Sends a request with an optional JSON body and bearer credential, and hands its answer to
/// `done`.
pub fn request(
    method: &str,
    url: &str,
    bearer: Option<&str>,
    body: Option<String>,
    done: impl FnOnce(Answer) + 'static,
) {
    let Ok(xhr) = XmlHttpRequest::new() else {
        done(Answer {
            status: 0,
            body: String::new(),
        });
        return;
    };
    if xhr.open(method, url).is_err() {
        done(Answer {
            status: 0,
            body: String::new(),
        });
        return;
    }
    if let Some(token) = bearer {
        let _ = xhr.set_request_header("authorization", &format!("Bearer {token}"));
    }
    if body.is_some() {
        let _ = xhr.set_request_header("content-type", "application/json");
    }
    let handle = xhr.clone();
    let finished = Closure::once_into_js(move || {
        done(Answer {
            status: handle.status().unwrap_or(0),
            body: handle.response_text().ok().flatten().unwrap_or_default(),
        });
    });
    xhr.set_onloadend(Some(finished.unchecked_ref()));
    // Failures arrive as `loadend` with status 0; `send` itself only throws on misuse.
    let _ = match body {
        Some(body) => xhr.send_with_opt_str(Some(&body)),
        None => xhr.send(),
    };
}

/// Downloads `url` with the bearer credential a link cannot carry, and hands `done` a blob URL
/// of it (`None` when it could not be had). The caller revokes it when done with it.
pub fn fetch_blob(url: &str, bearer: &str, done: impl FnOnce(Option<String>) + 'static) {
    let Some(xhr) = XmlHttpRequest::new()
        .ok()
        .filter(|x| x.open("GET", url).is_ok())
    else {
        done(None);
        return;
    };
    let _ = xhr.set_request_header("authorization", &format!("Bearer {bearer}"));
    xhr.set_response_type(web_sys::XmlHttpRequestResponseType::Blob);
    let handle = xhr.clone();
    let finished = Closure::once_into_js(move || {
        let blob = (handle.status().unwrap_or(0) == 200)
            .then(|| handle.response().ok())
            .flatten()
            .and_then(|body| body.dyn_into::<web_sys::Blob>().ok());
        done(blob.and_then(|blob| web_sys::Url::create_object_url_with_blob(&blob).ok()));
    });
    xhr.set_onloadend(Some(finished.unchecked_ref()));
    let _ = xhr.send();
}

/// How long to wait before the attempt after `attempt` failures in a row: `first_ms`, doubling
/// up to 30 s, with jitter so that many browsers do not come back at the same moment.
pub fn backoff_ms(attempt: u32, first_ms: f64) -> f64 {
    let step = (first_ms * 2f64.powi(attempt.min(16) as i32)).min(30_000.0);
    step * (0.5 + js_sys::Math::random() * 0.5)
}

/// `ws://` or `wss://` (as the page) to this host, and `path_and_query`.
pub fn socket_url(path_and_query: &str) -> String {
    let location = dom::window().location();
    let scheme = if location.protocol().unwrap_or_default() == "https:" {
        "wss"
    } else {
        "ws"
    };
    format!(
        "{scheme}://{}{path_and_query}",
        location.host().unwrap_or_default()
    )
}

/// A new idempotency key: 16 random bytes written as a UUID.
pub fn new_client_id() -> String {
    let mut hex = String::with_capacity(36);
    for i in 0..16 {
        if matches!(i, 4 | 6 | 8 | 10) {
            hex.push('-');
        }
        let byte = (js_sys::Math::random() * 256.0) as u8;
        for nibble in [byte >> 4, byte & 15] {
            hex.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
    hex
}

/// `encodeURIComponent`.
pub fn encode(text: &str) -> String {
    js_sys::encode_uri_component(text).into()
}
