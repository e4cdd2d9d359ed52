//! How fast search answers over a large history: fills a database with `--messages` messages
//! (default 1,000,000) over `--conversations` customers' conversations (default 20,000), a year
//! of them, in six languages, with words drawn from a Zipf distribution (a few very common words,
//! a long tail of rare ones), then times `Engine::search` (the path `GET /api/v1/search` takes:
//! the page, its conversations and their snippets) for common words, rare words, phrases and
//! prefixes, and prints p50 and p95 of each.
//!
//! ```text
//! cargo run --release --example search_bench --features server             # a fresh SQLite file
//! cargo run --release --example search_bench --features server -- \
//!     --postgres postgres://postgres@127.0.0.1:5432                        # a fresh PostgreSQL database
//! ```
//!
//! Options: `--runs N` per query (default 20); `--database URL` fills (once) and keeps a
//! database of your own instead of a fresh one, so a second run skips the filling;
//! `--profile true` times each statement of a first page alone, after each query.

mod corpus;
#[path = "../support/fresh_database.rs"]
mod fresh_database;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use corpus::{corpus, Frequencies, Generated, Vocabulary, HEAD};
use fresh_database::on_fresh_database;
use switchboard::domain::search::{RawSearch, SearchRequest};
use switchboard::store::{CustomerRow, NewMessageRow, Store};
use switchboard::{Engine, EngineConfig};
use uuid::Uuid;

struct Options {
    messages: usize,
    conversations: usize,
    runs: usize,
    profile: bool,
    postgres: Option<String>,
    database: Option<String>,
}

fn options() -> anyhow::Result<Options> {
    let mut options = Options {
        messages: 1_000_000,
        conversations: 20_000,
        runs: 20,
        profile: false,
        postgres: None,
        database: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--messages" => options.messages = value.parse()?,
            "--conversations" => options.conversations = value.parse()?,
            "--runs" => options.runs = value.parse()?,
            "--profile" => options.profile = value.parse()?,
            "--postgres" => options.postgres = Some(value.trim_end_matches('/').to_owned()),
            "--database" => options.database = Some(value),
            other => anyhow::bail!("unknown option {other}"),
        }
    }
    Ok(options)
}

const DAY_MS: i64 = 24 * 3600 * 1000;
const BATCH: usize = 250;

/// Customers with a conversation each; their conversation ids.
async fn fill_customers(store: &Store, count: usize, start: i64) -> anyhow::Result<Vec<String>> {
    let mut conversations = Vec::with_capacity(count);
    for chunk in (0..count).collect::<Vec<_>>().chunks(500) {
        let mut tx = store.begin().await?;
        for &n in chunk {
            let row = CustomerRow {
                id: Uuid::now_v7().to_string(),
                external_id: Some(format!("bench-{n}")),
                visitor_token_hash: None,
                email: Some(format!("customer{n}@example.com")),
                email_signed: true,
                email_verified: true,
                name_verified: true,
                name: Some(format!("Customer {}", Vocabulary::word(100 + n))),
                locale: None,
                created_at: start,
                last_seen_at: Some(start),
                number: None,
                erased_at: None,
            };
            tx.db().insert_customer(&row).await?;
            conversations.push(
                tx.db()
                    .ensure_customer_conversation(&row.id, &Uuid::now_v7().to_string(), start)
                    .await?,
            );
        }
        tx.commit().await?;
    }
    Ok(conversations)
}

/// Fills the database: the customers, then the messages in time order, a batch per
/// transaction, as the message writer stores them.
async fn fill(store: &Store, options: &Options, corpus: &[Generated]) -> anyhow::Result<()> {
    let started = Instant::now();
    let now = chrono::Utc::now().timestamp_millis();
    let start = now - 365 * DAY_MS;
    let conversations = fill_customers(store, options.conversations, start).await?;
    let step = (365 * DAY_MS) / options.messages as i64;
    for (b, chunk) in corpus.chunks(BATCH).enumerate() {
        let batch: Vec<NewMessageRow> = chunk
            .iter()
            .enumerate()
            .map(|(i, message)| {
                let n = b * BATCH + i;
                let sender = if message.operator {
                    "operator"
                } else {
                    "customer"
                };
                NewMessageRow {
                    id: Uuid::now_v7().to_string(),
                    conversation_id: conversations[message.conversation].clone(),
                    sender_kind: sender,
                    sender_id: None,
                    sender_name: Some(sender.to_owned()),
                    content: message.content.clone(),
                    client_id: format!("bench-{n}"),
                    created_at: start + n as i64 * step,
                    internal: message.internal,
                    mentions: None,
                    attachments: None,
                }
            })
            .collect();
        let mut tx = store.begin().await?;
        tx.insert_messages(&batch.iter().collect::<Vec<_>>())
            .await?;
        tx.commit().await?;
        // As the message writer does every 256 messages: the words go from the pending list
        // into the FTS5 table, one segment for the batch.
        store.settle_search_index().await?;
        // As the server does beside its writer (`Engine::run_checkpoints`): the log goes back
        // into the database file, which searches then read.
        store.checkpoint().await?;
        let stored = (b + 1) * BATCH;
        if stored.is_multiple_of(100_000) {
            eprintln!(
                "  {stored} messages stored, {:.0} s",
                started.elapsed().as_secs_f64()
            );
        }
    }
    println!(
        "filled: {} messages over {} conversations in {:.0} s",
        options.messages,
        options.conversations,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The queries timed, by kind, each with the share of messages that hold its rarest word
/// (when the filling was this run's).
fn queries(frequencies: &Frequencies) -> Vec<(&'static str, String, Option<usize>)> {
    let frequency = |word: &str| {
        let rank = HEAD.iter().position(|w| *w == word)?;
        frequencies.get(&rank).copied()
    };
    // Made-up words from the far tail: a handful of messages each.
    let rare: Vec<usize> = {
        let mut tail: Vec<(usize, usize)> = frequencies
            .iter()
            .filter(|(&rank, &n)| rank > 40_000 && (5..=20).contains(&n))
            .map(|(&rank, &n)| (rank, n))
            .collect();
        tail.sort_unstable();
        tail.into_iter().take(3).map(|(rank, _)| rank).collect()
    };
    let mut list = vec![
        ("common", "please".to_owned(), frequency("please")),
        ("common", "order help".to_owned(), frequency("help")),
        ("common", "заказ".to_owned(), frequency("заказ")),
        ("common", "المرور".to_owned(), frequency("المرور")),
        ("phrase", "\"where is my order\"".to_owned(), None),
        ("phrase", "\"reset my password\"".to_owned(), None),
        ("phrase", "\"где мой заказ\"".to_owned(), None),
        ("prefix", "pass*".to_owned(), None),
        ("prefix", "ord*".to_owned(), None),
        ("prefix", "достав*".to_owned(), None),
        ("prefix", "kalo*".to_owned(), None),
    ];
    for rank in rare {
        list.push((
            "rare",
            Vocabulary::word(rank),
            frequencies.get(&rank).copied(),
        ));
    }
    list
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A first page of `q`, unfiltered.
fn first_page(q: &str) -> anyhow::Result<SearchRequest> {
    let raw = RawSearch {
        q: Some(q),
        ..RawSearch::default()
    };
    Ok(SearchRequest::parse(raw, Uuid::nil())?)
}

async fn time(engine: &Engine, q: &str, runs: usize) -> anyhow::Result<(Vec<Duration>, usize)> {
    let request = first_page(q)?;
    let mut took = Vec::with_capacity(runs);
    let mut found = 0;
    // One run first, not timed: the pages the query reads come into the cache, as they are
    // for a server that has been answering searches.
    engine.search(&request).await?;
    for _ in 0..runs {
        let start = Instant::now();
        let page = engine.search(&request).await?;
        took.push(start.elapsed());
        found = page.results.len();
    }
    took.sort();
    Ok((took, found))
}

/// Where one search's time goes: each statement of a first page, timed alone.
async fn profile(store: &Store, q: &str) -> anyhow::Result<String> {
    let request = first_page(q)?;
    let db = || store.db();
    let start = Instant::now();
    let walked = db().search_walk(&request, None, 200).await?;
    let walk = start.elapsed();
    let start = Instant::now();
    db().search_titled(&request, None).await?;
    let titled = start.elapsed();
    let mut ids: Vec<String> = Vec::new();
    for hit in &walked {
        if !ids.contains(&hit.conversation_id) && ids.len() < 20 {
            ids.push(hit.conversation_id.clone());
        }
    }
    // The engine reads each found conversation's newest messages and checks them itself.
    let start = Instant::now();
    for id in &ids {
        db().search_scan(&request, id, i64::MAX, 100).await?;
    }
    let hits = start.elapsed();
    let start = Instant::now();
    db().inbox_items(&ids).await?;
    let items = start.elapsed();
    Ok(format!(
        "walk {:.1} ms ({} rows), titled {:.1} ms, reading for hits {:.1} ms, items {:.1} ms",
        ms(walk),
        walked.len(),
        ms(titled),
        ms(hits),
        ms(items)
    ))
}

async fn run(url: &str, options: &Options) -> anyhow::Result<()> {
    let store = Store::connect(url).await?;
    store.migrate().await?;
    let (corpus, frequencies) = corpus(options.messages, options.conversations);
    let held = store.db().message_count().await?;
    if held >= options.messages as i64 {
        println!("kept database: {held} messages");
    } else {
        fill(&store, options, &corpus).await?;
    }
    // As a server that has run a while has them: the log back in the file (SQLite) and the
    // planner's statistics (PostgreSQL's autovacuum gathers them after a bulk load).
    store.checkpoint().await?;
    store.analyze().await?;
    drop(corpus);
    let engine = Engine::new(store.clone(), EngineConfig::new("http://bench"));
    println!(
        "{:?}: {} runs per query (after one untimed), first page of 20 conversations",
        store.backend(),
        options.runs
    );
    println!("  kind    query                     share      p50 ms   p95 ms  results");
    let mut by_kind: HashMap<&str, Vec<Duration>> = HashMap::new();
    for (kind, q, frequency) in queries(&frequencies) {
        let (took, found) = time(&engine, &q, options.runs).await?;
        let share = frequency
            .map(|n| format!("{:.3}%", n as f64 * 100.0 / options.messages as f64))
            .unwrap_or_default();
        let n = took.len();
        println!(
            "  {kind:<7} {q:<24} {share:>9} {:>10.1} {:>8.1} {found:>8}",
            ms(took[n / 2]),
            ms(took[(n * 95).div_ceil(100) - 1]),
        );
        by_kind.entry(kind).or_default().extend(took);
        if options.profile {
            println!("          {}", profile(&store, &q).await?);
        }
    }
    println!("  all queries of a kind together:");
    for kind in ["common", "rare", "phrase", "prefix"] {
        let mut took = by_kind.remove(kind).unwrap_or_default();
        took.sort();
        let n = took.len();
        if n > 0 {
            println!(
                "  {kind:<7} p50 {:>8.1} ms   p95 {:>8.1} ms",
                ms(took[n / 2]),
                ms(took[(n * 95).div_ceil(100) - 1])
            );
        }
    }
    store.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = options()?;
    if let Some(url) = &options.database {
        return run(url, &options).await;
    }
    let postgres = options.postgres.clone();
    on_fresh_database("search_bench", postgres.as_deref(), |url| async move {
        run(&url, &options).await
    })
    .await
}
