//! What the socket's unit tests share.

use std::sync::Arc;

use switchboard::clock::SystemClock;
use switchboard::store::PoolSize;
use switchboard::testing::{test_engine_with_pool, test_operator};
use switchboard::{Actor, Engine, EngineConfig};
use uuid::Uuid;

/// A real engine on a temporary database, with one operator and one support session.
pub(super) async fn engine_with_session() -> (Engine, Actor, Uuid, tempfile::TempDir) {
    engine_with_session_and_pool(PoolSize::default()).await
}

/// As [`engine_with_session`], with a pool of `size` connections for reads.
pub(super) async fn engine_with_session_and_pool(
    size: PoolSize,
) -> (Engine, Actor, Uuid, tempfile::TempDir) {
    let config = EngineConfig::new("http://h");
    let (engine, dir) = test_engine_with_pool(config, Arc::new(SystemClock), size).await;
    let operator = test_operator(&engine).await;
    let (session, _) = engine.create_session(&operator, None).await.unwrap();
    (
        engine,
        Actor::Operator(operator),
        session.conversation_id,
        dir,
    )
}
