//! Sending: retries while the mail server is down, refusals, a worker that dies mid-way, and the
//! worker's own timing.

use super::*;

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
