//! What operations staff and their tools ask of a node: is it up, can it serve, what is it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use switchboard::store::Backend;
use switchboard::testing::TestDatabase;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::common::TestServer;

#[tokio::test]
async fn healthz_says_ok_as_plain_text_and_readyz_says_ready_while_the_database_answers() {
    let server = TestServer::start().await;
    let client = server.client();
    let health = server.get(&client, "/healthz").await;
    assert_eq!(health.status(), 200);
    assert_eq!(health.headers()["cache-control"], "no-store");
    assert!(health.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert_eq!(health.text().await.unwrap(), "ok");
    let ready = server.get(&client, "/readyz").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(
        ready.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({ "status": "ready" })
    );
}

#[test]
fn the_binary_names_its_version_and_the_commit_it_was_built_from() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .arg("--version")
        .output()
        .expect("the binary runs");
    assert!(output.status.success());
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("git runs");
    let commit = String::from_utf8(commit.stdout).unwrap();
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        format!(
            "switchboard {} ({})\n",
            env!("CARGO_PKG_VERSION"),
            commit.trim()
        )
    );
}

/// A TCP relay between the server and PostgreSQL that can be cut (every connection dropped,
/// new ones refused) and mended, on the same port: the database "stops" for this server alone,
/// while the other tests go on using the same PostgreSQL.
struct Relay {
    port: u16,
    running: Mutex<Option<JoinHandle<()>>>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Relay {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let relay = Self {
            port: listener.local_addr().unwrap().port(),
            running: Mutex::new(None),
            connections: Default::default(),
        };
        relay.serve(listener);
        relay
    }

    fn serve(&self, listener: TcpListener) {
        let connections = self.connections.clone();
        let target = postgres_address();
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let target = target.clone();
                let relayed = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                connections.lock().unwrap().push(relayed);
            }
        });
        *self.running.lock().unwrap() = Some(accept);
    }

    /// Drops every connection and stops listening: connecting is refused.
    fn cut(&self) {
        if let Some(accept) = self.running.lock().unwrap().take() {
            accept.abort();
        }
        for connection in self.connections.lock().unwrap().drain(..) {
            connection.abort();
        }
    }

    /// Listens again on the same port.
    async fn mend(&self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        self.serve(listener);
    }
}

/// `host:port` of the tests' PostgreSQL server.
fn postgres_address() -> String {
    let url = url::Url::parse(&switchboard::testing::postgres_server_url()).unwrap();
    format!(
        "{}:{}",
        url.host_str().unwrap_or("127.0.0.1"),
        url.port().unwrap_or(5432)
    )
}

/// Asks `/readyz` until it answers `status`; how long that took.
async fn readyz_until(server: &TestServer, status: u16, bound: Duration) -> Duration {
    let client = server.client();
    let started = Instant::now();
    loop {
        let response = server.get(&client, "/readyz").await;
        if response.status() == status {
            let body: serde_json::Value = response.json().await.unwrap();
            let expected = if status == 200 {
                serde_json::json!({ "status": "ready" })
            } else {
                serde_json::json!({ "status": "unavailable", "reason": "database" })
            };
            assert_eq!(body, expected);
            return started.elapsed();
        }
        assert!(
            started.elapsed() < bound,
            "/readyz was not {status} within {bound:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn postgres_readyz_turns_unavailable_within_five_seconds_of_the_database_going_and_ready_when_it_returns(
) {
    let Some(db) = TestDatabase::create(Backend::Postgres).await else {
        return;
    };
    let relay = Relay::start().await;
    let mut url = url::Url::parse(&db.url).unwrap();
    url.set_port(Some(relay.port)).unwrap();
    let server = TestServer::start_with(&[("DATABASE_URL", url.as_str())]).await;
    readyz_until(&server, 200, Duration::from_secs(5)).await;

    relay.cut();
    let went = readyz_until(&server, 503, Duration::from_secs(5)).await;
    println!("/readyz answered 503 {went:?} after the database went");
    // The process itself still serves.
    assert_eq!(server.get(&server.client(), "/healthz").await.status(), 200);

    relay.mend().await;
    let back = readyz_until(&server, 200, Duration::from_secs(15)).await;
    println!("/readyz answered 200 {back:?} after the database came back");
    relay.cut();
    db.drop_database().await;
}
