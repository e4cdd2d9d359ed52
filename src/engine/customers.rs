//! A signed-in customer: the customer a widget token names (every REST call and socket with one
//! counts in the customer doors' windows), signing out, whether the token still holds, their
//! contact details and their unread count.

use uuid::Uuid;

use super::Engine;
use crate::actor::Actor;
use crate::auth::Token;
use crate::domain::{ClientNetwork, DisplayName, Email};
use crate::error::Error;
use crate::limits::doors::Window;
use crate::store::to_millis;
use crate::wire::Customer;

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
        let mut tx = self.inner.store.begin().await?;
        let conversation = tx.db().delete_widget_token(token).await?;
        let mut events = Vec::new();
        if let Some(conversation_id) = conversation {
            let conversation_id = crate::store::rows::uuid_of("conversation id", &conversation_id)?;
            let revoked = crate::hub::Event::WidgetTokenRevoked {
                token_hash: token.as_str().to_owned(),
            };
            events.push((crate::hub::Topic::Conversation(conversation_id), revoked));
        }
        self.commit_announcing(tx, events).await
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

    /// A customer leaves an address for replies and a name. A signed customer's signed email
    /// is kept: the host site vouched for it, and a typed one must not replace it.
    pub async fn update_customer(
        &self,
        actor: &Actor,
        email: Option<Email>,
        name: Option<DisplayName>,
    ) -> Result<Customer, Error> {
        let Actor::Customer {
            customer_id,
            conversation_id,
            ..
        } = actor
        else {
            return Err(Error::Forbidden(
                "only a widget customer has contact details",
            ));
        };
        let id = customer_id.to_string();
        let mut tx = self.inner.store.begin().await?;
        let before = tx
            .db()
            .customer(&id)
            .await?
            .ok_or(Error::NotFound("customer"))?;
        let row = tx
            .db()
            .update_customer_contact(
                &id,
                email.as_ref().map(Email::as_str),
                name.as_ref().map(DisplayName::as_str),
            )
            .await?
            .ok_or(Error::NotFound("customer"))?;
        // A new address nobody vouched for is asked to confirm itself before it gets replies.
        let asked = before.email != row.email && self.ask_to_confirm(&mut tx, &row).await?;
        tx.commit().await?;
        // Published only on a real change: the same details sent again tell operators nothing.
        if before.contact() != row.contact() {
            self.conversation_changed(*conversation_id);
        }
        if asked {
            self.inner.email_wake.notify_one();
        }
        Ok(row.to_customer()?)
    }

    /// How many operator messages a customer (or guest) has not read in their conversation,
    /// by the one rule of unread.
    pub async fn unread_for(&self, actor: &Actor, conversation_id: Uuid) -> Result<i64, Error> {
        let senders = actor.kind().read_senders();
        Ok(self
            .inner
            .store
            .db()
            .unread_in_conversation(conversation_id, senders)
            .await?)
    }

    /// Counts one request (or message) through a customer door against the customer, when
    /// known, and the client network, when known; `rate_limited` with the seconds until the
    /// window turns when either is over its limit.
    pub(crate) async fn through_customer_door(
        &self,
        customer_id: Option<&str>,
        network: Option<ClientNetwork>,
    ) -> Result<(), Error> {
        let limits = self.inner.config.widget.doors;
        if let Some(network) = network {
            self.inner
                .doors
                .hit(
                    &self.inner.store,
                    self.now(),
                    Window::Network(network),
                    limits.per_network,
                )
                .await?;
        }
        if let Some(customer_id) = customer_id {
            self.inner
                .doors
                .hit(
                    &self.inner.store,
                    self.now(),
                    Window::Customer(customer_id),
                    limits.per_customer,
                )
                .await?;
        }
        Ok(())
    }

    /// Counts a new anonymous visitor from `network`.
    pub(crate) async fn new_visitor_from(
        &self,
        network: Option<ClientNetwork>,
    ) -> Result<(), Error> {
        match network {
            Some(network) => {
                let max = self.inner.config.widget.doors.new_visitors_per_network;
                self.inner
                    .doors
                    .hit(
                        &self.inner.store,
                        self.now(),
                        Window::NewVisitor(network),
                        max,
                    )
                    .await
            }
            None => Ok(()),
        }
    }
}
