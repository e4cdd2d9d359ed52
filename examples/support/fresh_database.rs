//! The database a benchmark run gets: a new SQLite file in a temporary folder, or a new
//! PostgreSQL database on `postgres` (a server URL without a database), dropped afterwards.

use std::future::Future;

use sqlx::Connection as _;

/// Runs `run` with the URL of a fresh database named after `bench`, and drops it afterwards.
pub async fn on_fresh_database<F, Fut>(
    bench: &str,
    postgres: Option<&str>,
    run: F,
) -> anyhow::Result<()>
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    match postgres {
        None => {
            let dir = tempfile::tempdir()?;
            run(format!("sqlite:{}", dir.path().join("bench.db").display())).await
        }
        Some(server) => {
            let name = format!("{bench}_{}", std::process::id());
            let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres")).await?;
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await?;
            let outcome = run(format!("{server}/{name}")).await;
            sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await?;
            outcome
        }
    }
}
