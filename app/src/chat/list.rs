//! The message list: day dividers, notes, rows with "Seen", sends in flight with retry, the
//! "new messages" pill, and the watcher that tells which rows were in view.

use chrono::FixedOffset;
use leptos::html;
use leptos::prelude::*;
use switchboard::wire::{ConversationNote, ErrorCode, Message, NoteKind};

use super::files::Attachments;
use super::links::LinkedText;
use crate::clock::{clock_time, day_of, day_text, ReaderClock};
use crate::i18n::*;
use crate::realtime::{ChatClient, ChatState, Party};

/// "Near the bottom" for auto-scroll, in pixels.
const STICKY_BOTTOM_PX: i32 = 80;

#[component]
pub(super) fn MessageList(
    state: ChatState,
    party: StoredValue<Party>,
    client: StoredValue<ChatClient>,
    notes: Signal<Vec<ConversationNote>>,
    me: Option<String>,
    seen_up_to: RwSignal<i64>,
    visible: Signal<bool>,
    greeting: Option<Signal<String>>,
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

    let clock = ReaderClock::get();
    let rows = move || {
        let zone = clock.zone();
        let messages = state.messages.get();
        let seen_up_to = state.other_read_up_to.get();
        let last_own_seen = messages
            .iter()
            .rev()
            .find(|m| party.with_value(|p| p.is_own(m)))
            .filter(|m| m.seq <= seen_up_to || m.read_at.is_some())
            .map(|m| m.id);
        let notes = notes.get();
        let last_seq = messages.last().map_or(0, |m| m.seq);
        let mut day = None;
        let rows = messages
            .into_iter()
            .map(|message| {
                let lines = notes
                    .iter()
                    .filter(|n| n.at_seq == message.seq)
                    .map(|note| view! { <ActivityLine note=note.clone() /> })
                    .collect_view();
                let this_day = day_of(message.created_at, zone);
                let divider = (day != Some(this_day)).then(|| {
                    day = Some(this_day);
                    let label = day_text(this_day);
                    view! {
                        <li class="day-divider">
                            <span>{move || label.get()}</span>
                        </li>
                    }
                });
                let seen = last_own_seen == Some(message.id);
                let own = party.with_value(|p| p.is_own(&message));
                // A visitor's own messages say "You"; so do an operator's, while colleagues'
                // keep their names.
                let mine = own
                    && (party.with_value(Party::is_visitor)
                        || me.with_value(|me| {
                            me.is_some() && message.sender.name.as_ref() == me.as_ref()
                        }));
                view! {
                    {divider}
                    {lines}
                    <MessageRow message own seen mine zone party />
                }
            })
            .collect_view();
        // Lines after the last message (an assignment since) come at the end.
        let trailing = notes
            .iter()
            .filter(|n| n.at_seq > last_seq)
            .map(|note| view! { <ActivityLine note=note.clone() /> })
            .collect_view();
        view! { {rows}{trailing} }
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
                        {(!pending.content.is_empty()).then(|| view! {
                            <p class="bubble" dir="auto"><LinkedText text=pending.content.clone() /></p>
                        })}
                        {(!pending.attachments.is_empty()).then(|| view! {
                            <ul class="pending-files">
                                {pending.attachments.iter().map(|file| view! {
                                    <li dir="auto"><bdi>{file.name.clone()}</bdi></li>
                                }).collect_view()}
                            </ul>
                        })}
                        <p class="meta">
                            {match pending.failed {
                                None => view! { <span>{t!(i18n, chat.sending)}</span> }.into_any(),
                                // Once the chat is cut off no retry can succeed: say so, offer none.
                                Some(_) if state.cut_off() => view! {
                                    <span class="failed">{t!(i18n, chat.undeliverable)}</span>
                                }.into_any(),
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
                {greeting.map(|greeting| view! {
                    <li class="greeting">
                        <p class="bubble" dir="auto">{move || greeting.get()}</p>
                    </li>
                })}
                {rows}
                {pending_rows}
            </ol>
            {move || (greeting.is_none() && state.messages.with(Vec::is_empty) && state.pending.with(Vec::is_empty)).then(|| view! {
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

/// One of Switchboard's own lines between messages, for operators.
#[component]
fn ActivityLine(note: ConversationNote) -> impl IntoView {
    let i18n = use_i18n();
    let by = note.by.map(|by| by.name).unwrap_or_default();
    let to = note.to.map(|to| to.name).unwrap_or_default();
    let text = match note.kind {
        NoteKind::Reopened => t!(i18n, chat.reopened).into_any(),
        NoteKind::Assigned if by == to => t!(i18n, chat.took, by).into_any(),
        NoteKind::Assigned => t!(i18n, chat.assigned, by, to).into_any(),
        NoteKind::Unassigned => t!(i18n, chat.unassigned, by, to).into_any(),
        NoteKind::Erased => t!(i18n, chat.erased, by).into_any(),
        NoteKind::Labelled => match note.labels.unwrap_or_default() {
            labels if labels.is_empty() => t!(i18n, chat.unlabelled, by).into_any(),
            labels => {
                let labels = labels.join(", ");
                t!(i18n, chat.labelled, by, labels).into_any()
            }
        },
    };
    view! { <li class="system-line" dir="auto">{text}</li> }
}

#[component]
fn MessageRow(
    message: Message,
    own: bool,
    seen: bool,
    mine: bool,
    zone: Option<FixedOffset>,
    party: StoredValue<Party>,
) -> impl IntoView {
    let i18n = use_i18n();
    let is_own = own;
    let files = message.attachments.clone();
    let time = clock_time(message.created_at, zone);
    let name = message.sender.name.clone();
    let kind = message.sender.kind;
    let internal = message.internal;
    let class = match (is_own, internal) {
        (true, false) => "message own",
        (false, false) => "message other",
        (true, true) => "message own note",
        (false, true) => "message other note",
    };
    view! {
        <li class=class data-seq=message.seq>
            {internal.then(|| view! { <p class="note-label">{t!(i18n, chat.note_label)}</p> })}
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
            {(!message.content.is_empty()).then(|| view! {
                <p class="bubble" dir="auto"><LinkedText text=message.content /></p>
            })}
            {(!files.is_empty()).then(|| view! { <Attachments files party /> })}
            <p class="meta">
                <time datetime=message.created_at.to_rfc3339()>{time}</time>
                {seen.then(|| view! { <span class="seen">" · "{t!(i18n, chat.seen)}</span> })}
            </p>
        </li>
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
