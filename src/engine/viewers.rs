//! Who is viewing a conversation, and who of them is typing, across nodes. Each operator socket
//! says which conversations it has on screen; the rows live in the store, so every node reads
//! the same list, and a change is published on the conversation's topic for the operators
//! subscribed to it. A typing notice counts for [`TYPING_FOR`]; when it runs out, the node that
//! holds the socket tells the others.

use std::time::Duration;

use uuid::Uuid;

use super::presence::STALE_AFTER;
use super::Engine;
use crate::actor::Actor;
use crate::error::Error;
use crate::hub::{Event, Topic};
use crate::store::{from_millis, to_millis, ViewerRow};
use crate::wire::Viewer;

/// How long one typing notice counts (clients repeat it every few seconds while typing).
pub const TYPING_FOR: Duration = Duration::from_secs(6);

impl Engine {
    /// An operator's socket (`connection`) has the conversation on screen. Everyone following
    /// it hears who views it now, the viewer too, even when this socket already viewed it.
    pub async fn view(
        &self,
        actor: &Actor,
        conversation_id: Uuid,
        connection: Uuid,
    ) -> Result<(), Error> {
        let Actor::Operator(operator) = actor else {
            return Err(Error::Forbidden("only operators view conversations"));
        };
        self.last_seq_of(conversation_id).await?;
        self.inner
            .store
            .db()
            .add_viewer(
                &conversation_id.to_string(),
                &connection.to_string(),
                &operator.id.to_string(),
                self.inner.presence.node_id(),
                to_millis(self.now()),
            )
            .await?;
        self.viewers_changed(conversation_id);
        Ok(())
    }

    /// The conversation left the socket's screen.
    pub async fn unview(
        &self,
        actor: &Actor,
        conversation_id: Uuid,
        connection: Uuid,
    ) -> Result<(), Error> {
        if !actor.sees_notes() {
            return Err(Error::Forbidden("only operators view conversations"));
        }
        let removed = self
            .inner
            .store
            .db()
            .remove_viewer(&conversation_id.to_string(), &connection.to_string())
            .await?;
        if removed {
            self.viewers_changed(conversation_id);
        }
        Ok(())
    }

    /// A socket closed: it views nothing any more.
    pub async fn unview_all(&self, connection: Uuid) -> Result<(), Error> {
        let viewed = self
            .inner
            .store
            .db()
            .remove_connection_views(&connection.to_string())
            .await?;
        self.viewers_changed_all(&viewed);
        Ok(())
    }

    /// Who views a conversation now, one entry per operator (typing when any of their sockets
    /// is), first come first.
    pub async fn viewers(&self, conversation_id: Uuid) -> Result<Vec<Viewer>, Error> {
        let rows = self
            .inner
            .store
            .db()
            .viewers(&conversation_id.to_string(), self.fresh_since())
            .await?;
        let now = to_millis(self.now());
        let mut viewers: Vec<Viewer> = Vec::new();
        for ViewerRow {
            operator_id,
            name,
            typing_until,
        } in rows
        {
            let id = crate::store::rows::uuid_of("operator id", &operator_id)?;
            let typing = typing_until.is_some_and(|until| until > now);
            match viewers.iter_mut().find(|viewer| viewer.id == id) {
                Some(viewer) => viewer.typing |= typing,
                None => viewers.push(Viewer { id, name, typing }),
            }
        }
        Ok(viewers)
    }

    /// An operator's socket typed in a conversation it views: it counts as typing for
    /// [`TYPING_FOR`]. Starting to type is a change; when it runs out, that is one too.
    pub(crate) async fn viewer_typing(
        &self,
        conversation_id: Uuid,
        connection: Uuid,
    ) -> Result<(), Error> {
        let (conversation, socket) = (conversation_id.to_string(), connection.to_string());
        let store = &self.inner.store;
        let Some(until) = store
            .db()
            .viewer_typing_until(&conversation, &socket)
            .await?
        else {
            return Ok(());
        };
        let now = self.now();
        let was_typing = until.is_some_and(|until| until > to_millis(now));
        let until = now + crate::domain::ttl(TYPING_FOR);
        store
            .db()
            .set_viewer_typing(&conversation, &socket, Some(to_millis(until)))
            .await?;
        if !was_typing {
            self.viewers_changed(conversation_id);
            tokio::spawn(self.clone().typing_runs_out(conversation, socket));
        }
        Ok(())
    }

    /// Waits until the socket's typing runs out (each notice moves it on), then tells.
    async fn typing_runs_out(self, conversation: String, socket: String) {
        loop {
            let until = match self
                .inner
                .store
                .db()
                .viewer_typing_until(&conversation, &socket)
                .await
            {
                Ok(Some(Some(until))) => until,
                Ok(_) => return,
                Err(err) => {
                    tracing::warn!(error = %err, "reading a viewer's typing failed");
                    return;
                }
            };
            if until > to_millis(self.now()) {
                self.sleep_until(from_millis(until)).await;
                continue;
            }
            let cleared = self
                .inner
                .store
                .db()
                .set_viewer_typing(&conversation, &socket, None)
                .await;
            if let (Ok(()), Ok(id)) = (cleared, Uuid::parse_str(&conversation)) {
                self.viewers_changed(id);
            }
            return;
        }
    }

    /// Deletes the viewers of nodes that died, and tells their conversations.
    pub(crate) async fn sweep_viewers(&self) -> Result<(), Error> {
        let swept = self
            .inner
            .store
            .db()
            .sweep_viewers(self.fresh_since())
            .await?;
        self.viewers_changed_all(&swept);
        Ok(())
    }

    /// Rows newer than this, or of a node that reported since, count (viewers and sockets'
    /// places alike).
    pub(super) fn fresh_since(&self) -> i64 {
        to_millis(self.now() - crate::domain::ttl(STALE_AFTER))
    }

    fn viewers_changed(&self, conversation_id: Uuid) {
        self.inner.bus.publish(
            &Topic::Conversation(conversation_id),
            Event::ViewersChanged { conversation_id },
        );
    }

    fn viewers_changed_all(&self, conversations: &[String]) {
        let mut seen = std::collections::HashSet::new();
        for id in conversations {
            if let (true, Ok(id)) = (seen.insert(id), Uuid::parse_str(id)) {
                self.viewers_changed(id);
            }
        }
    }
}
