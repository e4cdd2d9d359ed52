//! Files in chats: what an upload answers and what a message's `attachments` hold.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A stored file, as an upload answers it and as a message's `attachments` list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileInfo {
    /// The file's id.
    pub id: Uuid,
    /// Its cleaned name, as offered for download.
    pub name: String,
    /// Its media type, decided from its content (`image/png`, `application/pdf`, `text/plain`).
    #[serde(rename = "type")]
    pub content_type: String,
    /// Its size in bytes, as stored (an image after re-encoding).
    pub size: i64,
    /// An image's width in pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// An image's height in pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Whether `…/thumbnail` serves a small version (images only).
    pub thumbnail: bool,
}

impl FileInfo {
    /// Whether it is an image the server re-encoded, which pages may show inline.
    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }
}

/// `{"file": ..}`: an upload's answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileEnvelope {
    /// The stored file.
    pub file: FileInfo,
}
