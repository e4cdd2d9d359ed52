//! How fast messages are stored: posts through the engine (`Engine::post_message`, the path
//! every door takes) at concurrency 1, 8, 64 and 256, each writer a customer in their own
//! conversation, and prints messages per second and the latency of one post (p50, p99).
//!
//! ```text
//! cargo run --release --example store_bench --features server            # a fresh SQLite file
//! cargo run --release --example store_bench --features server -- \
//!     --postgres postgres://postgres@127.0.0.1:5432                       # a fresh PostgreSQL database
//! ```
//!
//! SQLite's log is checkpointed every second, as the server does.
//!
//! Options: `--messages N` per concurrency level (default 20,000), `--levels 1,8,64,256`.

#[path = "support/fresh_database.rs"]
mod fresh_database;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use fresh_database::on_fresh_database;
use switchboard::domain::{ClientId, MessageBody};
use switchboard::store::{to_millis, CustomerRow, Store};
use switchboard::{Actor, Engine, EngineConfig};
use uuid::Uuid;

struct Options {
    messages: usize,
    levels: Vec<usize>,
    postgres: Option<String>,
}

fn options() -> anyhow::Result<Options> {
    let mut options = Options {
        messages: 20_000,
        levels: vec![1, 8, 64, 256],
        postgres: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--messages" => options.messages = value.parse()?,
            "--levels" => {
                options.levels = value.split(',').map(str::parse).collect::<Result<_, _>>()?
            }
            "--postgres" => options.postgres = Some(value.trim_end_matches('/').to_owned()),
            other => anyhow::bail!("unknown option {other}"),
        }
    }
    Ok(options)
}

/// A customer with their own conversation, as the widget would make them.
async fn customer(store: &Store, n: usize) -> anyhow::Result<Actor> {
    let now = to_millis(chrono::Utc::now());
    let row = CustomerRow {
        id: Uuid::now_v7().to_string(),
        external_id: Some(format!("bench-{n}")),
        visitor_token_hash: None,
        email: None,
        email_signed: true,
        email_verified: true,
        name_verified: true,
        name: Some(format!("Customer {n}")),
        locale: None,
        created_at: now,
        last_seen_at: Some(now),
        number: None,
        erased_at: None,
    };
    let mut tx = store.begin().await?;
    tx.db().insert_customer(&row).await?;
    let conversation = tx
        .db()
        .ensure_customer_conversation(&row.id, &Uuid::now_v7().to_string(), now)
        .await?;
    tx.commit().await?;
    Ok(Actor::Customer {
        customer_id: row.id.parse()?,
        conversation_id: conversation.parse()?,
        name: row.name,
        client: None,
        token: switchboard::auth::Token::generate().digest(),
        expires_at: chrono::DateTime::<chrono::Utc>::MAX_UTC,
    })
}

/// Posts `messages` messages from `writers` customers at once; the latencies of every post.
async fn level(
    engine: &Engine,
    store: &Store,
    writers: usize,
    messages: usize,
) -> anyhow::Result<(Duration, Vec<Duration>)> {
    let mut actors = Vec::with_capacity(writers);
    for n in 0..writers {
        actors.push(customer(store, writers * 1_000_000 + n).await?);
    }
    let each = messages / writers;
    let body = Arc::new(MessageBody::parse(
        "A message of a typical length: where is my order?",
    )?);
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(writers);
    for actor in actors {
        let engine = engine.clone();
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            let Actor::Customer {
                conversation_id, ..
            } = actor
            else {
                unreachable!("customers only")
            };
            let mut took = Vec::with_capacity(each);
            for k in 0..each {
                let client_id = ClientId::parse(&format!("bench-{k}"))?;
                let start = Instant::now();
                engine
                    .post_message(&actor, conversation_id, (*body).clone(), Some(client_id))
                    .await?;
                took.push(start.elapsed());
            }
            anyhow::Ok(took)
        }));
    }
    let mut all = Vec::with_capacity(messages);
    for task in tasks {
        all.extend(task.await??);
    }
    Ok((started.elapsed(), all))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn run(url: &str, options: &Options) -> anyhow::Result<()> {
    let store = Store::connect(url).await?;
    store.migrate().await?;
    let mut config = EngineConfig::new("http://bench");
    config.sends_per_window = u32::MAX;
    config.widget.doors.per_customer = u32::MAX;
    let engine = Engine::new(store.clone(), config);
    // As the server does beside its writer: without it SQLite's log grows through the run, and
    // every read of a page goes through a longer and longer log.
    let checkpoints = tokio::spawn(engine.clone().run_checkpoints());
    println!(
        "{:?}: {} messages per level, each writer a customer in their own conversation",
        store.backend(),
        options.messages
    );
    println!("  writers   msg/s      p50 ms   p99 ms   max ms");
    for &writers in &options.levels {
        let (elapsed, mut took) = level(&engine, &store, writers, options.messages).await?;
        took.sort();
        let n = took.len();
        println!(
            "  {writers:>7} {:>8.0} {:>10.3} {:>8.3} {:>8.3}",
            n as f64 / elapsed.as_secs_f64(),
            ms(took[n / 2]),
            ms(took[n * 99 / 100]),
            ms(took[n - 1]),
        );
    }
    checkpoints.abort();
    store.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = options()?;
    let postgres = options.postgres.clone();
    on_fresh_database("store_bench", postgres.as_deref(), |url| async move {
        run(&url, &options).await
    })
    .await
}
