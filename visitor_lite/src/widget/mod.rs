//! The widget's iframe page (`/widget`): a website customer's chat, opened and closed by the
//! loader on the host page, with which it speaks only through `postMessage`, origins checked
//! both ways (the protocol: `server/src/widget_assets/loader/protocol.js`). Opened on its own
//! (no host), it signs in as an anonymous visitor remembered in this page's storage.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{Element, MessageEvent};

use crate::customer::{Around, Credential, Customer};
use crate::dom;
use crate::json::Json;
use crate::net::{self, Fields};
use crate::sound;
use crate::strings::Strings;

mod email_offer;

/// Where a visitor opened without a host page keeps its token.
const OWN_VISITOR_KEY: &str = "switchboard.visitor_token";

/// The widget at work.
struct Widget {
    root: Element,
    section: Element,
    host: Rc<HostSide>,
    customer: Customer,
    open: Cell<bool>,
    tab_visible: Cell<bool>,
}

/// Starts the widget whose frame is `root` (`.widget`); `None` when the page lacks its parts.
pub fn start(root: Element, strings: Rc<Strings>) -> Option<()> {
    let section = dom::find_in(&root, "#widget-panel")?;
    let search = dom::window().location().search().ok()?;
    let query = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    // A host the browser contradicts is no host: its messages are never trusted.
    let host = query
        .get("host")
        .filter(|host| embedding_origin().is_none_or(|real| &real == host));
    let side = Rc::new(HostSide {
        host,
        strings: strings.clone(),
    });
    let credential = match side.host {
        Some(_) => Credential::Visitor(None),
        None => Credential::Visitor(dom::stored(OWN_VISITOR_KEY)),
    };
    let customer = Customer::new(
        section.clone(),
        strings,
        "widget.unavailable",
        credential,
        side.clone(),
    );
    let widget = Rc::new(Widget {
        root,
        section,
        host: side.clone(),
        customer,
        open: Cell::new(false),
        tab_visible: Cell::new(dom::tab_visible()),
    });
    widget.listen();
    match &side.host {
        Some(_) => {
            let position = widget
                .root
                .get_attribute("data-position")
                .unwrap_or_else(|| "right".into());
            side.post("ready", Fields::new().text("position", &position));
        }
        None => widget.customer.sign_in(),
    }
    // No count is told before the chat has one: the launcher keeps the count it read from the
    // server meanwhile (the frame mounts on a mere hover).
    Some(())
}

impl Widget {
    fn listen(self: &Rc<Self>) {
        let me = self.clone();
        dom::listen::<MessageEvent>(&dom::window(), "message", move |event| me.heard(&event));
        let me = self.clone();
        dom::listen::<web_sys::Event>(&dom::document(), "visibilitychange", move |_| {
            me.tab_visible.set(dom::tab_visible());
            me.customer
                .set_visible(me.open.get() && me.tab_visible.get());
        });
        // Escape closes the panel; the loader gives the focus back to its launcher.
        let me = self.clone();
        dom::listen::<web_sys::KeyboardEvent>(&self.root, "keydown", move |event| {
            if event.key() == "Escape" && me.open.get() {
                event.prevent_default();
                me.set_open(false);
            }
        });
        // The panel's close button (the panel is put in afresh for each conversation).
        let me = self.clone();
        dom::listen::<web_sys::MouseEvent>(&self.root, "click", move |event| {
            let closes = event
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .and_then(|t| t.closest(".chat-header button.close").ok().flatten())
                .is_some();
            if closes {
                me.set_open(false);
            }
        });
    }

    /// A message from the host page: only its window, at its origin, with the mark.
    fn heard(&self, event: &MessageEvent) {
        let Some(host) = &self.host.host else {
            return;
        };
        let from_parent = match (event.source(), dom::window().parent()) {
            (Some(source), Ok(Some(parent))) => js_sys::Object::is(&source, &parent),
            _ => false,
        };
        let data = Json::of(event.data());
        if !from_parent || &event.origin() != host || data.get("sb").number() != Some(1.0) {
            return;
        }
        match data.get("type").string().as_deref() {
            Some("init") => {
                self.set_full(data.get("full").is_true());
                if let Some(position) = data.get("position").string() {
                    dom::class(&self.root, "left", position == "left");
                }
                let identity = data.get("identity");
                let credential = match identity.is_null() {
                    true => Credential::Visitor(data.get("visitor_token").string()),
                    false => Credential::Identity(identity),
                };
                self.customer.sign_in_as(credential);
                self.set_open(data.get("open").is_true());
            }
            Some("layout") => self.set_full(data.get("full").is_true()),
            Some("open") => self.set_open(true),
            Some("close") => self.set_open(false),
            Some("toggle") => self.set_open(!self.open.get()),
            Some("identify") => {
                let identity = data.get("identity");
                // The loader posts identify calls made while the frame loaded after init: the
                // identity held already changes nothing.
                if !identity.is_null() && !self.customer.credential().is_identity(&identity) {
                    self.customer.restart(Credential::Identity(identity));
                }
            }
            Some("reset") => {
                // Whatever is left in this browser (a socket, a copied token) no longer speaks
                // for the person who was here.
                if let Some(token) = self.customer.token() {
                    net::request("POST", "/api/v1/widget/signout", Some(&token), None, |_| {});
                }
                self.customer.restart(Credential::Visitor(None));
            }
            Some("focus") => self.customer.focus(),
            _ => {}
        }
    }

    /// Opens or closes the panel, and tells the host, which shows or hides the frame.
    fn set_open(&self, open: bool) {
        // Opening asks again whether anyone is here.
        if open && !self.open.get() {
            self.customer.ask_presence();
        }
        self.open.set(open);
        dom::class(&self.root, "open", open);
        dom::flag(&self.section, "hidden", !open);
        self.customer.set_visible(open && self.tab_visible.get());
        self.host
            .post("state", Fields::new().value("open", &open.into()));
    }

    /// Whether the open panel fills the host's screen (a phone): no corners, no launcher.
    fn set_full(&self, full: bool) {
        dom::class(&self.root, "full", full);
    }
}

/// The origin that really embeds this page, where the browser says (Chromium, Safari).
fn embedding_origin() -> Option<String> {
    let origins =
        js_sys::Reflect::get(&dom::window().location(), &"ancestorOrigins".into()).ok()?;
    js_sys::Reflect::get(&origins, &0.into()).ok()?.as_string()
}

/// The host page, as the chat tells it what happens.
struct HostSide {
    /// Its origin; `None` when the page was opened on its own.
    host: Option<String>,
    strings: Rc<Strings>,
}

impl HostSide {
    /// Posts `{sb: 1, type: kind, ...fields}` to the host page, at its origin only.
    fn post(&self, kind: &str, fields: Fields) {
        let Some(host) = &self.host else {
            return;
        };
        let message = fields.number("sb", 1.0).text("type", kind);
        if let Ok(Some(parent)) = dom::window().parent() {
            let _ = parent.post_message(message.object(), host);
        }
    }
}

impl Around for Rc<HostSide> {
    fn keep_visitor_token(&self, token: &str) {
        match self.host {
            Some(_) => self.post("visitor_token", Fields::new().text("visitor_token", token)),
            None => dom::store(OWN_VISITOR_KEY, token),
        }
    }

    fn unread(&self, count: usize) {
        let label = match count {
            0 => String::new(),
            n => self.strings.plural("chat.unread", n),
        };
        self.post(
            "unread",
            Fields::new()
                .number("count", count as f64)
                .text("label", &label),
        );
    }

    fn news(&self, message: &Json, seen: bool) {
        self.post("message", Fields::new().value("message", message.value()));
        if !seen {
            sound::chime();
        }
    }

    fn presence(&self, chat: &Element, customer: &Customer, away: bool, no_address: bool) {
        email_offer::draw(chat, customer, away && no_address, &self.strings);
    }
}
