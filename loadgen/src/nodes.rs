//! Server processes that a chaos run starts, kills with SIGKILL and starts again: one node on a
//! SQLite file, or several on one PostgreSQL database.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};

/// The operator every chaos run signs in as.
pub const OPERATOR_EMAIL: &str = "chaos@example.com";
/// Their password.
pub const OPERATOR_PASSWORD: &str = "chaos-password-1234";

/// One `switchboard serve` process on a fixed port, so clients find it again after a restart.
pub struct Node {
    binary: PathBuf,
    env: Vec<(String, String)>,
    log: PathBuf,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    child: Option<Child>,
}

/// A port nobody listens on now.
fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Node {
    /// A node of `binary` on `database_url`, logging to `<dir>/node-<n>.log`; not started.
    pub fn new(binary: &Path, database_url: &str, dir: &Path, n: usize) -> anyhow::Result<Self> {
        let port = free_port()?;
        let url = format!("http://127.0.0.1:{port}");
        let env = [
            ("DATABASE_URL", database_url.to_owned()),
            ("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}")),
            ("SWITCHBOARD_PUBLIC_URL", url.clone()),
            ("SWITCHBOARD_SEND_LIMIT", "100000".to_owned()),
            ("SWITCHBOARD_SOCKETS_PER_OPERATOR", "100000".to_owned()),
            ("SWITCHBOARD_SOCKETS_PER_GUEST_LINK", "1000".to_owned()),
            ("SWITCHBOARD_MAX_CONNECTIONS", "100000".to_owned()),
            (
                "SWITCHBOARD_MAIL_DIR",
                dir.join("mail").display().to_string(),
            ),
            ("RUST_LOG", "warn".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        Ok(Self {
            binary: binary.to_owned(),
            env,
            log: dir.join(format!("node-{n}.log")),
            url,
            child: None,
        })
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.binary);
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }

    /// Creates the chaos operator in the node's database (once per database).
    pub fn create_operator(&self) -> anyhow::Result<()> {
        let mut child = self
            .command()
            .args([
                "create-operator",
                "--email",
                OPERATOR_EMAIL,
                "--name",
                "Chaos",
                "--role",
                "admin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .context("starting switchboard create-operator")?;
        writeln!(child.stdin.take().context("stdin")?, "{OPERATOR_PASSWORD}")?;
        if !child.wait()?.success() {
            bail!("switchboard create-operator failed");
        }
        Ok(())
    }

    /// Starts the node and waits until it answers HTTP.
    pub async fn start(&mut self) -> anyhow::Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?;
        let child = self
            .command()
            .arg("serve")
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("starting switchboard serve")?;
        self.child = Some(child);
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            // Any answer means it serves; signed-out sessions are refused with 401.
            if http
                .get(format!("{}/api/v1/sessions", self.url))
                .send()
                .await
                .is_ok()
            {
                return Ok(());
            }
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok())
                .flatten()
            {
                bail!(
                    "the node exited at start ({status}); see {}",
                    self.log.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!(
            "the node did not answer within 30 s; see {}",
            self.log.display()
        )
    }

    /// Kills the node with SIGKILL: no shutdown, no flush, whatever was in flight.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The node's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The nodes of a chaos run and the database they share, removed when it is dropped.
pub struct Cluster {
    /// The nodes, started.
    pub nodes: Vec<Node>,
    /// The PostgreSQL server and database to drop at the end.
    postgres: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl Cluster {
    /// One node of `binary` on a fresh SQLite file.
    pub async fn sqlite(binary: &Path) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let url = format!("sqlite:{}", dir.path().join("chaos.db").display());
        let nodes = vec![Node::new(binary, &url, dir.path(), 0)?];
        Self::started(nodes, None, dir).await
    }

    /// `count` nodes of `binary` on a fresh database of the PostgreSQL server at `server`
    /// (`postgres://user@host:port`).
    pub async fn postgres(binary: &Path, server: &str, count: usize) -> anyhow::Result<Self> {
        use sqlx::Connection as _;
        let dir = tempfile::tempdir()?;
        let server = server.trim_end_matches('/').to_owned();
        let name = format!("chaos_{}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres")).await?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await?;
        let url = format!("{server}/{name}");
        let nodes = (0..count)
            .map(|n| Node::new(binary, &url, dir.path(), n))
            .collect::<anyhow::Result<_>>()?;
        Self::started(nodes, Some((server, name)), dir).await
    }

    async fn started(
        mut nodes: Vec<Node>,
        postgres: Option<(String, String)>,
        dir: tempfile::TempDir,
    ) -> anyhow::Result<Self> {
        nodes[0].create_operator()?;
        for node in &mut nodes {
            node.start().await?;
        }
        Ok(Self {
            nodes,
            postgres,
            _dir: dir,
        })
    }

    /// Stops the nodes and drops the PostgreSQL database, if any.
    pub async fn remove(mut self) -> anyhow::Result<()> {
        use sqlx::Connection as _;
        for node in &mut self.nodes {
            node.kill();
        }
        if let Some((server, name)) = self.postgres.take() {
            let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres")).await?;
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await?;
        }
        Ok(())
    }
}
