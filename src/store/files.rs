//! Files: their rows, their content in chunks, attaching them to a message, the quota and the
//! sweep of uploads never attached.

use sqlx::FromRow;
use uuid::Uuid;

use super::rows::{uuid_of, Corrupt};
use super::{on_db, placeholders, Db, Tx};
use crate::wire::FileInfo;

/// A file as stored.
#[derive(Debug, Clone, FromRow)]
pub struct FileRow {
    /// Id (UUID text).
    pub id: String,
    /// Its conversation (UUID text).
    pub conversation_id: String,
    /// `operator`, `guest` or `customer`.
    pub uploader_kind: String,
    /// The operator's, session's or customer's id.
    pub uploader_id: String,
    /// The cleaned name.
    pub name: String,
    /// The media type.
    pub content_type: String,
    /// Bytes of content.
    pub size: i64,
    /// An image's width.
    pub width: Option<i32>,
    /// An image's height.
    pub height: Option<i32>,
    /// Bytes of the thumbnail, when there is one.
    pub thumbnail_size: Option<i64>,
    /// Every chunk written and counted in the quota.
    pub stored: bool,
    /// The message it is attached to.
    pub message_id: Option<String>,
    /// Attached to a private note.
    pub internal: bool,
    /// Uploaded (ms).
    pub created_at: i64,
}

impl FileRow {
    /// The file as the contract shows it.
    pub fn to_file_info(&self) -> Result<FileInfo, Corrupt> {
        Ok(FileInfo {
            id: uuid_of("file id", &self.id)?,
            name: self.name.clone(),
            content_type: self.content_type.clone(),
            size: self.size,
            width: self.width.and_then(|w| u32::try_from(w).ok()),
            height: self.height.and_then(|h| u32::try_from(h).ok()),
            thumbnail: self.thumbnail_size.is_some(),
        })
    }

    /// Bytes it takes in its conversation's quota.
    pub fn quota_bytes(&self) -> i64 {
        self.size + self.thumbnail_size.unwrap_or(0)
    }
}

pub(super) const FILE_COLUMNS: &str =
    "id, conversation_id, uploader_kind, uploader_id, name, content_type, \
     size, width, height, thumbnail_size, stored, message_id, internal, created_at";

impl Db<'_> {
    /// Inserts a file's row, not yet stored (its chunks come next).
    pub async fn insert_file(self, row: &FileRow) -> sqlx::Result<()> {
        let sql = format!(
            "INSERT INTO files ({FILE_COLUMNS}) VALUES ({})",
            placeholders(1, 14)
        );
        on_db!(self, |c| sqlx::query(&sql)
            .bind(&row.id)
            .bind(&row.conversation_id)
            .bind(&row.uploader_kind)
            .bind(&row.uploader_id)
            .bind(&row.name)
            .bind(&row.content_type)
            .bind(row.size)
            .bind(row.width)
            .bind(row.height)
            .bind(row.thumbnail_size)
            .bind(row.stored)
            .bind(&row.message_id)
            .bind(row.internal)
            .bind(row.created_at)
            .execute(c)
            .await
            .map(drop))
    }

    /// Writes one chunk of a file's content (or of its thumbnail).
    pub async fn insert_file_chunk(
        self,
        file_id: &str,
        thumbnail: bool,
        idx: i32,
        data: &[u8],
    ) -> sqlx::Result<()> {
        let sql = "INSERT INTO file_chunks (file_id, thumbnail, idx, data) VALUES ($1, $2, $3, $4)";
        on_db!(self, |c| sqlx::query(sql)
            .bind(file_id)
            .bind(thumbnail)
            .bind(idx)
            .bind(data)
            .execute(c)
            .await
            .map(drop))
    }

    /// One chunk of a file's content (or thumbnail); `None` past the last.
    pub async fn file_chunk(
        self,
        file_id: &str,
        thumbnail: bool,
        idx: i32,
    ) -> sqlx::Result<Option<Vec<u8>>> {
        let sql = "SELECT data FROM file_chunks WHERE file_id = $1 AND thumbnail = $2 AND idx = $3";
        on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(file_id)
            .bind(thumbnail)
            .bind(idx)
            .fetch_optional(c)
            .await)
    }

    /// A file's row.
    pub async fn file(self, id: Uuid) -> sqlx::Result<Option<FileRow>> {
        let sql = format!("SELECT {FILE_COLUMNS} FROM files WHERE id = $1");
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(id.to_string())
            .fetch_optional(c)
            .await)
    }

    /// The rows of the files named, in no particular order (unknown ids are left out).
    pub async fn files(self, ids: &[Uuid]) -> sqlx::Result<Vec<FileRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {FILE_COLUMNS} FROM files WHERE id IN ({})",
            placeholders(1, ids.len())
        );
        on_db!(self, |c| {
            let mut query = sqlx::query_as(&sql);
            for id in ids {
                query = query.bind(id.to_string());
            }
            query.fetch_all(c).await
        })
    }

    /// Bytes of files a conversation holds; `None` when it does not exist.
    pub async fn files_bytes(self, conversation_id: Uuid) -> sqlx::Result<Option<i64>> {
        let sql = "SELECT files_bytes FROM conversations WHERE id = $1";
        on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(conversation_id.to_string())
            .fetch_optional(c)
            .await)
    }

    /// Deletes a file and its chunks (the quota is [`Tx::remove_file`]'s business).
    pub async fn delete_file(self, id: &str) -> sqlx::Result<()> {
        let sql = "DELETE FROM files WHERE id = $1";
        on_db!(self, |c| sqlx::query(sql)
            .bind(id)
            .execute(c)
            .await
            .map(drop))
    }

    /// Uploads never attached that were started before `before` (ms), at most `limit`.
    pub async fn unattached_files(self, before: i64, limit: i64) -> sqlx::Result<Vec<FileRow>> {
        let sql = format!(
            "SELECT {FILE_COLUMNS} FROM files WHERE message_id IS NULL AND created_at < $1 \
             ORDER BY created_at LIMIT $2"
        );
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(before)
            .bind(limit)
            .fetch_all(c)
            .await)
    }

    /// Moves a conversation's quota count by `delta` bytes, as long as it stays at most `max`;
    /// whether it moved.
    pub async fn count_files_bytes(
        self,
        conversation_id: &str,
        delta: i64,
        max: i64,
    ) -> sqlx::Result<bool> {
        let sql = "UPDATE conversations SET files_bytes = files_bytes + $2 \
                   WHERE id = $1 AND files_bytes + $2 <= $3";
        on_db!(self, |c| Ok(sqlx::query(sql)
            .bind(conversation_id)
            .bind(delta)
            .bind(max)
            .execute(c)
            .await?
            .rows_affected()
            == 1))
    }

    /// Marks a file stored: every chunk is written.
    pub async fn mark_file_stored(self, id: &str) -> sqlx::Result<()> {
        let sql = "UPDATE files SET stored = TRUE WHERE id = $1";
        on_db!(self, |c| sqlx::query(sql)
            .bind(id)
            .execute(c)
            .await
            .map(drop))
    }

    /// Attaches the stored, unattached files named to a message: only those `uploader`
    /// uploaded to `conversation_id`. How many it attached.
    pub async fn attach_files(
        self,
        message_id: &str,
        internal: bool,
        conversation_id: &str,
        uploader: (&str, &str),
        ids: &[String],
    ) -> sqlx::Result<u64> {
        let sql = format!(
            "UPDATE files SET message_id = $1, internal = $2 WHERE conversation_id = $3 \
             AND uploader_kind = $4 AND uploader_id = $5 AND stored AND message_id IS NULL \
             AND id IN ({})",
            placeholders(6, ids.len())
        );
        on_db!(self, |c| {
            let mut query = sqlx::query(&sql)
                .bind(message_id)
                .bind(internal)
                .bind(conversation_id)
                .bind(uploader.0)
                .bind(uploader.1);
            for id in ids {
                query = query.bind(id);
            }
            Ok(query.execute(c).await?.rows_affected())
        })
    }
}

impl Tx {
    /// Counts a file's bytes in its conversation's quota and marks it stored, unless the quota
    /// would pass `max`: whether it did.
    pub async fn finish_file(&mut self, row: &FileRow, max: i64) -> sqlx::Result<bool> {
        if !self
            .db()
            .count_files_bytes(&row.conversation_id, row.quota_bytes(), max)
            .await?
        {
            return Ok(false);
        }
        self.db().mark_file_stored(&row.id).await?;
        Ok(true)
    }

    /// Deletes a file, giving a stored file's bytes back to its conversation's quota.
    pub async fn remove_file(&mut self, row: &FileRow) -> sqlx::Result<()> {
        if row.stored {
            self.db()
                .count_files_bytes(&row.conversation_id, -row.quota_bytes(), i64::MAX)
                .await?;
        }
        self.db().delete_file(&row.id).await
    }
}
