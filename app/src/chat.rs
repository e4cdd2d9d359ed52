//! `SessionChatPanel`: the chat of a support session, for the operator and for the guest.

use chrono::{DateTime, FixedOffset, Utc};
use leptos::html;
use leptos::prelude::*;
use switchboard::domain::{MessageBody, MESSAGE_MAX_CHARS};
use switchboard::wire::{ConversationNote, ErrorCode, Message, NoteKind};
use uuid::Uuid;

use crate::components::ErrorText;
use crate::i18n::*;
use crate::realtime::{ChatClient, ChatState, Link, Party};

/// The composer shows a counter from this many characters on.
const COUNTER_FROM: usize = MESSAGE_MAX_CHARS - 500;
/// "Near the bottom" for auto-scroll, in pixels.
const STICKY_BOTTOM_PX: i32 = 80;

/// The browser's offset from UTC, so times show in local time (UTC on the server, where the
/// list starts empty anyway).
fn local_offset() -> FixedOffset {
    #[cfg(feature = "hydrate")]
    {
        let minutes = -(js_sys::Date::new_0().get_timezone_offset() as i32);
        FixedOffset::east_opt(minutes * 60).unwrap_or_else(|| FixedOffset::east_opt(0).unwrap())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        FixedOffset::east_opt(0).expect("zero offset")
    }
}

fn local(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&local_offset())
}

/// A chat panel. `party` says whose side this is; `state` is the chat's state (the parent may
/// watch it, for example for the end of the session); `guest_name` is the guest's chosen name
/// (the socket reconnects when it changes); `visible` says whether the reader can see the panel,
/// so that only seen messages are marked read. `unread` receives the count of the other side's
/// messages that are unread and not yet seen here. `close` adds a close button to the header;
/// `announce` hears of each message that arrives live (not the history).
#[component]
pub fn SessionChatPanel(
    party: Party,
    conversation_id: Uuid,
    state: ChatState,
    #[prop(into)] guest_name: Signal<Option<String>>,
    #[prop(into)] visible: Signal<bool>,
    #[prop(optional)] unread: Option<RwSignal<usize>>,
    #[prop(optional, into)] close: Option<Callback<()>>,
    #[prop(optional, into)] announce: Option<Callback<Message>>,
    #[prop(optional, into)] notes: Option<Signal<Vec<ConversationNote>>>,
    #[prop(optional, into)] me: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let client = StoredValue::new(ChatClient::start(
        party.clone(),
        conversation_id,
        guest_name,
        state,
    ));
    let party = StoredValue::new(party);

    // A name change on the guest side reconnects, so the server knows the new name.
    Effect::new(move |previous: Option<Option<String>>| {
        let name = guest_name.get();
        if previous.is_some_and(|p| p != name) {
            client.with_value(|c| c.reconnect());
        }
        name
    });

    // Mark the other side's messages read while the panel is visible; count them otherwise.
    // A message counts as read once it has been in view while the panel was visible: the
    // list reports the highest such seq (an IntersectionObserver in the browser).
    let seen_up_to = RwSignal::new(0i64);
    let last_read_sent = StoredValue::new(0i64);
    Effect::new(move |_| {
        let seen = seen_up_to.get();
        if visible.get() && seen > last_read_sent.get_value() {
            last_read_sent.set_value(seen);
            client.with_value(|c| c.mark_read(seen));
        }
        if let Some(unread) = unread {
            let read = last_read_sent.get_value();
            let count = state.messages.with(|list| {
                list.iter()
                    .filter(|m| {
                        m.seq > read && m.read_at.is_none() && party.with_value(|p| p.reads(m))
                    })
                    .count()
            });
            unread.set(count);
        }
    });

    // Live arrivals: everything above the newest seq held once the first load settled.
    if let Some(announce) = announce {
        let heard_up_to = StoredValue::new(None::<i64>);
        Effect::new(move |_| {
            let newest = state
                .messages
                .with(|l| l.last().map(|m| m.seq))
                .unwrap_or(0);
            let linked = state.link.get() == Link::Connected;
            match heard_up_to.get_value() {
                None if linked => heard_up_to.set_value(Some(newest)),
                None => {}
                Some(heard) if newest > heard => {
                    heard_up_to.set_value(Some(newest));
                    let fresh: Vec<Message> = state
                        .messages
                        .with(|l| l.iter().filter(|m| m.seq > heard).cloned().collect());
                    for message in fresh {
                        announce.run(message);
                    }
                }
                Some(_) => {}
            }
        });
    }

    view! {
        <section class="chat" aria-label=move || t_string!(i18n, chat.title)>
            <header class="chat-header">
                <h2>{t!(i18n, chat.title)}</h2>
                <ConnectionDot link=state.link ended=state.ended />
                {close.map(|close| view! {
                    <button type="button" class="icon-button close" on:click=move |_| close.run(())
                        aria-label=move || t_string!(i18n, widget.close)>
                        <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18" /></svg>
                    </button>
                })}
            </header>
            {move || state.ended.get().then(|| view! {
                <p class="chat-ended" role="status">{t!(i18n, chat.ended_banner)}</p>
            })}
            {move || state.error.get().map(|code| view! {
                <p class="alert error" role="alert"><ErrorText code /></p>
            })}
            <MessageList state party client notes=notes.unwrap_or_default() me seen_up_to visible />
            <TypingLine state />
            <Composer state client />
        </section>
    }
}

#[component]
fn ConnectionDot(link: RwSignal<Link>, ended: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let class = move || match (ended.get(), link.get()) {
        (true, _) => "dot offline",
        (false, Link::Connected) => "dot connected",
        (false, Link::Connecting | Link::Reconnecting) => "dot reconnecting",
        (false, Link::Offline) => "dot offline",
    };
    let label = move || match (ended.get(), link.get()) {
        (true, _) => t_string!(i18n, chat.ended_short),
        (false, Link::Connected) => t_string!(i18n, chat.connected),
        (false, Link::Connecting | Link::Reconnecting) => t_string!(i18n, chat.reconnecting),
        (false, Link::Offline) => t_string!(i18n, chat.offline),
    };
    view! {
        <span class="connection" role="status">
            <span class=class aria-hidden="true"></span>
            <span class="connection-label">{label}</span>
        </span>
    }
}

#[component]
fn MessageList(
    state: ChatState,
    party: StoredValue<Party>,
    client: StoredValue<ChatClient>,
    notes: Signal<Vec<ConversationNote>>,
    me: Option<String>,
    seen_up_to: RwSignal<i64>,
    visible: Signal<bool>,
) -> impl IntoView {
    let me = StoredValue::new(me);
    let i18n = use_i18n();
    let list_ref = NodeRef::<html::Div>::new();
    let stuck_to_bottom = RwSignal::new(true);
    let new_below = RwSignal::new(false);

    let scroll_to_bottom = move || {
        if let Some(el) = list_ref.get_untracked() {
            el.set_scroll_top(el.scroll_height());
        }
        new_below.set(false);
    };
    let on_scroll = move |_| {
        if let Some(el) = list_ref.get_untracked() {
            let at_bottom =
                el.scroll_height() - el.scroll_top() - el.client_height() < STICKY_BOTTOM_PX;
            stuck_to_bottom.set(at_bottom);
            if at_bottom {
                new_below.set(false);
            }
        }
    };
    // Watch the other side's rows: each one that is at least half in view while the panel is
    // visible raises `seen_up_to`. Rows are (re)observed after every change of the list.
    #[cfg(feature = "hydrate")]
    {
        let observer = StoredValue::new_local(None::<seen::Watcher>);
        Effect::new(move |_| {
            state.messages.track();
            visible.track();
            request_animation_frame(move || {
                let Some(list) = list_ref.get_untracked() else {
                    return;
                };
                observer.update_value(|slot| {
                    let watcher =
                        slot.get_or_insert_with(|| seen::Watcher::new(&list, seen_up_to, visible));
                    watcher.observe_rows(&list);
                });
            });
        });
        on_cleanup(move || {
            observer.try_with_value(|slot| {
                if let Some(watcher) = slot {
                    watcher.disconnect();
                }
            });
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (seen_up_to, visible);

    // A panel that opens shows its newest messages, unless the reader had scrolled up: while it
    // was hidden, following the bottom had nothing to measure.
    Effect::new(move |was_visible: Option<bool>| {
        let now_visible = visible.get();
        if now_visible && was_visible == Some(false) && stuck_to_bottom.get_untracked() {
            request_animation_frame(scroll_to_bottom);
        }
        now_visible
    });

    // New messages: follow them if the reader is at the bottom, else offer the pill.
    Effect::new(move |previous: Option<usize>| {
        let count = state.messages.with(Vec::len) + state.pending.with(Vec::len);
        if previous.is_some_and(|p| count > p) {
            if stuck_to_bottom.get_untracked() {
                request_animation_frame(scroll_to_bottom);
            } else {
                new_below.set(true);
            }
        } else if previous.is_none() {
            request_animation_frame(scroll_to_bottom);
        }
        count
    });

    let rows = move || {
        let messages = state.messages.get();
        let seen_up_to = state.other_read_up_to.get();
        let last_own_seen = messages
            .iter()
            .rev()
            .find(|m| party.with_value(|p| p.is_own(m)))
            .filter(|m| m.seq <= seen_up_to || m.read_at.is_some())
            .map(|m| m.id);
        let notes = notes.get();
        let mut day = None;
        messages
            .into_iter()
            .map(|message| {
                let lines = notes
                    .iter()
                    .filter(|n| n.at_seq == message.seq)
                    .map(|note| match note.kind {
                        NoteKind::Reopened => view! {
                            <li class="system-line">{t!(i18n, chat.reopened)}</li>
                        },
                    })
                    .collect_view();
                let this_day = local(message.created_at).date_naive();
                let divider = (day != Some(this_day)).then(|| {
                    day = Some(this_day);
                    view! {
                        <li class="day-divider">
                            <span>{this_day.format("%Y-%m-%d").to_string()}</span>
                        </li>
                    }
                });
                let seen = last_own_seen == Some(message.id);
                let own = party.with_value(|p| p.is_own(&message));
                // Operators' own messages say "You"; colleagues' keep their names.
                let mine = own
                    && me.with_value(|me| {
                        me.is_some() && message.sender.name.as_ref() == me.as_ref()
                    });
                view! {
                    {divider}
                    {lines}
                    <MessageRow message own seen mine />
                }
            })
            .collect_view()
    };
    let pending_rows = move || {
        state
            .pending
            .get()
            .into_iter()
            .map(|pending| {
                let id = pending.client_id.clone();
                view! {
                    <li class="message own pending">
                        <p class="bubble" dir="auto">{pending.content.clone()}</p>
                        <p class="meta">
                            {match pending.failed {
                                None => view! { <span>{t!(i18n, chat.sending)}</span> }.into_any(),
                                Some(code) => view! {
                                    <span class="failed">
                                        <FailureText code />" "
                                        <button type="button" class="link" on:click=move |_| {
                                            client.with_value(|c| c.retry(&id));
                                        }>{t!(i18n, chat.retry)}</button>
                                    </span>
                                }.into_any(),
                            }}
                        </p>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <div class="chat-scroll" node_ref=list_ref on:scroll=on_scroll tabindex="0"
            aria-label=move || t_string!(i18n, chat.history)>
            <ol class="messages" aria-live="polite">
                {rows}
                {pending_rows}
            </ol>
            {move || (state.messages.with(Vec::is_empty) && state.pending.with(Vec::is_empty)).then(|| view! {
                <p class="chat-empty">{t!(i18n, chat.empty)}</p>
            })}
        </div>
        {move || new_below.get().then(|| view! {
            <button type="button" class="pill" on:click=move |_| scroll_to_bottom()>
                {t!(i18n, chat.new_messages)}
            </button>
        })}
    }
}

/// Why a send failed, in words, with the retry offer.
#[component]
fn FailureText(code: ErrorCode) -> impl IntoView {
    let i18n = use_i18n();
    match code {
        ErrorCode::RateLimited => t!(i18n, chat.rate_limited).into_any(),
        ErrorCode::Invalid => t!(i18n, chat.rejected).into_any(),
        _ => t!(i18n, chat.not_sent).into_any(),
    }
}

#[component]
fn MessageRow(message: Message, own: bool, seen: bool, mine: bool) -> impl IntoView {
    let i18n = use_i18n();
    let is_own = own;
    let time = local(message.created_at);
    let name = message.sender.name.clone();
    let kind = message.sender.kind;
    view! {
        <li class=if is_own { "message own" } else { "message other" } data-seq=message.seq>
            <p class="sender" dir="auto">
                {match name {
                    _ if mine => t!(i18n, chat.you).into_any(),
                    Some(name) => name.into_any(),
                    None => match kind {
                        switchboard::wire::SenderKind::Guest => t!(i18n, chat.guest).into_any(),
                        switchboard::wire::SenderKind::Customer => t!(i18n, chat.customer).into_any(),
                        _ => t!(i18n, chat.operator).into_any(),
                    },
                }}
            </p>
            // dir=auto: a Latin message in an Arabic page (and the reverse) keeps its own order.
            <p class="bubble" dir="auto">{message.content}</p>
            <p class="meta">
                <time datetime=message.created_at.to_rfc3339()>{time.format("%H:%M").to_string()}</time>
                {seen.then(|| view! { <span class="seen">" · "{t!(i18n, chat.seen)}</span> })}
            </p>
        </li>
    }
}

#[component]
fn TypingLine(state: ChatState) -> impl IntoView {
    let i18n = use_i18n();
    let now = RwSignal::new(0f64);
    #[cfg(feature = "hydrate")]
    {
        if let Ok(handle) = set_interval_with_handle(
            move || now.set(js_sys::Date::now()),
            std::time::Duration::from_millis(1000),
        ) {
            on_cleanup(move || handle.clear());
        }
    }
    let who = move || {
        now.track();
        state
            .typing
            .get()
            .filter(|(_, until)| *until > now.get_untracked().max(0.0))
            .map(|(who, _)| who.name)
    };
    view! {
        <p class="typing" aria-live="polite">
            {move || who().map(|name| match name {
                Some(name) => t!(i18n, chat.typing, name = move || {
                    let name = name.clone();
                    view! { <bdi class="user-text">{name}</bdi> }
                })
                .into_any(),
                None => t!(i18n, chat.someone_typing).into_any(),
            })}
        </p>
    }
}

#[component]
fn Composer(state: ChatState, client: StoredValue<ChatClient>) -> impl IntoView {
    let i18n = use_i18n();
    let text = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<ErrorCode>);
    let chars = move || text.with(|t| t.trim().chars().count());
    let empty = move || text.with(|t| t.trim().is_empty());
    let last_typing = StoredValue::new(0f64);

    let submit = move || {
        if state.ended.get_untracked() {
            return;
        }
        match MessageBody::parse(&text.get_untracked()) {
            Ok(body) => {
                client.with_value(|c| c.send(body.as_str().to_owned()));
                text.set(String::new());
                problem.set(None);
            }
            Err(_) if empty() => {}
            Err(_) => problem.set(Some(ErrorCode::Invalid)),
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            submit();
        }
    };
    let on_input = move |ev: leptos::ev::Event| {
        text.set(event_target_value(&ev));
        #[cfg(feature = "hydrate")]
        {
            let now = js_sys::Date::now();
            if now - last_typing.get_value() > 2_000.0 {
                last_typing.set_value(now);
                client.with_value(|c| c.typing());
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = last_typing;
    };
    view! {
        <form class="composer" on:submit=move |ev| { ev.prevent_default(); submit(); }>
            <label for="chat-input" class="visually-hidden">{t!(i18n, chat.placeholder)}</label>
            <textarea id="chat-input" rows="2"
                placeholder=move || t_string!(i18n, chat.placeholder)
                prop:value=move || text.get()
                on:input=on_input
                on:keydown=on_keydown
                disabled=move || state.ended.get()
            ></textarea>
            <div class="composer-row">
                {move || (chars() >= COUNTER_FROM).then(|| {
                    let over = chars() > MESSAGE_MAX_CHARS;
                    view! {
                        <span class=if over { "counter over" } else { "counter" } aria-live="polite">
                            {format!("{} / {MESSAGE_MAX_CHARS}", chars())}
                        </span>
                    }
                })}
                {move || problem.get().map(|_| view! {
                    <span class="alert error" role="alert">{t!(i18n, chat.invalid)}</span>
                })}
                <button type="submit" class="primary"
                    disabled=move || { empty() || state.ended.get() || chars() > MESSAGE_MAX_CHARS }>
                    {t!(i18n, chat.send)}
                </button>
            </div>
            {move || (state.link.get() == Link::Offline || state.link.get() == Link::Reconnecting).then(|| view! {
                <p class="hint">{t!(i18n, chat.connection_error)}</p>
            })}
        </form>
    }
}

/// The browser side of "in view": an IntersectionObserver over the other side's rows.
#[cfg(feature = "hydrate")]
mod seen {
    use leptos::prelude::*;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit};

    pub struct Watcher {
        observer: IntersectionObserver,
        _callback: Closure<dyn FnMut(js_sys::Array)>,
    }

    impl Watcher {
        pub fn new(
            root: &web_sys::HtmlDivElement,
            seen_up_to: RwSignal<i64>,
            visible: Signal<bool>,
        ) -> Self {
            let callback =
                Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
                    if !visible.get_untracked() {
                        return;
                    }
                    let highest = entries
                        .iter()
                        .filter_map(|e| e.dyn_into::<IntersectionObserverEntry>().ok())
                        .filter(|e| e.is_intersecting())
                        .filter_map(|e| e.target().get_attribute("data-seq")?.parse::<i64>().ok())
                        .max();
                    if let Some(seq) = highest.filter(|s| *s > seen_up_to.get_untracked()) {
                        seen_up_to.set(seq);
                    }
                });
            let options = IntersectionObserverInit::new();
            options.set_root(Some(root));
            options.set_threshold(&JsValue::from_f64(0.5));
            let observer =
                IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &options)
                    .expect("IntersectionObserver is available");
            Self {
                observer,
                _callback: callback,
            }
        }

        /// Observes every row of the other side (observing a row twice is harmless). Rows
        /// already observed are taken again so that a panel that just became visible reports
        /// what it shows.
        pub fn observe_rows(&self, root: &web_sys::HtmlDivElement) {
            let Ok(rows) = root.query_selector_all("li.message.other[data-seq]") else {
                return;
            };
            for i in 0..rows.length() {
                if let Some(row) = rows
                    .item(i)
                    .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
                {
                    self.observer.unobserve(&row);
                    self.observer.observe(&row);
                }
            }
        }

        pub fn disconnect(&self) {
            self.observer.disconnect();
        }
    }
}
