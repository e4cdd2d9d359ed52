//! Requests from the browser, with the page's cookies and, for a customer, the widget token.
//! Bodies go out and come back as the contract's wire types.

pub use gloo_net::http::Method;
use gloo_net::http::RequestBuilder;
use serde::de::DeserializeOwned;
use serde::Serialize;
use switchboard::wire::{ErrorBody, ErrorCode};

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
        crate::load::read_json(&self.body).ok()
    }

    /// The contract's error code of a refusal, when the body is an error body.
    pub fn error_code(&self) -> Option<ErrorCode> {
        self.json::<ErrorBody>().map(|body| body.error.code)
    }
}

/// A request with `method` and an optional JSON body, the page's cookies, and a bearer token
/// when given.
pub async fn request<B: Serialize + ?Sized>(
    method: Method,
    url: &str,
    body: Option<&B>,
    bearer: Option<&str>,
) -> Result<Answer, gloo_net::Error> {
    let mut builder = RequestBuilder::new(url).method(method);
    if let Some(token) = bearer {
        builder = builder.header("authorization", &format!("Bearer {token}"));
    }
    let request = match body {
        Some(body) => builder.json(body)?,
        None => builder.build()?,
    };
    let response = request.send().await?;
    Ok(Answer {
        status: response.status(),
        body: response.text().await?,
    })
}
