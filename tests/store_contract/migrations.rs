//! Migrating twice, and several nodes migrating at once.

use super::*;

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
