//! Fresh databases for tests, on either backend: a SQLite file in a temporary folder, or a new
//! PostgreSQL database (at `SWITCHBOARD_TEST_PG_URL`, default
//! `postgres://postgres@127.0.0.1:5432`) that is dropped afterwards.

use anyhow::Context as _;
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions as _, Connection as _};
use std::str::FromStr;

use super::Backend;

/// The PostgreSQL server tests use.
pub fn postgres_server_url() -> String {
    std::env::var("SWITCHBOARD_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

/// A database that exists for one test.
#[derive(Debug)]
pub struct TestDatabase {
    /// Its URL.
    pub url: String,
    backend: Backend,
    name: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    /// A new, empty database on `backend`. On PostgreSQL, `None` when no server answers and
    /// this is not CI (it says so on stderr); in CI (`CI=true`) that is a failure.
    pub async fn create(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary folder");
                let url = format!("sqlite:{}", dir.path().join("test.db").display());
                Some(Self {
                    url,
                    backend,
                    name: String::new(),
                    _dir: Some(dir),
                })
            }
            Backend::Postgres => match Self::create_postgres().await {
                Ok(db) => Some(db),
                Err(err) if std::env::var("CI").is_ok_and(|v| v == "true") => {
                    panic!("PostgreSQL is required in CI: {err:#}")
                }
                Err(err) => {
                    eprintln!("SKIPPED: PostgreSQL tests need a server ({err:#})");
                    None
                }
            },
        }
    }

    async fn create_postgres() -> anyhow::Result<Self> {
        let server = postgres_server_url();
        let name = format!("switchboard_test_{}", uuid::Uuid::now_v7().simple());
        let mut admin = PgConnectOptions::from_str(&server)
            .context("SWITCHBOARD_TEST_PG_URL")?
            .database("postgres")
            .connect()
            .await
            .with_context(|| format!("no PostgreSQL answers at {}", host_of(&server)))?;
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin)
            .await?;
        admin.close().await?;
        let url = with_database(&server, &name);
        Ok(Self {
            url,
            backend: Backend::Postgres,
            name,
            _dir: None,
        })
    }

    /// Removes the database (PostgreSQL; a SQLite folder goes when this is dropped).
    pub async fn drop_database(self) {
        if self.backend != Backend::Postgres {
            return;
        }
        let server = postgres_server_url();
        let dropped = async {
            let mut admin = PgConnectOptions::from_str(&server)?
                .database("postgres")
                .connect()
                .await?;
            sqlx::query(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin)
            .await?;
            admin.close().await
        };
        if let Err(err) = dropped.await {
            eprintln!("could not drop the test database {}: {err}", self.name);
        }
    }
}

/// The server URL with its database (path) replaced by `name`, any query kept.
fn with_database(server: &str, name: &str) -> String {
    let (base, query) = server.split_once('?').unwrap_or((server, ""));
    let (scheme, rest) = base.split_once("://").unwrap_or(("postgres", base));
    let authority = rest.split('/').next().unwrap_or(rest);
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    format!("{scheme}://{authority}/{name}{query}")
}

/// Where a URL points, without its user or password: for messages.
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    rest.split(['/', '?']).next().unwrap_or(rest)
}
