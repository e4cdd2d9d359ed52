//! A website customer's chat, for the widget and the hosted chat page: signing in (with the
//! host page's signed identity, an anonymous visitor's token, or a reply email's chat link),
//! renewing the widget token before it lapses and after the server refused it, asking whether
//! anyone from the team is online, and the chat panel the server left in
//! `template#customer-chat`, put on the page once the customer is signed in.
//!
//! A new token for the same conversation keeps the panel as it is (draft, uploads, sends in
//! flight, scroll) and only reconnects with it; another conversation (a reset, another user)
//! replaces the panel.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use web_sys::Element;

use crate::chat::Changes;
use crate::composer::Composer;
use crate::connection::{Connection, Party};
use crate::dom;
use crate::json::Json;
use crate::net;
use crate::panel::Panel;
use crate::strings::Strings;

mod sign_in;

pub use sign_in::Credential;

/// How often the page asks whether anyone from the team is online, in milliseconds.
const PRESENCE_EVERY_MS: i32 = 60_000;
/// The widget token is renewed this long before it expires, in milliseconds.
const RENEW_BEFORE_MS: f64 = 60_000.0;
/// The id of the template that holds the chat panel.
const PANEL_TEMPLATE: &str = "customer-chat";

/// What the page around the chat does with what happens to it.
pub trait Around {
    /// A sign-in answered with an anonymous visitor's token, to keep for the next visit.
    fn keep_visitor_token(&self, token: &str);
    /// The count of replies the customer has not read changed.
    fn unread(&self, count: usize);
    /// A reply arrived that is news (`message` as the server sent it); `seen` when the
    /// customer has the chat in view.
    fn news(&self, message: &Json, seen: bool);
    /// The customer's chat (`.widget-chat`) after a presence answer: whether the team is away,
    /// and whether the customer (anonymous) left no address to be told of replies by.
    fn presence(&self, chat: &Element, customer: &Customer, away: bool, no_address: bool);
}

/// A signed-in customer.
struct Signed {
    token: String,
    conversation_id: String,
    /// An anonymous customer who has left no address.
    no_address: bool,
}

/// The chat on the page.
struct Shown {
    holder: Element,
    panel: Panel,
    composer: Option<Composer>,
}

/// A customer's chat on a page; clones share it.
#[derive(Clone)]
pub struct Customer(Rc<Inner>);

struct Inner {
    strings: Rc<Strings>,
    /// Where the chat goes (it replaces the "Loading…" line there).
    place: Element,
    /// The key of what the page says when the customer cannot be signed in.
    failure: &'static str,
    around: Box<dyn Around>,
    credential: RefCell<Credential>,
    signed: RefCell<Option<Signed>>,
    shown: RefCell<Option<Shown>>,
    /// Counts sign-ins, so that only the newest one's answer counts.
    generation: Cell<u32>,
    /// Sign-ins in a row that found the server unreachable (for the backoff).
    attempt: Cell<u32>,
    renew_timer: Cell<Option<i32>>,
    /// Whether the last presence answer said no one from the team is online.
    away: Cell<bool>,
    visible: Cell<bool>,
    focus_wanted: Cell<bool>,
}

impl Customer {
    /// A customer's chat that will go in `place`, not signed in yet (see
    /// [`Customer::sign_in`]); `failure` is the key of what `place` says when signing in fails.
    pub fn new(
        place: Element,
        strings: Rc<Strings>,
        failure: &'static str,
        credential: Credential,
        around: impl Around + 'static,
    ) -> Self {
        let customer = Self(Rc::new(Inner {
            strings,
            place,
            failure,
            around: Box::new(around),
            credential: RefCell::new(credential),
            signed: RefCell::new(None),
            shown: RefCell::new(None),
            generation: Cell::new(0),
            attempt: Cell::new(0),
            renew_timer: Cell::new(None),
            away: Cell::new(false),
            visible: Cell::new(false),
            focus_wanted: Cell::new(false),
        }));
        let me = customer.weak();
        dom::every(PRESENCE_EVERY_MS, move || {
            if let Some(this) = upgrade(&me) {
                this.ask_presence();
            }
        });
        customer
    }

    /// Signs in as someone else (`credential`): nothing of the previous person's chat stays
    /// on screen.
    pub fn restart(&self, credential: Credential) {
        *self.0.credential.borrow_mut() = credential;
        self.0.signed.borrow_mut().take();
        if let Some(shown) = self.0.shown.borrow_mut().take() {
            shown.panel.stop();
            shown.holder.remove();
        }
        self.0.around.unread(0);
        self.show_loading();
        self.sign_in();
    }

    /// Signs in with `credential` (the host's set-up): the chat on screen stays if it is the
    /// same conversation.
    pub fn sign_in_as(&self, credential: Credential) {
        *self.0.credential.borrow_mut() = credential;
        self.sign_in();
    }

    /// The credential signed in with.
    pub fn credential(&self) -> Credential {
        self.0.credential.borrow().clone()
    }

    /// The widget token of the moment, once signed in.
    pub fn token(&self) -> Option<String> {
        self.0.signed.borrow().as_ref().map(|s| s.token.clone())
    }

    /// Whether the customer can see the chat: only then are replies marked read, and news
    /// counts as seen.
    pub fn set_visible(&self, visible: bool) {
        self.0.visible.set(visible);
        if let Some(shown) = self.0.shown.borrow().as_ref() {
            shown.panel.set_visible(visible);
        }
    }

    /// Puts the keyboard in the composer, now or once the chat is there.
    pub fn focus(&self) {
        match self.0.shown.borrow().as_ref() {
            Some(shown) => focus_composer(&shown.holder),
            None => self.0.focus_wanted.set(true),
        }
    }

    /// Asks now whether anyone from the team is online.
    pub fn ask_presence(&self) {
        let Some(token) = self.token() else {
            return;
        };
        let me = self.weak();
        let asked_with = token.clone();
        net::request(
            "GET",
            "/api/v1/widget/presence",
            Some(&asked_with),
            None,
            move |answer| {
                let Some(this) = upgrade(&me) else {
                    return;
                };
                let online = (answer.status == 200)
                    .then(|| Json::parse(&answer.body))
                    .flatten()
                    .and_then(|body| body.get("operators_online").value().as_bool());
                // Only an answer for the token of the moment counts.
                if let (Some(online), true) = (online, this.token() == Some(token)) {
                    this.0.away.set(!online);
                    this.draw_presence();
                }
            },
        );
    }

    fn weak(&self) -> Weak<Inner> {
        Rc::downgrade(&self.0)
    }

    /// A sign-in's answer: the chat goes on with the new token, or shows the customer's
    /// conversation.
    fn started(&self, signed: Signed, expires_ms: f64) {
        self.0.attempt.set(0);
        self.clear_place();
        self.schedule_renewal(expires_ms);
        let (token, conversation_id) = (signed.token.clone(), signed.conversation_id.clone());
        *self.0.signed.borrow_mut() = Some(signed);
        let same = self.0.shown.borrow().as_ref().and_then(|shown| {
            let connection = shown.panel.connection();
            (connection.conversation_id() == conversation_id).then(|| connection.clone())
        });
        match same {
            Some(connection) => connection.renew(Party::Customer(token)),
            None => self.show(token, conversation_id),
        }
        self.ask_presence();
    }

    /// Puts the chat of `conversation_id` on the page, in place of whatever was there.
    fn show(&self, token: String, conversation_id: String) {
        if let Some(old) = self.0.shown.borrow_mut().take() {
            old.panel.stop();
            old.holder.remove();
        }
        let Some(holder) = dom::from_template(PANEL_TEMPLATE) else {
            return;
        };
        dom::set(&holder, "data-conversation-id", &conversation_id);
        dom::append(&self.0.place, &holder);
        let Some(section) = dom::find_in(&holder, "section.chat") else {
            return;
        };
        let connection = Connection::new(Party::Customer(token), conversation_id, false);
        let Some(panel) = Panel::attach(section, connection.clone(), self.0.strings.clone()) else {
            return;
        };
        let composer = Composer::attach(&panel);
        panel.set_away(self.0.away.get());
        let me = self.weak();
        connection.on_change(move |changes| {
            if let Some(this) = upgrade(&me) {
                this.chat_changed(changes);
            }
        });
        let me = self.weak();
        panel.on_unread(move |count| {
            if let Some(this) = upgrade(&me) {
                this.0.around.unread(count);
            }
        });
        let me = self.weak();
        connection.on_news(move |raw| {
            if let Some(this) = upgrade(&me) {
                this.0.around.news(&raw, this.0.visible.get());
            }
        });
        // The customer's own transcript: fetched with the token of the moment (a link cannot
        // carry it) and saved as a file.
        if let Some(button) = dom::find_in(&holder, "[data-transcript]") {
            let me = self.weak();
            dom::listen::<web_sys::MouseEvent>(&button, "click", move |_| {
                let Some(token) = upgrade(&me).and_then(|this| this.token()) else {
                    return;
                };
                net::fetch_blob("/api/v1/widget/transcript?format=txt", &token, |blob| {
                    if let Some(blob) = blob {
                        dom::save_as(&blob, "transcript.txt");
                    }
                });
            });
        }
        *self.0.shown.borrow_mut() = Some(Shown {
            holder: holder.clone(),
            panel: panel.clone(),
            composer,
        });
        panel.set_visible(self.0.visible.get());
        connection.start();
        if self.0.focus_wanted.take() {
            focus_composer(&holder);
        }
    }

    fn chat_changed(&self, changes: Changes) {
        let signed_out = {
            let shown = self.0.shown.borrow();
            let Some(shown) = shown.as_ref() else {
                return;
            };
            shown.panel.redraw(changes);
            if changes.touches(Changes::LINK | Changes::CLOSED) {
                if let Some(composer) = &shown.composer {
                    composer.chat_changed();
                }
            }
            changes.touches(Changes::CLOSED) && shown.panel.connection().chat(|c| c.signed_out())
        };
        // The token expired or was signed out elsewhere: a fresh one, the chat kept.
        if signed_out {
            self.sign_in();
        }
    }

    /// The away line, the dot and what the page adds (the widget's email offer).
    fn draw_presence(&self) {
        let away = self.0.away.get();
        let no_address = self.0.signed.borrow().as_ref().map(|s| s.no_address);
        let holder = self.0.shown.borrow().as_ref().map(|shown| {
            shown.panel.set_away(away);
            shown.holder.clone()
        });
        if let (Some(holder), Some(no_address)) = (holder, no_address) {
            self.0.around.presence(&holder, self, away, no_address);
        }
    }

    fn schedule_renewal(&self, expires_ms: f64) {
        if let Some(handle) = self.0.renew_timer.take() {
            dom::cancel(handle);
        }
        // A minute early, or halfway for a token that lives less than two minutes.
        let left = expires_ms - dom::now_ms();
        let due = (left - RENEW_BEFORE_MS)
            .max(left / 2.0)
            .clamp(1_000.0, 2.0e9);
        let me = self.weak();
        let handle = dom::after(due, move || {
            if let Some(this) = upgrade(&me) {
                this.0.renew_timer.set(None);
                this.sign_in();
            }
        });
        self.0.renew_timer.set(Some(handle));
    }

    /// "Loading…" in the place of the chat, until it is there.
    fn show_loading(&self) {
        self.clear_place();
        let line = dom::make_text("p", "loading", &self.0.strings.get("common.loading"));
        dom::append(&self.0.place, &line);
    }

    /// What the page says when the customer cannot be signed in: in place of "Loading…", or,
    /// when a chat is shown, above it, but only once the refusal is final (`is_final`): a
    /// renewal starts a minute before the token lapses, so a passing failure changes nothing.
    fn show_failure(&self, is_final: bool) {
        let chat = self
            .0
            .shown
            .borrow()
            .as_ref()
            .map(|shown| shown.holder.clone());
        if chat.is_some() && !is_final {
            return;
        }
        self.clear_place();
        let alert = dom::make_text("p", "alert error", &self.0.strings.get(self.0.failure));
        dom::set(&alert, "role", "alert");
        match chat {
            Some(chat) => {
                let _ = chat.before_with_node_1(&alert);
            }
            None => dom::append(&self.0.place, &alert),
        }
    }

    fn clear_place(&self) {
        for old in dom::find_all(&self.0.place, ":scope > .loading, :scope > .alert.error") {
            old.remove();
        }
    }
}

/// Puts the keyboard in the composer of `holder`, once drawn.
fn focus_composer(holder: &Element) {
    if let Some(input) = dom::find_in(holder, "#chat-input") {
        dom::next_frame(move || dom::focus(&input));
    }
}

fn upgrade(weak: &Weak<Inner>) -> Option<Customer> {
    weak.upgrade().map(Customer)
}
