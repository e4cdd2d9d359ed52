//! Events that go out with the change that causes them. Each one's notification to the other
//! nodes is sent inside the change's transaction: PostgreSQL delivers a NOTIFY when its
//! transaction commits and never otherwise, so a node that dies between the two cannot leave the
//! other nodes with the change and without its event. This node's listeners hear it once the
//! transaction has committed.

use uuid::Uuid;

use super::Engine;
use crate::error::Error;
use crate::hub::{Event, Notification, Topic};
use crate::store::Tx;

/// An event and where it goes.
pub(crate) type Announcement = (Topic, Event);

impl Engine {
    /// Commits `tx` together with `events`' notifications to the other nodes, then tells this
    /// node's listeners.
    pub(crate) async fn commit_announcing(
        &self,
        mut tx: Tx,
        events: Vec<Announcement>,
    ) -> Result<(), Error> {
        let crossings: Vec<Notification> = events
            .iter()
            .filter_map(|(topic, event)| self.inner.bus.crossing(topic, event))
            .collect();
        crate::writer::notify_all(&mut tx, &crossings).await?;
        tx.commit().await?;
        for (topic, event) in events {
            self.inner.bus.publish_local(&topic, event);
        }
        Ok(())
    }
}

/// Operators following the inbox hear that a conversation's list item changed.
pub(crate) fn item_changed(conversation_id: Uuid) -> Announcement {
    (Topic::Inbox, Event::ConversationChanged { conversation_id })
}

/// Every node hears that some of an operator's sign-ins ended, so that sockets opened with
/// them close.
pub(crate) fn signins_ended(operator_id: &str) -> Result<Announcement, Error> {
    let operator_id = crate::store::rows::uuid_of("operator id", operator_id)?;
    Ok((Topic::Team, Event::SignInsEnded { operator_id }))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use crate::clock::SystemClock;
    use crate::domain::MessageBody;
    use crate::hub::{Bus, Event, Notification, PgBus, Subscription, Topic};
    use crate::store::{Backend, Store};
    use crate::testing::{test_operator, TestDatabase};
    use crate::wire::{Operator, Session};
    use crate::Actor;
    use crate::{Engine, EngineConfig};

    /// A node whose own queue of notifications never goes out, as when it dies right after a
    /// statement: only what crosses inside a transaction reaches the other nodes.
    #[derive(Debug)]
    struct QueueNeverSent(Arc<PgBus>);

    impl Bus for QueueNeverSent {
        fn publish(&self, topic: &Topic, event: Event) {
            self.0.publish_local(topic, event);
        }
        fn publish_local(&self, topic: &Topic, event: Event) {
            self.0.publish_local(topic, event);
        }
        fn crossing(&self, topic: &Topic, event: &Event) -> Option<Notification> {
            self.0.crossing(topic, event)
        }
        fn subscribe(&self, topic: &Topic) -> Subscription {
            self.0.subscribe(topic)
        }
        fn topic_count(&self) -> usize {
            self.0.topic_count()
        }
    }

    async fn node(url: &str) -> (Store, Arc<PgBus>) {
        let store = Store::connect(url).await.unwrap();
        store.migrate().await.unwrap();
        let bus = PgBus::start(store.postgres().unwrap().clone())
            .await
            .unwrap();
        (store, bus)
    }

    /// Two nodes on one database: an engine on A whose own queue of notifications never goes
    /// out, its operator with a new session, and B's bus following the session's conversation.
    struct TwoNodes {
        a: Engine,
        operator: Operator,
        session: Session,
        on_b: Subscription,
        stores: [Store; 2],
    }

    async fn two_nodes(url: &str) -> TwoNodes {
        let (store_a, bus_a) = node(url).await;
        let (store_b, bus_b) = node(url).await;
        let a = Engine::with_parts(
            store_a.clone(),
            EngineConfig::new("http://localhost:3000"),
            Arc::new(QueueNeverSent(bus_a)),
            Arc::new(SystemClock),
        );
        let operator = test_operator(&a).await;
        let (session, _) = a.create_session(&operator, None).await.unwrap();
        let on_b = bus_b.subscribe(&Topic::Conversation(session.conversation_id));
        TwoNodes {
            a,
            operator,
            session,
            on_b,
            stores: [store_a, store_b],
        }
    }

    impl TwoNodes {
        async fn close(self) {
            for store in self.stores {
                store.close().await;
            }
        }
    }

    async fn next(events: &mut Subscription) -> Event {
        tokio::time::timeout(Duration::from_secs(10), events.recv())
            .await
            .expect("the other node hears of it")
            .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_rotated_link_and_an_ended_session_reach_the_other_node_with_their_commit() {
        let Some(db) = TestDatabase::create(Backend::Postgres).await else {
            return;
        };
        let mut nodes = two_nodes(&db.url).await;
        let (a, session, on_b) = (&nodes.a, nodes.session.clone(), &mut nodes.on_b);

        a.rotate_link(session.id).await.unwrap();
        assert!(matches!(
            next(on_b).await,
            Event::LinkRotated { session_id } if session_id == session.id
        ));
        a.end_session(session.id, None).await.unwrap();
        match next(on_b).await {
            Event::Frame { frame, .. } => assert_eq!(
                serde_json::to_value(&frame).unwrap()["type"],
                "session_ended"
            ),
            other => panic!("expected session_ended, got {other:?}"),
        }
        nodes.close().await;
        db.drop_database().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_message_crosses_nodes_with_its_body_when_it_fits_in_a_notification() {
        let Some(db) = TestDatabase::create(Backend::Postgres).await else {
            return;
        };
        let mut nodes = two_nodes(&db.url).await;
        let (a, session, on_b) = (&nodes.a, nodes.session.clone(), &mut nodes.on_b);
        let operator = Actor::Operator(nodes.operator.clone());

        let short = MessageBody::parse("Hello from node A").unwrap();
        let posted = a
            .post_message(&operator, session.conversation_id, short, None)
            .await
            .unwrap();
        match next(on_b).await {
            Event::Message {
                seq,
                stored: Some(message),
                ..
            } => {
                assert_eq!(seq, posted.message.seq);
                assert_eq!(*message, posted.message);
            }
            other => panic!("expected the message with its body, got {other:?}"),
        }

        // 4,000 characters of four bytes each: far more than a notification holds.
        let long = MessageBody::parse(&"\u{1F600}".repeat(4_000)).unwrap();
        let posted = a
            .post_message(&operator, session.conversation_id, long, None)
            .await
            .unwrap();
        match next(on_b).await {
            Event::Message {
                seq, stored: None, ..
            } => assert_eq!(seq, posted.message.seq),
            other => panic!("expected the message's seq alone, got {other:?}"),
        }
        nodes.close().await;
        db.drop_database().await;
    }
}
