//! The widget iframe's two links: to its host page (`postMessage`, origins checked both ways,
//! the protocol documented in `server/src/widget_assets/loader/protocol.js`) and to the widget
//! API (sign in, leave an email). On the server it does nothing: the page renders closed and
//! waits for the browser.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use switchboard::wire::{Customer, Message, WidgetPosition, WidgetSession, WidgetSessionRequest};

/// A signed identity as the host page hands it over (`user_id`, `email`, `name`,
/// `signature`): the sign-in request itself.
pub type Identity = WidgetSessionRequest;

/// A message from the host page.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromHost {
    /// The set-up, answering `ready`.
    Init {
        /// A signed identity, or none for an anonymous visitor.
        #[serde(default)]
        identity: Option<Identity>,
        /// The visitor token kept in the host page's storage.
        #[serde(default)]
        visitor_token: Option<String>,
        /// Whether the panel should be open.
        #[serde(default)]
        open: bool,
        /// The side the loader placed the widget on.
        #[serde(default)]
        position: Option<WidgetPosition>,
        /// Whether the open panel fills the host's screen.
        #[serde(default)]
        full: bool,
    },
    /// Whether the open panel fills the host's screen (a phone) changed.
    Layout {
        /// It does.
        full: bool,
    },
    /// Open the panel.
    Open,
    /// Close the panel.
    Close,
    /// Open or close the panel.
    Toggle,
    /// Sign in as this user.
    Identify {
        /// The identity.
        identity: Identity,
    },
    /// Forget the visitor and start afresh (the host page's sign-out).
    Reset,
    /// The loader showed the panel and gave the iframe the focus: the composer takes it.
    Focus,
}

/// A message to the host page (the loader in `server/src/widget_assets/loader/` reads them),
/// always with `sb: 1`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToHost {
    /// The widget is loaded: send `init`. `position` is the side operators chose, which the
    /// loader takes unless its script tag names one.
    Ready {
        /// The chosen side.
        position: WidgetPosition,
    },
    /// The panel opened or closed.
    State {
        /// Whether it is open now.
        open: bool,
    },
    /// The customer's unread count changed.
    Unread {
        /// Operator messages the customer has not read.
        count: usize,
        /// The count in words, in the widget's language, for the launcher's screen-reader
        /// text (empty for none).
        label: String,
    },
    /// Keep this anonymous visitor's token for next time.
    VisitorToken {
        /// The token.
        visitor_token: String,
    },
    /// An operator's message arrived.
    Message {
        /// The message.
        message: Message,
    },
}

/// What the widget page shows, and the link keeps up to date.
#[derive(Debug, Clone, Copy)]
pub struct WidgetSignals {
    /// Whether the panel is open.
    pub open: RwSignal<bool>,
    /// The signed-in session, once there is one.
    pub session: RwSignal<Option<WidgetSession>>,
    /// Signing in failed.
    pub failed: RwSignal<bool>,
    /// Replies the customer has not seen.
    pub unread: RwSignal<usize>,
    /// Whether the host page's tab is visible.
    pub tab_visible: RwSignal<bool>,
    /// Whether an operator is connected, once known.
    pub operators_online: RwSignal<Option<bool>>,
    /// The side of the host page the widget sits on: the operators' choice until the loader
    /// says where it placed it.
    pub side: RwSignal<WidgetPosition>,
    /// Whether the open panel fills the host's screen: no corners, no launcher.
    pub full: RwSignal<bool>,
}

impl WidgetSignals {
    /// A closed widget that is not signed in yet.
    pub fn new() -> Self {
        Self {
            open: RwSignal::new(false),
            session: RwSignal::new(None),
            failed: RwSignal::new(false),
            unread: RwSignal::new(0),
            tab_visible: RwSignal::new(true),
            operators_online: RwSignal::new(None),
            side: RwSignal::new(WidgetPosition::default()),
            full: RwSignal::new(false),
        }
    }
}

impl Default for WidgetSignals {
    fn default() -> Self {
        Self::new()
    }
}

/// What the page keeps of the link (browser only).
#[derive(Clone)]
pub struct WidgetLink {
    #[cfg(feature = "hydrate")]
    inner: send_wrapper::SendWrapper<std::rc::Rc<browser::Link>>,
    #[cfg(not(feature = "hydrate"))]
    _server: (),
}

impl WidgetLink {
    /// Starts both links: greets the host at `host` (the origin the loader named), or, opened
    /// on its own, signs in as an anonymous visitor remembered in this page's storage.
    pub fn start(host: Option<String>, signals: WidgetSignals) -> Self {
        Self::start_with(host, None, signals)
    }

    /// Starts the link of the hosted chat page (`/chat/<link>`, opened from a reply email):
    /// no host page; it signs in with the email's signed chat link.
    pub fn start_hosted(chat_link: String, signals: WidgetSignals) -> Self {
        Self::start_with(None, Some(chat_link), signals)
    }

    fn start_with(host: Option<String>, chat_link: Option<String>, signals: WidgetSignals) -> Self {
        #[cfg(feature = "hydrate")]
        {
            Self {
                inner: send_wrapper::SendWrapper::new(browser::Link::start(
                    host, chat_link, signals,
                )),
            }
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (host, chat_link, signals);
            Self { _server: () }
        }
    }

    /// Opens or closes the panel and tells the host, which resizes the iframe.
    pub fn set_open(&self, open: bool) {
        #[cfg(feature = "hydrate")]
        self.inner.set_open(open);
        #[cfg(not(feature = "hydrate"))]
        let _ = open;
    }

    /// The widget token stopped working (its socket closed with 4401): sign in again with the
    /// identity or visitor token held now.
    pub fn sign_in_again(&self) {
        #[cfg(feature = "hydrate")]
        self.inner.sign_in_again();
    }

    /// A new message arrived live: the host hears of it, and a reply the customer cannot see
    /// right now rings.
    pub fn announce(&self, message: &Message, seen: bool) {
        #[cfg(feature = "hydrate")]
        self.inner.announce(message, seen);
        #[cfg(not(feature = "hydrate"))]
        let _ = (message, seen);
    }
}

/// Leaves an address for replies; the updated customer, or `None` when refused.
pub async fn save_email(token: &str, email: &str) -> Option<Customer> {
    #[cfg(feature = "hydrate")]
    {
        let patch = switchboard::wire::CustomerPatch {
            email: Some(email.to_owned()),
            name: None,
        };
        let answer = crate::realtime::request(
            crate::realtime::Method::PATCH,
            "/api/v1/widget/customer",
            Some(&patch),
            Some(token),
        )
        .await
        .ok()
        .filter(|answer| answer.status == 200)?;
        answer
            .json::<switchboard::wire::CustomerEnvelope>()
            .map(|envelope| envelope.customer)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (token, email);
        None
    }
}

pub mod theme;

#[cfg(feature = "ssr")]
pub mod launcher;

#[cfg(feature = "hydrate")]
mod browser;
