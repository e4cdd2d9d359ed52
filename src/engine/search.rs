//! Search: finding conversations by their messages and notes, and indexing the messages
//! stored before the index existed.

use std::collections::{HashMap, HashSet};

use super::Engine;
use crate::domain::search::{snippet, SearchCursor, SearchRequest, HITS_PER_CONVERSATION};
use crate::error::Error;
use crate::store::rows::uuid_of;
use crate::store::{from_millis, BacklogCursor, FoundConversation, MessageRow, WalkedHit};
use crate::wire::{ConversationItem, SearchHit, SearchPage, SearchResult};

/// Messages indexed per transaction while catching up.
const BACKLOG_BATCH: i64 = 500;
/// A found conversation's messages read at a time, looking for its newest matches.
const HIT_SCAN_BATCH: i64 = 100;
/// Batches read that way before the index is asked instead.
const HIT_SCAN_MOST: usize = 10;
/// The most matching messages a search reads at a time, walking them newest first. The first
/// batch is twice the page (most matches are in different conversations), each next one
/// twice the last: a small limit keeps PostgreSQL on the index by time for common words.
const WALK_BATCH_MOST: i64 = 1_000;
/// Matching messages a search walks before it groups every match instead: what a filter that
/// leaves few conversations, or a word said again and again in a few of them, would otherwise
/// cost.
const WALK_MOST: i64 = 4_000;

/// Whether a conversation whose newest match is at `at` comes after the request's cursor.
fn after_cursor(request: &SearchRequest, at: i64, conversation_id: &str) -> bool {
    request.cursor.is_none_or(|cursor| {
        (at, conversation_id) < (cursor.at, cursor.conversation_id.to_string().as_str())
    })
}

/// The page's conversations (one more than it holds, when there are) from what the walk found
/// and the customers and titles that match, by newest match, newest first.
fn merged(
    titled: Vec<FoundConversation>,
    walked: Vec<FoundConversation>,
    passed: &HashSet<String>,
    want: usize,
) -> Vec<FoundConversation> {
    let mut all: HashMap<String, FoundConversation> = HashMap::new();
    for found in titled.into_iter().chain(walked) {
        if passed.contains(&found.conversation_id) {
            continue;
        }
        all.entry(found.conversation_id.clone())
            .and_modify(|known| {
                known.at = known.at.max(found.at);
                known.matched |= found.matched;
            })
            .or_insert(found);
    }
    let mut all: Vec<FoundConversation> = all.into_values().collect();
    all.sort_by(|a, b| (b.at, &b.conversation_id).cmp(&(a.at, &a.conversation_id)));
    all.truncate(want);
    all
}

impl Engine {
    /// One page of conversations whose messages or private notes, customer (name and email)
    /// or session title match `request`, by their newest match, newest first, each with its
    /// newest matching messages. For operators only (the caller checks the sign-in): notes are
    /// found too.
    pub async fn search(&self, request: &SearchRequest) -> Result<SearchPage, Error> {
        self.inner.store.settle_search_index().await?;
        let db = || self.inner.store.db();
        let mut found = self.found_conversations(request).await?;
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
        for row in self.newest_hits(request, &ids).await? {
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
            .into_iter()
            .filter_map(|mut found| {
                let id = &found.conversation_id;
                let hits = hits.remove(id).unwrap_or_default();
                // A conversation found by its customer or title may have matching messages
                // the walk did not reach.
                if !hits.is_empty() {
                    found.matched |= FoundConversation::MESSAGES;
                }
                Some(SearchResult {
                    conversation: items.remove(id)?,
                    matched: found.matched(),
                    hits,
                })
            })
            .collect();
        Ok(SearchPage {
            results,
            next_cursor,
        })
    }

    /// The conversations of the request's page and one more (when there is one), by newest
    /// match, newest first. It walks the matching messages newest first, a batch at a time, and
    /// stops once no conversation it has not seen can make the page; a conversation's first
    /// match on the way is its newest. Customers and titles that match come from their own
    /// (small) tables. After [`WALK_MOST`] matches it groups every match instead.
    async fn found_conversations(
        &self,
        request: &SearchRequest,
    ) -> Result<Vec<FoundConversation>, Error> {
        let db = || self.inner.store.db();
        let want = request.limit as usize + 1;
        let titled = db().search_titled(request, None).await?;
        // Conversations seen on the way: those on an earlier page are passed over.
        let mut seen: HashSet<String> = HashSet::new();
        let mut passed: HashSet<String> = HashSet::new();
        let mut walked: Vec<FoundConversation> = Vec::new();
        let mut last: Option<WalkedHit> = None;
        let mut size = (2 * want as i64).min(WALK_BATCH_MOST);
        let mut walked_rows = 0;
        while walked_rows < WALK_MOST {
            let batch = db().search_walk(request, last.as_ref(), size).await?;
            walked_rows += batch.len() as i64;
            let mut fresh = Vec::new();
            for hit in &batch {
                if !seen.insert(hit.conversation_id.clone()) {
                    continue;
                }
                if after_cursor(request, hit.at, &hit.conversation_id) {
                    fresh.push(FoundConversation {
                        conversation_id: hit.conversation_id.clone(),
                        at: hit.at,
                        matched: FoundConversation::MESSAGES,
                    });
                } else {
                    passed.insert(hit.conversation_id.clone());
                }
            }
            // A customer or title that matches makes the conversation's last activity its
            // newest match, which may put it on an earlier page.
            let ids: Vec<String> = fresh.iter().map(|f| f.conversation_id.clone()).collect();
            let titled_ones: HashMap<String, FoundConversation> = db()
                .search_titled(request, Some(&ids))
                .await?
                .into_iter()
                .map(|found| (found.conversation_id.clone(), found))
                .collect();
            for mut found in fresh {
                if let Some(titled) = titled_ones.get(&found.conversation_id) {
                    found.at = found.at.max(titled.at);
                    found.matched |= titled.matched;
                    if !after_cursor(request, found.at, &found.conversation_id) {
                        passed.insert(found.conversation_id);
                        continue;
                    }
                }
                walked.push(found);
            }
            let done = (batch.len() as i64) < size;
            size = (size * 2).min(WALK_BATCH_MOST);
            last = batch.last().cloned().or(last);
            let page = merged(titled.clone(), walked.clone(), &passed, want);
            // Whatever the walk has not reached is no newer than where it stands.
            let full =
                page.len() == want && last.as_ref().is_none_or(|hit| page[want - 1].at > hit.at);
            if done || full {
                return Ok(page);
            }
        }
        Ok(db().search_conversations(request).await?)
    }

    /// The newest matching messages (at most [`HITS_PER_CONVERSATION`]) of each conversation,
    /// newest first within each.
    async fn newest_hits(
        &self,
        request: &SearchRequest,
        conversation_ids: &[String],
    ) -> Result<Vec<MessageRow>, Error> {
        let mut all = Vec::new();
        for id in conversation_ids {
            all.extend(self.newest_hits_of(request, id).await?);
        }
        Ok(all)
    }

    /// One conversation's newest matching messages: its messages are read from the newest and
    /// checked against the query here, [`HIT_SCAN_BATCH`] at a time; after [`HIT_SCAN_MOST`]
    /// batches without enough (rare words in a long conversation), the index finds them.
    async fn newest_hits_of(
        &self,
        request: &SearchRequest,
        conversation_id: &str,
    ) -> Result<Vec<MessageRow>, Error> {
        let db = || self.inner.store.db();
        let mut found = Vec::new();
        let mut below = i64::MAX;
        for _ in 0..HIT_SCAN_MOST {
            let rows = db()
                .search_scan(request, conversation_id, below, HIT_SCAN_BATCH)
                .await?;
            let last_batch = (rows.len() as i64) < HIT_SCAN_BATCH;
            below = rows.last().map_or(below, |row| row.seq);
            found.extend(
                rows.into_iter()
                    .filter(|row| request.query.matches(&row.search_words()))
                    .take(HITS_PER_CONVERSATION - found.len()),
            );
            if found.len() == HITS_PER_CONVERSATION || last_batch {
                return Ok(found);
            }
        }
        let ids = [conversation_id.to_owned()];
        Ok(db()
            .search_hits(request, &ids, HITS_PER_CONVERSATION)
            .await?)
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
