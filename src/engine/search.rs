//! Search: finding conversations by their messages and notes, and indexing the messages
//! stored before the index existed.

use std::collections::HashMap;

use super::Engine;
use crate::domain::search::{snippet, SearchCursor, SearchRequest, HITS_PER_CONVERSATION};
use crate::error::Error;
use crate::store::rows::uuid_of;
use crate::store::{from_millis, BacklogCursor};
use crate::wire::{ConversationItem, SearchHit, SearchPage, SearchResult};

/// Messages indexed per transaction while catching up.
const BACKLOG_BATCH: i64 = 500;

impl Engine {
    /// One page of conversations whose messages or private notes, customer (name and email)
    /// or session title match `request`, by their newest match, newest first, each with its
    /// newest matching messages. For operators only (the caller checks the sign-in): notes are
    /// found too.
    pub async fn search(&self, request: &SearchRequest) -> Result<SearchPage, Error> {
        let db = || self.inner.store.db();
        let mut found = db().search_conversations(request).await?;
        let next_cursor = if found.len() as i64 > request.limit {
            found.truncate(request.limit as usize);
            found
                .last()
                .map(|last| -> Result<String, Error> {
                    let conversation_id = uuid_of("conversation id", &last.conversation_id)?;
                    Ok(SearchCursor {
                        at: last.at,
                        conversation_id,
                    }
                    .to_string())
                })
                .transpose()?
        } else {
            None
        };
        let ids: Vec<String> = found.iter().map(|f| f.conversation_id.clone()).collect();
        let mut items: HashMap<String, ConversationItem> = self
            .items_of(&db().inbox_items(&ids).await?)
            .await?
            .into_iter()
            .map(|item| (item.id.to_string(), item))
            .collect();
        let mut hits: HashMap<String, Vec<SearchHit>> = HashMap::new();
        for row in db()
            .search_hits(request, &ids, HITS_PER_CONVERSATION)
            .await?
        {
            hits.entry(row.conversation_id.clone())
                .or_default()
                .push(SearchHit {
                    message_id: uuid_of("message id", &row.id)?,
                    seq: row.seq,
                    created_at: from_millis(row.created_at),
                    internal: row.internal,
                    snippet: snippet(&row.content, &request.query),
                });
        }
        let results = found
            .iter()
            .filter_map(|found| {
                let id = &found.conversation_id;
                Some(SearchResult {
                    conversation: items.remove(id)?,
                    matched: found.matched(),
                    hits: hits.remove(id).unwrap_or_default(),
                })
            })
            .collect();
        Ok(SearchPage {
            results,
            next_cursor,
        })
    }

    /// Indexes every message, customer and session title stored before the search index
    /// existed, a batch at a time, and says how many rows. New ones are indexed as they are
    /// stored; a batch skips whatever was indexed meanwhile (by another node, say).
    pub async fn index_backlog(&self) -> Result<u64, Error> {
        let db = || self.inner.store.db();
        let mut indexed = 0;
        loop {
            let customers = db().customers_without_words(BACKLOG_BATCH).await?;
            if customers.is_empty() {
                break;
            }
            for (id, name, email) in &customers {
                db().set_customer_words(id, name.as_deref(), email.as_deref())
                    .await?;
            }
            indexed += customers.len() as u64;
        }
        loop {
            let titles = db().titles_without_words(BACKLOG_BATCH).await?;
            if titles.is_empty() {
                break;
            }
            for (id, title) in &titles {
                db().set_title_words(id, title).await?;
            }
            indexed += titles.len() as u64;
        }
        let mut cursor = BacklogCursor::default();
        loop {
            let (rows, next) = self
                .inner
                .store
                .db()
                .unindexed_messages(cursor, BACKLOG_BATCH)
                .await?;
            if rows.is_empty() {
                return Ok(indexed);
            }
            let mut tx = self.inner.store.begin().await?;
            tx.index_backlog(&rows).await?;
            tx.commit().await?;
            indexed += rows.len() as u64;
            cursor = next;
        }
    }

    /// [`Engine::index_backlog`] once, at start, saying in the log what it did.
    pub async fn catch_up_search_index(self) {
        match self.index_backlog().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(rows = n, "indexed what was stored before search existed"),
            Err(err) => tracing::warn!(error = %err, "indexing earlier messages for search failed"),
        }
    }
}
