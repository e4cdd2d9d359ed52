//! The widget's browser side: the link to the host page and the sign-in it drives.

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::time::Duration;

use leptos::ev;
use leptos::prelude::*;
use switchboard::wire::{Message, SenderKind, WidgetPresence, WidgetSession};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::{FromHost, Identity, ToHost, WidgetSignals};
use crate::i18n::*;
use crate::realtime::{request, Method, NO_BODY};

/// Where a visitor opened without a host page keeps its token.
const OWN_VISITOR_KEY: &str = "switchboard.visitor_token";
/// How often the widget asks whether an operator is connected.
const PRESENCE_EVERY: Duration = Duration::from_secs(60);
/// Renew the widget token this long before it expires.
const RENEW_BEFORE_MS: f64 = 60_000.0;

pub struct Link {
    /// The host page's origin; `None` when the page was opened on its own.
    host: Option<String>,
    /// A reply email's chat link, on the hosted chat page.
    chat_link: Option<String>,
    signals: WidgetSignals,
    me: Weak<Link>,
    identity: RefCell<Option<Identity>>,
    visitor_token: RefCell<Option<String>>,
    renew_timer: RefCell<Option<TimeoutHandle>>,
    presence_timer: RefCell<Option<IntervalHandle>>,
    /// Asks whether an operator is connected (every minute, and when the panel opens).
    presence_tick: RefCell<Option<Rc<dyn Fn()>>>,
    listeners: RefCell<Vec<WindowListenerHandle>>,
    /// The loader asked for the focus before the chat was there: the composer takes it once
    /// the customer is signed in.
    focus_wanted: std::cell::Cell<bool>,
}

fn window() -> web_sys::Window {
    web_sys::window().expect("a browser window")
}

/// The origin that really embeds this page, where the browser says (Chromium, Safari).
fn embedding_origin() -> Option<String> {
    let origins = js_sys::Reflect::get(&window().location(), &"ancestorOrigins".into()).ok()?;
    let first = js_sys::Reflect::get(&origins, &0.into()).ok()?;
    first.as_string()
}

impl Link {
    pub fn start(
        host: Option<String>,
        chat_link: Option<String>,
        signals: WidgetSignals,
    ) -> Rc<Self> {
        // A host the browser contradicts is no host: its messages are never trusted.
        let host = host.filter(|h| embedding_origin().is_none_or(|real| &real == h));
        let link = Rc::new_cyclic(|me| Link {
            host,
            chat_link,
            signals,
            me: me.clone(),
            identity: RefCell::new(None),
            visitor_token: RefCell::new(None),
            renew_timer: RefCell::new(None),
            presence_timer: RefCell::new(None),
            presence_tick: RefCell::new(None),
            listeners: RefCell::new(Vec::new()),
            focus_wanted: std::cell::Cell::new(false),
        });
        link.listen();
        link.report_unread();
        match (&link.chat_link, &link.host) {
            (Some(_), _) => link.sign_in(),
            (None, Some(_)) => link.post(&ToHost::Ready {
                position: link.signals.side.get_untracked(),
            }),
            (None, None) => {
                use gloo_storage::Storage;
                let stored = gloo_storage::LocalStorage::get::<String>(OWN_VISITOR_KEY).ok();
                *link.visitor_token.borrow_mut() = stored;
                link.sign_in();
            }
        }
        let weak = StoredValue::new_local(Rc::downgrade(&link));
        on_cleanup(move || {
            if let Some(link) = weak.try_with_value(Weak::upgrade).flatten() {
                link.shut_down();
            }
        });
        link
    }

    fn listen(&self) {
        let me = self.me.clone();
        let on_message = window_event_listener(ev::message, move |event| {
            if let Some(link) = me.upgrade() {
                link.on_message(event.into());
            }
        });
        // The document's `visibilitychange` bubbles up to the window.
        let me = self.me.clone();
        let on_visibility = window_event_listener(ev::visibilitychange, move |_| {
            if let Some(link) = me.upgrade() {
                let shown = window()
                    .document()
                    .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
                link.signals.tab_visible.set(shown);
            }
        });
        self.listeners
            .borrow_mut()
            .extend([on_message, on_visibility]);
    }

    fn shut_down(&self) {
        if let Some(handle) = self.renew_timer.borrow_mut().take() {
            handle.clear();
        }
        if let Some(handle) = self.presence_timer.borrow_mut().take() {
            handle.clear();
        }
        for listener in self.listeners.borrow_mut().drain(..) {
            listener.remove();
        }
    }

    /// Posts `{sb: 1, ...}` to the host page, at its origin only.
    fn post(&self, message: &ToHost) {
        /// What goes out: the message and the mark the host page knows ours by.
        #[derive(serde::Serialize)]
        struct Marked<'a> {
            sb: u8,
            #[serde(flatten)]
            message: &'a ToHost,
        }
        let Some(host) = &self.host else { return };
        let json =
            serde_json::to_string(&Marked { sb: 1, message }).expect("host messages serialize");
        let Ok(value) = js_sys::JSON::parse(&json) else {
            return;
        };
        if let Ok(Some(parent)) = window().parent() {
            let _ = parent.post_message(&value, host);
        }
    }

    fn on_message(&self, event: JsValue) {
        let Some(host) = &self.host else { return };
        let Some(event) = event.dyn_ref::<web_sys::MessageEvent>() else {
            return;
        };
        let from_parent = match (event.source(), window().parent()) {
            (Some(source), Ok(Some(parent))) => js_sys::Object::is(&source, &parent),
            _ => false,
        };
        if !from_parent || &event.origin() != host {
            return;
        }
        let data = event.data();
        let sb = js_sys::Reflect::get(&data, &"sb".into()).ok();
        if sb.and_then(|v| v.as_f64()) != Some(1.0) {
            return;
        }
        let Some(text) = js_sys::JSON::stringify(&data)
            .ok()
            .and_then(|t| t.as_string())
        else {
            return;
        };
        let Ok(message) = serde_json::from_str::<FromHost>(&text) else {
            return;
        };
        self.handle(message);
    }

    fn handle(&self, message: FromHost) {
        match message {
            FromHost::Init {
                identity,
                visitor_token,
                open,
                position,
                full,
            } => {
                self.signals.full.set(full);
                if let Some(position) = position {
                    self.signals.side.set(position);
                }
                *self.identity.borrow_mut() = identity;
                *self.visitor_token.borrow_mut() = visitor_token;
                self.sign_in();
                self.set_open(open);
            }
            FromHost::Layout { full } => self.signals.full.set(full),
            FromHost::Open => self.set_open(true),
            FromHost::Close => self.set_open(false),
            FromHost::Toggle => self.set_open(!self.signals.open.get_untracked()),
            FromHost::Identify { identity } => {
                if self.identity.borrow().as_ref() == Some(&identity) {
                    return;
                }
                *self.identity.borrow_mut() = Some(identity);
                self.restart();
            }
            FromHost::Focus => match self.signals.session.with_untracked(Option::is_some) {
                true => crate::chat::focus_composer(),
                false => self.focus_wanted.set(true),
            },
            FromHost::Reset => {
                self.sign_out();
                *self.identity.borrow_mut() = None;
                *self.visitor_token.borrow_mut() = None;
                self.restart();
            }
        }
    }

    /// Ends the current widget token on the server, so nothing left in this browser (a
    /// socket, a copied token) speaks for the previous person any more.
    fn sign_out(&self) {
        let Some(session) = self.signals.session.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            let token = session.widget_token;
            let _ = request(
                Method::POST,
                "/api/v1/widget/signout",
                NO_BODY,
                Some(&token),
            )
            .await;
        });
    }

    /// The same person, whose widget token stopped working: a fresh one, the chat kept.
    pub fn sign_in_again(&self) {
        self.sign_in();
    }

    /// A different person: nothing of the previous one's chat stays on screen.
    fn restart(&self) {
        self.signals.session.set(None);
        self.signals.unread.set(0);
        self.sign_in();
    }

    pub fn set_open(&self, open: bool) {
        // Opening asks again whether anyone is here.
        if open && !self.signals.open.get_untracked() {
            if let Some(ask) = self.presence_tick.borrow().as_ref() {
                ask();
            }
        }
        self.signals.open.set(open);
        self.post(&ToHost::State { open });
    }

    /// Reports the unread count to the host whenever it changes.
    fn report_unread(&self) {
        let me = self.me.clone();
        let unread = self.signals.unread;
        let i18n = use_i18n();
        Effect::new(move |_| {
            let count = unread.get();
            let label = match count {
                0 => String::new(),
                n => t_string!(i18n, chat.unread, count = n).to_string(),
            };
            if let Some(link) = me.upgrade() {
                link.post(&ToHost::Unread { count, label });
            }
        });
    }

    /// Signs in with the identity or visitor token held now.
    fn sign_in(&self) {
        let mut body = match (&self.chat_link, self.identity.borrow().clone()) {
            (Some(link), _) => Identity {
                link: Some(link.clone()),
                ..Identity::default()
            },
            (None, Some(identity)) => identity,
            (None, None) => Identity {
                visitor_token: self.visitor_token.borrow().clone(),
                ..Identity::default()
            },
        };
        if let Some(lang) = window()
            .document()
            .and_then(|d| d.document_element())
            .and_then(|e| e.get_attribute("lang"))
        {
            body.locale = Some(lang);
        }
        let me = self.me.clone();
        leptos::task::spawn_local(async move {
            let result = request(Method::POST, "/api/v1/widget/session", Some(&body), None).await;
            let Some(link) = me.upgrade() else { return };
            let started = match result {
                Ok(answer) if answer.status == 200 => answer.json::<WidgetSession>(),
                _ => None,
            };
            match started {
                Some(started) => link.started(started),
                None => link.signals.failed.set(true),
            }
        });
    }

    fn started(&self, started: WidgetSession) {
        if let Some(token) = &started.visitor_token {
            *self.visitor_token.borrow_mut() = Some(token.clone());
            match self.host {
                Some(_) => self.post(&ToHost::VisitorToken {
                    visitor_token: token.clone(),
                }),
                None => {
                    use gloo_storage::Storage;
                    let _ = gloo_storage::LocalStorage::set(OWN_VISITOR_KEY, token);
                }
            }
        }
        self.schedule_renewal(&started);
        self.check_presence(started.widget_token.clone());
        self.signals.failed.set(false);
        self.signals.session.set(Some(started));
        if self.focus_wanted.take() {
            crate::chat::focus_composer();
        }
    }

    /// Asks now, and then every minute, whether an operator is connected.
    fn check_presence(&self, token: String) {
        if let Some(handle) = self.presence_timer.borrow_mut().take() {
            handle.clear();
        }
        let online = self.signals.operators_online;
        let ask: Rc<dyn Fn()> = Rc::new(move || {
            let token = token.clone();
            leptos::task::spawn_local(async move {
                let answer = request(
                    Method::GET,
                    "/api/v1/widget/presence",
                    NO_BODY,
                    Some(&token),
                )
                .await;
                if let Some(answer) = answer.ok().filter(|answer| answer.status == 200) {
                    online.set(answer.json::<WidgetPresence>().map(|p| p.operators_online));
                }
            });
        });
        ask();
        let tick = ask.clone();
        if let Ok(handle) = set_interval_with_handle(move || tick(), PRESENCE_EVERY) {
            *self.presence_timer.borrow_mut() = Some(handle);
        }
        *self.presence_tick.borrow_mut() = Some(ask);
    }

    /// Signs in again shortly before the widget token expires.
    fn schedule_renewal(&self, started: &WidgetSession) {
        if let Some(handle) = self.renew_timer.borrow_mut().take() {
            handle.clear();
        }
        let due =
            started.expires_at.timestamp_millis() as f64 - js_sys::Date::now() - RENEW_BEFORE_MS;
        let me = self.me.clone();
        let renew = move || {
            if let Some(link) = me.upgrade() {
                link.renew_timer.borrow_mut().take();
                link.sign_in();
            }
        };
        let wait = Duration::from_millis(due.clamp(1_000.0, 2_000_000_000.0) as u64);
        if let Ok(handle) = set_timeout_with_handle(renew, wait) {
            *self.renew_timer.borrow_mut() = Some(handle);
        }
    }

    pub fn announce(&self, message: &Message, seen: bool) {
        if !SenderKind::Customer.reads(message.sender.kind) {
            return;
        }
        self.post(&ToHost::Message {
            message: message.clone(),
        });
        if !seen {
            crate::sound::chime();
        }
    }
}
