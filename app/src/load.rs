//! How pages load what the server renders them with: a [`Resource`] whose value travels from
//! the server to the browser as JSON, read as bytes.
//!
//! Server functions' answers are read with `serde_json::from_slice`, and Leptos' default
//! resource codec reads with `serde_json::from_str`: two readers, so the wasm carried every
//! answer's deserializer twice, once for the call and once for hydration. Everything the
//! browser reads as JSON goes through [`read_json`] instead.

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// JSON, decoded from its bytes as server functions' answers are.
pub struct JsonBytes;

impl<T: Serialize> Encoder<T> for JsonBytes {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for JsonBytes {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(json: &str) -> Result<T, serde_json::Error> {
        read_json(json)
    }
}

/// Reads `json` with the one JSON reader the browser's bundle carries.
pub fn read_json<T: DeserializeOwned>(json: &str) -> Result<T, serde_json::Error> {
    serde_json::from_slice(json.as_bytes())
}

/// A page's resource: `fetcher` runs on the server when the page renders, and again in the
/// browser whenever `source` changes; the first value is sent along with the page.
#[track_caller]
pub fn load<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<T, JsonBytes>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: Send + Sync + Clone + PartialEq + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}
