//! Switchboard's engine: the domain values and wire types shared with the browser, and, behind the
//! `server` feature, storage, authentication and every use case. It knows nothing of HTTP or Leptos.

pub mod domain;
pub mod wire;

#[cfg(feature = "server")]
pub mod actor;
#[cfg(feature = "server")]
pub mod auth;
#[cfg(feature = "server")]
pub mod clock;
#[cfg(feature = "server")]
mod engine;
#[cfg(feature = "server")]
mod error;
#[cfg(feature = "server")]
pub mod hub;
#[cfg(feature = "server")]
pub mod limits;
#[cfg(feature = "server")]
pub mod mail;
#[cfg(feature = "server")]
pub mod media;
#[cfg(feature = "server")]
pub mod store;
#[cfg(all(feature = "server", any(test, feature = "test-util")))]
pub mod testing;
#[cfg(feature = "server")]
pub mod widget;
#[cfg(feature = "server")]
mod writer;

#[cfg(feature = "server")]
pub use actor::{Actor, GuestStanding};
#[cfg(feature = "server")]
pub use engine::{
    AuditQuery, Chunks, Download, Engine, EngineConfig, EngineMetrics, GuestVisit, NewOperator,
    OperatorOnline, Posted, Requester, RetentionReport, SignedIn, SocketPlace, Upload,
    AUDIT_PAGE_DEFAULT, AUDIT_PAGE_MAX, CHUNK_BYTES, MAX_GUEST_LINK_TTL,
};
#[cfg(feature = "server")]
pub use error::Error;
