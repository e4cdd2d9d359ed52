//! The session guard: a message whose session ended, expired or replaced the sender's link is
//! refused inside the transaction that would store it, and the rest of its batch is stored.

use super::*;
use switchboard::store::{Refusal, SessionGuard};

/// A batch over every case of the guard, what each message must come to, and the
/// conversations whose stored seqs it checks.
struct Cases {
    news: Vec<NewMessageRow>,
    guards: Vec<Option<SessionGuard>>,
    open: String,
    ended: String,
}

/// Messages are at 5,000 ms: an open session, one ended at 3,000, one that expired at 4,000,
/// and a customer's conversation, which has none.
async fn cases(store: &Store) -> Cases {
    let open = session(store, 1_000, 10_000_000).await;
    let ended = session(store, 1_000, 10_000_000).await;
    store
        .db()
        .end_support_session(uuid(&ended.id), 3_000, None)
        .await
        .unwrap();
    let expired = session(store, 1_000, 4_000).await;
    let support = support_conversation(store, "u1").await;
    let link = |row: &SessionRow| Some(SessionGuard::Link(row.token_hash.clone()));
    let message = |conversation: &str, kind, key| new_message(conversation, kind, key);
    let cases = [
        (message(&open.conversation_id, "guest", "g1"), link(&open)),
        (
            message(&open.conversation_id, "guest", "g2"),
            Some(SessionGuard::Link("an older link".to_owned())),
        ),
        (
            message(&ended.conversation_id, "operator", "o1"),
            Some(SessionGuard::OpenIfAny),
        ),
        (
            message(&expired.conversation_id, "guest", "g3"),
            link(&expired),
        ),
        (
            message(&support, "operator", "o2"),
            Some(SessionGuard::OpenIfAny),
        ),
        (
            message(&support, "guest", "g4"),
            Some(SessionGuard::Link(open.token_hash.clone())),
        ),
        (
            message(&open.conversation_id, "operator", "o3"),
            Some(SessionGuard::OpenIfAny),
        ),
        (message(&ended.conversation_id, "customer", "c1"), None),
    ];
    let (news, guards) = cases.into_iter().unzip();
    Cases {
        news,
        guards,
        open: open.conversation_id,
        ended: ended.conversation_id,
    }
}

/// Checks what the batch of [`cases`] came to, and what was stored.
async fn check(store: &Store, cases: &Cases, inserted: &[Inserted]) {
    let outcome: Vec<Result<i64, Refusal>> = inserted
        .iter()
        .map(|inserted| match inserted {
            Inserted::New(row) => Ok(row.seq),
            Inserted::Refused(refusal) => Err(*refusal),
            other => panic!("neither stored nor refused: {other:?}"),
        })
        .collect();
    assert_eq!(
        outcome,
        [
            Ok(1),
            Err(Refusal::LinkReplaced),
            Err(Refusal::Ended),
            Err(Refusal::Ended),
            Ok(1),
            Err(Refusal::Ended),
            Ok(2),
            Ok(1),
        ]
    );
    for (conversation, keys) in [(&cases.open, vec!["g1", "o3"]), (&cases.ended, vec!["c1"])] {
        let stored = store
            .db()
            .messages_after(uuid(conversation), 0, 10, true)
            .await
            .unwrap();
        let stored: Vec<&str> = stored.iter().map(|m| m.client_id.as_str()).collect();
        assert_eq!(stored, keys);
    }
}

contract!(
    a_guarded_batch_stores_only_the_messages_whose_session_takes_them,
    |_url, store| {
        let cases = cases(&store).await;
        let news: Vec<&NewMessageRow> = cases.news.iter().collect();
        let guards: Vec<Option<&SessionGuard>> = cases.guards.iter().map(Option::as_ref).collect();
        let mut tx = store.begin().await.unwrap();
        let batch = tx.insert_guarded(&news, &guards).await.unwrap();
        tx.commit().await.unwrap();
        check(&store, &cases, &batch.inserted).await;
    }
);

contract!(
    a_lone_message_is_refused_by_its_guard_as_in_a_batch,
    |_url, store| {
        let cases = cases(&store).await;
        let mut tx = store.begin().await.unwrap();
        let mut refusals = Vec::new();
        for (new, guard) in cases.news.iter().zip(&cases.guards) {
            refusals.push(match guard {
                Some(guard) => tx.refusal(new, guard).await.unwrap(),
                None => None,
            });
        }
        assert_eq!(
            refusals,
            [
                None,
                Some(Refusal::LinkReplaced),
                Some(Refusal::Ended),
                Some(Refusal::Ended),
                None,
                Some(Refusal::Ended),
                None,
                None,
            ]
        );
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_writers_own_connection_refuses_as_a_transaction_of_the_pool_does() {
    let Some(db) = TestDatabase::create(Backend::Sqlite).await else {
        panic!("SQLite needs no server");
    };
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let cases = cases(&store).await;
    let postings = cases
        .news
        .iter()
        .zip(&cases.guards)
        .map(|(new, guard)| switchboard::store::Posting {
            new: new.clone(),
            reopen_note: None,
            email_window: None,
            guard: guard.clone(),
        })
        .collect();
    let batch = store
        .direct_writer()
        .expect("a SQLite store has the writer's own connection")
        .store(postings)
        .await
        .unwrap();
    check(&store, &cases, &batch.inserted).await;
    store.close().await;
    db.drop_database().await;
}
