//! One WebSocket connection's loop, generic over the transport so it can run over channels in
//! unit tests and over axum's socket in the server.
//!
//! Shape: the loop owns the sink. Incoming frames are handled in order; a `subscribe` starts a
//! forwarder that subscribes to the hub first, then replays the store after `after_seq`, then
//! forwards live events, skipping what it already sent. Forwarders (and the other followers)
//! run inside the connection's task, polled by its loop, and feed a bounded queue; a client
//! that lets it fill up is disconnected and may resume later with `after_seq`.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{Sink, SinkExt, Stream, StreamExt};
use switchboard::hub::Topic;
use switchboard::limits::{span_of, SlidingWindow};
use switchboard::wire::{close, ErrorCode, ServerFrame};
use switchboard::{Actor, Engine};
use tokio::time::Instant;
use uuid::Uuid;

use super::followers::{Followed, Followers};
use super::queue::{queue, Outbox, Queued};
use super::watcher::{standing, Standing, Watched, Watcher};

/// A frame from the peer, as the loop sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// A text frame.
    Text(String),
    /// A binary frame (never valid here).
    Binary(usize),
    /// A ping or pong: only proves the peer is alive.
    Alive,
    /// The peer closed.
    Close,
    /// The peer sent a frame over the transport's size limit.
    TooBig,
    /// The peer sent a text frame that is not UTF-8.
    NotUtf8,
}

/// A frame to the peer.
#[derive(Debug, Clone, PartialEq)]
pub enum Outgoing {
    /// A JSON text frame.
    Text(String),
    /// A keep-alive ping.
    Ping,
    /// A close frame with a code and reason.
    Close(u16, &'static str),
}

/// The limits of one connection.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest text frame, in bytes.
    pub max_frame_bytes: usize,
    /// `subscribe`, `read` and `typing` frames allowed per `action_window`; past it they are
    /// refused and count as bad frames. (Messages have the sender's own window, in the engine.)
    pub actions_per_window: usize,
    /// The window for `actions_per_window`.
    pub action_window: Duration,
    /// Bad frames allowed per `bad_frame_window` before closing with 1008.
    pub bad_frames_allowed: usize,
    /// The window for `bad_frames_allowed`.
    pub bad_frame_window: Duration,
    /// How often the server pings.
    pub ping_every: Duration,
    /// How long the peer may stay silent.
    pub idle_timeout: Duration,
    /// Frames that may wait for a slow peer before it is disconnected.
    pub outgoing_queue: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_frame_bytes: 16 * 1024,
            actions_per_window: 60,
            action_window: Duration::from_secs(10),
            bad_frames_allowed: 20,
            bad_frame_window: Duration::from_secs(60),
            ping_every: Duration::from_secs(25),
            idle_timeout: Duration::from_secs(60),
            outgoing_queue: 256,
        }
    }
}

/// One of a connection's own windows (its actions, its bad frames), on the engine's clock.
pub(super) struct Window {
    max: usize,
    span: chrono::Duration,
    hits: SlidingWindow,
}

impl Window {
    fn new(max: usize, span: Duration) -> Self {
        Self {
            max,
            span: span_of(span),
            hits: SlidingWindow::default(),
        }
    }

    /// Counts a hit at `now`; `false` when it goes over the limit.
    pub(super) fn hit(&mut self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.hits.hit(self.max, self.span, now).is_ok()
    }
}

pub(super) fn encode(frame: &ServerFrame) -> Outgoing {
    Outgoing::Text(serde_json::to_string(frame).expect("server frames always serialize"))
}

pub(super) fn error_frame(
    code: ErrorCode,
    message: impl Into<String>,
    client_id: Option<String>,
) -> ServerFrame {
    ServerFrame::Error {
        code,
        message: message.into(),
        client_id,
        messages: None,
    }
}

pub(super) fn engine_error(err: &switchboard::Error, client_id: Option<String>) -> ServerFrame {
    if let switchboard::Error::Internal(inner) = err {
        tracing::error!(error = format!("{inner:#}"), "socket request failed");
    }
    let mut frame = error_frame(err.code(), err.public_message(), client_id);
    if let (ServerFrame::Error { messages, .. }, switchboard::Error::Collision(newer)) =
        (&mut frame, err)
    {
        *messages = Some(newer.clone());
    }
    frame
}

pub(super) struct Connection<S> {
    /// Unique across nodes: typing notices name the connection they came from.
    pub(super) id: Uuid,
    pub(super) engine: Engine,
    /// Shared with the followers and their reads of the store.
    pub(super) actor: Arc<Actor>,
    pub(super) limits: Limits,
    pub(super) sink: S,
    pub(super) outbox: Outbox,
    pub(super) followers: Followers,
    pub(super) actions: Window,
    pub(super) bad_frames: Window,
    pub(super) last_typing: HashMap<Uuid, chrono::DateTime<chrono::Utc>>,
}

/// Runs a connection until the peer leaves, is closed by a limit, or (guests) the session ends.
/// `welcome` is sent first.
///
/// Not an `async fn`: one moves its arguments into its body, so a future holds them twice (as
/// arguments and as the connection made of them), and every idle socket would pay for both.
/// The block below uses what it captures in place.
pub(super) fn run<S, R>(
    engine: Engine,
    actor: Actor,
    watched: Option<Watched>,
    welcome: ServerFrame,
    sink: S,
    mut stream: R,
    limits: Limits,
) -> impl Future<Output = ()>
where
    S: Sink<Outgoing> + Unpin,
    R: Stream<Item = Incoming> + Unpin,
{
    let (outbox, mut inbox) = queue(limits.outgoing_queue);
    let mut conn = Connection {
        id: Uuid::now_v7(),
        engine,
        actions: Window::new(limits.actions_per_window, limits.action_window),
        bad_frames: Window::new(limits.bad_frames_allowed, limits.bad_frame_window),
        limits,
        actor: Arc::new(actor),
        sink,
        outbox,
        followers: Followers::default(),
        last_typing: HashMap::new(),
    };
    let welcome = encode(&welcome);
    async move {
        if conn.sink.send(welcome).await.is_err() {
            return;
        }
        // The one-off steps with the store are boxed: a task's future is as large as its largest
        // await, and every idle socket would pay for the store's futures all its life.
        if let Err((code, reason)) = Box::pin(conn.watch_own_session(watched)).await {
            if let (close::SESSION_ENDED, Actor::Guest { session_id, .. }) = (code, &*conn.actor) {
                let ended = encode(&ServerFrame::SessionEnded {
                    session_id: *session_id,
                });
                let _ = conn.sink.send(ended).await;
            }
            let _ = conn.sink.send(Outgoing::Close(code, reason)).await;
            return;
        }
        if let Actor::Operator(operator) = &*conn.actor {
            let events = conn.engine.bus().subscribe(&Topic::Operator(operator.id));
            let alerts = super::inbox::forward_alerts(events, conn.outbox.clone());
            conn.followers.start(Followed::Alerts, alerts);
        }
        let mut ping = tokio::time::interval(conn.limits.ping_every);
        ping.tick().await;
        let mut last_seen = Instant::now();
        let close = loop {
            tokio::select! {
                incoming = stream.next() => match incoming {
                    None | Some(Incoming::Close) => break None,
                    Some(Incoming::TooBig) => break Some((close::TOO_BIG, "frame too large")),
                    Some(Incoming::NotUtf8) => break Some((close::NOT_UTF8, "text frames must be UTF-8")),
                    Some(Incoming::Alive) => last_seen = Instant::now(),
                    Some(Incoming::Binary(_)) => {
                        last_seen = Instant::now();
                        if let Some(close) = conn.bad_frame("binary frames are not supported").await {
                            break Some(close);
                        }
                    }
                    Some(Incoming::Text(text)) => {
                        last_seen = Instant::now();
                        if text.len() > conn.limits.max_frame_bytes {
                            break Some((close::TOO_BIG, "frame too large"));
                        }
                        match Box::pin(conn.handle_text(&text)).await {
                            Ok(None) => {}
                            Ok(Some(close)) => break Some(close),
                            Err(()) => break None,
                        }
                    }
                },
                queued = std::future::poll_fn(|cx| {
                    conn.followers.poll_progress(cx);
                    inbox.poll_take(cx)
                }) => match queued {
                    Queued::Frame(frame) => {
                        if conn.sink.send(encode(&frame)).await.is_err() {
                            break None;
                        }
                    }
                    // A follower's own close, or the queue's for a peer too slow for it.
                    Queued::Close(code, reason) => break Some((code, reason)),
                },
                _ = ping.tick() => {
                    if last_seen.elapsed() >= conn.limits.idle_timeout {
                        break Some((close::GOING_AWAY, "no sign of life"));
                    }
                    if conn.sink.send(Outgoing::Ping).await.is_err() {
                        break None;
                    }
                }
            }
        };
        conn.followers.stop_all();
        // Closing the socket takes everything it viewed off the screen, on every node.
        if conn.actor.sees_notes() {
            if let Err(err) = Box::pin(conn.engine.unview_all(conn.id)).await {
                tracing::warn!(error = %err, "clearing a closed socket's viewers failed");
            }
        }
        if let Some((code, reason)) = close {
            let _ = conn.sink.send(Outgoing::Close(code, reason)).await;
        }
        let _ = conn.sink.close().await;
    }
}

impl<S> Connection<S>
where
    S: Sink<Outgoing> + Unpin,
{
    /// Sends one frame. Not an `async fn`: one would keep the frame (224 bytes) across its
    /// await, and every future that sends one, the loop's among them, would carry it; this one
    /// keeps only the encoded text.
    pub(super) fn send_frame(
        &mut self,
        frame: ServerFrame,
    ) -> impl Future<Output = Result<(), ()>> + '_ {
        let text = encode(&frame);
        async move { self.sink.send(text).await.map_err(|_| ()) }
    }

    /// For a guest: cut the connection off when the session ends, when its link expires, or
    /// when the link is replaced, whether or not the guest subscribed. For a customer: cut it
    /// off when the widget token expires or is revoked. `Err` carries the close for one that
    /// may not stay: 4410 only for a real end, 4401 for a token gone, 1011 when the store failed.
    async fn watch_own_session(
        &mut self,
        watched: Option<Watched>,
    ) -> Result<(), (u16, &'static str)> {
        let Some(watched) = watched else {
            return Ok(());
        };
        let topic = match (&watched, self.actor.conversation()) {
            (Watched::SignIn { .. }, _) => Topic::Team,
            (_, Some(conversation_id)) => Topic::Conversation(conversation_id),
            (_, None) => return Ok(()),
        };
        let events = self.engine.bus().subscribe(&topic);
        // Subscribed first, then checked: an end between the handshake and now is not missed.
        let expires_at = match standing(&self.engine, &self.actor, &watched).await? {
            Standing::Open(expires_at) => expires_at,
            Standing::Close(code, reason) => return Err((code, reason)),
        };
        let watcher = Watcher {
            engine: self.engine.clone(),
            actor: self.actor.clone(),
            watched: Arc::new(watched),
            expires_at,
            outbox: self.outbox.clone(),
        };
        self.followers.start(Followed::Watcher, watcher.run(events));
        Ok(())
    }

    /// Counts a `subscribe`, `read` or `typing` frame; past the window it is answered as
    /// `rate_limited` and counted as a bad frame. `Ok(None)` lets it through.
    pub(super) async fn action(&mut self) -> Result<Option<Option<(u16, &'static str)>>, ()> {
        if self.actions.hit(self.engine.now()) {
            return Ok(None);
        }
        if !self.bad_frames.hit(self.engine.now()) {
            return Ok(Some(Some((close::POLICY, "too many bad frames"))));
        }
        self.send_frame(error_frame(
            ErrorCode::RateLimited,
            "too many requests; wait a few seconds",
            None,
        ))
        .await?;
        Ok(Some(None))
    }

    /// Counts a bad frame and answers it; returns the close to do when there were too many.
    pub(super) async fn bad_frame(&mut self, why: &str) -> Option<(u16, &'static str)> {
        if !self.bad_frames.hit(self.engine.now()) {
            return Some((close::POLICY, "too many bad frames"));
        }
        let _ = self
            .send_frame(error_frame(ErrorCode::Invalid, why, None))
            .await;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ws::testing::engine_with_session_and_pool;
    use futures::channel::mpsc as chan;
    use switchboard::store::PoolSize;
    use switchboard::EngineConfig;

    struct Harness {
        to_loop: chan::UnboundedSender<Incoming>,
        from_loop: chan::UnboundedReceiver<Outgoing>,
        conversation_id: Uuid,
        engine: Engine,
        _dir: tempfile::TempDir,
    }

    impl Harness {
        async fn next(&mut self) -> Outgoing {
            loop {
                let out = tokio::time::timeout(Duration::from_secs(5), self.from_loop.next())
                    .await
                    .expect("the loop answers within 5 s")
                    .expect("the loop is still running");
                if out != Outgoing::Ping {
                    return out;
                }
            }
        }

        async fn json(&mut self) -> serde_json::Value {
            match self.next().await {
                Outgoing::Text(text) => serde_json::from_str(&text).unwrap(),
                other => panic!("expected text, got {other:?}"),
            }
        }

        fn say(&self, text: &str) {
            self.to_loop
                .unbounded_send(Incoming::Text(text.to_owned()))
                .unwrap();
        }
    }

    /// Runs the loop for an operator over channels, with a real engine on a temporary database.
    async fn harness(limits: Limits) -> Harness {
        harness_with_pool(limits, PoolSize::default()).await
    }

    /// As [`harness`], with a pool of `size` connections for the engine's reads.
    async fn harness_with_pool(limits: Limits, size: PoolSize) -> Harness {
        let (engine, actor, conversation_id, dir) = engine_with_session_and_pool(size).await;
        let welcome = ServerFrame::Welcome {
            identity: actor.identity(),
            conversation_id: None,
            session: None,
        };
        let (to_loop, incoming) = chan::unbounded();
        let (outgoing, from_loop) = chan::unbounded();
        tokio::spawn(run(
            engine.clone(),
            actor,
            // Signed in through the engine, not a cookie: no sign-in to watch.
            None,
            welcome,
            outgoing,
            incoming,
            limits,
        ));
        let mut h = Harness {
            to_loop,
            from_loop,
            conversation_id,
            engine,
            _dir: dir,
        };
        assert_eq!(h.json().await["type"], "welcome");
        h
    }

    #[tokio::test]
    async fn the_loop_answers_ping_with_pong_and_invalid_json_with_an_error() {
        let mut h = harness(Limits::default()).await;
        h.say(r#"{"type":"ping"}"#);
        assert_eq!(h.json().await["type"], "pong");
        h.say("{");
        let error = h.json().await;
        assert_eq!(error["code"], "invalid");
        h.say(r#"{"type":"ping"}"#);
        assert_eq!(h.json().await["type"], "pong");
    }

    #[tokio::test]
    async fn a_send_is_acked_then_echoed_to_the_subscribed_sender() {
        let mut h = harness(Limits::default()).await;
        let conv = h.conversation_id;
        h.say(&format!(
            r#"{{"type":"subscribe","conversation_id":"{conv}"}}"#
        ));
        assert_eq!(h.json().await["type"], "subscribed");
        h.say(&format!(
            r#"{{"type":"send","conversation_id":"{conv}","client_id":"c1","content":"hi"}}"#
        ));
        let ack = h.json().await;
        assert_eq!(
            (ack["type"].as_str(), ack["message"]["seq"].as_i64()),
            (Some("ack"), Some(1))
        );
        let echo = h.json().await;
        assert_eq!(echo["type"], "message");
        assert_eq!(echo["message"]["client_id"], "c1");
    }

    #[tokio::test]
    async fn a_replay_in_flight_does_not_hold_up_the_loops_own_reads_of_the_store() {
        // One connection for reads: a replay that the loop stopped polling would keep it while
        // the loop's post waits for it, and the post would time out instead of being acked.
        let mut h = harness_with_pool(
            Limits::default(),
            PoolSize {
                max_connections: 1,
                ..PoolSize::default()
            },
        )
        .await;
        let conv = h.conversation_id;
        // Each round starts a replay and posts at once; the loop picks either first, at random.
        // Fifteen rounds stay within the sender's window.
        for n in 0..15 {
            h.say(&format!(
                r#"{{"type":"subscribe","conversation_id":"{conv}","after_seq":0}}"#
            ));
            h.say(&format!(
                r#"{{"type":"send","conversation_id":"{conv}","client_id":"r{n}","content":"x"}}"#
            ));
            let mut replayed = 0;
            let ack = loop {
                let frame = h.json().await;
                match frame["type"].as_str() {
                    Some("ack") => break frame,
                    Some("message") => replayed += 1,
                    Some("subscribed") => {}
                    other => panic!("unexpected frame {other:?}: {frame}"),
                }
            };
            assert_eq!(
                (ack["client_id"].as_str(), ack["message"]["seq"].as_i64()),
                (Some(format!("r{n}").as_str()), Some(n + 1))
            );
            // The replay and the live echo together bring every message up to this one.
            while replayed < n + 1 {
                assert_eq!(h.json().await["type"], "message");
                replayed += 1;
            }
        }
    }

    #[tokio::test]
    async fn too_many_bad_frames_close_with_1008() {
        let limits = Limits {
            bad_frames_allowed: 2,
            ..Limits::default()
        };
        let mut h = harness(limits).await;
        h.say("x");
        h.say("y");
        assert_eq!(h.json().await["code"], "invalid");
        assert_eq!(h.json().await["code"], "invalid");
        h.say("z");
        assert_eq!(
            h.next().await,
            Outgoing::Close(close::POLICY, "too many bad frames")
        );
    }

    #[tokio::test]
    async fn an_oversized_frame_closes_with_1009() {
        let limits = Limits {
            max_frame_bytes: 10,
            ..Limits::default()
        };
        let mut h = harness(limits).await;
        h.say(r#"{"type":"ping","padding":"........"}"#);
        assert_eq!(
            h.next().await,
            Outgoing::Close(close::TOO_BIG, "frame too large")
        );
    }

    #[tokio::test]
    async fn a_silent_peer_is_pinged_and_then_dropped() {
        let limits = Limits {
            ping_every: Duration::from_millis(50),
            idle_timeout: Duration::from_millis(200),
            ..Limits::default()
        };
        let mut h = harness(limits).await;
        let first = tokio::time::timeout(Duration::from_secs(2), h.from_loop.next())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first, Outgoing::Ping);
        assert_eq!(
            h.next().await,
            Outgoing::Close(close::GOING_AWAY, "no sign of life")
        );
    }

    #[tokio::test]
    async fn sends_over_the_senders_window_are_rate_limited_with_the_client_id() {
        let mut h = harness(Limits::default()).await;
        let conv = h.conversation_id;
        let allowed = EngineConfig::new("http://h").sends_per_window;
        for n in 0..=allowed {
            h.say(&format!(
                r#"{{"type":"send","conversation_id":"{conv}","client_id":"k{n}","content":"x"}}"#
            ));
        }
        for _ in 0..allowed {
            assert_eq!(h.json().await["type"], "ack");
        }
        let refused = h.json().await;
        assert_eq!(refused["code"], "rate_limited");
        assert_eq!(refused["client_id"], format!("k{allowed}"));
    }

    #[tokio::test]
    async fn refused_subscribes_leave_no_topic_behind_and_too_many_close_the_socket() {
        let limits = Limits {
            bad_frames_allowed: 50,
            ..Limits::default()
        };
        let mut h = harness(limits).await;
        for n in 0..50u128 {
            let other = Uuid::from_u128(n + 1);
            h.say(&format!(
                r#"{{"type":"subscribe","conversation_id":"{other}"}}"#
            ));
            assert_eq!(h.json().await["code"], "not_found");
        }
        // Only the operator's own alerts' topic, which the connection follows from the start.
        assert_eq!(h.engine.bus().topic_count(), 1);
        h.say(&format!(
            r#"{{"type":"subscribe","conversation_id":"{}"}}"#,
            Uuid::from_u128(999)
        ));
        assert_eq!(
            h.next().await,
            Outgoing::Close(close::POLICY, "too many bad frames")
        );
    }

    #[tokio::test]
    async fn read_and_typing_frames_past_the_window_are_refused_then_close_the_socket() {
        let limits = Limits {
            actions_per_window: 3,
            bad_frames_allowed: 2,
            ..Limits::default()
        };
        let mut h = harness(limits).await;
        let conv = h.conversation_id;
        for _ in 0..3 {
            h.say(&format!(
                r#"{{"type":"read","conversation_id":"{conv}","up_to_seq":0}}"#
            ));
        }
        h.say(&format!(
            r#"{{"type":"typing","conversation_id":"{conv}"}}"#
        ));
        assert_eq!(h.json().await["code"], "rate_limited");
        h.say(&format!(
            r#"{{"type":"typing","conversation_id":"{conv}"}}"#
        ));
        assert_eq!(h.json().await["code"], "rate_limited");
        h.say(&format!(
            r#"{{"type":"typing","conversation_id":"{conv}"}}"#
        ));
        assert_eq!(
            h.next().await,
            Outgoing::Close(close::POLICY, "too many bad frames")
        );
    }
}
