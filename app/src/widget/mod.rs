//! The widget's look, as the server renders it (`theme`), and the words of the loader's launcher
//! (`launcher`). What the widget does in the browser is the light client's (crate
//! `visitor_lite`, `widget/`).

pub mod theme;

#[cfg(feature = "ssr")]
pub mod launcher;
