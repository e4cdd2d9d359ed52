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

/// `switchboard health` at `addr`: whether it exited 0, and what it printed on error.
async fn health_command(addr: &str) -> (bool, String) {
    let addr = addr.to_owned();
    tokio::task::spawn_blocking(move || {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .arg("health")
            .env("LEPTOS_SITE_ADDR", addr)
            .output()
            .expect("the binary runs");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn the_health_command_succeeds_against_a_serving_node_and_fails_against_a_silent_port_or_a_bad_answer(
) {
    let server = TestServer::start().await;
    let serving = server.base.trim_start_matches("http://").to_owned();
    let (ok, stderr) = health_command(&serving).await;
    assert!(ok, "{stderr}");
    // The wildcard address the server may listen on is asked on loopback.
    let port = serving.rsplit_once(':').unwrap().1;
    assert!(health_command(&format!("0.0.0.0:{port}")).await.0);

    let nobody = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent = nobody.local_addr().unwrap().to_string();
    drop(nobody);
    let (ok, stderr) = health_command(&silent).await;
    assert!(!ok);
    assert!(stderr.contains("connecting to"), "{stderr}");

    let failing = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let failing_addr = failing.local_addr().unwrap().to_string();
    let answering = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let (mut stream, _) = failing.accept().await.unwrap();
        let mut request = [0u8; 512];
        let _ = stream.read(&mut request).await.unwrap();
        stream
            .write_all(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n")
            .await
            .unwrap();
    });
    let (ok, stderr) = health_command(&failing_addr).await;
    assert!(!ok);
    assert!(stderr.contains("503"), "{stderr}");
    answering.await.unwrap();
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

/// The value of the sample `name{labels}` (labels as Prometheus writes them) in `text`.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|value| value.parse().expect("a number"))
}

#[tokio::test]
async fn metrics_are_served_on_their_own_address_only_and_count_sockets_messages_requests_and_email_jobs(
) {
    let server = TestServer::start_with(&[("SWITCHBOARD_METRICS_ADDR", "127.0.0.1:0")]).await;
    let scrape = format!(
        "http://{}/metrics",
        server.metrics.expect("a metrics address")
    );
    let client = server.signed_in().await;
    // Not on the public port.
    let public = server.get(&client, "/metrics").await;
    assert_ne!(public.status(), 200);

    // A customer with an email writes, an operator watches the inbox and replies twice (the
    // second with the first's client_id again, so it is stored once): one reply email waits.
    let customer = server
        .signed_widget("metrics-customer", "mia@example.com", "Mia")
        .await;
    assert_eq!(server.widget_post(&customer, "Hello?").await.status(), 201);
    let cookie = server.operator_cookie().await;
    let _inbox = crate::common::ws::open(&server.ws_url(""), &[("cookie", &cookie)]).await;
    let reply = serde_json::json!({ "content": "Hi Mia", "client_id": "metrics-reply-1" });
    for _ in 0..2 {
        let (status, _) = crate::common::desk::post_with(
            &server,
            &client,
            &customer.conversation_id,
            reply.clone(),
        )
        .await;
        assert!(status == 201 || status == 200, "{status}");
    }

    // A page, and a guest link's page whose token must not become a label.
    assert_eq!(server.get(&client, "/login").await.status(), 200);
    let token = "no-such-guest-link-token";
    server
        .get(&client, &format!("/support/guest/{token}"))
        .await;

    let response = reqwest::get(&scrape).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = response.text().await.unwrap();
    println!("{text}");
    assert_eq!(
        sample(&text, "switchboard_sockets_open{party=\"operator\"}"),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, "switchboard_sockets_open{party=\"guest\"}"),
        Some(0.0)
    );
    assert_eq!(
        sample(&text, "switchboard_messages_stored_total"),
        Some(2.0)
    );
    assert_eq!(
        sample(&text, "switchboard_post_duration_seconds_count"),
        Some(3.0)
    );
    assert_eq!(
        sample(&text, "switchboard_email_jobs{state=\"waiting\"}"),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, "switchboard_email_jobs{state=\"failed\"}"),
        Some(0.0)
    );
    let route = "/api/v1/conversations/{id}/messages";
    assert_eq!(
        sample(
            &text,
            &format!("switchboard_http_requests_total{{route=\"{route}\",status=\"201\"}}")
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &text,
            &format!("switchboard_http_requests_total{{route=\"{route}\",status=\"200\"}}")
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &text,
            &format!("switchboard_http_request_duration_seconds_count{{route=\"{route}\"}}")
        ),
        Some(2.0)
    );
    assert!(sample(
        &text,
        "switchboard_http_requests_total{route=\"unmatched\",status=\"404\"}"
    )
    .is_some_and(|n| n >= 1.0));
    assert!(sample(
        &text,
        "switchboard_http_requests_total{route=\"/login\",status=\"200\"}"
    )
    .is_some());
    assert!(text.contains("switchboard_http_requests_total{route=\"/support/guest/{token}\""));
    // No path with an id or a token is a label.
    assert!(!text.contains(&customer.conversation_id));
    assert!(!text.contains(token));
    let idle = sample(&text, "switchboard_db_pool_connections{state=\"idle\"}").unwrap();
    let in_use = sample(&text, "switchboard_db_pool_connections{state=\"in_use\"}").unwrap();
    assert!(idle + in_use >= 1.0, "{idle} idle, {in_use} in use");
}
