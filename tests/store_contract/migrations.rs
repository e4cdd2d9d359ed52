//! Migrating twice, and several nodes migrating at once.

use super::*;
use switchboard::store::BacklogCursor;

contract!(migrating_again_changes_nothing, |url, store| {
    let again = Store::connect(&url).await.unwrap();
    again.migrate().await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(store.db().operator_count().await.unwrap(), 0);
    again.close().await;
});

/// Nodes that start together on an empty PostgreSQL database: sqlx's migrator holds an advisory
/// lock, so each migration is applied once and every node starts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_nodes_starting_together_apply_each_migration_once() {
    let Some(db) = TestDatabase::create(Backend::Postgres).await else {
        return;
    };
    let mut nodes = Vec::new();
    for _ in 0..4 {
        nodes.push(Store::connect(&db.url).await.unwrap());
    }
    let starts: Vec<_> = nodes
        .iter()
        .map(|node| {
            let node = node.clone();
            tokio::spawn(async move { node.migrate().await })
        })
        .collect();
    for start in starts {
        start.await.unwrap().unwrap();
    }
    let pool = nodes[0].postgres().unwrap();
    let applied: Vec<(i64, bool)> =
        sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
            .fetch_all(pool)
            .await
            .unwrap();
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
        .unwrap()
        .count() as i64;
    assert_eq!(applied, (1..=files).map(|v| (v, true)).collect::<Vec<_>>());
    for node in &nodes {
        node.close().await;
    }
    db.drop_database().await;
}

/// Applies the migrations up to `last` (the team's are 0010) to `store`'s database.
async fn migrate_up_to(store: &Store, backend: Backend, last: i64) {
    let dir = match backend {
        Backend::Sqlite => "migrations/sqlite",
        Backend::Postgres => "migrations/postgres",
    };
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let all = sqlx::migrate::Migrator::new(path).await.unwrap();
    let early: Vec<_> = all
        .migrations
        .iter()
        .filter(|m| m.version <= last)
        .cloned()
        .collect();
    let up_to = sqlx::migrate::Migrator {
        migrations: std::borrow::Cow::Owned(early),
        ..all
    };
    match (store.sqlite(), store.postgres()) {
        (Some(pool), _) => up_to.run(pool).await.unwrap(),
        (_, Some(pool)) => up_to.run(pool).await.unwrap(),
        _ => unreachable!("a store has one pool"),
    }
}

async fn upgrading_gives_the_oldest_operator_ownership_and_everyone_else_admin(backend: Backend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let store = Store::connect(&db.url).await.unwrap();
    migrate_up_to(&store, backend, 9).await;
    // Inserted out of age order: the oldest is the second row.
    for (email, created_at) in [
        ("b@x.test", 2_000),
        ("a@x.test", 1_000),
        ("c@x.test", 3_000),
    ] {
        let sql = "INSERT INTO operators (id, email, name, password_hash, created_at) \
                   VALUES ($1, $2, 'N', 'h', $3)";
        let id = Uuid::now_v7().to_string();
        match (store.sqlite(), store.postgres()) {
            (Some(pool), _) => {
                sqlx::query(sql)
                    .bind(id)
                    .bind(email)
                    .bind(created_at)
                    .execute(pool)
                    .await
                    .unwrap();
            }
            (_, Some(pool)) => {
                sqlx::query(sql)
                    .bind(id)
                    .bind(email)
                    .bind(created_at as i64)
                    .execute(pool)
                    .await
                    .unwrap();
            }
            _ => unreachable!(),
        }
    }
    store.migrate().await.unwrap();
    let roles: Vec<(String, String, bool)> = store
        .db()
        .operators()
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.email, r.role, r.deactivated_at.is_none()))
        .collect();
    assert_eq!(
        roles,
        [
            ("a@x.test".to_owned(), "owner".to_owned(), true),
            ("b@x.test".to_owned(), "admin".to_owned(), true),
            ("c@x.test".to_owned(), "admin".to_owned(), true),
        ]
    );
    store.close().await;
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrading_sqlite_gives_the_oldest_operator_ownership_and_everyone_else_admin() {
    upgrading_gives_the_oldest_operator_ownership_and_everyone_else_admin(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrading_postgres_gives_the_oldest_operator_ownership_and_everyone_else_admin() {
    upgrading_gives_the_oldest_operator_ownership_and_everyone_else_admin(Backend::Postgres).await;
}

/// Migrations 0017 and 0018 moved SQLite's document numbers into the messages' rows (the
/// table's rowid), put a pending list before the FTS5 table, and numbered what was not indexed
/// yet for the server to index.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrading_sqlite_keeps_each_indexed_messages_number_and_finds_old_and_new_messages() {
    let db = TestDatabase::create(Backend::Sqlite)
        .await
        .expect("SQLite needs no server");
    let store = Store::connect(&db.url).await.unwrap();
    migrate_up_to(&store, Backend::Sqlite, 16).await;
    let s = session(&store, 1_000, i64::MAX).await;
    let pool = store.sqlite().unwrap().clone();
    // Stored as the server stored messages before 0017: through the view that numbered and
    // indexed them.
    for (seq, words) in [(1, "older upgraded"), (2, "older kept")] {
        sqlx::query(
            "INSERT INTO messages_indexed (id, conversation_id, seq, sender_kind, content, \
             client_id, created_at, internal, words) VALUES ($1, $2, $3, 'guest', $4, $5, 7000, 0, $4)",
        )
        .bind(id())
        .bind(&s.conversation_id)
        .bind(seq)
        .bind(words)
        .bind(format!("k{seq}"))
        .execute(&pool)
        .await
        .unwrap();
    }
    // Stored before search existed, and not indexed since.
    sqlx::query(
        "INSERT INTO messages (id, conversation_id, seq, sender_kind, content, client_id, \
         created_at, internal) VALUES ($1, $2, 3, 'guest', 'older unindexed', 'k0', 7000, 0)",
    )
    .bind(id())
    .bind(&s.conversation_id)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("UPDATE conversations SET last_seq = 3 WHERE id = $1")
        .bind(&s.conversation_id)
        .execute(&pool)
        .await
        .unwrap();
    store.migrate().await.unwrap();
    post(
        &store,
        &NewMessageRow {
            content: "newer upgraded".to_owned(),
            created_at: 7_000,
            ..new_message(&s.conversation_id, "guest", "k3")
        },
    )
    .await;
    let docs: Vec<(String, i64)> =
        sqlx::query_as("SELECT client_id, doc FROM messages ORDER BY seq")
            .fetch_all(&pool)
            .await
            .unwrap();
    let first = 7_000 * (1 << 20);
    let expected = [
        ("k1", first),
        ("k2", first + 1),
        ("k0", first + (1 << 19)),
        // After the highest number of its millisecond.
        ("k3", first + (1 << 19) + 1),
    ];
    assert_eq!(
        docs,
        expected
            .map(|(client, doc)| (client.to_owned(), doc))
            .to_vec()
    );
    let (waiting, _) = store
        .db()
        .unindexed_messages(BacklogCursor::default(), 10)
        .await
        .unwrap();
    let clients: Vec<&str> = waiting.iter().map(|m| m.client_id.as_str()).collect();
    assert_eq!(clients, ["k0"]);
    let mut tx = store.begin().await.unwrap();
    tx.index_backlog(&waiting).await.unwrap();
    tx.commit().await.unwrap();
    store.settle_search_index().await.unwrap();
    let found = |word: &'static str| {
        sqlx::query_scalar::<_, String>(
            "SELECT m.client_id FROM message_fts AS f JOIN messages AS m \
             ON m.doc = f.rowid WHERE message_fts MATCH $1 ORDER BY f.rowid DESC",
        )
        .bind(word)
        .fetch_all(&pool)
    };
    assert_eq!(found("upgraded").await.unwrap(), ["k3", "k1"]);
    assert_eq!(found("older").await.unwrap(), ["k0", "k2", "k1"]);
    store.close().await;
    db.drop_database().await;
}

/// The pool lends a busy connection without pinging it first, so one that the server cut while
/// it sat idle (a restart, a dropped network) must be pinged and replaced before it is lent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_connection_cut_while_idle_is_replaced_before_it_is_lent() {
    let Some(db) = TestDatabase::create(Backend::Postgres).await else {
        return;
    };
    let idle_after = Duration::from_millis(50);
    let size = switchboard::store::PoolSize {
        max_connections: 2,
        ping_idle_after: idle_after,
    };
    let store = Store::connect_with(&db.url, size).await.unwrap();
    store.migrate().await.unwrap();
    let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url)
        .await
        .unwrap();
    let cut: Vec<(bool,)> = sqlx::query_as(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert_eq!(cut, [(true,), (true,)], "both of the store's connections");
    // sqlx measures how long a connection sat idle with its own clock, so the span must pass.
    tokio::time::sleep(idle_after * 2).await;
    for _ in 0..4 {
        assert_eq!(store.db().operator_count().await.unwrap(), 0);
    }
    store.close().await;
    drop(admin);
    db.drop_database().await;
}
