//! What the socket's unit tests share.

use switchboard::domain::{Email, PasswordInput};
use switchboard::store::Store;
use switchboard::{Actor, Engine, EngineConfig, NewOperator};
use uuid::Uuid;

/// A real engine on a temporary database, with one operator and one support session.
pub(super) async fn engine_with_session() -> (Engine, Actor, Uuid, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite:{}", dir.path().join("t.db").display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let engine = Engine::new(store, EngineConfig::new("http://h"));
    let operator = engine
        .create_operator(NewOperator {
            email: Email::parse("op@example.com").unwrap(),
            name: "Op".into(),
            password: PasswordInput::parse_new("a-long-password").unwrap(),
        })
        .await
        .unwrap();
    let (session, _) = engine.create_session(&operator, None).await.unwrap();
    (
        engine,
        Actor::Operator(operator),
        session.conversation_id,
        dir,
    )
}
