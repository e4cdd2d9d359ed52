//! What a connection does with each frame the peer sends: parse it, count it against the
//! connection's windows, call the one use case it names, and answer. The loop that reads frames
//! and writes answers is in [`super::connection`].

use futures_util::Sink;
use switchboard::domain::{NewMessage, SendOptions};
use switchboard::hub::Topic;
use switchboard::wire::{close, ClientFrame, ErrorCode, ServerFrame};
use switchboard::Actor;
use uuid::Uuid;

use super::connection::{engine_error, error_frame, Connection, Outgoing};
use super::followers::Followed;
use super::forwarder::Forwarder;
use super::inbox::InboxFollower;

/// Typing notices are passed on at most this often per conversation and connection.
const TYPING_EVERY: chrono::TimeDelta = chrono::TimeDelta::seconds(2);

impl<S> Connection<S>
where
    S: Sink<Outgoing> + Unpin,
{
    /// Handles one text frame. `Err` when the sink is gone.
    pub(super) async fn handle_text(
        &mut self,
        text: &str,
    ) -> Result<Option<(u16, &'static str)>, ()> {
        let frame = match serde_json::from_str::<ClientFrame>(text) {
            Ok(frame) => frame,
            Err(err) => {
                let why = if serde_json::from_str::<serde_json::Value>(text).is_ok() {
                    format!("unknown or malformed frame: {err}")
                } else {
                    "not valid JSON".to_owned()
                };
                return Ok(self.bad_frame(&why).await);
            }
        };
        if matches!(
            frame,
            ClientFrame::Subscribe { .. }
                | ClientFrame::Read { .. }
                | ClientFrame::Typing { .. }
                | ClientFrame::View { .. }
                | ClientFrame::Unview { .. }
        ) {
            if let Some(refused) = self.action().await? {
                return Ok(refused);
            }
        }
        match frame {
            ClientFrame::Ping => self.send_frame(ServerFrame::Pong).await?,
            ClientFrame::Subscribe {
                conversation_id,
                after_seq,
            } => return self.subscribe(conversation_id, after_seq).await,
            ClientFrame::Send {
                conversation_id,
                client_id,
                content,
                attachments,
                internal,
                mentions,
                based_on_seq,
                force,
            } => {
                let options = SendOptions::parse(internal, &mentions, based_on_seq, force);
                let parsed = NewMessage::parse_keyed(&content, &client_id, &attachments)
                    .and_then(|message| Ok(message.with(options?)));
                self.post(conversation_id, client_id, parsed).await?
            }
            ClientFrame::View { conversation_id } => {
                let viewed = self
                    .engine
                    .view(&self.actor, conversation_id, self.id)
                    .await;
                if let Err(err) = viewed {
                    self.send_frame(engine_error(&err, None)).await?;
                }
            }
            ClientFrame::Unview { conversation_id } => {
                let unviewed = self
                    .engine
                    .unview(&self.actor, conversation_id, self.id)
                    .await;
                if let Err(err) = unviewed {
                    self.send_frame(engine_error(&err, None)).await?;
                }
            }
            ClientFrame::Read {
                conversation_id,
                up_to_seq,
            } => {
                if let Err(err) = self
                    .engine
                    .mark_read(&self.actor, conversation_id, up_to_seq)
                    .await
                {
                    self.send_frame(engine_error(&err, None)).await?;
                }
            }
            ClientFrame::Typing {
                conversation_id,
                internal,
            } => {
                let now = self.engine.now();
                let due = self
                    .last_typing
                    .get(&conversation_id)
                    .is_none_or(|t| now - *t >= TYPING_EVERY);
                if due {
                    self.last_typing.insert(conversation_id, now);
                    if let Err(err) = self
                        .engine
                        .typing(&self.actor, conversation_id, internal, self.id)
                        .await
                    {
                        self.send_frame(engine_error(&err, None)).await?;
                    }
                }
            }
            ClientFrame::SubscribeInbox => match *self.actor {
                Actor::Operator(_) => self.subscribe_inbox().await?,
                Actor::Guest { .. } | Actor::Customer { .. } => {
                    self.send_frame(error_frame(
                        ErrorCode::Forbidden,
                        "the inbox is for operators",
                        None,
                    ))
                    .await?
                }
            },
        }
        Ok(None)
    }

    async fn post(
        &mut self,
        conversation_id: Uuid,
        client_id: String,
        parsed: Result<NewMessage, switchboard::domain::Invalid>,
    ) -> Result<(), ()> {
        let echo = Some(client_id.clone());
        let message = match parsed {
            Ok(parsed) => parsed,
            Err(invalid) => {
                let frame = error_frame(ErrorCode::Invalid, invalid.to_string(), echo);
                return self.send_frame(frame).await;
            }
        };
        match self
            .engine
            .post(&self.actor, conversation_id, message)
            .await
        {
            Ok(posted) => {
                self.send_frame(ServerFrame::Ack {
                    client_id,
                    message: posted.message,
                })
                .await
            }
            Err(err) => self.send_frame(engine_error(&err, echo)).await,
        }
    }

    /// Starts following the inbox: every conversation's list item as it changes. Again is
    /// fine: the old follower is replaced.
    async fn subscribe_inbox(&mut self) -> Result<(), ()> {
        let events = self.engine.bus().subscribe(&Topic::Inbox);
        self.followers.stop(Followed::Inbox);
        self.send_frame(ServerFrame::InboxSubscribed).await?;
        let follower = InboxFollower {
            engine: self.engine.clone(),
            outbox: self.outbox.clone(),
        };
        self.followers.start(Followed::Inbox, follower.run(events));
        Ok(())
    }

    /// Starts following a conversation. Access is checked before the hub is joined, so a
    /// refused subscribe leaves nothing behind; refusals count as bad frames.
    async fn subscribe(
        &mut self,
        conversation_id: Uuid,
        after_seq: Option<i64>,
    ) -> Result<Option<(u16, &'static str)>, ()> {
        let after_seq = match switchboard::domain::parse_after_seq(after_seq) {
            Ok(n) => n,
            Err(invalid) => return Ok(self.bad_frame(&invalid.to_string()).await),
        };
        let last_seq = match self
            .engine
            .open_subscription(&self.actor, conversation_id)
            .await
        {
            Ok(last_seq) => last_seq,
            Err(err) => {
                if !self.bad_frames.hit(self.engine.now()) {
                    return Ok(Some((close::POLICY, "too many bad frames")));
                }
                self.send_frame(engine_error(&err, None)).await?;
                return Ok(None);
            }
        };
        // Listen before the forwarder reads the backlog, so nothing falls between the two.
        let events = self
            .engine
            .bus()
            .subscribe(&Topic::Conversation(conversation_id));
        self.followers.stop(Followed::Conversation(conversation_id));
        self.send_frame(ServerFrame::Subscribed {
            conversation_id,
            last_seq,
        })
        .await?;
        let forwarder = Forwarder {
            engine: self.engine.clone(),
            conversation_id,
            sent_up_to: after_seq,
            connection: self.id,
            actor: self.actor.clone(),
            outbox: self.outbox.clone(),
        };
        self.followers.start(
            Followed::Conversation(conversation_id),
            forwarder.run(events),
        );
        Ok(None)
    }
}
