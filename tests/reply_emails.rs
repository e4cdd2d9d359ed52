//! Reply emails, through the engine, on SQLite and on PostgreSQL, with a clock the tests move:
//! when an email goes, what it covers, why it does not go, retries, and a worker that dies
//! between claiming and sending. Emails go to real transports: `.eml` files, or a real SMTP
//! server on loopback.

#![cfg(feature = "server")]

#[path = "support/smtp_server.rs"]
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

on_both!(
    a_reply_read_before_the_delay_is_not_emailed_and_the_job_says_read,
    |w| {
        let (ann, conversation) = w.signed_customer(Some("ann@example.com")).await;
        let seq = w.reply(conversation, "Your order ships tomorrow.").await;
        w.advance(Duration::from_secs(120));
        w.engine.mark_read(&ann, conversation, seq).await.unwrap();
        let read_at = w.engine.now();
        w.advance(DELAY);
        let done = w.engine.deliver_due_emails(&w.files()).await.unwrap();
        assert_eq!((done.sent, done.skipped), (0, 1));
        assert!(w.written().is_empty());
        let history = w.history(conversation).await;
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].status, EmailStatus::Skipped);
        assert_eq!(history[0].reason, Some(EmailReason::Read));
        assert_eq!(
            history[0].read_at.map(|t| t.timestamp_millis()),
            Some(read_at.timestamp_millis())
        );
    }
);

on_both!(
    nothing_goes_before_the_delay_and_three_replies_in_the_window_make_one_email,
    |w| {
        let (_ann, conversation) = w.signed_customer(Some("ann@example.com")).await;
        w.reply(conversation, "First, thanks for waiting.").await;
        w.advance(Duration::from_secs(60));
        w.reply(conversation, "Second, I checked your order.").await;
        w.advance(Duration::from_secs(60));
        w.reply(conversation, "Third, it ships tomorrow.").await;
        w.advance(DELAY - Duration::from_secs(121));
        let early = w.engine.deliver_due_emails(&w.files()).await.unwrap();
        assert_eq!(early.sent, 0);
        let history = w.history(conversation).await;
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].status, EmailStatus::Scheduled);
        w.advance(Duration::from_secs(1));
        let done = w.engine.deliver_due_emails(&w.files()).await.unwrap();
        assert_eq!(done.sent, 1);
        let written = w.written();
        assert_eq!(written.len(), 1);
        let email = &written[0];
        let (text, html) = parts(email);
        for reply in ["First, thanks", "Second, I checked", "Third, it ships"] {
            assert!(text.contains(reply), "{reply} is missing from {text}");
            assert!(html.contains(reply), "{reply} is missing from {html}");
        }
        assert!(email.contains("To: Ann <ann@example.com>"));
        assert!(email.contains("Subject: New reply from Acme Support"));
        let history = w.history(conversation).await;
        assert_eq!(history[0].status, EmailStatus::Sent);
        assert_eq!(history[0].replies, 3);
        assert_eq!(history[0].recipient.as_deref(), Some("ann@example.com"));
        // Nothing is due any more: a second pass sends nothing.
        let again = w.engine.deliver_due_emails(&w.files()).await.unwrap();
        assert_eq!(again.sent, 0);
        assert_eq!(w.written().len(), 1);
    }
);

on_both!(
    a_reply_after_a_sent_email_gets_a_second_email_with_only_itself,
    |w| {
        let (_ann, conversation) = w.signed_customer(Some("ann@example.com")).await;
        w.reply(conversation, "The first answer.").await;
        w.advance(DELAY);
        assert_eq!(
            w.engine.deliver_due_emails(&w.files()).await.unwrap().sent,
            1
        );
        w.reply(conversation, "A later answer.").await;
        w.advance(DELAY);
        assert_eq!(
            w.engine.deliver_due_emails(&w.files()).await.unwrap().sent,
            1
        );
        let written = w.written();
        assert_eq!(written.len(), 2);
        let texts: Vec<String> = written.iter().map(|e| parts(e).0).collect();
        let second = texts
            .iter()
            .find(|t| t.contains("A later answer."))
            .expect("the second email");
        assert!(!second.contains("The first answer."));
        let history = w.history(conversation).await;
        assert_eq!(history.len(), 2);
        assert!(history
            .iter()
            .all(|h| h.status == EmailStatus::Sent && h.replies == 1));
    }
);

on_both!(
    an_archived_conversation_a_customer_without_email_and_an_unsubscribed_one_are_skipped,
    |w| {
        let (_a, archived) = w.signed_customer(Some("arch@example.com")).await;
        w.reply(archived, "Archived soon.").await;
        w.engine.set_archived(archived, true).await.unwrap();
        let (_b, silent) = w.visitor(None).await;
        w.reply(silent, "Nobody to mail.").await;
        let (_c, leaving) = w.signed_customer(Some("leaving@example.com")).await;
        w.reply(leaving, "Before unsubscribing.").await;
        w.advance(DELAY);
        assert_eq!(
            w.engine.deliver_due_emails(&w.files()).await.unwrap().sent,
            1
        );
        let first = w.written().pop().unwrap();
        let link = unsubscribe_link(&first);
        assert!(w.engine.email_subscription(&link).await.unwrap());
        w.engine.set_email_subscription(&link, false).await.unwrap();
        assert!(!w.engine.email_subscription(&link).await.unwrap());
        w.reply(leaving, "After unsubscribing.").await;
        w.advance(DELAY);
        let done = w.engine.deliver_due_emails(&w.files()).await.unwrap();
        assert_eq!((done.sent, done.skipped), (0, 1));
        for (conversation, reason) in [
            (archived, EmailReason::Archived),
            (silent, EmailReason::NoEmail),
            (leaving, EmailReason::Unsubscribed),
        ] {
            let history = w.history(conversation).await;
            assert_eq!(history[0].status, EmailStatus::Skipped);
            assert_eq!(history[0].reason, Some(reason));
        }
        assert_eq!(w.written().len(), 1);
        // A forged or cut link changes nothing.
        assert!(w
            .engine
            .set_email_subscription(&link[..link.len() - 3], true)
            .await
            .is_err());
    }
);

on_both!(
    an_address_a_visitor_typed_gets_no_reply_email_while_it_is_unverified,
    |w| {
        let (_v, conversation) = w.visitor(Some("typed@example.com")).await;
        w.reply(conversation, "The private details of your case.")
            .await;
        w.advance(DELAY);
        let delivered = w.engine.deliver_due_emails(&w.files()).await.unwrap();
        assert_eq!((delivered.sent, delivered.skipped), (0, 1));
        assert!(w.written().is_empty(), "nothing went to the typed address");
        let history = w.history(conversation).await;
        assert_eq!(history[0].reason, Some(EmailReason::NoEmail));
    }
);

on_both!(
    a_send_that_fails_while_smtp_is_down_is_retried_and_sent_once_when_it_is_up,
    |w| {
        let (_ann, conversation) = w.signed_customer(Some("ann@example.com")).await;
        w.reply(conversation, "Are you there?").await;
        // A port nobody listens on: the connection is refused.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = port.local_addr().unwrap();
        drop(port);
        let smtp = SmtpMailer::from_url(&format!("smtp://{addr}")).unwrap();
        w.advance(DELAY);
        let down = w.engine.deliver_due_emails(&smtp).await.unwrap();
        assert_eq!((down.sent, down.retrying), (0, 1));
        let history = w.history(conversation).await;
        assert_eq!(history[0].status, EmailStatus::Retrying);
        assert_eq!(
            history[0].at.timestamp_millis(),
            (w.engine.now() + chrono::Duration::seconds(30)).timestamp_millis()
        );
        assert!(history[0].detail.is_some());
        let server = TestSmtpServer::start_on(std::net::TcpListener::bind(addr).unwrap(), None);
        // Not yet due: nothing is tried before the pause is over.
        assert_eq!(w.engine.deliver_due_emails(&smtp).await.unwrap().sent, 0);
        assert!(server.received().is_empty());
        w.advance(Duration::from_secs(30));
        let up = w.engine.deliver_due_emails(&smtp).await.unwrap();
        assert_eq!(up.sent, 1);
        w.advance(Duration::from_secs(3600));
        assert_eq!(w.engine.deliver_due_emails(&smtp).await.unwrap().sent, 0);
        let received = server.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].to, vec!["ann@example.com".to_owned()]);
        let history = w.history(conversation).await;
        assert_eq!(history[0].status, EmailStatus::Sent);
        assert_eq!(history[0].attempts, 2);
    }
);

on_both!(
    a_refusal_for_good_ends_the_job_as_failed_with_the_servers_words,
    |w| {
        let (_ann, conversation) = w.signed_customer(Some("gone@example.com")).await;
        w.reply(conversation, "Hello?").await;
        let server = TestSmtpServer::start_on(
            std::net::TcpListener::bind("127.0.0.1:0").unwrap(),
            Some("gone@example.com"),
        );
        let smtp = SmtpMailer::from_url(&server.url()).unwrap();
        w.advance(DELAY);
        let done = w.engine.deliver_due_emails(&smtp).await.unwrap();
        assert_eq!((done.sent, done.failed), (0, 1));
        let history = w.history(conversation).await;
        assert_eq!(history[0].status, EmailStatus::Failed);
        assert_eq!(history[0].reason, Some(EmailReason::Refused));
        assert!(history[0]
            .detail
            .as_deref()
            .unwrap_or_default()
            .contains("550"));
        w.advance(Duration::from_secs(24 * 3600));
        assert_eq!(w.engine.deliver_due_emails(&smtp).await.unwrap().failed, 0);
        assert!(server.received().is_empty());
    }
);

on_both!(
    a_worker_that_dies_between_claiming_and_sending_leaves_an_email_sent_once,
    |w| {
        let (_ann, conversation) = w.signed_customer(Some("ann@example.com")).await;
        w.reply(conversation, "Sent exactly once.").await;
        w.advance(DELAY);
        let Step::Ready(claimed) = w.engine.claim_due_email().await.unwrap() else {
            panic!("the job was due");
        };
        // The worker dies here: the claim is committed, nothing was sent.
        drop(claimed);
        assert_eq!(
            w.history(conversation).await[0].status,
            EmailStatus::Sending
        );
        // While the claim holds, no other worker takes the job.
        let other = engine_on(&w.store, &w.clock);
        assert_eq!(other.deliver_due_emails(&w.files()).await.unwrap().sent, 0);
        // A restarted node: a single SQLite node takes its claims back at once; PostgreSQL nodes
        // wait for the claim to lapse.
        let restarted = engine_on(&w.store, &w.clock);
        if w.store.backend() == Backend::Sqlite {
            restarted.resume_email_claims().await.unwrap();
        } else {
            w.advance(Duration::from_secs(90));
        }
        assert_eq!(
            restarted.deliver_due_emails(&w.files()).await.unwrap().sent,
            1
        );
        assert_eq!(
            restarted.deliver_due_emails(&w.files()).await.unwrap().sent,
            0
        );
        assert_eq!(w.written().len(), 1);
        assert_eq!(w.history(conversation).await[0].attempts, 2);
    }
);

on_both!(
    a_file_email_written_before_a_crash_is_not_written_twice,
    |w| {
        let (_ann, conversation) = w.signed_customer(Some("ann@example.com")).await;
        w.reply(conversation, "Written, then the node died.").await;
        w.advance(DELAY);
        let Step::Ready(claimed) = w.engine.claim_due_email().await.unwrap() else {
            panic!("the job was due");
        };
        // Sent, and the node died before it recorded so.
        w.files().send(claimed.email()).await.unwrap();
        drop(claimed);
        w.advance(Duration::from_secs(90));
        let again = engine_on(&w.store, &w.clock);
        assert_eq!(again.deliver_due_emails(&w.files()).await.unwrap().sent, 1);
        assert_eq!(w.written().len(), 1);
        assert_eq!(w.history(conversation).await[0].status, EmailStatus::Sent);
    }
);

on_both!(the_worker_sends_when_the_clock_reaches_the_due_time, |w| {
    let (_ann, conversation) = w.signed_customer(Some("ann@example.com")).await;
    let worker = tokio::spawn(
        w.engine
            .clone()
            .run_email_worker(Arc::new(w.files()) as Arc<dyn Mailer>),
    );
    w.reply(conversation, "The worker will mail this.").await;
    w.advance(DELAY);
    let mut seen = Vec::new();
    for _ in 0..500 {
        seen = w.history(conversation).await;
        if seen[0].status == EmailStatus::Sent {
            break;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    worker.abort();
    assert_eq!(seen[0].status, EmailStatus::Sent);
    assert_eq!(w.written().len(), 1);
});

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
