//! Starts the real server on port 0 with a fresh SQLite file, and speaks HTTP to it.

#![allow(dead_code)]

pub mod desk;
pub mod files;
#[path = "../../../../tests/support/smtp_server.rs"]
pub mod smtp_server;
pub mod team;
pub mod widget;
pub mod ws;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use server::settings::Settings;
use server::startup::Application;
use switchboard::clock::ManualClock;
use switchboard::domain::{Email, PasswordInput};
use switchboard::store::Store;
use switchboard::NewOperator;

/// The operator every test server has.
pub const EMAIL: &str = "ann@example.com";
/// Their password.
pub const PASSWORD: &str = "correct horse battery staple";

/// A running server and what a test needs to talk to it.
pub struct TestServer {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The database, to look at what is stored.
    pub store: Store,
    /// The server's engine, to read the bounds it reports.
    pub engine: switchboard::Engine,
    /// The server's clock: it stands still until a test moves it.
    pub clock: Arc<ManualClock>,
    /// The demo shop's address, when `SWITCHBOARD_DEMO_ADDR` was given.
    pub demo: Option<std::net::SocketAddr>,
    /// The metrics address, when `SWITCHBOARD_METRICS_ADDR` was given.
    pub metrics: Option<std::net::SocketAddr>,
    /// Where emails are written when no SMTP server is set.
    pub mail_dir: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl TestServer {
    /// Starts a server with the default settings.
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// Starts a server with extra environment-style settings.
    pub async fn start_with(extra: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut env: HashMap<String, String> = HashMap::from([
            (
                "DATABASE_URL".to_owned(),
                format!("sqlite:{}", dir.path().join("test.db").display()),
            ),
            ("LEPTOS_SITE_ADDR".to_owned(), "127.0.0.1:0".to_owned()),
            (
                "SWITCHBOARD_PUBLIC_URL".to_owned(),
                "http://support.test".to_owned(),
            ),
            (
                "SWITCHBOARD_MAIL_DIR".to_owned(),
                dir.path().join("mail").display().to_string(),
            ),
        ]);
        for (k, v) in extra {
            env.insert(k.to_string(), v.to_string());
        }
        let settings = Settings::from_lookup(|k| env.get(k).cloned()).expect("settings");
        let clock = Arc::new(ManualClock::starting_now());
        let app = Application::build_with_clock(settings, clock.clone())
            .await
            .expect("build");
        // Nodes on one shared database share the operator: the second finds it there.
        let created = app
            .engine()
            .create_operator(NewOperator {
                email: Email::parse(EMAIL).unwrap(),
                name: "Ann".into(),
                password: PasswordInput::parse_new(PASSWORD).unwrap(),
                role: switchboard::wire::Role::Admin,
            })
            .await;
        assert!(
            matches!(created, Ok(_) | Err(switchboard::Error::Conflict(_))),
            "operator: {created:?}"
        );
        // The server made its own first operator, the owner; the tests' operator takes over
        // ownership through the use case an owner would use, so tests act as the owner.
        if let Ok(ann) = created {
            let first = app
                .engine()
                .store()
                .db()
                .operators()
                .await
                .expect("operators")
                .into_iter()
                .find(|row| row.role == "owner")
                .expect("an owner")
                .to_operator()
                .expect("an operator");
            app.engine()
                .make_owner(&first, ann.id, &switchboard::Requester::default())
                .await
                .expect("ownership handed to the tests' operator");
        }
        let base = format!("http://{}", app.address());
        let demo = app.demo_address();
        let metrics = app.metrics_address();
        let store = app.engine().store().clone();
        let engine = app.engine().clone();
        tokio::spawn(app.run_until_stopped(std::future::pending()));
        Self {
            base,
            store,
            engine,
            clock,
            demo,
            metrics,
            mail_dir: dir.path().join("mail"),
            _dir: dir,
        }
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A client with a cookie jar and no redirects followed.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(20))
            .build()
            .expect("client")
    }

    /// A client already signed in as the test operator.
    pub async fn signed_in(&self) -> reqwest::Client {
        let client = self.client();
        let response = client
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"email": EMAIL, "password": PASSWORD}))
            .send()
            .await
            .expect("login request");
        assert_eq!(response.status(), 200, "sign-in should succeed");
        client
    }

    /// Signs in and returns the `Cookie` header value for the session.
    pub async fn operator_cookie(&self) -> String {
        let response = self
            .client()
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"email": EMAIL, "password": PASSWORD}))
            .send()
            .await
            .expect("login request");
        let set_cookie = response.headers()["set-cookie"].to_str().unwrap();
        set_cookie.split(';').next().unwrap().to_owned()
    }

    /// `ws://host:port/ws` + `query`.
    pub fn ws_url(&self, query: &str) -> String {
        format!("{}/ws{}", self.base.replacen("http://", "ws://", 1), query)
    }

    /// `GET path` with `client`.
    pub async fn get(&self, client: &reqwest::Client, path: &str) -> reqwest::Response {
        client.get(self.url(path)).send().await.expect("GET")
    }

    /// `GET path` with `client`, read as JSON.
    pub async fn get_json(&self, client: &reqwest::Client, path: &str) -> serde_json::Value {
        self.get(client, path)
            .await
            .json()
            .await
            .expect("JSON body")
    }

    /// `POST path` with `client` and no body.
    pub async fn post(&self, client: &reqwest::Client, path: &str) -> reqwest::Response {
        client.post(self.url(path)).send().await.expect("POST")
    }

    /// Waits until the conversation's newest email has `status` (the email worker runs on its
    /// own), and returns that email as the history lists it.
    pub async fn wait_for_email(
        &self,
        operator: &reqwest::Client,
        conversation_id: &str,
        status: &str,
    ) -> serde_json::Value {
        let path = format!("/api/v1/conversations/{conversation_id}/emails");
        for _ in 0..500 {
            let history = self.get_json(operator, &path).await;
            if history["emails"][0]["status"] == status {
                return history["emails"][0].clone();
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the newest email never became {status}");
    }

    /// Creates a session through the API and returns the whole answer.
    pub async fn create_session(
        &self,
        client: &reqwest::Client,
        title: Option<&str>,
    ) -> serde_json::Value {
        let response = client
            .post(self.url("/api/v1/sessions"))
            .json(&serde_json::json!({ "title": title }))
            .send()
            .await
            .expect("create request");
        assert_eq!(response.status(), 201);
        response.json().await.expect("json")
    }
}

/// Reads an error body and returns its code, checking the contract's shape on the way.
pub async fn error_code(response: reqwest::Response) -> String {
    let body: serde_json::Value = response.json().await.expect("error body is JSON");
    let message = body["error"]["message"].as_str().expect("error.message");
    assert!(!message.is_empty(), "error message should not be empty");
    body["error"]["code"]
        .as_str()
        .expect("error.code")
        .to_owned()
}

/// A string of the app's locale file `lang`, by its dotted key (`problem.link_invalid`).
pub fn text(lang: &str, key: &str) -> String {
    use serde_json::Value;
    let path = format!("{}/../app/locales/{lang}.json", env!("CARGO_MANIFEST_DIR"));
    let all: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    key.split('.')
        .fold(&all, |node, part| &node[part])
        .as_str()
        .unwrap_or_else(|| panic!("no {key} in {lang}.json"))
        .to_owned()
}

/// Reads from a raw connection until the server closes it; `true` when it did within `bound`.
pub async fn closed_within(stream: &mut tokio::net::TcpStream, bound: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let read_to_end = async {
        loop {
            match tokio::io::AsyncReadExt::read(stream, &mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => continue,
            }
        }
    };
    tokio::time::timeout(bound, read_to_end).await.is_ok()
}

/// Runs `$body` with a fresh server on SQLite and on PostgreSQL, as two tests; settings given
/// in brackets (`[("KEY", "value")]`) go to both servers.
macro_rules! on_both {
    ($name:ident, |$server:ident| $body:expr) => {
        $crate::common::on_both!($name, [], |$server| $body);
    };
    ($name:ident, [$($setting:expr),* $(,)?], |$server:ident| $body:expr) => {
        mod $name {
            // A body may use nothing from its file but what the macro brings.
            #[allow(unused_imports)]
            use super::*;
            use crate::common::TestServer;
            use switchboard::store::Backend;
            use switchboard::testing::TestDatabase;

            async fn run($server: TestServer) {
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                run(TestServer::start_with(&[$($setting),*]).await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                let Some(db) = TestDatabase::create(Backend::Postgres).await else {
                    return;
                };
                let server =
                    TestServer::start_with(&[$($setting,)* ("DATABASE_URL", db.url.as_str())]).await;
                let store = server.store.clone();
                run(server).await;
                store.close().await;
                db.drop_database().await;
            }
        }
    };
}
pub(crate) use on_both;
