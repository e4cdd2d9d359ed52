//! When a reply email goes, what it covers, and why one does not go.

use super::*;

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
