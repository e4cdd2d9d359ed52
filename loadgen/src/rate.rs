//! The rate run: pairs exchange messages at a fixed total rate, alternating direction; it
//! reports the latency from send to delivery on the other side, the delivered rate, and the
//! server's resident memory before and after connecting.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::bail;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::api::{open_subscribed, rss_kib, Api, PairSession};

/// What a rate run does.
pub struct RateOptions {
    /// Where guests connect (another node), if not where operators do.
    pub guest_url: Option<String>,
    /// Operator/guest pairs.
    pub pairs: usize,
    /// Messages per second, in all.
    pub rate: u64,
    /// How long to send.
    pub seconds: u64,
    /// The server's process, for its memory.
    pub server_pid: Option<u32>,
}

/// Send times by client_id, shared by all sockets.
type InFlight = Arc<Mutex<HashMap<String, Instant>>>;

struct Stats {
    /// Each delivery's latency, with when its message was sent.
    latencies_us: Mutex<Vec<(Instant, u64)>>,
    delivered: AtomicU64,
}

/// One socket to open: where, as whom, in which conversation.
struct SocketPlan {
    url: String,
    cookie: Option<String>,
    conversation_id: String,
    /// The sender kind of this socket's own messages (`operator` or `guest`).
    own_kind: &'static str,
}

/// One socket: sends what it is given, records deliveries of the other side's messages.
async fn run_socket(
    plan: SocketPlan,
    mut outgoing: mpsc::Receiver<(String, String)>,
    ready: mpsc::Sender<()>,
    in_flight: InFlight,
    stats: Arc<Stats>,
) -> anyhow::Result<()> {
    let SocketPlan {
        url,
        cookie,
        conversation_id,
        own_kind,
    } = plan;
    let mut socket = open_subscribed(&url, cookie.as_deref(), &conversation_id, Some(0)).await?;
    let _ = ready.send(()).await;
    loop {
        tokio::select! {
            next = outgoing.recv() => match next {
                Some((client_id, content)) => {
                    let frame = json!({"type": "send", "conversation_id": conversation_id, "client_id": client_id, "content": content});
                    socket.send(Message::Text(frame.to_string().into())).await?;
                }
                None => return Ok(()),
            },
            incoming = socket.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    let frame: Value = serde_json::from_str(&text)?;
                    if frame["type"] == "message" && frame["message"]["sender"]["kind"] != own_kind {
                        let key = frame["message"]["client_id"].as_str().unwrap_or_default();
                        if let Some(sent) = in_flight.lock().unwrap().remove(key) {
                            let latency = sent.elapsed().as_micros() as u64;
                            stats.latencies_us.lock().unwrap().push((sent, latency));
                            stats.delivered.fetch_add(1, Ordering::Relaxed);
                        }
                    } else if frame["type"] == "error" {
                        eprintln!("server refused a frame: {frame}");
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => bail!("socket failed: {e}"),
                None => bail!("socket closed by the server"),
            },
        }
    }
}

/// The p99 latency of the messages sent in each second of the run, in order: where a tail
/// comes from in time.
fn p99_per_second(timed: &[(Instant, u64)], started: Instant, seconds: u64) -> String {
    let last = seconds.max(1) as usize - 1;
    let mut by_second = vec![Vec::new(); last + 1];
    for (sent, latency) in timed {
        let second = sent.saturating_duration_since(started).as_secs() as usize;
        by_second[second.min(last)].push(*latency);
    }
    by_second
        .iter_mut()
        .map(|latencies| {
            latencies.sort_unstable();
            format!("{:.0}", percentile(latencies, 99.0))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank] as f64 / 1000.0
}

/// Connects every pair, sends at the rate, and prints what it measured.
pub async fn run(api: &Api, sessions: &[PairSession], options: &RateOptions) -> anyhow::Result<()> {
    let ws_base = api.base.replacen("http", "ws", 1);
    let guest_ws_base = options.guest_url.as_deref().map_or(ws_base.clone(), |url| {
        url.trim_end_matches('/').replacen("http", "ws", 1)
    });
    let cookie = api.cookie.clone();
    let rss_before = options.server_pid.and_then(rss_kib);
    let in_flight: InFlight = Arc::new(Mutex::new(HashMap::new()));
    let stats = Arc::new(Stats {
        latencies_us: Mutex::new(Vec::new()),
        delivered: AtomicU64::new(0),
    });
    let (ready_tx, mut ready_rx) = mpsc::channel(options.pairs * 2);
    let mut senders = Vec::with_capacity(options.pairs * 2);
    let mut tasks = Vec::new();
    let connect_started = Instant::now();
    for PairSession {
        conversation_id,
        guest_token: token,
    } in sessions
    {
        for (own_kind, url, cookie) in [
            ("operator", format!("{ws_base}/ws"), Some(cookie.clone())),
            (
                "guest",
                format!("{guest_ws_base}/ws?guest_token={token}&guest_name=Load"),
                None,
            ),
        ] {
            let (tx, rx) = mpsc::channel(64);
            senders.push(tx);
            let plan = SocketPlan {
                url,
                cookie,
                conversation_id: conversation_id.clone(),
                own_kind,
            };
            tasks.push(tokio::spawn(run_socket(
                plan,
                rx,
                ready_tx.clone(),
                in_flight.clone(),
                stats.clone(),
            )));
        }
    }
    drop(ready_tx);
    let mut connected = 0;
    while connected < options.pairs * 2 {
        match tokio::time::timeout(Duration::from_secs(30), ready_rx.recv()).await {
            Ok(Some(())) => connected += 1,
            _ => break,
        }
    }
    println!(
        "connected {connected} of {} sockets in {:.1?}",
        options.pairs * 2,
        connect_started.elapsed()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_after = options.server_pid.and_then(rss_kib);

    let total = options.rate * options.seconds;
    let interval = Duration::from_secs_f64(1.0 / options.rate as f64);
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let send_started = Instant::now();
    for n in 0..total {
        ticker.tick().await;
        // Pairs round-robin; direction alternates every round.
        let pair = (n as usize) % options.pairs;
        let from_guest = (n as usize / options.pairs) % 2 == 1;
        let socket = pair * 2 + usize::from(from_guest);
        let client_id = format!("lg-{n}");
        in_flight
            .lock()
            .unwrap()
            .insert(client_id.clone(), Instant::now());
        let _ = senders[socket].try_send((client_id, format!("load message {n}")));
    }
    let send_time = send_started.elapsed();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !in_flight.lock().unwrap().is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let lost = in_flight.lock().unwrap().len();
    let timed = stats.latencies_us.lock().unwrap().clone();
    let mut latencies: Vec<u64> = timed.iter().map(|(_, latency)| *latency).collect();
    latencies.sort_unstable();
    let delivered = stats.delivered.load(Ordering::Relaxed);
    println!(
        "pairs: {}  target rate: {} msg/s  duration: {} s",
        options.pairs, options.rate, options.seconds
    );
    println!(
        "sent: {total} in {:.1?} ({:.0} msg/s)  delivered: {delivered}  undelivered after 10 s: {lost}",
        send_time,
        total as f64 / send_time.as_secs_f64()
    );
    println!(
        "latency send->delivery: p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        percentile(&latencies, 50.0),
        percentile(&latencies, 99.0),
        latencies.last().copied().unwrap_or(0) as f64 / 1000.0
    );
    println!(
        "p99 per second of sending (ms): {}",
        p99_per_second(&timed, send_started, options.seconds)
    );
    if let (Some(before), Some(after)) = (rss_before, rss_after) {
        println!(
            "server RSS: {:.1} MiB before connecting, {:.1} MiB with {connected} sockets ({:.1} KiB per socket)",
            before as f64 / 1024.0,
            after as f64 / 1024.0,
            (after.saturating_sub(before)) as f64 / connected.max(1) as f64
        );
    }
    for task in tasks {
        task.abort();
    }
    Ok(())
}
