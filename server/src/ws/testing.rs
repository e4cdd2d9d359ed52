//! What the socket's unit tests share.

use std::sync::Arc;

use switchboard::clock::SystemClock;
use switchboard::testing::{test_engine, test_operator};
use switchboard::{Actor, Engine, EngineConfig};
use uuid::Uuid;

/// A real engine on a temporary database, with one operator and one support session.
pub(super) async fn engine_with_session() -> (Engine, Actor, Uuid, tempfile::TempDir) {
    let (engine, dir) = test_engine(EngineConfig::new("http://h"), Arc::new(SystemClock)).await;
    let operator = test_operator(&engine).await;
    let (session, _) = engine.create_session(&operator, None).await.unwrap();
    (
        engine,
        Actor::Operator(operator),
        session.conversation_id,
        dir,
    )
}
