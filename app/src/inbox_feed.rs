//! The dashboard's live inbox: one socket per dashboard tab that follows `subscribe_inbox`,
//! keeps the unread count for the navigation and the tab title, hands list items to the inbox
//! page, and, on a new customer message while the tab is hidden, chimes and shows a desktop
//! notification, as the operator's preferences (kept on the server) say.

use leptos::prelude::*;
use switchboard::wire::{AlertKind, ConversationItem, Preferences, SenderKind};
use uuid::Uuid;

/// Something that asks for this operator's attention, as the dashboard shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// A mention or an assignment.
    pub kind: AlertKind,
    /// The conversation.
    pub conversation_id: Uuid,
    /// Who did it.
    pub by: String,
}

/// The live inbox, provided as context by the dashboard frame.
#[derive(Clone, Copy)]
pub struct InboxFeed {
    /// Support conversations with something operators have not read.
    pub unread: RwSignal<i64>,
    /// The latest list item that changed.
    pub latest: RwSignal<Option<ConversationItem>>,
    /// Bumped on every (re)subscription, the first included, and when the server says changes
    /// may have been missed: the inbox list loads again, since something may have changed
    /// before the feed was live (between the server's render and the subscription) or while it
    /// was not.
    pub resyncs: RwSignal<u32>,
    /// Bumped with `resyncs`, for the sessions list. One count for both pages would do, but
    /// the inbox page reading this one made the main bundle, which every dashboard page loads,
    /// 78 KB (brotli) larger (`cargo leptos build --release --split`; why is not known).
    pub subscriptions: RwSignal<u32>,
    /// The operator's notification preferences, once the dashboard read them.
    pub preferences: RwSignal<Option<Preferences>>,
    /// The latest alert (a mention, an assignment), until the operator dismisses it.
    pub alert: RwSignal<Option<Alert>>,
}

impl InboxFeed {
    /// Starts the feed with the count the server rendered (browser: also the socket).
    pub fn start(unread: i64) -> Self {
        let feed = Self {
            unread: RwSignal::new(unread),
            latest: RwSignal::new(None),
            resyncs: RwSignal::new(0),
            subscriptions: RwSignal::new(0),
            preferences: RwSignal::new(None),
            alert: RwSignal::new(None),
        };
        #[cfg(feature = "hydrate")]
        browser::start(feed);
        feed
    }

    /// Follows the operator's preferences as the server keeps them.
    pub fn use_preferences(&self, preferences: Preferences) {
        self.preferences.set(Some(preferences));
    }

    /// Whether the chime is off (tracked): the `sound` preference, on until it is read.
    pub fn muted(&self) -> bool {
        self.preferences.with(|p| p.is_some_and(|p| !p.sound))
    }

    /// Turns the chime off or on, saved with the operator's preferences so it follows them to
    /// every browser.
    pub fn set_muted(&self, muted: bool) {
        let Some(mut preferences) = self.preferences.get_untracked() else {
            return;
        };
        preferences.sound = !muted;
        self.preferences.set(Some(preferences));
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let _ = crate::api::save_preferences(preferences).await;
        });
    }
}

/// Whether an update is news from a customer: the last message is theirs, unread, and new to
/// this dashboard (`known`: the message count it last saw for the conversation; a change that
/// is no new message, such as an assignment, is no news). A conversation the dashboard has not
/// seen yet is news when its last message is from the last minute (`now_ms`).
pub fn is_customer_news(item: &ConversationItem, known: Option<i64>, now_ms: i64) -> bool {
    let from_customer = item.unread && item.last_message_sender == Some(SenderKind::Customer);
    let new = match known {
        Some(count) => item.message_count > count,
        None => item
            .last_message_at
            .is_some_and(|at| now_ms - at.timestamp_millis() < 60_000),
    };
    from_customer && new
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
    use std::cell::Cell;
    use std::rc::{Rc, Weak};

    use leptos::prelude::*;
    use switchboard::wire::{AlertKind, ClientFrame, ServerFrame};

    use super::{counted_title, is_customer_news, Alert, InboxFeed};
    use crate::i18n::*;
    use crate::realtime::{url_here, Backoff, Peer, Socket};

    /// The feed reconnects from a second on.
    const BACKOFF: Backoff = Backoff {
        start_ms: 1_000.0,
        doublings: 8,
    };

    struct Feed {
        feed: InboxFeed,
        i18n: leptos_i18n::I18nContext<Locale>,
        socket: Socket,
        me: Weak<Feed>,
        stopped: Cell<bool>,
        /// The message count last seen per conversation, to tell a new message from another
        /// change.
        counts: std::cell::RefCell<std::collections::HashMap<uuid::Uuid, i64>>,
    }

    fn window() -> web_sys::Window {
        web_sys::window().expect("a browser window")
    }

    pub fn start(feed: InboxFeed) {
        let i18n = use_i18n();
        let live = Rc::new_cyclic(|me| Feed {
            feed,
            i18n,
            socket: Socket::new(BACKOFF),
            me: me.clone(),
            stopped: Cell::new(false),
            counts: Default::default(),
        });
        live.connect();
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
        let keep = StoredValue::new_local(live);
        on_cleanup(move || {
            if let Some(live) = keep.try_get_value() {
                live.stopped.set(true);
                live.socket.shut_down();
            }
        });
    }

    impl Feed {
        fn connect(&self) {
            if self.stopped.get() {
                return;
            }
            self.socket.open(&url_here("/ws"), self.me.clone());
        }
    }

    impl Peer for Feed {
        fn socket(&self) -> &Socket {
            &self.socket
        }

        fn opened(&self) {
            self.socket.reset_backoff();
            self.socket.send(&ClientFrame::SubscribeInbox);
        }

        fn frame(&self, frame: ServerFrame) {
            match frame {
                ServerFrame::ConversationUpdated { conversation } => {
                    let hidden = window()
                        .document()
                        .is_some_and(|d| d.visibility_state() != web_sys::VisibilityState::Visible);
                    let known = self
                        .counts
                        .borrow_mut()
                        .insert(conversation.id, conversation.message_count);
                    let now = js_sys::Date::now() as i64;
                    if hidden && is_customer_news(&conversation, known, now) {
                        let preferences = self.feed.preferences.get_untracked();
                        if preferences.is_none_or(|p| p.sound) {
                            crate::sound::chime();
                        }
                        if preferences.is_some_and(|p| p.desktop.new_message) {
                            crate::sound::notify(&conversation);
                        }
                    }
                    self.feed.latest.set(Some(*conversation));
                    refresh_count(self.feed);
                }
                ServerFrame::Alert {
                    kind,
                    conversation_id,
                    by,
                    message_id,
                } => {
                    let wanted = self
                        .feed
                        .preferences
                        .get_untracked()
                        .is_none_or(|p| match kind {
                            AlertKind::Mention => p.desktop.mention,
                            AlertKind::Assigned => p.desktop.assigned,
                        });
                    let hidden = window()
                        .document()
                        .is_some_and(|d| d.visibility_state() != web_sys::VisibilityState::Visible);
                    if wanted && hidden {
                        let i18n = self.i18n;
                        let body = match kind {
                            AlertKind::Mention => t_string!(i18n, alerts.mentioned),
                            AlertKind::Assigned => t_string!(i18n, alerts.assigned),
                        };
                        let tag = message_id.unwrap_or(conversation_id).to_string();
                        crate::sound::show(&by.name, body, &tag, conversation_id);
                    }
                    self.feed.alert.set(Some(Alert {
                        kind,
                        conversation_id,
                        by: by.name,
                    }));
                }
                ServerFrame::InboxSubscribed => {
                    self.feed.resyncs.update(|n| *n += 1);
                    self.feed.subscriptions.update(|n| *n += 1);
                    refresh_count(self.feed);
                }
                _ => {}
            }
        }

        fn closed(&self, code: u16) {
            // Signed out elsewhere, deactivated, or the password changed: this dashboard is
            // no longer signed in, so it goes to the sign-in page and says why.
            if code == switchboard::wire::close::UNAUTHORIZED {
                self.stopped.set(true);
                let _ = window().location().set_href("/login?signed_out=1");
                return;
            }
            if !self.stopped.get() {
                self.socket.retry_later(self.me.clone());
            }
        }

        fn try_again(&self) {
            self.connect();
        }
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
    use chrono::TimeZone;

    #[test]
    fn only_a_new_customer_message_is_news() {
        let at = chrono::Utc.with_ymd_and_hms(2026, 12, 4, 10, 0, 0).unwrap();
        let item = ConversationItem {
            id: uuid::Uuid::from_u128(1),
            kind: switchboard::wire::ConversationKind::Support,
            customer: None,
            last_message_at: Some(at),
            last_message_preview: Some("Hello?".into()),
            last_message_sender: Some(SenderKind::Customer),
            message_count: 3,
            unread: true,
            archived: false,
            last_message_internal: false,
            assignee: None,
            labels: Vec::new(),
        };
        let now = at.timestamp_millis() + 5_000;
        assert!(is_customer_news(&item, Some(2), now));
        assert!(
            !is_customer_news(&item, Some(3), now),
            "an assignment is no news"
        );
        assert!(is_customer_news(&item, None, now));
        assert!(!is_customer_news(&item, None, now + 3_600_000));
        let read = ConversationItem {
            unread: false,
            ..item.clone()
        };
        assert!(!is_customer_news(&read, Some(2), now));
    }

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
