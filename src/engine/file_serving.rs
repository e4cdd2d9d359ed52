//! Serving files: to the parties of their conversation only, streamed chunk by chunk.

use uuid::Uuid;

use super::chat::Access;
use super::Engine;
use crate::actor::Actor;
use crate::domain::FileKind;
use crate::error::Error;
use crate::wire::FileInfo;

/// A file on its way out: what it is and its content, read chunk by chunk.
pub struct Download {
    /// The file.
    pub info: FileInfo,
    /// Bytes of what is served (the thumbnail's, for a thumbnail).
    pub size: i64,
    /// The media type of what is served.
    pub content_type: &'static str,
    /// Whether a browser may show it (a re-encoded image or a thumbnail); everything else is
    /// a download.
    pub inline: bool,
    /// The content.
    pub chunks: Chunks,
}

/// A stored file's content, one chunk at a time.
pub struct Chunks {
    store: crate::store::Store,
    file_id: String,
    thumbnail: bool,
    next: i32,
    /// The first chunk, when it was read already (to tell a thumbnail's type).
    first: Option<Vec<u8>>,
}

impl Chunks {
    /// The next chunk; `None` after the last.
    pub async fn next(&mut self) -> Result<Option<Vec<u8>>, Error> {
        if let Some(first) = self.first.take() {
            self.next = 1;
            return Ok(Some(first));
        }
        let chunk = self
            .store
            .db()
            .file_chunk(&self.file_id, self.thumbnail, self.next)
            .await?;
        self.next += 1;
        Ok(chunk)
    }
}

impl Engine {
    /// A file (or its thumbnail) for `actor`: operators get any file; a guest or customer only
    /// one of their own conversation that is attached to a message they see, or that they
    /// uploaded themselves, while their link or token holds. Anything else is `not_found`, so
    /// that an id alone tells nothing.
    pub async fn open_file(
        &self,
        actor: &Actor,
        file_id: Uuid,
        thumbnail: bool,
    ) -> Result<Download, Error> {
        let row = self
            .inner
            .store
            .db()
            .file(file_id)
            .await?
            .filter(|row| row.stored)
            .ok_or(Error::NotFound("file"))?;
        let conversation_id = crate::store::rows::uuid_of("conversation id", &row.conversation_id)?;
        if !actor.sees_notes() {
            let own = actor.conversation() == Some(conversation_id);
            let shown = row.message_id.is_some() && !row.internal;
            let uploaded = row.uploader_kind == actor.kind().as_str()
                && row.uploader_id == actor.sender_id().to_string();
            if !own || !(shown || uploaded) {
                return Err(Error::NotFound("file"));
            }
        }
        self.authorize(actor, conversation_id, Access::Read).await?;
        let info = row.to_file_info()?;
        let kind = FileKind::of_mime(&row.content_type)
            .ok_or_else(|| crate::store::Corrupt::new("file type", &row.content_type))?;
        let mut chunks = Chunks {
            store: self.inner.store.clone(),
            file_id: row.id.clone(),
            thumbnail,
            next: 0,
            first: None,
        };
        let (size, content_type) = match (thumbnail, row.thumbnail_size) {
            (false, _) => (row.size, kind.mime()),
            // A thumbnail is a JPEG, or a PNG where the image has alpha: its first bytes, which
            // are served next, say which.
            (true, Some(size)) => {
                chunks.first = chunks.next().await?;
                let png = chunks.first.as_deref().and_then(FileKind::sniff) == Some(FileKind::Png);
                let kind = if png { FileKind::Png } else { FileKind::Jpeg };
                (size, kind.mime())
            }
            (true, None) => return Err(Error::NotFound("thumbnail")),
        };
        Ok(Download {
            inline: kind.is_image(),
            size,
            content_type,
            chunks,
            info,
        })
    }
}
