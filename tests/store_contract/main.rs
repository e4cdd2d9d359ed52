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
    AuditRow, Backend, CustomerRow, Inserted, NewMessageRow, OperatorRow, SessionRow, Store,
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
        role: "admin".to_owned(),
        deactivated_at: None,
        last_seen_at: None,
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
        outcome: None,
        report: None,
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
        internal: false,
        mentions: None,
        attachments: None,
    }
}

async fn post(store: &Store, new: &NewMessageRow) -> Inserted {
    let mut tx = store.begin().await.unwrap();
    let inserted = tx.insert_message(new).await.unwrap();
    tx.commit().await.unwrap();
    inserted
}

/// A signed customer `external_id`'s support conversation, created at 1,000 ms: its id.
async fn support_conversation(store: &Store, external_id: &str) -> String {
    let customer = customer_row(Some(external_id), None, 1_000);
    let customer = store.db().upsert_signed_customer(&customer).await.unwrap();
    store
        .db()
        .ensure_customer_conversation(&customer.id, &id(), 1_000)
        .await
        .unwrap()
}

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
        number: None,
        erased_at: None,
    }
}

mod customers;
mod direct;
mod guard;
mod inbox;
mod messages;
mod migrations;
mod operators;
mod retention;
mod search;
mod search_walk;
mod sessions;
mod shared;
