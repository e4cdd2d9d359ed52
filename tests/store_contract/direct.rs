//! The message writer's own SQLite connection: a batch stored through it comes out as one
//! stored through a transaction of the pool, with the reopening and the email window it asks
//! for, and a batch that fails stores nothing.

use super::*;
use switchboard::store::{Batch, Posting};

fn alone(new: NewMessageRow) -> Posting {
    Posting {
        new,
        reopen_note: None,
        email_window: None,
        guard: None,
    }
}

async fn sqlite_store() -> (TestDatabase, Store) {
    let db = TestDatabase::create(Backend::Sqlite)
        .await
        .expect("SQLite needs no server");
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    (db, store)
}

async fn store_through_the_writer(store: &Store, postings: Vec<Posting>) -> anyhow::Result<Batch> {
    store
        .direct_writer()
        .expect("a SQLite store has the writer's own connection")
        .store(postings)
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_writers_connection_stores_each_key_once_in_order_with_what_each_message_asks_for() {
    let (db, store) = sqlite_store().await;
    let session = session(&store, 1_000, 10_000_000).await;
    let chat = session.conversation_id.as_str();
    let earlier = new_message(chat, "guest", "k0");
    assert!(matches!(post(&store, &earlier).await, Inserted::New(_)));
    let support = support_conversation(&store, "u1").await;
    assert!(store
        .db()
        .archive_conversation(uuid(&support), 2_000)
        .await
        .unwrap());
    let (note, job) = (id(), id());
    let postings = vec![
        alone(new_message(chat, "guest", "k1")),
        alone(new_message(chat, "guest", "k0")),
        alone(new_message(&id(), "guest", "k9")),
        Posting {
            reopen_note: Some(note.clone()),
            ..alone(NewMessageRow {
                created_at: 5_000,
                ..new_message(&support, "customer", "c1")
            })
        },
        Posting {
            email_window: Some((job.clone(), 300_000)),
            ..alone(NewMessageRow {
                created_at: 6_000,
                ..new_message(&support, "operator", "o1")
            })
        },
        alone(new_message(chat, "operator", "k1")),
    ];
    let first_k1 = postings[0].new.id.clone();
    let batch = store_through_the_writer(&store, postings).await.unwrap();

    let seq = |i: usize| match &batch.inserted[i] {
        Inserted::New(row) => row.seq,
        other => panic!("message {i} was not stored new: {other:?}"),
    };
    assert_eq!((seq(0), seq(3), seq(4)), (2, 1, 2));
    assert!(matches!(&batch.inserted[1], Inserted::Existing(row) if row.id == earlier.id));
    assert!(matches!(batch.inserted[2], Inserted::NoConversation));
    assert!(
        matches!(&batch.inserted[5], Inserted::Existing(row) if row.id == first_k1),
        "a key earlier in the same batch"
    );
    assert!(batch.archived.contains(&support));

    let stored = store
        .db()
        .messages_after(uuid(chat), 0, 10, true)
        .await
        .unwrap();
    let seqs: Vec<(i64, &str)> = stored
        .iter()
        .map(|m| (m.seq, m.client_id.as_str()))
        .collect();
    assert_eq!(seqs, [(1, "k0"), (2, "k1")]);
    let item = store
        .db()
        .inbox_item(uuid(&support))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((item.archived_at, item.last_seq), (None, 2), "reopened");
    let notes = store.db().notes(uuid(&support), 0).await.unwrap();
    let notes: Vec<(&str, i64, i64)> = notes
        .iter()
        .map(|n| (n.kind.as_str(), n.at_seq, n.created_at))
        .collect();
    assert_eq!(notes, [("reopened", 1, 5_000)]);
    let jobs = store.db().email_jobs_of(uuid(&support), 10).await.unwrap();
    let jobs: Vec<(&str, i64, i64, i64)> = jobs
        .iter()
        .map(|j| (j.id.as_str(), j.first_seq, j.opened_at, j.due_at))
        .collect();
    assert_eq!(jobs, [(job.as_str(), 2, 6_000, 306_000)]);
    store.close().await;
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_the_writers_connection_cannot_store_leaves_nothing_behind() {
    let (db, store) = sqlite_store().await;
    let session = session(&store, 1_000, 10_000_000).await;
    let chat = session.conversation_id.as_str();
    let first = new_message(chat, "guest", "k1");
    // The same message id under a second key breaks the primary key, after the first insert.
    let clash = NewMessageRow {
        id: first.id.clone(),
        ..new_message(chat, "guest", "k2")
    };
    let failed = store_through_the_writer(&store, vec![alone(first), alone(clash)]).await;
    assert!(failed.is_err(), "the batch fails: {failed:?}");
    assert_eq!(store.db().last_seq(uuid(chat)).await.unwrap(), Some(0));
    assert!(store
        .db()
        .messages_after(uuid(chat), 0, 10, true)
        .await
        .unwrap()
        .is_empty());
    // The connection carries on with the next batch.
    let next = store_through_the_writer(&store, vec![alone(new_message(chat, "guest", "k3"))])
        .await
        .unwrap();
    assert!(matches!(&next.inserted[0], Inserted::New(row) if row.seq == 1));
    store.close().await;
    db.drop_database().await;
}

/// How many messages the FTS5 table and the pending list hold that match `word`, and how many
/// rows the pending list has.
async fn index_counts(store: &Store, word: &str) -> (i64, i64) {
    let pool = store.sqlite().unwrap();
    let indexed: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM message_fts WHERE message_fts MATCH $1")
            .bind(word)
            .fetch_one(pool)
            .await
            .unwrap();
    let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM message_pending")
        .fetch_one(pool)
        .await
        .unwrap();
    (indexed, pending)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lone_writers_words_wait_in_the_pending_list_until_its_256th_message_takes_them_in() {
    let (db, store) = sqlite_store().await;
    let session = session(&store, 1_000, 10_000_000).await;
    let chat = session.conversation_id.as_str();
    let saying = |n: usize| {
        alone(NewMessageRow {
            content: format!("waiting word{n}"),
            ..new_message(chat, "guest", &format!("k{n}"))
        })
    };
    for n in 0..255 {
        store_through_the_writer(&store, vec![saying(n)])
            .await
            .unwrap();
    }
    assert_eq!(index_counts(&store, "waiting").await, (0, 255));
    store_through_the_writer(&store, vec![saying(255)])
        .await
        .unwrap();
    assert_eq!(index_counts(&store, "waiting").await, (256, 0));
    assert_eq!(index_counts(&store, "word17").await, (1, 0));

    store_through_the_writer(&store, vec![saying(256)])
        .await
        .unwrap();
    assert_eq!(index_counts(&store, "waiting").await, (256, 1));
    store.settle_search_index().await.unwrap();
    assert_eq!(index_counts(&store, "waiting").await, (257, 0));
    // Nothing pending: settling again changes nothing.
    store.settle_search_index().await.unwrap();
    assert_eq!(index_counts(&store, "waiting").await, (257, 0));
    store.close().await;
    db.drop_database().await;
}
