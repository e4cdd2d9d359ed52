//! The shared inbox's statements: notes kept from guests and customers, the collision guard's
//! query, labels, canned replies, assignees and viewers.

use super::*;
use switchboard::domain::AssigneeFilter;
use switchboard::store::{CannedRow, LabelRow};

contract!(
    notes_are_left_out_for_visitors_and_the_guard_sees_only_others,
    |_url, store| {
        let session = session(&store, 1_000, 10_000_000).await;
        let conv = uuid(&session.conversation_id);
        let me = id();
        let kinds = [("guest", false), ("operator", true), ("operator", false)];
        for (k, (kind, internal)) in kinds.into_iter().enumerate() {
            let new = NewMessageRow {
                internal,
                sender_id: Some(if kind == "operator" { me.clone() } else { id() }),
                mentions: internal.then(|| format!("[\"{me}\"]")),
                attachments: None,
                ..new_message(&session.conversation_id, kind, &format!("k{k}"))
            };
            post(&store, &new).await;
        }
        let seqs = |rows: Vec<switchboard::store::MessageRow>| -> Vec<i64> {
            rows.iter().map(|r| r.seq).collect()
        };
        let db = store.db();
        assert_eq!(
            seqs(db.messages_after(conv, 0, 10, true).await.unwrap()),
            [1, 2, 3]
        );
        let db = store.db();
        assert_eq!(
            seqs(db.messages_after(conv, 0, 10, false).await.unwrap()),
            [1, 3]
        );
        assert_eq!(store.db().last_public_seq(conv).await.unwrap(), 3);
        let note = &store.db().messages_after(conv, 1, 1, true).await.unwrap()[0];
        let message = note.to_message().unwrap();
        assert!(message.internal);
        assert_eq!(message.mentions, vec![uuid(&me)]);
        // A note is never read by anybody's read marker.
        let read = store
            .db()
            .mark_read(conv, &[SenderKind::Operator], 3, 5_000)
            .await
            .unwrap();
        assert_eq!(read, 1, "the operator's public message only");
        // Between seq 0 and 4, only the guest's message is someone else's.
        let others = store
            .db()
            .messages_from_others(&session.conversation_id, 0, 4, "operator", Some(&me))
            .await
            .unwrap();
        assert_eq!(seqs(others), [1]);
        let others = store
            .db()
            .messages_from_others(&session.conversation_id, 0, 4, "operator", Some(&id()))
            .await
            .unwrap();
        assert_eq!(seqs(others), [1, 2, 3]);
    }
);

contract!(
    labels_are_unique_ignoring_case_and_filter_the_inbox,
    |_url, store| {
        let label = |name: &str| LabelRow {
            id: id(),
            name: name.to_owned(),
            color: "#123456".to_owned(),
        };
        let vip = label("VIP");
        assert!(store.db().insert_label(&vip, 1).await.unwrap());
        assert!(!store.db().insert_label(&label("vip"), 1).await.unwrap());
        let bug = label("Bug");
        assert!(store.db().insert_label(&bug, 1).await.unwrap());
        let renamed = LabelRow {
            name: "VIP".to_owned(),
            ..bug.clone()
        };
        let clash = store.db().update_label(&renamed).await.unwrap_err();
        assert!(switchboard::store::is_unique_violation(&clash));
        let names: Vec<String> = store
            .db()
            .labels()
            .await
            .unwrap()
            .into_iter()
            .map(|l| l.name)
            .collect();
        assert_eq!(names, ["Bug", "VIP"]);

        let owner = operator(&store).await;
        let customer = customer_row(Some("u1"), None, 1_000);
        let customer = store.db().upsert_signed_customer(&customer).await.unwrap();
        let conversation = store
            .db()
            .ensure_customer_conversation(&customer.id, &id(), 1_000)
            .await
            .unwrap();
        post(&store, &new_message(&conversation, "customer", "k1")).await;
        let conv = uuid(&conversation);
        store
            .db()
            .add_conversation_labels(conv, &[vip.id.clone(), bug.id.clone()])
            .await
            .unwrap();
        store
            .db()
            .set_assignee(conv, Some(&owner.id))
            .await
            .unwrap();
        let page = |assignee, label: Option<&LabelRow>| InboxQuery {
            assignee,
            label: label.map(|l| uuid(&l.id)),
            ..InboxQuery::default()
        };
        let count = |rows: Vec<switchboard::store::ItemRow>| rows.len();
        let mine = AssigneeFilter::Operator(uuid(&owner.id));
        for (query, expected) in [
            (page(mine, Some(&vip)), 1),
            (page(AssigneeFilter::Nobody, None), 0),
            (page(AssigneeFilter::Operator(Uuid::now_v7()), None), 0),
            (page(AssigneeFilter::Anyone, Some(&bug)), 1),
        ] {
            assert_eq!(
                count(store.db().inbox_page(&query).await.unwrap()),
                expected,
                "{query:?}"
            );
        }
        let item = store.db().inbox_item(conv).await.unwrap().unwrap();
        assert_eq!(item.assignee_name.as_deref(), Some("Ann"));
        let on = store
            .db()
            .labels_on(std::slice::from_ref(&conversation))
            .await
            .unwrap();
        assert_eq!(on[&conversation].len(), 2);
        let mut tx = store.begin().await.unwrap();
        assert_eq!(
            tx.db().unlabel_all(&bug.id).await.unwrap(),
            std::slice::from_ref(&conversation)
        );
        assert!(tx.db().delete_label(&bug.id).await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(
            count(
                store
                    .db()
                    .inbox_page(&page(AssigneeFilter::Anyone, Some(&bug)))
                    .await
                    .unwrap()
            ),
            0
        );
    }
);

contract!(
    canned_replies_search_by_any_part_and_keep_shortcuts_unique,
    |_url, store| {
        let owner = operator(&store).await;
        let reply = |shortcut: &str, title: &str, content: &str| CannedRow {
            id: id(),
            shortcut: shortcut.to_owned(),
            title: title.to_owned(),
            content: content.to_owned(),
            created_by: owner.id.clone(),
            created_by_name: None,
            updated_at: 7,
        };
        assert!(store
            .db()
            .insert_canned_reply(&reply("refund", "Refunds", "5 days"), 7)
            .await
            .unwrap());
        assert!(store
            .db()
            .insert_canned_reply(&reply("sale", "Sale", "50% off_now"), 7)
            .await
            .unwrap());
        assert!(!store
            .db()
            .insert_canned_reply(&reply("refund", "Again", "x"), 7)
            .await
            .unwrap());
        let shortcuts = |q: &'static str| {
            let store = store.clone();
            async move {
                store
                    .db()
                    .canned_replies(q)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|r| r.shortcut)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(shortcuts("").await, ["refund", "sale"]);
        assert_eq!(shortcuts("REFUND").await, ["refund"]);
        assert_eq!(shortcuts("50%").await, ["sale"]);
        assert!(shortcuts("5%").await.is_empty(), "% matches itself only");
        assert!(shortcuts("5_d").await.is_empty(), "_ matches itself only");
        assert_eq!(shortcuts("f_n").await, ["sale"]);
        let stored = store.db().canned_replies("sale").await.unwrap().remove(0);
        assert_eq!(stored.to_reply().unwrap().created_by.name, "Ann");
    }
);

contract!(
    viewers_of_a_dead_node_stop_counting_and_are_swept,
    |_url, store| {
        let owner = operator(&store).await;
        let session = session(&store, 1_000, 10_000_000).await;
        let conv = &session.conversation_id;
        assert!(store
            .db()
            .add_viewer(conv, "c1", &owner.id, "live", 100_000)
            .await
            .unwrap());
        assert!(!store
            .db()
            .add_viewer(conv, "c1", &owner.id, "live", 100_000)
            .await
            .unwrap());
        assert!(store
            .db()
            .add_viewer(conv, "c2", &owner.id, "dead", 1_000)
            .await
            .unwrap());
        store
            .db()
            .report_presence("live", 1, 100_000)
            .await
            .unwrap();
        store.db().report_presence("dead", 1, 1_000).await.unwrap();
        // Fresh since 50,000: the live node's row counts, the dead node's old row does not.
        assert_eq!(store.db().viewers(conv, 50_000).await.unwrap().len(), 1);
        assert_eq!(
            store.db().sweep_viewers(50_000).await.unwrap(),
            std::slice::from_ref(conv)
        );
        store
            .db()
            .set_viewer_typing(conv, "c1", Some(120_000))
            .await
            .unwrap();
        assert_eq!(
            store.db().viewer_typing_until(conv, "c1").await.unwrap(),
            Some(Some(120_000))
        );
        assert_eq!(
            store.db().remove_connection_views("c1").await.unwrap(),
            std::slice::from_ref(conv)
        );
        assert!(store.db().viewers(conv, 0).await.unwrap().is_empty());
    }
);
