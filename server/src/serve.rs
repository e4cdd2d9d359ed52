//! The accept loop: hyper with time limits on every idle moment of a connection, a cap on open
//! connections with a share per client network, WebSocket upgrades, and a graceful shutdown.
//!
//! `axum::serve` sets no header timeout, and hyper's protocol-detecting builder reads the first
//! bytes with no timer at all, while HTTP/2 keeps an idle connection for ever: a client that
//! opened connections and sent nothing (or only an HTTP/2 preface) could hold every slot.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::{Body as HttpBody, Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify, OwnedSemaphorePermit, Semaphore};
use tower::ServiceExt;

use crate::connections::{AddressShares, ShareHeld, ShareRefused};

/// How the loop treats connections.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// How long a client may take to send its first byte, and then a request's headers.
    pub header_timeout: Duration,
    /// How long a connection may stay open with no request in flight (HTTP/2 included).
    pub idle_timeout: Duration,
    /// Connections served at once; more are closed as soon as they are accepted.
    pub max_connections: usize,
    /// Each client network's share of `max_connections`, and who is exempt from it.
    pub shares: Arc<AddressShares>,
}

/// A connection's place under the caps (its slot and its network's share), given to each of
/// its requests: a WebSocket keeps a clone, so an upgraded connection counts until the socket
/// closes.
#[derive(Debug, Clone)]
pub struct ConnectionTicket(#[allow(dead_code)] Arc<(OwnedSemaphorePermit, ShareHeld)>);

/// How long shutting down waits for open connections to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Serves `app` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (stopping, stop_signal) = watch::channel(false);
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    builder.http2().timer(TokioTimer::new());
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors and the like: wait a moment instead of spinning.
                    tracing::warn!(error = %err, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::warn!("connection limit reached; closing a new connection");
            drop(stream);
            continue;
        };
        let share = match limits.shares.take(peer.ip()) {
            Ok(share) => share,
            Err(ShareRefused { network }) => {
                tracing::debug!(%network, "a client network's connection share is full");
                drop(stream);
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let connection = Connection {
            ticket: ConnectionTicket(Arc::new((slot, share))),
            app: app.clone(),
            builder: builder.clone(),
            peer,
            header_timeout: limits.header_timeout,
            idle_timeout: limits.idle_timeout,
            stop_signal: stop_signal.clone(),
        };
        tokio::spawn(connection.run(stream));
    }
    drop(listener);
    let _ = stopping.send(true);
    let all_closed = slots.acquire_many(limits.max_connections as u32);
    if tokio::time::timeout(SHUTDOWN_GRACE, all_closed)
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the shutdown grace period");
    }
}

/// One accepted connection and what it is served with.
struct Connection {
    ticket: ConnectionTicket,
    app: Router,
    builder: Builder<TokioExecutor>,
    peer: SocketAddr,
    header_timeout: Duration,
    idle_timeout: Duration,
    stop_signal: watch::Receiver<bool>,
}

impl Connection {
    /// Serves the connection to its end: closed unserved when no byte arrives within the header
    /// timeout, closed gracefully when it has been idle for the idle timeout or the server stops.
    async fn run(mut self, stream: TcpStream) {
        let mut first = [0u8; 1];
        match tokio::time::timeout(self.header_timeout, stream.peek(&mut first)).await {
            Ok(Ok(n)) if n > 0 => {}
            _ => return,
        }
        let activity = Arc::new(Activity::default());
        let service = {
            let (app, peer, activity) = (self.app.clone(), self.peer, activity.clone());
            let ticket = self.ticket.clone();
            hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(peer));
                request.extensions_mut().insert(ticket.clone());
                let in_flight = InFlight::start(activity.clone());
                let app = app.clone();
                async move {
                    let response = app.oneshot(request).await.unwrap_or_else(|e| match e {});
                    // The request counts as in flight until its body has been sent.
                    Ok::<_, Infallible>(response.map(|body| {
                        axum::body::Body::new(HeldBody {
                            body,
                            _in_flight: in_flight,
                        })
                    }))
                }
            })
        };
        let connection = self
            .builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service);
        tokio::pin!(connection);
        // Set once the connection is asked to close: a peer that never answers HTTP/2's
        // closing handshake (GOAWAY, then a PING to acknowledge) is cut off when it passes.
        let mut cut_off: Option<Pin<Box<tokio::time::Sleep>>> = None;
        loop {
            let closing = cut_off.is_some();
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(err) = result {
                        tracing::debug!(error = %err, "connection ended with an error");
                    }
                    return;
                }
                () = activity.idle_for(self.idle_timeout), if !closing => {
                    connection.as_mut().graceful_shutdown();
                    cut_off = Some(Box::pin(tokio::time::sleep(self.header_timeout)));
                }
                _ = self.stop_signal.wait_for(|stop| *stop), if !closing => {
                    connection.as_mut().graceful_shutdown();
                    cut_off = Some(Box::pin(tokio::time::sleep(SHUTDOWN_GRACE)));
                }
                () = async { cut_off.as_mut().expect("armed").await }, if closing => return,
            }
        }
    }
}

/// The requests in flight on one connection.
#[derive(Default)]
struct Activity {
    in_flight: AtomicUsize,
    changed: Notify,
}

impl Activity {
    /// Completes once no request has been in flight for `limit` in a row.
    async fn idle_for(&self, limit: Duration) {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            // Registered before the count is read, so a change in between still wakes us.
            changed.as_mut().enable();
            if self.in_flight.load(Ordering::Acquire) > 0 {
                changed.await;
                continue;
            }
            if tokio::time::timeout(limit, changed).await.is_err()
                && self.in_flight.load(Ordering::Acquire) == 0
            {
                return;
            }
        }
    }
}

/// One request in flight, until dropped.
struct InFlight(Arc<Activity>);

impl InFlight {
    fn start(activity: Arc<Activity>) -> Self {
        activity.in_flight.fetch_add(1, Ordering::AcqRel);
        activity.changed.notify_waiters();
        Self(activity)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
        self.0.changed.notify_waiters();
    }
}

/// A response body that keeps its request in flight until it is sent or dropped.
struct HeldBody {
    body: axum::body::Body,
    _in_flight: InFlight,
}

impl HttpBody for HeldBody {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
