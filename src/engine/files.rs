//! Files in chats: uploading (spooled to a temporary file, judged by content, images re-encoded,
//! stored in chunks under the conversation's quota), checking what a message attaches, and
//! sweeping uploads never attached. Serving them is in `file_serving.rs`.

use tokio::io::AsyncWriteExt;
use uuid::Uuid;

use super::chat::Access;
use super::Engine;
use crate::actor::Actor;
use crate::domain::{ttl, FileKind, FileName, Invalid, TextCheck};
use crate::error::Error;
use crate::media::{self, ImageRefused};
use crate::store::{from_millis, to_millis, FileRow};
use crate::wire::FileInfo;

/// Bytes of one stored chunk.
pub const CHUNK_BYTES: usize = 256 * 1024;
/// How long an upload may wait to be attached before it is deleted.
pub const UNATTACHED_FOR: std::time::Duration = std::time::Duration::from_secs(24 * 3600);
/// The first bytes kept for deciding a file's kind.
const HEAD_BYTES: usize = 64;
/// Uploads swept in one pass.
const SWEEP_BATCH: i64 = 500;

/// An upload under way: its sender, its conversation and its content so far, spooled to an
/// anonymous temporary file so that no request holds a whole file in memory. Made by
/// [`Engine::begin_upload`], fed with [`Upload::write`], stored by [`Engine::finish_upload`].
pub struct Upload {
    actor: Actor,
    conversation_id: Uuid,
    spool: tokio::fs::File,
    head: Vec<u8>,
    /// Whether what came so far is plain text; `None` once it is not (checked as it streams
    /// in, so that a text file is not read back for it).
    text: Option<TextCheck>,
    size: u64,
    max_bytes: u64,
}

impl Upload {
    /// Adds the next piece; `payload_too_large` once the file passes the size limit (what was
    /// received is dropped with the upload).
    pub async fn write(&mut self, piece: &[u8]) -> Result<(), Error> {
        self.size += piece.len() as u64;
        if self.size > self.max_bytes {
            return Err(Error::TooLarge(format!(
                "a file may be at most {}",
                megabytes(self.max_bytes)
            )));
        }
        if self.text.as_mut().is_some_and(|check| !check.feed(piece)) {
            self.text = None;
        }
        if self.head.len() < HEAD_BYTES {
            let take = piece.len().min(HEAD_BYTES - self.head.len());
            self.head.extend_from_slice(&piece[..take]);
        }
        self.spool
            .write_all(piece)
            .await
            .map_err(|e| anyhow::Error::new(e).context("spooling an upload"))?;
        Ok(())
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{} MiB", bytes / (1024 * 1024))
}

/// What the server stores of an upload: the content (spooled, or re-encoded in memory), its
/// kind, and an image's size and thumbnail.
enum Content {
    Spooled(std::fs::File),
    Image(media::Reencoded),
}

impl Engine {
    /// Starts an upload by `actor` to `conversation_id`: checks that they may write there now,
    /// counts it in their uploads per minute, and refuses a conversation whose files already
    /// fill its quota, all before a byte of the body is read.
    pub async fn begin_upload(
        &self,
        actor: &Actor,
        conversation_id: Uuid,
    ) -> Result<Upload, Error> {
        let limits = &self.inner.config.files;
        self.inner
            .uploads
            .hit(&actor.key(), limits.uploads_per_minute as usize, self.now())
            .map_err(|secs| Error::RateLimited {
                retry_after_secs: secs,
            })?;
        self.authorize(actor, conversation_id, Access::Write)
            .await?;
        let used = self
            .inner
            .store
            .db()
            .files_bytes(conversation_id)
            .await?
            .ok_or(Error::NotFound("conversation"))?;
        if used as u64 >= limits.per_conversation {
            return Err(conversation_full(limits.per_conversation));
        }
        let spool = tokio::task::spawn_blocking(tempfile::tempfile)
            .await
            .map_err(anyhow::Error::new)?
            .map_err(|e| anyhow::Error::new(e).context("creating an upload's spool file"))?;
        Ok(Upload {
            actor: actor.clone(),
            conversation_id,
            spool: tokio::fs::File::from_std(spool),
            head: Vec::with_capacity(HEAD_BYTES),
            text: Some(TextCheck::default()),
            size: 0,
            max_bytes: limits.max_bytes,
        })
    }

    /// Stores a finished upload under the name its sender gave: its kind decided from its
    /// content (`unsupported_media_type` for a kind not accepted), an image re-encoded (`invalid`
    /// when too large or undecodable), the lot counted in the conversation's quota
    /// (`payload_too_large` when it would pass it).
    pub async fn finish_upload(
        &self,
        upload: Upload,
        name: Option<&str>,
    ) -> Result<FileInfo, Error> {
        let Upload {
            actor,
            conversation_id,
            mut spool,
            head,
            size,
            text,
            ..
        } = upload;
        if size == 0 {
            return Err(Invalid::new("file", "the file is empty").into());
        }
        spool
            .flush()
            .await
            .map_err(|e| anyhow::Error::new(e).context("spooling an upload"))?;
        let limits = &self.inner.config.files;
        let refused = || {
            let accepted: Vec<&str> = limits.types.kinds().iter().map(|k| k.as_str()).collect();
            Error::UnsupportedType(format!(
                "this kind of file is not accepted; accepted: {}",
                accepted.join(", ")
            ))
        };
        let kind = FileKind::sniff(&head)
            .filter(|kind| limits.types.allows(*kind))
            .ok_or_else(refused)?;
        let mut file = spool.into_std().await;
        let max_pixels = limits.max_pixels;
        let content = if kind.is_image() {
            // One image at a time: decoding holds its pixels in memory.
            let _slot = self
                .inner
                .image_slots
                .acquire()
                .await
                .map_err(anyhow::Error::new)?;
            let done =
                tokio::task::spawn_blocking(move || media::reencode(&mut file, kind, max_pixels))
                    .await
                    .map_err(anyhow::Error::new)?;
            match done {
                Ok(image) => Content::Image(image),
                Err(ImageRefused::Invalid(invalid)) => return Err(invalid.into()),
                Err(ImageRefused::Io(err)) => {
                    return Err(anyhow::Error::new(err).context("reading an upload").into())
                }
            }
        } else if kind == FileKind::Text && !text.is_some_and(TextCheck::finish) {
            return Err(refused());
        } else {
            Content::Spooled(file)
        };
        let (stored_kind, stored_size, width, height, thumbnail_size) = match &content {
            Content::Image(image) => (
                image.kind,
                image.bytes.len() as i64,
                i32::try_from(image.width).ok(),
                i32::try_from(image.height).ok(),
                Some(image.thumbnail.len() as i64),
            ),
            Content::Spooled(_) => (kind, size as i64, None, None, None),
        };
        let name = FileName::clean(name, kind).fitted(stored_kind);
        let row = FileRow {
            id: Uuid::now_v7().to_string(),
            conversation_id: conversation_id.to_string(),
            uploader_kind: actor.kind().as_str().to_owned(),
            uploader_id: actor.sender_id().to_string(),
            name: name.as_str().to_owned(),
            content_type: stored_kind.mime().to_owned(),
            size: stored_size,
            width,
            height,
            thumbnail_size,
            stored: false,
            message_id: None,
            internal: false,
            created_at: to_millis(self.now()),
        };
        let stored = self.store_file(&row, content).await;
        if stored.is_err() {
            // Whatever part was written goes; the sweep would find it a day later otherwise.
            if let Ok(mut tx) = self.inner.store.begin().await {
                if tx.remove_file(&row).await.is_ok() {
                    let _ = tx.commit().await;
                }
            }
        }
        stored?;
        Ok(row.to_file_info()?)
    }

    /// Writes a file's row, then its chunks (each its own short statement, so that a large
    /// file never holds SQLite's write lock for long), then counts it in the quota.
    async fn store_file(&self, row: &FileRow, content: Content) -> Result<(), Error> {
        let store = &self.inner.store;
        {
            let _turn = store.file_turn().await;
            store.db().insert_file(row).await?;
        }
        match content {
            Content::Image(image) => {
                self.store_chunks(&row.id, false, &image.bytes).await?;
                self.store_chunks(&row.id, true, &image.thumbnail).await?;
            }
            Content::Spooled(file) => {
                let mut file = tokio::fs::File::from_std(file);
                use tokio::io::{AsyncReadExt, AsyncSeekExt};
                file.seek(std::io::SeekFrom::Start(0))
                    .await
                    .map_err(|e| anyhow::Error::new(e).context("reading an upload"))?;
                let mut chunk = vec![0u8; CHUNK_BYTES];
                let mut idx = 0;
                loop {
                    let mut filled = 0;
                    while filled < CHUNK_BYTES {
                        let n = file
                            .read(&mut chunk[filled..])
                            .await
                            .map_err(|e| anyhow::Error::new(e).context("reading an upload"))?;
                        if n == 0 {
                            break;
                        }
                        filled += n;
                    }
                    if filled == 0 {
                        break;
                    }
                    let _turn = store.file_turn().await;
                    store
                        .db()
                        .insert_file_chunk(&row.id, false, idx, &chunk[..filled])
                        .await?;
                    idx += 1;
                }
            }
        }
        let max = self.inner.config.files.per_conversation;
        let _turn = store.file_turn().await;
        let mut tx = store.begin().await?;
        if !tx.finish_file(row, max as i64).await? {
            return Err(conversation_full(max));
        }
        tx.commit().await?;
        Ok(())
    }

    async fn store_chunks(
        &self,
        file_id: &str,
        thumbnail: bool,
        bytes: &[u8],
    ) -> Result<(), Error> {
        for (idx, chunk) in bytes.chunks(CHUNK_BYTES).enumerate() {
            let _turn = self.inner.store.file_turn().await;
            self.inner
                .store
                .db()
                .insert_file_chunk(file_id, thumbnail, idx as i32, chunk)
                .await?;
        }
        Ok(())
    }

    /// The files a message by `actor` in `conversation_id` attaches, checked: each stored,
    /// uploaded by `actor` to that conversation and not attached yet (`invalid` otherwise), at
    /// most the per-message limit. In the order named.
    pub(super) async fn attachable(
        &self,
        actor: &Actor,
        conversation_id: Uuid,
        ids: &[Uuid],
    ) -> Result<Vec<FileInfo>, Error> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.inner.config.files.check_count(ids.len())?;
        let rows = self.inner.store.db().files(ids).await?;
        let (kind, sender) = (actor.kind().as_str(), actor.sender_id().to_string());
        ids.iter()
            .map(|id| {
                let row = rows
                    .iter()
                    .find(|row| row.id == id.to_string())
                    .filter(|row| {
                        row.conversation_id == conversation_id.to_string()
                            && row.uploader_kind == kind
                            && row.uploader_id == sender
                            && row.stored
                    })
                    .ok_or_else(|| {
                        Invalid::new(
                            "attachments",
                            format!("{id} is not a file you uploaded to this conversation"),
                        )
                    })?;
                if row.message_id.is_some() {
                    return Err(Invalid::new(
                        "attachments",
                        format!("{id} is attached to another message already"),
                    )
                    .into());
                }
                Ok(row.to_file_info()?)
            })
            .collect()
    }

    /// Deletes uploads never attached within [`UNATTACHED_FOR`], giving their bytes back to
    /// their conversations' quotas: how many.
    pub async fn sweep_unattached_files(&self) -> Result<usize, Error> {
        let before = to_millis(self.now() - ttl(UNATTACHED_FOR));
        let rows = self
            .inner
            .store
            .db()
            .unattached_files(before, SWEEP_BATCH)
            .await?;
        for row in &rows {
            let mut tx = self.inner.store.begin().await?;
            tx.remove_file(row).await?;
            tx.commit().await?;
            tracing::debug!(file = %row.id, uploaded = %from_millis(row.created_at), "removed an upload never attached");
        }
        Ok(rows.len())
    }

    /// Sweeps uploads never attached every hour, for as long as the server runs.
    pub async fn run_file_sweeps(self) {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            match self.sweep_unattached_files().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(files = n, "removed uploads never attached"),
                Err(err) => tracing::warn!(error = %err, "sweeping unattached uploads failed"),
            }
        }
    }
}

fn conversation_full(max: u64) -> Error {
    Error::TooLarge(format!(
        "this conversation is full: its files may take at most {}",
        megabytes(max)
    ))
}
