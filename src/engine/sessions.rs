//! Remote-support sessions: creating one with its guest link, listing, ending, replacing the
//! link, and what a guest's link opens.

use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::Engine;
use crate::auth::Token;
use crate::domain::ttl;
use crate::domain::{SessionFilter, SessionReport, SessionTitle};
use crate::error::Error;
use crate::hub::{Event, Topic};
use crate::store::{to_millis, SessionRow, StoredSession};
use crate::wire::{GuestLink, Operator, ServerFrame, Session, SessionOutcome, SessionStatus};

/// How many sessions a list shows at most.
const SESSION_LIST_LIMIT: i64 = 500;
/// The longest guest link lifetime the engine accepts.
pub const MAX_GUEST_LINK_TTL: Duration = Duration::from_secs(365 * 24 * 3600);

/// What a valid guest link opens.
#[derive(Debug, Clone)]
pub struct GuestVisit {
    /// The session, after the visit marked it joined.
    pub session: Session,
}

/// A stored session as the contract shows it at `now`: status and end are derived from the
/// stored times, so expiry needs no background job.
pub(crate) fn session_at(row: &SessionRow, now: DateTime<Utc>) -> Result<Session, Error> {
    let stored: StoredSession = row.to_session()?;
    let ended_at = stored
        .ended_at
        .or((stored.expires_at <= now).then_some(stored.expires_at));
    let status = match (ended_at, stored.joined_at) {
        (Some(_), _) => SessionStatus::Ended,
        (None, Some(_)) => SessionStatus::Active,
        (None, None) => SessionStatus::Waiting,
    };
    Ok(Session {
        id: stored.id,
        title: stored.title,
        status,
        conversation_id: stored.conversation_id,
        created_at: stored.created_at,
        expires_at: stored.expires_at,
        ended_at,
        joined_at: stored.joined_at,
        outcome: ended_at.map(|_| stored.outcome.unwrap_or(SessionOutcome::Unknown)),
        report: stored.report,
    })
}

impl Engine {
    /// The link a guest opens for `token`.
    pub fn guest_url(&self, token: &Token) -> String {
        format!(
            "{}/support/guest/{}",
            self.inner.config.public_url,
            token.expose()
        )
    }

    /// Creates a support session with a fresh guest link.
    #[tracing::instrument(skip_all, fields(operator_id = %operator.id))]
    pub async fn create_session(
        &self,
        operator: &Operator,
        title: Option<SessionTitle>,
    ) -> Result<(Session, GuestLink), Error> {
        let now = self.now();
        let token = Token::generate();
        let row = SessionRow {
            id: Uuid::now_v7().to_string(),
            conversation_id: Uuid::now_v7().to_string(),
            title: title.map(|t| t.as_str().to_owned()),
            created_by: Some(operator.id.to_string()),
            token_hash: token.digest().as_str().to_owned(),
            created_at: to_millis(now),
            expires_at: to_millis(now + ttl(self.inner.config.guest_link_ttl)),
            joined_at: None,
            ended_at: None,
            outcome: None,
            report: None,
        };
        let mut tx = self.inner.store.begin().await?;
        tx.db()
            .insert_conversation(&row.conversation_id, "session", row.created_at)
            .await?;
        tx.db().insert_support_session(&row).await?;
        tx.commit().await?;
        tracing::info!(session_id = %row.id, "support session created");
        let link = GuestLink {
            guest_url: self.guest_url(&token),
            guest_token: token.expose().to_owned(),
        };
        Ok((session_at(&row, now)?, link))
    }

    /// Open or ended sessions, newest first; with an outcome, the ended ones that had it.
    pub async fn list_sessions(
        &self,
        filter: SessionFilter,
        outcome: Option<SessionOutcome>,
    ) -> Result<Vec<Session>, Error> {
        let now = self.now();
        self.inner
            .store
            .db()
            .support_sessions(filter, outcome, to_millis(now), SESSION_LIST_LIMIT)
            .await?
            .iter()
            .map(|row| session_at(row, now))
            .collect()
    }

    /// One session by id.
    pub async fn session(&self, id: Uuid) -> Result<Session, Error> {
        let row = self
            .inner
            .store
            .db()
            .support_session(id)
            .await?
            .ok_or(Error::NotFound("session"))?;
        session_at(&row, self.now())
    }

    /// Ends a session, with its operator's report when given (an ended session without one
    /// reads as `unknown`). Ending an ended session is fine: it changes nothing, except that a
    /// report given then replaces the one it had.
    #[tracing::instrument(skip(self, report))]
    pub async fn end_session(
        &self,
        id: Uuid,
        report: Option<SessionReport>,
    ) -> Result<Session, Error> {
        let now = self.now();
        let mut tx = self.inner.store.begin().await?;
        let row = tx
            .db()
            .end_support_session(id, to_millis(now), report.as_ref())
            .await?
            .ok_or(Error::NotFound("session"))?;
        let session = session_at(&row, now)?;
        // Sent on every call: a second "end" finds no sockets left to cut off, and a guest
        // that slipped in between the two gets cut off too.
        let ended = Event::frame(ServerFrame::SessionEnded {
            session_id: session.id,
        });
        self.commit_announcing(
            tx,
            vec![(Topic::Conversation(session.conversation_id), ended)],
        )
        .await?;
        tracing::info!("support session ended");
        Ok(session)
    }

    /// Replaces a session's guest link: the old token stops working at once and the new one
    /// gets a full lifetime. An ended or expired session gives `gone`.
    #[tracing::instrument(skip(self))]
    pub async fn rotate_link(&self, id: Uuid) -> Result<(Session, GuestLink), Error> {
        let now = self.now();
        let token = Token::generate();
        let expires = now + ttl(self.inner.config.guest_link_ttl);
        let mut tx = self.inner.store.begin().await?;
        let replaced = tx
            .db()
            .replace_guest_token(id, &token.digest(), to_millis(now), to_millis(expires))
            .await?;
        let session = self.session(id).await?;
        if !replaced {
            return Err(Error::Gone);
        }
        // Sockets opened with the old link hear this and close.
        let rotated = Event::LinkRotated {
            session_id: session.id,
        };
        self.commit_announcing(
            tx,
            vec![(Topic::Conversation(session.conversation_id), rotated)],
        )
        .await?;
        tracing::info!("guest link rotated");
        let link = GuestLink {
            guest_url: self.guest_url(&token),
            guest_token: token.expose().to_owned(),
        };
        Ok((session, link))
    }

    /// The session a guest token opens, without changing anything: `not_found` for an unknown
    /// token, `gone` once it ended or expired.
    pub async fn guest_session(&self, token: &Token) -> Result<Session, Error> {
        let row = self
            .inner
            .store
            .db()
            .support_session_by_token(&token.digest())
            .await?
            .ok_or(Error::NotFound("guest link"))?;
        let session = session_at(&row, self.now())?;
        if session.is_ended() {
            return Err(Error::Gone);
        }
        Ok(session)
    }

    /// A guest opens the link: as [`Engine::guest_session`], and the session becomes active.
    pub async fn visit_as_guest(&self, token: &Token) -> Result<GuestVisit, Error> {
        let mut session = self.guest_session(token).await?;
        if session.status == SessionStatus::Waiting {
            let now = self.now();
            self.inner
                .store
                .db()
                .mark_session_joined(session.id, to_millis(now))
                .await?;
            session.status = SessionStatus::Active;
            session.joined_at = Some(now);
        }
        Ok(GuestVisit { session })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::engine::testing::{engine_with, operator};
    use crate::engine::EngineConfig;

    #[tokio::test]
    async fn a_new_session_waits_then_becomes_active_when_a_guest_visits() {
        let (engine, _clock, _dir) = engine_with(EngineConfig::new("http://h")).await;
        let op = operator(&engine).await;
        let (session, link) = engine.create_session(&op, None).await.unwrap();
        assert_eq!(session.status, SessionStatus::Waiting);
        assert_eq!(
            link.guest_url,
            format!("http://h/support/guest/{}", link.guest_token)
        );
        let visit = engine
            .visit_as_guest(&Token::from_presented(&link.guest_token))
            .await
            .unwrap();
        assert_eq!(visit.session.status, SessionStatus::Active);
        assert_eq!(
            engine.session(session.id).await.unwrap().status,
            SessionStatus::Active
        );
    }

    #[tokio::test]
    async fn an_expired_link_is_gone_and_its_session_is_listed_as_ended() {
        let mut config = EngineConfig::new("http://h");
        config.guest_link_ttl = Duration::from_secs(60);
        let (engine, clock, _dir) = engine_with(config).await;
        let op = operator(&engine).await;
        let (session, link) = engine.create_session(&op, None).await.unwrap();
        clock.advance(Duration::from_secs(59));
        assert!(engine
            .guest_session(&Token::from_presented(&link.guest_token))
            .await
            .is_ok());
        clock.advance(Duration::from_secs(1));
        let err = engine
            .guest_session(&Token::from_presented(&link.guest_token))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Gone));
        let ended = engine
            .list_sessions(SessionFilter::Ended, None)
            .await
            .unwrap();
        assert_eq!(ended[0].id, session.id);
        assert_eq!(ended[0].ended_at, Some(ended[0].expires_at));
        assert!(matches!(
            engine.rotate_link(session.id).await.unwrap_err(),
            Error::Gone
        ));
    }

    #[tokio::test]
    async fn ending_twice_keeps_the_first_end_time() {
        let (engine, _clock, _dir) = engine_with(EngineConfig::new("http://h")).await;
        let op = operator(&engine).await;
        let (session, _) = engine.create_session(&op, None).await.unwrap();
        let first = engine.end_session(session.id, None).await.unwrap();
        let second = engine.end_session(session.id, None).await.unwrap();
        assert_eq!(first.status, SessionStatus::Ended);
        assert_eq!(first.ended_at, second.ended_at);
    }
}
