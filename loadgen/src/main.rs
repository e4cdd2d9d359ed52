//! `loadgen`: benchmarks, not tests. Three runs:
//!
//! - `rate` (the default): signs in as an operator, creates one support session per pair,
//!   connects an operator socket and a guest socket for each, and sends messages at a fixed
//!   total rate, alternating direction. It reports the latency from send to delivery on the
//!   other side (p50, p99, max), the delivered rate, and the server's resident memory before and
//!   after connecting (with `--server-pid`). With `--guest-url`, guests connect to another node.
//! - `idle`: opens pairs at `--connect-rate` sockets per second up to each of `--checkpoints`,
//!   each socket subscribed and then silent, and prints the server's memory at each checkpoint
//!   and the slope (KiB per socket). Needs `--server-pid`.
//! - `files`: the rate run, plus rounds of `--uploads` concurrent uploads of `--size-mib` MiB
//!   each (an operator's, each into a session of its own) while it runs; it prints each round's
//!   throughput and the server's peak memory (with `--server-pid`).
//! - `chaos`: starts its own nodes of `--binary` (one on SQLite, or `--postgres URL --nodes 2`),
//!   lets pairs chat while it kills nodes with SIGKILL and drops client connections, and prints
//!   what was sent, acknowledged, stored and delivered, and what was lost, duplicated or out of
//!   order. It exits with 1 unless all of those are 0.
//!
//! ```text
//! ulimit -n $(ulimit -Hn)
//! loadgen --url http://127.0.0.1:3000 --email admin@localhost --password '...' \
//!     --pairs 1000 --rate 500 --seconds 30 --server-pid $(pgrep -f 'switchboard serve')
//! loadgen idle --url ... --email ... --password ... --checkpoints 2000,10000,19000 \
//!     --connect-rate 2000 --server-pid PID
//! loadgen chaos --binary target/release/switchboard --pairs 50 --seconds 60 --kills 6 --drops 1200
//! loadgen chaos --binary target/release/switchboard --postgres postgres://postgres@127.0.0.1:5432 --nodes 2 ...
//! ```

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use loadgen::api::{Api, PairSession};
use loadgen::chaos::{self, ChaosOptions};
use loadgen::files::{self, FilesOptions};
use loadgen::idle::{self, IdleOptions};
use loadgen::nodes::Cluster;
use loadgen::rate::{self, RateOptions};

#[derive(PartialEq, Eq)]
enum Mode {
    Rate,
    Idle,
    Files,
    Chaos,
}

struct Options {
    mode: Mode,
    url: String,
    guest_url: Option<String>,
    email: String,
    password: String,
    pairs: usize,
    rate: u64,
    seconds: u64,
    server_pid: Option<u32>,
    checkpoints: Vec<usize>,
    connect_rate: u64,
    binary: Option<PathBuf>,
    postgres: Option<String>,
    nodes: usize,
    kills: usize,
    drops: usize,
    uploads: usize,
    size_mib: usize,
}

const USAGE: &str = "\
loadgen [rate] --url URL [--guest-url URL] --email E --password P [--pairs N] [--rate MSG_PER_S] [--seconds S] [--server-pid PID]
loadgen idle --url URL --email E --password P --checkpoints N,N,.. [--connect-rate SOCKETS_PER_S] --server-pid PID
loadgen files --url URL --email E --password P [--uploads N] [--size-mib M] [rate options]
loadgen chaos --binary PATH [--postgres URL --nodes N] [--pairs N] [--seconds S] [--kills K] [--drops D]";

fn parse_options() -> anyhow::Result<Options> {
    let mut options = Options {
        mode: Mode::Rate,
        url: "http://127.0.0.1:3000".into(),
        guest_url: None,
        email: String::new(),
        password: String::new(),
        pairs: 100,
        rate: 100,
        seconds: 20,
        server_pid: None,
        checkpoints: vec![2_000, 10_000],
        connect_rate: 1_000,
        binary: None,
        postgres: None,
        nodes: 1,
        kills: 5,
        drops: 1_000,
        uploads: 20,
        size_mib: 10,
    };
    let mut args = std::env::args().skip(1).peekable();
    match args.peek().map(String::as_str) {
        Some("rate") => options.mode = Mode::Rate,
        Some("idle") => options.mode = Mode::Idle,
        Some("chaos") => options.mode = Mode::Chaos,
        Some("files") => options.mode = Mode::Files,
        _ => {}
    }
    if options.mode != Mode::Rate || args.peek().map(String::as_str) == Some("rate") {
        args.next();
    }
    while let Some(flag) = args.next() {
        let mut value = || args.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => options.url = value()?,
            "--guest-url" => options.guest_url = Some(value()?),
            "--email" => options.email = value()?,
            "--password" => options.password = value()?,
            "--pairs" => options.pairs = value()?.parse()?,
            "--rate" => options.rate = value()?.parse()?,
            "--seconds" => options.seconds = value()?.parse()?,
            "--server-pid" => options.server_pid = Some(value()?.parse()?),
            "--checkpoints" => {
                options.checkpoints = value()?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()?
            }
            "--connect-rate" => options.connect_rate = value()?.parse()?,
            "--binary" => options.binary = Some(value()?.into()),
            "--postgres" => options.postgres = Some(value()?),
            "--nodes" => options.nodes = value()?.parse()?,
            "--kills" => options.kills = value()?.parse()?,
            "--drops" => options.drops = value()?.parse()?,
            "--uploads" => options.uploads = value()?.parse()?,
            "--size-mib" => options.size_mib = value()?.parse()?,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown option {other}\n{USAGE}"),
        }
    }
    if options.mode != Mode::Chaos && (options.email.is_empty() || options.password.is_empty()) {
        bail!("--email and --password are required");
    }
    Ok(options)
}

/// Creates `count` support sessions, 16 at a time.
async fn create_sessions(api: &Api, count: usize) -> anyhow::Result<Vec<PairSession>> {
    use futures_util::{StreamExt as _, TryStreamExt as _};
    let started = Instant::now();
    let sessions: Vec<PairSession> = futures_util::stream::iter(0..count)
        .map(|_| api.create_session())
        .buffer_unordered(16)
        .try_collect()
        .await?;
    println!(
        "created {} sessions in {:.1?}",
        sessions.len(),
        started.elapsed()
    );
    Ok(sessions)
}

async fn chaos_run(options: &Options) -> anyhow::Result<bool> {
    let binary = options.binary.as_deref().context("chaos needs --binary")?;
    let mut cluster = match &options.postgres {
        Some(server) => Cluster::postgres(binary, server, options.nodes.max(1)).await?,
        None if options.nodes > 1 => bail!("several nodes need --postgres"),
        None => Cluster::sqlite(binary).await?,
    };
    let chaos_options = ChaosOptions {
        pairs: options.pairs,
        duration: Duration::from_secs(options.seconds),
        send_every: Duration::from_millis(50),
        kills: options.kills,
        drops: options.drops,
        window: 8,
        settle: Duration::from_secs(30),
    };
    println!(
        "chaos: {} node(s) on {}, {} pairs, {} s, one message per party every 50 ms",
        cluster.nodes.len(),
        if options.postgres.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        options.pairs,
        options.seconds
    );
    let report = chaos::run(&mut cluster.nodes, &chaos_options).await;
    cluster.remove().await?;
    let report = report?;
    println!("{report}");
    Ok(report.clean())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = parse_options()?;
    match options.mode {
        Mode::Chaos => {
            if !chaos_run(&options).await? {
                std::process::exit(1);
            }
            Ok(())
        }
        Mode::Idle => {
            let api = Api::sign_in(&options.url, &options.email, &options.password).await?;
            let wanted = options.checkpoints.iter().max().copied().unwrap_or(0);
            let sessions = create_sessions(&api, wanted.div_ceil(2)).await?;
            let idle_options = IdleOptions {
                checkpoints: options.checkpoints,
                connect_rate: options.connect_rate,
                settle: Duration::from_secs(3),
                server_pid: options.server_pid.context("idle needs --server-pid")?,
            };
            idle::run(&api, &sessions, &idle_options).await
        }
        Mode::Files => {
            let api = Api::sign_in(&options.url, &options.email, &options.password).await?;
            let files_options = FilesOptions {
                uploads: options.uploads,
                size: options.size_mib << 20,
                rate: RateOptions {
                    guest_url: options.guest_url,
                    pairs: options.pairs,
                    rate: options.rate,
                    seconds: options.seconds,
                    server_pid: options.server_pid,
                },
            };
            files::run(&api, files_options).await
        }
        Mode::Rate => {
            let api = Api::sign_in(&options.url, &options.email, &options.password).await?;
            let sessions = create_sessions(&api, options.pairs).await?;
            let rate_options = RateOptions {
                guest_url: options.guest_url,
                pairs: options.pairs,
                rate: options.rate,
                seconds: options.seconds,
                server_pid: options.server_pid,
            };
            rate::run(&api, &sessions, &rate_options).await
        }
    }
}
