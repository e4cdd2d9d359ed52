//! Messages: gap-free seqs, keys stored once, batches, transactions and the notify that goes with a commit.

use super::*;

contract!(
    messages_take_gap_free_seqs_and_a_repeated_key_stores_once,
    |_url, store| {
        let s = session(&store, 1_000, i64::MAX).await;
        let conv = Uuid::parse_str(&s.conversation_id).unwrap();
        let first = new_message(&s.conversation_id, "guest", "k1");
        let Inserted::New(row) = post(&store, &first).await else {
            panic!("stored")
        };
        assert_eq!(row.seq, 1);
        let Inserted::Existing(existing) =
            post(&store, &new_message(&s.conversation_id, "guest", "k1")).await
        else {
            panic!("the key is taken")
        };
        assert_eq!(existing.id, first.id);
        let Inserted::New(second) =
            post(&store, &new_message(&s.conversation_id, "operator", "k2")).await
        else {
            panic!("stored")
        };
        assert_eq!(second.seq, 2);
        assert!(matches!(
            post(&store, &new_message(&id(), "guest", "k3")).await,
            Inserted::NoConversation
        ));
        assert_eq!(store.db().last_seq(conv).await.unwrap(), Some(2));
        assert_eq!(store.db().last_seq(Uuid::now_v7()).await.unwrap(), None);
        let after = store.db().messages_after(conv, 1, 10, true).await.unwrap();
        assert_eq!(after.len(), 1);
        let message = after[0].to_message().unwrap();
        assert_eq!((message.seq, message.content.as_str()), (2, "hello ✓ €"));
        assert_eq!(
            store
                .db()
                .message_by_client_id(&s.conversation_id, "k2")
                .await
                .unwrap()
                .map(|m| m.seq),
            Some(2)
        );
        // Unread: the guest's message, for operators.
        let sid = Uuid::parse_str(&s.id).unwrap();
        assert_eq!(
            store
                .db()
                .unread_per_session(&[sid], &[SenderKind::Guest, SenderKind::Customer])
                .await
                .unwrap(),
            vec![(s.id.clone(), 1)]
        );
        assert_eq!(
            store
                .db()
                .mark_read(conv, &[SenderKind::Guest, SenderKind::Customer], 2, 9_000)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            store
                .db()
                .mark_read(conv, &[SenderKind::Guest, SenderKind::Customer], 2, 9_000)
                .await
                .unwrap(),
            0
        );
        assert!(store
            .db()
            .unread_per_session(&[sid], &[SenderKind::Guest, SenderKind::Customer])
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            store.db().messages_after(conv, 0, 10, true).await.unwrap()[0].read_at,
            Some(9_000)
        );
    }
);

contract!(
    a_transaction_dropped_without_commit_leaves_nothing,
    |_url, store| {
        let s = session(&store, 1_000, i64::MAX).await;
        let conv = Uuid::parse_str(&s.conversation_id).unwrap();
        {
            let mut tx = store.begin().await.unwrap();
            tx.insert_message(&new_message(&s.conversation_id, "guest", "k"))
                .await
                .unwrap();
            tx.db()
                .insert_conversation(&id(), "support", 1)
                .await
                .unwrap();
        }
        assert_eq!(store.db().last_seq(conv).await.unwrap(), Some(0));
        assert!(store
            .db()
            .messages_after(conv, 0, 10, true)
            .await
            .unwrap()
            .is_empty());
    }
);

contract!(
    concurrent_posts_from_two_nodes_get_seqs_one_to_n,
    |url, store| {
        let s = session(&store, 1_000, i64::MAX).await;
        let other = Store::connect(&url).await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..60 {
            let node = if i % 2 == 0 {
                store.clone()
            } else {
                other.clone()
            };
            let conv = s.conversation_id.clone();
            tasks.push(tokio::spawn(async move {
                // Keys dup0..dup5 are each sent twice, once from each node, at the same time.
                let key = if i % 5 == 0 {
                    format!("dup{}", i / 10)
                } else {
                    format!("k{i}")
                };
                let mut tx = node.begin().await.unwrap();
                let inserted = tx.insert_message(&new_message(&conv, "guest", &key)).await;
                let inserted = match inserted {
                    Ok(inserted) => inserted,
                    Err(err) if switchboard::store::is_unique_violation(&err) => return None,
                    Err(err) => panic!("{err}"),
                };
                match tx.commit().await {
                    Ok(()) => Some(inserted),
                    Err(err) if switchboard::store::is_unique_violation(&err) => None,
                    Err(err) => panic!("{err}"),
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let conv = Uuid::parse_str(&s.conversation_id).unwrap();
        let stored = store
            .db()
            .messages_after(conv, 0, 1000, true)
            .await
            .unwrap();
        let seqs: Vec<i64> = stored.iter().map(|m| m.seq).collect();
        assert_eq!(seqs, (1..=stored.len() as i64).collect::<Vec<_>>());
        assert_eq!(
            store.db().last_seq(conv).await.unwrap(),
            Some(stored.len() as i64)
        );
        let mut keys: Vec<&str> = stored.iter().map(|m| m.client_id.as_str()).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), stored.len(), "each key stored once");
        assert_eq!(stored.len(), 54);
        other.close().await;
    }
);

contract!(
    a_notify_goes_out_with_its_commit_and_not_with_a_rollback,
    |_url, store| {
        let Some(pool) = store.postgres() else {
            // SQLite: one node, nobody to tell; the call is accepted and does nothing.
            let mut tx = store.begin().await.unwrap();
            tx.db().notify("contract_test", "x").await.unwrap();
            tx.commit().await.unwrap();
            return;
        };
        let mut listener = sqlx::postgres::PgListener::connect_with(pool)
            .await
            .unwrap();
        listener.listen("contract_test").await.unwrap();
        {
            let mut rolled_back = store.begin().await.unwrap();
            rolled_back
                .db()
                .notify("contract_test", "rolled back")
                .await
                .unwrap();
        }
        let mut tx = store.begin().await.unwrap();
        tx.db().notify("contract_test", "committed").await.unwrap();
        tx.commit().await.unwrap();
        // The first notification to arrive is the committed one: the rolled-back one never went.
        let first = listener.recv().await.unwrap();
        assert_eq!(first.payload(), "committed");
    }
);

contract!(
    a_batch_stores_each_key_once_with_gap_free_seqs_in_order,
    |_url, store| {
        let a = session(&store, 1_000, 10_000_000).await;
        let b = session(&store, 1_000, 10_000_000).await;
        let earlier = new_message(&a.conversation_id, "guest", "k0");
        assert!(matches!(post(&store, &earlier).await, Inserted::New(_)));
        let missing = id();
        let batch = [
            new_message(&a.conversation_id, "guest", "k1"),
            new_message(&b.conversation_id, "operator", "k1"),
            new_message(&a.conversation_id, "guest", "k0"),
            new_message(&missing, "guest", "k9"),
            new_message(&a.conversation_id, "operator", "k2"),
            new_message(&a.conversation_id, "guest", "k1"),
        ];
        let news: Vec<&NewMessageRow> = batch.iter().collect();
        let mut tx = store.begin().await.unwrap();
        let outcome = tx.insert_messages(&news).await.unwrap().inserted;
        tx.commit().await.unwrap();
        let seq = |i: usize| match &outcome[i] {
            Inserted::New(row) => row.seq,
            other => panic!("message {i} was not stored new: {other:?}"),
        };
        assert_eq!((seq(0), seq(1), seq(4)), (2, 1, 3));
        assert!(
            matches!(&outcome[2], Inserted::Existing(row) if row.id == earlier.id),
            "a key stored before"
        );
        assert!(matches!(outcome[3], Inserted::NoConversation));
        assert!(
            matches!(&outcome[5], Inserted::Existing(row) if row.id == batch[0].id && row.seq == 2),
            "a key earlier in the same batch"
        );
        let stored = store
            .db()
            .messages_after(a.conversation_id.parse().unwrap(), 0, 10, true)
            .await
            .unwrap();
        let seqs: Vec<(i64, &str)> = stored
            .iter()
            .map(|m| (m.seq, m.client_id.as_str()))
            .collect();
        assert_eq!(seqs, [(1, "k0"), (2, "k1"), (3, "k2")]);
        assert_eq!(
            store
                .db()
                .last_seq(a.conversation_id.parse().unwrap())
                .await
                .unwrap(),
            Some(3)
        );
    }
);

contract!(
    notifications_sent_together_go_out_in_their_order_with_their_commit,
    |_url, store| {
        let together = [
            ("contract_test", "one"),
            ("contract_test", "two"),
            ("contract_test", "three"),
        ];
        let Some(pool) = store.postgres() else {
            // SQLite: one node, nobody to tell; the call is accepted and does nothing.
            let mut tx = store.begin().await.unwrap();
            tx.db().notify_all(&together).await.unwrap();
            tx.commit().await.unwrap();
            return;
        };
        let mut listener = sqlx::postgres::PgListener::connect_with(pool)
            .await
            .unwrap();
        listener.listen("contract_test").await.unwrap();
        {
            let mut rolled_back = store.begin().await.unwrap();
            rolled_back
                .db()
                .notify_all(&[("contract_test", "rolled back")])
                .await
                .unwrap();
        }
        let mut tx = store.begin().await.unwrap();
        tx.db().notify_all(&together).await.unwrap();
        tx.commit().await.unwrap();
        let mut heard = Vec::new();
        for _ in 0..3 {
            heard.push(listener.recv().await.unwrap().payload().to_owned());
        }
        assert_eq!(heard, ["one", "two", "three"]);
    }
);

contract!(
    email_windows_opened_together_open_one_per_support_conversation_the_first_reply_first,
    |_url, store| {
        use switchboard::store::emails::EmailWindow;
        let support = support_conversation(&store, "u1").await;
        let session = session(&store, 1_000, i64::MAX).await;
        let window = |conversation: &str, seq: i64| EmailWindow {
            id: id(),
            conversation_id: uuid(conversation),
            seq,
            at: 5_000 + seq,
            due_at: 305_000 + seq,
        };
        let windows = [
            window(&support, 1),
            window(&session.conversation_id, 1),
            window(&support, 2),
        ];
        let mut tx = store.begin().await.unwrap();
        let opened = tx.db().open_email_windows(&windows).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            opened, 1,
            "one window for the support conversation, none for a session"
        );
        let jobs = store.db().email_jobs_of(uuid(&support), 10).await.unwrap();
        let jobs: Vec<(&str, i64, i64)> = jobs
            .iter()
            .map(|j| (j.id.as_str(), j.first_seq, j.due_at))
            .collect();
        assert_eq!(jobs, [(windows[0].id.as_str(), 1, 305_001)]);
        assert!(store
            .db()
            .email_jobs_of(uuid(&session.conversation_id), 10)
            .await
            .unwrap()
            .is_empty());
    }
);
