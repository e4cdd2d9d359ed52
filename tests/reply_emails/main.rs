//! Reply emails, through the engine, on SQLite and on PostgreSQL, with a clock the tests move:
//! when an email goes, what it covers, why it does not go, retries, and a worker that dies
//! between claiming and sending. Emails go to real transports: `.eml` files, or a real SMTP
//! server on loopback.

#![cfg(feature = "server")]

#[path = "../support/smtp_server.rs"]
mod smtp_server;

use std::sync::Arc;
use std::time::Duration;

use smtp_server::TestSmtpServer;
use switchboard::auth::{SignedIdentity, Token};
use switchboard::clock::ManualClock;
use switchboard::domain::{ClientNetwork, DisplayName, Email, MessageBody, PasswordInput, UserId};
use switchboard::hub::Hub;
use switchboard::mail::{FileMailer, Mailer, SmtpMailer, Step};
use switchboard::store::{Backend, Store};
use switchboard::testing::TestDatabase;
use switchboard::widget::WidgetSignIn;
use switchboard::wire::{EmailReason, EmailRecord, EmailStatus};
use switchboard::{Actor, Engine, EngineConfig, NewOperator};
use uuid::Uuid;

const DELAY: Duration = Duration::from_secs(300);

/// One engine over a fresh database, a clock that moves only when told, and a mail folder.
struct World {
    engine: Engine,
    clock: Arc<ManualClock>,
    store: Store,
    operator: Actor,
    mail: tempfile::TempDir,
}

impl World {
    async fn new(db: &TestDatabase) -> Self {
        let store = Store::connect(&db.url).await.unwrap();
        store.migrate().await.unwrap();
        let clock = Arc::new(ManualClock::starting_now());
        let engine = engine_on(&store, &clock);
        let operator = engine
            .create_operator(NewOperator {
                email: Email::parse("bob@support.test").unwrap(),
                name: "Bob".into(),
                password: PasswordInput::parse_new("a-long-password").unwrap(),
                role: switchboard::wire::Role::Admin,
            })
            .await
            .unwrap();
        Self {
            engine,
            clock,
            store,
            operator: Actor::Operator(operator),
            mail: tempfile::tempdir().unwrap(),
        }
    }

    fn files(&self) -> FileMailer {
        FileMailer::new(self.mail.path())
    }

    /// The `.eml` files written so far, as text.
    fn written(&self) -> Vec<String> {
        let mut files: Vec<_> = std::fs::read_dir(self.mail.path())
            .map(|dir| dir.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        files.sort();
        files
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    }

    /// A customer signed by the host site, with `email`.
    async fn signed_customer(&self, email: Option<&str>) -> (Actor, Uuid) {
        let user_id = format!("user-{}", Uuid::now_v7());
        // The v1.1 form: it vouches for the email, which then gets reply emails.
        let covers = SignedIdentity {
            user_id: user_id.clone(),
            email: email.unwrap_or_default().to_owned(),
            name: "Ann".to_owned(),
            issued_at: self.engine.now().timestamp(),
        };
        let signature = self
            .engine
            .widget_secret()
            .await
            .unwrap()
            .sign_identity(&covers);
        let session = self
            .engine
            .widget_session(
                WidgetSignIn::Signed {
                    user_id: UserId::parse(&user_id).unwrap(),
                    email: email.map(|e| Email::parse(e).unwrap()),
                    name: DisplayName::parse("name", "Ann").unwrap(),
                    signature,
                    covers: Some(covers),
                },
                None,
                ClientNetwork::parse("127.0.0.1"),
            )
            .await
            .unwrap();
        self.engine
            .widget_customer(&Token::from_presented(&session.widget_token), None)
            .await
            .unwrap()
    }

    /// An anonymous visitor who typed `email`, if any.
    async fn visitor(&self, email: Option<&str>) -> (Actor, Uuid) {
        let session = self
            .engine
            .widget_session(
                WidgetSignIn::Anonymous {
                    visitor_token: None,
                },
                None,
                ClientNetwork::parse("127.0.0.1"),
            )
            .await
            .unwrap();
        let (actor, conversation) = self
            .engine
            .widget_customer(&Token::from_presented(&session.widget_token), None)
            .await
            .unwrap();
        if let Some(email) = email {
            self.engine
                .update_customer(&actor, Some(Email::parse(email).unwrap()), None)
                .await
                .unwrap();
        }
        (actor, conversation)
    }

    async fn reply(&self, conversation: Uuid, text: &str) -> i64 {
        self.engine
            .post_message(
                &self.operator,
                conversation,
                MessageBody::parse(text).unwrap(),
                None,
            )
            .await
            .unwrap()
            .message
            .seq
    }

    fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    async fn history(&self, conversation: Uuid) -> Vec<EmailRecord> {
        self.engine.email_history(conversation).await.unwrap()
    }
}

fn engine_on(store: &Store, clock: &Arc<ManualClock>) -> Engine {
    let mut config = EngineConfig::new("http://support.test");
    config.sends_per_window = 1000;
    config.email.delay = DELAY;
    config.email.product_name = "Acme".to_owned();
    Engine::with_parts(store.clone(), config, Arc::new(Hub::new()), clock.clone())
}

/// Runs `$body` with `$w` (a [`World`]) once per backend, as two tests.
macro_rules! on_both {
    ($name:ident, |$w:ident| $body:expr) => {
        mod $name {
            use super::*;

            async fn run(backend: Backend) {
                let Some(db) = TestDatabase::create(backend).await else {
                    return;
                };
                let $w = World::new(&db).await;
                let store = $w.store.clone();
                let outcome = tokio::spawn(async move { $body }).await;
                store.close().await;
                db.drop_database().await;
                if let Err(panic) = outcome {
                    std::panic::resume_unwind(panic.into_panic());
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                run(Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                run(Backend::Postgres).await;
            }
        }
    };
}

/// An email's text part and HTML part, decoded.
fn parts(raw: &str) -> (String, String) {
    let message = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .expect("an email");
    (
        message.body_text(0).expect("a text part").into_owned(),
        message.body_html(0).expect("an HTML part").into_owned(),
    )
}

/// The one-click link an email's `List-Unsubscribe` header names, as its token.
fn unsubscribe_link(email: &str) -> String {
    let header = email
        .lines()
        .find(|l| l.starts_with("List-Unsubscribe: <"))
        .expect("a List-Unsubscribe header");
    let url = header
        .trim_start_matches("List-Unsubscribe: <")
        .trim_end_matches('>');
    url.rsplit('/').next().unwrap().to_owned()
}

mod delivery;
mod policy;
