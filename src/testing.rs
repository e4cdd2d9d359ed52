//! What tests share, behind the `test-util` feature (and in this crate's own tests): fresh
//! databases on either backend (a SQLite file in a temporary folder, or a new PostgreSQL
//! database at `SWITCHBOARD_TEST_PG_URL`, default `postgres://postgres@127.0.0.1:5432`, dropped
//! afterwards), and an engine over a fresh SQLite file with its first operator.

use std::str::FromStr;
use std::sync::Arc;

use anyhow::Context as _;
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions as _, Connection as _};

use crate::clock::Clock;
use crate::domain::{Email, PasswordInput};
use crate::hub::Hub;
use crate::store::{Backend, PoolSize, Store};
use crate::wire::Operator;
use crate::{Engine, EngineConfig, NewOperator};

/// An engine over a fresh SQLite file (kept while the folder lives) with `clock`.
pub async fn test_engine(
    config: EngineConfig,
    clock: Arc<dyn Clock>,
) -> (Engine, tempfile::TempDir) {
    test_engine_with_pool(config, clock, PoolSize::default()).await
}

/// As [`test_engine`], with a pool of `size` connections for reads.
pub async fn test_engine_with_pool(
    config: EngineConfig,
    clock: Arc<dyn Clock>,
    size: PoolSize,
) -> (Engine, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite:{}", dir.path().join("test.db").display());
    let store = Store::connect_with(&url, size)
        .await
        .expect("the test database opens");
    store.migrate().await.expect("the test database migrates");
    let engine = Engine::with_parts(store, config, Arc::new(Hub::new()), clock);
    (engine, dir)
}

/// The operator tests act as: `op@example.com`, named "Op".
pub async fn test_operator(engine: &Engine) -> Operator {
    engine
        .create_operator(NewOperator {
            email: Email::parse("op@example.com").expect("a valid email"),
            name: "Op".into(),
            password: PasswordInput::parse_new("a-long-password").expect("a valid password"),
            role: crate::wire::Role::Admin,
        })
        .await
        .expect("the test operator is created")
}

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
    match url::Url::parse(server) {
        Ok(mut url) => {
            url.set_path(&format!("/{name}"));
            url.into()
        }
        Err(_) => server.to_owned(),
    }
}

/// Where a URL points, without its user or password: for messages.
fn host_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(url) => match url.port() {
            Some(port) => format!("{}:{port}", url.host_str().unwrap_or("")),
            None => url.host_str().unwrap_or("").to_owned(),
        },
        Err(_) => "(a URL that does not parse)".to_owned(),
    }
}
