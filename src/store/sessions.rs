//! Support sessions: the remote-support visits that each own one conversation.

use uuid::Uuid;

use super::rows::{SessionRow, SESSION_COLUMNS};
use super::search_index::words_of;
use super::{on_db, placeholders, Db};
use crate::auth::TokenDigest;
use crate::domain::{SessionFilter, SessionReport};
use crate::wire::{SenderKind, SessionOutcome};

impl Db<'_> {
    /// Inserts a conversation of `kind` (`session` or `support`).
    pub async fn insert_conversation(self, id: &str, kind: &str, now: i64) -> sqlx::Result<()> {
        let sql = "INSERT INTO conversations (id, kind, created_at) VALUES ($1, $2, $3)";
        on_db!(self, |c| sqlx::query(sql)
            .bind(id)
            .bind(kind)
            .bind(now)
            .execute(c)
            .await
            .map(drop))
    }

    /// Inserts a support session; its conversation must exist.
    pub async fn insert_support_session(self, row: &SessionRow) -> sqlx::Result<()> {
        let sql = format!(
            "INSERT INTO support_sessions ({SESSION_COLUMNS}, title_words) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        );
        on_db!(self, |c| sqlx::query(&sql)
            .bind(&row.id)
            .bind(&row.conversation_id)
            .bind(&row.title)
            .bind(&row.created_by)
            .bind(&row.token_hash)
            .bind(row.created_at)
            .bind(row.expires_at)
            .bind(row.joined_at)
            .bind(row.ended_at)
            .bind(&row.outcome)
            .bind(&row.report)
            .bind(words_of(row.title.as_deref()))
            .execute(c)
            .await
            .map(drop))
    }

    /// Open (not ended, not expired at `now`) or ended sessions, newest first.
    pub async fn support_sessions(
        self,
        filter: SessionFilter,
        outcome: Option<SessionOutcome>,
        now: i64,
        limit: i64,
    ) -> sqlx::Result<Vec<SessionRow>> {
        let condition = match filter {
            SessionFilter::Open => "ended_at IS NULL AND expires_at > $1",
            SessionFilter::Ended => "(ended_at IS NOT NULL OR expires_at <= $1)",
        };
        // An ended session without a report reads as `unknown`; an open one has no outcome.
        let outcome_condition = match outcome {
            None => "AND $3 IS NULL",
            Some(SessionOutcome::Unknown) => {
                "AND (ended_at IS NOT NULL OR expires_at <= $1) AND COALESCE(outcome, $3) = $3"
            }
            Some(_) => "AND (ended_at IS NOT NULL OR expires_at <= $1) AND outcome = $3",
        };
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM support_sessions WHERE {condition} {outcome_condition} \
             ORDER BY created_at DESC, id DESC LIMIT $2"
        );
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(now)
            .bind(limit)
            .bind(outcome.map(SessionOutcome::as_str))
            .fetch_all(c)
            .await)
    }

    /// One session by id.
    pub async fn support_session(self, id: Uuid) -> sqlx::Result<Option<SessionRow>> {
        self.session_where("id", &id.to_string()).await
    }

    /// The session whose current guest token has this digest.
    pub async fn support_session_by_token(
        self,
        digest: &TokenDigest,
    ) -> sqlx::Result<Option<SessionRow>> {
        self.session_where("token_hash", digest.as_str()).await
    }

    /// The session that owns a conversation.
    pub async fn session_by_conversation(
        self,
        conversation_id: Uuid,
    ) -> sqlx::Result<Option<SessionRow>> {
        self.session_where("conversation_id", &conversation_id.to_string())
            .await
    }

    async fn session_where(self, column: &str, value: &str) -> sqlx::Result<Option<SessionRow>> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM support_sessions WHERE {column} = $1");
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(value)
            .fetch_optional(c)
            .await)
    }

    /// Ends a session at `now` unless it already ended; an expired one keeps its expiry as its
    /// end. A report, when given, replaces the outcome and notes (so an ended session's report
    /// can be corrected); without one, a session ending now reads as `unknown` and an ended one
    /// keeps what it had. Returns the session as it is afterwards; `None` when it does not
    /// exist.
    pub async fn end_support_session(
        self,
        id: Uuid,
        now: i64,
        report: Option<&SessionReport>,
    ) -> sqlx::Result<Option<SessionRow>> {
        let sql = format!(
            "UPDATE support_sessions SET ended_at = \
             CASE WHEN ended_at IS NOT NULL THEN ended_at \
                  WHEN expires_at < $2 THEN expires_at ELSE $2 END, \
             outcome = COALESCE($3, outcome, 'unknown'), \
             report = CASE WHEN $3 IS NULL THEN report ELSE $4 END \
             WHERE id = $1 RETURNING {SESSION_COLUMNS}"
        );
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(id.to_string())
            .bind(now)
            .bind(report.map(|r| r.outcome.as_str()))
            .bind(report.and_then(|r| r.report.as_deref()))
            .fetch_optional(c)
            .await)
    }

    /// Replaces the guest token of a session that is still open at `now`, with a new expiry.
    /// `false` when the session is not open (ended, expired, or unknown).
    pub async fn replace_guest_token(
        self,
        id: Uuid,
        digest: &TokenDigest,
        now: i64,
        expires_at: i64,
    ) -> sqlx::Result<bool> {
        let sql = "UPDATE support_sessions SET token_hash = $2, expires_at = $4 \
                   WHERE id = $1 AND ended_at IS NULL AND expires_at > $3";
        let done = on_db!(self, |c| sqlx::query(sql)
            .bind(id.to_string())
            .bind(digest.as_str())
            .bind(now)
            .bind(expires_at)
            .execute(c)
            .await?
            .rows_affected());
        Ok(done == 1)
    }

    /// Records the first time a guest joined.
    pub async fn mark_session_joined(self, id: Uuid, now: i64) -> sqlx::Result<()> {
        let sql = "UPDATE support_sessions SET joined_at = $2 WHERE id = $1 AND joined_at IS NULL";
        on_db!(self, |c| sqlx::query(sql)
            .bind(id.to_string())
            .bind(now)
            .execute(c)
            .await
            .map(drop))
    }

    /// How many messages of one of `senders` are unread, per session among `session_ids`;
    /// sessions with none are left out.
    pub async fn unread_per_session(
        self,
        session_ids: &[Uuid],
        senders: &[SenderKind],
    ) -> sqlx::Result<Vec<(String, i64)>> {
        if session_ids.is_empty() || senders.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT s.id, COUNT(m.id) FROM support_sessions s \
             JOIN messages m ON m.conversation_id = s.conversation_id \
             WHERE s.id IN ({}) AND m.sender_kind IN ({}) AND m.read_at IS NULL GROUP BY s.id",
            placeholders(1, session_ids.len()),
            placeholders(1 + session_ids.len(), senders.len())
        );
        on_db!(self, |c| {
            let mut query = sqlx::query_as(&sql);
            for id in session_ids {
                query = query.bind(id.to_string());
            }
            for kind in senders {
                query = query.bind(kind.as_str());
            }
            query.fetch_all(c).await
        })
    }
}
