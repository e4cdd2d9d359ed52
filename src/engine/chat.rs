//! The chat use cases: post, read back, mark read, typing, subscribe. Every door (WebSocket,
//! REST, server function) calls these.

use std::sync::Arc;

use super::announce::item_changed;
use uuid::Uuid;

use super::{session_at, Engine};
use crate::actor::{Actor, GuestStanding};
use crate::auth::Token;
use crate::domain::{ClientId, DisplayName, MessageBody, NewMessage, SendOptions};
use crate::error::Error;
use crate::hub::{Event, Topic};
use crate::store::{to_millis, MessageRow, NewMessageRow, SessionGuard, Standing};
use crate::wire::{Message, SenderKind, ServerFrame, Session};
use crate::writer::{Post, StoredPost};

/// What an actor wants to do in a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    /// Read it, mark it read, follow it, say "typing".
    Read,
    /// Add a message.
    Write,
}

/// The outcome of posting: the stored message, and whether this call stored it (`false` for a
/// repeated `client_id`).
#[derive(Debug, Clone)]
pub struct Posted {
    /// The stored message.
    pub message: Message,
    /// Whether it was stored by this call.
    pub created: bool,
}

impl Engine {
    /// The guest behind a link token, joining the session (it becomes active): for a socket or
    /// a post, which are what a person does. `not_found` for an unknown token, `gone` once the
    /// session ended.
    pub async fn guest_actor(
        &self,
        token: &Token,
        name: Option<DisplayName>,
    ) -> Result<(Actor, Session), Error> {
        let session = self.visit_as_guest(token).await?.session;
        Ok((guest_of(&session, token, name), session))
    }

    /// The guest behind a link token, without changing anything: for reads, which a link
    /// preview in a chat app may do without anybody joining.
    pub async fn guest_reader(&self, token: &Token) -> Result<(Actor, Session), Error> {
        let session = self.guest_session(token).await?;
        Ok((guest_of(&session, token, None), session))
    }

    /// Checks that `actor` may act in `conversation_id` now, with one query at most. Guests act
    /// only in their own session's conversation while it is open. Operators read any
    /// conversation, but write only where the session (if the conversation has one) is open.
    pub(super) async fn authorize(
        &self,
        actor: &Actor,
        conversation_id: Uuid,
        access: Access,
    ) -> Result<(), Error> {
        let Some(guard) = self.guard_for(actor, conversation_id, access)? else {
            return Ok(());
        };
        let session = self
            .inner
            .store
            .db()
            .session_by_conversation(conversation_id)
            .await?;
        let standing = session.as_ref().map(Standing::from);
        match guard.refusal(standing.as_ref(), to_millis(self.now())) {
            Some(refusal) => Err(refusal.into()),
            None => Ok(()),
        }
    }

    /// What [`Engine::authorize`] checks without the store: an error when `actor` may not act
    /// in `conversation_id` whatever its session's state, or else what its session must still
    /// be (`None` when nothing).
    fn guard_for(
        &self,
        actor: &Actor,
        conversation_id: Uuid,
        access: Access,
    ) -> Result<Option<SessionGuard>, Error> {
        match actor {
            Actor::Guest {
                conversation_id: own,
                ..
            }
            | Actor::Customer {
                conversation_id: own,
                ..
            } if *own != conversation_id => Err(Error::Forbidden("not your conversation")),
            // A customer's one conversation is theirs for good, while the token they came
            // with lasts: a socket opened before it expired acts no more (one whose token was
            // revoked is closed by its watcher).
            Actor::Customer { expires_at, .. } => match self.now() < *expires_at {
                true => Ok(None),
                false => Err(Error::Unauthorized(
                    "the widget token is unknown or expired; start a new widget session",
                )),
            },
            Actor::Guest { link, .. } => Ok(Some(SessionGuard::Link(link.as_str().to_owned()))),
            Actor::Operator(_) if access == Access::Read => Ok(None),
            Actor::Operator(_) => Ok(Some(SessionGuard::OpenIfAny)),
        }
    }

    /// The highest seq of a conversation; `not_found` when it does not exist.
    pub(super) async fn last_seq_of(&self, conversation_id: Uuid) -> Result<i64, Error> {
        self.inner
            .store
            .db()
            .last_seq(conversation_id)
            .await?
            .ok_or(Error::NotFound("conversation"))
    }

    /// Stores a message (idempotent on the sender's own `client_id`), then publishes it. A
    /// missing `client_id` gets a fresh one. Each sender may post `sends_per_window` messages per
    /// `send_window`, whichever door they use; a `client_id` that another sender used in the
    /// conversation is a `conflict`.
    pub async fn post_message(
        &self,
        actor: &Actor,
        conversation_id: Uuid,
        body: MessageBody,
        client_id: Option<ClientId>,
    ) -> Result<Posted, Error> {
        let message = NewMessage {
            body,
            client_id,
            options: SendOptions::default(),
            attachments: Vec::new(),
        };
        self.post(actor, conversation_id, message).await
    }

    /// [`Engine::post_message`] with an operator's options: a private note (only operators
    /// write one; its mentions must be active operators, who are alerted) and the collision
    /// guard (a message from anyone else after `based_on_seq` refuses the send with
    /// [`Error::Collision`], storing nothing).
    #[tracing::instrument(skip_all, fields(conversation_id = %conversation_id))]
    pub async fn post(
        &self,
        actor: &Actor,
        conversation_id: Uuid,
        message: NewMessage,
    ) -> Result<Posted, Error> {
        // A duration for monitoring, not a time of the domain: the engine's clock stands still
        // in tests.
        let started = std::time::Instant::now();
        let NewMessage {
            body,
            client_id,
            options,
            attachments,
        } = message;
        if options.internal && !actor.sees_notes() {
            return Err(Error::Forbidden("only operators write notes"));
        }
        if let Actor::Customer {
            customer_id,
            client,
            ..
        } = actor
        {
            self.through_customer_door(Some(&customer_id.to_string()), *client)
                .await?;
        }
        self.through_send_window(actor).await?;
        // An ended session's conversation is closed for operators too: its guest is gone. The
        // writer checks the session in the transaction that stores the message, so nothing is
        // stored after the session ended or the link was replaced.
        let guard = self.guard_for(actor, conversation_id, Access::Write)?;
        let mentions = self.mentioned(&options.mentions).await?;
        // A repeated send of a message with files finds them attached to itself: the writer
        // answers with the stored message, so they are not checked again.
        let repeated = match (&client_id, attachments.is_empty()) {
            (Some(key), false) => self
                .inner
                .store
                .db()
                .message_by_client_id(&conversation_id.to_string(), key.as_str())
                .await?
                .is_some(),
            _ => false,
        };
        let files = match repeated {
            true => Vec::new(),
            false => {
                self.attachable(actor, conversation_id, &attachments)
                    .await?
            }
        };
        let identity = actor.identity();
        let client_id =
            client_id.unwrap_or_else(|| ClientId::generated(Uuid::now_v7().to_string()));
        let new = NewMessageRow {
            id: Uuid::now_v7().to_string(),
            conversation_id: conversation_id.to_string(),
            sender_kind: identity.kind.as_str(),
            sender_id: Some(actor.sender_id().to_string()),
            sender_name: identity.name,
            content: body.as_str().to_owned(),
            client_id: client_id.as_str().to_owned(),
            created_at: to_millis(self.now()),
            internal: options.internal,
            mentions,
            attachments: match files.is_empty() {
                true => None,
                false => Some(serde_json::to_string(&files).map_err(anyhow::Error::new)?),
            },
        };
        let (sender_kind, sender_id) = (new.sender_kind, new.sender_id.clone());
        let post = Post {
            conversation_id,
            reopens: actor.kind() == SenderKind::Customer,
            emails: SenderKind::Customer.reads(actor.kind()) && !options.internal,
            based_on_seq: options.based_on_seq,
            attach: files.iter().map(|file| file.id.to_string()).collect(),
            new,
            guard,
        };
        // The writer announces what it stored, in commit order.
        let StoredPost {
            row,
            message,
            created,
        } = self
            .writer()
            .store(post)
            .await?
            .ok_or(Error::NotFound("conversation"))?;
        // Rows stored before senders were recorded for guests carry no sender id.
        let other_sender = row.sender_kind != sender_kind
            || (row.sender_id.is_some() && row.sender_id != sender_id);
        if !created && other_sender {
            return Err(Error::Conflict(
                "this client_id belongs to another sender's message; use a new one".to_owned(),
            ));
        }
        // Listeners may hold the message still; a copy costs less than reading the row again.
        let message = Arc::unwrap_or_clone(message);
        let metrics = self.metrics();
        metrics
            .post_duration
            .observe(started.elapsed().as_secs_f64());
        if created {
            metrics.messages_stored.inc();
            if let Actor::Operator(by) = actor {
                self.alert_mentions(by, &message);
            }
        }
        Ok(Posted { message, created })
    }

    /// Where a guest actor's link stands now, read from the store: for the socket's session
    /// watcher, when it starts and whenever it may have missed an event. An operator is always
    /// open. A database error is an error, never an end.
    pub async fn guest_standing(&self, actor: &Actor) -> Result<GuestStanding, Error> {
        let Actor::Guest {
            session_id, link, ..
        } = actor
        else {
            return Ok(GuestStanding::Open {
                expires_at: chrono::DateTime::<chrono::Utc>::MAX_UTC,
            });
        };
        let row = self
            .inner
            .store
            .db()
            .support_session(*session_id)
            .await?
            .ok_or(Error::NotFound("session"))?;
        let session = session_at(&row, self.now())?;
        Ok(if session.is_ended() {
            GuestStanding::Ended
        } else if row.token_hash != link.as_str() {
            GuestStanding::LinkReplaced
        } else {
            GuestStanding::Open {
                expires_at: session.expires_at,
            }
        })
    }

    /// Messages after `after_seq`, ascending, at most `limit`.
    pub async fn messages(
        &self,
        actor: &Actor,
        conversation_id: Uuid,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<Message>, Error> {
        self.authorize(actor, conversation_id, Access::Read).await?;
        self.last_seq_of(conversation_id).await?;
        self.read_back(actor, conversation_id, after_seq, limit)
            .await
    }

    /// Messages after `after_seq` that `actor` may see (private notes only for operators),
    /// without any other check: for a subscription that was authorized when it started (this
    /// runs on every replay and resync, so it is one query).
    pub async fn read_back(
        &self,
        actor: &Actor,
        conversation_id: Uuid,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<Message>, Error> {
        let rows = self
            .inner
            .store
            .db()
            .messages_after(conversation_id, after_seq, limit, actor.sees_notes())
            .await?;
        Ok(rows
            .iter()
            .map(MessageRow::to_message)
            .collect::<Result<_, _>>()?)
    }

    /// Authorizes a subscription and returns the highest seq `actor` may see: for guests and
    /// customers, that of the last message that is not a private note.
    pub async fn open_subscription(
        &self,
        actor: &Actor,
        conversation_id: Uuid,
    ) -> Result<i64, Error> {
        self.authorize(actor, conversation_id, Access::Read).await?;
        let last_seq = self.last_seq_of(conversation_id).await?;
        if actor.sees_notes() {
            return Ok(last_seq);
        }
        Ok(self
            .inner
            .store
            .db()
            .last_public_seq(conversation_id)
            .await?)
    }

    /// Marks the other side's messages read up to `up_to_seq` and, when that read any message,
    /// tells the conversation.
    pub async fn mark_read(
        &self,
        actor: &Actor,
        conversation_id: Uuid,
        up_to_seq: i64,
    ) -> Result<(), Error> {
        if up_to_seq < 0 {
            return Err(crate::domain::Invalid::new("up_to_seq", "must be 0 or more").into());
        }
        self.authorize(actor, conversation_id, Access::Read).await?;
        self.last_seq_of(conversation_id).await?;
        let mut tx = self.inner.store.begin().await?;
        let changed = tx
            .db()
            .mark_read(
                conversation_id,
                actor.reads_from(),
                up_to_seq,
                to_millis(self.now()),
            )
            .await?;
        // Published only when something was newly read: a read marker sent again (or a
        // thousand times) tells nobody anything.
        if changed == 0 {
            return Ok(());
        }
        let read = Event::frame(ServerFrame::Read {
            conversation_id,
            reader: actor.identity(),
            up_to_seq,
        });
        let events = vec![
            item_changed(conversation_id),
            (Topic::Conversation(conversation_id), read),
        ];
        self.commit_announcing(tx, events).await
    }

    /// Tells the conversation that `actor` is typing (a private note, when `internal`: then
    /// only operators hear of it); `origin` (a connection id) does not hear it back.
    pub async fn typing(
        &self,
        actor: &Actor,
        conversation_id: Uuid,
        internal: bool,
        origin: Uuid,
    ) -> Result<(), Error> {
        if internal && !actor.sees_notes() {
            return Err(Error::Forbidden("only operators write notes"));
        }
        self.authorize(actor, conversation_id, Access::Read).await?;
        if actor.sees_notes() {
            self.viewer_typing(conversation_id, origin).await?;
        }
        self.inner.bus.publish(
            &Topic::Conversation(conversation_id),
            Event::Frame {
                frame: Box::new(ServerFrame::Typing {
                    conversation_id,
                    who: actor.identity(),
                    internal,
                }),
                origin: Some(origin),
            },
        );
        Ok(())
    }

    /// What operators have unread per session id: the guests' messages they have not read.
    pub async fn unread_by_session(
        &self,
        session_ids: &[Uuid],
    ) -> Result<std::collections::HashMap<Uuid, i64>, Error> {
        let operators_read = SenderKind::Operator.read_senders();
        self.inner
            .store
            .db()
            .unread_per_session(session_ids, operators_read)
            .await?
            .into_iter()
            .map(|(id, n)| Ok((crate::store::rows::uuid_of("session id", &id)?, n)))
            .collect()
    }
}

/// The guest that holds `token` for `session`.
fn guest_of(session: &Session, token: &Token, name: Option<DisplayName>) -> Actor {
    Actor::Guest {
        session_id: session.id,
        conversation_id: session.conversation_id,
        name,
        link: token.digest(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use crate::clock::SystemClock;
    use crate::testing::{test_engine, test_operator};
    use crate::EngineConfig;

    async fn setup() -> (Engine, Actor, Actor, Session, tempfile::TempDir) {
        let mut config = EngineConfig::new("http://h");
        config.sends_per_window = 1000;
        setup_with(config).await
    }

    async fn setup_with(
        config: EngineConfig,
    ) -> (Engine, Actor, Actor, Session, tempfile::TempDir) {
        let (engine, dir) = test_engine(config, Arc::new(SystemClock)).await;
        let op = test_operator(&engine).await;
        let (session, link) = engine.create_session(&op, None).await.unwrap();
        let (guest, _) = engine
            .guest_actor(
                &Token::from_presented(&link.guest_token),
                DisplayName::parse("guest_name", "Ann").unwrap(),
            )
            .await
            .unwrap();
        (engine, Actor::Operator(op), guest, session, dir)
    }

    fn body(text: &str) -> MessageBody {
        MessageBody::parse(text).unwrap()
    }

    #[tokio::test]
    async fn seqs_start_at_one_and_a_repeated_client_id_stores_one_message() {
        let (engine, op, guest, session, _dir) = setup().await;
        let conv = session.conversation_id;
        let key = ClientId::parse("k1").ok();
        let first = engine
            .post_message(&guest, conv, body("hi"), key.clone())
            .await
            .unwrap();
        let again = engine
            .post_message(&guest, conv, body("hi"), key)
            .await
            .unwrap();
        let next = engine
            .post_message(&op, conv, body("hello"), None)
            .await
            .unwrap();
        assert!(first.created && !again.created);
        assert_eq!(first.message.id, again.message.id);
        assert_eq!((first.message.seq, next.message.seq), (1, 2));
        assert_eq!(first.message.sender.name.as_deref(), Some("Ann"));
        let all = engine.messages(&op, conv, 0, 100).await.unwrap();
        assert_eq!(all.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![1, 2]);
    }

    #[tokio::test]
    async fn concurrent_posts_get_distinct_gap_free_seqs() {
        let (engine, op, _guest, session, _dir) = setup().await;
        let conv = session.conversation_id;
        let mut tasks = Vec::new();
        for i in 0..40 {
            let (engine, op) = (engine.clone(), op.clone());
            tasks.push(tokio::spawn(async move {
                engine
                    .post_message(&op, conv, body(&format!("m{i}")), None)
                    .await
                    .unwrap()
                    .message
                    .seq
            }));
        }
        let mut seqs = Vec::new();
        for task in tasks {
            seqs.push(task.await.unwrap());
        }
        seqs.sort();
        assert_eq!(seqs, (1..=40).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_guest_may_not_touch_another_conversation_and_is_gone_after_the_end() {
        let (engine, op, guest, session, _dir) = setup().await;
        let Actor::Operator(operator) = &op else {
            unreachable!()
        };
        let (other, _) = engine.create_session(operator, None).await.unwrap();
        let err = engine
            .post_message(&guest, other.conversation_id, body("x"), None)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Forbidden(_)));
        engine.end_session(session.id, None).await.unwrap();
        let err = engine
            .post_message(&guest, session.conversation_id, body("x"), None)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Gone));
    }

    #[tokio::test]
    async fn a_replaced_link_and_an_ended_session_refuse_posts_and_store_nothing() {
        let (engine, op, guest, session, _dir) = setup().await;
        let conv = session.conversation_id;
        engine
            .post_message(&guest, conv, body("before"), None)
            .await
            .unwrap();
        let (_, link) = engine.rotate_link(session.id).await.unwrap();
        let err = engine
            .post_message(&guest, conv, body("old link"), None)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::NotFound("guest link")), "{err:?}");
        let (rejoined, _) = engine
            .guest_actor(&Token::from_presented(&link.guest_token), None)
            .await
            .unwrap();
        engine
            .post_message(&rejoined, conv, body("new link"), None)
            .await
            .unwrap();
        engine.end_session(session.id, None).await.unwrap();
        for actor in [&op, &rejoined] {
            let err = engine
                .post_message(actor, conv, body("after the end"), None)
                .await
                .unwrap_err();
            assert!(matches!(err, Error::Gone), "{err:?}");
        }
        let stored = engine.messages(&op, conv, 0, 100).await.unwrap();
        let stored: Vec<&str> = stored.iter().map(|m| m.content.as_str()).collect();
        assert!(
            stored.contains(&"before") && stored.contains(&"new link"),
            "{stored:?}"
        );
        assert!(
            !stored
                .iter()
                .any(|content| *content == "old link" || *content == "after the end"),
            "{stored:?}"
        );
    }

    #[tokio::test]
    async fn reading_marks_only_the_other_sides_messages() {
        let (engine, op, guest, session, _dir) = setup().await;
        let conv = session.conversation_id;
        engine
            .post_message(&guest, conv, body("q"), None)
            .await
            .unwrap();
        engine
            .post_message(&op, conv, body("a"), None)
            .await
            .unwrap();
        assert_eq!(
            engine.unread_by_session(&[session.id]).await.unwrap()[&session.id],
            1
        );
        engine.mark_read(&op, conv, 2).await.unwrap();
        let all = engine.messages(&op, conv, 0, 10).await.unwrap();
        assert!(all[0].read_at.is_some(), "the guest's message is read");
        assert!(all[1].read_at.is_none(), "the operator's own is not");
        assert!(engine
            .unread_by_session(&[session.id])
            .await
            .unwrap()
            .is_empty());
    }

    #[tokio::test]
    async fn a_sender_over_the_send_window_is_rate_limited_and_others_are_not() {
        let mut config = EngineConfig::new("http://h");
        config.sends_per_window = 2;
        let (engine, op, guest, session, _dir) = setup_with(config).await;
        let conv = session.conversation_id;
        for text in ["a", "b"] {
            engine
                .post_message(&guest, conv, body(text), None)
                .await
                .unwrap();
        }
        let err = engine
            .post_message(&guest, conv, body("c"), None)
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::RateLimited { retry_after_secs } if (1..=10).contains(&retry_after_secs))
        );
        engine
            .post_message(&op, conv, body("d"), None)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_client_id_another_sender_used_is_a_conflict_and_stores_nothing() {
        let (engine, op, guest, session, _dir) = setup().await;
        let conv = session.conversation_id;
        let key = ClientId::parse("shared-key").ok();
        engine
            .post_message(&guest, conv, body("from the guest"), key.clone())
            .await
            .unwrap();
        let err = engine
            .post_message(&op, conv, body("from the operator"), key)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Conflict(_)));
        let all = engine.messages(&op, conv, 0, 10).await.unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].content, "from the guest");
    }
}
