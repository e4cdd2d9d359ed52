//! What a customer does about themselves: leave an address and a name, and read their unread
//! count.

use uuid::Uuid;

use crate::chat::Actor;
use crate::domain::{DisplayName, Email};
use crate::engine::Engine;
use crate::error::Error;
use crate::wire::Customer;

impl Engine {
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
            .unread_in_conversation(&conversation_id.to_string(), &senders)
            .await?)
    }
}
