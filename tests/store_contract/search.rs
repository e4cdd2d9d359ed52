//! The search index of messages: written with the message, in its transaction, and gone with it.

use switchboard::domain::search::{RawSearch, SearchRequest};
use switchboard::store::BacklogCursor;

use super::*;

/// A search for `raw` with no filter, 50 conversations a page.
fn request(raw: &str) -> SearchRequest {
    let raw = RawSearch {
        q: Some(raw),
        limit: Some("50"),
        ..RawSearch::default()
    };
    SearchRequest::parse(raw, Uuid::now_v7()).unwrap()
}

/// The ids of the messages `raw` finds (at most 50 per conversation), each conversation's newest
/// first.
async fn found(store: &Store, raw: &str) -> Vec<String> {
    store.settle_search_index().await.unwrap();
    let request = request(raw);
    let conversations: Vec<String> = store
        .db()
        .search_conversations(&request)
        .await
        .unwrap()
        .into_iter()
        .map(|found| found.conversation_id)
        .collect();
    store
        .db()
        .search_hits(&request, &conversations, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.id)
        .collect()
}

fn saying(conversation_id: &str, client_id: &str, content: &str) -> NewMessageRow {
    NewMessageRow {
        content: content.to_owned(),
        ..new_message(conversation_id, "guest", client_id)
    }
}

contract!(
    a_stored_message_is_found_by_its_folded_words,
    |_url, store| {
        let s = session(&store, 1_000, i64::MAX).await;
        let cafe = saying(
            &s.conversation_id,
            "k1",
            "Le CAFÉ est fermé, paper JAM in the printer",
        );
        let tree = saying(&s.conversation_id, "k2", "Новогодняя Ёлка и مَرْحَبًا");
        post(&store, &cafe).await;
        post(&store, &tree).await;
        assert_eq!(found(&store, "café").await, [cafe.id.as_str()]);
        assert_eq!(found(&store, "cafe FERME").await, [cafe.id.as_str()]);
        assert_eq!(found(&store, r#""paper jam""#).await, [cafe.id.as_str()]);
        assert!(found(&store, r#""jam paper""#).await.is_empty());
        assert_eq!(found(&store, "prin*").await, [cafe.id.as_str()]);
        assert_eq!(found(&store, "елка").await, [tree.id.as_str()]);
        assert_eq!(found(&store, "مرحبا").await, [tree.id.as_str()]);
        assert_eq!(found(&store, "новогод*").await, [tree.id.as_str()]);
        // Every word must match one message.
        assert!(found(&store, "cafe елка").await.is_empty());
        assert!(found(&store, "absent").await.is_empty());
    }
);

contract!(a_batch_is_indexed_whole_and_newest_first, |_url, store| {
    let s = session(&store, 1_000, i64::MAX).await;
    let news: Vec<NewMessageRow> = (0..40)
        .map(|i| {
            saying(
                &s.conversation_id,
                &format!("k{i}"),
                &format!("ticket number{i}"),
            )
        })
        .collect();
    let refs: Vec<&NewMessageRow> = news.iter().collect();
    let mut tx = store.begin().await.unwrap();
    tx.insert_messages(&refs).await.unwrap();
    tx.commit().await.unwrap();
    let all = found(&store, "ticket").await;
    let newest_first: Vec<String> = news.iter().rev().map(|n| n.id.clone()).collect();
    assert_eq!(all, newest_first);
    assert_eq!(found(&store, "number39").await, [news[39].id.clone()]);
});

contract!(
    a_message_rolled_back_leaves_no_index_entry,
    |_url, store| {
        let s = session(&store, 1_000, i64::MAX).await;
        let mut tx = store.begin().await.unwrap();
        tx.insert_message(&saying(&s.conversation_id, "k1", "vanishing words"))
            .await
            .unwrap();
        drop(tx);
        assert!(found(&store, "vanishing").await.is_empty());
        let kept = saying(&s.conversation_id, "k1", "vanishing words");
        post(&store, &kept).await;
        assert_eq!(found(&store, "vanishing").await, [kept.id]);
    }
);

contract!(a_files_name_is_found_with_its_message, |_url, store| {
    let s = session(&store, 1_000, i64::MAX).await;
    let file = serde_json::json!([{
        "id": id(), "name": "Invoice-2026.pdf", "type": "application/pdf", "size": 10,
        "thumbnail": false
    }]);
    let with_file = NewMessageRow {
        attachments: Some(file.to_string()),
        ..saying(&s.conversation_id, "k1", "here it is")
    };
    post(&store, &with_file).await;
    assert_eq!(found(&store, "invoice 2026").await, [with_file.id]);
});

contract!(
    deleting_a_conversation_deletes_its_index_entries,
    |_url, store| {
        let s = session(&store, 1_000, i64::MAX).await;
        let other = session(&store, 1_000, i64::MAX).await;
        post(&store, &saying(&s.conversation_id, "k1", "shared word")).await;
        let kept = saying(&other.conversation_id, "k1", "shared word");
        post(&store, &kept).await;
        let sql = "DELETE FROM conversations WHERE id = $1";
        match (store.sqlite(), store.postgres()) {
            (Some(pool), _) => {
                sqlx::query(sql)
                    .bind(&s.conversation_id)
                    .execute(pool)
                    .await
                    .unwrap();
                let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM message_pending")
                    .fetch_one(pool)
                    .await
                    .unwrap();
                assert_eq!(left, 1);
            }
            (None, Some(pool)) => {
                sqlx::query(sql)
                    .bind(&s.conversation_id)
                    .execute(pool)
                    .await
                    .unwrap();
            }
            (None, None) => unreachable!("a store has one of the two"),
        }
        assert_eq!(found(&store, "shared").await, [kept.id]);
    }
);

contract!(
    messages_stored_before_the_index_are_indexed_afterwards,
    |_url, store| {
        let s = session(&store, 1_000, i64::MAX).await;
        let old: Vec<NewMessageRow> = (0..7)
            .map(|i| {
                saying(
                    &s.conversation_id,
                    &format!("k{i}"),
                    &format!("older words{i}"),
                )
            })
            .collect();
        for new in &old {
            post(&store, new).await;
        }
        // As the messages of a database migrated from before search: no entries.
        match (store.sqlite(), store.postgres()) {
            (Some(pool), _) => {
                sqlx::query("DELETE FROM message_fts")
                    .execute(pool)
                    .await
                    .unwrap();
                sqlx::query("INSERT INTO message_unindexed (doc) SELECT doc FROM messages")
                    .execute(pool)
                    .await
                    .unwrap();
                sqlx::query("DELETE FROM message_pending")
                    .execute(pool)
                    .await
                    .unwrap();
            }
            (None, Some(pool)) => {
                sqlx::query("UPDATE messages SET search = NULL")
                    .execute(pool)
                    .await
                    .unwrap();
            }
            (None, None) => unreachable!("a store has one of the two"),
        }
        assert!(found(&store, "older").await.is_empty());
        let mut cursor = BacklogCursor::default();
        let mut passes = 0;
        loop {
            let (rows, next) = store.db().unindexed_messages(cursor, 3).await.unwrap();
            if rows.is_empty() {
                break;
            }
            let mut tx = store.begin().await.unwrap();
            tx.index_backlog(&rows).await.unwrap();
            // Twice in one pass: what is indexed already is left as it is.
            tx.index_backlog(&rows).await.unwrap();
            tx.commit().await.unwrap();
            cursor = next;
            passes += 1;
        }
        assert_eq!(passes, 3);
        let newest_first: Vec<String> = old.iter().rev().map(|n| n.id.clone()).collect();
        assert_eq!(found(&store, "older").await, newest_first);
        assert_eq!(found(&store, "words3").await, [old[3].id.clone()]);
    }
);

/// Deletes a message as erasure and retention do, by its row.
async fn delete_message(store: &Store, id: &str) {
    let sql = "DELETE FROM messages WHERE id = $1";
    let deleted = match (store.sqlite(), store.postgres()) {
        (Some(pool), _) => sqlx::query(sql)
            .bind(id)
            .execute(pool)
            .await
            .unwrap()
            .rows_affected(),
        (None, Some(pool)) => sqlx::query(sql)
            .bind(id)
            .execute(pool)
            .await
            .unwrap()
            .rows_affected(),
        (None, None) => unreachable!("a store has one of the two"),
    };
    assert_eq!(deleted, 1);
}

contract!(
    a_message_deleted_before_or_after_its_words_reach_the_index_is_not_found,
    |_url, store| {
        let s = session(&store, 1_000, i64::MAX).await;
        let settled = saying(&s.conversation_id, "k1", "gone settled");
        post(&store, &settled).await;
        store.settle_search_index().await.unwrap();
        let pending = saying(&s.conversation_id, "k2", "gone pending");
        post(&store, &pending).await;
        let kept = saying(&s.conversation_id, "k3", "gone kept");
        post(&store, &kept).await;
        delete_message(&store, &settled.id).await;
        delete_message(&store, &pending.id).await;
        assert_eq!(found(&store, "gone").await, [kept.id]);
        assert!(found(&store, "settled").await.is_empty());
        assert!(found(&store, "pending").await.is_empty());
    }
);

/// The conversations `raw` finds and what matched in each, newest first.
async fn conversations_found(store: &Store, raw: &str) -> Vec<(String, i64)> {
    store.settle_search_index().await.unwrap();
    store
        .db()
        .search_conversations(&request(raw))
        .await
        .unwrap()
        .into_iter()
        .map(|found| (found.conversation_id, found.matched))
        .collect()
}

contract!(
    a_customers_name_and_email_are_found_as_they_change,
    |_url, store| {
        let stored = store
            .db()
            .insert_customer(&customer_row(None, Some("visitor-hash"), 1_000))
            .await
            .unwrap();
        let conversation = store
            .db()
            .ensure_customer_conversation(&stored.id, &id(), 1_000)
            .await
            .unwrap();
        assert!(conversations_found(&store, "bea").await.is_empty());
        store
            .db()
            .update_customer_contact(&stored.id, Some("bea@example.net"), Some("Béa Núñez"))
            .await
            .unwrap();
        let customer_matched = vec![(conversation.clone(), 2)];
        assert_eq!(conversations_found(&store, "bea").await, customer_matched);
        assert_eq!(
            conversations_found(&store, "nunez example*").await,
            customer_matched
        );
        store
            .db()
            .update_customer_contact(&stored.id, None, Some("Carla"))
            .await
            .unwrap();
        assert_eq!(conversations_found(&store, "carla").await, customer_matched);
        // The email is kept when only the name changes; the old name is gone.
        assert_eq!(
            conversations_found(&store, "example").await,
            customer_matched
        );
        assert!(conversations_found(&store, "nunez").await.is_empty());

        // As a customer stored before search existed: caught up afterwards.
        let sql = "UPDATE customers SET name_words = NULL, email_words = NULL";
        match (store.sqlite(), store.postgres()) {
            (Some(pool), _) => drop(sqlx::query(sql).execute(pool).await.unwrap()),
            (None, Some(pool)) => drop(sqlx::query(sql).execute(pool).await.unwrap()),
            (None, None) => unreachable!("a store has one of the two"),
        }
        assert!(conversations_found(&store, "carla").await.is_empty());
        for (id, name, email) in store.db().customers_without_words(10).await.unwrap() {
            store
                .db()
                .set_customer_words(&id, name.as_deref(), email.as_deref())
                .await
                .unwrap();
        }
        assert!(store
            .db()
            .customers_without_words(10)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            conversations_found(&store, "carla bea").await,
            customer_matched
        );
    }
);
