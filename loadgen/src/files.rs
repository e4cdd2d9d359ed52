//! The files run: rounds of concurrent uploads (each into a session of its own, so that no
//! conversation's quota fills) while pairs chat at a rate; it reports each round's throughput,
//! the chat latency the rate run measures meanwhile, and the server's peak resident memory.

use std::time::{Duration, Instant};

use anyhow::bail;

use crate::api::{hwm_kib, Api};
use crate::rate::{self, RateOptions};

/// What a files run does.
pub struct FilesOptions {
    /// Uploads at once in each round.
    pub uploads: usize,
    /// Bytes of each file.
    pub size: usize,
    /// The chat run beside them.
    pub rate: RateOptions,
}

/// A PDF of `size` bytes whose body does not compress (like a real one's streams do not).
fn incompressible_pdf(size: usize, seed: u64) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    let mut state = seed | 1;
    while bytes.len() < size {
        // xorshift64: cheap bytes that gzip cannot shrink.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(size);
    bytes
}

/// Uploads rounds of files until the chat run ends, then prints what it measured.
pub async fn run(api: &Api, options: FilesOptions) -> anyhow::Result<()> {
    let sessions = {
        let mut made = Vec::new();
        for _ in 0..options.rate.pairs {
            made.push(api.create_session().await?);
        }
        made
    };
    let server_pid = options.rate.server_pid;
    let hwm_before = server_pid.and_then(hwm_kib);
    let seconds = options.rate.seconds;
    let chat = {
        let (api_base, sessions) = (api.clone(), sessions.clone());
        let rate = options.rate;
        tokio::spawn(async move { rate::run(&api_base, &sessions, &rate).await })
    };
    // Uploads start once the sockets have connected and the chat is under way.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let files: Vec<Vec<u8>> = (0..options.uploads)
        .map(|n| incompressible_pdf(options.size, n as u64 + 1))
        .collect();
    let until = Instant::now() + Duration::from_secs(seconds.saturating_sub(5));
    let mut rounds = Vec::new();
    while Instant::now() < until {
        let mut targets = Vec::new();
        for _ in 0..options.uploads {
            targets.push(api.create_session().await?.conversation_id);
        }
        let started = Instant::now();
        let mut tasks = Vec::new();
        for (conversation, bytes) in targets.into_iter().zip(files.iter().cloned()) {
            let api = api.clone();
            tasks.push(tokio::spawn(async move {
                api.upload(&conversation, "load.pdf", bytes).await
            }));
        }
        for task in tasks {
            let status = task.await??;
            if status != 201 {
                bail!("an upload was answered {status}");
            }
        }
        rounds.push(started.elapsed());
    }
    chat.await??;
    let mib = (options.uploads * options.size) as f64 / (1024.0 * 1024.0);
    for (n, took) in rounds.iter().enumerate() {
        println!(
            "round {}: {} uploads of {:.1} MiB in {:.2} s = {:.1} MiB/s",
            n + 1,
            options.uploads,
            options.size as f64 / (1024.0 * 1024.0),
            took.as_secs_f64(),
            mib / took.as_secs_f64()
        );
    }
    let total: Duration = rounds.iter().sum();
    if !rounds.is_empty() {
        println!(
            "uploads: {} rounds, {:.1} MiB/s over all",
            rounds.len(),
            mib * rounds.len() as f64 / total.as_secs_f64()
        );
    }
    if let (Some(before), Some(after)) = (hwm_before, server_pid.and_then(hwm_kib)) {
        println!(
            "server peak resident memory: {:.1} MiB before, {:.1} MiB after",
            before as f64 / 1024.0,
            after as f64 / 1024.0
        );
    }
    Ok(())
}
