//! A widget token's life: the customer it names (every REST call and socket with one), signing
//! out, and whether it still holds.

use uuid::Uuid;

use crate::auth::Token;
use crate::chat::Actor;
use crate::domain::ClientNetwork;
use crate::engine::Engine;
use crate::error::Error;
use crate::store::to_millis;

impl Engine {
    /// The customer behind a widget token, and their conversation: `unauthorized` when the
    /// token is unknown or expired. Every REST call and socket with a widget token comes through
    /// here, and counts once in the customer doors' windows.
    pub async fn widget_customer(
        &self,
        token: &Token,
        client: Option<ClientNetwork>,
    ) -> Result<(Actor, Uuid), Error> {
        let (row, conversation_id, expires_at) = self
            .inner
            .store
            .db()
            .customer_by_widget_token(&token.digest(), to_millis(self.now()))
            .await?
            .ok_or(Error::Unauthorized(
                "the widget token is unknown or expired; start a new widget session",
            ))?;
        let conversation_id = crate::store::rows::uuid_of("conversation id", &conversation_id)?;
        self.through_customer_door(Some(&row.id), client).await?;
        let actor = Actor::Customer {
            customer_id: crate::store::rows::uuid_of("customer id", &row.id)?,
            conversation_id,
            name: row.name,
            client,
            token: token.digest(),
            expires_at: crate::store::from_millis(expires_at),
        };
        Ok((actor, conversation_id))
    }

    /// Signs a widget out (the loader's `reset()`): its token stops at once, for REST calls and,
    /// on every node, for the sockets opened with it (they close with 4401). Unknown or expired
    /// tokens are `unauthorized` like on every other door.
    pub async fn widget_signout(&self, actor: &Actor) -> Result<(), Error> {
        let Actor::Customer { token, .. } = actor else {
            return Err(Error::Forbidden("only a widget customer signs out here"));
        };
        let conversation = self.inner.store.db().delete_widget_token(token).await?;
        if let Some(conversation_id) = conversation {
            let conversation_id = crate::store::rows::uuid_of("conversation id", &conversation_id)?;
            self.inner.bus.publish(
                &crate::hub::Topic::Conversation(conversation_id),
                crate::hub::Event::WidgetTokenRevoked {
                    token_hash: token.as_str().to_owned(),
                },
            );
        }
        Ok(())
    }

    /// Until when a customer's widget token holds (for the socket's watcher); `None` once it
    /// has expired or been revoked. Anyone but a customer holds for good.
    pub async fn customer_standing(
        &self,
        actor: &Actor,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>, Error> {
        let Actor::Customer { token, .. } = actor else {
            return Ok(Some(chrono::DateTime::<chrono::Utc>::MAX_UTC));
        };
        let expiry = self
            .inner
            .store
            .db()
            .widget_token_expiry(token, to_millis(self.now()))
            .await?;
        Ok(expiry.map(crate::store::from_millis))
    }
}
