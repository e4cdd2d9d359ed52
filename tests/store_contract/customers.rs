//! Website customers: one per identity, with one conversation, their tokens and contact details.

use super::*;

contract!(
    customers_are_one_per_identity_with_one_conversation,
    |_url, store| {
        let mut signed = customer_row(Some("42"), None, 1_000);
        signed.email = Some("ann@example.com".into());
        signed.email_signed = true;
        signed.name = Some("Ann".into());
        let first = store.db().upsert_signed_customer(&signed).await.unwrap();
        // The same user id again: one customer, the signed values win, absent ones are kept.
        let mut again = customer_row(Some("42"), None, 2_000);
        again.email = Some("ann@new.example".into());
        again.email_signed = true;
        let second = store.db().upsert_signed_customer(&again).await.unwrap();
        assert_eq!(second.id, first.id);
        assert_eq!(second.email.as_deref(), Some("ann@new.example"));
        assert_eq!(second.name.as_deref(), Some("Ann"));
        assert!(second.email_signed);
        let conversation = store
            .db()
            .ensure_customer_conversation(&first.id, &id(), 1_000)
            .await
            .unwrap();
        let same = store
            .db()
            .ensure_customer_conversation(&first.id, &id(), 2_000)
            .await
            .unwrap();
        assert_eq!(conversation, same, "one conversation per customer");

        // A typed email is not signed; an anonymous visitor is found by its token's digest.
        let digest = Token::generate().digest();
        let visitor = customer_row(None, Some(digest.as_str()), 3_000);
        store.db().insert_customer(&visitor).await.unwrap();
        let found = store
            .db()
            .visit_anonymous_customer(&digest, Some("de"), 4_000)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (found.id.as_str(), found.locale.as_deref()),
            (visitor.id.as_str(), Some("de"))
        );
        let typed = store
            .db()
            .update_customer_contact(&visitor.id, Some("zoe@example.com"), Some("Zoe"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(typed.email.as_deref(), Some("zoe@example.com"));
        assert!(!typed.email_signed);
        assert!(!typed.email_verified && !typed.name_verified);

        // Verification: a vouched value verifies; an unvouched one keeps an earlier
        // verification only when it is the same value.
        let mut vouched = customer_row(Some("77"), None, 5_000);
        vouched.email = Some("kim@example.com".into());
        vouched.email_signed = true;
        vouched.email_verified = true;
        vouched.name = Some("Kim".into());
        vouched.name_verified = true;
        let kim = store.db().upsert_signed_customer(&vouched).await.unwrap();
        assert!(kim.email_verified && kim.name_verified);
        let mut same_unvouched = customer_row(Some("77"), None, 6_000);
        same_unvouched.email = Some("kim@example.com".into());
        same_unvouched.email_signed = true;
        same_unvouched.name = Some("Kim".into());
        let kim = store
            .db()
            .upsert_signed_customer(&same_unvouched)
            .await
            .unwrap();
        assert!(
            kim.email_verified && kim.name_verified,
            "same values stay verified"
        );
        let mut other_unvouched = customer_row(Some("77"), None, 7_000);
        other_unvouched.email = Some("victim@elsewhere.example".into());
        other_unvouched.email_signed = true;
        other_unvouched.name = Some("Kim!".into());
        let kim = store
            .db()
            .upsert_signed_customer(&other_unvouched)
            .await
            .unwrap();
        assert_eq!(kim.email.as_deref(), Some("victim@elsewhere.example"));
        assert!(
            !kim.email_verified && !kim.name_verified,
            "other values are unverified"
        );
        let absent = customer_row(Some("77"), None, 8_000);
        let kim = store.db().upsert_signed_customer(&absent).await.unwrap();
        assert!(!kim.email_verified, "absent values keep what was there");

        // Widget tokens: found until they expire, then pruned.
        let token = Token::generate().digest();
        store
            .db()
            .insert_widget_token(&token, &first.id, 1_000, 5_000)
            .await
            .unwrap();
        let (who, their_conversation, _) = store
            .db()
            .customer_by_widget_token(&token, 4_999)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (who.id, their_conversation),
            (first.id.clone(), conversation.clone())
        );
        assert!(store
            .db()
            .customer_by_widget_token(&token, 5_000)
            .await
            .unwrap()
            .is_none());
        assert_eq!(
            store
                .db()
                .delete_expired_widget_tokens(5_000)
                .await
                .unwrap(),
            1
        );

        // A customer's tokens trimmed to the newest few, oldest first out.
        let tokens: Vec<_> = (0..4).map(|_| Token::generate().digest()).collect();
        for (i, token) in tokens.iter().enumerate() {
            store
                .db()
                .insert_widget_token(token, &first.id, 10_000 + i as i64, 90_000)
                .await
                .unwrap();
        }
        assert_eq!(
            store.db().trim_widget_tokens(&first.id, 2).await.unwrap(),
            2
        );
        assert_eq!(
            store
                .db()
                .live_widget_tokens(&first.id, 10_000)
                .await
                .unwrap(),
            2
        );
        for (token, kept) in tokens.iter().zip([false, false, true, true]) {
            let found = store
                .db()
                .customer_by_widget_token(token, 10_000)
                .await
                .unwrap();
            assert_eq!(found.is_some(), kept);
        }
        // A token's expiry while it holds; deleting it names the customer's conversation.
        assert_eq!(
            store
                .db()
                .widget_token_expiry(&tokens[3], 10_000)
                .await
                .unwrap(),
            Some(90_000)
        );
        assert_eq!(
            store.db().delete_widget_token(&tokens[3]).await.unwrap(),
            Some(conversation.clone())
        );
        assert_eq!(
            store
                .db()
                .widget_token_expiry(&tokens[3], 10_000)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            store.db().delete_widget_token(&tokens[3]).await.unwrap(),
            None
        );

        // Confirmations: queued, claimed once, settled; a link confirms only its address.
        store
            .db()
            .insert_confirmation("c1", &visitor.id, "zoe@example.com", Some("de"), 20_000)
            .await
            .unwrap();
        assert_eq!(
            store
                .db()
                .confirmations_since(&visitor.id, 20_000)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            store.db().next_confirmation_due().await.unwrap(),
            Some(20_000)
        );
        let claimed = store
            .db()
            .claim_due_confirmation(20_000, 30_000)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (claimed.id.as_str(), claimed.state.as_str()),
            ("c1", "sending")
        );
        assert!(store
            .db()
            .claim_due_confirmation(20_000, 30_000)
            .await
            .unwrap()
            .is_none());
        store
            .db()
            .settle_confirmation("c1", JobState::Sent, 21_000, 1, None)
            .await
            .unwrap();
        assert_eq!(store.db().next_confirmation_due().await.unwrap(), None);
        assert!(store.db().confirm_address("c1").await.unwrap());
        store
            .db()
            .mark_confirmation_used("c1", 22_000)
            .await
            .unwrap();
        let used = store.db().confirmation("c1").await.unwrap().unwrap();
        assert_eq!(used.confirmed_at, Some(22_000));
        store
            .db()
            .update_customer_contact(&visitor.id, Some("other@example.com"), None)
            .await
            .unwrap();
        assert!(
            !store.db().confirm_address("c1").await.unwrap(),
            "the address changed since"
        );

        // Rate windows: one count per key and window, pruned by start.
        for expected in 1..=3 {
            assert_eq!(store.hit_rate_window("k", 60_000).await.unwrap(), expected);
        }
        assert_eq!(store.hit_rate_window("k", 120_000).await.unwrap(), 1);
        assert_eq!(store.hit_rate_window("j", 60_000).await.unwrap(), 1);
        assert_eq!(
            store
                .db()
                .delete_rate_windows_before(120_000)
                .await
                .unwrap(),
            2
        );

        // An installation's own values: the first stored wins.
        store
            .db()
            .insert_instance_setting("k", "first")
            .await
            .unwrap();
        store
            .db()
            .insert_instance_setting("k", "second")
            .await
            .unwrap();
        assert_eq!(
            store.db().instance_setting("k").await.unwrap().as_deref(),
            Some("first")
        );
        // A setting operators change is replaced, and only under its own key.
        store
            .db()
            .put_instance_setting("look", "one")
            .await
            .unwrap();
        store
            .db()
            .put_instance_setting("look", "two")
            .await
            .unwrap();
        assert_eq!(
            store
                .db()
                .instance_setting("look")
                .await
                .unwrap()
                .as_deref(),
            Some("two")
        );
        assert_eq!(
            store.db().instance_setting("k").await.unwrap().as_deref(),
            Some("first")
        );
    }
);

contract!(
    customers_are_numbered_in_the_order_they_arrive_and_keep_their_number,
    |_url, store| {
        let first = customer_row(Some("n-1"), None, 1_000);
        let first = store.db().upsert_signed_customer(&first).await.unwrap();
        let second = customer_row(None, Some("visitor-n-2"), 2_000);
        let second = store.db().insert_customer(&second).await.unwrap();
        assert_eq!((first.number, second.number), (Some(1), Some(2)));
        // A signed customer coming back is updated, not renumbered, and takes no number.
        let back = customer_row(Some("n-1"), None, 3_000);
        let back = store.db().upsert_signed_customer(&back).await.unwrap();
        assert_eq!(back.number, Some(1));
        let third = customer_row(Some("n-3"), None, 4_000);
        let third = store.db().upsert_signed_customer(&third).await.unwrap();
        assert_eq!(third.number, Some(3));
        // The inbox shows the number with the customer.
        assert_eq!(third.to_customer().unwrap().number, 3);
    }
);
