//! The dashboard's live inbox: one socket per dashboard tab that follows `subscribe_inbox`,
//! keeps the unread count for the navigation and the tab title, hands list items to the inbox
//! page, and chimes on a new customer message while the tab is hidden (unless muted).

use leptos::prelude::*;
use switchboard::wire::{ConversationItem, SenderKind};

/// Where the mute choice is remembered.
pub const MUTE_KEY: &str = "switchboard.inbox_muted";

/// The live inbox, provided as context by the dashboard frame.
#[derive(Clone, Copy)]
pub struct InboxFeed {
    /// Support conversations with something operators have not read.
    pub unread: RwSignal<i64>,
    /// The latest list item that changed.
    pub latest: RwSignal<Option<ConversationItem>>,
    /// Bumped when changes may have been missed: lists load again.
    pub resyncs: RwSignal<u32>,
    /// Whether the chime is off.
    pub muted: RwSignal<bool>,
}

impl InboxFeed {
    /// Starts the feed with the count the server rendered (browser: also the socket).
    pub fn start(unread: i64) -> Self {
        let feed = Self {
            unread: RwSignal::new(unread),
            latest: RwSignal::new(None),
            resyncs: RwSignal::new(0),
            muted: RwSignal::new(false),
        };
        #[cfg(feature = "hydrate")]
        browser::start(feed);
        feed
    }

    /// Turns the chime off or on, remembered in this browser.
    pub fn set_muted(&self, muted: bool) {
        self.muted.set(muted);
        #[cfg(feature = "hydrate")]
        {
            use gloo_storage::Storage;
            let _ = gloo_storage::LocalStorage::set(MUTE_KEY, muted);
        }
    }
}

/// Whether an update is news from a customer: the last message is theirs and unread.
pub fn is_customer_news(item: &ConversationItem) -> bool {
    item.unread && item.last_message_sender == Some(SenderKind::Customer)
}

/// `(3) Inbox – Switchboard` from a title and a count; the count is dropped when zero.
pub fn counted_title(title: &str, unread: i64) -> String {
    let bare = match title.strip_prefix('(') {
        Some(rest) => match rest.split_once(") ") {
            Some((n, tail)) if n.chars().all(|c| c.is_ascii_digit()) => tail,
            _ => title,
        },
        None => title,
    };
    if unread > 0 {
        format!("({unread}) {bare}")
    } else {
        bare.to_owned()
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    use leptos::prelude::*;
    use switchboard::wire::{ClientFrame, ServerFrame};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{MessageEvent, WebSocket};

    use super::{counted_title, is_customer_news, InboxFeed, MUTE_KEY};

    /// A browser event handler kept alive on the Rust side.
    type Handler = Closure<dyn FnMut(JsValue)>;

    const BACKOFF_START_MS: f64 = 1_000.0;
    const BACKOFF_CAP_MS: f64 = 30_000.0;

    struct Socket {
        feed: InboxFeed,
        socket: RefCell<Option<WebSocket>>,
        handlers: RefCell<Vec<Handler>>,
        attempt: Cell<u32>,
        subscribed_once: Cell<bool>,
        stopped: Cell<bool>,
    }

    fn window() -> web_sys::Window {
        web_sys::window().expect("a browser window")
    }

    pub fn start(feed: InboxFeed) {
        use gloo_storage::Storage;
        feed.muted
            .set(gloo_storage::LocalStorage::get::<bool>(MUTE_KEY).unwrap_or(false));
        let socket = Rc::new(Socket {
            feed,
            socket: RefCell::new(None),
            handlers: RefCell::new(Vec::new()),
            attempt: Cell::new(0),
            subscribed_once: Cell::new(false),
            stopped: Cell::new(false),
        });
        connect(&socket);
        // The tab title follows the count, and each page's own title as it changes.
        let location = leptos_router::hooks::use_location();
        Effect::new(move |_| {
            let unread = feed.unread.get();
            location.pathname.track();
            request_animation_frame(move || {
                if let Some(document) = window().document() {
                    document.set_title(&counted_title(&document.title(), unread));
                }
            });
        });
        let keep = StoredValue::new_local(socket);
        on_cleanup(move || {
            if let Some(socket) = keep.try_get_value() {
                socket.stopped.set(true);
                if let Some(ws) = socket.socket.borrow_mut().take() {
                    ws.set_onmessage(None);
                    ws.set_onclose(None);
                    ws.set_onopen(None);
                    let _ = ws.close();
                }
            }
        });
    }

    fn connect(me: &Rc<Socket>) {
        if me.stopped.get() {
            return;
        }
        let location = window().location();
        let scheme = if location.protocol().unwrap_or_default() == "https:" {
            "wss"
        } else {
            "ws"
        };
        let url = format!("{scheme}://{}/ws", location.host().unwrap_or_default());
        let Ok(ws) = WebSocket::new(&url) else {
            retry(me);
            return;
        };
        let weak = Rc::downgrade(me);
        let on_open = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            if let Some(me) = weak.upgrade() {
                me.attempt.set(0);
                if let Some(ws) = me.socket.borrow().as_ref() {
                    let frame = serde_json::to_string(&ClientFrame::SubscribeInbox)
                        .expect("frames serialize");
                    let _ = ws.send_with_str(&frame);
                }
            }
        });
        let weak = Rc::downgrade(me);
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let Some(me) = weak.upgrade() else { return };
            let Some(text) = event
                .dyn_ref::<MessageEvent>()
                .and_then(|e| e.data().as_string())
            else {
                return;
            };
            match serde_json::from_str::<ServerFrame>(&text) {
                Ok(ServerFrame::ConversationUpdated { conversation }) => {
                    let hidden = window()
                        .document()
                        .is_some_and(|d| d.visibility_state() != web_sys::VisibilityState::Visible);
                    if hidden && !me.feed.muted.get_untracked() && is_customer_news(&conversation) {
                        crate::sound::chime();
                    }
                    me.feed.latest.set(Some(conversation));
                    refresh_count(me.feed);
                }
                Ok(ServerFrame::InboxSubscribed) => {
                    // The first answers the subscription; a later one says changes may have
                    // been missed (and so does a reconnect).
                    if me.subscribed_once.replace(true) {
                        me.feed.resyncs.update(|n| *n += 1);
                    }
                    refresh_count(me.feed);
                }
                _ => {}
            }
        });
        let weak = Rc::downgrade(me);
        let on_close = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            if let Some(me) = weak.upgrade() {
                me.socket.borrow_mut().take();
                // Back from a drop: whatever changed meanwhile is read again.
                me.subscribed_once.set(true);
                retry(&me);
            }
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        *me.handlers.borrow_mut() = vec![on_open, on_message, on_close];
        *me.socket.borrow_mut() = Some(ws);
    }

    fn retry(me: &Rc<Socket>) {
        if me.stopped.get() {
            return;
        }
        let attempt = me.attempt.get();
        me.attempt.set(attempt.saturating_add(1));
        let base = (BACKOFF_START_MS * 2f64.powi(attempt.min(8) as i32)).min(BACKOFF_CAP_MS);
        let delay = base * (0.5 + js_sys::Math::random() * 0.5);
        let weak = Rc::downgrade(me);
        let again = Closure::once_into_js(move || {
            if let Some(me) = weak.upgrade() {
                connect(&me);
            }
        });
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(
            again.unchecked_ref(),
            delay as i32,
        );
    }

    fn refresh_count(feed: InboxFeed) {
        leptos::task::spawn_local(async move {
            if let Ok(count) = crate::api::unread_conversations().await {
                feed.unread.set(count);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tab_title_carries_the_count_once() {
        assert_eq!(
            counted_title("Inbox – Switchboard", 3),
            "(3) Inbox – Switchboard"
        );
        assert_eq!(
            counted_title("(3) Inbox – Switchboard", 4),
            "(4) Inbox – Switchboard"
        );
        assert_eq!(
            counted_title("(4) Inbox – Switchboard", 0),
            "Inbox – Switchboard"
        );
        assert_eq!(counted_title("(draft) notes", 0), "(draft) notes");
    }
}
