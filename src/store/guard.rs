//! Whether a session's conversation still takes messages, checked inside the transaction that
//! stores them: a message is stored only if its session was open, with the sender's link, when
//! the message took its seq. Ending a session or replacing its link therefore cuts its senders
//! off at one point in the conversation's order, whichever node each of them is on.

use sqlx::FromRow;

use super::rows::{NewMessageRow, SessionRow};
use super::{on_db, Tx};

/// What a message's conversation must be for the message to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionGuard {
    /// Its session, if it has one, is open: an operator's message.
    OpenIfAny,
    /// Its session exists, is open, and its link is still the one with this digest: a guest's
    /// message.
    Link(String),
}

/// Why a guarded message was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The sender's link was replaced by a newer one.
    LinkReplaced,
    /// The session ended or expired (or, for a guest, no longer exists).
    Ended,
}

/// What the guard reads of a session.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Standing {
    /// The conversation it owns (UUID text).
    pub conversation_id: String,
    /// The digest of its current link.
    pub token_hash: String,
    /// When its current link expires (ms).
    pub expires_at: i64,
    /// When an operator ended it (ms).
    pub ended_at: Option<i64>,
}

impl From<&SessionRow> for Standing {
    fn from(row: &SessionRow) -> Self {
        Self {
            conversation_id: row.conversation_id.clone(),
            token_hash: row.token_hash.clone(),
            expires_at: row.expires_at,
            ended_at: row.ended_at,
        }
    }
}

impl SessionGuard {
    /// Why a message guarded so is refused at `now` (ms), given its conversation's session;
    /// `None` when it may be stored. A replaced link is told before an ended session, so a
    /// guest with an old link learns that first.
    pub fn refusal(&self, session: Option<&Standing>, now: i64) -> Option<Refusal> {
        let open = |session: &Standing| session.ended_at.is_none() && now < session.expires_at;
        match (self, session) {
            (SessionGuard::Link(link), Some(session)) if session.token_hash != *link => {
                Some(Refusal::LinkReplaced)
            }
            (_, Some(session)) if !open(session) => Some(Refusal::Ended),
            (_, Some(_)) | (SessionGuard::OpenIfAny, None) => None,
            // A guest's conversation always has its session.
            (SessionGuard::Link(_), None) => Some(Refusal::Ended),
        }
    }
}

/// What each of `news` comes to under its guard (`guards` pairs with `news` in order; missing
/// ones are `None`), given the standings of their conversations' sessions. The message's own
/// time is the time the session must be open at.
pub(super) fn refusals(
    news: &[&NewMessageRow],
    guards: &[Option<&SessionGuard>],
    standings: &[Standing],
) -> Vec<Option<Refusal>> {
    news.iter()
        .enumerate()
        .map(|(n, new)| {
            let guard = guards.get(n).copied().flatten()?;
            let session = standings
                .iter()
                .find(|standing| standing.conversation_id == new.conversation_id);
            guard.refusal(session, new.created_at)
        })
        .collect()
}

/// The distinct conversations among `news` whose messages carry a guard (as [`refusals`] pairs
/// them).
pub(super) fn guarded_conversations<'a>(
    news: &[&'a NewMessageRow],
    guards: &[Option<&SessionGuard>],
) -> Vec<&'a str> {
    let mut ids: Vec<&str> = Vec::new();
    for (new, guard) in news.iter().zip(guards) {
        let id = new.conversation_id.as_str();
        if guard.is_some() && !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

/// The standing of one conversation's session, for the writer's own connection (which runs it
/// once per guarded conversation of a batch, prepared once).
pub(super) const STANDING_OF: &str = "SELECT conversation_id, token_hash, expires_at, ended_at \
                                      FROM support_sessions WHERE conversation_id = $1";

impl Tx {
    /// The standings of the sessions of `conversation_ids`, read inside this transaction.
    pub(super) async fn standings(
        &mut self,
        conversation_ids: &[&str],
    ) -> sqlx::Result<Vec<Standing>> {
        if conversation_ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(match self {
            // The rows stay locked until the messages commit: an end or a new link waits for
            // them, and one committing meanwhile is waited for and read here. SQLite's writer
            // holds the whole file (`BEGIN IMMEDIATE`), which does the same.
            Tx::Postgres(tx) => {
                sqlx::query_as(
                    "SELECT conversation_id, token_hash, expires_at, ended_at \
                     FROM support_sessions WHERE conversation_id = ANY($1) FOR SHARE",
                )
                .bind(conversation_ids)
                .fetch_all(&mut **tx)
                .await?
            }
            Tx::Sqlite(_) => {
                let mut rows = Vec::with_capacity(conversation_ids.len());
                for id in conversation_ids {
                    let row = on_db!(self.db(), |c| sqlx::query_as(STANDING_OF)
                        .bind(*id)
                        .fetch_optional(c)
                        .await)?;
                    rows.extend(row);
                }
                rows
            }
        })
    }

    /// Why `new` is refused by `guard` in this transaction, if it is.
    pub async fn refusal(
        &mut self,
        new: &NewMessageRow,
        guard: &SessionGuard,
    ) -> sqlx::Result<Option<Refusal>> {
        Ok(self.refusals(&[new], &[Some(guard)]).await?.pop().flatten())
    }

    /// What each of `news` comes to under its guard in this transaction: see [`refusals`].
    pub(super) async fn refusals(
        &mut self,
        news: &[&NewMessageRow],
        guards: &[Option<&SessionGuard>],
    ) -> sqlx::Result<Vec<Option<Refusal>>> {
        let standings = self.standings(&guarded_conversations(news, guards)).await?;
        Ok(refusals(news, guards, &standings))
    }
}
