//! The store's contract: every operation, run against SQLite and against PostgreSQL. Each test
//! gets a fresh database; the PostgreSQL one is dropped afterwards.

#![cfg(feature = "server")]

use std::time::Duration;

use chrono::Utc;
use switchboard::auth::Token;
use switchboard::domain::{InboxQuery, InboxStatus, SessionFilter};
use switchboard::limits::{AttemptScope, LoginLimiter};
use switchboard::store::emails::JobState;
use switchboard::store::{
    Backend, CustomerRow, Inserted, NewMessageRow, OperatorRow, SessionRow, Store,
};
use switchboard::testing::TestDatabase;
use switchboard::wire::{ConversationKind, SenderKind};
use uuid::Uuid;

/// Runs `$body` (an async block using `$store`) once per backend, as two tests.
macro_rules! contract {
    ($name:ident, |$db:ident, $store:ident| $body:expr) => {
        mod $name {
            use super::*;

            async fn run(backend: Backend) {
                let Some($db) = TestDatabase::create(backend).await else {
                    return;
                };
                let $store = Store::connect(&$db.url).await.unwrap();
                $store.migrate().await.unwrap();
                let outcome = tokio::spawn({
                    let $store = $store.clone();
                    let url = $db.url.clone();
                    async move {
                        #[allow(unused_variables)]
                        let $db = url;
                        $body
                    }
                })
                .await;
                $store.close().await;
                $db.drop_database().await;
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

/// A stored id as the store's use-case-facing calls take it.
fn uuid(id: &str) -> Uuid {
    Uuid::parse_str(id).expect("stored ids are UUIDs")
}

fn id() -> String {
    Uuid::now_v7().to_string()
}

fn operator_row(email: &str) -> OperatorRow {
    OperatorRow {
        id: id(),
        email: email.to_owned(),
        name: "Ann".to_owned(),
        password_hash: "$argon2id$stand-in".to_owned(),
        created_at: 1_000,
    }
}

async fn operator(store: &Store) -> OperatorRow {
    let row = operator_row(&format!("{}@example.com", Uuid::now_v7().simple()));
    assert!(store.db().insert_operator(&row).await.unwrap());
    row
}

fn session_row(created_at: i64, expires_at: i64) -> SessionRow {
    SessionRow {
        id: id(),
        conversation_id: id(),
        title: Some("Printer".to_owned()),
        created_by: None,
        token_hash: Token::generate().digest().as_str().to_owned(),
        created_at,
        expires_at,
        joined_at: None,
        ended_at: None,
    }
}

async fn session(store: &Store, created_at: i64, expires_at: i64) -> SessionRow {
    let row = session_row(created_at, expires_at);
    let mut tx = store.begin().await.unwrap();
    tx.db()
        .insert_conversation(&row.conversation_id, "session", created_at)
        .await
        .unwrap();
    tx.db().insert_support_session(&row).await.unwrap();
    tx.commit().await.unwrap();
    row
}

fn new_message(conversation_id: &str, kind: &'static str, client_id: &str) -> NewMessageRow {
    NewMessageRow {
        id: id(),
        conversation_id: conversation_id.to_owned(),
        sender_kind: kind,
        sender_id: Some(id()),
        sender_name: Some("Ann".to_owned()),
        content: "hello ✓ €".to_owned(),
        client_id: client_id.to_owned(),
        created_at: 5_000,
    }
}

async fn post(store: &Store, new: &NewMessageRow) -> Inserted {
    let mut tx = store.begin().await.unwrap();
    let inserted = tx.insert_message(new).await.unwrap();
    tx.commit().await.unwrap();
    inserted
}

contract!(migrating_again_changes_nothing, |url, store| {
    let again = Store::connect(&url).await.unwrap();
    again.migrate().await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(store.db().operator_count().await.unwrap(), 0);
    again.close().await;
});

/// Nodes that start together on an empty PostgreSQL database: sqlx's migrator holds an advisory
/// lock, so each migration is applied once and every node starts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_nodes_starting_together_apply_each_migration_once() {
    let Some(db) = TestDatabase::create(Backend::Postgres).await else {
        return;
    };
    let mut nodes = Vec::new();
    for _ in 0..4 {
        nodes.push(Store::connect(&db.url).await.unwrap());
    }
    let starts: Vec<_> = nodes
        .iter()
        .map(|node| {
            let node = node.clone();
            tokio::spawn(async move { node.migrate().await })
        })
        .collect();
    for start in starts {
        start.await.unwrap().unwrap();
    }
    let pool = nodes[0].postgres().unwrap();
    let applied: Vec<(i64, bool)> =
        sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
            .fetch_all(pool)
            .await
            .unwrap();
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
        .unwrap()
        .count() as i64;
    assert_eq!(applied, (1..=files).map(|v| (v, true)).collect::<Vec<_>>());
    for node in &nodes {
        node.close().await;
    }
    db.drop_database().await;
}

contract!(operators_are_unique_by_email, |_url, store| {
    let row = operator_row("ann@example.com");
    assert!(store.db().insert_operator(&row).await.unwrap());
    assert!(!store
        .db()
        .insert_operator(&operator_row("ann@example.com"))
        .await
        .unwrap());
    assert_eq!(store.db().operator_count().await.unwrap(), 1);
    let found = store
        .db()
        .operator_by_email("ann@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, row.id);
    assert_eq!(found.to_operator().unwrap().name, "Ann");
    assert!(store
        .db()
        .operator_by_email("bob@example.com")
        .await
        .unwrap()
        .is_none());
});

contract!(
    operator_sessions_expire_go_idle_and_sign_out,
    |_url, store| {
        let op = operator(&store).await;
        let token = Token::generate().digest();
        store
            .db()
            .insert_operator_session(&token, &op.id, 1_000, 10_000)
            .await
            .unwrap();
        let (found, seen) = store
            .db()
            .operator_by_session(&token, 2_000, 0)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((found.id.as_str(), seen), (op.id.as_str(), 1_000));
        assert!(store
            .db()
            .operator_by_session(&token, 2_000, 1_000)
            .await
            .unwrap()
            .is_none());
        store
            .db()
            .touch_operator_session(&token, 3_000)
            .await
            .unwrap();
        assert!(store
            .db()
            .operator_by_session(&token, 4_000, 2_000)
            .await
            .unwrap()
            .is_some());
        assert!(store
            .db()
            .operator_by_session(&token, 10_000, 0)
            .await
            .unwrap()
            .is_none());
        let other = Token::generate().digest();
        store
            .db()
            .insert_operator_session(&other, &op.id, 1_000, 20_000)
            .await
            .unwrap();
        assert_eq!(
            store
                .db()
                .delete_expired_operator_sessions(10_000)
                .await
                .unwrap(),
            1
        );
        store.db().delete_operator_session(&other).await.unwrap();
        assert!(store
            .db()
            .operator_by_session(&other, 2_000, 0)
            .await
            .unwrap()
            .is_none());
    }
);

contract!(devices_remember_their_operator, |_url, store| {
    let op = operator(&store).await;
    let device = Token::generate().digest();
    store
        .db()
        .insert_operator_device(&device, &op.id, 1_000)
        .await
        .unwrap();
    store
        .db()
        .touch_operator_device(&device, 2_000)
        .await
        .unwrap();
    assert_eq!(
        store.db().operator_device_email(&device).await.unwrap(),
        Some(op.email.clone())
    );
    let unknown = Token::generate().digest();
    assert_eq!(
        store.db().operator_device_email(&unknown).await.unwrap(),
        None
    );
});

contract!(
    login_attempts_are_counted_per_key_and_forgotten,
    |_url, store| {
        let keys = vec!["ip:1.1.1.1".to_owned(), "email:a@x".to_owned()];
        store
            .db()
            .insert_login_attempt("a1", &keys, 1_000)
            .await
            .unwrap();
        store
            .db()
            .insert_login_attempt("a2", &keys, 2_000)
            .await
            .unwrap();
        let mut counts = store.db().login_attempts_since(&keys, 0).await.unwrap();
        counts.sort();
        assert_eq!(
            counts,
            vec![
                ("email:a@x".to_owned(), 2, 1_000),
                ("ip:1.1.1.1".to_owned(), 2, 1_000)
            ]
        );
        assert_eq!(
            store
                .db()
                .login_attempts_since(&keys, 1_000)
                .await
                .unwrap()
                .len(),
            2
        );
        store.db().delete_login_attempt("a2").await.unwrap();
        store
            .db()
            .delete_login_attempts_of("email:a@x")
            .await
            .unwrap();
        assert_eq!(
            store.db().login_attempts_since(&keys, 0).await.unwrap(),
            vec![("ip:1.1.1.1".to_owned(), 1, 1_000)]
        );
        assert_eq!(
            store
                .db()
                .delete_login_attempts_before(1_000)
                .await
                .unwrap(),
            1
        );
        assert!(store
            .db()
            .login_attempts_since(&keys, 0)
            .await
            .unwrap()
            .is_empty());
        let mut tx = store.begin().await.unwrap();
        tx.db().lock_keys(&keys).await.unwrap();
        tx.commit().await.unwrap();
    }
);

contract!(
    the_sign_in_limit_is_exact_across_nodes_and_restarts,
    |url, store| {
        // Two handles on one database: two nodes. Twenty attempts race on one email.
        let other = Store::connect(&url).await.unwrap();
        let limiter = std::sync::Arc::new(LoginLimiter::new(Duration::from_secs(900), 5, 1000));
        let now = Utc::now();
        let mut tasks = Vec::new();
        for i in 0..20 {
            let node = if i % 2 == 0 {
                store.clone()
            } else {
                other.clone()
            };
            let limiter = limiter.clone();
            tasks.push(tokio::spawn(async move {
                limiter
                    .reserve(
                        &node,
                        &format!("10.0.0.{i}"),
                        &AttemptScope::Email("a@x"),
                        now,
                    )
                    .await
                    .unwrap()
                    .is_ok()
            }));
        }
        let mut allowed = 0;
        for task in tasks {
            allowed += usize::from(task.await.unwrap());
        }
        assert_eq!(allowed, 5);
        // A new limiter (a restart) over the same store still refuses, until the window passes.
        let restarted = LoginLimiter::new(Duration::from_secs(900), 5, 1000);
        let wait = restarted
            .reserve(&store, "10.9.9.9", &AttemptScope::Email("a@x"), now)
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(wait, 900);
        let later = now + chrono::Duration::seconds(900);
        let reservation = restarted
            .reserve(&store, "10.9.9.9", &AttemptScope::Email("a@x"), later)
            .await
            .unwrap()
            .unwrap();
        restarted
            .succeeded(&store, reservation, "a@x")
            .await
            .unwrap();
        other.close().await;
    }
);

contract!(support_sessions_list_end_rotate_and_join, |_url, store| {
    let open = session(&store, 1_000, 100_000).await;
    let expired = session(&store, 2_000, 3_000).await;
    let listed = |filter| {
        let store = store.clone();
        async move {
            store
                .db()
                .support_sessions(filter, 50_000, 10)
                .await
                .unwrap()
                .into_iter()
                .map(|s| s.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(listed(SessionFilter::Open).await, vec![open.id.clone()]);
    assert_eq!(listed(SessionFilter::Ended).await, vec![expired.id.clone()]);
    let open_id = Uuid::parse_str(&open.id).unwrap();
    let conversation = Uuid::parse_str(&open.conversation_id).unwrap();
    let digest = Token::from_presented("x").digest();
    let same = |row: Option<SessionRow>| row.map(|r| r.id);
    assert_eq!(
        same(store.db().support_session(open_id).await.unwrap()),
        Some(open.id.clone())
    );
    assert_eq!(
        same(
            store
                .db()
                .session_by_conversation(conversation)
                .await
                .unwrap()
        ),
        Some(open.id.clone())
    );
    assert!(store
        .db()
        .replace_guest_token(open_id, &digest, 50_000, 200_000)
        .await
        .unwrap());
    let rotated = store
        .db()
        .support_session_by_token(&digest)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (rotated.id.as_str(), rotated.expires_at),
        (open.id.as_str(), 200_000)
    );
    store
        .db()
        .mark_session_joined(open_id, 60_000)
        .await
        .unwrap();
    store
        .db()
        .mark_session_joined(open_id, 70_000)
        .await
        .unwrap();
    let ended = store
        .db()
        .end_support_session(open_id, 80_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (ended.joined_at, ended.ended_at),
        (Some(60_000), Some(80_000))
    );
    let again = store
        .db()
        .end_support_session(open_id, 90_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.ended_at, Some(80_000), "the first end stays");
    assert!(!store
        .db()
        .replace_guest_token(open_id, &digest, 90_000, 300_000)
        .await
        .unwrap());
    let expired_id = Uuid::parse_str(&expired.id).unwrap();
    let expired_end = store
        .db()
        .end_support_session(expired_id, 90_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        expired_end.ended_at,
        Some(3_000),
        "an expired session ended at its expiry"
    );
    assert!(store
        .db()
        .end_support_session(Uuid::now_v7(), 1)
        .await
        .unwrap()
        .is_none());
    let stored = ended.to_session().unwrap();
    assert_eq!(stored.id, open_id);
});

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
        let after = store.db().messages_after(conv, 1, 10).await.unwrap();
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
            store.db().messages_after(conv, 0, 10).await.unwrap()[0].read_at,
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
            .messages_after(conv, 0, 10)
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
        let stored = store.db().messages_after(conv, 0, 1000).await.unwrap();
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

fn customer_row(external_id: Option<&str>, visitor_hash: Option<&str>, at: i64) -> CustomerRow {
    CustomerRow {
        id: id(),
        external_id: external_id.map(str::to_owned),
        visitor_token_hash: visitor_hash.map(str::to_owned),
        email: None,
        email_signed: false,
        email_verified: false,
        name_verified: false,
        name: None,
        locale: None,
        created_at: at,
        last_seen_at: Some(at),
    }
}

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
            assert_eq!(
                store.db().hit_rate_window("k", 60_000).await.unwrap(),
                expected
            );
        }
        assert_eq!(store.db().hit_rate_window("k", 120_000).await.unwrap(), 1);
        assert_eq!(store.db().hit_rate_window("j", 60_000).await.unwrap(), 1);
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
    }
);

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
            .messages_after(a.conversation_id.parse().unwrap(), 0, 10)
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
