//! The idle run: opens operator/guest pairs at a steady connect rate, each socket subscribed to
//! its conversation and then silent (answering the server's pings), and reads the server's
//! resident memory at each checkpoint. The slope between checkpoints is the memory one more
//! idle socket costs, whatever the server's fixed part.

use std::time::Duration;

use anyhow::{bail, Context as _};
use futures_util::StreamExt;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::api::{open_subscribed, rss_kib, Api, PairSession};

/// What an idle run does.
pub struct IdleOptions {
    /// Socket counts at which to read the server's memory, ascending.
    pub checkpoints: Vec<usize>,
    /// New sockets per second.
    pub connect_rate: u64,
    /// How long to let the server settle before each reading.
    pub settle: Duration,
    /// The server's process.
    pub server_pid: u32,
}

/// Opens one socket, subscribes, reports when subscribed, then reads (and so answers pings)
/// until the server closes it.
async fn idle_socket(
    url: String,
    cookie: Option<String>,
    conversation_id: String,
    ready: mpsc::Sender<anyhow::Result<()>>,
) {
    let subscribed = async {
        let mut socket = open_subscribed(&url, cookie.as_deref(), &conversation_id, None).await?;
        while let Some(frame) = socket.next().await {
            if let Message::Text(text) = frame? {
                let frame: Value = serde_json::from_str(&text)?;
                match frame["type"].as_str() {
                    Some("subscribed") => return Ok(socket),
                    Some("error") => bail!("subscribe refused: {frame}"),
                    _ => {}
                }
            }
        }
        bail!("closed before subscribing")
    };
    match subscribed.await {
        Ok(mut socket) => {
            let _ = ready.send(Ok(())).await;
            while let Some(Ok(_)) = socket.next().await {}
            eprintln!("an idle socket was closed");
        }
        Err(err) => {
            let _ = ready.send(Err(err)).await;
        }
    }
}

/// Opens the pairs' sockets up to each checkpoint and prints the server's memory there.
pub async fn run(api: &Api, sessions: &[PairSession], options: &IdleOptions) -> anyhow::Result<()> {
    let ws = api.base.replacen("http", "ws", 1);
    let wanted = options.checkpoints.last().copied().unwrap_or(0);
    if sessions.len() * 2 < wanted {
        bail!("{wanted} sockets need {} sessions", wanted.div_ceil(2));
    }
    let rss = || rss_kib(options.server_pid).context("the server's process is gone");
    tokio::time::sleep(options.settle).await;
    let mut readings = vec![(0usize, rss()?)];
    println!("     sockets    RSS MiB   KiB/socket since the last reading");
    println!("{:>12} {:>10.1}", 0, readings[0].1 as f64 / 1024.0);
    let (ready_tx, mut ready_rx) = mpsc::channel(1024);
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(
        1.0 / options.connect_rate.max(1) as f64,
    ));
    let mut opened = 0usize;
    let mut connected = 0usize;
    for &checkpoint in &options.checkpoints {
        while opened < checkpoint {
            ticker.tick().await;
            let session = &sessions[opened / 2];
            let (url, cookie) = if opened.is_multiple_of(2) {
                (format!("{ws}/ws"), Some(api.cookie.clone()))
            } else {
                (format!("{ws}/ws?guest_token={}", session.guest_token), None)
            };
            tokio::spawn(idle_socket(
                url,
                cookie,
                session.conversation_id.clone(),
                ready_tx.clone(),
            ));
            opened += 1;
        }
        while connected < checkpoint {
            match tokio::time::timeout(Duration::from_secs(60), ready_rx.recv()).await {
                Ok(Some(Ok(()))) => connected += 1,
                Ok(Some(Err(err))) => bail!("a socket failed to open: {err:#}"),
                _ => bail!("only {connected} of {checkpoint} sockets opened within a minute"),
            }
        }
        tokio::time::sleep(options.settle).await;
        let (last_sockets, last_rss) = *readings.last().expect("the first reading");
        let now = rss()?;
        println!(
            "{checkpoint:>12} {:>10.1} {:>12.2}",
            now as f64 / 1024.0,
            now.saturating_sub(last_rss) as f64 / (checkpoint - last_sockets) as f64
        );
        readings.push((checkpoint, now));
    }
    let (first, last) = (readings[1], *readings.last().expect("readings"));
    if last.0 > first.0 {
        println!(
            "slope from {} to {} sockets: {:.2} KiB per socket",
            first.0,
            last.0,
            last.1.saturating_sub(first.1) as f64 / (last.0 - first.0) as f64,
        );
    }
    Ok(())
}
