//! Signing a widget in: a customer of the host site (signed with the widget secret), an anonymous
//! visitor, or the customer a reply email's link names; and the widget secret itself.

use uuid::Uuid;

use super::Engine;
use crate::auth::{SignedIdentity, Token, WidgetSecret};
use crate::domain::ttl;
use crate::domain::{ClientNetwork, Invalid, Locale, UserId};
use crate::error::Error;
use crate::store::{to_millis, CustomerRow, CUSTOMER_NUMBER_LOCK};
use crate::widget::{WidgetSignIn, LIVE_TOKENS_PER_CUSTOMER};
use crate::wire::{Operator, SenderKind, WidgetSession, WidgetSettings};

/// Where the generated widget secret is kept.
const SECRET_KEY: &str = "widget_secret";
/// How far ahead of our clock a v1.1 signature's `issued_at` may be.
const SIGNATURE_CLOCK_SKEW_SECS: i64 = 5 * 60;

impl Engine {
    /// The widget secret: the configured one, else the one generated at first use and kept in
    /// the database (nodes starting together agree on the first one stored).
    pub async fn widget_secret(&self) -> Result<WidgetSecret, Error> {
        let inner = &self.inner;
        let secret = inner
            .widget_secret
            .get_or_try_init(|| async {
                Ok::<_, Error>(WidgetSecret::new(match &inner.config.widget.secret {
                    Some(configured) => configured.clone(),
                    None => self.instance_secret(SECRET_KEY).await?,
                }))
            })
            .await?;
        Ok(secret.clone())
    }

    /// The widget's settings as the owner and admins see them on the dashboard (they hold
    /// the secret).
    pub async fn widget_settings(&self, viewer: &Operator) -> Result<WidgetSettings, Error> {
        self.require(viewer, crate::domain::Capability::ManageSettings)?;
        let config = &self.inner.config.widget;
        Ok(WidgetSettings {
            secret: self.widget_secret().await?.expose().to_owned(),
            secret_from_environment: config.secret.is_some(),
            anonymous: config.anonymous,
            embed_origins: config.embed_origins.clone(),
        })
    }

    /// Signs a widget in: finds or creates the customer and their one conversation, and
    /// issues a widget token. A user id whose signature is missing or wrong is refused, never
    /// taken as anonymous. Each sign-in goes through the customer doors' windows; new anonymous
    /// visitors are also limited per client network.
    #[tracing::instrument(skip_all)]
    pub async fn widget_session(
        &self,
        sign_in: WidgetSignIn,
        locale: Option<Locale>,
        client: Option<ClientNetwork>,
    ) -> Result<WidgetSession, Error> {
        self.through_customer_door(None, client).await?;
        let now = self.now();
        let locale = locale.map(Locale::as_str);
        let mut visitor_token = None;
        // Checked before any write: a refused sign-in changes nothing.
        if let WidgetSignIn::Signed {
            user_id,
            signature,
            covers,
            ..
        } = &sign_in
        {
            self.check_signature(user_id, signature, covers.as_ref(), now)
                .await?;
        }
        // Whether operators' inbox shows something new: only a signed customer's name or email
        // can change at sign-in (an anonymous visit happens on every page view of the host site).
        let mut contact_changed = false;
        let mut asked_to_confirm = false;
        let linked = match &sign_in {
            WidgetSignIn::Link { link } => Some(
                self.customer_of_link(crate::mail::LinkPurpose::Chat, link)
                    .await?,
            ),
            _ => None,
        };
        let mut tx = self.inner.store.begin().await?;
        let customer = match sign_in {
            WidgetSignIn::Link { .. } => {
                let id = linked.map(|id| id.to_string()).unwrap_or_default();
                tx.db()
                    .visit_customer(&id, locale, to_millis(now))
                    .await?
                    .ok_or(Error::Unauthorized("this link's customer no longer exists"))?
            }
            WidgetSignIn::Signed {
                user_id,
                email,
                name,
                covers,
                ..
            } => {
                // Only a v1.1 signature vouches for the email and name beside the id.
                let vouched = covers.is_some();
                let row = CustomerRow {
                    id: Uuid::now_v7().to_string(),
                    external_id: Some(user_id.as_str().to_owned()),
                    visitor_token_hash: None,
                    email_signed: email.is_some(),
                    email_verified: vouched && email.is_some(),
                    email: email.map(|e| e.as_str().to_owned()),
                    name_verified: vouched && name.is_some(),
                    name: name.map(|n| n.as_str().to_owned()),
                    locale: locale.map(str::to_owned),
                    created_at: to_millis(now),
                    last_seen_at: Some(to_millis(now)),
                    number: None,
                    erased_at: None,
                };
                let before = tx.db().signed_customer(user_id.as_str()).await?;
                if before.is_none() {
                    tx.db()
                        .lock_keys(&[CUSTOMER_NUMBER_LOCK.to_owned()])
                        .await?;
                }
                let after = tx.db().upsert_signed_customer(&row).await?;
                contact_changed = before
                    .as_ref()
                    .is_none_or(|b| b.contact() != after.contact());
                // An address beside a v1 signature is asked to confirm itself, once per change.
                if before.is_none_or(|b| b.email != after.email) {
                    asked_to_confirm = self.ask_to_confirm(&mut tx, &after).await?;
                }
                after
            }
            WidgetSignIn::Anonymous {
                visitor_token: presented,
            } => {
                if !self.inner.config.widget.anonymous {
                    return Err(Error::Unauthorized(
                        "this site's chat is for signed-in users only",
                    ));
                }
                let known = match &presented {
                    Some(token) => {
                        tx.db()
                            .visit_anonymous_customer(&token.digest(), locale, to_millis(now))
                            .await?
                    }
                    None => None,
                };
                match (known, presented) {
                    (Some(row), Some(token)) => {
                        visitor_token = Some(token.expose().to_owned());
                        row
                    }
                    _ => {
                        self.new_visitor_from(client).await?;
                        let token = Token::generate();
                        let row = CustomerRow {
                            id: Uuid::now_v7().to_string(),
                            external_id: None,
                            visitor_token_hash: Some(token.digest().as_str().to_owned()),
                            email: None,
                            email_signed: false,
                            email_verified: false,
                            name: None,
                            name_verified: false,
                            locale: locale.map(str::to_owned),
                            created_at: to_millis(now),
                            last_seen_at: Some(to_millis(now)),
                            number: None,
                            erased_at: None,
                        };
                        tx.db()
                            .lock_keys(&[CUSTOMER_NUMBER_LOCK.to_owned()])
                            .await?;
                        let row = tx.db().insert_customer(&row).await?;
                        visitor_token = Some(token.expose().to_owned());
                        row
                    }
                }
            }
        };
        // Counted before anything is committed: a refused sign-in changes nothing.
        self.through_customer_door(Some(&customer.id), None).await?;
        let conversation_id = tx
            .db()
            .ensure_customer_conversation(&customer.id, &Uuid::now_v7().to_string(), to_millis(now))
            .await?;
        let token = Token::generate();
        let expires_at = now + ttl(self.inner.config.widget.token_ttl);
        tx.db().delete_expired_widget_tokens(to_millis(now)).await?;
        tx.db()
            .trim_widget_tokens(&customer.id, LIVE_TOKENS_PER_CUSTOMER - 1)
            .await?;
        tx.db()
            .insert_widget_token(
                &token.digest(),
                &customer.id,
                to_millis(now),
                to_millis(expires_at),
            )
            .await?;
        tx.commit().await?;
        let conversation_id = crate::store::rows::uuid_of("conversation id", &conversation_id)?;
        if contact_changed {
            self.conversation_changed(conversation_id);
        }
        if asked_to_confirm {
            self.inner.email_wake.notify_one();
        }
        Ok(WidgetSession {
            widget_token: token.expose().to_owned(),
            expires_at,
            customer: customer.to_customer()?,
            conversation_id,
            visitor_token,
        })
    }

    /// The replies a visitor has not read, for the launcher the loader draws before the
    /// widget is opened. It only reads: no customer, conversation or token is created and no
    /// visit is noted, so a page view of the host site costs one count. A visitor without a
    /// token, or whose token or user id is unknown, has none; a signature is checked as at
    /// sign-in, and the request goes through the customer doors like one.
    #[tracing::instrument(skip_all)]
    pub async fn launcher_unread(
        &self,
        sign_in: WidgetSignIn,
        client: Option<ClientNetwork>,
    ) -> Result<i64, Error> {
        self.through_customer_door(None, client).await?;
        let db = || self.inner.store.db();
        let customer = match sign_in {
            WidgetSignIn::Signed {
                user_id,
                signature,
                covers,
                ..
            } => {
                self.check_signature(&user_id, &signature, covers.as_ref(), self.now())
                    .await?;
                db().signed_customer(user_id.as_str()).await?
            }
            WidgetSignIn::Anonymous {
                visitor_token: Some(token),
            } => db().anonymous_customer(&token.digest()).await?,
            WidgetSignIn::Anonymous {
                visitor_token: None,
            } => None,
            WidgetSignIn::Link { .. } => {
                return Err(
                    Invalid::new("link", "the launcher does not sign in with a chat link").into(),
                )
            }
        };
        let Some(customer) = customer else {
            return Ok(0);
        };
        self.through_customer_door(Some(&customer.id), None).await?;
        Ok(db()
            .unread_of_customer(&customer.id, SenderKind::Customer.read_senders())
            .await?)
    }

    /// Checks a host site's signature: the v1.1 form over every field it covers and within its
    /// lifetime (`signature_ttl` old at most, at most 5 minutes ahead of our clock), or the v1
    /// form over the user id alone. Anything else is `unauthorized`.
    async fn check_signature(
        &self,
        user_id: &UserId,
        signature: &str,
        covers: Option<&SignedIdentity>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), Error> {
        let secret = self.widget_secret().await?;
        let valid = match covers {
            Some(identity) => secret.verifies_identity(identity, signature),
            None => secret.verifies(user_id.as_str(), signature),
        };
        if !valid {
            // Anyone can send wrong signatures: one line a minute, with the count, still
            // shows a host site whose secret is wrong without letting strangers flood the log.
            if let Some(refused) = self.inner.wrong_signatures.note(now) {
                tracing::warn!(refused, "widget sign-ins with a wrong signature refused");
            }
            return Err(Error::Unauthorized("the identity's signature is not valid"));
        }
        if let Some(identity) = covers {
            let age = now.timestamp() - identity.issued_at;
            let lifetime = self.inner.config.widget.signature_ttl.as_secs() as i64;
            if age > lifetime {
                return Err(Error::Unauthorized(
                    "the identity's signature has expired; sign it again with a fresh issued_at",
                ));
            }
            if age < -(SIGNATURE_CLOCK_SKEW_SECS) {
                return Err(Error::Unauthorized(
                    "the identity's issued_at is in the future; check the host site's clock",
                ));
            }
        }
        Ok(())
    }
}
