//! `loadgen`: a benchmark, not a test. It signs in as an operator, creates one support session
//! per pair, connects an operator socket and a guest socket for each, and then sends messages at
//! a fixed total rate, alternating direction. It reports the latency from send to delivery on
//! the other side (p50, p99, max), the delivered rate, and the server's resident memory before
//! and after connecting (with `--server-pid`). With `--guest-url`, guests connect to another
//! node than operators (several nodes on one PostgreSQL database).
//!
//! ```text
//! ulimit -n 8192
//! cargo run --release -p loadgen -- --url http://127.0.0.1:3000 \
//!     --email admin@localhost --password '...' --pairs 1000 --rate 500 --seconds 30 \
//!     --server-pid $(pgrep -f 'switchboard serve')
//! ```

use std::time::Instant;

use anyhow::{bail, Context as _};
use loadgen::api::Api;
use loadgen::rate::{self, RateOptions};

struct Options {
    url: String,
    guest_url: Option<String>,
    email: String,
    password: String,
    pairs: usize,
    rate: u64,
    seconds: u64,
    server_pid: Option<u32>,
}

fn parse_options() -> anyhow::Result<Options> {
    let mut options = Options {
        url: "http://127.0.0.1:3000".into(),
        guest_url: None,
        email: String::new(),
        password: String::new(),
        pairs: 100,
        rate: 100,
        seconds: 20,
        server_pid: None,
    };
    let mut args = std::env::args().skip(1);
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
            "-h" | "--help" => {
                println!("loadgen --url URL [--guest-url URL] --email E --password P [--pairs N] [--rate MSG_PER_S] [--seconds S] [--server-pid PID]");
                std::process::exit(0);
            }
            other => bail!("unknown option {other}"),
        }
    }
    if options.email.is_empty() || options.password.is_empty() {
        bail!("--email and --password are required");
    }
    Ok(options)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = parse_options()?;
    let api = Api::sign_in(&options.url, &options.email, &options.password).await?;
    let started = Instant::now();
    let mut sessions = Vec::with_capacity(options.pairs);
    for _ in 0..options.pairs {
        sessions.push(api.create_session().await?);
    }
    println!(
        "created {} sessions in {:.1?}",
        sessions.len(),
        started.elapsed()
    );
    let rate_options = RateOptions {
        guest_url: options.guest_url,
        pairs: options.pairs,
        rate: options.rate,
        seconds: options.seconds,
        server_pid: options.server_pid,
    };
    rate::run(&api, &sessions, &rate_options).await
}
