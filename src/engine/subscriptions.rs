//! The installation's key for the links in emails, and what the unsubscribe link does: tell
//! whether its customer gets reply emails, and stop or resume them.

use uuid::Uuid;

use super::Engine;
use crate::error::Error;
use crate::mail::{LinkKey, LinkPurpose};
use crate::store::to_millis;

/// Where the link key is kept.
const LINK_SECRET_KEY: &str = "email_link_secret";

impl Engine {
    /// The key the email links are signed with: generated once and kept in the database.
    pub(crate) async fn link_key(&self) -> Result<LinkKey, Error> {
        let key = self
            .inner
            .link_key
            .get_or_try_init(|| async {
                let secret = self.instance_secret(LINK_SECRET_KEY).await?;
                Ok::<_, Error>(LinkKey::new(secret))
            })
            .await?;
        Ok(key.clone())
    }

    /// The customer a link names, when it is valid for `purpose` now.
    pub(crate) async fn customer_of_link(
        &self,
        purpose: LinkPurpose,
        token: &str,
    ) -> Result<Uuid, Error> {
        self.link_key()
            .await?
            .verify(purpose, token, self.now())
            .ok_or(Error::Unauthorized("this link is not valid or has expired"))
    }

    /// Whether the customer of an unsubscribe link gets reply emails.
    pub async fn email_subscription(&self, link: &str) -> Result<bool, Error> {
        let customer = self
            .customer_of_link(LinkPurpose::Unsubscribe, link)
            .await?;
        let at = self
            .inner
            .store
            .db()
            .unsubscribed_at(&customer.to_string())
            .await?
            .ok_or(Error::NotFound("customer"))?;
        Ok(at.is_none())
    }

    /// Stops (or, with `subscribed`, resumes) reply emails for the customer of an unsubscribe
    /// link. Jobs already claimed check it again before every try.
    pub async fn set_email_subscription(&self, link: &str, subscribed: bool) -> Result<(), Error> {
        let customer = self
            .customer_of_link(LinkPurpose::Unsubscribe, link)
            .await?;
        let at = (!subscribed).then(|| to_millis(self.now()));
        if !self
            .inner
            .store
            .db()
            .set_unsubscribed(&customer.to_string(), at)
            .await?
        {
            return Err(Error::NotFound("customer"));
        }
        tracing::info!(subscribed, "a customer changed their reply emails");
        Ok(())
    }
}
