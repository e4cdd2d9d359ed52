//! The visitors' light client: what will drive the kiosk, the widget and the hosted chat in the
//! browser in place of Leptos' hydration, so that a visitor downloads a fraction of today's
//! bundle (issue 24: at most 150 KB for a page with its chat open).
//!
//! The pages stay rendered by the server (the `app` crate's Leptos components); this client
//! takes them over in the browser with web-sys, and reads the server's JSON with the browser's
//! own parser instead of serde. Built so far: the chat's state and how every frame, close and
//! answer changes it (`chat`, tested natively), and the JSON reader (`json`). Not yet served:
//! the pages still hydrate with the `visitor` crate until this client covers one completely.

pub mod chat;
pub mod json;
pub mod message;
