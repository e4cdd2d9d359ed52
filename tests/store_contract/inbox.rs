//! The inbox: pages, archive and restore, notes, unread counts.

use super::*;

contract!(
    the_inbox_lists_pages_archives_and_counts_unread,
    |_url, store| {
        let mut conversations = Vec::new();
        for i in 0..5i64 {
            let customer = customer_row(Some(&format!("u{i}")), None, 1_000);
            let customer = store.db().upsert_signed_customer(&customer).await.unwrap();
            let conversation = store
                .db()
                .ensure_customer_conversation(&customer.id, &id(), 1_000)
                .await
                .unwrap();
            for (k, kind) in ["customer", "operator"].into_iter().enumerate() {
                let new = NewMessageRow {
                    content: format!("{kind} {i} {}", "é".repeat(120)),
                    created_at: 10_000 + i * 100 + k as i64,
                    ..new_message(&conversation, kind, &format!("k{k}"))
                };
                assert!(matches!(post(&store, &new).await, Inserted::New(_)));
            }
            conversations.push(conversation);
        }
        let page = |status, before| InboxQuery {
            status,
            kind: ConversationKind::Support,
            limit: 2,
            before,
            ..InboxQuery::default()
        };
        let first = store
            .db()
            .inbox_page(&page(InboxStatus::Active, None))
            .await
            .unwrap();
        let ids: Vec<&str> = first.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, [conversations[4].as_str(), conversations[3].as_str()]);
        let item = first[0].to_item().unwrap();
        assert_eq!(item.message_count, 2);
        assert_eq!(item.last_message_sender, Some(SenderKind::Operator));
        assert!(item.unread, "the customer's message is unread by operators");
        assert_eq!(item.last_message_preview.unwrap().chars().count(), 100);
        let before = first[1]
            .last_message_at
            .map(switchboard::store::from_millis);
        let next = store
            .db()
            .inbox_page(&page(InboxStatus::Active, before))
            .await
            .unwrap();
        let ids: Vec<&str> = next.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, [conversations[2].as_str(), conversations[1].as_str()]);

        assert!(store
            .db()
            .archive_conversation(uuid(&conversations[4]), 20_000)
            .await
            .unwrap());
        let archived = store
            .db()
            .inbox_page(&page(InboxStatus::Archived, None))
            .await
            .unwrap();
        assert_eq!(archived.len(), 1);
        assert!(store
            .db()
            .reopen_if_archived(uuid(&conversations[4]))
            .await
            .unwrap());
        assert!(!store
            .db()
            .reopen_if_archived(uuid(&conversations[4]))
            .await
            .unwrap());
        assert!(!store
            .db()
            .archive_conversation(uuid(&id()), 1)
            .await
            .unwrap());

        let operators_read = [SenderKind::Guest, SenderKind::Customer];
        assert_eq!(
            store
                .db()
                .conversations_with_unread("support", &operators_read)
                .await
                .unwrap(),
            5
        );
        let target = Uuid::parse_str(&conversations[0]).unwrap();
        store
            .db()
            .mark_read(target, &operators_read, 2, 30_000)
            .await
            .unwrap();
        assert_eq!(
            store
                .db()
                .conversations_with_unread("support", &operators_read)
                .await
                .unwrap(),
            4
        );
        assert!(
            !store
                .db()
                .inbox_item(uuid(&conversations[0]))
                .await
                .unwrap()
                .unwrap()
                .unread
        );
        assert_eq!(
            store
                .db()
                .unread_in_conversation(uuid(&conversations[0]), &[SenderKind::Operator])
                .await
                .unwrap(),
            1,
            "the customer has the operator's reply unread"
        );

        store
            .db()
            .insert_note(&id(), uuid(&conversations[0]), "reopened", 2, 40_000)
            .await
            .unwrap();
        let notes = store.db().notes(uuid(&conversations[0]), 1).await.unwrap();
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].to_note().unwrap().at_seq, 2);
        store
            .db()
            .mark_operator_viewed(uuid(&conversations[0]), 50_000)
            .await
            .unwrap();
        let latest = store.db().latest_messages(target, 1).await.unwrap();
        assert_eq!(latest.len(), 1);
        assert_eq!(latest[0].seq, 2);
    }
);
