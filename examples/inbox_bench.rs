//! How long the inbox takes to list at scale: fills a fresh SQLite file (or the PostgreSQL
//! database at `DATABASE_URL`) with N support conversations through the store (with 50 labels,
//! one to three on each conversation, a third of them assigned among 10 operators, and a note in
//! every fifth), then times the first page of each tab and filter, a deep page, one item, and
//! the unread count.
//!
//! `cargo run --release --example inbox_bench --features server -- 10000`

use std::time::{Duration, Instant};

use switchboard::domain::{AssigneeFilter, InboxQuery, InboxStatus};
use switchboard::store::{to_millis, CustomerRow, LabelRow, NewMessageRow, OperatorRow, Store};
use switchboard::{Engine, EngineConfig};
use uuid::Uuid;

/// Times `runs` calls of `f` and returns (p50, p95, p99, max).
async fn time<F, Fut, T>(runs: usize, mut f: F) -> (Duration, Duration, Duration, Duration)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut took = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        std::hint::black_box(f().await);
        took.push(start.elapsed());
    }
    took.sort();
    (
        took[runs / 2],
        took[runs * 95 / 100],
        took[runs * 99 / 100],
        took[runs - 1],
    )
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(10_000);
    let dir = tempfile::tempdir()?;
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite:{}", dir.path().join("bench.db").display()));
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    let engine = Engine::new(store.clone(), EngineConfig::new("http://bench"));
    let now = engine.now();
    let fill = Instant::now();
    let mut operators = Vec::new();
    for k in 0..10 {
        let row = OperatorRow {
            id: Uuid::now_v7().to_string(),
            email: format!("agent{k}@bench.test"),
            name: format!("Agent {k}"),
            password_hash: "not a hash: nobody signs in".to_owned(),
            created_at: to_millis(now),
            role: "agent".to_owned(),
            deactivated_at: None,
            last_seen_at: None,
        };
        store.db().insert_operator(&row).await?;
        operators.push(row.id);
    }
    let mut labels = Vec::new();
    for k in 0..50 {
        let row = LabelRow {
            id: Uuid::now_v7().to_string(),
            name: format!("Label {k}"),
            color: "#1f6feb".to_owned(),
        };
        store.db().insert_label(&row, to_millis(now)).await?;
        labels.push(row.id);
    }
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        let mut tx = store.begin().await?;
        for &i in chunk {
            let at = to_millis(now) - (n - i) as i64 * 1000;
            let customer = CustomerRow {
                id: Uuid::now_v7().to_string(),
                external_id: Some(format!("user-{i}")),
                visitor_token_hash: None,
                email: Some(format!("user{i}@example.com")),
                email_signed: true,
                email_verified: true,
                name_verified: true,
                name: Some(format!("Customer {i}")),
                locale: None,
                created_at: at,
                last_seen_at: Some(at),
                number: None,
                erased_at: None,
            };
            tx.db().insert_customer(&customer).await?;
            let conversation = tx
                .db()
                .ensure_customer_conversation(&customer.id, &Uuid::now_v7().to_string(), at)
                .await?;
            for (k, kind) in ["customer", "operator", "customer"].into_iter().enumerate() {
                tx.insert_message(&NewMessageRow {
                    id: Uuid::now_v7().to_string(),
                    conversation_id: conversation.clone(),
                    sender_kind: kind,
                    sender_id: None,
                    sender_name: None,
                    content: format!("message {k} of conversation {i}: where is my order?"),
                    client_id: format!("k{k}"),
                    created_at: at + k as i64,
                    internal: i % 5 == 0 && k == 1,
                    mentions: None,
                    attachments: None,
                })
                .await?;
            }
            let id = Uuid::parse_str(&conversation)?;
            let on: Vec<String> = (0..1 + i % 3)
                .map(|k| labels[(i * 7 + k * 13) % labels.len()].clone())
                .collect();
            tx.db().add_conversation_labels(id, &on).await?;
            if i % 3 == 0 {
                let assignee = &operators[(i / 3) % operators.len()];
                tx.db().set_assignee(id, Some(assignee)).await?;
            }
            if i % 10 == 0 {
                tx.db()
                    .archive_conversation(Uuid::parse_str(&conversation)?, at)
                    .await?;
            }
        }
        tx.commit().await?;
    }
    println!(
        "filled {n} conversations (3 messages each, 1 in 10 archived, 50 labels, 1 in 3 \
         assigned) in {:.1} s on {:?}",
        fill.elapsed().as_secs_f64(),
        store.backend()
    );
    let first = InboxQuery::default();
    let archived = InboxQuery {
        status: InboxStatus::Archived,
        ..InboxQuery::default()
    };
    let page = engine.inbox(&first).await?;
    let deep = InboxQuery {
        before: page
            .last()
            .and_then(|i| i.last_message_at)
            .map(|t| t - chrono::Duration::seconds((n / 2) as i64)),
        ..InboxQuery::default()
    };
    let one = page[0].id;
    let agent = Uuid::parse_str(&operators[3])?;
    let label = Uuid::parse_str(&labels[17])?;
    let mine = InboxQuery {
        assignee: AssigneeFilter::Operator(agent),
        ..InboxQuery::default()
    };
    let unassigned = InboxQuery {
        assignee: AssigneeFilter::Nobody,
        ..InboxQuery::default()
    };
    let labelled = InboxQuery {
        label: Some(label),
        ..InboxQuery::default()
    };
    let mine_labelled = InboxQuery {
        label: Some(label),
        ..mine
    };
    let runs = 200;
    let rows = [
        (
            "active tab, first 50",
            time(runs, || engine.inbox(&first)).await,
        ),
        (
            "archived tab, first 50",
            time(runs, || engine.inbox(&archived)).await,
        ),
        (
            "active tab, a page halfway down",
            time(runs, || engine.inbox(&deep)).await,
        ),
        (
            "mine (one of 10 agents)",
            time(runs, || engine.inbox(&mine)).await,
        ),
        ("unassigned", time(runs, || engine.inbox(&unassigned)).await),
        (
            "one label of 50",
            time(runs, || engine.inbox(&labelled)).await,
        ),
        (
            "mine with one label",
            time(runs, || engine.inbox(&mine_labelled)).await,
        ),
        ("one list item", time(runs, || engine.inbox_item(one)).await),
        (
            "unread conversation count",
            time(runs, || engine.unread_conversations()).await,
        ),
    ];
    println!("{runs} runs each: p50 / p95 / p99 / max");
    for (what, (p50, p95, p99, max)) in rows {
        println!(
            "  {what:<34} {} / {} / {} / {}",
            ms(p50),
            ms(p95),
            ms(p99),
            ms(max)
        );
    }
    Ok(())
}
