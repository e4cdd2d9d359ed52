//! The widget's settings and the ways a widget signs in. The use cases are in
//! `engine/widget.rs` (signing in) and `engine/customers.rs` (a signed-in customer).

use std::time::Duration;

use secrecy::SecretString;

use crate::auth::{SignedIdentity, Token};
use crate::domain::{DisplayName, Email, UserId};

/// Live widget tokens one customer holds at most (a tab or a device each); a sign-in past it
/// replaces the oldest.
pub const LIVE_TOKENS_PER_CUSTOMER: i64 = 10;

/// The widget's settings.
#[derive(Debug, Clone)]
pub struct WidgetConfig {
    /// `SWITCHBOARD_WIDGET_SECRET`; when absent, one is generated once and stored.
    pub secret: Option<SecretString>,
    /// Whether anonymous visitors may chat.
    pub anonymous: bool,
    /// The origins that may embed the widget (`*` for any).
    pub embed_origins: Vec<String>,
    /// How long a widget token works.
    pub token_ttl: Duration,
    /// What the customer doors allow per minute.
    pub doors: crate::limits::doors::DoorLimits,
    /// How long a v1.1 signature stays valid after its `issued_at`.
    pub signature_ttl: Duration,
}

impl Default for WidgetConfig {
    fn default() -> Self {
        Self {
            secret: None,
            anonymous: true,
            embed_origins: vec!["*".to_owned()],
            token_ttl: Duration::from_secs(24 * 3600),
            doors: crate::limits::doors::DoorLimits::default(),
            signature_ttl: Duration::from_secs(24 * 3600),
        }
    }
}

/// How a widget signs in.
#[derive(Debug, Clone)]
pub enum WidgetSignIn {
    /// A user of the host site, signed with the widget secret.
    Signed {
        /// The host site's user id.
        user_id: UserId,
        /// Its email, from the signed identity.
        email: Option<Email>,
        /// Its name, from the signed identity.
        name: Option<DisplayName>,
        /// The hex HMAC the host site computed.
        signature: String,
        /// What a v1.1 signature covers, as sent; `None` for the v1 form, which vouches for
        /// the user id alone (the email and name beside it are then stored unverified).
        covers: Option<SignedIdentity>,
    },
    /// An anonymous visitor, with the token of an earlier visit if there was one.
    Anonymous {
        /// The visitor token from an earlier visit.
        visitor_token: Option<Token>,
    },
    /// The customer a reply email's signed chat link names (the hosted chat page).
    Link {
        /// The link's token.
        link: String,
    },
}
